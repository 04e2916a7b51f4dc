"""The main window: for now, the ward's newest items in a table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHeaderView, QMainWindow, QMessageBox, QTableView

from networked_councillor import __version__
from networked_councillor.store import items as item_store
from networked_councillor.store import settings as settings_store

Index = QModelIndex | QPersistentModelIndex


class RecentItemsModel(QAbstractTableModel):
    """A read-only table of item rows (dicts from the store)."""

    COLUMNS = ("When", "Source", "From", "What", "Relevance", "Matched")

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__()
        self._rows = rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.get("text")
        column = index.column()
        if column == 0:
            return datetime.fromisoformat(row["created_at"]).astimezone().strftime("%d %b %H:%M") if row["created_at"] else ""
        if column == 1:
            return row.get("source_name") or row["source_id"]
        if column == 2:
            return row.get("author_name") or row.get("author_handle") or ""
        if column == 3:
            return " ".join((row.get("title") or row.get("text") or "").split())[:200]
        if column == 4:
            return f"{row['relevance']:.2f}"
        return ", ".join(e["term"] for e in row.get("evidence") or [])


class MainWindow(QMainWindow):
    def __init__(self, app) -> None:
        super().__init__()
        self.app = app
        with app.store.read() as db:
            ward = settings_store.load_ward(db)
            rows = item_store.recent(db, limit=500, min_relevance=ward.threshold)
        self.setWindowTitle(f"Networked Councillor: {ward.name} ward" if ward.name else "Networked Councillor")
        self.table = QTableView(self)
        self.table.setAccessibleName("Items about the ward")
        self.table.setModel(RecentItemsModel(rows))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setWordWrap(False)
        for column, width in enumerate((110, 200, 150, 0, 80, 280)):
            if width:
                self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.setCentralWidget(self.table)
        self.statusBar().showMessage(
            f"{len(rows)} items about the ward" if ward.name else
            "No ward set up yet: run `networked-councillor demo` to try the demo ward.")
        self._menus()
        self.resize(1200, 720)

    def _menus(self) -> None:
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        self.menuBar().addMenu("&File").addAction(quit_action)
        about = QAction("&About Networked Councillor", self, triggered=self._about)
        self.menuBar().addMenu("&Help").addAction(about)

    def _about(self) -> None:
        QMessageBox.about(self, "About Networked Councillor",
                          f"Networked Councillor {__version__}\nListen to your ward, answer conversationally, "
                          "and turn what you hear into casework.")
