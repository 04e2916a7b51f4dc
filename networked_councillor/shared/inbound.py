"""Reading what colleagues changed in the shared casework, and applying it to this laptop's copy.

The read covers every transaction that finished since the last one ("the window": transaction ids from the
last read's horizon up to this one's), so an entry committed late is never skipped, whatever its number. A ward
this person did not have at the last read (an officer given another ward, access given back) is read from its
beginning, and so is a database restored from a backup. The horizon is saved only when the whole window is
applied; a cut half-way reads the window again, and entries already here are passed over by their UUID.

A field's value is the one set last (by when it was made, then by the entry's UUID, so every laptop picks the
same one); the value that lost stays on the timeline. An entry this laptop cannot use (a value no issue can have,
written by hand or blanked by an erasure) goes on the timeline without changing the issue, and the rest go on:
one bad entry never stops a ward's sync.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import psycopg
from sqlite_utils import Database

from networked_councillor.base import clock
from networked_councillor.base.errors import ConfigError
from networked_councillor.casework import issues as casework
from networked_councillor.store import Store
from networked_councillor.store import settings as settings_store
from networked_councillor.store.schema import ERASED_DETAIL

log = logging.getLogger(__name__)

CURSOR = "shared.cursor"
BATCH = 1000
PULL = """
SELECT e.id::text, e.issue_id::text, e.ward_id, i.reference, e.kind, e.field, e.value, e.detail, e.made_at, e.author
FROM casework.issue_event e JOIN casework.issue i ON i.id = e.issue_id
WHERE (e.txid >= %(since)s::xid8 OR e.ward_id = ANY(%(new_wards)s)) AND e.txid < %(upto)s::xid8
ORDER BY e.seq"""
IDENTITY = """
SELECT pg_snapshot_xmin(pg_current_snapshot())::text,
       (SELECT system_identifier FROM pg_control_system())::text || '/'
       || (SELECT oid FROM pg_database WHERE datname = current_database())::text"""
"""This read's horizon, and which database it is (transaction ids mean nothing in another one)."""
COLUMNS = ("uid", "issue_uid", "ward", "reference", "kind", "field", "value", "detail", "made_at", "author")
FIELD_KINDS = {"status": "status", "contact": "contact_changed"}
"""The local timeline's kind for an entry that sets these fields (any other field's entry is "changed")."""
PRIVATE_COPY = "A resident's email, kept on the councillor's computer."


@dataclass
class Received:
    entries: int = 0
    issues: set[int] = field(default_factory=set)  # local ids of the issues that changed
    unusable: int = 0  # entries on the timeline whose value could not be applied

    def add(self, other: Received) -> None:
        self.entries += other.entries
        self.issues |= other.issues
        self.unusable += other.unusable


def receive(store: Store, conn: psycopg.Connection, people: dict[str, str], wards: list[str],
            cancel: Callable[[], bool] = lambda: False) -> Received:
    """Apply every entry colleagues wrote since the last read; ``people`` maps logins to names, ``wards`` are
    this person's wards now."""
    received = Received()
    with store.read() as db:
        saved = settings_store.get_setting(db, CURSOR) or {}
    with conn.transaction():
        upto, database = conn.execute(IDENTITY).fetchone()
        if saved.get("database") != database:  # another database, or the same restored from a backup: read it all
            saved = {}
        since, known = saved.get("upto", "0"), saved.get("wards", [])
        new_wards = sorted(set(wards) - set(known)) if since != "0" else []
        with conn.cursor(name="nc_pull") as cursor:
            cursor.itersize = BATCH
            cursor.execute(PULL, {"since": since, "upto": upto, "new_wards": new_wards})
            while rows := cursor.fetchmany(BATCH):
                with store.write() as db:
                    for row in rows:
                        _apply_one(db, dict(zip(COLUMNS, row)), people, received)
                if cancel():
                    return received
    with store.write() as db:
        settings_store.set_setting(db, CURSOR, {"upto": upto, "wards": sorted(wards), "database": database})
    return received


