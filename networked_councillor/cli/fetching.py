"""`networked-councillor fetch` and `demo`: new items in from the sources (retention applied after)."""

from __future__ import annotations

import sys
import threading

from networked_councillor.base.errors import FetchBusy
from networked_councillor.cli.args import EXIT_OK, EXIT_PARTIAL
from networked_councillor.cli.progress import ProgressBar
from networked_councillor.cli.sources import print_plugin_failures


def add_parsers(commands) -> None:
    fetch = commands.add_parser("fetch", help="fetch new items from the enabled sources")
    fetch.add_argument("--source", action="append", metavar="ID", help="fetch only this source (repeatable)")

    demo = commands.add_parser("demo", help="load the fictional demo ward (Millbrook) and fetch its sources")
    demo.add_argument("--force", action="store_true", help="load it even though another ward is set up here")


def cmd_fetch(app, args) -> int:
    bar = ProgressBar() if sys.stderr.isatty() else None
    cancel = threading.Event()
    try:
        report = app.fetch(args.source, cancel=cancel, progress=bar)
    except FetchBusy as busy:
        print(busy)
        return EXIT_OK
    except KeyboardInterrupt:
        cancel.set()
        raise
    finally:
        if bar:
            bar.close()
    print_plugin_failures(app)
    if not report.outcomes:
        print("No enabled sources to fetch. Add one with `sources add`, or load the demo ward with `demo`.")
        return EXIT_OK
    for outcome in report.outcomes:
        print(("  ok    " if outcome.ok else "  FAIL  ") + outcome.summary())
        for warning in outcome.warnings:
            print(f"        {warning}")
    print(f"{report.new} new items.")
    if report.retention_problem or report.retention.total:
        print(report.retention_problem or report.retention.summary())
    if app.tagger_problem:
        print(f"Items were stored without topics: {app.tagger_problem}")
    return EXIT_OK if report.ok else EXIT_PARTIAL


def cmd_demo(app, args) -> int:
    from networked_councillor.demo import load_demo

    summary = load_demo(app, force=args.force)
    print(summary)
    return EXIT_OK


HANDLERS = {"fetch": cmd_fetch, "demo": cmd_demo}
