"""From the casework window: export to CSV and Excel, the PDF ward report, and reporting to the council's
Open311 service (a real local one) with its updates brought back."""

import csv

import openpyxl
import pytest
from open311server import Open311Server

from networked_councillor.base import clock
from networked_councillor.base.secrets import SecretStore
from networked_councillor.casework import audit
from networked_councillor.casework.issues import Contact, NewIssue, create_issue, get_issue
from networked_councillor.exporters.open311 import SECRETS
from networked_councillor.ui.casework_export import CouncilReportDialog, ExportDialog, WardReportDialog

KEY = "s3cret-key"


def answer(dialog_class, monkeypatch, fill):
    """Drive a dialog: ``fill`` sets its fields as a councillor would, then it is accepted."""
    monkeypatch.setattr(dialog_class, "exec", lambda self: fill(self) or 1)


@pytest.fixture
def casework(window):
    window.open_casework()
    return window.casework_window


def test_export_all_shown_issues_to_csv_without_contact_details(casework, tmp_path, monkeypatch):
    target = tmp_path / "out" / "casework.csv"
    (tmp_path / "out").mkdir()
    answer(ExportDialog, monkeypatch, lambda d: d.file.path.setText(str(target)))
    casework.export_button.click()
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == casework.model.rowCount() > 0
    assert {r["reference"] for r in rows} == {casework.model.index(n, 0).data() for n in range(len(rows))}
    assert "Exported" in casework.summary.text()
    with casework.app.store.read() as db:
        entry = audit.entries(db, action="export")[0]
    assert entry["records"] == len(rows) and entry["personal_data"] is False
    assert not any(r[f"contact_{part}"] for r in rows for part in ("name", "email", "phone", "address"))


def test_export_selected_to_excel_with_contact_only_when_asked(casework, window, tmp_path, monkeypatch):
    with window.app.store.write() as db:
        issue_id = create_issue(db, NewIssue(title="=HYPERLINK(\"http://evil\")", ward="Millbrook",
                                             contact=Contact(name="Sam Patel", phone="07700 900123"),
                                             contact_consent=True), clock.now_iso())
    casework.refresh()
    casework.show_issue(issue_id)
    target = tmp_path / "selected.xlsx"

    def fill(dialog):
        dialog.formats.buttons()[1].setChecked(True)
        dialog.file.path.setText(str(target))
        dialog.personal.setChecked(True)
        assert dialog.scope.currentData() == "selected"

    answer(ExportDialog, monkeypatch, fill)
    casework.export_button.click()
    sheet = openpyxl.load_workbook(target).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert sheet.max_row == 2, "only the selected issue"
    assert "Sam Patel" in " ".join(str(v) for v in values)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    hyperlink = next(cell for row in sheet.iter_rows() for cell in row if str(cell.value).startswith("=HYPERLINK"))
    assert hyperlink.data_type == "s" and hyperlink.quotePrefix, "the formula is text, shown as typed"
    with window.app.store.read() as db:
        assert audit.entries(db, action="export")[0]["personal_data"] is True


