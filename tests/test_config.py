"""The config file: `[export] base_url` stands in for `--base-url`; a broken file is an error."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tests.conftest import Run


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"  # what conftest points WHRD_CONFIG at


@pytest.fixture
def archive(run: Run) -> None:
    run.ok("add", "--title", "Radio turns three", "--date", "2017-01-26", "-l", "en", "-c", "HN")


def test_the_config_base_url_is_the_feeds_address(run: Run, config: Path, archive: None) -> None:
    config.write_text('[export]\nbase_url = "https://example.org/feeds/whrd.atom"\n', encoding="utf-8")
    feed = run.ok("export", "-f", "atom", "-o", "-").stdout
    assert '<link rel="self" type="application/atom+xml" href="https://example.org/feeds/whrd.atom"/>' in feed
    assert 'href="https://example.org/feeds/#bulletin-1"' in feed


def test_the_option_wins_over_the_config(run: Run, config: Path, archive: None) -> None:
    config.write_text('[export]\nbase_url = "https://example.org/a.atom"\n', encoding="utf-8")
    feed = run.ok("export", "-f", "atom", "-o", "-", "--base-url", "https://other.example/b.atom").stdout
    assert "https://other.example/b.atom" in feed and "https://example.org/a.atom" not in feed


def test_no_config_file_is_an_empty_config(run: Run, config: Path, archive: None) -> None:
    assert not config.exists()
    assert 'rel="self"' not in run.ok("export", "-f", "atom", "-o", "-").stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[export\n",
            "is not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 8). "
            "Mend it in a text editor, or set it aside and start an empty one with 'whrd config reset'.",
        ),
        ("[exprot]\nbase_url = 'x'\n", "has an unknown section [exprot]; known: [export], [list]."),
        ("[export]\nbase = 'x'\n", "has an unknown key 'base' in [export]; known: format, base_url."),
        (
            "[export]\nbase_url = 3\n",
            "export.base_url takes an http(s) address such as https://example.org/whrd/feed.atom, not 3. "
            "Fix it with 'whrd config set export.base_url VALUE' or 'whrd config unset export.base_url'.",
        ),
    ],
)
def test_a_broken_config_is_one_line_and_changes_nothing(
    run: Run, config: Path, db: Path, archive: None, text: str, message: str
) -> None:
    config.write_text(text, encoding="utf-8")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    result = run("export", "-f", "atom", "-o", "-")
    assert result.exit_code == 1 and result.stdout == ""
    prefix = f"In the config file {config}, " if " takes " in message else f"The config file {config} "
    assert result.stderr == f"Error: {prefix}{message}\n"
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_a_config_that_is_not_utf8_is_refused(run: Run, config: Path, archive: None) -> None:
    config.write_bytes(b"[export]\nbase_url = '\xff'\n")
    result = run("export", "-f", "atom", "-o", "-")
    mend = "Mend it in a text editor, or set it aside and start an empty one with 'whrd config reset'."
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: The config file {config} is not UTF-8 text. {mend}\n",
    )
