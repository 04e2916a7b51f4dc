"""Casework: issues logged from what residents post, with an append-only timeline.

Every change to an issue is written to its timeline (``issue_events``) in the
same transaction, so the timeline is the audit trail. A resident's contact
details are personal data: the timeline notes that they changed, never what
they were, and exports leave them out unless asked.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from networked_councillor.base.errors import ConfigError
from networked_councillor.store import settings as settings_store

STATUSES = ("new", "reported", "in_progress", "awaiting_resident", "resolved", "closed")
STATUS_NAMES = {"new": "New", "reported": "Reported to council", "in_progress": "In progress",
                "awaiting_resident": "Awaiting resident", "resolved": "Resolved", "closed": "Closed"}
PRIORITIES = ("low", "normal", "high", "urgent")
DONE = ("resolved", "closed")
EDITABLE = ("title", "description", "category", "ward", "address", "postcode", "lat", "lon", "priority", "status",
            "agency", "agency_ref", "due_date", "contact", "contact_consent", "assigned_to")
PERSONAL = ("contact",)


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
    contact: Contact | None = None
    contact_consent: bool = False


@dataclass
class Contact:
    """How to reach the resident an issue is for. Personal data."""

    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""

    def to_json(self) -> str | None:
        values = {k: v.strip() for k, v in asdict(self).items() if v and v.strip()}
        return json.dumps(values, ensure_ascii=False) if values else None

    @classmethod
    def from_json(cls, text: str | None) -> Contact | None:
        if not text:
            return None
        values = json.loads(text)
        return cls(**{k: str(values.get(k) or "") for k in ("name", "email", "phone", "address")})


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
        "due_date": _due_date(issue.due_date), "created_at": now, "updated_at": now,
        "contact": issue.contact.to_json() if issue.contact else None, "contact_consent": int(issue.contact_consent),
        "uid": new_uid(),
    }).last_pk
    add_event(db, issue_id, "created", {"reference": reference, "title": title}, now, actor)
    link_items(db, issue_id, issue.item_ids, now, actor)
    return issue_id


def renumber(db: Database, issue_id: int, reference: str | None, now: str) -> str:
    """Give an issue another reference (``None``: the next free one; a given one must be free), noted on its
    timeline: a colleague's issue, logged on another laptop while both were offline, took the same number first."""
    old = _issue_row(db, issue_id)["reference"]
    reference = reference or next_reference(db)
    db["issues"].update(issue_id, {"reference": reference})
    add_event(db, issue_id, "note", {"text": f"{old} was also given to a colleague's issue; this one is now "
                                             f"{reference}."}, now)
    return reference


def link_items(db: Database, issue_id: int, item_ids: Sequence[int], now: str, actor: str = "councillor") -> None:
    for item_id in item_ids:
        if db.execute("SELECT 1 FROM issue_items WHERE issue_id = ? AND item_id = ?", [issue_id, item_id]).fetchone():
            continue
        db["issue_items"].insert({"issue_id": issue_id, "item_id": item_id, "linked_at": now})
        add_event(db, issue_id, "linked_item", {"item_id": item_id}, now, actor)


def add_event(db: Database, issue_id: int, kind: str, detail: dict, now: str, actor: str = "councillor") -> None:
    db["issue_events"].insert({"issue_id": issue_id, "at": now, "kind": kind, "uid": new_uid(),
                               "detail": json.dumps(detail, ensure_ascii=False), "actor": actor})


def new_uid() -> str:
    """An issue's or a timeline entry's name on every laptop that shares the casework."""
    return str(uuid.uuid4())


# ---- changing an issue --------------------------------------------------------------


def update_issue(db: Database, issue_id: int, changes: dict[str, Any], now: str, actor: str = "councillor",
                 note: str = "") -> list[str]:
    """Apply ``changes`` (field -> new value), timeline each one, and return the fields that really changed."""
    current = _issue_row(db, issue_id)
    clean = {key: checked(key, value) for key, value in changes.items()}
    changed = {key: value for key, value in clean.items() if not _same(value, current.get(key))}
    if not changed:
        if note.strip():
            add_note(db, issue_id, note, now, actor)
        return []
    if "status" in changed:
        changed["closed_at"] = now if changed["status"] in DONE else None
    db["issues"].update(issue_id, {**changed, "updated_at": now})
    for key in [k for k in changed if k != "closed_at"]:
        at = _dated(db, current, key, now)
        if key == "status":
            add_event(db, issue_id, "status", {"from": current["status"], "to": changed["status"],
                                               "note": note.strip()}, at, actor)
        elif key in PERSONAL:
            add_event(db, issue_id, "contact_changed", {"cleared": changed[key] is None}, at, actor)
        else:
            add_event(db, issue_id, "changed", {"field": key, "from": current.get(key), "to": changed[key]},
                      at, actor)
    if note.strip() and "status" not in changed:
        add_note(db, issue_id, note, now, actor)
    return [k for k in changed if k != "closed_at"]


