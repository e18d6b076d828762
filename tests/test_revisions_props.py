"""Properties of the revision tree on random histories, checked against the history itself.

Hypothesis draws a *true* history (each revision's parent, hash and deleted flag); the paths a
replica would send (`_revisions`, possibly cut short by stemming) are derived from it, and what
the tree answers is compared with what the true history says (its leaves, the winner by
CouchDB's rule computed here from the history, each leaf's ancestry), never with the tree's own
answers on another input only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from whrd_cli.revisions_tree import RevTree


@dataclass(frozen=True)
class History:
    parents: dict[str, str | None]  # rev -> parent rev
    deleted: frozenset[str]  # deleted leaves

    @property
    def leaves(self) -> set[str]:
        return set(self.parents) - {p for p in self.parents.values() if p}

    def chain(self, rev: str) -> list[str]:
        """rev and its ancestors, newest first."""
        out = [rev]
        while (parent := self.parents[out[-1]]) is not None:
            out.append(parent)
        return out

    def winner(self, leaves: set[str] | None = None) -> str:
        """CouchDB's rule: not deleted, then the highest position, then the greatest hash."""

        def key(rev: str) -> tuple[bool, int, str]:
            pos, rev_hash = rev.split("-", 1)
            return (rev not in self.deleted, int(pos), rev_hash)

        return max(self.leaves if leaves is None else leaves, key=key)


@st.composite
def histories(draw: st.DrawFn) -> History:
    hashes = draw(st.lists(st.text("0123456789abcdefXYZ", min_size=1, max_size=3),
                           min_size=1, max_size=18, unique=True))  # fmt: skip
    revs: list[str] = []
    parents: dict[str, str | None] = {}
    for i, rev_hash in enumerate(hashes):
        parent = None
        if i and draw(st.integers(0, 9)):  # now and then a second root (two replicas' creations)
            parent = revs[draw(st.integers(0, i - 1))]
        pos = 1 if parent is None else int(parent.split("-")[0]) + 1
        rev = f"{pos}-{rev_hash}"
        revs.append(rev)
        parents[rev] = parent
    history = History(parents, frozenset())
    deleted = draw(st.sets(st.sampled_from(sorted(history.leaves))))
    return History(parents, frozenset(deleted))


def revisions(history: History, rev: str, keep: int | None = None) -> tuple[int, list[str], bool]:
    """The `_revisions` of rev (cut to `keep` ids) and its deleted flag."""
    chain = history.chain(rev)[: keep or None]
    return int(rev.split("-")[0]), [r.split("-", 1)[1] for r in chain], rev in history.deleted


def merged(paths: list[tuple[int, list[str], bool]]) -> RevTree:
    tree = RevTree()
    for start, ids, deleted in paths:
        tree = tree.merge(start, ids, deleted=deleted)
    return tree


@st.composite
def history_and_paths(draw: st.DrawFn) -> tuple[History, list[tuple[int, list[str], bool]]]:
    """A history and the paths of all its leaves (some cut short, plus some paths to inner
    revisions, as a replica that saw an older state sends), in a drawn order."""
    history = draw(histories())
    return history, draw(paths_of(history))


@st.composite
def paths_of(draw: st.DrawFn, history: History) -> list[tuple[int, list[str], bool]]:
    """What one replica may have received of `history` (see `history_and_paths`)."""
    paths = []
    for leaf in sorted(history.leaves):
        keep = draw(st.none() | st.integers(1, len(history.chain(leaf))))
        paths.append(revisions(history, leaf, keep))
    for rev in draw(st.lists(st.sampled_from(sorted(history.parents)), max_size=4)):
        if rev not in history.leaves:
            paths.append(revisions(history, rev, draw(st.none() | st.integers(1, 3))))
    return draw(st.permutations(paths))


@settings(max_examples=300, deadline=None)
@given(history_and_paths(), st.randoms(use_true_random=False))
def test_merge_order_does_not_matter_and_the_winner_is_couchdbs(case, rnd) -> None:  # type: ignore[no-untyped-def]
    history, paths = case
    tree = merged(paths)
    shuffled = list(paths)
    rnd.shuffle(shuffled)
    assert merged(shuffled).to_json() == tree.to_json()
    # The leaves are the revs no path names as a parent: an inner revision sent alone (a
    # replica's older state, cut by stemming) stands as its own root until a path links it.
    sent = {f"{start - i}-{h}" for start, ids, _ in paths for i, h in enumerate(ids)}
    parents = {f"{start - i}-{h}" for start, ids, _ in paths for i, h in enumerate(ids) if i}
    leaves = sent - parents
    assert history.leaves <= leaves
    assert {leaf.rev for leaf in tree.leaves()} == leaves
    assert {leaf.rev for leaf in tree.leaves() if leaf.deleted} == set(history.deleted)
    assert tree.winner() == history.winner(leaves)
    assert set(tree.conflicts()) == leaves - history.deleted - {history.winner(leaves)}


