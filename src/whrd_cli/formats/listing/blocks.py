"""A listing's lines, cleaned of copy-paste debris, grouped into blocks: heading, summary, date line.

Lines end at CRLF, CR, LF or any Unicode line break; each is normalised (invisible characters
dropped, every run of spaces made one space, stripped), keeping its 1-based number as an editor
counts. Blocks are separated by any number of blank lines, or none: a date line ends a block; a
line after a summary line ending in `[…]`, or one that starts like a heading (`NEWS / …`), starts
the next (the block before it then has no date line). The summary is the lines between heading
and date line; wrapped lines are joined with a space, paragraphs with a
blank line, and a final `[…]` or `[...]` is removed and sets `truncated`. In a listing laid out
as published (blank lines around the summary), a heading a mail program wrapped over two or three
lines is joined back (`_unwrap_headings`).

A summary line starting with a backslash is escaped (the writer escapes summary lines that would
read as a date line, a heading or a final `[…]`): it is summary text whatever it looks like, its
own `[…]` ends nothing, and the one backslash is removed.
"""

from __future__ import annotations

import re

from msgspec import Struct, field

from ...i18n import _
from ...text import INVISIBLE, SPACES
from .. import Location, RecordError
from .dateline import date_shaped, read_date_line
from .heading import has_label_prefix

_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# The truncation marker at the end of a summary: `[…]`, `[...]`, `(…)`, `(...)`.
MARKER_AT_END = re.compile(r"\s*(?:\[\s*(?:…|\.{2,})\s*\]|\(\s*(?:…|\.{3})\s*\))$")
# The quote marks a mail reply puts before every line (`> `, `> > `, `>>`).
_QUOTED = re.compile(r"^(?:>\s?)+")
ESCAPE = "\\"  # starts a summary line that must be read as text (see the module docstring)


class Line(Struct, frozen=True):
    number: int  # 1-based, as an editor counts
    text: str  # normalised: one space between words, no invisible characters


class Block(Struct):
    heading: Line
    body: list[Line] = field(default_factory=list)
    paragraph_starts: set[int] = field(default_factory=set)  # body indexes after a blank line
    date: Line | None = None
    # Laid out as the network publishes, a blank line after the heading and before the date line
    # (`_unwrap_headings` reads a file's layout from them).
    blank_after_heading: bool = False
    blank_before_date: bool = False
    # The heading's text; a heading wrapped over several lines (a mailed listing) joined into one.
    heading_text: str = ""

    def __post_init__(self) -> None:
        self.heading_text = self.heading_text or self.heading.text


def split_lines(text: str) -> list[Line]:
    """Every line of a text, numbered and normalised; a listing quoted in a mail reply (every
    line after `>`) without its quote marks."""
    lines = [
        Line(number, SPACES.sub(" ", raw.translate(INVISIBLE)).strip())
        for number, raw in enumerate(_BREAKS.split(text), start=1)
    ]
    if any(line.text for line in lines) and all(line.text.startswith(">") for line in lines if line.text):
        lines = [Line(line.number, _QUOTED.sub("", line.text)) for line in lines]
    return lines


def segment(lines: list[Line], source: str, errors: list[RecordError]) -> list[Block]:
    """Group lines into blocks: a heading, summary lines, and (normally) a date line.

    A date line with no block above it is appended to `errors`; a block without a date line is
    still returned (the reader reports it, with its heading's line)."""
    blocks: list[Block] = []
    current: Block | None = None
    blank_before = True
    for index, line in enumerate(lines):
        if not line.text:
            blank_before = True
            continue
        after_blank, blank_before = blank_before, False
        if current is not None and line.text.startswith(ESCAPE):
            if after_blank and current.body:
                current.paragraph_starts.add(len(current.body))
            current.body.append(line)
            continue
        shaped = date_shaped(line.text)
        if current is None:
            # A readable date where a heading should be is a stray date line; a heading that
            # merely looks like one ("2017 in review") is a heading.
            if shaped and read_date_line(line.text)[0] is not None:
                errors.append(
                    RecordError(
                        source,
                        Location("line", line.number),
                        "date",
                        _("a date line ({line!r}) with no heading and summary above it").format(
                            line=line.text
                        ),
                    )
                )
            else:
                current = Block(line)
            continue
        if shaped and _is_date_line(line, index, lines, current, after_blank):
            current.date = line
            current.blank_before_date = after_blank
            blocks.append(current)
            current = None
            continue
        ended = bool(current.body) and _ends_in_marker(current.body[-1])
        if ended or has_label_prefix(line.text):
            blocks.append(current)  # a new heading: the block before it has no date line
            current = Block(line)
            continue
        if after_blank and current.body:
            current.paragraph_starts.add(len(current.body))
        current.blank_after_heading = current.blank_after_heading or (after_blank and not current.body)
        current.body.append(line)
    if current is not None:
        blocks.append(current)
    return _unwrap_headings(blocks)


