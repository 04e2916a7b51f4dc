"""The one place the UI runs work off the GUI thread.

A job is a plain function ``fn(cancel, progress) -> result`` from core: it
knows nothing of Qt. The runner runs it on a pool thread and hands progress,
the result or the error back to the GUI thread by signal, so the window
never freezes. Tests may run jobs inline (``inline=True``), as calibre and
Anki do with a fake executor.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Job = Callable[[threading.Event, Callable[[float | None, str], None]], Any]


class Task(QObject):
    """One job in flight: progress, finished and failed arrive on the GUI thread."""

    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.cancel_event = threading.Event()
        self.done = False

    def cancel(self) -> None:
        self.cancel_event.set()


class _Runnable(QRunnable):
    def __init__(self, task: Task, job: Job) -> None:
        super().__init__()
        self.task, self.job = task, job

    def run(self) -> None:
        _execute(self.task, self.job)


def _execute(task: Task, job: Job) -> None:
    def report(fraction: float | None, message: str) -> None:
        task.progress.emit(-1.0 if fraction is None else float(fraction), message)

    try:
        result = job(task.cancel_event, report)
    except BaseException as exc:  # every failure goes back to the GUI, which explains it
        if not isinstance(exc, Exception):
            raise
        log.info("task %s failed: %s", task.name, exc)
        task.failed.emit(exc)
    else:
        task.finished.emit(result)


class TaskRunner(QObject):
    """Runs jobs; tells the status bar what is running."""

    started = Signal(object)  # Task
    ended = Signal(object)  # Task

    def __init__(self, parent: QObject | None = None, *, inline: bool = False, threads: int = 2) -> None:
        super().__init__(parent)
        self.inline = inline
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self.running: list[Task] = []

    def submit(self, name: str, job: Job, *, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[Exception], None] | None = None,
               on_progress: Callable[[float, str], None] | None = None) -> Task:
        task = Task(name, self)
        if on_progress:
            task.progress.connect(on_progress)
        if on_done:
            task.finished.connect(on_done)
        if on_error:
            task.failed.connect(on_error)
        task.finished.connect(lambda _result: self._end(task))
        task.failed.connect(lambda _error: self._end(task))
        self.running.append(task)
        self.started.emit(task)
        if self.inline:
            _execute(task, job)
        else:
            self._pool.start(_Runnable(task, job))
        return task

    def busy(self, name: str | None = None) -> bool:
        return any(name is None or t.name == name for t in self.running)

    def cancel_all(self) -> None:
        for task in self.running:
            task.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        return self._pool.waitForDone(msecs)

    def _end(self, task: Task) -> None:
        task.done = True
        if task in self.running:
            self.running.remove(task)
        self.ended.emit(task)
