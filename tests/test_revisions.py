"""Revision ids and hand-built revision trees, checked against oracles written out here: digests of
byte strings typed by hand (never the module's encoder), and the winners CouchDB documents
("the revision with the longest history wins; on a tie, the greater _rev in ASCII order; a
non-deleted leaf beats a deleted one": docs.couchdb.org, Replication and conflict model)."""

from __future__ import annotations

import hashlib
import json

import pytest

from whrd_cli.revisions import RevisionError, new_rev, parse_rev
from whrd_cli.revisions_tree import Leaf, RevTree


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


# -- new_rev: the documented encoding, reproduced from hand-written bytes ---------------------


@pytest.mark.parametrize(
    ("parent", "body", "deleted", "payload"),
    [
        (None, {"title": "Defensora"}, False, b'[null,false,{"title":"Defensora"}]'),
        (None, {"b": 1, "a": 2}, False, b'[null,false,{"a":2,"b":1}]'),
        (None, {"z": {"y": 1, "x": [2, {"d": 1, "c": 0}]}}, False,
         b'[null,false,{"z":{"x":[2,{"c":0,"d":1}],"y":1}}]'),
        (None, {"t": "Se\u00f1ora \u201cM\u201d"}, False,
         '[null,false,{"t":"Se\u00f1ora \u201cM\u201d"}]'.encode()),
        ("1-abc", {}, True, b'["1-abc",true,{}]'),
        ("9-00ff", {"n": None, "ok": True, "f": 0.5}, False,
         b'["9-00ff",false,{"f":0.5,"n":null,"ok":true}]'),
        ("2-x", {"q": "a\"b\\c\nd"}, False, b'["2-x",false,{"q":"a\\"b\\\\c\\nd"}]'),
    ],
)  # fmt: skip
def test_new_rev_is_the_md5_of_the_documented_bytes(
    parent: str | None, body: dict, deleted: bool, payload: bytes
) -> None:
    depth = 1 if parent is None else int(parent.split("-")[0]) + 1
    assert new_rev(parent, body, deleted) == f"{depth}-{md5(payload)}"


