"""Shared casework while the window is open: one background thread syncing, a line in the status bar.

The thread (`shared.sync.SyncLoop`) writes through the store like any sync; the casework window refreshes from
the usual `changed` signal when colleagues' changes arrive. A casework edit made here pokes it to send at once.
It starts when Settings > Council > Shared casework is saved, and stops with the window.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from networked_councillor.base.changes import Changes
from networked_councillor.shared.connection import SharedSettings
from networked_councillor.shared.sync import SyncLoop, SyncStatus


class SharedService(QObject):
    synced = Signal(object)  # SyncStatus, from the syncing thread

    def __init__(self, window) -> None:
        super().__init__(window)
        self.app = window.app
        self.label = QLabel()
        self.label.setAccessibleName("Shared casework")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.synced.connect(self._show)
        window.ops.changed.connect(self._on_changed)
        self.loop: SyncLoop | None = None
        self._cancel: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._settings: SharedSettings | None = None
        self.status = SyncStatus()

    def start(self) -> None:
        """Sync with the database set up in Settings, if any; started again only when that changed."""
        with self.app.store.read() as db:
            settings = SharedSettings.load(db)
        if settings == self._settings and self._thread is not None and self._thread.is_alive():
            return
        self.stop()
        self._settings = settings
        self.label.setVisible(settings.enabled)
        if not settings.enabled:
            return
        self.label.setText("Shared casework: connecting…")
        self._cancel = threading.Event()
        self.loop = SyncLoop(self.app.store, settings, self.synced.emit, secrets=self.app.shared_secrets)
        self._thread = threading.Thread(target=self.loop.run, args=(self._cancel,), name="shared-casework",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        if self._cancel is not None:
            self._cancel.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._cancel = self._thread = self.loop = None

    def sync_now(self) -> None:
        if self.loop is not None:
            self.loop.poke.set()
        else:
            self.start()

    def _on_changed(self, changes: Changes, initiator: object) -> None:
        if initiator is self:
            return
        if changes.settings:
            self.start()  # only when its settings changed; a password set again is tried at once all the same
        if (changes.settings or changes.issues) and self.loop is not None:
            self.loop.poke.set()

    def _show(self, status: SyncStatus) -> None:
        self.status = status
        self.label.setText(status.summary())
        self.label.setToolTip("\n".join(line for line in (status.describe_me(), status.problem) if line))
        if status.report is not None and status.report.issues:
            self.app.announce(Changes(issues=True), initiator=self)