def field_changed_at(db: Database, issue_id: int, name: str) -> str | None:
    """When field ``name`` of an issue last changed, as "at uid" (a consent change is a change of the contact; an
    issue's creation sets every field, as the first moment of its second), or None."""
    touches = {"status": "kind = 'status'",
               "contact": "kind = 'contact_changed' OR (kind = 'changed' AND "
                          "json_extract(detail, '$.field') = 'contact_consent')"
               }.get(name, "kind = 'changed' AND json_extract(detail, '$.field') = :name")
    return db.execute(
        "SELECT max(at || ' ' || CASE kind WHEN 'created' THEN '' ELSE coalesce(uid, '') END) FROM issue_events "
        f"WHERE issue_id = :issue AND (kind = 'created' OR {touches} OR (kind = 'personal_data_erased' AND "
        "',' || replace(json_extract(detail, '$.fields'), ' ', '') || ',' LIKE '%,' || :name || ',%'))",
        {"issue": issue_id, "name": name}).fetchone()[0]


def _dated(db: Database, issue: dict, key: str, now: str) -> str:
    """When a change is dated: now, or for shared casework just after the change it replaces, should that one be
    dated later (a colleague's clock running a little ahead): the latest change of a field wins on every laptop,
    so this one must be the latest here too."""
    if not issue.get("shared_ward"):
        return now
    latest = field_changed_at(db, issue["id"], "contact" if key == "contact_consent" else key)
    moment, _, uid = (latest or "").partition(" ")
    if latest is None or moment < now or (moment == now and not uid):
        return now
    return (datetime.fromisoformat(moment) + timedelta(seconds=1)).isoformat(timespec="seconds")


def set_status(db: Database, issue_ids: Iterable[int], status: str, now: str, note: str = "",
               actor: str = "councillor") -> int:
    """Move several issues to ``status`` at once; how many changed."""
    return sum(1 for issue_id in issue_ids if update_issue(db, issue_id, {"status": status}, now, actor, note))


def add_note(db: Database, issue_id: int, text: str, now: str, actor: str = "councillor") -> None:
    text = text.strip()
    if not text:
        raise ConfigError("A note needs some text.")
    _issue_row(db, issue_id)
    add_event(db, issue_id, "note", {"text": text}, now, actor)
    db["issues"].update(issue_id, {"updated_at": now})


# ---- reading issues -------------------------------------------------------------------


@dataclass(frozen=True)
class IssueFilter:
    statuses: tuple[str, ...] = ()  # empty: every status
    open_only: bool = False
    category: str | None = None
    priority: str | None = None
    overdue_only: bool = False
    query: str = ""
    handled_by: str | None = None  # a person's login in shared casework


def is_overdue(row: dict, today: date) -> bool:
    return bool(row.get("due_date")) and row["status"] not in DONE and row["due_date"] < today.isoformat()


def list_issues(db: Database, flt: IssueFilter = IssueFilter(), *, today: date) -> list[dict]:
    """Issues matching ``flt``, overdue first, then the most recently changed; each with ``overdue`` and ``linked``."""
    where, params = [], []
    if flt.statuses:
        where.append(f"status IN ({', '.join('?' * len(flt.statuses))})")
        params += list(flt.statuses)
    if flt.open_only:
        where.append(f"status NOT IN ({', '.join('?' * len(DONE))})")
        params += list(DONE)
    if flt.category:
        where.append("category = ?")
        params.append(flt.category)
    if flt.priority:
        where.append("priority = ?")
        params.append(flt.priority)
    if flt.overdue_only:
        where.append(f"due_date < ? AND status NOT IN ({', '.join('?' * len(DONE))})")
        params += [today.isoformat(), *DONE]
    if flt.handled_by:
        where.append("assigned_to = ?")
        params.append(flt.handled_by)
    if flt.query.strip():
        like = f"%{flt.query.strip()}%"
        where.append("(reference LIKE ? OR title LIKE ? OR description LIKE ? OR address LIKE ? OR agency_ref LIKE ?)")
        params += [like] * 5
    sql = ("SELECT issues.*, (SELECT count(*) FROM issue_items WHERE issue_id = issues.id) "
           "+ (SELECT count(*) FROM shared_posts WHERE issue_id = issues.id) AS linked FROM issues "
           + (f"WHERE {' AND '.join(where)} " if where else "") + "ORDER BY updated_at DESC, id DESC")
    rows = [{**row, "overdue": False} for row in db.query(sql, params)]
    for row in rows:
        row["overdue"] = is_overdue(row, today)
    return sorted(rows, key=lambda r: not r["overdue"])  # stable: overdue first, each group newest first


def id_of_reference(db: Database, reference: str) -> int:
    """The issue a councillor's reference (MB-0007) names, in any case."""
    row = db.execute("SELECT id FROM issues WHERE reference = ? COLLATE NOCASE", [reference.strip()]).fetchone()
    if row is None:
        raise ConfigError(f"There is no issue {reference}.", hint="`issues list --all` shows every reference.")
    return row[0]


