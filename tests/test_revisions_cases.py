"""Cases transcribed as data from the two reference implementations' own test suites, so the
oracle is their authors' expected answers, not this code:

- PouchDB `tests/unit/test.merge.js` (itself a port of CouchDB's `060-kt-merging.t`): merge a
  path into a tree, then stem to a depth; and its two `winningRev` cases;
- Apache CouchDB `src/couch/test/eunit/couch_key_tree_tests.erl`: merge, `find_missing`,
  `remove_leafs` and `stem` cases. CouchDB's tests number positions from 0; they are shifted by
  one here, since a rev's position starts at 1.

Trees are written in PouchDB's forest shape (`{"pos": N, "ids": [hash, {}, [children]]}`).
One deliberate difference, noted on its case: PouchDB's stemming cuts each root-to-leaf path on
its own, CouchDB 3's `couch_key_tree:stem` keeps a node that is within the limit of *any* leaf;
this module follows CouchDB (the server issue 18 syncs with), and both keep the same leaves.
"""

from __future__ import annotations

from typing import Any

import pytest

from whrd_cli.revisions_tree import RevTree


def n(rev_hash: str, *children: list[Any]) -> list[Any]:
    """A node of PouchDB's nested shape with default opts."""
    return [rev_hash, {}, list(children)]


def p(pos: int, node: list[Any]) -> dict[str, Any]:
    return {"pos": pos, "ids": node}


simple = p(1, n("1"))
two0 = p(1, n("1", n("2_0")))
two1 = p(1, n("1", n("2_1")))
newleaf = p(2, n("2_0", n("3")))
withnewleaf = p(1, n("1", n("2_0", n("3"))))
newbranch = p(1, n("1", n("2_0"), n("2_1")))
newdeepbranch = p(2, n("2_0", n("3_1")))
stemmededit = p(3, n("3"))
newbranchleaf = p(1, n("1", n("2_0", n("3")), n("2_1")))
newbranchleafbranch = p(1, n("1", n("2_0", n("3"), n("3_1")), n("2_1")))
stemmed3 = [p(2, n("2_1")), p(3, n("3")), p(3, n("3_1"))]
partialrecover = [withnewleaf, p(2, n("2_1")), p(3, n("3_1"))]
one, two, three = p(1, n("1")), p(1, n("2")), p(1, n("3"))
twoChild = p(1, n("1", n("1a", n("1aa"))))
twoChildSibs = p(1, n("1", n("1a"), n("1b")))
twoChildPlusSibs = p(1, n("1", n("1a", n("1aa")), n("1b")))
twoChildPlusSibs2 = p(1, n("1", n("1a"), n("1b", n("1bb"))))
stemmedTwoChildSibs2 = [p(2, n("1a")), p(2, n("1b", n("1bb")))]
stemmed1a = p(2, n("1a", n("1aa")))
stemmed1aa = p(3, n("1aa"))
oneChild = p(1, n("1", n("1a")))
foo = p(1, n("foo", n("foo2"), n("foo3")))
bar = p(1, n("foo", n("foo3", n("foo4"))))
fooBar = p(1, n("foo", n("foo2"), n("foo3", n("foo4"))))

# (name, tree, path merged into it, stem depth, expected tree, revs the stemming removed)
MERGES = [
    ("into an empty tree", [], simple, 10, [simple], []),
    ("remerge is reflexive", [simple], simple, 10, [simple], []),
    ("multiple entries into empty", [], two0, 10, [two0], []),
    ("multiple entries reflexive", [two0], two0, 10, [two0], []),
    ("subpath into path", [two0], simple, 10, [two0], []),
    ("new leaf", [two0], newleaf, 10, [withnewleaf], []),
    ("new branch", [two0], two1, 10, [newbranch], []),
    ("order does not matter", [two1], two0, 10, [newbranch], []),
    ("new leaf when branches exist", [newbranch], newleaf, 10, [newbranchleaf], []),
    ("deep branch with branches", [newbranchleaf], newdeepbranch, 10, [newbranchleafbranch], []),
    ("new information reconnects stemming", [simple, stemmededit], withnewleaf, 10,
     [withnewleaf], []),
    ("simple stemming", [two0], newleaf, 2, [newleaf], ["1-1"]),
    # PouchDB expects [1->2_1, 2_0->(3|3_1)] here; CouchDB 3 keeps 1 (it is within 2 of leaf
    # 2_1) with all its children, as couch_key_tree:stem's FinalLimitPos > 0 clause does.
    ("stemming with branches (CouchDB 3)", [newbranchleafbranch], simple, 2,
     [newbranchleafbranch], []),
    ("stemming to leaves", [newbranchleafbranch], simple, 1, stemmed3, ["1-1", "2-2_0"]),
    ("unstemmed recovers what it can", stemmed3, withnewleaf, 10, partialrecover, []),
    ("empty tree is the identity", [], one, 10, [one], []),
    ("merging is reflexive", [one], one, 10, [one], []),
    ("prefix of a tree", [one, two], one, 10, [one, two], []),
    ("third unrelated branch", [one, two], three, 10, [one, two, three], []),
    ("two children reflexive", [twoChild], twoChild, 10, [twoChild], []),
    ("tree to itself", [twoChildSibs], twoChildSibs, 10, [twoChildSibs], []),
    ("uneven length at node 2", [twoChild], twoChildSibs, 10, [twoChildPlusSibs], []),
    ("odd length (CouchDB)", [twoChildSibs], twoChild, 10, [twoChildPlusSibs], []),
    ("tree with a stem", [twoChildSibs], p(2, n("1a")), 10, [twoChildSibs], []),
    ("stem at a deeper level", [twoChildPlusSibs2], p(3, n("1bb")), 10, [twoChildPlusSibs2], []),
    ("stem against deeper paths", stemmedTwoChildSibs2, p(3, n("1bb")), 10,
     stemmedTwoChildSibs2, []),
    ("single tree, deeper stem", [twoChild], stemmed1aa, 10, [twoChild], []),
    ("larger stem", [twoChild], stemmed1a, 10, [twoChild], []),
    ("more merging", [stemmed1a], stemmed1aa, 10, [stemmed1a], []),
    ("should create conflicts", [oneChild], stemmed1aa, 10, [oneChild, stemmed1aa], []),
    ("should have no conflicts", [oneChild, stemmed1aa], twoChild, 10, [twoChild], []),
    ("conflicts ought to behave (COUCHDB-902)", [foo], bar, 10, [fooBar], []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "path", "depth", "expected", "stemmed"),
    [case[1:] for case in MERGES],
    ids=[case[0] for case in MERGES],
)
def test_merge_then_stem_as_the_reference_tests_expect(
    start: list[dict[str, Any]],
    path: dict[str, Any],
    depth: int,
    expected: list[dict[str, Any]],
    stemmed: list[str],
) -> None:
    merged = RevTree.from_forest(start).merge_tree(RevTree.from_forest([path]))
    result, removed = merged.stem(depth)
    assert result.to_forest() == expected
    assert removed == stemmed


