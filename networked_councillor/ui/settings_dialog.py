"""Settings: one tab per page (each page is its own module); every change is saved by its page as an operation."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.ui.screen import fit_on_screen
from networked_councillor.ui.settings_council import CouncilPage
from networked_councillor.ui.settings_data import AppearancePage, DataPage, PasswordsPage
from networked_councillor.ui.settings_replies import RepliesPage
from networked_councillor.ui.settings_sources import SourcesPage
from networked_councillor.ui.settings_ward import TopicsPage, WardPage


class SettingsDialog(QDialog):
    """Changes are saved as each section's Save button (or the source editor) is pressed."""

    def __init__(self, window, tab: str = "sources") -> None:
        super().__init__(window)
        self.window_ = window
        self.app = window.app
        self.setWindowTitle("Settings")
        fit_on_screen(self, 900, 620)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings sections")
        self.pages = {}
        pages = (("sources", "Sources", SourcesPage), ("ward", "Ward", WardPage), ("topics", "Topics", TopicsPage),
                 ("replies", "Replies", self._replies_page), ("council", "Council", self._council_page),
                 ("passwords", "Passwords", PasswordsPage), ("data", "Data", DataPage),
                 ("appearance", "Appearance", AppearancePage))
        for key, title, builder in pages:
            page = builder(self)
            self.pages[key] = page
            self.tabs.addTab(page, title)
        self.tabs.setCurrentWidget(self.pages.get(tab, self.pages["sources"]))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentWidget(self.pages[key])

    def _replies_page(self, _dialog) -> QWidget:
        self.replies = RepliesPage(self.app, self.window_.topic_names, self)
        return self.replies

    def _council_page(self, _dialog) -> QWidget:
        self.council = CouncilPage(self.app, self.window_.runner, self)
        return self.council
