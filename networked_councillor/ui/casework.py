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
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import NcError
from networked_councillor.casework import issues as casework
from networked_councillor.casework import ops as casework_ops
from networked_councillor.casework.issues import (
    PRIORITIES,
    STATUS_NAMES,
    STATUSES,
    IssueFilter,
)
from networked_councillor.casework.ops import ISSUES
from networked_councillor.ui.errors import explain
from networked_councillor.ui.issue_panel import IssuePanel
from networked_councillor.ui.itemmodels.issues import IssuesModel, configure_view
from networked_councillor.ui.screen import fit_on_screen

OPEN, ALL = "open", "all"


class CaseworkWindow(QDialog):
    open_item = Signal(int)  # item id: show it in the main window

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.app = window.app
        self.setWindowTitle("Casework")
        self.setAccessibleName("Casework")
        fit_on_screen(self, 1400, 850)
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
        self.mine = QCheckBox("Handled by me")
        self.mine.setToolTip("Only the issues you are handling (shared casework)")
        self.search = QLineEdit(placeholderText="Search references, titles, addresses…", clearButtonEnabled=True)
        for widget, name in ((self.status, "Show issues"), (self.category, "Category filter"),
                             (self.priority, "Priority filter"), (self.overdue, "Overdue only"),
                             (self.mine, "Handled by me"),
                             (self.search, "Search issues")):
            widget.setAccessibleName(name)
        for combo in (self.status, self.category, self.priority):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.overdue.toggled.connect(self.apply_filter)
        self.mine.toggled.connect(self.apply_filter)
        self.search.textChanged.connect(self.apply_filter)

        self.table = QTableView()
        self.table.setAccessibleName("Issues")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        configure_view(self.table)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.panel = IssuePanel(self.app, window.topic_names)
        window.ops.changed.connect(self._on_changed)
        self.panel.open_item.connect(self.open_item.emit)

        self.bulk_status = QComboBox()
        self.bulk_status.setAccessibleName("New status for the selected issues")
        for status in STATUSES:
            self.bulk_status.addItem(STATUS_NAMES[status], status)
        self.bulk_button = QPushButton("Set status of selected", clicked=self.set_selected_status)
        self.summary = QLabel()
        self.summary.setAccessibleName("Issue count")

        filters = QHBoxLayout()
        for widget in (self.status, self.category, self.priority, self.overdue, self.mine):
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
        self.splitter.setSizes([880, 480])
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.buttons = QHBoxLayout()
        self.export_button = QPushButton("Export…", clicked=self.export)
        self.export_button.setToolTip("CSV, Excel or JSON for a casework system")
        self.report_button = QPushButton("Ward report (PDF)…", clicked=self.ward_report)
        self.council_button = QPushButton("Report to council…", clicked=self.report_to_council)
        self.council_button.setToolTip("Send the selected issue to the council's reporting service (Open311)")
        self.updates_button = QPushButton("Check council updates", clicked=self.check_updates)
        for button in (self.export_button, self.report_button, self.council_button, self.updates_button):
            self.buttons.addWidget(button)
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
            handled_by=self.me.login if self.me and self.mine.isChecked() else None,
        )

    @property
    def me(self):
        """This person in shared casework (None when this laptop does not share it): the table knows."""
        return self.model.me

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
        self.council_button.setEnabled(len(ids) == 1)

    def _summarise(self) -> None:
        shown, overdue = self.model.rowCount(), self.model.overdue_count()
        words = f"{shown} issue{'s' if shown != 1 else ''}"
        self.summary.setText(f"{words}, {overdue} overdue" if overdue else words)
        self.mine.setVisible(self.me is not None)  # only while the casework is shared

    # ---- changes -----------------------------------------------------------------------

    def set_selected_status(self) -> None:
        ids, status = self.selected_ids(), self.bulk_status.currentData()
        if not ids:
            return
        note, ok = QInputDialog.getText(self, "Set status", f"Move {len(ids)} issue(s) to "
                                        f"“{STATUS_NAMES[status]}”. A note for their timelines (optional):")
        if not ok:
            return
        done = self.window_.ops.perform(self, casework_ops.move, ids, status, note)
        if done is None:
            return
        moved = done.value
        self.summary.setText(f"{moved} issue(s) moved to {STATUS_NAMES[status]}. " + self.summary.text())

    def _on_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.issues or changes.setup:
            self.refresh()
            if self.panel.issue is not None:
                self.panel.show_issue(self.panel.issue["id"])

    # ---- exports and the council ---------------------------------------------------------

    def export(self) -> None:
        from networked_councillor.exporters import export_issues
        from networked_councillor.ui.casework_export import ExportDialog, default_folder

        selected = self.selected_ids()
        dialog = ExportDialog(self, len(selected), self.model.rowCount(), default_folder())
        if not dialog.exec():
            return
        ids = selected if dialog.scope.currentData() == "selected" else self.model.all_ids()
        try:
            result = export_issues(self.app.store, dialog.format, dialog.file.value(), issue_ids=ids,
                                   include_personal=dialog.personal.isChecked())
        except NcError as exc:
            explain(self, exc, "Export")
            return
        personal = " with residents' contact details" if result.personal_data else ""
        self.summary.setText(f"Exported {result.count} issue(s){personal} to {result.path}.")

    def ward_report(self) -> None:
        from networked_councillor.printing.pdf import export_ward_report
        from networked_councillor.ui.casework_export import (
            WardReportDialog,
            default_folder,
        )

        dialog = WardReportDialog(self, default_folder())
        if not dialog.exec():
            return
        start, end = dialog.period()
        path = dialog.file.value()
        self.summary.setText("Making the ward report…")
        self.window_.runner.submit(
            "report", lambda cancel, progress: export_ward_report(self.app.store, path, start, end),
            on_done=lambda result: self.summary.setText(f"Ward report saved to {path} ({result[1]} pages)."),
            on_error=lambda error: explain(self, error, "Ward report"))

    def report_to_council(self) -> None:
        """Pick the kind of report from the council's own list, confirm, and send it in the background."""
        from networked_councillor.casework.open311_sync import endpoint_from_settings, report_issue
        from networked_councillor.exporters.open311 import Open311Client
        from networked_councillor.plugin_api.http import HttpClient
        from networked_councillor.ui.casework_export import CouncilReportDialog

        ids = self.selected_ids()
        if len(ids) != 1:
            return
        try:
            endpoint = endpoint_from_settings(self.app.store)
        except NcError as exc:
            explain(self, exc, "Report to council")
            return
        if endpoint is None:
            QMessageBox.information(self, "Report to council", "Add your council's Open311 address in "
                                    "Settings > Council first. The council's website or its digital team "
                                    "can tell you whether it has one.")
            return
        with self.app.store.read() as db:
            issue = casework.get_issue(db, ids[0])
        def ask(job, on_done, on_error) -> None:
            def run(cancel, progress):
                with HttpClient() as http:
                    return job(Open311Client(http, endpoint))

            self.window_.runner.submit("open311", run, on_done=on_done, on_error=on_error)

        dialog = CouncilReportDialog(self, issue, endpoint.host, load_questions=lambda code, done, failed: ask(
            lambda client: client.service_definition(code), done, failed))
        ask(lambda client: client.services(), dialog.show_services, lambda error: dialog.show_problem(str(error)))
        if not dialog.exec() or dialog.service.currentData() is None:
            return
        code, contact, answers = dialog.service.currentData(), dialog.contact.isChecked(), dialog.attributes()

        def send(cancel, progress):
            with HttpClient() as http:
                return self.app.run(report_issue, http, endpoint, issue["id"], code, answers, include_contact=contact,
                                    changes=ISSUES)

        def sent(submitted) -> None:
            reference = submitted.service_request_id or f"pending (token {submitted.token})"
            pretend = " (training: a pretend council on this computer)" if self.app.training else ""
            self.summary.setText(f"{issue['reference']} reported to the council{pretend}: their reference {reference}.")

        self.window_.runner.submit("open311", send, on_done=sent,
                                   on_error=lambda error: explain(self, error, "Report to council"))

    def check_updates(self) -> None:
        from networked_councillor.casework.open311_sync import endpoint_from_settings, refresh_reports
        from networked_councillor.plugin_api.http import HttpClient
        from networked_councillor.ui.casework_export import refresh_words

        try:
            endpoint = endpoint_from_settings(self.app.store)
        except NcError as exc:
            explain(self, exc, "Council updates")
            return
        if endpoint is None:
            self.summary.setText("No council reporting service is set up (Settings > Council).")
            return

        def pull(cancel, progress):
            with HttpClient() as http:
                return self.app.run(refresh_reports, http, endpoint, changes=ISSUES)

        def pulled(result) -> None:
            self.summary.setText(refresh_words(result))

        self.window_.runner.submit("open311", pull, on_done=pulled,
                                   on_error=lambda error: explain(self, error, "Council updates"))
