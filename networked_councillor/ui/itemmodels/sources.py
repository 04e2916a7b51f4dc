"""The per-source status table: last fetch, items, and any problem in plain words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from networked_councillor.base import clock
from networked_councillor.store import Store
from networked_councillor.store import sources as source_store
from networked_councillor.store.sources import SourceRow
from networked_councillor.ui.theme import current as current_theme

Index = QModelIndex | QPersistentModelIndex
SourceIdRole = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Source", "Kind", "On", "Last fetched", "New items", "How it went")


class SourceStatusModel(QAbstractTableModel):
    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self._rows: list[SourceRow] = []
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        with self.store.read() as db:
            self._rows = source_store.all_sources(db)
        self.endResetModel()

    def source(self, position: int) -> SourceRow:
        return self._rows[position]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == SourceIdRole:
            return row.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._display(row, index.column(), full=role == Qt.ItemDataRole.ToolTipRole)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 5 and row.last_error:
            return QBrush(QColor(current_theme().danger))
        return None

    def _display(self, row: SourceRow, column: int, *, full: bool) -> str:
        if column == 0:
            return row.name
        if column == 1:
            return row.plugin
        if column == 2:
            return "Yes" if row.enabled else "No"
        if column == 3:
            return _ago(row.last_fetch_at) if row.last_fetch_at else "Never"
        if column == 4:
            return _new_items(row)
        if row.last_error:
            return f"Problem: {row.last_error}"
        if row.last_note:
            return f"OK, but: {row.last_note}"
        return "OK" if row.last_fetch_at else "Not fetched yet"


def _new_items(row: SourceRow) -> str:
    """What the last fetch brought, in words: "0 / 0" from a feed that had not changed read as empty."""
    if row.last_seen is None:
        return ""
    if row.last_new:
        return f"{row.last_new} new of {row.last_seen}"
    return f"Nothing new ({row.last_seen} read)" if row.last_seen else "Nothing new"


def configure_view(view) -> None:
    """Column widths that fit the content; the last column takes the rest and wraps, so a problem is read whole."""
    from PySide6.QtWidgets import QHeaderView

    view.verticalHeader().hide()
    view.setWordWrap(True)
    for column, width in enumerate((200, 70, 40, 110, 130)):
        view.setColumnWidth(column, width)
    header = view.horizontalHeader()
    header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)


def _ago(iso: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone()
    minutes = int((clock.local_now() - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 24 * 60:
        return f"{minutes // 60} h ago"
    return moment.strftime("%d %b %H:%M")
