"""whrd config: show and change the settings of the config file (`config.py` reads and writes it).

`list` and `get` show the value in force and where it comes from (the command line, an
environment variable, the file, or whrd's default), so a person can see why a setting does not
take; `set` and `unset` change the file only, and say when something else wins over it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from msgspec import Struct

from ..errors import NotFoundError
from ..i18n import N_, _
from ..i18n import translate as t
from . import complete
from .common import RICH_HELP, note, print_json
from .complete import DB_AFTER_COMMAND
from .localize import LocalizedCommand, LocalizedGroup
from .options import JsonOpt

app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand
config_app = typer.Typer(cls=LocalizedGroup, rich_markup_mode=RICH_HELP, no_args_is_help=True)
app.add_typer(config_app, name="config")

KeyArg = Annotated[
    str,
    typer.Argument(
        metavar="KEY",
        help="locale, db, editor, export.format, export.base_url or list.limit.",
        show_default=False,
        autocompletion=complete.config_keys,
    ),
]

FILE, ENV, OPTION, DEFAULT = "file", "env", "option", "default"  # the sources, as --json writes them
SOURCE_WORDS = {FILE: N_("config file"), DEFAULT: N_("default")}


class Setting(Struct, frozen=True):
    """One key's value in force and where it comes from (`variable`: the option or variable)."""

    key: str
    value: Any
    source: str
    variable: str | None = None
    over_file: bool = True  # False: a system variable ($LANG), which the file's value would beat

    def to_dict(self) -> dict[str, Any]:
        found = {"value": self.value, "source": self.source}
        if self.variable:
            found[self.source] = self.variable
        return found

    def where(self) -> str:
        """Where the value comes from, for people: `config file`, `$WHRD_DB`, `--db`, `default`."""
        if self.source == ENV:
            return f"${self.variable}"
        if self.source == OPTION:
            return str(self.variable)
        return t(SOURCE_WORDS[self.source])


@config_app.callback()
def config() -> None:
    """Show and change the settings of the config file: language, archive, editor, export, list.

    Keys: locale (en or es, or a name such as español); db (the archive file); editor (a command
    line, such as "code --wait"); export.format (export's format when neither --format nor the
    --output extension says); export.base_url (where the Atom feed is published); list.limit (the
    rows 'whrd list' shows on a terminal; 50 by default). Command-line options win over environment variables
    (WHRD_LANG, WHRD_DB, VISUAL, EDITOR), which win over the file.

    'set' and 'unset' rewrite the file atomically and keep its comments, unless its layout cannot
    be edited line by line: then it is written afresh, without them.

    Example: whrd config set list.limit 100
    """


@config_app.command("list", cls=LocalizedCommand)
def list_(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Show every key, its value in force and where that comes from (file, environment, default).

    Example: whrd config list --json
    """
    found = settings(ctx)
    if json_:
        print_json({s.key: s.to_dict() for s in found})
        return
    rows = [(s.key, _shown(s.value), s.where()) for s in found]
    widths = [max(len(row[i]) for row in rows) for i in (0, 1)]
    sys.stdout.write(
        "".join(f"{k.ljust(widths[0])}  {v.ljust(widths[1])}  {w}".rstrip() + "\n" for k, v, w in rows)
    )


@config_app.command("get", cls=LocalizedCommand)
def get(ctx: typer.Context, key: KeyArg) -> None:
    """Print one key's value in force (stderr says when it is not the config file's).

    A key with no value at all (export.base_url by default) prints nothing and exits 1.

    Example: whrd config get db
    """
    from ..config import check_key

    check_key(key)
    found = next(s for s in settings(ctx) if s.key == key)
    if found.value is None:
        raise NotFoundError(_("{key} is not set.").format(key=key))
    typer.echo(_shown(found.value))
    if found.source == DEFAULT:
        note(_("{key} is not set in the config file: this is the default.").format(key=key))
    elif found.source != FILE and not found.over_file:
        note(
            _("{key} comes from {source}: the config file does not set it.").format(
                key=key, source=found.where()
            )
        )
    elif found.source != FILE:
        note(
            _("{key} comes from {source}, which wins over the config file.").format(
                key=key, source=found.where()
            )
        )


@config_app.command("set", cls=LocalizedCommand)
def set_(
    ctx: typer.Context,
    key: KeyArg,
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The key's new value.", show_default=False)],
) -> None:
    """Set a key in the config file; a bad value is refused and changes nothing.

    Example: whrd config set editor "code --wait"
    """
    from ..config import check_value, config_path, literal
    from ..config_edit import set_key

    path = config_path()
    checked = check_value(key, value, cwd=Path.cwd())
    set_key(path, key, checked)
    note(_("Set {key} = {value} in {path}.").format(key=key, value=literal(checked), path=path))
    found = next(s for s in settings(ctx) if s.key == key)
    if found.source in (ENV, OPTION):
        note(_("Note: {source} wins over the config file in this run.").format(source=found.where()))


@config_app.command("unset", cls=LocalizedCommand)
def unset(key: KeyArg) -> None:
    """Remove a key from the config file: its default applies again.

    Example: whrd config unset list.limit
    """
    from ..config import config_path
    from ..config_edit import unset_key

    path = config_path()
    if unset_key(path, key):
        note(_("Removed {key} from {path}.").format(key=key, path=path))
    else:
        note(_("{key} was not set in {path}; nothing changed.").format(key=key, path=path))


@config_app.command("reset", cls=LocalizedCommand)
def reset(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Set the config file aside, kept beside it as FILE.DATE.bak (never deleted), and start an empty one.

    The way out of a file that is not valid TOML, which no other 'config' verb can change: whrd's
    defaults apply again until you 'whrd config set' a key. Asks first on a terminal.

    Example: whrd config reset --yes
    """
    from datetime import datetime, timezone

    from ..config import config_path, read_file
    from ..config_edit import set_aside
    from .common import fail, stdin_is_terminal

    path = config_path()
    data = read_file(path)  # a folder or an unreadable file: said before anything is asked
    if data is None:
        note(_("There is no config file at {path}; nothing to set aside.").format(path=path))
        return
    if not data:
        note(_("The config file {path} is already empty; nothing to set aside.").format(path=path))
        return
    if not yes:
        if not stdin_is_terminal():
            fail(_("Refusing to reset the config file without confirmation: add --yes."))
        from .prompts import confirm

        if not confirm(
            _("Set {path} aside and start an empty config file?").format(path=path), default=False
        ):
            note(_("Nothing was changed."))
            raise typer.Exit(1)
    kept = set_aside(path, datetime.now(timezone.utc))
    if kept is None:  # gone while we asked
        note(_("There is no config file at {path}; nothing to set aside.").format(path=path))
        return
    note(
        _("Set the config file aside as {kept}; {path} is now empty, so whrd's defaults apply.").format(
            kept=kept, path=path
        )
    )