def _apply_one(db: Database, entry: dict[str, Any], people: dict[str, str], received: Received) -> None:
    """`apply` in a savepoint: an entry that cannot be applied is kept on the timeline alone, and logged."""
    db.execute("SAVEPOINT shared_entry")
    try:
        if apply(db, entry, people, received):
            received.entries += 1
    except (ConfigError, ValueError, TypeError, KeyError, AttributeError) as exc:
        db.execute("ROLLBACK TO shared_entry")
        log.warning("shared casework: entry %s (%s) could not be applied: %s", entry["uid"], entry["kind"], exc)
        apply(db, {**entry, "kind": "unusable", "field": None, "value": None,
                   "detail": {"kind": str(entry["kind"])[:40]}}, people, received)
        received.unusable += 1
    db.execute("RELEASE shared_entry")


def apply(db: Database, entry: dict[str, Any], people: dict[str, str], received: Received) -> bool:
    """One entry from the shared database into the local copy; False when it was already here."""
    at = _iso(entry["made_at"])
    issue_id = _issue(db, entry, at)
    if db.execute("SELECT 1 FROM issue_events WHERE uid = ?", [entry["uid"]]).fetchone():
        db.execute("INSERT OR IGNORE INTO shared_sent (uid) VALUES (?)", [entry["uid"]])
        return False
    kind, detail, value = entry["kind"], entry["detail"] or {}, entry["value"]
    if not isinstance(detail, dict):
        raise TypeError("an entry's detail is not a mapping")
    if kind == "created":
        if not db.execute("SELECT 1 FROM issue_events WHERE issue_id = ?", [issue_id]).fetchone():
            _set(db, issue_id, _created_values(value or {}))
    elif entry["field"]:
        if _wins(db, issue_id, entry["field"], at, entry["uid"]):
            _set(db, issue_id, _field_values(entry["field"], value, at))
        kind = FIELD_KINDS.get(entry["field"], "changed")
    elif kind == "linked_item":
        kind, detail = "linked_post", _link(db, issue_id, entry["uid"], value or {})
    elif kind == "forgotten":
        _forget(db, issue_id, detail.get("entries") or [])
    elif kind == "withdrawn":
        _withdraw(db, issue_id, detail.get("entries") or [])
    elif kind == "personal_data_erased":  # what the fields say once the resident's words are out, unless changed since
        _set(db, issue_id, {k: v for k, v in _clean(value or {}).items() if _wins(db, issue_id, k, at, entry["uid"])})
    db.execute("INSERT INTO issue_events (issue_id, at, kind, uid, detail, actor) VALUES (?, ?, ?, ?, ?, ?)",
               [issue_id, at, kind, entry["uid"], json.dumps(detail, ensure_ascii=False),
                people.get(entry["author"], entry["author"])])
    db.execute("INSERT OR IGNORE INTO shared_sent (uid) VALUES (?)", [entry["uid"]])
    db.execute("UPDATE issues SET updated_at = max(coalesce(updated_at, ''), ?) WHERE id = ?", [at, issue_id])
    received.issues.add(issue_id)
    return True


def _issue(db: Database, entry: dict, at: str) -> int:
    """The local issue an entry belongs to, made (empty, to be filled by its entries) when it is new here; its
    reference and ward as the shared database has them."""
    row = db.execute("SELECT id, reference, shared_ward FROM issues WHERE uid = ?", [entry["issue_uid"]]).fetchone()
    reference, ward = entry["reference"], entry["ward"]
    if row:
        if row[1] not in (reference, in_ward(reference, ward)):
            db.execute("UPDATE issues SET reference = ? WHERE id = ?", [take_reference(db, reference, ward), row[0]])
        if row[2] != ward:
            db.execute("UPDATE issues SET shared_ward = ? WHERE id = ?", [ward, row[0]])
        return row[0]
    return db.execute("INSERT INTO issues (uid, reference, title, status, priority, shared_ward, created_at, "
                      "updated_at) VALUES (?, ?, '(arriving…)', 'new', 'normal', ?, ?, ?)",
                      [entry["issue_uid"], take_reference(db, reference, ward), ward, at, at]).lastrowid


def take_reference(db: Database, reference: str, ward: str) -> str:
    """How this laptop writes a reference the shared database gave: as it is, once an issue of this laptop's that
    was not sent yet has moved off it to the next free number; or with its ward, when another ward's issue already
    has it here (an officer works on several wards)."""
    holder = db.execute("SELECT id FROM issues WHERE reference = ?", [reference]).fetchone()
    if holder is None:
        return reference
    if db.execute("SELECT 1 FROM issue_events e JOIN shared_sent s ON s.uid = e.uid WHERE e.issue_id = ? AND "
                  "e.kind = 'created'", [holder[0]]).fetchone():
        return in_ward(reference, ward)
    casework.renumber(db, holder[0], None, clock.now_iso())
    return reference


