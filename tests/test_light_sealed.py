"""The light read of a big encrypted archive (`storage.light_sealed`): a child decrypts while this
process parses the bulletins table in segments. What it gives must be what one parse of the
whole plain text gives (`light._read_keys`, and `json.loads` for the keys), whatever the titles
hold and whichever tables come after the bulletins; anything it cannot read so is None (the
plain read then reports it), with no child left behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pyrage
import pytest
from pyrage import x25519

from processes import children
from whrd_cli import workers
from whrd_cli.storage import light, light_sealed, names


@pytest.fixture(autouse=True)
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments and reports of a few hundred bytes, so that small archives have many of each."""
    monkeypatch.setattr(light_sealed, "_SEGMENT", 300)
    monkeypatch.setattr(light_sealed, "_STEP", 200)
    monkeypatch.setattr(workers, "cores", lambda: 2)


def _bulletin(n: int) -> dict[str, Any]:
    titles = [
        f"Boletín {n}",
        f'Quoted ,"{n + 1}":{{"title": inside a title',  # the text between two members, escaped
        "Defensoras \\ backslash \\\\ and } braces {",
        "ñandú — “comillas” \u2028 línea",
    ]
    raw: dict[str, Any] = {"title": titles[n % len(titles)], "date": "2024-01-02", "lang": "es"}
    if n % 3 == 0:
        raw["links"] = {"translations": [f"u{n}", f"v{n}"], "follows": f"w{n}"}
    if n % 5:
        raw["uid"] = f"{n:032x}"
    raw["_key"] = f"2024-01-02|es|k{n}"
    return raw


def _tables(count: int, *, order: str = "meta-first", journal: int = 3) -> dict[str, Any]:
    bulletins = {str(n): _bulletin(n) for n in range(1, count + 1)}
    meta = {"1": {"app": "whrd", "schema": 2, "next_id": count + 1}}
    journal_table = {str(n): {"op": "import", "ids": list(range(n * 5))} for n in range(1, journal + 1)}
    if order == "meta-first":
        return {"meta": meta, "bulletins": bulletins, "journal": journal_table}
    return {"bulletins": bulletins, "journal": journal_table, "meta": meta}


def _read(identity: x25519.Identity, ciphertext: bytes) -> Any:
    return light_sealed.read_keys(identity, ciphertext, light.PartialBulletin, light.PartialTable)


def _spied(used: list[bool], got: Any) -> Any:
    """Record whether the overlapped read gave a result (not None: no fallback), and pass it on."""
    used.append(got is not None)
    return got


def _encrypted(tables: dict[str, Any]) -> tuple[x25519.Identity, bytes, bytes]:
    identity = x25519.Identity.generate()
    plain = orjson.dumps(tables)
    return identity, pyrage.encrypt(plain, [identity.to_public()]), plain


@pytest.mark.parametrize(
    ("count", "order", "journal"),
    [
        (0, "meta-first", 0),
        (1, "meta-first", 3),
        (40, "meta-first", 3),
        (400, "meta-first", 30),
        (60, "bulletins-first", 5),
    ],
)
def test_what_it_reads_is_one_parse_of_the_whole(count: int, order: str, journal: int) -> None:
    identity, ciphertext, plain = _encrypted(_tables(count, order=order, journal=journal))
    before = children()
    got = _read(identity, ciphertext)
    assert children() == before
    assert got is not None
    tables, encoded = got
    oracle_tables, oracle_encoded = light._read_keys(plain)
    assert oracle_tables is not None and oracle_encoded is not None
    assert list(tables) == list(oracle_tables) == list(json.loads(plain))
    for name in oracle_tables:
        assert bytes(encoded[name]) == bytes(oracle_encoded[name]), name
        assert list(tables[name].items()) == list(oracle_tables[name].items()), name
    keys = {
        n: {"_key": b.get("_key"), "uid": b.get("uid")} for n, b in json.loads(plain)["bulletins"].items()
    }
    assert {n: {"_key": b.get("_key"), "uid": b.get("uid")} for n, b in tables["bulletins"].items()} == keys
    assert isinstance(tables["bulletins"], light.PartialTable)


