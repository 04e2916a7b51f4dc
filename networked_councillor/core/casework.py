"""Casework: issues logged from what residents post, with an append-only timeline."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlite_utils import Database

from networked_councillor.core.errors import ConfigError
from networked_councillor.store import settings as settings_store

STATUSES = ("new", "reported", "in_progress", "awaiting_resident", "resolved", "closed")
STATUS_NAMES = {"new": "New", "reported": "Reported to council", "in_progress": "In progress",
                "awaiting_resident": "Awaiting resident", "resolved": "Resolved", "closed": "Closed"}
PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass
class NewIssue:
    title: str
    description: str = ""
    category: str | None = None
    ward: str = ""
    address: str = ""
    postcode: str = ""
    lat: float | None = None
    lon: float | None = None
    priority: str = "normal"
    due_date: str | None = None
    item_ids: Sequence[int] = field(default_factory=list)


def reference_prefix(db: Database) -> str:
    prefix = settings_store.get_setting(db, "casework.prefix")
    if prefix:
        return prefix
    ward = settings_store.load_ward(db).name
    letters = "".join(w[0] for w in re.findall(r"[A-Za-z]+", ward))[:3].upper()
    return letters if len(letters) >= 2 else (ward[:2].upper() or "NC")


def next_reference(db: Database) -> str:
    prefix = reference_prefix(db)
    count = db.execute("SELECT count(*) FROM issues WHERE reference LIKE ?", [f"{prefix}-%"]).fetchone()[0]
    number = count + 1
    while db.execute("SELECT 1 FROM issues WHERE reference = ?", [f"{prefix}-{number:04d}"]).fetchone():
        number += 1
    return f"{prefix}-{number:04d}"


def create_issue(db: Database, issue: NewIssue, now: str, actor: str = "councillor") -> int:
    """Log an issue, link the posts it came from, and start its timeline."""
    title = " ".join(issue.title.split())
    if not title:
        raise ConfigError("An issue needs a title.")
    if issue.priority not in PRIORITIES:
        raise ConfigError(f"Priority must be one of: {', '.join(PRIORITIES)}.")
    reference = next_reference(db)
    issue_id = db["issues"].insert({
        "reference": reference, "title": title, "description": issue.description.strip(),
        "category": issue.category, "ward": issue.ward, "address": issue.address, "postcode": issue.postcode,
        "lat": issue.lat, "lon": issue.lon, "priority": issue.priority, "status": "new",
        "due_date": issue.due_date, "created_at": now, "updated_at": now,
    }).last_pk
    add_event(db, issue_id, "created", {"reference": reference, "title": title}, now, actor)
    link_items(db, issue_id, issue.item_ids, now, actor)
    return issue_id


def link_items(db: Database, issue_id: int, item_ids: Sequence[int], now: str, actor: str = "councillor") -> None:
    for item_id in item_ids:
        if db.execute("SELECT 1 FROM issue_items WHERE issue_id = ? AND item_id = ?", [issue_id, item_id]).fetchone():
            continue
        db["issue_items"].insert({"issue_id": issue_id, "item_id": item_id, "linked_at": now})
        add_event(db, issue_id, "linked_item", {"item_id": item_id}, now, actor)


def add_event(db: Database, issue_id: int, kind: str, detail: dict, now: str, actor: str = "councillor") -> None:
    db["issue_events"].insert({"issue_id": issue_id, "at": now, "kind": kind,
                               "detail": json.dumps(detail, ensure_ascii=False), "actor": actor})


def issues_for_item(db: Database, item_id: int) -> list[dict]:
    return list(db.query("SELECT issues.id, issues.reference, issues.title, issues.status FROM issues "
                         "JOIN issue_items ON issue_items.issue_id = issues.id WHERE issue_items.item_id = ?",
                         [item_id]))
