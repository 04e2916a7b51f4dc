"""Retention: old posts go (unless casework, a pin or a correction needs them), residents' contact details go some
time after their issue closes, the issue itself stays, and each purge is in the audit log."""

from datetime import datetime, timezone

import pytest

from networked_councillor.base.errors import ConfigError
from networked_councillor.casework import audit
from networked_councillor.casework.issues import Contact, NewIssue, create_issue, get_issue, update_issue
from networked_councillor.casework.retention import (
    CONTACT_DAYS_SETTING,
    DAYS_SETTING,
    RetentionSettings,
    apply_retention,
)
from networked_councillor.replies import drafts
from networked_councillor.store import settings as settings_store

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
OLD, RECENT = "2026-06-01T10:00:00+00:00", "2026-11-20T10:00:00+00:00"


@pytest.fixture
def db(store):
    with store.write() as database:
        author = database["authors"].insert({"source_id": "s", "handle": "old.author"}).last_pk
        for item_id, seen, extra in ((1, OLD, {}), (2, OLD, {"pinned": 1}), (3, OLD, {}), (4, RECENT, {}),
                                     (5, OLD, {})):
            database["items"].insert({"id": item_id, "source_id": "s", "external_id": f"x{item_id}",
                                      "text": f"post {item_id}", "first_seen_at": seen, "author_id": author,
                                      **extra})
        create_issue(database, NewIssue(title="Kept by casework", item_ids=[3]), OLD)
        drafts.record_posted(database, 5, "bluesky", "an old posted reply", OLD)
        yield database


def test_old_posts_go_and_worked_on_ones_stay(db):
    report = apply_retention(db, RetentionSettings(days=90), NOW)
    left = {row[0] for row in db.execute("SELECT id FROM items")}
    assert left == {2, 3, 4}, "pinned, linked to casework and recent posts stay"
    assert report.items == 2 and report.drafts == 1 and "2 old posts" in report.summary()
    entry = audit.entries(db, action="purge")[0]
    assert entry["records"] == report.total and entry["personal_data"]


def test_keep_everything_by_default(db):
    report = apply_retention(db, RetentionSettings.load(db), NOW)
    assert report.total == 0 and "nothing was old enough" in report.summary()
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 5
    assert audit.entries(db, action="purge") == []


def test_contact_details_are_cleared_some_time_after_the_issue_closed(db):
    closed = create_issue(db, NewIssue(title="Fence", contact=Contact(name="Sam Patel", phone="07700 900123")), OLD)
    update_issue(db, closed, {"status": "resolved"}, OLD)
    open_issue = create_issue(db, NewIssue(title="Bins", contact=Contact(name="Jo Bloggs")), OLD)
    settings_store.set_setting(db, CONTACT_DAYS_SETTING, 30)
    report = apply_retention(db, RetentionSettings.load(db), NOW)
    assert report.contacts_cleared == 1
    cleared = get_issue(db, closed)
    assert cleared["contact"] is None and cleared["title"] == "Fence", "the issue itself is kept"
    assert any("contact" in str(e).lower() for e in cleared["events"]), "the timeline says so"
    assert get_issue(db, open_issue)["contact"] is not None, "an open issue keeps its contact"


def test_a_bad_setting_is_explained_and_nothing_is_deleted(db):
    settings_store.set_setting(db, DAYS_SETTING, "a month")
    with pytest.raises(ConfigError, match="whole number of days"):
        RetentionSettings.load(db)
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 5
