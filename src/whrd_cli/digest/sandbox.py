"""The limits a user's `--template` runs under: what it may include, how much it may write, how
big a value it may build, and for how long it may run.

Jinja2's sandbox keeps a template away from Python's internals, but not from the machine's memory
and time: `{{ 'x' * 10000000000 }}` builds a 10 GB string, two nested loops over `range(100000)`
run for hours, and a plain `FileSystemLoader` lets `{% include %}` read any file beside the
template (an archive, say). Here:

- includes and imports see only the `*.j2` files in the template's own folder (no subfolders, no
  links leading out of it);
- no single value (a string or a list) may pass `VALUE_LIMIT` items: `*`, `+`, `**`, `~`, every
  filter and every method call are checked, and a number above it passed to a filter or method
  (`center(n)`), or a format width or precision of 10 million or more, is refused before
  anything is built;
- the output may not pass `output_limit(count)` characters, checked as it is written;
- rendering (loading included) may not pass `TIME_LIMIT` seconds: a timer interrupts it on Unix,
  and every checkpoint above looks at the clock too.

Each refusal raises `TemplateLimit`, which the caller reports as one line naming the template.
Jinja2 is imported only when a user template is rendered.
"""

from __future__ import annotations

import functools
import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..i18n import _, number

VALUE_LIMIT = 64 * 1024 * 1024  # characters of one string, items of one list
OUTPUT_BASE = 64 * 1024 * 1024  # characters a template may write, plus OUTPUT_PER_BULLETIN each
OUTPUT_PER_BULLETIN = 64 * 1024
TIME_LIMIT = 60.0  # seconds
INCLUDE_SUFFIX = ".j2"
# A width or precision of 10 million or more (8 digits) in a `%` or a `{:…}` format spec.
_HUGE_FORMAT = re.compile(r"%[-#0 +]*\d*\.?\d{8,}|\{[^{}]*:[^{}]*\d{8,}")


class TemplateLimit(Exception):
    """A user template went past one of the limits above (its message says which)."""


def output_limit(count: int) -> int:
    """How many characters a template may write for `count` bulletins."""
    return OUTPUT_BASE + OUTPUT_PER_BULLETIN * count


def output_too_big(limit: int) -> TemplateLimit:
    return TemplateLimit(_("its output passed the limit of {size} for this export").format(size=_mib(limit)))