@settings(max_examples=200, deadline=None)
@given(histories())
def test_full_paths_rebuild_the_history_exactly(history: History) -> None:
    tree = merged([revisions(history, leaf) for leaf in sorted(history.leaves)])
    assert sorted(tree.revs()) == sorted(history.parents)
    for rev, parent in history.parents.items():
        assert tree.parent(rev) == parent
    for leaf in history.leaves:
        assert tree.history(leaf) == history.chain(leaf)
        assert tree.path(leaf) == {
            "start": int(leaf.split("-")[0]),
            "ids": [r.split("-", 1)[1] for r in history.chain(leaf)],
        }


@settings(max_examples=200, deadline=None)
@given(history_and_paths())
def test_merging_is_idempotent(case) -> None:  # type: ignore[no-untyped-def]
    _, paths = case
    tree = merged(paths)
    again = tree
    for start, ids, deleted in paths:
        again = again.merge(start, ids, deleted=deleted)
    assert again == tree
    assert tree.merge_tree(tree) == tree
    assert RevTree().merge_tree(tree) == tree


@settings(max_examples=200, deadline=None)
@given(histories(), st.data())
def test_merging_two_replicas_trees_commutes(history: History, data) -> None:  # type: ignore[no-untyped-def]
    # two replicas that each received part of one history (a rev's hash covers its parent,
    # so honest replicas never disagree on a rev's parent)
    left, right = merged(data.draw(paths_of(history))), merged(data.draw(paths_of(history)))
    both = left.merge_tree(right)
    assert both.to_json() == right.merge_tree(left).to_json()
    assert set(both.revs()) == set(left.revs()) | set(right.revs())


@settings(max_examples=200, deadline=None)
@given(histories(), st.integers(1, 6))
def test_stemming_keeps_every_leaf_and_its_newest_revisions(history: History, limit: int) -> None:
    tree = merged([revisions(history, leaf) for leaf in sorted(history.leaves)])
    stemmed, removed = tree.stem(limit)
    assert stemmed.leaves() == tree.leaves()
    assert stemmed.winner() == history.winner()
    for leaf in history.leaves:
        # at least its `limit` newest; more when an ancestor is kept for a shorter branch
        # (CouchDB 3 keeps a node within the limit of any leaf, with its links)
        kept = stemmed.history(leaf)
        assert kept == history.chain(leaf)[: len(kept)]
        assert len(kept) >= min(limit, len(history.chain(leaf)))
    kept_by_some_leaf = {r for leaf in history.leaves for r in history.chain(leaf)[:limit]}
    assert set(stemmed.revs()) == kept_by_some_leaf
    assert set(removed) == set(history.parents) - kept_by_some_leaf
    assert stemmed.stem(limit)[0] == stemmed  # stemming twice changes nothing more


@settings(max_examples=200, deadline=None)
@given(history_and_paths())
def test_json_forms_round_trip(case) -> None:  # type: ignore[no-untyped-def]
    _, paths = case
    tree = merged(paths).drop_bodies([])
    assert RevTree.from_json(json.loads(json.dumps(tree.to_json()))) == tree
    assert RevTree.from_forest(json.loads(json.dumps(tree.to_forest()))) == tree


@settings(max_examples=200, deadline=None)
@given(histories(), st.data())
def test_purge_removes_leaves_and_only_what_no_other_leaf_keeps(history: History, data) -> None:  # type: ignore[no-untyped-def]
    tree = merged([revisions(history, leaf) for leaf in sorted(history.leaves)])
    gone = data.draw(st.sets(st.sampled_from(sorted(history.leaves))))
    result, removed = tree.purge(gone)
    remaining = history.leaves - gone
    assert {leaf.rev for leaf in result.leaves()} == remaining
    kept = {r for leaf in remaining for r in history.chain(leaf)}
    assert set(result.revs()) == kept
    assert set(removed) == set(history.parents) - kept


@settings(max_examples=200, deadline=None)
@given(histories(), st.lists(st.tuples(st.integers(1, 20), st.sampled_from(["q", "r"]))))
def test_revs_diff_names_exactly_what_is_missing(history: History, unknown) -> None:  # type: ignore[no-untyped-def]
    tree = merged([revisions(history, leaf) for leaf in sorted(history.leaves)])
    asked = sorted(history.parents) + [f"{pos}-{h}{h}{h}{h}" for pos, h in unknown]
    diff = tree.revs_diff(asked)
    expected_missing = list(dict.fromkeys(f"{pos}-{h}{h}{h}{h}" for pos, h in unknown))
    assert list(diff.missing) == expected_missing
    deepest = max((pos for pos, _ in unknown), default=0)
    assert set(diff.possible_ancestors) == {
        leaf for leaf in history.leaves if int(leaf.split("-")[0]) < deepest
    }
