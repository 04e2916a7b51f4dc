"""`networked-councillor briefing`: the morning briefing as a PDF or HTML page (or printed here as text)."""

from __future__ import annotations

from pathlib import Path

from networked_councillor.base import clock
from networked_councillor.cli.args import EXIT_OK, moment


def add_parsers(commands) -> None:
    briefing = commands.add_parser("briefing", help="the morning briefing: what is new, waiting, due and failing")
    briefing.add_argument("--out", type=Path, metavar="FILE", help="write it as FILE.pdf or FILE.html")
    briefing.add_argument("--since", type=moment, metavar="WHEN",
                          help="count as new what came after this (default: 24 hours ago), e.g. 2026-12-06")


def cmd_briefing(app, args) -> int:
    from networked_councillor.printing import briefing

    with app.store.read() as db:
        page = briefing.build(db, clock.utcnow(), args.since)
    if args.out:
        print(f"Wrote {briefing.write(page, args.out)}.")
    else:
        print(briefing.to_text(page))
    return EXIT_OK


HANDLERS = {"briefing": cmd_briefing}
