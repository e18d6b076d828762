"""Field and word changes between two versions of a bulletin (what `history` and `undo` show).

Oracles: a word diff must rebuild both texts (the kept and dropped words give the old text, the
kept and added words the new), and hand-written examples say which words changed.
"""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from whrd_cli.changes import field_changes, plain_words, word_diff

WORDS = st.lists(st.sampled_from(["la", "defensora", "Berta", "río", ",", " ", "  ", "\n", "2024", "¿", "?"]))


@given(WORDS, WORDS)
def test_a_word_diff_rebuilds_both_texts(old: list[str], new: list[str]) -> None:
    before, after = "".join(old), "".join(new)
    segments = word_diff(before, after)
    assert "".join(text for kind, text in segments if kind in "=-") == before
    assert "".join(text for kind, text in segments if kind in "=+") == after
    assert all(a[0] != b[0] for a, b in pairwise(segments))  # one kind never twice in a row
    assert all(text for _kind, text in segments)


def test_only_the_changed_words_are_marked() -> None:
    segments = word_diff("Defensora detenida en Tegucigalpa", "Defensora liberada en Tegucigalpa")
    assert segments == (("=", "Defensora "), ("-", "detenida"), ("+", "liberada"), ("=", " en Tegucigalpa"))
    assert plain_words(segments) == "Defensora [-detenida-]{+liberada+} en Tegucigalpa"


def test_a_comma_is_not_a_whole_word() -> None:
    segments = word_diff("Berta, Honduras", "Berta; Honduras")
    assert segments == (("=", "Berta"), ("-", ","), ("+", ";"), ("=", " Honduras"))


def test_field_changes_name_each_field_in_order() -> None:
    before = {"title": "Alerta", "date": "2024-01-02", "countries": ["HN"], "tags": ["a"], "private": "x"}
    after = {"title": "Alerta urgente", "date": "2024-01-02", "countries": ["HN", "GT"], "truncated": True}
    changes = field_changes(before, after)
    assert [c.field for c in changes] == ["title", "countries", "truncated", "tags"]
    title, countries, truncated, tags = (c.to_dict() for c in changes)
    assert title["words"] == [["=", "Alerta"], ["+", " urgente"]]
    assert countries["added"] == ["GT"] and countries["removed"] == []
    assert truncated == {"field": "truncated", "before": False, "after": True}
    assert tags["removed"] == ["a"] and tags["after"] == []
    assert [c.field for c in field_changes(before, after, private=True)][-1] == "private"


def test_an_add_and_a_delete_compare_with_nothing() -> None:
    raw = {"title": "T", "date": "2020-01-01", "summary": ""}
    assert [c.field for c in field_changes(None, raw)] == ["title", "date"]
    assert [(c.before, c.after) for c in field_changes(raw, None)] == [("T", None), ("2020-01-01", None)]
    assert field_changes(raw, dict(raw)) == []
