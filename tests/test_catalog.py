"""The Spanish catalog is complete for the source as it is: every message has a translation that
is not fuzzy and keeps the message's placeholders, the compiled catalog is the .po compiled, and
nothing is marked for translation in a way the extractor cannot read."""

from __future__ import annotations

import gettext
import importlib.util
import string
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("babel", reason="Babel (the test extra) reads the .po catalogs")


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("whrd_i18n_tool", ROOT / "tools" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


TOOL = _tool()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_extractor_finds_the_interface() -> None:
    messages, _bad = TOOL.scan()
    ids = {message for message, _where, _line in messages}
    # one of each kind: a _() message, a help= text, a command docstring, a Click template
    assert "Error: {message}" in ids
    assert "Show the version." in ids
    assert any(isinstance(i, str) and i.startswith("Show the help of whrd") for i in ids)
    assert "No such option: {name}" in ids
    assert len(ids) > 100


def test_every_message_has_a_spanish_translation_that_is_not_fuzzy() -> None:
    problems = list(TOOL.problems("es"))
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} in all: run tools/i18n.py)"


def test_translations_keep_their_placeholders() -> None:
    wrong = []
    for message in TOOL.read("es"):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if any(_fields(ids[0]) != _fields(text) for text in strings):
            wrong.append(f"{ids[0]!r} -> {strings!r}")
    assert not wrong, "\n".join(wrong)


def test_the_compiled_catalog_is_the_po_compiled() -> None:
    with TOOL.mo_path("es").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    expected = {
        message.id: message.string
        for message in TOOL.read("es")
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }
    for msgid, msgstr in expected.items():
        assert compiled.gettext(msgid) == msgstr, f"es.mo is stale for {msgid!r}: run tools/i18n.py compile"


def test_the_extractor_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    import ast

    found = TOOL.Found()
    found.visit(ast.parse("_(f'{x} bulletins')\n_(name)\n_('Fine {x}').format(x=1)\n"))
    assert [line for line, _ in found.problems] == [1, 2]
    assert found.messages == [("Fine {x}", 3)]


def test_plurals_are_spanish_for_every_count() -> None:
    """Spanish plurals have as many forms as the catalog declares, so gettext never falls back to
    the English plural for n >= 2 (a form missing from the .mo is looked up in vain)."""
    with TOOL.mo_path("es").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    plurals = [m for m in TOOL.read("es") if isinstance(m.id, tuple) and m.string and all(m.string)]
    for message in plurals:
        singular, plural = message.id
        for n in (1, 2, 7, 1000, 1000000):
            assert compiled.ngettext(singular, plural, n) not in (singular, plural), (singular, n)
