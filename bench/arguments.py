"""The command line of a benchmark: its description and its numeric options."""

from __future__ import annotations

import argparse


def arguments(doc: str | None, **defaults: float) -> argparse.ArgumentParser:
    """A parser described by the first line of ``doc``, with an option ``--name`` for each
    default (``_`` in the name becomes ``-``), of the default's type."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n")[0])
    for name, default in defaults.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    return parser
