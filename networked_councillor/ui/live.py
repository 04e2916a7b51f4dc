"""Listening to live sources while the window is open: one background thread, a line in the status bar.

The listener writes through the app like a fetch does (new posts about the ward appear in the inbox through
the usual `changed` signal); this only starts and stops it, and shows how it is doing. It starts again when
the sources change (a live source added, switched off or removed in Settings).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from networked_councillor.ingest.live import LiveStatus, live_sources
from networked_councillor.store.settings import load_ward


class LiveService(QObject):
    heard = Signal(object)  # LiveStatus, from the listening thread

    def __init__(self, window) -> None:
        super().__init__(window)
        self.app = window.app
        self.label = QLabel()
        self.label.setAccessibleName("Live sources")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.heard.connect(self._show)
        self._cancel: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self.statuses: dict[str, LiveStatus] = {}
        self._listening: list = []

    def start(self) -> None:
        """Listen to the enabled live sources, if any; started again only when they or their settings changed."""
        rows = live_sources(self.app.store, self.app.registry)
        with self.app.store.read() as db:  # a new ward means new words to listen for
            words = load_ward(db).screening_words()
        key = [(r.id, r.config) for r in rows] + [words]
        if key == self._listening and self._thread is not None and self._thread.is_alive():
            return
        self.stop()
        self._listening = key
        self.label.setVisible(bool(rows))
        if not rows:
            return
        self.label.setText("Live: connecting…")
        self._cancel = threading.Event()
        cancel = self._cancel
        self._thread = threading.Thread(target=lambda: self.app.listen(cancel, on_status=self.heard.emit),
                                        name="live-sources", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        if self._cancel is not None:
            self._cancel.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._cancel = self._thread = None
        self.statuses.clear()

    def _show(self, status: LiveStatus) -> None:
        self.statuses[status.source_id] = status
        listening = [s for s in self.statuses.values() if s.connected]
        kept = sum(s.kept for s in self.statuses.values())
        if listening:
            self.label.setText(f"Live: listening, {kept} new about the ward")
        else:
            self.label.setText("Live: reconnecting…")
        self.label.setToolTip("\n".join(s.summary() for s in self.statuses.values()))

