"""The casework table: one row per issue, overdue ones first and marked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from networked_councillor.base import clock
from networked_councillor.casework.issues import STATUS_NAMES, IssueFilter, list_issues
from networked_councillor.shared.sync import known_me
from networked_councillor.store import Store
from networked_councillor.ui.theme import current as current_theme

Index = QModelIndex | QPersistentModelIndex
IssueIdRole = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Reference", "Title", "Category", "Status", "Priority", "Due", "Updated", "Posts")
HANDLED_BY = "Handled by"
"""A ninth column while the casework is shared with colleagues."""


class IssuesModel(QAbstractTableModel):
    """Casework is hundreds of issues, not millions: the whole filtered list is held in memory."""

    def __init__(self, store: Store, topic_names: dict[str, str], parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.topic_names = topic_names
        self.filter = IssueFilter(open_only=True)
        self._rows: list[dict] = []
        self.columns = COLUMNS
        self.people: dict[str, str] = {}
        self.me = None  # this person in shared casework, when this laptop shares it
        self.refresh()

    def set_filter(self, flt: IssueFilter) -> None:
        self.filter = flt
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        with self.store.read() as db:
            self._rows = list_issues(db, self.filter, today=clock.today())
            me = known_me(db)
        self.me = me
        self.people = me.people if me else {}
        self.columns = COLUMNS + ((HANDLED_BY,) if me else ())
        self.endResetModel()

    def issue_id(self, row: int) -> int:
        return self._rows[row]["id"]

    def all_ids(self) -> list[int]:
        """Every issue the filter shows, in the order shown."""
        return [row["id"] for row in self._rows]

    def row_of(self, issue_id: int) -> int | None:
        return next((n for n, row in enumerate(self._rows) if row["id"] == issue_id), None)

    def overdue_count(self) -> int:
        return sum(1 for row in self._rows if row["overdue"])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == IssueIdRole:
            return row["id"]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Overdue: it was due on {_day(row['due_date'])}" if row["overdue"] else row["title"]
        if role == Qt.ItemDataRole.ForegroundRole and row["overdue"]:
            return QBrush(QColor(current_theme().danger))
        if role == Qt.ItemDataRole.FontRole and row["overdue"] and index.column() == 5:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and row["overdue"]:
            return "overdue"
        return None

    def _display(self, row: dict, column: int) -> str:
        if column == 0:
            return row["reference"]
        if column == 1:
            return row["title"]
        if column == 2:
            return self.topic_names.get(row["category"] or "", row["category"] or "")
        if column == 3:
            return STATUS_NAMES.get(row["status"], row["status"])
        if column == 4:
            return (row["priority"] or "").capitalize()
        if column == 5:
            due = _short_day(row["due_date"]) if row["due_date"] else ""
            return f"{due} (overdue)" if row["overdue"] else due
        if column == 6:
            return _short_day(datetime.fromisoformat(row["updated_at"]).astimezone().date().isoformat()) \
                if row["updated_at"] else ""
        if column == 7:
            return str(row["linked"] or "")
        return self.people.get(row["assigned_to"], row["assigned_to"] or "")


def configure_view(view) -> None:
    from PySide6.QtWidgets import QHeaderView

    view.verticalHeader().hide()
    view.setWordWrap(False)
    for column, width in enumerate((80, 0, 120, 118, 65, 125, 70, 45, 95)):
        if width:
            view.setColumnWidth(column, width)
    view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)


def _short_day(iso: str) -> str:
    """"04 Dec" this year, "04 Dec 2025" otherwise: the title column gets the room."""
    day = date.fromisoformat(iso[:10])
    return day.strftime("%d %b" if day.year == clock.today().year else "%d %b %Y")


def _day(iso: str) -> str:
    return date.fromisoformat(iso[:10]).strftime("%d %b %Y")
