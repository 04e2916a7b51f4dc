"""The casework operations a councillor performs, from the window or the command line alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from networked_councillor.base import clock
from networked_councillor.base.changes import Changes, Done
from networked_councillor.casework import issues
from networked_councillor.casework.retention import RetentionReport, RetentionSettings, apply_retention

ISSUES = Changes(issues=True)


def log_issue(db: Database, issue: issues.NewIssue) -> Done:
    """A new issue from posts: its id, and the posts that now show they are casework."""
    issue_id = issues.create_issue(db, issue, clock.now_iso())
    return Done(issue_id, Changes(items=frozenset(issue.item_ids), issues=True))


def link_posts(db: Database, issue_id: int, item_ids: Sequence[int]) -> Changes:
    issues.link_items(db, issue_id, item_ids, clock.now_iso())
    return Changes(items=frozenset(item_ids), issues=True)


def move(db: Database, issue_ids: Sequence[int], status: str, note: str = "") -> Done:
    """Several issues to one status; how many moved."""
    return Done(issues.set_status(db, issue_ids, status, clock.now_iso(), note), ISSUES)


def edit(db: Database, issue_id: int, values: dict[str, Any], note: str = "") -> Done:
    """An issue's fields changed; which really did."""
    return Done(issues.update_issue(db, issue_id, values, clock.now_iso(), note=note), ISSUES)


def add_note(db: Database, issue_id: int, text: str) -> Changes:
    issues.add_note(db, issue_id, text, clock.now_iso())
    return ISSUES


def apply_retention_now(db: Database) -> RetentionReport:
    return apply_retention(db, RetentionSettings.load(db), clock.utcnow())