def test_the_ward_report_is_written_as_a_pdf(casework, tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    answer(WardReportDialog, monkeypatch, lambda d: d.file.path.setText(str(target)))
    casework.report_button.click()
    assert target.read_bytes().startswith(b"%PDF")
    assert "Ward report saved" in casework.summary.text()


def test_an_export_to_a_missing_folder_is_explained(casework, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr("networked_councillor.ui.errors.QMessageBox.warning", lambda *a, **k: warnings.append(a))
    answer(ExportDialog, monkeypatch, lambda d: d.file.path.setText(str(tmp_path / "nowhere" / "x.csv")))
    casework.export_button.click()
    assert warnings and "Exported" not in casework.summary.text()


@pytest.fixture
def council():
    server = Open311Server(api_key=KEY)
    yield server
    server.close()


def test_report_to_council_then_bring_its_update_back(window, casework, council, monkeypatch):
    page = connect_council(window, council)
    page.check()
    assert page.result.text().startswith("✔ Connected")
    window.settings_dialog.close()

    with window.app.store.write() as db:
        issue_id = create_issue(db, NewIssue(title="Pothole outside 14 Oak Road", description="Deep, by the drain.",
                                             ward="Millbrook", lat=52.2841, lon=-1.1702,
                                             contact=Contact(name="Sam Patel", email="sam@example.org")),
                                clock.now_iso())
    casework.refresh()
    casework.show_issue(issue_id)

    def choose(dialog):
        assert not dialog.contact.isEnabled(), "no consent, so contact details cannot be sent"
        dialog.service.setCurrentIndex(dialog.service.findData("POTHOLE"))

    answer(CouncilReportDialog, monkeypatch, choose)
    casework.council_button.click()
    (form,) = council.posted_forms()
    assert form["service_code"] == ["POTHOLE"] and form["lat"] == ["52.2841"]
    assert "email" not in form and "first_name" not in form
    with window.app.store.read() as db:
        issue = get_issue(db, issue_id)
    assert issue["status"] == "reported" and issue["agency_ref"]
    assert issue["agency_ref"] in casework.summary.text()

    council.update(issue["agency_ref"], "closed", "Repaired on 23 November")
    casework.updates_button.click()
    with window.app.store.read() as db:
        issue = get_issue(db, issue_id)
    assert issue["status"] == "resolved"
    assert "1 resolved" in casework.summary.text()


def test_report_to_council_without_a_service_set_up_says_where_to_set_it(casework, monkeypatch):
    told = []
    monkeypatch.setattr("networked_councillor.ui.casework.QMessageBox.information", lambda *a: told.append(a[2]))
    casework.table.selectRow(0)
    casework.council_button.click()
    assert told and "Settings > Council" in told[0]


def test_the_audit_log_shows_each_export(window, casework, tmp_path, monkeypatch):
    from networked_councillor.ui.audit_view import AuditLogDialog

    answer(ExportDialog, monkeypatch, lambda d: d.file.path.setText(str(tmp_path / "a.csv")))
    casework.export_button.click()
    shown = []
    monkeypatch.setattr(AuditLogDialog, "exec", lambda self: shown.append(self) or 1)
    window.audit_action.trigger()
    table = shown[0].table
    assert table.item(0, 1).text() == "Export" and table.item(0, 3).text() == "No"
    assert int(table.item(0, 2).text()) == casework.model.rowCount()



def connect_council(window, council):
    window.open_settings("council")
    page = window.settings_dialog.council
    page.endpoint.setText(council.endpoint)
    page.save()
    SecretStore(SECRETS).set("api_key", KEY)
    return page


def test_the_councils_own_questions_are_asked_and_sent(window, casework, council, monkeypatch):
    connect_council(window, council).window().close()
    with window.app.store.write() as db:
        issue_id = create_issue(db, NewIssue(title="Street light out, Nightingale Close", ward="Millbrook",
                                             address="Nightingale Close, Millbrook"), clock.now_iso())
    casework.refresh()
    casework.show_issue(issue_id)

    def answer_questions(dialog):
        dialog.service.setCurrentIndex(dialog.service.findData("SLIGHT"))
        assert set(dialog.answers) == {"column_number", "fault_type"}, "the council's questions are shown"
        dialog.answers["column_number"].setText("MB-042")
        dialog.answers["fault_type"].setCurrentIndex(dialog.answers["fault_type"].findData("flicker"))

    answer(CouncilReportDialog, monkeypatch, answer_questions)
    casework.council_button.click()
    (form,) = council.posted_forms()
    assert form["attribute[column_number]"] == ["MB-042"] and form["attribute[fault_type]"] == ["flicker"]
    assert form["address_string"] == ["Nightingale Close, Millbrook"]
    with window.app.store.read() as db:
        assert get_issue(db, issue_id)["status"] == "reported"
