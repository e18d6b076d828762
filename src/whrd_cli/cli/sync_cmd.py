"""`whrd remote add|list|remove` and `whrd sync` (issue 18): options in, one call to
`whrd_cli.sync`, a summary line (or JSON) out. Logins are asked here, on a terminal, and handed
to `sync.remote_login`; they are never printed.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Annotated, Any

import typer

from ..errors import RemoteError
from ..i18n import _, ngettext
from . import common
from .common import RICH_HELP, fail, note, open_archive, print_json
from .localize import LocalizedCommand, LocalizedGroup
from .options import JsonOpt

app = typer.Typer(rich_markup_mode=RICH_HELP)
remote_app = typer.Typer(rich_markup_mode=RICH_HELP, cls=LocalizedGroup, no_args_is_help=True)
app.add_typer(remote_app, name="remote")


@remote_app.callback()
def remote() -> None:
    """The servers this archive syncs with (CouchDB, Cloudant, PouchDB Server databases).

    Example: whrd remote add hub https://couch.example.org:6984/network
    """


@remote_app.command("add", cls=LocalizedCommand)
def remote_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="A short name for the remote, such as hub.")],
    url: Annotated[
        str, typer.Argument(metavar="URL", help="The database's URL: https://host:port/database.")
    ],
    only_country: Annotated[
        list[str] | None,
        typer.Option("--only-country", help="Send only bulletins about this country. Repeatable."),
    ] = None,
    only_category: Annotated[
        list[str] | None,
        typer.Option("--only-category", help="Send only bulletins of this category. Repeatable."),
    ] = None,
    private: Annotated[
        bool, typer.Option("--private", help="Send private notes too (they stay here by default).")
    ] = False,
) -> None:
    """Add a remote; on a terminal, asks the user and password (kept outside the archive).

    The login is kept in credentials.json beside the config file (mode 0600), or read from
    ~/.netrc; a password written in the URL is moved there. What is sent can be narrowed with
    --only-country and --only-category; everything the server holds is received.

    Example: whrd remote add hub https://couch.example.org:6984/network --only-country HN
    """
    from ..dates import utc_stamp
    from ..sync.http import parse_url
    from ..sync.remote import Remote, add_remote, check_name
    from ..sync.remote_login import save_login

    check_name(name)
    endpoint, user, password = parse_url(url)
    flt = common.build_filter(
        country=only_country, category=only_category, tag=None, since=None, until=None, lang=None
    )
    in_url = password is not None
    if password is None and common.stdin_is_terminal():
        if user is None:
            user = (
                typer.prompt(
                    _("User name for {url} (empty: no login, or the one in ~/.netrc)").format(
                        url=endpoint.url
                    ),
                    default="",
                    show_default=False,
                    err=True,
                ).strip()
                or None
            )
        if user is not None:
            password = typer.prompt(
                _("Password of {user} at {host}").format(user=user, host=endpoint.host),
                hide_input=True,
                default="",
                show_default=False,
                err=True,
            )
    from datetime import datetime, timezone

    archive = open_archive(ctx)
    record = Remote(
        name=name,
        url=endpoint.url,
        countries=tuple(sorted(flt.countries)),
        categories=tuple(sorted(flt.categories)),
        private=private,
        added=utc_stamp(datetime.now(timezone.utc)),
    )
    add_remote(archive, record)
    message = _("Added the remote {name}: {url}.").format(name=name, url=endpoint.url)
    if user is not None and password is not None:
        kept = save_login(archive.stable_id(), name, user, password)
        if in_url:
            message += " " + _("The password in the URL was moved to {path} (only you can read it).").format(
                path=kept
            )
        else:
            message += " " + _("The login is kept in {path} (only you can read it).").format(path=kept)
    elif user is not None:  # a user in the URL, no password and no terminal to ask it: say so
        message += " " + _(
            "The user name {user} in the URL was not kept: without a terminal to ask the password, "
            "the login comes from ~/.netrc (or there is none)."
        ).format(user=user)
    note(message)


def _sends(remote: Any) -> str:
    from ..categories import category_name
    from ..i18n import language
    from ..render import countries_text

    parts = []
    if remote.countries:
        parts.append(countries_text(remote.countries))
    if remote.categories:
        parts.append(", ".join(category_name(c, language()) for c in remote.categories))
    return " · ".join(parts) if parts else _("everything")


@remote_app.command("list", cls=LocalizedCommand)
def remote_list(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """List the remotes: name, URL, what is sent, private notes, login, last sync.

    Example: whrd remote list
    """
    from ..render import local_time
    from ..sync.http import parse_url
    from ..sync.remote import read_tables, remotes_of
    from ..sync.remote_login import login_for

    archive = open_archive(ctx)
    remotes = remotes_of(read_tables(archive)) if archive.exists else []
    rows = []
    for item in remotes:
        try:
            login = login_for(archive.stable_id(), item.name, parse_url(item.url)[0].host)
        except Exception:  # a URL or credentials file that cannot be read: shown as no login
            login = None
        rows.append((item, login.source if login else None))
    if json_out:
        print_json(
            [
                {
                    "name": item.name,
                    "url": item.url,
                    "countries": list(item.countries),
                    "categories": list(item.categories),
                    "private": item.private,
                    "login": source,
                    "last_sync": item.last_sync,
                }
                for item, source in rows
            ]
        )
        return
    if not rows:
        note(_("No remotes yet; add one with 'whrd remote add NAME URL'."))
        return
    logins = {"file": _("kept"), "netrc": "~/.netrc", None: _("none")}
    yes, no = _("yes"), _("no")
    if not common.is_terminal():
        for item, source in rows:
            fields = [item.name, item.url, _sends(item), yes if item.private else no, logins[source]]
            typer.echo("\t".join([*fields, item.last_sync or "-"]))
        return
    from rich.table import Table
    from rich.text import Text

    from ..render import make_console

    table = Table(header_style="whrd.heading")
    for header in (_("Name"), _("URL"), _("Sends"), _("Private notes"), _("Login"), _("Last sync")):
        table.add_column(header)
    for item, source in rows:
        cells = [item.name, item.url, _sends(item), yes if item.private else no, logins[source]]
        when = local_time(item.last_sync) if item.last_sync else _("never")
        table.add_row(*(Text(c) for c in cells), Text(when))
    make_console().print(table)


@remote_app.command("remove", cls=LocalizedCommand)
def remote_remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME", help="The remote's name.")]
) -> None:
    """Forget a remote, its checkpoints here and its kept login (the server is not touched).

    Example: whrd remote remove hub
    """
    from ..sync.remote import remove_remote
    from ..sync.remote_login import forget_login

    archive = open_archive(ctx)
    if not archive.exists:
        message = _("The archive has no remote named {name!r}; add one with 'whrd remote add NAME URL'.")
        fail(message.format(name=name))
    gone = remove_remote(archive, name)
    forget_login(archive.stable_id(), name)
    note(_("Removed the remote {name} ({url}).").format(name=gone.name, url=gone.url))


@app.command(cls=LocalizedCommand)
def sync(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(metavar="NAME", help="The remote to sync with (default: every remote).")
    ] = None,
    pull_only: Annotated[bool, typer.Option("--pull-only", help="Only receive.")] = False,
    push_only: Annotated[bool, typer.Option("--push-only", help="Only send.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would move; write nothing on either side.")
    ] = False,
    json_out: JsonOpt = False,
    batch_size: Annotated[int | None, typer.Option("--batch-size", min=1, hidden=True)] = None,
) -> None:
    """Sync with a remote: receive what it has that this archive lacks, then send what it lacks.

    Resumable (a sync cut short goes on from its last checkpoint) and idempotent (a second sync
    moves nothing). Bulletins edited on both sides keep both versions: the same one wins
    everywhere and 'whrd conflicts' lists them. An encrypted archive sends only ciphertext.

    Example: whrd sync hub
    """
    from ..sync.http import CouchClient, parse_url
    from ..sync.remote import get_remote, read_tables, remotes_of
    from ..sync.remote_login import login_for
    from ..sync.replicate import sync as run_sync

    if pull_only and push_only:
        fail(_("--pull-only and --push-only exclude each other; give at most one."))
    archive = open_archive(ctx)
    tables = read_tables(archive) if archive.exists else {}
    targets = [get_remote(tables, name)] if name is not None else remotes_of(tables)
    if not targets:
        fail(_("The archive has no remotes yet; add one with 'whrd remote add NAME URL'."))
    results: list[dict[str, Any]] = []
    failed: list[str] = []
    for target in targets:
        endpoint = parse_url(target.url)[0]
        login = login_for(archive.stable_id(), target.name, endpoint.host)
        user, password = (login.user, login.password) if login else (None, None)
        try:
            with (
                CouchClient(endpoint, user=user, password=password) as client,
                _progress(target.name) as progress,
            ):
                result = run_sync(
                    archive,
                    target,
                    client,
                    pull=not push_only,
                    push=not pull_only,
                    dry_run=dry_run,
                    batch_size=batch_size,
                    on_progress=progress,
                )
        except RemoteError as exc:
            if len(targets) == 1:  # one remote (named or the only one): the usual single line
                raise
            # One server down must not keep the others from syncing: say it, go on, exit 5 at the end.
            failed.append(target.name)
            results.append({"remote": target.name, "url": target.url, "error": exc.message})
            if not json_out:
                note(f"{target.name}: {exc.message}")
            continue
        results.append(result.to_dict())
        if not json_out:
            for line in summary_lines(result):
                note(line)
    if json_out:
        print_json(results if name is None else results[0])
    if failed:
        raise RemoteError(
            _("{n} of {total} remotes could not be synced: {names}.").format(
                n=len(failed), total=len(targets), names=", ".join(failed)
            )
        )


@contextlib.contextmanager
def _progress(name: str) -> Iterator[Any]:
    """A transient progress display on stderr, on a terminal only."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    from ..render import make_console

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=make_console(stderr=True), transient=True) as bar:
        tasks: dict[str, Any] = {}
        labels = {
            "pull": _("Receiving from {name}").format(name=name),
            "push": _("Sending to {name}").format(name=name),
        }

        def update(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(labels.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update


def summary_lines(result: Any) -> list[str]:
    """The one summary line (`hub: 12 received, 3 sent, 1 conflict.`), then a line per thing
    that needs a look: documents skipped, sealed ones this archive cannot open, refusals."""
    from ..render import quantity

    pull, push = result.pull, result.push
    received = pull.received - len(pull.skipped) if pull else 0
    sent = push.sent if push else 0
    conflicts = len(pull.conflicts) if pull else 0
    if result.dry_run:
        counts = _("would receive {received}, would send {sent}").format(
            received=quantity(received), sent=quantity(sent)
        )
    else:
        counts = _("{received} received, {sent} sent").format(
            received=quantity(received), sent=quantity(sent)
        )
    if conflicts:
        counts += ", " + ngettext("{n} conflict", "{n} conflicts", conflicts).format(n=quantity(conflicts))
    line = f"{result.remote}: {counts}."
    if result.dry_run:
        line += " " + _("(Dry run: nothing was written on either side.)")
    lines = [line]
    if conflicts:
        lines.append(_("See them with 'whrd conflicts'; keep one version with 'whrd resolve ID'."))
    if pull and pull.sealed_skipped:
        lines.append(
            ngettext(
                "Warning: {n} document is sealed for keys this archive does not hold: skipped.",
                "Warning: {n} documents are sealed for keys this archive does not hold: skipped.",
                pull.sealed_skipped,
            ).format(n=quantity(pull.sealed_skipped))
        )
    if pull and pull.unsealed_skipped:
        lines.append(
            ngettext(
                "Warning: {n} document is not sealed, and this archive is encrypted: skipped "
                "(only what the network's keys sealed is taken in).",
                "Warning: {n} documents are not sealed, and this archive is encrypted: skipped "
                "(only what the network's keys sealed is taken in).",
                pull.unsealed_skipped,
            ).format(n=quantity(pull.unsealed_skipped))
        )
    if pull and pull.skipped:
        lines.append(
            ngettext(
                "Warning: {n} document received is not a valid bulletin: skipped (see --json).",
                "Warning: {n} documents received are not valid bulletins: skipped (see --json).",
                len(pull.skipped),
            ).format(n=quantity(len(pull.skipped)))
        )
    if push and push.rejected:
        lines.append(
            ngettext(
                "Warning: the server refused {n} revision (see --json).",
                "Warning: the server refused {n} revisions (see --json).",
                len(push.rejected),
            ).format(n=quantity(len(push.rejected)))
        )
    return lines
