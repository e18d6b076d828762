"""Every error whrd reports to a user, each carrying its documented exit code.

The CLI turns a `WhrdError` into one line on stderr and its exit code; anything else
that escapes is a bug. Messages name the bad value and, where there is one, the fix.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INPUT = 1  # bad input, or something asked for does not exist
EXIT_USAGE = 2  # the command line itself is wrong (Typer/Click's own code)
EXIT_ARCHIVE = 3  # the archive is corrupt, foreign, newer, locked too long or unwritable
EXIT_LOCKED = 4  # the archive is encrypted and no passphrase could open it (locked, wrong passphrase)
EXIT_REMOTE = 5  # a sync server cannot be reached or refuses (network, TLS, login, database, server error)


class WhrdError(Exception):
    """Base class: a user-facing problem with a message and an exit code.

    `field` and `value` say what the error is about (a bulletin field such as "date", and what was
    given), so callers that report errors per record never read them out of the message.
    """

    exit_code = EXIT_INPUT
    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field
        self.value = value

    def __str__(self) -> str:
        return self.message


class InputError(WhrdError):
    """A value the user gave cannot be accepted."""


class DateError(InputError):
    """A date that cannot be read exactly."""

    field = "date"


class IncompleteDateError(DateError):
    """A date without its day, month or year; `missing` names the parts, in that order."""

    def __init__(self, message: str, *, value: object = None, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message, value=value)
        self.missing = missing


class WeekdayError(DateError):
    """A date whose text names a weekday it does not fall on (`lunes 3 de marzo de 2024`)."""

    def __init__(self, message: str, *, value: object, day: str, named: int, actual: int) -> None:
        super().__init__(message, value=value)
        self.day, self.named, self.actual = day, named, actual  # ISO date; weekdays, Monday 0


class CountryError(InputError):
    """A country that is not known by name or code."""

    field = "countries"


class ValidationError(InputError):
    """A bulletin that breaks a rule of the data model."""


class NotFoundError(WhrdError):
    """An id that is not in the archive."""


class DuplicateError(InputError):
    """A bulletin that is already in the archive (same date, title and language)."""

    def __init__(self, message: str, existing_id: int) -> None:
        super().__init__(message, value=existing_id)
        self.existing_id = existing_id


class ParseError(InputError):
    """Input in a file format that cannot be read; carries where it went wrong."""


class QueryError(InputError):
    """A search query that cannot be parsed."""


class OutputError(WhrdError):
    """An output file that cannot or must not be written."""


class TemplateError(InputError):
    """A user's digest template that cannot be read or rendered; names the file and line."""


class ArchiveError(WhrdError):
    """The archive file itself cannot be used: corrupt, foreign, newer, locked or unwritable."""

    exit_code = EXIT_ARCHIVE


class LockedError(ArchiveError):
    """An encrypted archive that stays closed: no session and no terminal to ask, or a wrong
    passphrase (a damaged encrypted file is an ArchiveError, exit 3)."""

    exit_code = EXIT_LOCKED


class RemoteError(WhrdError):
    """A sync server that cannot be reached or refuses what whrd asks (network, DNS, TLS, a login
    refused, a database that is not there, a server error); `status` is the HTTP status, if any."""

    exit_code = EXIT_REMOTE

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
