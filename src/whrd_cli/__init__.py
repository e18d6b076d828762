"""whrd: a command-line archive manager for the dated bulletins of a network of women human rights
defenders. The library (model, store, formats, search) never prints; `whrd_cli.cli` is a thin layer."""

__version__ = "0.1.0"
