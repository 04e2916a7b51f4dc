"""The window's long jobs: fetching (on request and on a timer) and retraining, and their progress.

Both run on the task runner through `ui/operations.py`; the views refresh from what the app announces, and the
status bar says what happened.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from networked_councillor.base.errors import FetchBusy
from networked_councillor.store import settings as settings_store
from networked_councillor.ui.errors import explain

TASK_NAMES = {"reply": "Posting the reply…", "thread": "Loading the conversation…", "fetch": "Fetching…",
              "retrain": "Retraining…", "similar": "Finding similar posts…", "demo": "Loading the demo ward…",
              "test-source": "Testing…", "ward-setup": "Looking up the ward…",
              "import": "Bringing in emails…", "add-post": "Adding the post…",
              "sign-in": "Waiting for you to sign in…"}


class Background(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.app = window.app
        self.timer = QTimer(self, timeout=self.fetch)
        runner = window.runner
        runner.started.connect(self._task_started)
        runner.ended.connect(self._task_ended)

    def schedule(self) -> None:
        """Fetch every so many minutes, as the settings say (0: only on request)."""
        with self.app.store.read() as db:
            minutes = settings_store.get_setting(db, "refresh.minutes", 30)
        self.timer.stop()
        if minutes:
            self.timer.start(minutes * 60_000)

    # ---- fetching -------------------------------------------------------------------------

    def fetch(self) -> None:
        window = self.window
        if window.runner.busy("fetch"):
            return
        window.fetch_action.setEnabled(False)
        window.ops.run("fetch", lambda cancel, progress: self.app.fetch(cancel=cancel, progress=progress),
                       parent=window, on_done=self._fetched, on_error=self._fetch_failed)

    def _fetched(self, report) -> None:
        window = self.window
        window.fetch_action.setEnabled(True)
        failed = [o for o in report.outcomes if not o.ok]
        message = f"{report.new} new items"
        if failed:
            message += f"; {len(failed)} source(s) had a problem (see Sources, Ctrl+Shift+S)"
        if self.app.tagger_problem:
            message += f"; not tagged: {self.app.tagger_problem}"
        retention = report.retention_problem or (report.retention.summary() if report.retention.total else "")
        window.statusBar().showMessage(f"{message}. {retention}" if retention else message, 15000)
        window.notifier.check()

    def _fetch_failed(self, error: Exception) -> None:
        self.window.fetch_action.setEnabled(True)
        if isinstance(error, FetchBusy):  # a scheduled fetch running elsewhere: nothing went wrong
            self.window.statusBar().showMessage(str(error), 15000)
            return
        explain(self.window, error, "Fetch")

    # ---- retraining -----------------------------------------------------------------------

    def retrain(self) -> None:
        from networked_councillor.tagger.learning import retrain_and_retag

        self.window.retrain_action.setEnabled(False)
        self.window.ops.run("retrain", lambda cancel, progress: retrain_and_retag(self.app, cancel, progress),
                            parent=self.window, on_done=self._retrained, on_error=self._retrain_failed)

    def _retrained(self, heads) -> None:
        self.window.retrain_action.setEnabled(True)
        self.window.statusBar().showMessage(
            f"Retrained on {sum(heads.meta['examples'].values())} examples "
            f"({heads.meta['examples'].get('correction', 0)} of them yours) and re-tagged everything.", 15000)

    def _retrain_failed(self, error: Exception) -> None:
        self.window.retrain_action.setEnabled(True)
        explain(self.window, error, "Retrain")

    # ---- progress in the status bar -------------------------------------------------------

    def _task_started(self, task) -> None:
        window = self.window
        task.progress.connect(self._task_progress)
        window.progress_label.setText(TASK_NAMES.get(task.name, task.name))
        window.progress.setRange(0, 0)
        for widget in (window.progress_label, window.progress, window.cancel_button):
            widget.show()

    def _task_progress(self, fraction: float, message: str) -> None:
        progress = self.window.progress
        if fraction < 0:
            progress.setRange(0, 0)
        else:
            progress.setRange(0, 100)
            progress.setValue(int(fraction * 100))
        if message:
            self.window.progress_label.setText(message[:80])

    def _task_ended(self, _task) -> None:
        if not self.window.runner.running:
            for widget in (self.window.progress_label, self.window.progress, self.window.cancel_button):
                widget.hide()
