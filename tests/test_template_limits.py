"""A user's `--template` runs under limits (issue 12, item 13): it may include only the `*.j2`
templates in its own folder, build no value past 64 MiB, write no more than its output limit, and
run no longer than its time limit. Each refusal is one line, exit 1, and leaves no output file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests.conftest import Run

from whrd_cli.model import Bulletin
from whrd_cli.store import Archive


@pytest.fixture
def archive(db: Path) -> Path:
    Archive(db).add_many(
        [
            Bulletin.create(title=f"Bulletin {n}", date=f"2020-01-{n:02d}", category="news", lang="en")
            for n in (1, 2)
        ]
    )
    return db


def refused(run: Run, tmp_path: Path, source: str, *, name: str = "mine.txt.j2") -> str:
    """Export with a template holding `source`; it must fail in one line and leave no file."""
    folder = tmp_path / "tpl"
    folder.mkdir(exist_ok=True)
    template = folder / name
    template.write_text(source, encoding="utf-8")
    out = tmp_path / "out.md"
    started = time.monotonic()
    result = run("export", "--template", str(template), "-o", str(out))
    assert time.monotonic() - started < 30
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if "whrd-tmp" in p.name]
    prefix = f"Error: The template {template}"
    assert result.stderr.startswith(prefix), result.stderr
    return str(result.stderr[len(prefix) :])


def test_huge_string_repetition_is_refused_at_once(run: Run, archive: Path, tmp_path: Path) -> None:
    message = refused(run, tmp_path, "{{ 'x' * 10000000000 }}")
    assert message == ", line 1: a value of more than 64 MiB is too large for a template.\n"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ [1, 2] * 100000000 }}", ", line 1: a value of more than 64 MiB is too large for a template.\n"),
        ("{{ 10 ** 100000000 }}", ", line 1: 10 ** 100000000 is too large a number for a template.\n"),
        (
            "{{ 'x'|center(10000000000) }}",
            ", line 1: the number 10000000000 is too large for a template (the limit is 67108864).\n",
        ),
        (
            "{{ 'x'.ljust(10000000000) }}",
            ", line 1: the number 10000000000 is too large for a template (the limit is 67108864).\n",
        ),
        (
            "{{ '{:>10000000000}'.format(1) }}",
            ", line 1: a format width or precision of 10 million or more is too large for a template.\n",
        ),
        (
            "{{ '%10000000000d' % 1 }}",
            ", line 1: a format width or precision of 10 million or more is too large for a template.\n",
        ),
        (
            "{{ '%10000000000d'|format(1) }}",
            ", line 1: a format width or precision of 10 million or more is too large for a template.\n",
        ),
        (
            "{% set ns = namespace(s='xxxxxxxx') %}\n"
            "{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            ", line 2: a value of more than 64 MiB is too large for a template.\n",
        ),
        (
            "{% set ns = namespace(s='xxxxxxxx') %}\n"
            "{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
            ", line 2: a value of more than 64 MiB is too large for a template.\n",
        ),
    ],
)
def test_huge_values_are_refused(run: Run, archive: Path, tmp_path: Path, source: str, message: str) -> None:
    assert refused(run, tmp_path, source) == message


def test_output_past_the_limit_stops(
    run: Run, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("whrd_cli.digest.sandbox.OUTPUT_BASE", 1000)
    monkeypatch.setattr("whrd_cli.digest.sandbox.OUTPUT_PER_BULLETIN", 100)
    source = "{% for a in range(100000) %}{% for b in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}"
    message = refused(run, tmp_path, source)
    assert message == ": its output passed the limit of 1,200 characters for this export.\n"


def test_the_default_output_limit_is_64_mib_plus_64_kib_a_bulletin() -> None:
    from whrd_cli.digest import sandbox

    assert sandbox.output_limit(0) == 64 * 1024 * 1024
    assert sandbox.output_limit(10) == 64 * 1024 * 1024 + 10 * 64 * 1024


def test_a_template_that_writes_nothing_still_stops_in_time(
    run: Run, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("whrd_cli.digest.sandbox.TIME_LIMIT", 1.0)
    source = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    message = refused(run, tmp_path, source)
    assert message == ", line 1: it ran past the 1-second time limit for a template.\n"


def test_within_the_limits_a_template_works(run: Run, archive: Path, tmp_path: Path) -> None:
    (tmp_path / "part.j2").write_text("[{{ b.title }}]", encoding="utf-8")
    main = tmp_path / "main.txt.j2"
    main.write_text(
        "{% for b in bulletins %}{% include 'part.j2' %}{% endfor %} {{ 'ab' * 3 }} {{ 2 ** 10 }}",
        encoding="utf-8",
    )
    result = run.ok("export", "--template", str(main), "-o", "-")
    assert result.stdout == "[Bulletin 2][Bulletin 1] ababab 1024"


@pytest.mark.parametrize(
    ("include", "name"),
    [
        ("archive.json", "'archive.json'"),
        ("../secret.j2", "'../secret.j2'"),
        ("sub/part.j2", "'sub/part.j2'"),
        ("link.j2", "'link.j2'"),
    ],
)
def test_includes_see_only_j2_templates_in_the_folder(
    run: Run, archive: Path, tmp_path: Path, include: str, name: str
) -> None:
    folder = tmp_path / "tpl"
    (folder / "sub").mkdir(parents=True)
    (folder / "archive.json").write_text('{"private": "sólo por Signal"}', encoding="utf-8")
    (tmp_path / "secret.j2").write_text("secret", encoding="utf-8")
    (folder / "sub" / "part.j2").write_text("part", encoding="utf-8")
    (folder / "link.j2").symlink_to(tmp_path / "secret.j2")
    message = refused(run, tmp_path, f"a\n{{% include '{include}' %}}")
    assert message == f", line 2: it may include only the .j2 templates in its own folder, not {name}.\n"
    assert "Signal" not in message and "secret\n" not in message


def test_a_missing_include_is_still_named(run: Run, archive: Path, tmp_path: Path) -> None:
    assert refused(run, tmp_path, "{% include 'nope.j2' %}") == ", line 1: 'nope.j2' not found.\n"


def test_the_timer_is_cleared_after_a_template(run: Run, archive: Path, tmp_path: Path) -> None:
    import signal

    main = tmp_path / "ok.txt.j2"
    main.write_text("{{ count }}", encoding="utf-8")
    run.ok("export", "--template", str(main), "-o", "-")
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)


def test_long_numbers_in_ordinary_text_are_not_format_widths(run: Run, archive: Path, tmp_path: Path) -> None:
    main = tmp_path / "ok.txt.j2"
    main.write_text(
        "{{ 'Tel 0123456789 %s' % count }} {{ 'Ref 123456789 {}'.format(count) }}", encoding="utf-8"
    )
    assert run.ok("export", "--template", str(main), "-o", "-").stdout == "Tel 0123456789 2 Ref 123456789 2"
