"""Start the desktop app."""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as StillRunning
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from networked_councillor.app import App
from networked_councillor.base import paths
from networked_councillor.base.errors import NcError
from networked_councillor.demo import start_demo_services
from networked_councillor.ui.data_folder import offer_to_move
from networked_councillor.ui.single_instance import FirstInstance, bring_to_front, hand_over, socket_name
from networked_councillor.ui.theme import apply_theme

T = TypeVar("T")


def run(data_dir: str | None = None, *, training: bool = False, exit_when_shown: bool = False) -> int:
    """The desktop app; ``training`` opens the separate training workspace instead of the councillor's data.

    ``exit_when_shown`` (for the bundle's smoke test and start-up timing) says so on stdout once the first window
    is on screen, and quits.
    """
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setApplicationName("Networked Councillor")
    qt_app.setOrganizationName("Networked Councillor")
    prefs = QSettings("Networked Councillor", "Networked Councillor")
    apply_theme(qt_app, prefs.value("theme", "light"), prefs.value("text_size", "normal"))
    name = socket_name(paths.data_dir(data_dir), training)
    if hand_over(name):
        print("Networked Councillor is already open: its window has been brought to the front.")
        return 0
    first = FirstInstance(name, qt_app)
    try:
        if training:
            from networked_councillor.training.workspace import open_workspace

            app = while_showing(qt_app, "Opening the training ward. The first time, it is set up from the demo "
                                "ward: this takes a few seconds.", lambda: open_workspace(data_dir))
        else:
            app = offer_to_move(App(data_dir))
            start_demo_services(app)
    except NcError as exc:
        QMessageBox.critical(None, "Networked Councillor", f"{exc.message}\n\n{exc.hint}".strip())
        return 2
    if training:
        from networked_councillor.ui.training import TrainingWindow as Window
    else:
        from networked_councillor.ui.main_window import MainWindow as Window
    window = Window(app)
    window.show()
    first.show_requested.connect(lambda: bring_to_front(window))
    if exit_when_shown:
        QTimer.singleShot(0, lambda: (print(f"first window shown: {window.windowTitle()}", flush=True), qt_app.quit()))
    try:
        return qt_app.exec()
    finally:
        app.close()


def while_showing(qt_app: QApplication, message: str, work: Callable[[], T]) -> T:
    """Run ``work`` in the background behind a small window that says what is happening, so a slow first
    start never looks like nothing happened; its result, or its error."""
    dialog = QProgressDialog(message, "", 0, 0)
    dialog.setWindowTitle("Networked Councillor")
    dialog.setCancelButton(None)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.show()
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(work)
            while True:
                qt_app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
                try:
                    return future.result(timeout=0.05)
                except StillRunning:
                    continue
    finally:
        dialog.close()
