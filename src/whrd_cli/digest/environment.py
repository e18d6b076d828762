"""Rendering a digest with Jinja2: the shipped templates' environment, the sandbox a user's
`--template` runs in, streaming the output, and template errors told in one line.

The HTML environment autoescapes, and so does a user template whose name says it makes markup
(`page.html.j2`); Markdown templates pass text through the `md` filter. A user's template runs in
Jinja2's sandbox, and anything that goes wrong in it becomes one `TemplateError` naming the file
and line. Jinja2 is imported only here, and only when a digest is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import TemplateError
from ..i18n import N_, _, translate
from .context import DigestOptions, digest_context
from .escape import md_escape, md_inline, md_url

if TYPE_CHECKING:
    from jinja2 import Environment, Template

TEMPLATES = Path(__file__).parent.parent / "templates"
# A user template whose name ends like this is HTML or XML, so its output is autoescaped.
_MARKUP_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xml", ".svg"})
_TEMPLATE_SUFFIXES = frozenset({".j2", ".jinja", ".jinja2"})
# Template pieces joined per write: a digest of 100,000 bulletins is millions of small strings.
_PIECES_PER_WRITE = 8192


def render_digest(
    pairs: Iterable[tuple[int, Mapping[str, Any]]], out: TextIO, options: DigestOptions, *, shipped: str
) -> None:
    """Render the shipped template `shipped`, or the user's `options.template`, into `out`.

    `pairs` are the bulletins in reading order, as `(id, stored dict)`.
    """
    data = digest_context(pairs, options)
    html = shipped.endswith(".html.j2")
    if options.template is None:
        _stream(_shipped_environment(html).get_template(shipped).generate(**data), out)
        return
    import jinja2

    from .sandbox import TIME_LIMIT, Deadline, TemplateLimit, output_limit, time_limit

    path = options.template
    deadline = Deadline(TIME_LIMIT)
    try:
        with time_limit(deadline):
            template = _user_template(path, html=html, deadline=deadline)
            _stream(template.generate(**data), out, limit=output_limit(data["count"]), deadline=deadline)
    except TemplateError:
        raise
    except TemplateLimit as exc:
        raise TemplateError(_describe(path, exc, *_template_line(exc))) from exc
    except jinja2.TemplateSyntaxError as exc:  # in a template it includes
        raise TemplateError(_describe(path, exc, exc.filename, exc.lineno)) from exc
    except Exception as exc:  # anything a user's template does wrong is the user's to fix
        raise TemplateError(_describe(path, exc, *_template_line(exc))) from exc


def _stream(pieces: Iterator[str], out: TextIO, *, limit: int | None = None, deadline: Any = None) -> None:
    """Write a template's output as it is produced, never the whole of it as one string; a user's
    template stops past `limit` characters or its `deadline`.

    Whether `out` is a file being written atomically or a buffer, a failing template leaves
    nothing behind: the caller discards the temp file or the buffer.
    """
    written = 0
    while True:
        batch = "".join(islice(pieces, _PIECES_PER_WRITE))
        if not batch:
            return
        written += len(batch)
        if limit is not None and written > limit:
            from .sandbox import output_too_big

            raise output_too_big(limit)
        if deadline is not None:
            deadline.check()
        out.write(batch)


def user_template_suffix(path: Path) -> str:
    """The extension a user template produces: `news.txt.j2` -> `.txt`; '' when it names none."""
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in _TEMPLATE_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _configure(env: Environment) -> Environment:
    env.filters["md"] = md_escape
    env.filters["md_url"] = md_url
    env.filters["md_inline"] = md_inline
    return env


@cache
def _shipped_environment(html: bool) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return _configure(
        Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=html,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    )


def _user_template(path: Path, *, html: bool, deadline: Any) -> Template:
    """Load a user's template in the limited sandbox; includes are the `*.j2` beside it."""
    import jinja2

    from .sandbox import limited_environment

    if not path.is_file():
        if path.is_dir():
            message = _("The template {path} is a folder; give a Jinja2 template file.")
        else:
            message = _("The template {path} does not exist; give a Jinja2 template file.")
        raise TemplateError(message.format(path=path))
    markup = html or user_template_suffix(path) in _MARKUP_SUFFIXES
    env = _configure(
        limited_environment(
            path.parent,
            deadline,
            main=path.name,
            autoescape=markup,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    )
    try:
        return env.get_template(path.name)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(_describe(path, exc, exc.filename, exc.lineno)) from exc
    except UnicodeDecodeError as exc:
        raise TemplateError(_("The template {path} is not UTF-8 text.").format(path=path)) from exc
    except (OSError, jinja2.TemplateError) as exc:
        raise TemplateError(
            _("Cannot read the template {path}: {reason}.").format(path=path, reason=exc)
        ) from exc


def _template_line(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an error happened on, innermost first.

    Jinja2 rewrites a rendering traceback so that its frames carry template files and lines;
    every other frame is Python code (`.py`).
    """
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


# Jinja2 names an object by its class's module and name; a template's author knows it by the
# name the README gives it.
_CONTEXT_OBJECT = re.compile(r"'whrd_cli\.digest\.\w+\.(\w+) object'")
# (`labels` and `period` are the names a template uses: never translated.)
_CONTEXT_NAMES = {
    "DigestBulletin": N_("a bulletin"),
    "DigestGroup": N_("a group"),
    "Labels": "labels",
    "Period": "period",
    "FilterLine": N_("a filter"),
}
# Jinja2's own words for a name a template cannot use, said again in the interface's language.
_UNKNOWN_NAME = (
    (re.compile(r"(?P<thing>.+) has no attribute (?P<name>'[^']*')"), N_("{thing} has no attribute {name}")),
    (re.compile(r"(?P<name>'[^']*') is undefined"), N_("{name} is undefined")),
    (re.compile(r"No filter named (?P<name>'[^']*')\.?"), N_("there is no filter named {name}")),
    (re.compile(r"No test named (?P<name>'[^']*')\.?"), N_("there is no test named {name}")),
)


def _describe(path: Path, exc: BaseException, filename: str | None, line: int | None) -> str:
    if filename and Path(filename).resolve() != path.resolve():
        where = _("The template {name} (included by {path})").format(name=Path(filename).name, path=path)
    else:
        where = _("The template {path}").format(path=path)
    if line:
        where = _("{where}, line {line}").format(where=where, line=line)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, RecursionError):
        message = _("it calls itself without end")
    elif isinstance(exc, ZeroDivisionError):
        message = _("division by zero")
    message = _CONTEXT_OBJECT.sub(_context_name, message)
    if any(
        words in message for words in ("has no attribute", "is undefined", "No filter named", "No test named")
    ):
        for pattern, words in _UNKNOWN_NAME:
            said = pattern.fullmatch(message)
            if said:
                message = translate(words).format(**said.groupdict())
                break
        message = _("{message} (the README lists the names a template can use)").format(message=message)
    return f"{where}: {message.rstrip('.')}."


def _context_name(found: re.Match[str]) -> str:
    name = _CONTEXT_NAMES.get(found[1])
    return translate(name) if name else found[1]
