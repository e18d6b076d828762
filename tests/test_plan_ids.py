"""The two ways a batch add finds stored bulletins by dedupe key or uid (a map for big batches,
column scans for a few) answer alike, and as a plain oracle does: the last bulletin holding it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from whrd_cli.storage.plan import _Ids

VALUES = st.sampled_from(["a", "b", "c", None])


@given(st.lists(VALUES, max_size=30), st.lists(st.sampled_from(["a", "b", "c", "z"]), max_size=5))
def test_scans_and_maps_find_the_same_last_bulletin(column: list[str | None], asked: list[str]) -> None:
    table = {str(n * 3 + 1): ({"_key": v} if v is not None else {}) for n, v in enumerate(column)}
    oracle: dict[str, int] = {}
    for key, raw in table.items():
        if raw.get("_key") is not None:
            oracle[raw["_key"]] = int(key)
    for few in (True, False):
        ids = _Ids(table, "_key", few)
        assert [ids.get(v) for v in asked] == [oracle.get(v) for v in asked]
        assert [v in ids for v in asked] == [v in oracle for v in asked]
        ids["z"] = 99
        assert ids.get("z") == 99