def get_issue(db: Database, issue_id: int) -> dict:
    """One issue with its linked posts and its timeline (oldest first)."""
    row = _issue_row(db, issue_id)
    row["contact"] = Contact.from_json(row.get("contact"))
    row["items"] = list(db.query(
        "SELECT items.id, items.url, items.title, items.text, items.created_at, sources.name AS source_name, "
        "authors.handle AS author_handle FROM issue_items JOIN items ON items.id = issue_items.item_id "
        "LEFT JOIN sources ON sources.id = items.source_id LEFT JOIN authors ON authors.id = items.author_id "
        "WHERE issue_items.issue_id = ? ORDER BY issue_items.linked_at", [issue_id]))
    row["items"] += [{"id": None, "url": p["url"], "title": None, "text": p["text"], "created_at": p["created_at"],
                      "source_name": p["source"], "author_handle": p["author"]}
                     for p in db.query("SELECT * FROM shared_posts WHERE issue_id = ? ORDER BY id", [issue_id])]
    row["events"] = [{**e, "detail": json.loads(e["detail"] or "{}")} for e in db.query(
        "SELECT id, uid, at, kind, detail, actor FROM issue_events WHERE issue_id = ? ORDER BY at, id", [issue_id])]
    return row


def describe_event(event: dict, names: dict[str, str] | None = None) -> str:
    """A timeline entry in words, for the issue view and exports; ``names``: logins of shared casework to names."""
    detail, kind = event["detail"], event["kind"]
    if detail.get("erased"):
        return "(erased at a resident's request)"
    if kind == "created":
        return f"Logged as {detail.get('reference')}: {detail.get('title')}"
    if kind == "status":
        words = f"Status: {STATUS_NAMES.get(detail['from'], detail['from'])} → {STATUS_NAMES.get(detail['to'], detail['to'])}"
        return f"{words}. {detail['note']}" if detail.get("note") else words
    if kind == "note":
        return detail.get("text", "")
    if kind == "linked_item":
        return f"Linked post #{detail.get('item_id')}"
    if kind == "linked_post":
        return f"Linked a post from {detail.get('source') or 'a source'}: {detail.get('snippet') or '(no text)'}"
    if kind == "replied":
        return f"Replied publicly ({detail.get('where')}): {detail.get('text', '')}"
    if kind == "forgotten":
        return "Personal data erased at a resident's request"
    if kind == "withdrawn":
        return "The resident withdrew their consent: their details and emails are no longer shared"
    if kind == "unusable":
        return f"A colleague's change this computer could not use ({detail.get('kind')})"
    if kind == "changed" and detail.get("field") == "assigned_to":
        who = detail.get("to")
        return f"Handled by: {(names or {}).get(who, who) if who else 'nobody'}"
    if kind == "contact_changed":
        return "Resident's contact details removed" if detail.get("cleared") else "Resident's contact details updated"
    if kind == "changed":
        return f"{detail['field'].replace('_', ' ').capitalize()}: {detail.get('from') or '—'} → {detail.get('to') or '—'}"
    return f"{kind.replace('_', ' ').capitalize()}: " + ", ".join(f"{k} {v}" for k, v in detail.items())


def _issue_row(db: Database, issue_id: int) -> dict:
    row = next(db.query("SELECT * FROM issues WHERE id = ?", [issue_id]), None)
    if row is None:
        raise ConfigError(f"There is no issue {issue_id}.")
    return row


def checked(key: str, value: Any) -> Any:
    """A field's new value, validated (`ConfigError` if no issue can have it); the store's form of it."""
    if key not in EDITABLE:
        raise ConfigError(f"{key!r} is not something an issue has.")
    if key == "title":
        value = " ".join(str(value or "").split())
        if not value:
            raise ConfigError("An issue needs a title.")
    elif key == "status" and value not in STATUSES:
        raise ConfigError(f"Status must be one of: {', '.join(STATUS_NAMES.values())}.")
    elif key == "priority" and value not in PRIORITIES:
        raise ConfigError(f"Priority must be one of: {', '.join(PRIORITIES)}.")
    elif key == "due_date":
        value = _due_date(value)
    elif key == "contact":
        value = value.to_json() if isinstance(value, Contact) else (value or None)
    elif key == "contact_consent":
        value = int(bool(value))
    elif key in ("lat", "lon"):
        value = None if value in (None, "") else float(value)
    elif isinstance(value, str):
        value = value.strip() or None  # an emptied box is "none", as it was before anything was typed
    return value


def _same(new: Any, old: Any) -> bool:
    """Whether an edit leaves a field as it was: an empty text is no text, and a map point that moved less
    than a few centimetres (a box's rounding) has not moved; neither is worth a line on the timeline."""
    if isinstance(new, float) and isinstance(old, (int, float)):
        return abs(new - old) < 1e-6
    return (None if new == "" else new) == (None if old == "" else old)


def _due_date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise ConfigError(f"{value!r} is not a date: use YYYY-MM-DD.") from None
