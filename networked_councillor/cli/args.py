"""What the command groups share: exit codes, argument types (bad input is a one-line error and exit 2, never a
traceback), and asking before a change that cannot be undone."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from networked_councillor.base import clock

EXIT_OK, EXIT_PARTIAL, EXIT_ERROR = 0, 1, 2
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


def confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        print(f"{question} Pass --yes to confirm.", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def when(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y %H:%M")


def moment(text: str) -> datetime:
    """A time typed on the command line ("2026-12-06" or "2026-12-06T08:00"), local time if it has no offset."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-12-06 or 2026-12-06T08:00") from None
    return value if value.tzinfo else value.astimezone()


def export_path(fmt: str, given: Path | None) -> Path:
    """Where an export goes: the path given, or a dated file in the current folder."""
    return given or Path(f"casework-{clock.today().isoformat()}.{fmt}")