# The most lines a wrapped heading continues on (a long heading mailed at 72 columns takes two).
_WRAPPED_LINES = 2
# A line that ends a sentence with a full stop (a summary's paragraph does; a title, which may end
# in ! or ?, does not): then nothing was wrapped. Nor when the heading ends in hashtags (it is
# whole), unless what follows is only more hashtags (wrapped between two of them).
_FULL_STOP = re.compile(r"[.…:;][\"'”’»)\]]*$")
_ENDS_IN_TAG = re.compile(r"#\S+$")
_HASHTAGS = re.compile(r"#\S+(?:\s+#\S+)*")


def _unwrap_headings(blocks: list[Block]) -> list[Block]:
    """In a listing laid out as published (blank lines after a heading or before a date line), a
    heading followed with no blank line by one or two lines that end no sentence, then a blank line
    and the summary, is a heading a mail program wrapped: those lines are the rest of its title, not
    a paragraph of its summary. A listing with no blank line in either place is left as it is."""
    if not any(block.blank_after_heading or block.blank_before_date for block in blocks):
        return blocks
    for block in blocks:
        if block.blank_after_heading or not block.paragraph_starts:
            continue
        cut = min(block.paragraph_starts)
        wrapped = block.body[:cut]
        if cut > _WRAPPED_LINES or any(line.text.startswith(ESCAPE) for line in wrapped):
            continue
        if any(_FULL_STOP.search(line.text) for line in [block.heading, *wrapped]):
            continue
        if _ENDS_IN_TAG.search(block.heading.text) and not all(_HASHTAGS.fullmatch(x.text) for x in wrapped):
            continue
        block.heading_text = " ".join([block.heading.text, *(line.text for line in wrapped)])
        block.body = block.body[cut:]
        block.paragraph_starts = {n - cut for n in block.paragraph_starts if n > cut}
        block.blank_after_heading = True
    return blocks


def _is_date_line(line: Line, index: int, lines: list[Line], block: Block, after_blank: bool) -> bool:
    """A readable date is a date line; an unreadable one only where a date line stands, and not
    when the block's readable date line follows it (then it is summary text, such as `2017`)."""
    if read_date_line(line.text)[0] is not None:
        return True
    following = next((lines[n].text for n in range(index + 1, len(lines)) if lines[n].text), None)
    if following is not None and date_shaped(following) and read_date_line(following)[0] is not None:
        return False
    before_blank = index + 1 == len(lines) or not lines[index + 1].text
    after_marker = bool(block.body) and _ends_in_marker(block.body[-1])
    return after_blank or before_blank or after_marker or not block.body


def _ends_in_marker(line: Line) -> bool:
    """Whether a summary line ends in `[…]` that counts (an escaped line's does not)."""
    return not line.text.startswith(ESCAPE) and bool(MARKER_AT_END.search(line.text))


def summary(block: Block) -> tuple[str, bool]:
    """A block's summary text, and whether it ended in the truncation marker (then removed)."""
    paragraphs: list[list[str]] = []
    for index, line in enumerate(block.body):
        if index == 0 or index in block.paragraph_starts:
            paragraphs.append([])
        paragraphs[-1].append(line.text.removeprefix(ESCAPE))
    text = "\n\n".join(" ".join(lines) for lines in paragraphs)
    marker = MARKER_AT_END.search(text) if block.body and _ends_in_marker(block.body[-1]) else None
    if marker:
        return text[: marker.start()].rstrip(), True
    return text, False
