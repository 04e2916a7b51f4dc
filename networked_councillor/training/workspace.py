"""The training workspace: a separate data folder seeded with the demo ward, reset to its start in seconds.

It lives in ``training/`` inside the app's data folder, never touching the
councillor's own data. The first start loads the demo ward (its feeds are read
from local files) and its casework, then keeps a copy of that database as the
starting state; "Reset" copies it back over the live database through SQLite's
backup API, so the open window keeps working on the same connection. From the
moment training starts, nothing can leave the computer (`core.netguard`).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from networked_councillor.app import App
from networked_councillor.base import netguard, paths
from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import StoreError
from networked_councillor.store import settings as settings_store
from networked_councillor.training.exercises import FIRST_TRAINEE_EVENT, FIRST_TRAINEE_ISSUE
from networked_councillor.training.progress import Progress

log = logging.getLogger(__name__)

FOLDER = "training"
STARTING_STATE = "starting-state.sqlite"
BANNER = "Training: nothing is posted or sent"


def training_folder(data_dir: str | Path | None = None) -> Path:
    return paths.data_dir(data_dir) / FOLDER


def open_workspace(data_dir: str | Path | None = None, **app_options) -> App:
    """The training App (seeded on first use), with the network closed to everything but this computer."""
    netguard.loopback_only()
    folder = training_folder(data_dir)
    app = App(folder / "workspace", **app_options)
    app.training = True
    app.progress = Progress(folder)
    starting = folder / STARTING_STATE
    if not starting.is_file():
        _seed(app, starting)
    _start_services(app)
    return app


def _start_services(app: App) -> None:
    """The demo's Bluesky service and a pretend council's Open311 service, both on this computer; their
    addresses change each run, so the workspace's settings are pointed at them."""
    from networked_councillor.demo import start_demo_services
    from networked_councillor.demo.open311 import LocalCouncil
    from networked_councillor.exporters.open311 import SETTING_ENDPOINT, SETTING_JURISDICTION

    start_demo_services(app)
    if getattr(app, "council", None) is None:
        app.council = LocalCouncil(api_key=None)
        app.council.start()
        app.on_close.append(app.council.close)
    with app.store.write() as db:
        settings_store.set_setting(db, SETTING_ENDPOINT, app.council.endpoint)
        settings_store.set_setting(db, SETTING_JURISDICTION, None)


def _seed(app: App, starting: Path) -> None:
    from networked_councillor.demo import load_demo

    began = time.monotonic()
    log.info("seeding the training workspace:\n%s", load_demo(app, force=True))
    with app.store.write() as db:
        last = db.execute("SELECT coalesce(max(id), 0) FROM issues").fetchone()[0]
        settings_store.set_setting(db, FIRST_TRAINEE_ISSUE, last + 1)
        last = db.execute("SELECT coalesce(max(id), 0) FROM issue_events").fetchone()[0]
        settings_store.set_setting(db, FIRST_TRAINEE_EVENT, last + 1)
    with app.store.read():
        app.store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = sqlite3.connect(starting.with_suffix(".partial"))
    try:
        with app.store.read():
            app.store.db.conn.backup(copy)
    finally:
        copy.close()
    starting.with_suffix(".partial").replace(starting)
    log.info("training workspace ready in %.1f s", time.monotonic() - began)


def reset_workspace(app: App) -> float:
    """Put the workspace back as it was when first seeded; seconds taken. Progress records are kept."""
    starting = Path(app.data_dir).parent / STARTING_STATE
    if not starting.is_file():
        raise StoreError("The training workspace has no starting state to go back to.",
                         hint="Close the app, delete the training folder and start training again.")
    began = time.monotonic()
    source = sqlite3.connect(f"file:{starting}?mode=ro", uri=True)
    try:
        with app.store.read():  # holds the store's lock: no write can be half-way through
            source.backup(app.store.db.conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"The training workspace could not be reset: {exc}.") from exc
    finally:
        source.close()
    _start_services(app)
    app.announce(Changes(ward=True, sources=True, topics=True, settings=True, inbox=True, issues=True))
    return time.monotonic() - began
