"""Tools > Audit log: what left the app or was erased, when, how many records, and whether it was personal data;
and, while casework is shared, the shared database's own record of who changed what.

A councillor is a data controller: this is the record they show when asked
what happened to a resident's details.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.casework import audit
from networked_councillor.shared.audit import LogEntry, shared_log
from networked_councillor.shared.connection import SharedSettings
from networked_councillor.ui.screen import fit_on_screen

COLUMNS = ("When", "What", "Records", "Personal data", "Details")
SHARED_COLUMNS = ("When", "Who", "Ward", "Issue", "What")
ACTION_WORDS = {"export": "Export", "open311_submit": "Report to council", "post_reply": "Reply posted",
                "erase_person": "Person erased", "subject_access": "Subject access export", "purge": "Retention purge"}


class AuditLogDialog(QDialog):
    def __init__(self, parent, store, limit: int = 500, *, app=None, runner=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit log")
        fit_on_screen(self, 980, 560)
        with store.read() as db:
            entries = audit.entries(db, limit=limit)
            shared = SharedSettings.load(db)
        self.table = _table("Audit log entries", COLUMNS, [
            (_when(datetime.fromisoformat(e["at"])), ACTION_WORDS.get(e["action"], e["action"]), str(e["records"]),
             "Yes" if e["personal_data"] else "No", e["summary"]) for e in entries])
        local = QWidget()
        local_layout = QVBoxLayout(local)
        local_layout.addWidget(QLabel("Every export, report to the council, posted reply, erasure and purge, newest "
                                      "first. Entries cannot be changed or deleted.", wordWrap=True))
        local_layout.addWidget(self.table)
        self.tabs = QTabWidget()
        self.tabs.addTab(local, "On this computer")
        self.shared_table: QTableWidget | None = None
        if shared.enabled and app is not None and runner is not None:
            self.shared_note = QLabel("Reading the shared casework's record…", wordWrap=True)
            self.shared_table = _table("Shared casework log entries", SHARED_COLUMNS, [])
            page = QWidget()
            page_layout = QVBoxLayout(page)
            page_layout.addWidget(self.shared_note)
            page_layout.addWidget(self.shared_table)
            self.tabs.addTab(page, "Shared casework")
            secrets = app.shared_secrets
            runner.submit("shared-log", lambda cancel, progress: shared_log(shared, secrets, limit),
                          on_done=self._show_shared,
                          on_error=lambda error: self.shared_note.setText(f"⚠ {error}"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def _show_shared(self, entries: list[LogEntry]) -> None:
        self.shared_note.setText("Who changed what in the shared casework of your wards, newest first, as the "
                                 "council's database recorded it (your colleagues' and officers' changes too).")
        _fill(self.shared_table, [(_when(e.at), e.who, e.ward, e.reference, e.what) for e in entries])


def _table(name: str, columns: Sequence[str], rows: list[tuple[str, ...]]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setStretchLastSection(True)
    _fill(table, rows)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            table.setItem(row, column, QTableWidgetItem(text))
    table.resizeColumnsToContents()


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%d %b %Y %H:%M")
