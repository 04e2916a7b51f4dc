"""Live Bluesky (Jetstream) with the real `websockets` client against a local server replaying a recorded stream:
the ward's posts kept and nothing else, resuming after a drop or a kill without loss or duplicates, back-off,
and messages that are not JSON."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from localjetstream import WARD, LocalJetstream, recording, ward_posts
from nc_bluesky.live import Screen

from networked_councillor.app import App
from networked_councillor.base import clock, paths
from networked_councillor.base.ward import WardProfile
from networked_councillor.ingest.live import LiveListener
from networked_councillor.ingest.relevance import RelevanceScorer
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store

DEMO_WARD = Path(__file__).parent.parent / "training_material" / "demo_ward" / "ward.json"
START_US = int(clock.utcnow().timestamp() * 1_000_000)


def set_up(data: Path, address: str) -> str:
    with App(data, log_to_file=False) as app, app.store.write() as db:
        settings_store.save_ward(db, WardProfile.load(DEMO_WARD), clock.now_iso())
        return source_store.add(db, "bluesky-live", "Bluesky, live", {"address": address}, clock.now_iso())


def kept(data: Path, source_id: str) -> list[str]:
    """What the data folder holds, read as another process would (the listener may be writing)."""
    with closing(sqlite3.connect(paths.database_path(data), timeout=30)) as db:
        return [r[0] for r in db.execute("SELECT external_id FROM items WHERE source_id = ?", [source_id])]


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        threading.Event().wait(0.05)  # not time.sleep, which fails under faketime


def listen_until(app, condition, timeout=60.0):
    cancel = threading.Event()
    worker = threading.Thread(target=app.listen, args=(cancel,), daemon=True)
    worker.start()
    try:
        wait_for(condition, timeout)
    finally:
        cancel.set()
        worker.join(timeout=30)


def test_screening_never_drops_a_post_the_relevance_rules_keep():
    ward = WardProfile.load(DEMO_WARD)
    screen, scorer = Screen(ward.screening_words()), RelevanceScorer(ward)
    rng = random.Random(3)
    terms = ward.places + ward.streets + ward.hashtags + ["AC4 2XY", "ac4 3ab", "@cllr-jo-whitfield.bsky.social"]
    fillers = ["bins", "again", "anyone", "near", "the", "by", "on", "Rd", "#", "!", "'s", "today", "&", "<3"]
    for _ in range(5000):
        words = [rng.choice(fillers) for _ in range(rng.randint(0, 8))]
        words.insert(rng.randint(0, len(words)), rng.choice(terms).replace(" Road", rng.choice([" Road", " Rd"])))
        text = "".join(w + rng.choice([" ", " ", "\n", "\t", "&", ""]) for w in words)
        text = text.upper() if rng.random() < 0.2 else text
        if scorer.score(text)[0] >= scorer.threshold:  # as Jetstream (Go) writes it: \n, \t, \u0026 for &, <, >
            message = json.dumps({"text": text}, ensure_ascii=False).replace("&", "\\u0026").replace(
                "<", "\\u003c").replace(">", "\\u003e")
            assert screen.passes(message), message
    assert not screen.passes('{"text":"Lovely sunset over the bay tonight"}')


def test_the_ward_posts_are_kept_and_nothing_else(tmp_path):
    messages = recording(3000, start_us=START_US)
    with LocalJetstream(messages) as stream:
        source = set_up(tmp_path, stream.address)
        with App(tmp_path, log_to_file=False) as app:
            listen_until(app, lambda: stream.sent == len(messages) and len(kept(tmp_path, source)) == 15)
    assert set(kept(tmp_path, source)) == ward_posts(messages)


def test_a_dropped_stream_resumes_from_its_cursor_without_loss_or_duplicates(tmp_path):
    messages = recording(6000, start_us=START_US)  # 18 s of stream; each connection drops after ~8 s of it
    expected = ward_posts(messages)
    with LocalJetstream(messages, drop_after=2500) as stream:
        source = set_up(tmp_path, stream.address)
        with App(tmp_path, log_to_file=False) as app:  # each drop waits a second: a fresh problem, not a long one
            listen_until(app, lambda: set(kept(tmp_path, source)) == expected)
    stored = kept(tmp_path, source)
    assert len(stored) == len(set(stored)) == len(expected)
    assert len(stream.connections) >= 2 and all("cursor=" in path for path in stream.connections[1:])


def test_a_message_that_is_not_json_is_skipped_and_counted(tmp_path):
    messages = recording(1000, start_us=START_US)
    index = next(i for i, m in enumerate(messages) if any(w in m for w in WARD))  # just before a ward post
    with LocalJetstream(messages, garbage_at=index) as stream:
        source = set_up(tmp_path, stream.address)
        statuses = []
        with App(tmp_path, log_to_file=False) as app:
            cancel = threading.Event()
            worker = threading.Thread(target=app.listen, args=(cancel,), kwargs={"on_status": statuses.append},
                                      daemon=True)
            worker.start()
            wait_for(lambda: len(kept(tmp_path, source)) == 5 and stream.sent == len(messages))
            cancel.set()
            worker.join(timeout=30)
    assert statuses[-1].unreadable == 0  # "<html>502..." never passes the screen: it is not even parsed
    assert set(kept(tmp_path, source)) == ward_posts(messages)


def test_garbage_that_mentions_the_ward_is_skipped_not_stored():
    from localjetstream import LocalJetstream as _  # noqa: F401 (same server, a message built by hand)
    from nc_bluesky.live import BlueskyLiveSource

    class Stream:
        def __init__(self, items):
            self.items = list(items)

        def messages(self, wait, cancel=None):
            if not self.items:
                cancel.set()
            found, self.items = self.items, []
            return found

    cancel = threading.Event()
    api = type("Api", (), {"config": {"address": "ws://127.0.0.1:1"}, "ward": WardProfile.load(DEMO_WARD),
                           "source_id": "live"})()
    source = BlueskyLiveSource(api)
    batches = list(source._read(Stream(['{"did": "x", "text": "Millbrook', recording(1, start_us=START_US)[0]]),
                                None, cancel))
    assert sum(b.unreadable for b in batches) == 1 and sum(len(b.items) for b in batches) == 0


def test_a_service_that_is_down_is_retried_with_growing_waits(tmp_path):
    source = set_up(tmp_path, "ws://127.0.0.1:9")  # nothing listens on the discard port
    with App(tmp_path, log_to_file=False) as app:
        with app.store.read() as db:
            row = source_store.get(db, source)
        statuses, cancel = [], threading.Event()
        listener = LiveListener(app.pipeline(tagger=None), row, first_wait=0.01, longest_wait=0.04,
                                on_status=lambda s: statuses.append(s.waiting) or (len(statuses) >= 5 and cancel.set()))
        status = listener.run(cancel)
        with app.store.read() as db:
            problem = source_store.get(db, source).last_error
    assert statuses == [0.01, 0.02, 0.04, 0.04, 0.04] and status.reconnects >= 4
    assert "connection to 127.0.0.1 dropped" in problem and "reconnects" in problem


@pytest.mark.realtime
def test_listen_killed_mid_stream_resumes_without_loss_or_duplicates(tmp_path):
    messages = recording(20_000, start_us=START_US)
    expected = ward_posts(messages)
    env = {**os.environ, "NC_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "networked_councillor.cli.main", "listen"]
    with LocalJetstream(messages, per_second=4000) as stream:
        source = set_up(tmp_path, stream.address)
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_for(lambda: len(kept(tmp_path, source)) >= 20, timeout=120)
        first.send_signal(signal.SIGKILL)  # no chance to save anything more
        first.wait(timeout=30)
        before = set(kept(tmp_path, source))
        assert 20 <= len(before) < len(expected)
        second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            wait_for(lambda: set(kept(tmp_path, source)) == expected, timeout=120)
        finally:
            second.send_signal(signal.SIGTERM)
            out, _ = second.communicate(timeout=60)
    stored = kept(tmp_path, source)
    assert len(stored) == len(set(stored)) == len(expected)
    assert "Stopped. Listening resumes from here next time." in out
    assert "cursor=" in stream.connections[-1]


def test_wss_trusts_the_computers_certificate_store(tmp_path, monkeypatch):
    """Jetstream over TLS, its certificate from an authority only this computer's store knows (SSL_CERT_FILE)."""
    import ssl

    from networked_councillor.plugin_api.http import system_trust

    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "council-ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    system_trust.cache_clear()
    messages = recording(1000, start_us=START_US)
    try:
        with LocalJetstream(messages, tls=context) as stream:
            source = set_up(tmp_path, stream.address)
            with App(tmp_path, log_to_file=False) as app:
                listen_until(app, lambda: set(kept(tmp_path, source)) == ward_posts(messages))
    finally:
        system_trust.cache_clear()