def test_a_damaged_file_is_none_and_leaves_no_child() -> None:
    identity, ciphertext, _plain = _encrypted(_tables(200))
    before = children()
    assert _read(identity, ciphertext[: len(ciphertext) // 2]) is None
    assert _read(x25519.Identity.generate(), ciphertext) is None  # not its identity
    assert children() == before


def test_a_layout_whrd_does_not_write_is_none() -> None:
    for tables in ({"meta": {"1": {}}}, {"meta": {"1": {"bulletins": {"1": {}}}}, "other": {}}):
        identity, ciphertext, _plain = _encrypted(tables)
        assert _read(identity, ciphertext) is None


def test_an_encrypted_add_read_so_writes_the_stored_bytes_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the store: the add's file decrypts to the old plain text with the new bulletin
    appended, every stored bulletin's bytes as they were (the light write keeps them)."""
    from whrd_cli.crypto import convert, keys
    from whrd_cli.model import Bulletin
    from whrd_cli.store import Archive

    path = tmp_path / "a.json"
    Archive(path).add_many(
        [
            Bulletin.create(title=_bulletin(n)["title"].replace("\u2028", " "), date="2024-01-02")
            for n in range(1, 90)
        ]
    )
    convert.encrypt_archive(path, "a passphrase of five words")
    identity = keys.identity_for(path)
    old = pyrage.decrypt(path.read_bytes(), [identity])
    monkeypatch.setattr(light_sealed, "APART", 1000)
    used: list[bool] = []
    real = light_sealed.read_keys
    monkeypatch.setattr(light_sealed, "read_keys", lambda *a: _spied(used, real(*a)))
    Archive(path).add(Bulletin.create(title="Appended", date="2024-03-04", lang="en"))
    assert used == [True]  # read as the child decrypted, no fallback
    new = json.loads(pyrage.decrypt(path.read_bytes(), [identity]))
    was = json.loads(old)
    assert list(new["bulletins"])[:-1] == list(was["bulletins"])
    assert [b for b in new["bulletins"].values()][:-1] == list(was["bulletins"].values())
    assert list(new["bulletins"].values())[-1]["title"] == "Appended"
    table = old[old.index(b'"bulletins":') + len(b'"bulletins":') :]
    stored = table[: table.index(b"}},") + 1]  # every stored bulletin's bytes but the table's `}`
    assert stored in pyrage.decrypt(path.read_bytes(), [identity])


def test_big_ciphertext_is_left_in_its_file_and_a_failed_fast_read_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From `APART` on, the ciphertext is left in its file (the child and the hash read it in
    pieces); plain text and small ciphertext are read whole. When the fast read gives up, the mapped bytes are
    decrypted the plain way, and the add still lands."""

    from whrd_cli.crypto import convert, keys
    from whrd_cli.model import Bulletin
    from whrd_cli.store import Archive

    path = tmp_path / "a.json"
    Archive(path).add_many([Bulletin.create(title=f"Defensora {n}", date="2024-01-02") for n in range(40)])
    assert isinstance(light._read(path), bytes)  # plain
    convert.encrypt_archive(path, "a passphrase of five words")
    assert isinstance(light._read(path), bytes)  # small ciphertext
    monkeypatch.setattr(light_sealed, "APART", 1000)
    monkeypatch.setattr(names, "MAPPED", 1000)
    sealed = light._read(path)
    assert isinstance(sealed, names.Sealed) and sealed[:] == path.read_bytes()
    assert b"".join(sealed.pieces()) == path.read_bytes() == sealed.reader().read()
    monkeypatch.setattr(light_sealed, "read_keys", lambda *a: None)  # the fast read gives up
    Archive(path).add(Bulletin.create(title="Appended", date="2024-03-04", lang="en"))
    plain = json.loads(pyrage.decrypt(path.read_bytes(), [keys.identity_for(path)]))
    assert [b["title"] for b in plain["bulletins"].values()][-1] == "Appended"
    assert len(plain["bulletins"]) == 41


def test_a_whole_read_of_a_big_encrypted_archive_is_one_parse_of_its_plain_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check.load_archive_file` of big ciphertext parses as a child decrypts: the same tables, in
    the same order, as `json.loads` of what age decrypts; `seen` hashes the ciphertext once; a
    damaged file is still the plain read's clean error."""
    from whrd_cli.crypto import convert, keys
    from whrd_cli.errors import ArchiveError
    from whrd_cli.model import Bulletin
    from whrd_cli.storage import check
    from whrd_cli.store import Archive

    path = tmp_path / "a.json"
    Archive(path).add_many(
        [Bulletin.create(title=f'«{n}» ,"1":{{', date="2024-01-02", summary="ñ" * n) for n in range(60)]
    )
    Archive(path).update(3, {"summary": "editada"})  # a history table after the bulletins
    convert.encrypt_archive(path, "a passphrase of five words")
    ciphertext = path.read_bytes()
    oracle = json.loads(pyrage.decrypt(ciphertext, [keys.identity_for(path)]))
    monkeypatch.setattr(light_sealed, "APART", 1000)
    monkeypatch.setattr(names, "MAPPED", 1000)  # left in its file, not read
    used: list[bool] = []
    real = light_sealed.read_keys
    monkeypatch.setattr(light_sealed, "read_keys", lambda *a: _spied(used, real(*a)))
    seen: list[bytes] = []
    got = check.load_archive_file(path, seen=lambda data: seen.append(bytes(data[:])))
    assert used == [True] and got == oracle
    assert list(got) == list(oracle) and list(got["bulletins"]) == list(oracle["bulletins"])
    assert seen == [ciphertext]
    path.write_bytes(ciphertext[: len(ciphertext) - 40])  # truncated: the child fails, age says so
    with pytest.raises(ArchiveError):
        check.load_archive_file(path)
