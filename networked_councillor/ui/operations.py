"""Operations in the window: every write goes through here, and every view refreshes from one signal.

Anki's `CollectionOp` and `operation_did_execute`, in small: `perform` runs a quick operation (a few
milliseconds: a state, a correction, a setting) through `App.perform`; `run` runs a long one (a fetch, a post,
a retrain) on the task runner. Either way the app tells its listeners what changed, and `changed(changes,
initiator)` reaches every view on the GUI thread, which refreshes only what it shows. Errors are explained to
the user here, once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import NcError
from networked_councillor.ui.errors import explain
from networked_councillor.ui.tasks import Job, Task, TaskRunner

TITLE = "Networked Councillor"


def perform(app, parent: QWidget | None, op: Callable[..., Any], /, *args: Any, initiator: object = None,
            title: str = TITLE, **kwargs: Any) -> Any:
    """Run a quick operation now; its result, or None when it failed (the user has been told why)."""
    try:
        return app.perform(op, *args, initiator=initiator, **kwargs)
    except NcError as exc:
        explain(parent, exc, title)
        return None


class Operations(QObject):
    changed = Signal(object, object)  # Changes, the initiator (a view that need not refresh itself, or None)

    def __init__(self, app, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = runner
        app.listeners.append(self._relay)

    def _relay(self, changes: Changes, initiator: object) -> None:
        """From whichever thread wrote: a signal queues it for the GUI thread."""
        self.changed.emit(changes, initiator)

    def perform(self, parent: QWidget, op: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return perform(self.app, parent, op, *args, **kwargs)

    def run(self, name: str, job: Job, *, parent: QWidget, title: str = TITLE,
            on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[Exception], None] | None = None) -> Task:
        """Run a long operation on the task runner; ``job(cancel, progress)`` writes through the app."""
        return self.runner.submit(name, job, on_done=on_done,
                                  on_error=on_error or (lambda exc: explain(parent, exc, title)))

    def close(self) -> None:
        if self._relay in self.app.listeners:
            self.app.listeners.remove(self._relay)
