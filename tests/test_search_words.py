"""Search as a new user types it (issue 12, item 22): lower-case `or` means OR, and Spanish word
families that Snowball splits (`minería` / `minera`) find each other, both ways."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import Run


def _ids(run: Run, query: str) -> list[int]:
    return sorted(b["id"] for b in run.json("search", query))


@pytest.fixture
def mining(add: Callable[..., int]) -> None:
    add("Protesta contra la minería en el territorio", "2020-01-01", "-l", "es")  # 1
    add("Amenazas a una defensora minera", "2020-01-02", "-l", "es")  # 2
    add("Radio comunitaria celebra su aniversario", "2020-01-03", "-l", "es")  # 3
    add("Water defenders meet", "2020-01-04", "-l", "en")  # 4
    add("Homenaje a María", "2020-01-05", "-l", "es")  # 5
    add("Defensoras del mar", "2020-01-06", "-l", "es")  # 6


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("minería", [1, 2]),
        ("minera", [1, 2]),
        ("mineras", [1, 2]),
        ("MINERIA", [1, 2]),
        ("mar", [6]),  # `María` keeps its own stem: no match for the sea
        ("maría", [5]),
    ],
)
def test_spanish_word_families_match_both_ways(run: Run, mining: None, query: str, ids: list[int]) -> None:
    assert _ids(run, query) == ids


@pytest.mark.parametrize("query", ["radio OR water", "radio or water", "radio Or water"])
def test_or_in_any_case_means_either(run: Run, mining: None, query: str) -> None:
    assert _ids(run, query) == [3, 4]


def test_a_quoted_or_is_not_an_operator(run: Run, mining: None) -> None:
    assert _ids(run, '"radio or water"') == []