def test_pouchdb_winning_rev_returns_the_longest_leaf() -> None:
    t = RevTree.from_forest([
        p(1, n("bfe70372c90ded1087239e5191984f76",
               n("44d71a718b90e4696c06a90e08912c8f"),
               n("56e657612d55ab1a402dcb281c874f2a", n("93c3db16462f656f7172ccabd3cf6cd6"))))
    ])  # fmt: skip
    assert t.winner() == "3-93c3db16462f656f7172ccabd3cf6cd6"


def test_pouchdb_winning_rev_returns_the_longest_leaf_again() -> None:  # PouchDB issue #293
    t = RevTree.from_forest([
        p(1, n("203db1a1810a838895d561f67b224b5d",
               n("bf5e08a4f9fa6d33a53f4a00ae3ea399", n("28cd77a3ca30f79e1cfffcd6a41ca308")))),
        p(1, n("c6d5cce35bcfbef90b20f140d723cbdb",
               n("1b8dfbb1267e213328920bae43f2f597"),
               n("59ed830b84b276ab776c3c51aaf93a16", n("64a9842c6aea50bf24660378e496e853")))),
    ])  # fmt: skip
    assert t.winner() == "3-64a9842c6aea50bf24660378e496e853"
    assert t.conflicts() == ["3-28cd77a3ca30f79e1cfffcd6a41ca308", "2-1b8dfbb1267e213328920bae43f2f597"]


# couch_key_tree_tests.erl, positions + 1 -----------------------------------------------------

C_TWO_CHILD_SIBS = [p(1, n("1", n("1a"), n("1b")))]


@pytest.mark.parametrize(
    ("forest", "asked", "missing"),
    [
        (C_TWO_CHILD_SIBS, ["1-1", "2-1a"], []),
        (C_TWO_CHILD_SIBS, ["1-1", "1-10", "2-1a", "101-x"], ["1-10", "101-x"]),
        ([p(2, n("1a", n("1aa")))], ["1-1", "2-1a", "101-x"], ["1-1", "101-x"]),
        ([p(3, n("1aa"))], ["1-1", "2-1a", "101-x"], ["1-1", "2-1a", "101-x"]),
    ],
)
def test_couchdb_find_missing(forest: list[Any], asked: list[str], missing: list[str]) -> None:
    assert list(RevTree.from_forest(forest).revs_diff(asked).missing) == missing


@pytest.mark.parametrize(
    ("forest", "purged", "expected", "removed"),
    [
        (C_TWO_CHILD_SIBS, [], C_TWO_CHILD_SIBS, []),
        (C_TWO_CHILD_SIBS, ["1-1"], C_TWO_CHILD_SIBS, []),  # not a leaf: no effect
        (C_TWO_CHILD_SIBS, ["2-1b"], [p(1, n("1", n("1a")))], ["2-1b"]),
        (C_TWO_CHILD_SIBS, ["2-1b", "2-1a"], [], ["1-1", "2-1a", "2-1b"]),
        ([p(2, n("1a", n("1aa")))], ["2-1a"], [p(2, n("1a", n("1aa")))], []),
        ([p(2, n("1a", n("1aa")))], ["3-1aa"], [], ["2-1a", "3-1aa"]),
    ],
)
def test_couchdb_remove_leafs(
    forest: list[Any], purged: list[str], expected: list[Any], removed: list[str]
) -> None:
    # CouchDB reports the leaves it removed; this also names the ancestors that left with them
    # (every rev whose body the store must drop), which CouchDB's expected trees imply.
    result, gone = RevTree.from_forest(forest).purge(purged)
    assert result.to_forest() == expected
    assert gone == removed


@pytest.mark.parametrize(
    ("depth", "expected"),
    [(3, [p(1, n("1", n("1a", n("1aa"))))]), (1, [p(3, n("1aa"))]), (2, [p(2, n("1a", n("1aa")))])],
)
def test_couchdb_stem(depth: int, expected: list[Any]) -> None:
    result, _ = RevTree.from_forest([p(1, n("1", n("1a", n("1aa"))))]).stem(depth)
    assert result.to_forest() == expected


def test_couchdb_leaf_counts() -> None:
    assert len(RevTree.from_forest([]).leaves()) == 0
    assert len(RevTree.from_forest([p(1, n("1"))]).leaves()) == 1
    assert len(RevTree.from_forest(C_TWO_CHILD_SIBS).leaves()) == 2
    assert len(RevTree.from_forest([p(3, n("1bb"))]).leaves()) == 1
