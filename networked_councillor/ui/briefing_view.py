"""The morning briefing in the window: opened on the first start of each day (View > Morning briefing, or
Ctrl+Shift+B, any time), saved as a PDF to print, or sent to oneself through the mail client."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from networked_councillor.base import clock
from networked_councillor.base.errors import NcError
from networked_councillor.printing import briefing
from networked_councillor.replies.email_reply import mailto_shortened
from networked_councillor.store import settings as settings_store
from networked_councillor.ui.links import open_address
from networked_councillor.ui.screen import fit_on_screen
from networked_councillor.ui.widgets.detail import SafeTextBrowser


class BriefingDialog(QDialog):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window, self.app = window, window.app
        self.setWindowTitle("Morning briefing")
        self.setAccessibleName("Morning briefing")
        self.page = SafeTextBrowser()
        self.page.setAccessibleName("The briefing")
        self.daily = QCheckBox("&Open this on the first start of each day")
        self.searches = QListWidget()
        self.searches.setAccessibleName("Saved searches counted in the briefing")
        self.searches.setMaximumHeight(90)
        with self.app.store.read() as db:
            self.daily.setChecked(bool(settings_store.get_setting(db, briefing.DAILY_KEY, True)))
            chosen = set(settings_store.get_setting(db, briefing.SEARCHES_KEY, []))
            for saved in settings_store.get_setting(db, "saved_views", []):
                entry = QListWidgetItem(saved["name"])
                entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                entry.setCheckState(Qt.CheckState.Checked if saved["name"] in chosen else Qt.CheckState.Unchecked)
                self.searches.addItem(entry)
        self.daily.toggled.connect(self._daily_changed)
        self.searches.itemChanged.connect(self._searches_changed)
        self.status = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        for text, slot in (("&Save as PDF…", self.save_pdf), ("&Email it to myself", self.email)):
            buttons.addWidget(QPushButton(text, clicked=slot))
        buttons.addStretch(1)
        close = QPushButton("Close", clicked=self.accept)
        close.setDefault(True)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page, 1)
        if self.searches.count():
            layout.addWidget(QLabel("Count new posts for these saved searches:"))
            layout.addWidget(self.searches)
        layout.addWidget(self.daily)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        fit_on_screen(self, 760, 720)
        self.refresh()

    def refresh(self) -> None:
        with self.app.store.read() as db:
            self.briefing = briefing.build(db, clock.utcnow())
        self.page.setHtml(briefing.to_html(self.briefing))
        self.page.setFocus()

    def _daily_changed(self, on: bool) -> None:
        self.window.ops.perform(self, settings_store.save_settings, {briefing.DAILY_KEY: on})

    def _searches_changed(self, _entry) -> None:
        names = [self.searches.item(n).text() for n in range(self.searches.count())
                 if self.searches.item(n).checkState() == Qt.CheckState.Checked]
        self.window.ops.perform(self, briefing.choose_searches, names)
        self.refresh()

    def save_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save the briefing", str(Path.home() / f"briefing-{clock.today().isoformat()}.pdf"), "PDF (*.pdf)")
        if not name:
            return
        try:
            saved = briefing.write(self.briefing, Path(name))
        except NcError as exc:
            self.status.setText(f"Not saved: {exc}")
            return
        self.status.setText(f"Saved {saved}: open it to print it.")

    def email(self) -> None:
        """A new message in the councillor's mail client, to themselves, with the briefing as its text."""
        address = mailto_shortened("", f"Morning briefing, {clock.today():%d %b %Y}", briefing.to_text(self.briefing),
                                   "\n…(the whole briefing is in the app)")
        problem = open_address(QUrl.fromEncoded(address.encode()))
        self.status.setText(f"Your mail client did not open. {problem}" if problem else
                            "Opened in your mail client: add your own address and send it.")


def show_briefing(window) -> BriefingDialog:
    dialog = getattr(window, "briefing_dialog", None)
    if dialog is None or not dialog.isVisible():
        dialog = window.briefing_dialog = BriefingDialog(window)
    else:
        dialog.refresh()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def offer_briefing(window) -> None:
    """On the first start of each day, once the ward is set up (and never in training)."""
    if getattr(window.app, "training", False) or not window.ward.is_set_up:
        return
    day = clock.today().isoformat()
    with window.app.store.read() as db:
        due = briefing.due_today(db, day)
    if due:
        window.ops.perform(window, briefing.mark_shown, day)
        show_briefing(window)
