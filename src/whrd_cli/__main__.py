"""Entry point for `whrd` and `python -m whrd_cli`."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run the CLI, then leave without tearing down the heap.

    A command has finished all its work (archive writes are fsynced and renamed, the lock
    released) when the app returns; freeing a parsed 100k-bulletin archive object by object
    would only add ~50 ms to every run. Output streams are flushed first.
    """
    from .cli import app

    code: int | str | None = 0
    try:
        app(prog_name="whrd")
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):  # sys.exit("message") convention
        sys.stderr.write(code + "\n")
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `whrd list | head`: the reader left; nothing more to say
        pass
    os._exit(code or 0)


if __name__ == "__main__":
    main()
