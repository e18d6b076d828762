"""The gettext catalogs of whrd's interface: extract, update, merge, compile, check.

    python tools/i18n.py extract          # src -> src/whrd_cli/locale/whrd.pot
    python tools/i18n.py update           # whrd.pot -> es.po (new strings empty, changed ones fuzzy)
    python tools/i18n.py merge FILE.json  # {"English": "Español", ...} -> es.po
    python tools/i18n.py compile          # es.po -> es.mo (shipped in the wheel)
    python tools/i18n.py check            # exit 1 listing untranslated, fuzzy or stale strings
    python tools/i18n.py all              # extract, update, compile

What is a message: the first argument of `_()` and `N_()`, both of `ngettext()`, every literal
`help=` and `rich_help_panel=` (Typer options, arguments, commands), and the docstring of every
function that `@app.command` or `@app.callback` decorates (Typer's command help). Help texts are
kept as Click keeps them (`inspect.cleandoc`), so the look-up at run time finds them. Babel
reads and writes the .po and .mo files; this script only knows where whrd's strings are.
"""

from __future__ import annotations

import ast
import inspect
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "whrd_cli"
LOCALE = PACKAGE / "locale"
POT = LOCALE / "whrd.pot"
LANGUAGES = ("es",)
HELP_KEYWORDS = ("help", "rich_help_panel", "short_help", "epilog", "metavar")


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "whrd.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "whrd.mo"


class Found(ast.NodeVisitor):
    """The messages of one module, with their line numbers, and calls that cannot be extracted."""

    def __init__(self) -> None:
        self.messages: list[tuple[str | tuple[str, str], int]] = []
        self.problems: list[tuple[int, str]] = []

    def visit_Call(self, node: ast.Call) -> None:
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in ("_", "N_", "ngettext") and not isinstance(node.func, ast.Attribute):
            wanted = 2 if name == "ngettext" else 1
            texts = [_literal(arg) for arg in node.args[:wanted]]
            if len(texts) < wanted or any(text is None for text in texts):
                self.problems.append((node.lineno, f"{name}() needs literal text, not an expression"))
            elif name == "ngettext":
                self.messages.append(((texts[0], texts[1]), node.lineno))  # type: ignore[arg-type]
            else:
                self.messages.append((texts[0], node.lineno))  # type: ignore[arg-type]
        for keyword in node.keywords:
            if keyword.arg in HELP_KEYWORDS and (text := _literal(keyword.value)):
                self.messages.append((inspect.cleandoc(text), keyword.value.lineno))
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if any(_is_command_decorator(decorator) for decorator in node.decorator_list):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                self.messages.append((doc, node.lineno))
        self.generic_visit(node)


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_command_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return isinstance(target, ast.Attribute) and target.attr in ("command", "callback")


def scan() -> tuple[list[tuple[str | tuple[str, str], str, int]], list[str]]:
    """Every message of the package in source order, and every call that cannot be extracted."""
    messages: list[tuple[str | tuple[str, str], str, int]] = []
    problems: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found = Found()
        found.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        where = path.relative_to(ROOT).as_posix()
        messages += [(message, where, line) for message, line in found.messages if message]
        problems += [f"{where}:{line}: {problem}" for line, problem in found.problems]
    return messages, problems


def template() -> Catalog:
    catalog = Catalog(project="whrd", domain="whrd", charset="utf-8", fuzzy=False)
    messages, _problems = scan()
    for message, where, line in messages:
        catalog.add(message, locations=[(where, line)])
    return catalog


def extract() -> Catalog:
    pot = template()
    with POT.open("wb") as out:
        write_po(out, pot, width=100, omit_header=False, sort_output=False)
    return pot


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain="whrd", project="whrd", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain="whrd")


def write(lang: str, catalog: Catalog) -> None:
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=100, sort_output=False, ignore_obsolete=True)


def update(pot: Catalog) -> None:
    for lang in LANGUAGES:
        catalog = read(lang)
        catalog.update(pot, no_fuzzy_matching=False, update_header_comment=False)
        write(lang, catalog)


def merge(lang: str, translations: dict[str, str]) -> int:
    catalog = read(lang)
    done = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if not key or key not in translations:
            continue
        value = translations[key]
        if isinstance(message.id, tuple):
            # Spanish has three CLDR forms (one, many, other); [singular, plural] fills "many"
            # with the plural, as Spanish writes it ("1.000.000 de boletines" aside).
            forms = list(value) if isinstance(value, list) else [value, value]
            forms += [forms[-1]] * (catalog.num_plurals - len(forms))
            message.string = tuple(forms[: catalog.num_plurals])
        else:
            message.string = value
        message.flags.discard("fuzzy")
        done += 1
    write(lang, catalog)
    return done


def compile_all() -> None:
    for lang in LANGUAGES:
        catalog = read(lang)
        with mo_path(lang).open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)


def problems(lang: str) -> Iterator[str]:
    """What keeps the catalog of `lang` from being complete for the source as it is."""
    messages, bad_calls = scan()
    yield from bad_calls
    catalog = read(lang)
    for message, where, line in messages:
        entry = catalog.get(message if isinstance(message, str) else message[0])
        label = f"{where}:{line}: {message!r}"
        if entry is None or not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            yield f"{label} has no translation"
        elif isinstance(entry.string, tuple) and len(entry.string) != catalog.num_plurals:
            yield f"{label} has {len(entry.string)} plural forms, not {catalog.num_plurals}"
        elif entry.fuzzy:
            yield f"{label} is marked fuzzy"


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "all"
    if command == "extract":
        extract()
    elif command == "update":
        update(extract())
    elif command == "merge":
        translations = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        print(f"{merge('es', translations)} translations merged")
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = [problem for lang in LANGUAGES for problem in problems(lang)]
        print("\n".join(found) or "complete")
        return 1 if found else 0
    elif command == "all":
        update(extract())
        compile_all()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
