"""What "no English left" means in a test: the English words a Spanish text must not hold.

`english_left(text)` returns the English words found in the lines of `text` that are whrd's own
prose: lines that are command examples (`whrd …`), option and metavar columns are kept, but the
words checked are English function words and whrd's own English vocabulary, which Spanish never
uses as words. Shared by the tests of the Spanish interface (import it, do not copy it).
"""

from __future__ import annotations

import re

# Words that are never Spanish words; the function words catch any English sentence.
ENGLISH = frozenset(
    """the and of with to is are was were be been this that these those which from for into
    not no-longer only every each any some than then there their it its you your yes
    bulletin bulletins archive country countries category tag tags summary title show list
    search found match matches missing invalid unknown usage options arguments commands
    default required help example examples file folder date since until language languages
    delete deleted added updated imported exported skipped nothing none share
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Words that are the same in both languages or are names: never counted.
ALLOWED = frozenset({"no", "a", "de", "en", "es", "id", "url", "json", "csv", "html", "atom", "jsonl"})
_WRAPPED_QUOTE = re.compile(r"'[^'\n]*\n[^'\n]*'")
_WORD = re.compile(r"[A-Za-zÀ-ÿ]+")
# option names, quoted values, metavars, variables, file names and paths
_NOT_PROSE = re.compile(r"(--?[\w-]+|'[^']*'|\"[^\"]*\"|`[^`]*`|<[^>]*>|\$\w+|\S+\.\w{2,4}\b|\S+/\S+)")


def english_left(text: str) -> list[str]:
    """The English words of `text`, outside example lines, option names and quoted values."""
    found: list[str] = []
    text = _WRAPPED_QUOTE.sub(" ", text)  # a quoted value that help wrapped onto the next line
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("whrd ", "$ whrd", "# ")):
            continue
        prose = _NOT_PROSE.sub(" ", line)
        prose = re.sub(r"\bwhrd\b.*", " ", prose)  # the rest of the line is a command example
        found += [w for w in _WORD.findall(prose) if w.lower() in ENGLISH and w.lower() not in ALLOWED]
    return found
