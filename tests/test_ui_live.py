"""Live Bluesky in the real window: listening starts with the window, new posts about the ward appear in the
inbox, and closing the window stops the listener."""

import time

from localjetstream import LocalJetstream, recording, ward_posts

from networked_councillor.base import clock
from networked_councillor.base.changes import Changes
from networked_councillor.store import sources as source_store
from networked_councillor.ui.operations import perform

START_US = int(clock.utcnow().timestamp() * 1_000_000)


def test_the_window_listens_and_new_ward_posts_arrive_in_the_inbox(window, qtbot):
    messages = recording(2000, start_us=START_US)
    with LocalJetstream(messages) as stream:
        before = window.inbox.rowCount()

        def add_live_source(db):
            source_store.add(db, "bluesky-live", "Bluesky, live", {"address": stream.address}, clock.now_iso())
            return Changes(sources=True)

        perform(window.app, window, add_live_source)
        assert window.live.label.isVisible()
        # The inbox refreshes when the posts are stored; the status line when the listener reports just after.
        qtbot.waitUntil(lambda: window.inbox.rowCount() >= before + len(ward_posts(messages))
                        and "Live: listening" in window.live.label.text(), timeout=180_000)
        thread = window.live._thread
        window.close()  # the window stops its listener (before the stream goes away)
        deadline = time.monotonic() + 10
        while thread.is_alive() and time.monotonic() < deadline:
            thread.join(0.1)
        assert not thread.is_alive()
