"""CSV, XLSX and JSON exports of casework, re-read as a casework system would read them."""

import csv
import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest

from networked_councillor.base.errors import ConfigError
from networked_councillor.casework import audit
from networked_councillor.casework.issues import Contact, NewIssue, add_note, create_issue, update_issue
from networked_councillor.exporters import export_issues
from networked_councillor.exporters.records import FIELDS

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "issue-export.schema.json").read_text(encoding="utf-8"))
HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+44 7700 900123", "-2+3", "@SUM(A1:A2)",
           "\tindented", "\rreturned"]
NOW = "2026-11-24T10:00:00+00:00"


@pytest.fixture
def casework(store):
    """Issues with awkward text, a resident's contact (with and without consent), notes and a closed one."""
    with store.write() as db:
        db["items"].insert({"id": 1, "source_id": "s", "external_id": "x1", "url": "https://forum.example/t/1/1",
                            "text": "Bins", "first_seen_at": NOW})
        ids = [create_issue(db, NewIssue(title=title, description="Ŵyn’s café — 5 ★ “quoted”\nsecond line",
                                         ward="Millbrook", address="14 Oak Road", postcode="AC4 2RD",
                                         lat=52.2841, lon=-1.1702, category="bins_recycling",
                                         item_ids=[1] if n == 0 else []), NOW)
               for n, title in enumerate(HOSTILE)]
        consenting = create_issue(db, NewIssue(title="Fence down", ward="Millbrook",
                                               contact=Contact(name="Sam Patel", phone="07700 900123"),
                                               contact_consent=True), NOW)
        private = create_issue(db, NewIssue(title="Noise", ward="Millbrook",
                                            contact=Contact(name="Jo Bloggs", email="jo@example.org")), NOW)
        add_note(db, ids[0], "=1+1 rang the depot", "2026-11-25T09:30:00+00:00")
        update_issue(db, ids[1], {"status": "resolved"}, "2026-11-26T12:00:00+00:00")
    return store, ids, consenting, private


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_keeps_every_field_and_runs_no_formula(casework, tmp_path):
    store, ids, consenting, private = casework
    result = export_issues(store, "csv", tmp_path / "issues.csv")
    rows = read_csv(tmp_path / "issues.csv")
    assert result.count == len(rows) == len(ids) + 2 and list(rows[0]) == list(FIELDS)
    titles = {row["title"] for row in rows}
    assert {"'" + t for t in HOSTILE[:4]} <= titles, "each dangerous first character is neutralised"
    assert {"indented", "returned"} <= titles, "titles are trimmed, so a leading tab or return never survives"
    for row in rows:
        for key, value in row.items():
            if key in ("lat", "lon"):  # numbers (west of Greenwich is negative) stay numbers
                float(value or 0)
                continue
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    first = next(r for r in rows if r["title"].startswith("'=HYPERLINK"))
    assert first["description"] == "Ŵyn’s café — 5 ★ “quoted”\nsecond line", "text intact, Welsh letters too"
    assert first["linked_posts"] == "https://forum.example/t/1/1"
    assert first["lat"] == "52.2841" and first["postcode"] == "AC4 2RD" and first["category"] == "bins_recycling"
    assert "'=1+1 rang the depot" not in first["notes"] and "=1+1 rang the depot" in first["notes"]
    assert first["created_at"] == NOW and first["notes"].startswith("2026-")
    closed = next(r for r in rows if r["title"] == "'+44 7700 900123")
    assert closed["status"] == "resolved" and closed["closed_at"] == "2026-11-26T12:00:00+00:00"
    assert not any(r[f"contact_{f}"] for r in rows for f in ("name", "email", "phone", "address"))
    with store.read() as db:
        entry = audit.entries(db, action="export")[0]
    assert entry["records"] == len(rows) and entry["personal_data"] is False
    assert entry["detail"]["format"] == "csv" and entry["detail"]["file"] == "issues.csv"


def test_xlsx_has_no_formula_cells_and_keeps_numbers_and_dates(casework, tmp_path):
    store, ids, _, _ = casework
    export_issues(store, "xlsx", tmp_path / "issues.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "issues.xlsx").active
    header = [c.value for c in sheet[1]]
    assert header == list(FIELDS) and sheet.max_row == len(ids) + 3
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [c for c in cells if c.data_type == "f"], "no cell is a formula"
    hostile = [c for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t"))]
    assert {c.value for c in hostile} >= set(HOSTILE[:4]), "shown as typed: no apostrophe to see"
    assert all(c.data_type == "s" and c.quotePrefix for c in hostile), "text, and it stays text when edited"
    lat = header.index("lat")
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] and r[lat] is not None)
    assert row[lat] == 52.2841 and isinstance(row[lat], float)
    created = header.index("created_at")
    assert row[created] == NOW and isinstance(row[created], str), "ISO 8601 text, never a locale's date"


def test_contact_details_only_when_asked_and_only_with_consent(casework, tmp_path):
    store, _ids, consenting, private = casework
    result = export_issues(store, "csv", tmp_path / "p.csv", issue_ids=[consenting, private],
                           include_personal=True)
    rows = {r["title"]: r for r in read_csv(tmp_path / "p.csv")}
    assert result.personal_data is True
    assert rows["Fence down"]["contact_name"] == "Sam Patel" and rows["Fence down"]["contact_phone"] == "07700 900123"
    assert rows["Noise"]["contact_email"] == "" and rows["Noise"]["contact_withheld"] == "yes", "no consent"
    with store.read() as db:
        assert audit.entries(db, action="export")[0]["personal_data"] is True


