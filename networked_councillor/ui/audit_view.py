"""Tools > Audit log: what left the app or was erased, when, how many records, and whether it was personal data.

A councillor is a data controller: this is the record they show when asked
what happened to a resident's details.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from networked_councillor.casework import audit
from networked_councillor.ui.screen import fit_on_screen

COLUMNS = ("When", "What", "Records", "Personal data", "Details")
ACTION_WORDS = {"export": "Export", "open311_submit": "Report to council", "post_reply": "Reply posted",
                "erase_person": "Person erased", "subject_access": "Subject access export", "purge": "Retention purge"}


class AuditLogDialog(QDialog):
    def __init__(self, parent, store, limit: int = 500) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit log")
        fit_on_screen(self, 980, 560)
        with store.read() as db:
            entries = audit.entries(db, limit=limit)
        self.table = QTableWidget(len(entries), len(COLUMNS))
        self.table.setAccessibleName("Audit log entries")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, entry in enumerate(entries):
            when = datetime.fromisoformat(entry["at"]).astimezone().strftime("%d %b %Y %H:%M")
            cells = (when, ACTION_WORDS.get(entry["action"], entry["action"]), str(entry["records"]),
                     "Yes" if entry["personal_data"] else "No", entry["summary"])
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Every export, report to the council, posted reply, erasure and purge, newest "
                                "first. Entries cannot be changed or deleted.", wordWrap=True))
        layout.addWidget(self.table)
        layout.addWidget(buttons)
