"""The casework log: issues, their timeline as an audit trail, filters and overdue issues, in a real SQLite file."""

import sqlite3
from datetime import date

import pytest

from networked_councillor.base.errors import ConfigError
from networked_councillor.casework import audit
from networked_councillor.casework.issues import (
    Contact,
    IssueFilter,
    NewIssue,
    add_note,
    create_issue,
    describe_event,
    get_issue,
    list_issues,
    set_status,
    update_issue,
)

NOW = "2026-11-24T10:00:00+00:00"
LATER = "2026-11-25T09:30:00+00:00"
TODAY = date(2026, 11, 24)


@pytest.fixture
def db(store):
    with store.write() as db:
        yield db


def log(db, title="Pothole on Oak Road", **kw) -> int:
    return create_issue(db, NewIssue(title=title, ward="Millbrook", **kw), NOW)


def test_an_issue_gets_a_reference_and_a_timeline(db):
    issue_id = log(db, category="roads", contact=Contact(name="Sam Resident", phone="01234 567890"))
    issue = get_issue(db, issue_id)
    assert issue["reference"].endswith("-0001") and issue["status"] == "new"
    assert issue["contact"] == Contact(name="Sam Resident", phone="01234 567890")
    assert [describe_event(e) for e in issue["events"]] == [f"Logged as {issue['reference']}: Pothole on Oak Road"]


def test_every_change_is_on_the_timeline_but_contact_details_are_not(db):
    issue_id = log(db)
    changed = update_issue(db, issue_id, {"status": "reported", "agency_ref": "FMS 7710231", "title": "Pothole on Oak Road"},
                           LATER, note="Reported through FixMyStreet")
    assert sorted(changed) == ["agency_ref", "status"]  # the unchanged title is not an event
    update_issue(db, issue_id, {"contact": Contact(email="sam@example.org")}, LATER)
    add_note(db, issue_id, "Council says two weeks.", LATER)
    words = [describe_event(e) for e in get_issue(db, issue_id)["events"]]
    assert words[1:] == ["Status: New → Reported to council. Reported through FixMyStreet",
                         "Agency ref: — → FMS 7710231",
                         "Resident's contact details updated",
                         "Council says two weeks."]
    assert "sam@example.org" not in str(list(db.query("SELECT detail FROM issue_events")))


def test_closing_stamps_closed_at_and_reopening_clears_it(db):
    issue_id = log(db)
    update_issue(db, issue_id, {"status": "resolved"}, LATER)
    assert get_issue(db, issue_id)["closed_at"] == LATER
    update_issue(db, issue_id, {"status": "in_progress"}, LATER)
    assert get_issue(db, issue_id)["closed_at"] is None


def test_the_timeline_cannot_be_rewritten_only_erased(db):
    issue_id = log(db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE issue_events SET detail = '{}' WHERE issue_id = ?", [issue_id])
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM issue_events WHERE issue_id = ?", [issue_id])
    db.execute("UPDATE issue_events SET detail = '{\"erased\": true}' WHERE issue_id = ?", [issue_id])
    assert describe_event(get_issue(db, issue_id)["events"][0]) == "(erased at a resident's request)"


def test_bulk_status_changes_and_filters(db):
    ids = [log(db, f"Issue {n}", category="bins" if n % 2 else "roads") for n in range(4)]
    assert set_status(db, ids[:2], "in_progress", LATER, note="Chased") == 2
    assert set_status(db, ids[:2], "in_progress", LATER) == 0  # already there: nothing to record
    assert {r["id"] for r in list_issues(db, IssueFilter(statuses=("in_progress",)), today=TODAY)} == set(ids[:2])
    assert {r["id"] for r in list_issues(db, IssueFilter(category="bins"), today=TODAY)} == {ids[1], ids[3]}
    assert [r["title"] for r in list_issues(db, IssueFilter(query="issue 3"), today=TODAY)] == ["Issue 3"]


def test_overdue_issues_come_first_and_done_ones_are_never_overdue(db):
    late = log(db, "Late", due_date="2026-11-20")
    log(db, "On time", due_date="2026-12-01")
    done = log(db, "Done late", due_date="2026-11-01")
    update_issue(db, done, {"status": "closed"}, NOW)
    rows = list_issues(db, today=TODAY)
    assert rows[0]["id"] == late and rows[0]["overdue"]
    assert [r["title"] for r in list_issues(db, IssueFilter(overdue_only=True), today=TODAY)] == ["Late"]
    assert not next(r for r in rows if r["id"] == done)["overdue"]


@pytest.mark.parametrize("changes, words", [
    ({"status": "shelved"}, "Status must be one of"),
    ({"priority": "whenever"}, "Priority must be one of"),
    ({"due_date": "next Tuesday"}, "not a date"),
    ({"title": "   "}, "needs a title"),
    ({"reference": "XX-1"}, "not something an issue has"),
])
def test_bad_changes_are_refused_and_nothing_is_written(db, changes, words):
    issue_id = log(db)
    with pytest.raises(ConfigError, match=words):
        update_issue(db, issue_id, changes, LATER)
    assert len(get_issue(db, issue_id)["events"]) == 1


def test_the_audit_log_is_append_only(db):
    audit.record(db, "export", "CSV of 2 issues", NOW, records=2, personal_data=True, detail={"format": "csv"})
    (entry,) = audit.entries(db)
    assert entry["personal_data"] is True and entry["detail"] == {"format": "csv"}
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit_log")
    with pytest.raises(ValueError):
        audit.record(db, "tidy_up", "?", NOW)