def test_new_rev_matches_an_encoder_written_out_here() -> None:
    body = {"countries": ["HN", "GT"], "title": "Amenaza a defensora", "tags": ["#WHRD"], "id": 7}
    payload = json.dumps(
        ["4-" + "a" * 32, False, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert new_rev("4-" + "a" * 32, body, False) == "5-" + md5(payload)


def test_new_rev_golden_vector() -> None:
    # A fixed vector for other implementations (issue 18), its md5 taken with `md5sum`.
    assert new_rev(None, {"a": 1}, False) == "1-" + md5(b'[null,false,{"a":1}]')
    assert md5(b'[null,false,{"a":1}]') == "30c5b7b048f1addbda10171ea7470f8b"


def test_new_rev_depends_on_parent_deleted_and_body() -> None:
    revs = {
        new_rev(None, {"a": 1}, False),
        new_rev(None, {"a": 1}, True),
        new_rev(None, {"a": 2}, False),
        new_rev("1-x", {"a": 1}, False),
        new_rev("1-y", {"a": 1}, False),
    }
    assert len(revs) == 5


@pytest.mark.parametrize(
    "body", [{"_rev": "1-a"}, {"_revisions": {}}, {"f": float("nan")}, {"s": "\ud800"}, {"o": {1}}]
)
def test_new_rev_refuses_what_it_cannot_hash(body: dict) -> None:
    with pytest.raises(RevisionError) as info:
        new_rev(None, body, False)
    assert info.value.kind == "bad_body"


@pytest.mark.parametrize(
    ("rev", "parsed"), [("1-a", (1, "a")), ("10-ff00", (10, "ff00")), ("3-a-b", (3, "a-b"))]
)
def test_parse_rev(rev: str, parsed: tuple[int, str]) -> None:
    assert parse_rev(rev) == parsed


@pytest.mark.parametrize("rev", ["", "1", "1-", "-a", "0-a", "01-a", "x-a", "1-a b", "٣-a", 3, None])
def test_parse_rev_refuses(rev: object) -> None:
    with pytest.raises(RevisionError) as info:
        parse_rev(rev)
    assert info.value.kind == "malformed"


# -- winners, as CouchDB documents them --------------------------------------------------------


def tree(*paths: tuple[int, list[str], bool]) -> RevTree:
    """Merge `_revisions`-style paths (start, ids newest first, deleted)."""
    result = RevTree()
    for start, ids, deleted in paths:
        result = result.merge(start, ids, deleted=deleted)
    return result


def test_longest_history_wins() -> None:
    t = tree((3, ["c", "b", "a"], False), (2, ["z", "a"], False))
    assert t.winner() == "3-c"
    assert t.conflicts() == ["2-z"]


def test_on_a_tie_the_greater_rev_in_ascii_order_wins() -> None:
    t = tree((2, ["B", "a"], False), (2, ["a", "a"], False), (2, ["9", "a"], False))
    assert t.winner() == "2-a"  # 'a' (0x61) > 'B' (0x42) > '9' (0x39)
    assert t.conflicts() == ["2-B", "2-9"]


def test_the_example_of_couchdbs_conflict_documentation() -> None:
    # "2-de0ea16f8621cbac506d23a0fbbde08a beats 2-7c971bb974251ae8541b8fe045964219"
    # (docs.couchdb.org, Replication and conflict model)
    t = tree((2, ["7c971bb974251ae8541b8fe045964219", "r1"], False))
    t = t.merge(2, ["de0ea16f8621cbac506d23a0fbbde08a", "r1"])
    assert t.winner() == "2-de0ea16f8621cbac506d23a0fbbde08a"
    assert t.conflicts() == ["2-7c971bb974251ae8541b8fe045964219"]


def test_position_compares_as_a_number_not_as_text() -> None:
    ids = [f"h{i}" for i in range(10, 0, -1)]
    t = tree((10, ids, False), (2, ["zz", "h1"], False))
    assert t.winner() == "10-h10"  # "2-zz" > "10-h10" as text, but 10 > 2


def test_a_live_leaf_beats_a_deeper_tombstone() -> None:
    t = tree((4, ["d", "c", "b", "a"], True), (2, ["x", "a"], False))
    assert t.winner() == "2-x"
    assert t.conflicts() == []
    assert t.deleted_conflicts() == ["4-d"]


def test_when_every_leaf_is_deleted_the_deepest_tombstone_wins() -> None:
    t = tree((3, ["c", "b", "a"], True), (2, ["x", "a"], True))
    assert t.winner() == "3-c"
    assert t.is_deleted("3-c")
    assert [leaf.deleted for leaf in t.leaves()] == [True, True]


def test_leaves_are_listed_in_couchdb_order() -> None:
    t = tree(
        (2, ["b", "a"], False),
        (3, ["d", "c", "a"], True),
        (2, ["e", "a"], False),
        (4, ["g", "f", "c", "a"], False),
    )
    assert [leaf.rev for leaf in t.leaves()] == ["4-g", "2-e", "2-b", "3-d"]


def test_empty_tree() -> None:
    t = RevTree()
    assert (t.winner(), t.leaves(), t.conflicts(), t.to_json(), len(t)) == (None, [], [], [], 0)


# -- local edits --------------------------------------------------------------------------------


def test_edits_chain_from_the_winner() -> None:
    t, r1 = RevTree().edit({"title": "uno"})
    t, r2 = t.edit({"title": "dos"})
    t, r3 = t.edit({}, deleted=True)
    assert r1 == "1-" + md5(b'[null,false,{"title":"uno"}]')
    assert r2 == "2-" + md5(f'["{r1}",false,{{"title":"dos"}}]'.encode())
    assert r3 == "3-" + md5(f'["{r2}",true,{{}}]'.encode())
    assert t.history(r3) == [r3, r2, r1]
    assert t.leaves() == [Leaf(r3, True, True)]
    t, r4 = t.edit({"title": "tres"})  # re-creating a deleted bulletin edits its tombstone
    assert t.parent(r4) == r3 and t.winner() == r4


def test_an_edit_of_a_given_leaf_extends_that_branch() -> None:
    t = tree((2, ["b", "a"], False), (2, ["c", "a"], False))
    assert (t.winner(), t.conflicts()) == ("2-c", ["2-b"])
    t, r3 = t.edit({"v": 3}, parent="2-b")  # resolve towards the losing branch
    assert r3 == "3-" + md5(b'["2-b",false,{"v":3}]')
    assert (t.winner(), t.conflicts()) == (r3, ["2-c"])
    t, r3c = t.edit({}, deleted=True, parent="2-c")  # and close the other one
    assert (t.winner(), t.conflicts(), t.deleted_conflicts()) == (r3, [], [r3c])


def test_add_refuses_edits_that_couchdb_would_refuse() -> None:
    t = tree((2, ["b", "a"], False))
    cases = [
        ("3-c", "1-a", "not_leaf"),  # 1-a already has a child
        ("3-c", "2-zz", "unknown"),
        ("2-b", "1-a", "exists"),
        ("4-c", "2-b", "not_leaf"),  # not the next position
        ("1-n", None, "not_leaf"),  # a first version only in an empty tree
    ]
    for rev, parent, kind in cases:
        with pytest.raises(RevisionError) as info:
            t.add(rev, parent=parent)
        assert info.value.kind == kind, (rev, parent)
    with pytest.raises(RevisionError):
        RevTree().add("2-a", parent=None)


def test_trees_are_immutable() -> None:
    t = tree((1, ["a"], False))
    before = t.to_json()
    t.merge(2, ["b", "a"])
    t.edit({"x": 1})
    t.stem(1)
    t.purge(["1-a"])
    t.drop_bodies(["1-a"])
    assert t.to_json() == before


# -- paths, bodies, revs_diff ------------------------------------------------------------------


def test_path_is_revisions_as_couchdb_sends_it() -> None:
    t = tree((3, ["c", "b", "a"], False), (2, ["x", "a"], False))
    assert t.path("3-c") == {"start": 3, "ids": ["c", "b", "a"]}
    assert t.path("2-x") == {"start": 2, "ids": ["x", "a"]}
    assert tree((5, ["e", "d"], False)).path("5-e") == {"start": 5, "ids": ["e", "d"]}
    with pytest.raises(RevisionError):
        t.path("9-q")


def test_received_ancestors_have_no_body_until_sent() -> None:
    t = tree((3, ["c", "b", "a"], False))
    assert t.bodies() == {"1-a": False, "2-b": False, "3-c": True}
    t = t.merge(2, ["b", "a"])  # later, 2-b itself arrives with its body
    assert t.bodies() == {"1-a": False, "2-b": True, "3-c": True}
    t = t.drop_bodies(["2-b", "3-c", "7-nope"])
    assert t.bodies() == {"1-a": False, "2-b": False, "3-c": False}
    assert t.leaves() == [Leaf("3-c", False, False)]


def test_revs_diff_answers_as_couchdb() -> None:
    t = tree((3, ["c", "b", "a"], False), (2, ["x", "a"], True))
    assert t.revs_diff(["1-a", "3-c", "2-x"]).to_json() == {"missing": []}
    diff = t.revs_diff(["4-d", "3-c", "2-y", "4-d"])
    assert diff.missing == ("4-d", "2-y")
    assert diff.possible_ancestors == ("3-c", "2-x")  # leaves below position 4, deleted too
    assert t.revs_diff(["2-q"]).to_json() == {"missing": ["2-q"]}  # no leaf below position 2
    assert RevTree().revs_diff(["1-a"]).to_json() == {"missing": ["1-a"]}


# -- compact JSON -----------------------------------------------------------------------------


def test_compact_json_is_the_documented_shape() -> None:
    t = tree((3, ["c", "b", "a"], False), (2, ["x", "a"], True), (5, ["e", "d"], False))
    assert t.to_json() == [
        [1, None, ["a", "x"], "21"],  # leaf 2-x first; 1-a known by id only, 2-x a tombstone
        [2, "a", ["b", "c"], "20"],  # continues 1-a
        [4, None, ["d", "e"], "20"],  # a stemmed root
    ]
    assert tree((2, ["b", "a"], False)).merge(1, ["a"]).to_json() == [[1, None, ["a", "b"]]]
    assert RevTree.from_json(json.loads(json.dumps(t.to_json()))) == t


@pytest.mark.parametrize(
    "data",
    [
        {}, [[1, None]], [[0, None, ["a"]]], [[True, None, ["a"]]], [[1, None, []]],
        [[1, None, [3]]], [[1, None, ["a"], "2x"]], [[1, None, ["a"], "00"]],
        [[2, "zz", ["b"]]], [[1, "a", ["b"]]], [[1, None, ["a"]], [1, None, ["a"]]],
        [[1, None, ["a b"]]], [[1, None, ["a"], 3]], "[]", [[1, 2, ["a"]]],
    ],
)  # fmt: skip
def test_from_json_refuses_what_to_json_never_writes(data: object) -> None:
    with pytest.raises(RevisionError) as info:
        RevTree.from_json(data)
    assert info.value.kind == "bad_tree"


def test_a_thousand_edits_stay_flat() -> None:
    t = RevTree()
    for i in range(1000):
        t, _ = t.edit({"i": i})
    data = t.to_json()
    assert len(data) == 1 and len(data[0][2]) == 1000
    text = json.dumps(data)
    assert RevTree.from_json(json.loads(text)) == t
    assert len(text) < 36 * 1000 + 20  # a hash and its quotes and comma per edit
    forest = t.to_forest()  # nested 1000 deep, built without recursion
    assert RevTree.from_forest(forest) == t


def test_merge_revisions_takes_couchdbs_object() -> None:
    doc = {"_id": "u", "_rev": "3-c", "_revisions": {"start": 3, "ids": ["c", "b", "a"]}}
    t = RevTree().merge_revisions(doc["_revisions"], deleted=True)
    assert t == tree((3, ["c", "b", "a"], True))
    assert t.path("3-c") == doc["_revisions"]


@pytest.mark.parametrize(
    "revisions",
    [
        {"start": 2, "ids": ["c", "b", "a"]},  # would start at position 0
        {"start": 1, "ids": []},
        {"start": "3", "ids": ["c"]},
        {"start": True, "ids": ["c"]},
        {"start": 2, "ids": ["b", 7]},
        {"start": 2, "ids": ["b", "a a"]},
        {"ids": ["a"]},
        ["not", "a", "mapping"],
    ],
)
def test_merge_refuses_malformed_paths(revisions: object) -> None:
    with pytest.raises(RevisionError) as info:
        RevTree().merge_revisions(revisions)  # type: ignore[arg-type]
    assert info.value.kind == "malformed"


@pytest.mark.parametrize(
    "forest",
    [
        {}, [{"pos": 0, "ids": ["a", {}, []]}], [{"pos": 1, "ids": ["a", {}]}],
        [{"pos": 1, "ids": ["a", [], []]}], [{"pos": 1, "ids": [3, {}, []]}],
        [{"pos": 1, "ids": ["a", {}, [["b c", {}, []]]]}], ["x"],
    ],
)  # fmt: skip
def test_from_forest_refuses_other_shapes(forest: object) -> None:
    with pytest.raises(RevisionError) as info:
        RevTree.from_forest(forest)
    assert info.value.kind == "bad_tree"


def test_forest_marks_tombstones_and_missing_bodies() -> None:
    t = tree((2, ["b", "a"], True))
    assert t.to_forest() == [{"pos": 1, "ids": ["a", {"status": "missing"}, [["b", {"deleted": True}, []]]]}]
    assert RevTree.from_forest(t.to_forest()) == t


# -- the fast encoding is the documented one ------------------------------------------------------

from hypothesis import given as _given  # noqa: E402
from hypothesis import strategies as _st  # noqa: E402

_TEXT = _st.text(alphabet=_st.characters(blacklist_categories=("Cs",)), max_size=20)
_JSONISH = _st.recursive(
    _st.none() | _st.booleans() | _st.integers(-(2**62), 2**62) | _TEXT,
    lambda inner: _st.lists(inner, max_size=4) | _st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


@_given(_JSONISH)
def test_canonical_json_is_json_dumps_byte_for_byte(value: object) -> None:
    import json as _json

    from whrd_cli.revisions import canonical_json

    expected = _json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert canonical_json(value) == expected


@_given(_st.dictionaries(_TEXT, _JSONISH, max_size=5), _st.booleans())
def test_the_plain_path_gives_the_same_rev(body: dict, deleted: bool) -> None:
    from whrd_cli.revisions import new_rev

    body.pop("_rev", None)
    body.pop("_revisions", None)
    assert new_rev("3-abc", body, deleted, plain=True) == new_rev("3-abc", body, deleted)
