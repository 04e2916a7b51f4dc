"""Argument types shared by the command groups: bad input is a one-line error and exit 2, never a traceback."""

from __future__ import annotations

import argparse

MAX_ID = 2**63 - 1  # SQLite's largest row id


def count_between(low: int, high: int):
    """An argparse type: a whole number from ``low`` to ``high``, or a one-line error (exit 2)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is not between {low:,} and {high:,}")
        return value

    return parse
