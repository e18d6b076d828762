"""Entry point for `whrd` and `python -m whrd_cli`, and the only place for process policy.

A `whrd` process runs one command and ends, so it can afford what a library must not do to the
program that imports it: it turns the cyclic garbage collector off, keeps the parsed archive
alive, and leaves with `os._exit` instead of tearing the heap down. The library itself changes
no GC state and keeps no parse (see `storage.kept`).
"""

from __future__ import annotations

import gc
import os
import sys


def short_lived_process() -> None:
    """Set the process policy of one CLI run; `main` does this first (and so does
    `bench/profile.py`, so that its phases are the CLI's)."""
    # Parsing 100k bulletins makes ~1M objects (all acyclic: reference counting frees what is
    # dropped); with the collector on, it would walk them again and again while they are made
    # and after (a third of the load time at 100k). One short command leaves too little cyclic
    # garbage to matter.
    gc.disable()
    _import_msgspec_lean()
    from .storage.kept import add_parse_hook

    # The last archive parsed lives until `os._exit`: never freed object by object (~0.1 s at 100k).
    kept: list[object] = [None]
    add_parse_hook(lambda parsed: kept.__setitem__(0, parsed))


def _import_msgspec_lean() -> None:
    """Import msgspec (every command does: its Structs are whrd's records) without the
    typing_extensions it looks for at import, ~3 ms of every start.

    msgspec only uses it for `get_type_hints`, `Required` and `NotRequired`, and falls back to
    `typing`'s own when it is missing; whrd declares its types with `typing`, so nothing it
    decodes or builds changes. It is hidden for this one import only: anything imported later
    finds it as usual."""
    if "msgspec" in sys.modules or "typing_extensions" in sys.modules:
        return
    sys.modules["typing_extensions"] = None  # type: ignore[assignment]  # (an import of it fails)
    try:
        import msgspec  # noqa: F401
    finally:
        del sys.modules["typing_extensions"]


def main() -> None:
    """Run the CLI under the process policy, then leave without tearing down the heap.

    A command has finished all its work (archive writes are fsynced and renamed, the lock
    released) when the app returns; freeing a parsed 100k-bulletin archive object by object
    would only add ~50 ms to every run. Output streams are flushed first.
    """
    short_lived_process()
    from .cli import app

    code: int | str | None = 0
    try:
        app(prog_name="whrd")
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):  # sys.exit("message") convention
        sys.stderr.write(code + "\n")
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `whrd list | head`: the reader left; nothing more to say
        pass
    os._exit(code or 0)


if __name__ == "__main__":
    main()
