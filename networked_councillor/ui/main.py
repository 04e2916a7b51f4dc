"""Start the desktop app."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from networked_councillor.app import App
from networked_councillor.core.errors import NcError
from networked_councillor.ui.theme import apply_theme


def run(data_dir: str | None = None, *, training: bool = False) -> int:
    """The desktop app; ``training`` opens the separate training workspace instead of the councillor's data."""
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setApplicationName("Networked Councillor")
    qt_app.setOrganizationName("Networked Councillor")
    prefs = QSettings("Networked Councillor", "Networked Councillor")
    apply_theme(qt_app, prefs.value("theme", "light"), prefs.value("text_size", "normal"))
    try:
        if training:
            from networked_councillor.training.workspace import open_workspace

            app = open_workspace(data_dir)
        else:
            app = App(data_dir)
    except NcError as exc:
        QMessageBox.critical(None, "Networked Councillor", f"{exc.message}\n\n{exc.hint}".strip())
        return 2
    from networked_councillor.ui.main_window import MainWindow

    window = MainWindow(app)
    window.show()
    try:
        return qt_app.exec()
    finally:
        app.close()