@config_app.command("path", cls=LocalizedCommand)
def path() -> None:
    """Print the config file's path: $WHRD_CONFIG, else the user config folder.

    Example: whrd config path
    """
    from ..config import config_path

    found = config_path()
    typer.echo(str(found))
    if not found.exists():
        note(_("The file does not exist yet; 'whrd config set' creates it."))


def settings(ctx: typer.Context) -> list[Setting]:
    """Every key's value in force, in the order of `config.KEYS`."""
    from ..config import config_path, load_config

    cfg = load_config(config_path())
    env = os.environ
    return [
        _locale(cfg.locale, env),
        _db(ctx, cfg.db, env),
        _editor(cfg.editor, env),
        Setting("export.format", cfg.export_format, FILE)
        if cfg.export_format
        else Setting("export.format", "md", DEFAULT),
        Setting("export.base_url", cfg.base_url, FILE if cfg.base_url else DEFAULT),
        _list_limit(cfg.list_limit),
    ]


def _locale(configured: str | None, env: Mapping[str, str]) -> Setting:
    from ..config import read_locale
    from ..i18n import DEFAULT_LOCALE, LOCALE_VARIABLES, choose, supported

    if env.get("WHRD_LANG", "").strip():
        return Setting("locale", choose(env, by_name=read_locale), ENV, "WHRD_LANG")
    if configured:
        return Setting("locale", configured, FILE)
    for variable in LOCALE_VARIABLES:  # as `i18n.choose` reads them, below the file
        value = env.get(variable, "").strip()
        if not value:
            continue
        if variable == "LANGUAGE":  # a list: es_MX:en; one naming no language whrd speaks is passed
            if any(supported(n) for n in value.split(":")):
                return Setting("locale", choose(env), ENV, variable, over_file=False)
            continue
        if supported(value):
            return Setting("locale", choose(env), ENV, variable, over_file=False)
        break  # the first one set decides, and C or fr_FR gives whrd's default
    return Setting("locale", DEFAULT_LOCALE, DEFAULT)


def _db(ctx: typer.Context, configured: Path | None, env: Mapping[str, str]) -> Setting:
    from .common import state

    root = ctx.find_root()
    if root.params.get("db") is not None or ctx.meta.get(DB_AFTER_COMMAND):
        return Setting("db", str(state(ctx).db), OPTION, "--db")
    if env.get("WHRD_DB"):
        return Setting("db", str(Path(env["WHRD_DB"]).expanduser()), ENV, "WHRD_DB")
    if configured:
        return Setting("db", str(configured), FILE)
    from platformdirs import user_data_path

    return Setting("db", str(user_data_path("whrd", appauthor=False) / "archive.json"), DEFAULT)


def _editor(configured: str | None, env: Mapping[str, str]) -> Setting:
    import shutil

    from .editor import FALLBACK_EDITORS

    for variable in ("VISUAL", "EDITOR"):
        if env.get(variable):
            return Setting("editor", env[variable], ENV, variable)
    if configured:
        return Setting("editor", configured, FILE)
    return Setting("editor", next(filter(None, map(shutil.which, FALLBACK_EDITORS)), None), DEFAULT)


def _list_limit(configured: int | None) -> Setting:
    from .browse import TERMINAL_ROWS

    return (
        Setting("list.limit", configured, FILE)
        if configured
        else Setting("list.limit", TERMINAL_ROWS, DEFAULT)
    )


def _shown(value: Any) -> str:
    return _("(none)") if value is None else str(value)
