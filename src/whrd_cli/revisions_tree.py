"""One document's revision tree, with CouchDB's semantics, so every replica picks the same winner.

Followed, and cited where each rule lives:
- Apache CouchDB `src/couch/src/couch_key_tree.erl` (merge, `find_missing`, `remove_leafs`, `stem`)
  and `couch_db.erl` (`_revs_diff`'s `possible_ancestors`);
- PouchDB `pouchdb-merge` (`merge.js`, `winningRev.js`, `collectConflicts.js`, `rootToLeaf.js`),
  the same algorithms in JavaScript, whose forest shape `[{pos, ids: [hash, opts, [children]]}]`
  `from_forest`/`to_forest` read and write.

The tree is kept as nodes keyed by rev, each knowing its parent (None for a root: the first
version, or the oldest one kept after stemming). A parent is only ever recorded when a path says
so, so merging never invents an edge: that is exactly CouchDB's rule that a path whose root lies
beyond a stemmed part starts a new root, and that later, longer paths reconnect it. The result
is the same forest CouchDB's merge-then-stem gives, whatever the order paths arrive in.

Bodies are not here: each node only says whether the store still has its body (`has_body`),
which a replicated ancestor (known by id only) or a purged old version does not.

A tree is immutable: every operation returns a new tree (they are small: at most `revs_limit`
nodes per branch).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from whrd_cli.revisions import RevisionError, format_rev, new_rev, parse_rev
from whrd_cli.revisions_codec import (
    NodeRow,
    rows_from_forest,
    rows_from_json,
    rows_to_forest,
    rows_to_json,
)

__all__ = ["DEFAULT_REVS_LIMIT", "Leaf", "RevTree", "RevsDiff"]

DEFAULT_REVS_LIMIT = 1000  # CouchDB's default `_revs_limit`


class _Node(Struct, frozen=True):
    pos: int
    hash: str
    parent: str | None
    deleted: bool
    has_body: bool


class Leaf(Struct, frozen=True):
    """A leaf revision: a version no edit is based on yet."""

    rev: str
    deleted: bool
    has_body: bool


class RevsDiff(Struct, frozen=True):
    """`_revs_diff`'s answer for one document: the revs asked about that this tree lacks, and
    the leaves that could be their ancestors (positions lower than some missing rev's)."""

    missing: tuple[str, ...]
    possible_ancestors: tuple[str, ...]

    def to_json(self) -> dict[str, list[str]]:
        """As CouchDB answers it: `possible_ancestors` only when there is one."""
        out = {"missing": list(self.missing)}
        if self.possible_ancestors:
            out["possible_ancestors"] = list(self.possible_ancestors)
        return out


def _order(node: _Node) -> tuple[bool, int, str]:
    """CouchDB's leaf order, greatest first wins: not deleted, then deeper, then greater rev id
    (couch_doc:to_doc_info sorts `{not Deleted, Pos, RevId}`; PouchDB `winningRev.js`)."""
    return (not node.deleted, node.pos, node.hash)


class RevTree:
    """The revision tree of one document (possibly empty). Compare with `==`."""

    __slots__ = ("_nodes",)

    def __init__(self) -> None:
        self._nodes: dict[str, _Node] = {}

    @classmethod
    def _adopt(cls, nodes: dict[str, _Node]) -> RevTree:
        """A tree over `nodes`, taken as is (every operation builds a fresh dict)."""
        tree = cls.__new__(cls)
        tree._nodes = nodes
        return tree

    # -- reading ---------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RevTree) and self._nodes == other._nodes

    def __hash__(self) -> int:
        return hash(frozenset(self._nodes.items()))

    def __repr__(self) -> str:
        return f"RevTree({self.to_json()!r})"

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, rev: object) -> bool:
        return rev in self._nodes

    def revs(self) -> list[str]:
        """Every rev in the tree, in (position, hash) order."""
        return [format_rev(n.pos, n.hash) for n in sorted(self._nodes.values(), key=_pos_key)]

    def parent(self, rev: str) -> str | None:
        """The rev `rev` was an edit of, or None for a root (first or oldest kept version)."""
        return self._node(rev).parent

    def is_deleted(self, rev: str) -> bool:
        """Whether `rev` is a tombstone."""
        return self._node(rev).deleted

    def has_body(self, rev: str) -> bool:
        """Whether the store should hold a body for `rev` (False: known by id only, or purged)."""
        return self._node(rev).has_body

    def bodies(self) -> dict[str, bool]:
        """Every rev -> whether the store keeps its body: what a store checks against its table."""
        return {rev: node.has_body for rev, node in self._nodes.items()}

    def leaves(self) -> list[Leaf]:
        """The leaves, the winner first, then in CouchDB's order (`_revs_info`, `open_revs=all`)."""
        kids = self._children()
        nodes = [n for rev, n in self._nodes.items() if rev not in kids]
        nodes.sort(key=_order, reverse=True)
        return [Leaf(format_rev(n.pos, n.hash), n.deleted, n.has_body) for n in nodes]

    def winner(self) -> str | None:
        """The winning revision, the same on every replica; None for an empty tree."""
        leaves = self.leaves()
        return leaves[0].rev if leaves else None

    def conflicts(self) -> list[str]:
        """The other non-deleted leaves (CouchDB's `_conflicts`; PouchDB `collectConflicts`)."""
        return [leaf.rev for leaf in self.leaves()[1:] if not leaf.deleted]

    def deleted_conflicts(self) -> list[str]:
        """The other deleted leaves (CouchDB's `_deleted_conflicts`)."""
        return [leaf.rev for leaf in self.leaves()[1:] if leaf.deleted]

    def history(self, rev: str) -> list[str]:
        """`rev` and its ancestors, newest first, as far as the tree knows them."""
        out: list[str] = []
        current: str | None = rev
        self._node(rev)
        while current is not None:
            out.append(current)
            current = self._nodes[current].parent
        return out

    def path(self, rev: str) -> dict[str, Any]:
        """`rev`'s history as `_revisions` (`{"start": N, "ids": [hash of N, of N-1, …]}`), what
        `_bulk_docs` with `new_edits: false` and `_bulk_get` exchange."""
        node = self._node(rev)
        return {"start": node.pos, "ids": [parse_rev(r)[1] for r in self.history(rev)]}

    def revs_diff(self, revs: Iterable[str]) -> RevsDiff:
        """Which of `revs` this tree lacks, and its leaves below the deepest of them
        (couch_key_tree:find_missing; couch_db:find_missing's possible ancestors)."""
        missing: list[str] = []
        for rev in revs:
            parse_rev(rev)
            if rev not in self._nodes and rev not in missing:
                missing.append(rev)
        if not missing:
            return RevsDiff((), ())
        deepest = max(parse_rev(rev)[0] for rev in missing)
        ancestors = [leaf.rev for leaf in self.leaves() if parse_rev(leaf.rev)[0] < deepest]
        return RevsDiff(tuple(missing), tuple(ancestors))

    # -- changing --------------------------------------------------------------------------

    def add(self, rev: str, *, parent: str | None, deleted: bool = False) -> RevTree:
        """A new local edit `rev` of `parent` (None: the document's first version).

        Like CouchDB with `new_edits: true`, an edit must be based on a leaf (else "not_leaf",
        the HTTP 409), and only an empty tree takes a first version: re-creating a deleted
        document is an edit of its tombstone, as CouchDB does it (`edit` bases it on the winner).
        """
        pos, rev_hash = parse_rev(rev)
        if rev in self._nodes:
            raise RevisionError("exists", rev)
        if parent is None:
            if pos != 1 or self._nodes:
                raise RevisionError("not_leaf", parent)
        else:
            if parent not in self._nodes:
                raise RevisionError("unknown", parent)
            if parent in self._children() or parse_rev(parent)[0] + 1 != pos:
                raise RevisionError("not_leaf", parent)
        nodes = dict(self._nodes)
        nodes[rev] = _Node(pos, rev_hash, parent, bool(deleted), True)
        return RevTree._adopt(nodes)

    def edit(
        self, body: Mapping[str, Any], *, deleted: bool = False, parent: str | None = None
    ) -> tuple[RevTree, str]:
        """Make the rev of a new edit (of `parent`, by default the winner) and add it."""
        base = parent if parent is not None or not self._nodes else self.winner()
        rev = new_rev(base, body, deleted)
        return self.add(rev, parent=base, deleted=deleted), rev

    def merge(self, start: int, ids: Sequence[str], *, deleted: bool = False) -> RevTree:
        """Merge a path received from a replica, given as `_revisions` (`start` is the first
        id's position, `ids` newest first); `deleted` is the newest revision's flag.

        The newest revision is marked as having a body (the replica sent it); ancestors new to
        this tree are known by id only. A node already here keeps its body mark if it has one.
        """
        if not ids or not isinstance(start, int) or isinstance(start, bool) or start < len(ids):
            raise RevisionError("malformed", {"start": start, "ids": list(ids)})
        nodes = dict(self._nodes)
        parent: str | None = None
        for offset, rev_hash in enumerate(reversed(ids)):
            pos = start - len(ids) + 1 + offset
            rev = format_rev(pos, rev_hash)
            parse_rev(rev)
            newest = offset == len(ids) - 1
            _combine(nodes, _Node(pos, rev_hash, parent, deleted and newest, newest))
            parent = rev
        return RevTree._adopt(nodes)

    def merge_revisions(self, revisions: Mapping[str, Any], *, deleted: bool = False) -> RevTree:
        """`merge` with the `_revisions` object itself (`{"start": N, "ids": [...]}`)."""
        if not isinstance(revisions, Mapping):
            raise RevisionError("malformed", revisions)
        start, ids = revisions.get("start"), revisions.get("ids")
        if (
            not isinstance(start, int)
            or not isinstance(ids, list)
            or not all(isinstance(i, str) for i in ids)
        ):
            raise RevisionError("malformed", revisions)
        return self.merge(start, ids, deleted=deleted)

    def merge_tree(self, other: RevTree) -> RevTree:
        """Merge another replica's whole tree (the same as merging each of its paths)."""
        nodes = dict(self._nodes)
        for node in other._nodes.values():
            _combine(nodes, node)
        return RevTree._adopt(nodes)

    def stem(self, limit: int = DEFAULT_REVS_LIMIT) -> tuple[RevTree, list[str]]:
        """Keep, under each leaf, only its `limit` newest revisions (couch_key_tree:stem): a node
        stays if it is fewer than `limit` edits above some leaf; the removed revs are returned.
        Leaves always stay; a kept node whose parent went becomes a root."""
        if limit < 1:
            raise RevisionError("malformed", limit)
        kept: set[str] = set()
        for leaf in self.leaves():
            current: str | None = leaf.rev
            for _ in range(limit):
                if current is None:
                    break
                kept.add(current)
                current = self._nodes[current].parent
        nodes = {}
        for rev in kept:
            node = self._nodes[rev]
            nodes[rev] = node if node.parent in kept else replace(node, parent=None)
        removed = sorted((r for r in self._nodes if r not in kept), key=_rev_key)
        return RevTree._adopt(nodes), removed

    def purge(self, revs: Iterable[str]) -> tuple[RevTree, list[str]]:
        """Remove leaves and every ancestor no other leaf keeps (couch_key_tree:remove_leafs,
        CouchDB's `_purge`); revs that are not leaves are ignored. Returns the tree and every rev
        that left it, so the store can drop their bodies."""
        wanted = set(revs)
        remaining = [leaf.rev for leaf in self.leaves() if leaf.rev not in wanted]
        kept: set[str] = set()
        for rev in remaining:
            for ancestor in self.history(rev):
                if ancestor in kept:
                    break
                kept.add(ancestor)
        removed = sorted((r for r in self._nodes if r not in kept), key=_rev_key)
        return RevTree._adopt({r: n for r, n in self._nodes.items() if r in kept}), removed

    def drop_bodies(self, revs: Iterable[str]) -> RevTree:
        """Mark revs whose bodies the store removed (history purged); unknown revs are ignored."""
        nodes = dict(self._nodes)
        for rev in revs:
            if rev in nodes:
                nodes[rev] = replace(nodes[rev], has_body=False)
        return RevTree._adopt(nodes)

    # -- internals -------------------------------------------------------------------------

    def _node(self, rev: str) -> _Node:
        try:
            return self._nodes[rev]
        except (KeyError, TypeError):
            raise RevisionError("unknown", rev) from None

    def _children(self) -> set[str]:
        """Revs that have at least one child (the internal nodes)."""
        return {n.parent for n in self._nodes.values() if n.parent is not None}

    # -- JSON forms (the encodings live in revisions_codec) ----------------------------------

    def to_json(self) -> list[list[Any]]:
        """The compact form the archive stores (documented in `revisions_codec`)."""
        return rows_to_json(self._rows())

    @classmethod
    def from_json(cls, data: object) -> RevTree:
        """The tree `to_json` wrote; anything else raises RevisionError("bad_tree")."""
        return cls._from_rows(rows_from_json(data))

    def to_forest(self) -> list[dict[str, Any]]:
        """PouchDB's/CouchDB's shape: `[{"pos": N, "ids": [hash, opts, [children]]}]`."""
        return rows_to_forest(self._rows())

    @classmethod
    def from_forest(cls, forest: object) -> RevTree:
        """A tree in PouchDB's shape (the `rev_tree` of its documents, its tests' data)."""
        return cls._from_rows(rows_from_forest(forest))

    def _rows(self) -> list[NodeRow]:
        return [(n.pos, n.hash, n.parent, n.deleted, n.has_body) for n in self._nodes.values()]

    @classmethod
    def _from_rows(cls, rows: Iterable[NodeRow]) -> RevTree:
        nodes: dict[str, _Node] = {}
        for pos, rev_hash, parent, deleted, has_body in rows:
            _combine(nodes, _Node(pos, rev_hash, parent, deleted, has_body))
        return cls._adopt(nodes)


def _combine(nodes: dict[str, _Node], node: _Node) -> None:
    """Put `node` into `nodes`, merging with what is known of the same rev: a parent once known
    stays (never replaced: a rev's hash covers its parent, so honest replicas never disagree),
    deleted and has-body marks add up (CouchDB's value_pref keeps an available body)."""
    rev = format_rev(node.pos, node.hash)
    old = nodes.get(rev)
    if old is None:
        nodes[rev] = node
        return
    nodes[rev] = replace(
        old,
        parent=old.parent if old.parent is not None else node.parent,
        deleted=old.deleted or node.deleted,
        has_body=old.has_body or node.has_body,
    )


def _pos_key(node: _Node) -> tuple[int, str]:
    return (node.pos, node.hash)


def _rev_key(rev: str) -> tuple[int, str]:
    return parse_rev(rev)