def _mib(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size // (1024 * 1024)} MiB"
    return _("{size} characters").format(size=number(size))


class Deadline:
    """When rendering must stop; `check` raises once it has passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise TemplateLimit(self.message())

    def message(self) -> str:
        return _("it ran past the {seconds}-second time limit for a template").format(
            seconds=f"{self.seconds:g}"
        )


@contextmanager
def time_limit(deadline: Deadline) -> Iterator[None]:
    """Interrupt the rendering when `deadline` passes (a real timer on Unix, in the main thread;
    elsewhere the checkpoints alone)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise TemplateLimit(deadline.message())

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, max(deadline.end - time.monotonic(), 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_value(value: Any) -> Any:
    """`value` itself, unless it is a string or list past `VALUE_LIMIT`."""
    if isinstance(value, str | bytes | list | tuple) and len(value) > VALUE_LIMIT:
        raise TemplateLimit(_too_big())
    return value


def _too_big() -> str:
    return _("a value of more than {size} is too large for a template").format(size=_mib(VALUE_LIMIT))


def _check_size_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a number used as a size past `VALUE_LIMIT`, before anything is built."""
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > VALUE_LIMIT:
            raise TemplateLimit(
                _("the number {number} is too large for a template (the limit is {limit})").format(
                    number=arg, limit=VALUE_LIMIT
                )
            )


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _HUGE_FORMAT.search(text):
        raise TemplateLimit(
            _("a format width or precision of 10 million or more is too large for a template")
        )


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


def _sized(left: Any, right: Any) -> int:
    """The length `left * right` would have, for a sequence and a count (either way round)."""
    if isinstance(left, int) and not isinstance(left, bool):
        left, right = right, left
    if isinstance(left, str | bytes | list | tuple) and isinstance(right, int):
        return len(left) * max(right, 0)
    return 0


def limited_environment(folder: Path, deadline: Deadline, **options: Any) -> Any:
    """A `SandboxedEnvironment` under the limits above, loading templates from `folder`."""
    import jinja2
    from jinja2.compiler import CodeGenerator
    from jinja2.sandbox import SandboxedEnvironment

    class _Generator(CodeGenerator):
        """Every `a ~ b` is checked once joined, so a loop cannot double a string without end."""

        def visit_Concat(self, node: Any, frame: Any) -> None:
            self.write("environment.checked(")
            super().visit_Concat(node, frame)
            self.write(")")

    class _Loader(jinja2.BaseLoader):
        """Only the `*.j2` files in the template's own folder (and the template itself)."""

        def __init__(self, folder: Path, main: str | None) -> None:
            self.folder = folder
            self.main = main

        def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
            path = self.folder / template
            main = template == self.main
            plain = "/" not in template and "\\" not in template and template not in ("", ".", "..")
            target = Path(os.path.realpath(path))  # an include may not be a link leading out
            inside = main or target.parent == Path(os.path.realpath(self.folder))
            if not (plain and inside and (main or template.endswith(INCLUDE_SUFFIX))):
                raise TemplateLimit(
                    _("it may include only the {suffix} templates in its own folder, not {name!r}").format(
                        suffix=INCLUDE_SUFFIX, name=template
                    )
                )
            if not target.is_file():
                raise jinja2.TemplateNotFound(template, _("{name!r} not found").format(name=template))
            source = target.read_text(encoding="utf-8")
            mtime = target.stat().st_mtime
            return source, str(path), lambda: target.stat().st_mtime == mtime

        def list_templates(self) -> list[str]:
            return sorted(p.name for p in self.folder.glob(f"*{INCLUDE_SUFFIX}") if p.is_file())

    class _Limited(SandboxedEnvironment):
        code_generator_class = _Generator
        intercepted_binops = frozenset({"*", "**", "+", "%"})

        def checked(self, value: Any) -> Any:
            deadline.check()
            return check_value(value)

        def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
            deadline.check()
            if operator_ == "*" and _sized(left, right) > VALUE_LIMIT:
                raise TemplateLimit(_too_big())
            if operator_ == "**" and _power_too_big(left, right):
                raise TemplateLimit(
                    _("{left!r} ** {right!r} is too large a number for a template").format(
                        left=left, right=right
                    )
                )
            if operator_ == "%":
                _check_format(left)
            if operator_ == "+" and _length(left) + _length(right) > VALUE_LIMIT:  # before it is built
                raise TemplateLimit(_too_big())
            return check_value(super().call_binop(context, operator_, left, right))

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            deadline.check()
            _check_size_args(args, kwargs)
            method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
            owner = getattr(method, "__self__", None)
            if isinstance(owner, str) and getattr(method, "__name__", "") in ("format", "format_map"):
                _check_format(owner)
            return check_value(super().call(__context, __obj, *args, **kwargs))

    env = _Limited(loader=_Loader(folder, options.pop("main", None)), **options)
    for name, func in list(env.filters.items()):
        env.filters[name] = _limited_filter(func, deadline)
    return env


def _power_too_big(base: Any, exponent: Any) -> bool:
    """Whether `base ** exponent` is an integer of more than 10,000 bits (or a huge float)."""
    if not (isinstance(base, int | float) and isinstance(exponent, int | float)):
        return False
    size = abs(base)
    if size <= 1 or exponent <= 0:
        return False
    return exponent * math.log2(size) > 10_000


def _limited_filter(func: Callable[..., Any], deadline: Deadline) -> Callable[..., Any]:
    """A filter that refuses size arguments past the limit and results past it."""

    value_at = 1 if hasattr(func, "jinja_pass_arg") else 0  # after a context, if it takes one

    @functools.wraps(func)
    def limited(*args: Any, **kwargs: Any) -> Any:
        deadline.check()
        _check_size_args(args[value_at + 1 :], kwargs)  # the value itself may be any number
        if func.__name__ == "do_format" and len(args) > value_at:
            _check_format(args[value_at])
        return check_value(func(*args, **kwargs))

    return limited
