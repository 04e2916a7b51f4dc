"""The casework log: every issue, filtered; overdue ones first; bulk status changes; exports and reporting."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.core import casework, clock
from networked_councillor.core.casework import PRIORITIES, STATUS_NAMES, STATUSES, IssueFilter
from networked_councillor.core.errors import NcError
from networked_councillor.ui.errors import explain
from networked_councillor.ui.issue_panel import IssuePanel
from networked_councillor.ui.itemmodels.issues import IssuesModel, configure_view

OPEN, ALL = "open", "all"


class CaseworkWindow(QDialog):
    open_item = Signal(int)  # item id: show it in the main window
    changed = Signal()

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.app = window.app
        self.setWindowTitle("Casework")
        self.setAccessibleName("Casework")
        self.resize(1400, 850)
        self.model = IssuesModel(self.app.store, window.topic_names, self)

        self.status = QComboBox()
        self.status.addItem("Open issues", OPEN)
        self.status.addItem("All issues", ALL)
        for status in STATUSES:
            self.status.addItem(STATUS_NAMES[status], status)
        self.category = QComboBox()
        self.category.addItem("Any category", None)
        for topic_id, name in window.topic_names.items():
            self.category.addItem(name, topic_id)
        self.priority = QComboBox()
        self.priority.addItem("Any priority", None)
        for priority in PRIORITIES:
            self.priority.addItem(priority.capitalize(), priority)
        self.overdue = QCheckBox("Overdue only")
        self.search = QLineEdit(placeholderText="Search references, titles, addresses…", clearButtonEnabled=True)
        for widget, name in ((self.status, "Show issues"), (self.category, "Category filter"),
                             (self.priority, "Priority filter"), (self.overdue, "Overdue only"),
                             (self.search, "Search issues")):
            widget.setAccessibleName(name)
        for combo in (self.status, self.category, self.priority):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.overdue.toggled.connect(self.apply_filter)
        self.search.textChanged.connect(self.apply_filter)

        self.table = QTableView()
        self.table.setAccessibleName("Issues")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        configure_view(self.table)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.panel = IssuePanel(self.app.store, window.topic_names)
        self.panel.saved.connect(self._saved)
        self.panel.open_item.connect(self.open_item.emit)

        self.bulk_status = QComboBox()
        self.bulk_status.setAccessibleName("New status for the selected issues")
        for status in STATUSES:
            self.bulk_status.addItem(STATUS_NAMES[status], status)
        self.bulk_button = QPushButton("Set status of selected", clicked=self.set_selected_status)
        self.summary = QLabel()
        self.summary.setAccessibleName("Issue count")

        filters = QHBoxLayout()
        for widget in (self.status, self.category, self.priority, self.overdue):
            filters.addWidget(widget)
        filters.addWidget(self.search, 1)
        bulk = QHBoxLayout()
        bulk.addWidget(self.summary, 1)
        bulk.addWidget(QLabel("Selected:"))
        bulk.addWidget(self.bulk_status)
        bulk.addWidget(self.bulk_button)
        left = QVBoxLayout()
        left.addLayout(filters)
        left.addWidget(self.table, 1)
        left.addLayout(bulk)
        holder = QWidget()
        holder.setLayout(left)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(holder)
        self.splitter.addWidget(self.panel)
        self.splitter.setSizes([900, 500])
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addWidget(QPushButton("Close", clicked=self.close))
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(self.buttons)
        self.apply_filter()

    # ---- the list ----------------------------------------------------------------------

    def current_filter(self) -> IssueFilter:
        shown = self.status.currentData()
        return IssueFilter(
            statuses=() if shown in (OPEN, ALL) else (shown,), open_only=shown == OPEN,
            category=self.category.currentData(), priority=self.priority.currentData(),
            overdue_only=self.overdue.isChecked(), query=self.search.text(),
        )

    def apply_filter(self) -> None:
        selected = self.selected_ids()
        self.model.set_filter(self.current_filter())
        self._reselect(selected)
        self._summarise()

    def refresh(self) -> None:
        selected = self.selected_ids()
        self.model.refresh()
        self._reselect(selected)
        self._summarise()

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.issue_id(row) for row in rows if row < self.model.rowCount()]

    def show_issue(self, issue_id: int) -> None:
        """Select ``issue_id``, widening the filter if it is hidden."""
        if self.model.row_of(issue_id) is None:
            self.status.setCurrentIndex(self.status.findData(ALL))
            self.category.setCurrentIndex(0)
            self.priority.setCurrentIndex(0)
            self.overdue.setChecked(False)
            self.search.clear()
        self._reselect([issue_id])

    def _reselect(self, issue_ids: list[int]) -> None:
        self.table.clearSelection()
        rows = [r for r in (self.model.row_of(i) for i in issue_ids) if r is not None]
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in rows:
            self.table.selectionModel().select(self.model.index(row, 0), flags)
        if rows:
            self.table.scrollTo(self.model.index(rows[0], 0))
        self._selection_changed()

    def _selection_changed(self) -> None:
        ids = self.selected_ids()
        self.panel.show_issue(ids[0] if len(ids) == 1 else None)
        self.bulk_button.setEnabled(bool(ids))

    def _summarise(self) -> None:
        shown, overdue = self.model.rowCount(), self.model.overdue_count()
        words = f"{shown} issue{'s' if shown != 1 else ''}"
        self.summary.setText(f"{words}, {overdue} overdue" if overdue else words)

    # ---- changes -----------------------------------------------------------------------

    def set_selected_status(self) -> None:
        ids, status = self.selected_ids(), self.bulk_status.currentData()
        if not ids:
            return
        note, ok = QInputDialog.getText(self, "Set status", f"Move {len(ids)} issue(s) to "
                                        f"“{STATUS_NAMES[status]}”. A note for their timelines (optional):")
        if not ok:
            return
        try:
            with self.app.store.write() as db:
                moved = casework.set_status(db, ids, status, clock.now_iso(), note)
        except NcError as exc:
            explain(self, exc)
            return
        self.refresh()
        self.changed.emit()
        self.summary.setText(f"{moved} issue(s) moved to {STATUS_NAMES[status]}. " + self.summary.text())

    def _saved(self, issue_id: int) -> None:
        self.refresh()
        self.changed.emit()
