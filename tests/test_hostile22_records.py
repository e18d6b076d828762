"""Hostile review 22: records became msgspec Structs (95ffa05, 58df9c3). What a dataclass did that a
Struct may not: a deep `asdict`, `replace` running `__init__`, `__dict__` for undeclared
attributes, shared mutable defaults, pickling across `workers.fork_map`, equality and hashing.
Each expectation is written out by hand (or read from the input itself), never from the code
under test."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Run
from whrd_cli.formats import Location
from whrd_cli.formats.reading import Record, pack, unpack
from whrd_cli.links_model import Links
from whrd_cli.model import Bulletin
from whrd_cli.records import to_bulletin

U1 = "0123456789abcdef0123456789abcdef"
U2 = "fedcba9876543210fedcba9876543210"
U3 = "00000000000000000000000000000003"


def _linked(**more: Any) -> Bulletin:
    return Bulletin.create(
        title="Amenazas contra una defensora del agua en Olancho",
        date="2024-05-03",
        countries=["HN"],
        lang="es",
        tags=["AlertaDefensoras"],
        uid=U1,
        links={"translations": [U2], "follows": U3, "followup": "threat", "closes": True},
        **more,
    )


def test_with_changes_keeps_a_bulletins_links_whole() -> None:
    """`asdict` is shallow now: the Links travels as an object through `create`, and must come out
    the same (what a deep dataclasses.asdict turned into a dict and back)."""
    changed = _linked().with_changes(summary="La red denuncia nuevas amenazas.", tags=["Olancho"])
    assert changed.links == Links((U2,), U3, "threat", True)
    assert changed.summary == "La red denuncia nuevas amenazas."
    assert changed.tags == ("Olancho",)
    assert changed.with_changes(links=None).links is None


def test_with_changes_normalises_links_read_from_the_store_as_before() -> None:
    # A stored bulletin whose links were written by hand or by another client: its own uid listed,
    # the other in upper case. `to_bulletin` trusts the store; `with_changes` validated them.
    raw = {"title": "Threats in Olancho", "date": "2024-05-03", "lang": "en", "uid": U1}
    raw["links"] = {"translations": [U2.upper(), U1]}
    changed = to_bulletin(raw).with_changes(summary="New threats.")
    assert changed.links == Links((U2,))


def test_edit_of_a_hand_linked_bulletin_stores_its_links_normalised(
    run: Run, db: Path, add: Callable[..., int]
) -> None:
    add("Threats against a water defender in Olancho", "2024-05-03", "-c", "HN", "-l", "en")
    add("Amenazas contra una defensora del agua en Olancho", "2024-05-03", "-c", "HN", "-l", "es")
    run.ok("link", "--translation", "1", "2")
    data = json.loads(db.read_text(encoding="utf-8"))
    table = data["bulletins"]
    own, other = table["1"]["uid"], table["2"]["uid"]
    table["1"]["links"] = {"translations": [other.upper(), own]}  # as a hand edit leaves it
    db.write_text(json.dumps(data), encoding="utf-8")
    run.ok("edit", "1", "--summary", "The network warns of threats.")
    assert json.loads(db.read_text(encoding="utf-8"))["bulletins"]["1"]["links"] == {"translations": [other]}
    assert run("doctor").exit_code == 0


def test_stamped_keeps_fields_links_and_the_cached_key() -> None:
    b = _linked(summary="Resumen.")
    assert b.key  # cached in the instance's __dict__
    copy = b.stamped(added="2024-06-15T10:00:00Z", updated="2024-06-16T10:00:00Z")
    assert (copy.added, copy.updated) == ("2024-06-15T10:00:00Z", "2024-06-16T10:00:00Z")
    assert copy.__dict__ == {"key": b.key}
    assert (copy.title, copy.links, copy.tags, copy.uid) == (b.title, b.links, b.tags, b.uid)
    assert b.added is None  # the original is untouched


def test_pack_and_unpack_through_pickle_give_the_same_records() -> None:
    """What a forked reader sends: plain tuples (a Links inside) pickled, and made whole again."""
    records = [
        Record(Location("record", 1), _linked()),
        Record(Location("line", 9), Bulletin.create(title="Radio turns three", date="2017-01-26", lang="en")),
    ]
    sent = pickle.loads(pickle.dumps(pack((records, [])), protocol=pickle.HIGHEST_PROTOCOL))
    back, errors = unpack(sent)
    assert errors == []
    assert back == records
    assert [r.bulletin.__dict__["key"] for r in back] == [r.bulletin.key for r in records]
    assert back[0].bulletin.links == Links((U2,), U3, "threat", True)
    assert {r.bulletin for r in back} == {r.bulletin for r in records}  # hashable, equal


def test_equal_bulletins_are_one_in_a_set_whatever_their_cache() -> None:
    a, b = _linked(), _linked()
    assert a.key  # one has its key cached, the other not
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != _linked(summary="Otro.")


def test_mutable_defaults_are_not_shared() -> None:
    from whrd_cli.history import PurgeReport
    from whrd_cli.links_read import Thread

    first, second = PurgeReport(), PurgeReport()
    first.rewritten.append(Path("x"))
    assert second.rewritten == [] and second.removed == []
    assert Thread().steps is not Thread().steps


def test_a_record_struct_refuses_an_undeclared_attribute() -> None:
    """No code sets one (checked by reading every store of an attribute); a Struct says so loudly."""
    from whrd_cli.history import PurgeReport

    with pytest.raises(AttributeError):
        PurgeReport().extra = 1  # type: ignore[attr-defined]
