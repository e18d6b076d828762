"""Hostile review 22: a msgspec Struct carries `__rich_repr__`, which Rich prefers to `__repr__`.
`sync.remote_login.Login` hides its password in `__repr__` ("a traceback or a debug print shows
no password"); as a dataclass, Rich honoured that custom repr. The oracle is the password itself:
it must appear in no rendering of the object."""

from __future__ import annotations

import io

from whrd_cli.sync.remote_login import Login

SECRET = "S3cret-pass!"


def test_repr_and_str_hide_the_password() -> None:
    login = Login("ana", SECRET, "file")
    for shown in (repr(login), str(login), f"{login}", repr([login]), repr({"login": login})):
        assert SECRET not in shown and "ana" in shown


def test_rich_renderings_hide_the_password() -> None:
    from rich.console import Console
    from rich.pretty import pretty_repr

    login = Login("ana", SECRET, "netrc")
    assert SECRET not in pretty_repr(login)
    assert SECRET not in pretty_repr({"remote": "hub", "login": login})
    out = io.StringIO()
    Console(file=out, width=100).print(login)
    assert SECRET not in out.getvalue() and "ana" in out.getvalue()


def test_a_rich_traceback_with_locals_hides_the_password() -> None:
    from rich.console import Console
    from rich.traceback import Traceback

    def fails(login: Login) -> None:
        raise RuntimeError("the server refused")

    try:
        fails(Login("ana", SECRET, "file"))
    except RuntimeError as exc:
        trace = Traceback.from_exception(type(exc), exc, exc.__traceback__, show_locals=True)
    out = io.StringIO()
    Console(file=out, width=120).print(trace)
    assert "ana" in out.getvalue()
    assert SECRET not in out.getvalue()
