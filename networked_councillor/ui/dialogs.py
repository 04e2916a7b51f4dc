"""Small dialogs: first-run welcome, a simple reply, logging an issue."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

import regex

from networked_councillor.core.casework import PRIORITIES, NewIssue

GRAPHEME = r"\X"  # what a person sees as one character, as Bluesky counts them


class Welcome(QDialog):
    """First run: set up the councillor's own ward, or look around the demo ward first."""

    SET_UP, DEMO = 10, 11

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Networked Councillor")
        text = QLabel(
            "<h2>Welcome</h2><p>Networked Councillor collects what your ward is saying online, helps you answer "
            "in a conversational way, and turns what you hear into casework. Everything stays on this computer.</p>"
            "<p>Start by telling it about your ward, or look around the fictional <b>Millbrook</b> demo ward "
            "first.</p>", wordWrap=True)
        set_up = QPushButton("Set up my ward", clicked=lambda: self.done(self.SET_UP))
        demo = QPushButton("Open the demo ward", clicked=lambda: self.done(self.DEMO))
        later = QPushButton("Not now", clicked=self.reject)
        set_up.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        for button in (set_up, demo, later):
            layout.addWidget(button)


class ReplyDialog(QDialog):
    """Write a reply. Post it through the source where the app can (``post_to`` names where), else copy it,
    open the post to paste it there, and mark the item replied."""

    def __init__(self, parent, item: dict, post_to: str | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.post_requested = False
        self.setWindowTitle("Reply")
        self.resize(560, 360)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Your reply")
        self.text.setPlaceholderText("Thank them, say what you know or will do, and invite them to keep talking.")
        self.count = QLabel()
        self.text.textChanged.connect(self._count)
        buttons = QDialogButtonBox()
        if post_to:
            self.post_button = QPushButton(f"Post on {post_to}…", clicked=self._post)
            self.post_button.setAccessibleName(f"Post the reply on {post_to}")
            buttons.addButton(self.post_button, QDialogButtonBox.ButtonRole.ActionRole)
        copy = QPushButton("Copy and open the post", clicked=self._copy_and_open)
        copy.setEnabled(bool(item.get("url")))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("Mark as replied", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Replying to {item.get('author_name') or item.get('author_handle') or 'this post'}"))
        layout.addWidget(self.text)
        layout.addWidget(self.count)
        layout.addWidget(buttons)

    def _count(self) -> None:
        characters = len(regex.findall(GRAPHEME, self.text.toPlainText()))
        self.count.setText(f"{characters} characters")

    def _post(self) -> None:
        if self.text.toPlainText().strip():
            self.post_requested = True
            self.accept()

    def _copy_and_open(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
        QDesktopServices.openUrl(QUrl(self.item["url"]))


class LogIssueDialog(QDialog):
    """Log a casework issue from an item, pre-filled from it."""

    def __init__(self, parent, item: dict, topics: dict[str, str], ward: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log an issue")
        self.resize(560, 420)
        self.item, self.ward = item, ward
        first = (item.get("title") or (item.get("text") or "").split("\n")[0])[:120]
        self.title = QLineEdit(first)
        self.category = QComboBox()
        for topic_id, name in topics.items():
            self.category.addItem(name, topic_id)
        self.category.setCurrentIndex(max(0, self.category.findData(item.get("topic"))))
        self.priority = QComboBox()
        for priority in PRIORITIES:
            self.priority.addItem(priority.capitalize(), priority)
        self.priority.setCurrentIndex(1)
        streets = [e["term"] for e in item.get("evidence") or [] if e["kind"] in ("street", "place")]
        self.address = QLineEdit(", ".join(streets))
        self.description = QPlainTextEdit(f"{item.get('text') or ''}\n\nFrom: {item.get('url') or item.get('source_name')}")
        for widget, name in ((self.title, "Issue title"), (self.category, "Category"), (self.priority, "Priority"),
                             (self.address, "Address or street"), (self.description, "Description")):
            widget.setAccessibleName(name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                   accepted=self.accept, rejected=self.reject)
        form = QFormLayout(self)
        form.addRow("Title", self.title)
        form.addRow("Category", self.category)
        form.addRow("Priority", self.priority)
        form.addRow("Where", self.address)
        form.addRow("Description", self.description)
        form.addRow(buttons)

    def issue(self) -> NewIssue:
        return NewIssue(title=self.title.text(), description=self.description.toPlainText(),
                        category=self.category.currentData(), ward=self.ward, address=self.address.text(),
                        lat=self.item.get("lat"), lon=self.item.get("lon"), priority=self.priority.currentData(),
                        item_ids=[self.item["id"]])
