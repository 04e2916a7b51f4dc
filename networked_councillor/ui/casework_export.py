"""From the casework window: export issues to a file, print the ward report, report an issue to the council.

Each dialog only gathers the choices; the exporters do the work and record it
in the audit log. Anything that talks to the council's Open311 service runs in
the background, so a slow council server never freezes the window.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base import clock
from networked_councillor.ui.widgets.help import help_label

FORMATS = {"csv": ("CSV (any casework system, Excel)", "CSV files (*.csv)"),
           "xlsx": ("Excel workbook (.xlsx)", "Excel workbooks (*.xlsx)"),
           "json": ("JSON (for developers; schema in the manual)", "JSON files (*.json)")}
REPORT_DAYS = 28


class FileChoice(QWidget):
    """A file name with a Choose… button: the dialogs can be driven by typing a path (and by tests)."""

    def __init__(self, caption: str, suggested: Path, file_filter: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption, self.file_filter = caption, file_filter
        self.path = QLineEdit(str(suggested))
        self.path.setAccessibleName(caption)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.path, 1)
        layout.addWidget(QPushButton("Choose…", clicked=self._choose))

    def _choose(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, self.caption, self.path.text(), self.file_filter)
        if chosen:
            self.path.setText(chosen)

    def value(self) -> Path:
        return Path(self.path.text().strip()).expanduser()

    def set_suffix(self, suffix: str, file_filter: str) -> None:
        self.file_filter = file_filter
        if self.path.text().strip():
            self.path.setText(str(self.value().with_suffix(suffix)))


class ExportDialog(QDialog):
    """Which issues, which format, and whether residents' contact details go too (off unless asked for)."""

    def __init__(self, parent: QWidget, selected: int, shown: int, folder: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export issues")
        self.formats = QButtonGroup(self)
        format_row = QVBoxLayout()
        for key, (label, _filter) in FORMATS.items():
            button = QRadioButton(label)
            button.setProperty("format", key)
            self.formats.addButton(button)
            format_row.addWidget(button)
        self.formats.buttons()[0].setChecked(True)
        self.scope = QComboBox()
        self.scope.setAccessibleName("Which issues")
        if selected:
            self.scope.addItem(f"The {selected} selected issue{'s' * (selected != 1)}", "selected")
        self.scope.addItem(f"All {shown} issues shown", "shown")
        self.personal = QCheckBox("Include residents' contact details")
        self.personal.setAccessibleName("Include residents' contact details")
        self.file = FileChoice("Export to", folder / f"casework-{clock.today().isoformat()}.csv", FORMATS["csv"][1])
        self.formats.buttonToggled.connect(self._format_changed)
        form = QFormLayout(self)
        form.addRow("Format", format_row)
        form.addRow("Issues", self.scope)
        form.addRow("", self.personal)
        form.addRow("", help_label("Contact details are personal data: include them only when the system you "
                                   "send the file to needs them and you may share them. The export is recorded "
                                   "in the audit log either way."))
        form.addRow("File", self.file)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @property
    def format(self) -> str:
        return self.formats.checkedButton().property("format")

    def _format_changed(self, button, checked: bool) -> None:
        if checked:
            key = button.property("format")
            self.file.set_suffix(f".{key}", FORMATS[key][1])


class WardReportDialog(QDialog):
    """The period a ward report covers (the last four weeks unless changed) and where to save it."""

    def __init__(self, parent: QWidget, folder: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ward report (PDF)")
        today = QDate(clock.today())
        self.start = QDateEdit(today.addDays(-REPORT_DAYS), calendarPopup=True)
        self.end = QDateEdit(today, calendarPopup=True)
        for edit, name in ((self.start, "Report from"), (self.end, "Report to")):
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(name)
        self.file = FileChoice("Save the report as", folder / f"ward-report-{clock.today().isoformat()}.pdf",
                               "PDF files (*.pdf)")
        form = QFormLayout(self)
        form.addRow(help_label("For a ward surgery, a residents' meeting or a group meeting: casework by status "
                               "and topic, what residents talked about, and the posts most worth reading. It "
                               "carries no resident's contact details."))
        form.addRow("From", self.start)
        form.addRow("To", self.end)
        form.addRow("File", self.file)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Make report", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def period(self) -> tuple[date, date]:
        return self.start.date().toPython(), self.end.date().toPython()


class CouncilReportDialog(QDialog):
    """Report one issue to the council's Open311 service: which kind of report, the council's own questions
    for it, and whether to send the resident's contact details (only with their consent)."""

    def __init__(self, parent: QWidget, issue: dict, council: str, load_questions=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Report {issue['reference']} to the council")
        self.load_questions = load_questions
        self.services: dict[str, object] = {}
        self.answers: dict[str, QWidget] = {}
        self.service = QComboBox()
        self.service.setAccessibleName("Kind of report")
        self.service.setEnabled(False)
        self.service.addItem("Loading the council's report types…", None)
        self.service.currentIndexChanged.connect(self._service_chosen)
        contact = issue.get("contact")
        self.contact = QCheckBox("Send the resident's contact details, so the council can reply to them")
        self.contact.setEnabled(bool(contact) and bool(issue.get("contact_consent")))
        self.contact.setToolTip("Only when the resident agreed to it (tick “Consent” on the issue)." if contact
                                else "This issue has no contact details.")
        where = issue.get("address") or issue.get("postcode") or (
            f"{issue['lat']:.5f}, {issue['lon']:.5f}" if issue.get("lat") is not None else "")
        summary = QLabel(f"<b>{html.escape(issue['title'])}</b><br>{html.escape(where or 'No location: add one first')}")
        summary.setWordWrap(True)
        self.questions = QFormLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(summary)
        form.addRow(f"Report to {council}", self.service)
        form.addRow(self.questions)
        form.addRow("", self.contact)
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send = buttons.addButton("Report to council", QDialogButtonBox.ButtonRole.AcceptRole)
        self.send.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def show_services(self, services: list) -> None:
        self.services = {service.code: service for service in services}
        self.service.blockSignals(True)
        self.service.clear()
        for service in sorted(services, key=lambda s: (s.group, s.name)):
            label = f"{service.group}: {service.name}" if service.group else service.name
            self.service.addItem(label, service.code)
        self.service.blockSignals(False)
        self.service.setEnabled(bool(services))
        if not services:
            self.message.setText("The council's service lists no report types.")
        self._service_chosen()

    def show_problem(self, text: str) -> None:
        self.service.clear()
        self.service.addItem("Not available", None)
        self.send.setEnabled(False)
        self.message.setText(text)

    def _service_chosen(self) -> None:
        while self.questions.rowCount():
            self.questions.removeRow(0)
        self.answers = {}
        service = self.services.get(self.service.currentData())
        self.send.setEnabled(service is not None)
        self.message.setText(getattr(service, "description", "") or "")
        if service is not None and service.metadata and self.load_questions is not None:
            self.send.setEnabled(False)
            self.message.setText("Loading the council's questions for this kind of report…")
            self.load_questions(service.code, self.show_questions, lambda error: self.show_problem(str(error)))

    def show_questions(self, definition) -> None:
        """The council's extra questions for the chosen report type (lamp post number, kind of waste…)."""
        if definition.code != self.service.currentData():
            return  # the councillor has chosen another type since
        for attribute in sorted(definition.attributes, key=lambda a: a.order):
            if not attribute.variable:
                self.questions.addRow(help_label(attribute.description))
                continue
            if attribute.values:
                field = QComboBox()
                if not attribute.required:
                    field.addItem("(no answer)", "")
                for key, name in attribute.values:
                    field.addItem(name, key)
            else:
                field = QLineEdit(placeholderText=attribute.datatype_description or "")
            field.setAccessibleName(attribute.description)
            self.answers[attribute.code] = field
            self.questions.addRow(attribute.description + (" *" if attribute.required else ""), field)
        self.message.setText("")
        self.send.setEnabled(True)

    def attributes(self) -> dict[str, str]:
        """The answers, as the council's codes; blank answers left out."""
        answers = {}
        for code, field in self.answers.items():
            value = field.currentData() if isinstance(field, QComboBox) else field.text().strip()
            if value:
                answers[code] = value
        return answers


def default_folder() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()



def refresh_words(result) -> str:
    """What pulling the council's updates did, in one sentence."""
    if not result.checked and not result.problems:
        return "No issue is waiting on the council's reporting service."
    words = f"Checked {result.checked} report(s) with the council: {result.updated} updated, {result.resolved} resolved"
    if result.references:
        words += f", {result.references} given the council's reference"
    return words + "." + ("" if not result.problems else " Problems: " + "; ".join(result.problems))
