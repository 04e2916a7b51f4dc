"""What every tab of Settings starts from: the app, the main window, and the window's operations."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


class SettingsPage(QWidget):
    def __init__(self, dialog) -> None:
        super().__init__()
        self.app = dialog.app
        self.window_ = dialog.window_
        self.ops = dialog.window_.ops
