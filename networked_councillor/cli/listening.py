"""`networked-councillor listen`: follow the live sources (Bluesky's Jetstream) until stopped, with no window.

For a council that keeps one machine listening, or a councillor who wants the live stream without the app open.
Ctrl+C (or SIGTERM from a service manager) stops it; the posts heard so far are stored with where to resume.
"""

from __future__ import annotations

import signal
import sys
import threading
import time

from networked_councillor.cli.args import EXIT_OK, EXIT_PARTIAL
from networked_councillor.ingest.live import LiveStatus, live_sources

REPORT_EVERY = 60.0
"""Seconds between status lines when nothing new is kept (a new post about the ward is reported at once)."""


def add_parsers(commands) -> None:
    listen = commands.add_parser("listen", help="follow the live sources (Bluesky, live) until stopped")
    listen.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")


def cmd_listen(app, args) -> int:
    rows = [r for r in live_sources(app.store, app.registry) if not args.source or r.id in args.source]
    if not rows:
        print("No live source is set up. Add one with `sources add bluesky-live \"Bluesky, live\"`.")
        return EXIT_PARTIAL
    cancel = threading.Event()
    last: dict[str, tuple[float, int]] = {}

    def report(status: LiveStatus) -> None:
        said_at, kept = last.get(status.source_id, (0.0, -1))
        if status.kept != kept or status.problem or time.monotonic() - said_at >= REPORT_EVERY:
            print(status.summary(), flush=True)
            last[status.source_id] = (time.monotonic(), status.kept)

    previous = signal.signal(signal.SIGTERM, lambda *_: cancel.set())
    print(f"Listening to {', '.join(r.name for r in rows)}. Press Ctrl+C to stop.", flush=True)
    worker = threading.Thread(target=lambda: app.listen(cancel, source_ids=[r.id for r in rows], on_status=report),
                              name="listen", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(timeout=0.5)
    except KeyboardInterrupt:
        print("Stopping…", file=sys.stderr)
    finally:
        cancel.set()
        worker.join(timeout=15)
        signal.signal(signal.SIGTERM, previous)
    print("Stopped. Listening resumes from here next time.")
    return EXIT_OK


HANDLERS = {"listen": cmd_listen}
