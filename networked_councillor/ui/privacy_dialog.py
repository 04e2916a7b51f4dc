"""Tools > Find and erase a person: a resident's right of access and right to erasure, in one place.

Find first, and read what was found: every record is listed with an excerpt and
can be unticked (a common name may match someone else). Then either save a copy
of what is held for the person, or erase it after an explicit confirmation; the
report that follows says what went, in counts, and can be saved for the
councillor's own records.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from networked_councillor.base import clock
from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import NcError
from networked_councillor.casework.erasure import erase_and_scrub, write_erasure_record
from networked_councillor.casework.privacy import PLACE, PersonQuery, PersonReport, find_person
from networked_councillor.casework.subject_access import subject_access_export
from networked_councillor.ui.errors import explain
from networked_councillor.ui.operations import perform
from networked_councillor.ui.screen import fit_on_screen
from networked_councillor.ui.widgets.help import help_label

FindingRole = Qt.ItemDataRole.UserRole + 1


class PrivacyDialog(QDialog):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.app = window.app
        self.store = window.app.store
        self.report: PersonReport | None = None
        self.last_erasure = None
        self.setWindowTitle("Find and erase a person")
        fit_on_screen(self, 900, 640)
        self.name = QLineEdit(placeholderText="Samira Okonkwo")
        self.handles = QLineEdit(placeholderText="@samira.bsky.social, u/samira_ok (commas between several)")
        self.email = QLineEdit(placeholderText="samira@example.org")
        self.phone = QLineEdit(placeholderText="07700 900123")
        form = QFormLayout()
        for label, field in (("Name", self.name), ("Handles", self.handles), ("Email", self.email),
                             ("Phone", self.phone)):
            field.setAccessibleName(label)
            form.addRow(label, field)
        self.find_button = QPushButton("Find", clicked=self.find)
        self.find_button.setDefault(True)
        self.results = QTreeWidget()
        self.results.setHeaderLabels(["What", "Excerpt"])
        self.results.setAccessibleName("What the app holds about them")
        self.results.setColumnWidth(0, 280)
        self.summary = QLabel(wordWrap=True)
        self.export_button = QPushButton("Save a copy for them…", clicked=self.export_copy)
        self.erase_button = QPushButton("Erase the ticked records…", clicked=self.erase)
        self.record_button = QPushButton("Save the erasure record…", clicked=self.save_record)
        for button in (self.export_button, self.erase_button, self.record_button):
            button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.erase_button)
        buttons.addWidget(self.record_button)
        buttons.addStretch(1)
        buttons.addWidget(QPushButton("Close", clicked=self.accept))
        layout = QVBoxLayout(self)
        layout.addWidget(help_label("For a resident's request to see, or to erase, what you hold about them. "
                                    "Search by anything that identifies them; check each record found before "
                                    "erasing, since a common name can match someone else."))
        layout.addLayout(form)
        layout.addWidget(self.find_button, alignment=Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)

    def person(self) -> PersonQuery:
        handles = tuple(h.strip() for h in self.handles.text().split(",") if h.strip())
        return PersonQuery(self.name.text(), handles, self.email.text(), self.phone.text())

    def find(self) -> None:
        try:
            with self.store.read() as db:
                self.report = find_person(db, self.person())
        except NcError as exc:
            explain(self, exc, "Find a person")
            return
        self.results.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for finding in self.report.findings:
            group = groups.get(finding.kind)
            if group is None:
                group = groups[finding.kind] = QTreeWidgetItem(self.results, [PLACE[finding.kind].label, ""])
                group.setExpanded(True)
            entry = QTreeWidgetItem(group, [f"#{finding.row_id}", finding.excerpt])
            entry.setCheckState(0, Qt.CheckState.Checked)
            entry.setData(0, FindingRole, finding)
        for kind, group in groups.items():
            group.setText(0, f"{PLACE[kind].label} ({group.childCount()})")
        found = bool(self.report.findings)
        self.summary.setText(f"Found {len(self.report.findings)} records." if found else
                             f"Nothing is held about {self.report.query.describe()}.")
        self.export_button.setEnabled(found)
        self.erase_button.setEnabled(found)

    def ticked(self) -> PersonReport:
        """The report, less anything the councillor unticked."""
        kept = [item.data(0, FindingRole) for group in range(self.results.topLevelItemCount())
                for item in _children(self.results.topLevelItem(group))
                if item.checkState(0) == Qt.CheckState.Checked]
        return PersonReport(self.report.query, kept)

    def export_copy(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save a copy of what is held", "subject-access.json",
                                              "JSON and text (*.json)")
        if not path:
            return
        export = perform(self.app, self, subject_access_export, self.person(), Path(path), clock.now_iso(),
                         title="Save a copy")
        if export is None:
            return
        self.summary.setText(f"Saved {export.records} records to {export.json_path.name} and "
                             f"{export.text_path.name}. Read it before sending: posts that mention them may "
                             "name other people.")

    def erase(self) -> None:
        report = self.ticked()
        if not report.findings:
            return
        answer = QMessageBox.question(self, "Erase", f"Erase {len(report.findings)} records about "
                                      f"{report.query.describe()}? This cannot be undone.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.last_erasure = self.app.run(erase_and_scrub, report, clock.now_iso(),
                                             changes=Changes(inbox=True, issues=True))
        except NcError as exc:
            explain(self, exc, "Erase")
            return
        self.erased_report = report
        self.results.clear()
        self.summary.setText(self.last_erasure.describe())
        self.erase_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self.record_button.setEnabled(True)

    def save_record(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the erasure record", "erasure-record.txt",
                                              "Text files (*.txt)")
        if path and self.last_erasure is not None:
            try:
                write_erasure_record(Path(path), self.erased_report, self.last_erasure)
            except NcError as exc:
                explain(self, exc, "Erasure record")


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [item.child(n) for n in range(item.childCount())]
