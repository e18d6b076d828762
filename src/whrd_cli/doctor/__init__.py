"""`whrd doctor` as a use case: examine an archive and the files beside it, and report what a
careful maintainer would look at, as data (`Report`); `--fix` makes the safe repairs.

Guarantees: `examine` never writes and never waits for a lock; `repair` changes no byte of the
archive (see `fixes`). Each check is a function of the `Subject` (the archive read once) giving
`Finding`s; `CHECKS` is their table, in the report's order: a new check is one function and one
row here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from msgspec import Struct
from msgspec.structs import replace

from ..i18n import N_, translate
from . import archive_checks, conflict_check, files, index_check, link_checks, revision_checks, similar
from .report import CheckResult, Finding, Report
from .subject import Subject

Check = Callable[[Subject], list[Finding]]


class CheckSpec(Struct, frozen=True):
    """A check's stable name (JSON), its title (translated when shown), its function, and
    whether it reads the bulletins (skipped when the archive cannot be read)."""

    name: str
    title: str
    run: Check
    needs_archive: bool = True


CHECKS: list[CheckSpec] = [
    CheckSpec("archive", N_("Archive shape and schema"), archive_checks.archive_shape, needs_archive=False),
    CheckSpec("bulletins", N_("Bulletins damaged by hand"), archive_checks.damaged_bulletins),
    CheckSpec("ids", N_("Ids and uids"), archive_checks.ids_and_uids),
    CheckSpec("revisions", N_("Revision chains"), revision_checks.revision_chains),
    CheckSpec("links", N_("Links between bulletins"), link_checks.links),
    CheckSpec("index", N_("Search index"), index_check.search_index),
    CheckSpec("backups", N_("Backups"), files.backups_readable, needs_archive=False),
    CheckSpec("modes", N_("File modes"), files.file_modes, needs_archive=False),
    CheckSpec("plain-text", N_("Plain text beside an encrypted archive"), files.plain_beside_encrypted),
    CheckSpec("temp-files", N_("Temp files"), files.temp_files, needs_archive=False),
    CheckSpec("lock", N_("Lock file"), files.lock_file, needs_archive=False),
    CheckSpec("duplicates", N_("Likely duplicates"), similar.likely_duplicates),
    CheckSpec("tags", N_("Similar tags"), similar.similar_tags),
    CheckSpec("categories", N_("Similar categories"), similar.similar_categories),
    CheckSpec("conflicts", N_("Open conflicts"), conflict_check.open_conflicts),
]


def examine(path: Path, *, config: Path | None = None) -> tuple[Subject, Report]:
    """Run every check on the archive at `path` (and the config file, for its mode)."""
    subject = Subject.read(path, config=config)
    results = []
    for spec in CHECKS:
        title = translate(spec.title)
        if spec.needs_archive and subject.load_error is not None:
            results.append(CheckResult(spec.name, title, skipped=True))
        else:
            results.append(CheckResult(spec.name, title, tuple(spec.run(subject))))
    damaged = subject.load_error is not None or subject.damage is not None
    report = Report(
        path, subject.tables is not None or subject.load_error is not None, tuple(results), damaged
    )
    return subject, report


def repair(path: Path, *, config: Path | None = None) -> Report:
    """Examine, make the safe repairs, and examine again: the report of the archive as it is now,
    with what was done."""
    from .fixes import apply_fixes

    subject, report = examine(path, config=config)
    done = apply_fixes(subject, report)
    if not done:
        return report
    _subject, after = examine(path, config=config)
    return replace(after, fixed=tuple(done))


__all__ = ["CHECKS", "CheckSpec", "Report", "examine", "repair"]
