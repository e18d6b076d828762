"""`stats` from the index counts one scan of the selected rows (issue 14): the same `Tally` as the
pass over the archive's stored dicts (`tally`, the oracle), on archives with bulletins about no
country, several countries, no category, and under filters."""

from __future__ import annotations

from datetime import date
from operator import itemgetter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whrd_cli.filters import Filter
from whrd_cli.model import Bulletin
from whrd_cli.search.service import SearchIndex
from whrd_cli.storage.plan import OnDuplicate
from whrd_cli.store import Archive
from whrd_cli.tally import tally, tally_indexed

_BULLETIN = st.builds(
    lambda n, day, countries, category, lang: Bulletin.create(
        title=f"Bulletin {n}",
        date=f"20{day % 3 + 18}-0{day % 9 + 1}-1{day % 9}",
        countries=countries,
        category=category,
        lang=lang,
    ),
    st.integers(0, 10_000),
    st.integers(0, 100),
    st.lists(st.sampled_from(["HN", "GT", "MX", "BZ"]), max_size=3, unique=True),
    st.sampled_from([None, "alert", "news"]),
    st.sampled_from(["en", "es"]),
)
_DIMS = [("country", "category", "lang"), ("country",), ("category", "lang"), ()]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_BULLETIN, min_size=1, max_size=25), st.sampled_from(_DIMS), st.booleans())
def test_the_index_counts_what_the_archive_counts(
    tmp_path: Path, bulletins: list[Bulletin], dims: tuple[str, ...], filtered: bool
) -> None:
    path = tmp_path / "a.json"
    path.unlink(missing_ok=True)
    archive = Archive(path, followers=[SearchIndex()])
    archive.add_many(bulletins, on_duplicate=OnDuplicate.ADD)
    flt = Filter.build(since="2019", countries=["Honduras"], today=date(2025, 1, 1)) if filtered else None
    from_index = tally_indexed(path, flt, dims)
    assert from_index is not None  # the index is fresh after the write
    expected = tally(sorted(Archive(path).raw_items(), key=itemgetter(0)), dims, flt=flt)
    assert from_index == expected
    assert dict(from_index.counters.get("country", {})) == dict(expected.counters.get("country", {}))