def in_ward(reference: str, ward: str) -> str:
    return f"{reference} ({ward})"


def _clean(values: dict) -> dict:
    """An entry's field values as the issue keeps them; a value no issue can have raises `ConfigError`."""
    if not isinstance(values, dict):
        raise TypeError("an entry's values are not a mapping")
    return {k: casework.checked(k, v) for k, v in values.items() if k in casework.EDITABLE and k != "contact"}


def _created_values(values: dict) -> dict:
    contact = values.get("contact") if isinstance(values, dict) else None
    return _clean(values) | {"contact": json.dumps(contact, ensure_ascii=False) if contact else None,
                             "contact_consent": int(bool(contact))}


def _field_values(name: str, value: Any, at: str) -> dict:
    if name == "contact":
        return {"contact": json.dumps(value, ensure_ascii=False) if value else None,
                "contact_consent": int(bool(value))}
    if name not in casework.EDITABLE:
        return {}
    value = casework.checked(name, value)
    if name == "status":
        return {"status": value, "closed_at": at if value in casework.DONE else None}
    return {name: value}


def _set(db: Database, issue_id: int, values: dict) -> None:
    if values:
        db.execute(f"UPDATE issues SET {', '.join(f'[{k}] = ?' for k in values)} WHERE id = ?",
                   [*values.values(), issue_id])


def _wins(db: Database, issue_id: int, name: str, at: str, uid: str) -> bool:
    """Whether an entry made at ``at`` is later than every entry already here that set field ``name``."""
    if name not in casework.EDITABLE and name != "contact":
        return False
    latest = casework.field_changed_at(db, issue_id, name)
    return latest is None or f"{at} {uid}" > latest


def _link(db: Database, issue_id: int, uid: str, post: dict) -> dict:
    """A post a colleague logged the issue from: linked to the same post if this laptop has it, else a copy."""
    local = post.get("url") and db.execute("SELECT id FROM items WHERE url = ?", [post["url"]]).fetchone()
    text = PRIVATE_COPY if post.get("private") else post.get("text") or ""
    if local:
        db.execute("INSERT OR IGNORE INTO issue_items (issue_id, item_id, linked_at) VALUES (?, ?, ?)",
                   [issue_id, local[0], post.get("created_at") or ""])
    else:
        db["shared_posts"].insert({"issue_id": issue_id, "event_uid": uid, "text": text, **{k: post.get(k) for k in (
            "kind", "source", "url", "author", "created_at")}})
    words = " ".join(text.split())
    return {"source": post.get("source"), "snippet": words[:80] + ("…" if len(words) > 80 else "")}


def _forget(db: Database, issue_id: int, uids: list[str]) -> None:
    """A colleague erased these entries of this issue at a resident's request: so does this laptop (the shared
    copy is erased already, so nothing is queued to erase it again)."""
    uids = [u for u in uids if isinstance(u, str)]
    for uid in uids:
        db.execute("UPDATE issue_events SET detail = ? WHERE uid = ? AND issue_id = ? AND detail IS NOT ?",
                   [ERASED_DETAIL, uid, issue_id, ERASED_DETAIL])
        db.execute("DELETE FROM shared_posts WHERE event_uid = ? AND issue_id = ?", [uid, issue_id])
    _not_queued(db, uids)


def _withdraw(db: Database, issue_id: int, uids: list[str]) -> None:
    """The resident withdrew their consent: the copies of their emails on this laptop say only that there was one."""
    uids = [u for u in uids if isinstance(u, str)]
    for uid in uids:
        db.execute("UPDATE shared_posts SET text = ?, url = NULL, author = NULL WHERE event_uid = ? AND issue_id = ?",
                   [PRIVATE_COPY, uid, issue_id])
    _not_queued(db, uids)


def _not_queued(db: Database, uids: list[str]) -> None:
    if uids:
        db.execute(f"DELETE FROM shared_forget WHERE uid IN ({', '.join('?' * len(uids))})", uids)


def _iso(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")
