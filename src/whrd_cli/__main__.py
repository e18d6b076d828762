"""Entry point for `whrd` and `python -m whrd_cli`."""

from __future__ import annotations


def main() -> None:
    from .cli import app

    app(prog_name="whrd")


if __name__ == "__main__":
    main()
