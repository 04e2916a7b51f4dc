"""Killing the app mid-fetch leaves a consistent database (SIGKILL, no chance to clean up)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from helpers import add_source, setup_ward

from networked_councillor.store import Store

ITEMS_PER_FEED = 600


def big_feed(path, prefix):
    entries = "".join(
        f"<item><guid>{prefix}-{n}</guid><title>Report {n} on Mill Lane</title>"
        f"<description>&lt;p&gt;{prefix}: bins not collected again, number {n}, AC4 2RD&lt;/p&gt;</description>"
        f"<pubDate>Tue, 24 Nov 2026 10:00:00 +0000</pubDate></item>"
        for n in range(ITEMS_PER_FEED)
    )
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>{prefix}</title>{entries}</channel></rss>')


def kill_during_a_write(child, database, nth):
    """SIGKILL the child the ``nth`` time it is seen holding the write lock: in the middle of a transaction."""
    seen, deadline = 0, time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        if database.exists():
            probe = sqlite3.connect(database, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
            except sqlite3.OperationalError:  # locked: the child is inside a write transaction
                seen += 1
                if seen >= nth:
                    child.send_signal(signal.SIGKILL)
                    break
            finally:
                probe.close()
        time.sleep(0.001)
    return child.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.realtime  # it kills a running process at a moment seen on the real clock
@pytest.mark.platform
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("nth", [1, 4, 12])
def test_sigkill_during_fetch_leaves_a_consistent_database(tmp_path, nth):
    data = tmp_path / "data"
    database = data / "networked-councillor.sqlite"
    store = Store(database)
    setup_ward(store)
    sources = []
    for prefix in ("alpha", "beta", "gamma"):
        feed = tmp_path / f"{prefix}.xml"
        big_feed(feed, prefix)
        sources.append(add_source(store, prefix, feed.as_uri()))
    store.close()

    env = {**os.environ, "NC_DATA_DIR": str(data)}
    child = subprocess.Popen([sys.executable, "-m", "networked_councillor", "fetch"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert kill_during_a_write(child, database, nth) == -signal.SIGKILL  # killed mid-write, not finished

    store = Store(data / "networked-councillor.sqlite")
    with store.read() as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')")  # raises if the index is off
        committed = 0
        for source_id in sources:
            count = db.execute("SELECT count(*) FROM items WHERE source_id = ?", [source_id]).fetchone()[0]
            committed += count > 0
            runs = db.execute("SELECT count(*) FROM fetch_log WHERE source_id = ? AND ok = 1", [source_id]).fetchone()[0]
            state = db["sources"].get(source_id)
            tagged = db.execute("SELECT count(*) FROM embeddings JOIN items ON items.id = embeddings.item_id "
                                "WHERE source_id = ?", [source_id]).fetchone()[0]
            # A source's items, their tags and embeddings, and its record of success arrive together, or not at all.
            assert (count, tagged, runs, state["last_success_at"] is not None) in (
                (0, 0, 0, False), (ITEMS_PER_FEED, ITEMS_PER_FEED, 1, True))
    assert committed < len(sources)
    store.close()
    # And the next run completes the work.
    done = subprocess.run([sys.executable, "-m", "networked_councillor", "fetch"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    store = Store(data / "networked-councillor.sqlite")
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 3 * ITEMS_PER_FEED
    store.close()