def test_json_follows_its_published_schema(casework, tmp_path):
    store, ids, consenting, _ = casework
    export_issues(store, "json", tmp_path / "issues.json", include_personal=True)
    document = json.loads((tmp_path / "issues.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, SCHEMA)
    issues = {i["title"]: i for i in document["issues"]}
    assert issues[HOSTILE[0]]["linked_posts"] == ["https://forum.example/t/1/1"], "JSON keeps the raw text"
    assert issues[HOSTILE[0]]["lat"] == 52.2841 and document["ward"] in ("", "Millbrook")
    assert issues["Fence down"]["contact_name"] == "Sam Patel"
    broken = {**document, "issues": [{**document["issues"][0], "status": "lost"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_a_failed_export_leaves_the_old_file_and_no_audit_entry(casework, tmp_path, monkeypatch):
    store, *_ = casework
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "issues.csv"
    target.write_text("yesterday's export")
    import networked_councillor.exporters as exporters

    def broken(records, path, ward):
        path.write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(exporters.WRITERS, "csv", broken)
    with pytest.raises(ConfigError, match="No space left"):
        export_issues(store, "csv", target)
    assert target.read_text() == "yesterday's export"
    assert [p.name for p in target.parent.iterdir()] == ["issues.csv"], "no half-written file left beside it"
    with store.read() as db:
        assert audit.entries(db, action="export") == []


@pytest.mark.parametrize("where", ["missing/x.csv", "."])
def test_a_bad_destination_is_explained(casework, tmp_path, where):
    store, *_ = casework
    with pytest.raises(ConfigError):
        export_issues(store, "csv", tmp_path / where)


@pytest.mark.parametrize("text", ["\tcmd", "\rcmd", "=1+1", "+1", "-1", "@A1"])
def test_neutralise_covers_every_dangerous_first_character(text):
    from networked_councillor.exporters.tabular import neutralise

    assert neutralise(text) == "'" + text and neutralise("Oak Road") == "Oak Road"


def test_an_unknown_format_is_explained(casework, tmp_path):
    with pytest.raises(ConfigError, match="choose one of csv, xlsx, json"):
        export_issues(casework[0], "docx", tmp_path / "x.docx")


def test_a_leading_tab_or_return_from_another_source_is_neutralised_in_both_files(tmp_path):
    """Casework trims titles, but a record can come from elsewhere (a council's answer, an import)."""
    from networked_councillor.exporters.tabular import write_csv, write_xlsx

    record = dict.fromkeys(FIELDS) | {"reference": "MI-0001", "title": "\tcmd", "description": "\r=1+1",
                                      "agency_ref": "-7710231", "lat": -1.5, "linked_posts": ["=evil"], "notes": []}
    write_csv([record], tmp_path / "r.csv")
    row = read_csv(tmp_path / "r.csv")[0]
    assert (row["title"], row["description"], row["agency_ref"]) == ("'\tcmd", "'\r=1+1", "'-7710231")
    assert row["linked_posts"] == "'=evil" and row["lat"] == "-1.5", "a negative number is a number, not text"
    write_xlsx([record], tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    values = dict(zip(FIELDS, (c.value for c in sheet[2])))
    assert values["title"] == "\tcmd" and values["linked_posts"] == "=evil" and values["lat"] == -1.5
    assert not [c for c in sheet[2] if c.data_type == "f"]
    assert all(c.quotePrefix for c in sheet[2] if isinstance(c.value, str) and c.value[0] in "\t\r=-")


def test_a_semicolon_cannot_split_a_csv_cell_into_a_formula(tmp_path):
    """Excel in much of Europe splits CSV cells at semicolons: ``x;=1+1`` unquoted would become a formula cell."""
    from networked_councillor.exporters.tabular import write_csv

    record = dict.fromkeys(FIELDS) | {"reference": "MI-0001", "title": "x;=1+1", "description": "a;b",
                                      "lat": 52.28, "linked_posts": [], "notes": []}
    write_csv([record], tmp_path / "r.csv")
    line = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert '"x;=1+1"' in line and '"a;b"' in line and ",52.28," in line, "text quoted, numbers left as numbers"
    for cell in line.replace('""', "").split('"')[0::2]:  # what lies outside the quotes
        assert ";" not in cell


def test_an_export_stopped_half_way_leaves_no_part_file_and_the_old_file_whole(casework, tmp_path, monkeypatch):
    from networked_councillor import exporters

    store = casework[0]
    target = tmp_path / "casework.csv"
    target.write_text("the export from last week", encoding="utf-8")

    def interrupted(records, path, ward):
        path.write_text("half of it", encoding="utf-8")
        raise KeyboardInterrupt  # Ctrl+C while it writes

    monkeypatch.setitem(exporters.WRITERS, "csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_issues(store, "csv", target)
    assert target.read_text(encoding="utf-8") == "the export from last week"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
