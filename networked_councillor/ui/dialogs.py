"""Small dialogs: first-run welcome, logging an issue, choosing an issue, the keyboard shortcuts."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from networked_councillor.base import clock
from networked_councillor.casework.issues import PRIORITIES, NewIssue
from networked_councillor.ui.screen import fit_on_screen
from networked_councillor.ui.widgets.text_box import text_box


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


class LogIssueDialog(QDialog):
    """Log a casework issue from an item, pre-filled from it: title, category, where, and the post itself."""

    def __init__(self, parent, item: dict, topics: dict[str, str], ward: str, *, also_linked: int = 0) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log an issue")
        fit_on_screen(self, 600, 480)
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
        self.priority.setCurrentIndex(PRIORITIES.index("normal"))
        evidence = item.get("evidence") or []
        streets = [e["term"] for e in evidence if e["kind"] in ("street", "place")]
        self.address = QLineEdit(", ".join(dict.fromkeys(streets)))
        self.postcode = QLineEdit(next((e["term"] for e in evidence if e["kind"] == "postcode"), ""))
        self.due = QDateEdit(QDate(clock.today()).addDays(14), calendarPopup=True, displayFormat="dd MMM yyyy")
        self.has_due = QCheckBox("Follow up by", checked=True)
        self.has_due.toggled.connect(self.due.setEnabled)
        self.description = text_box(f"{item.get('text') or ''}\n\nFrom: {item.get('url') or item.get('source_name')}")
        where = ("at the post's location" if item.get("lat") is not None else "")
        for widget, name in ((self.title, "Issue title"), (self.category, "Category"), (self.priority, "Priority"),
                             (self.address, "Address or street"), (self.postcode, "Postcode"),
                             (self.due, "Follow-up date"), (self.description, "Description")):
            widget.setAccessibleName(name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                   accepted=self.accept, rejected=self.reject)
        due_row = QHBoxLayout()
        due_row.addWidget(self.has_due)
        due_row.addWidget(self.due, 1)
        form = QFormLayout(self)
        form.addRow("Title", self.title)
        form.addRow("Category", self.category)
        form.addRow("Priority", self.priority)
        form.addRow("Where", self.address)
        form.addRow("Postcode", self.postcode)
        form.addRow("", due_row)
        form.addRow("Description", self.description)
        linked = "This post" + (f" and the {also_linked} other selected post(s)" if also_linked else "")
        form.addRow(QLabel(f"{linked} will be linked to the issue{(' (' + where + ')') if where else ''}."))
        form.addRow(buttons)

    def issue(self) -> NewIssue:
        return NewIssue(title=self.title.text(), description=self.description.toPlainText(),
                        category=self.category.currentData(), ward=self.ward, address=self.address.text(),
                        postcode=self.postcode.text(), lat=self.item.get("lat"), lon=self.item.get("lon"),
                        priority=self.priority.currentData(),
                        due_date=self.due.date().toString("yyyy-MM-dd") if self.has_due.isChecked() else None,
                        item_ids=[self.item["id"]])


def choose_issue(parent, issues: list[dict], posts: int) -> int | None:
    """Which open issue ``posts`` selected posts belong to; None if the councillor cancels."""
    if not issues:
        QMessageBox.information(parent, "Add to an issue", "There are no open issues yet: use Log issue (Ctrl+L) "
                                "to start one.")
        return None
    labels = [f"{i['reference']}: {i['title']}" for i in issues]
    label, ok = QInputDialog.getItem(parent, "Add to an issue", f"Link {posts} post(s) to which issue?", labels, 0, False)
    return issues[labels.index(label)]["id"] if ok else None


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut, menu by menu, in a table that reads in straight columns."""

    def __init__(self, parent, menu_bar) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = []
        for menu_action in menu_bar.actions():
            menu = menu_action.menu()
            if menu is None or not menu_action.isVisible():
                continue
            for action in _all_actions(menu):
                keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                if keys and action.isVisible():
                    rows.append((menu_action.text().replace("&", ""), action.text().replace("&", ""), keys))
        self.table = QTableWidget(len(rows), 3)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Menu", "What it does", "Keys"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        close = QPushButton("Close", clicked=self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("F6 moves between the views, the inbox and the item; Tab moves between controls."))
        layout.addWidget(self.table)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
        fit_on_screen(self, 560, 640)


def _all_actions(menu):
    """A menu's actions, those of its submenus included."""
    for action in menu.actions():
        if action.menu() is not None:
            yield from _all_actions(action.menu())
        elif not action.isSeparator():
            yield action
