"""`issues` on the command line, against the demo ward's casework in a real data folder."""

import json
import shutil

import pytest

from networked_councillor.cli.main import main


@pytest.fixture
def demo_data(demo_folder, isolated_data_dir):
    shutil.copytree(demo_folder, isolated_data_dir)
    return isolated_data_dir


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_demo_ward_has_casework_linked_to_its_posts(capsys, demo_data):
    code, out, _ = run(capsys, "issues", "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 6  # the seventh is resolved
    assert all(row["linked"] >= 1 for row in rows)
    assert rows[0]["overdue"] and not rows[-1]["overdue"]  # overdue first
    code, out, _ = run(capsys, "issues", "list", "--all")
    assert code == 0 and "7 issue(s)." in out and "Resolved" in out


def test_show_move_and_note(capsys, demo_data):
    code, out, _ = run(capsys, "issues", "show", "mi-0005")
    assert code == 0 and "Recycling not collected, Willow Crescent" in out and "fixmystreet" in out
    code, out, _ = run(capsys, "issues", "status", "in_progress", "MI-0005", "MI-0007", "--note", "Crew sent")
    assert code == 0 and "2 issue(s) moved to In progress." in out
    run(capsys, "issues", "note", "MI-0005", "Resident says it was collected late.")
    code, out, _ = run(capsys, "issues", "show", "MI-0005")
    assert "Status: New → In progress. Crew sent" in out and out.rstrip().endswith("collected late.")


def test_an_unknown_reference_is_explained(capsys, demo_data):
    code, _, err = run(capsys, "issues", "show", "XX-9999")
    assert code == 2 and "There is no issue XX-9999" in err


def test_export_every_format_from_the_command_line(capsys, demo_data, tmp_path):
    import csv

    import openpyxl

    code, out, _ = run(capsys, "issues", "export", "--format", "csv", "--out", str(tmp_path / "c.csv"))
    assert code == 0 and "Exported 7 issue(s) to" in out
    with (tmp_path / "c.csv").open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == 7
    code, out, _ = run(capsys, "issues", "export", "--format", "xlsx", "--open", "--out", str(tmp_path / "c.xlsx"))
    assert code == 0 and openpyxl.load_workbook(tmp_path / "c.xlsx").active.max_row == 1 + 6
    code, out, _ = run(capsys, "issues", "export", "--format", "json", "MI-0001", "--out", str(tmp_path / "c.json"))
    document = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert code == 0 and [i["reference"] for i in document["issues"]] == ["MI-0001"]
    code, out, _ = run(capsys, "issues", "export", "--format", "pdf", "--from", "2026-01-01",
                       "--out", str(tmp_path / "r.pdf"))
    assert code == 0 and (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF") and "page(s)" in out
    code, _, err = run(capsys, "issues", "export", "--format", "csv", "--out", str(tmp_path / "no" / "x.csv"))
    assert code != 0 and "nothing was saved" in err


def test_export_chooses_issues_by_status(capsys, demo_data, tmp_path):
    code, out, _ = run(capsys, "issues", "export", "--format", "json", "--status", "resolved",
                       "--out", str(tmp_path / "done.json"))
    document = json.loads((tmp_path / "done.json").read_text(encoding="utf-8"))
    assert code == 0 and "Exported 1 issue(s)" in out
    assert [i["status"] for i in document["issues"]] == ["resolved"]
    code, _, err = run(capsys, "issues", "export", "--format", "csv", "--status", "new", "MI-0001",
                       "--out", str(tmp_path / "x.csv"))
    assert code != 0 and "not both" in err and not (tmp_path / "x.csv").exists()


def test_report_to_the_council_and_bring_updates_back(capsys, demo_data, memory_keyring):
    from networked_councillor.demo.open311 import LocalCouncil

    council = LocalCouncil(api_key="k3y")
    council.start()
    try:
        code, out, _ = run(capsys, "issues", "export", "--format", "open311", "MI-0001")
        assert code != 0
        code, out, _ = run(capsys, "issues", "council", "--endpoint", council.endpoint)
        assert code == 0
        from networked_councillor.base.secrets import SecretStore

        SecretStore("open311").set("api_key", "k3y")
        code, out, _ = run(capsys, "issues", "services")
        assert code == 0 and "POTHOLE" in out and "--answer column_number=" in out
        code, out, _ = run(capsys, "issues", "export", "--format", "open311", "--service", "SLIGHT", "MI-0002")
        assert code == 1 and "not reported" in out and "column_number" in out, "the council's refusal is shown"
        _give_contact(demo_data, "MI-0002", consent=True)
        code, out, _ = run(capsys, "issues", "export", "--format", "open311", "--service", "SLIGHT", "MI-0002",
                           "--answer", "column_number=MB-042", "--answer", "fault_type=out", "--with-contact")
        assert code == 0 and "their reference 7710231" in out
        assert council.posted_forms()[-1]["email"] == ["sam@example.org"], "consented, and asked for"
        council.update("7710231", "closed", "Lamp replaced")
        code, out, _ = run(capsys, "issues", "updates")
        assert code == 0 and "1 resolved" in out
        code, out, _ = run(capsys, "issues", "show", "MI-0002")
        assert "Resolved" in out and "7710231" in out
    finally:
        council.close()


def _give_contact(data_dir, reference, *, consent):
    from networked_councillor.app import App
    from networked_councillor.casework.issues import Contact, id_of_reference, update_issue

    app = App(data_dir, log_to_file=False)
    try:
        with app.store.write() as db:
            update_issue(db, id_of_reference(db, reference), {"contact": Contact(name="Sam Patel", email="sam@example.org"),
                                                          "contact_consent": consent}, "2026-11-24T10:00:00+00:00")
    finally:
        app.close()
