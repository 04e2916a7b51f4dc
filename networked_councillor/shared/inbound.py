"""Reading what colleagues changed in the shared casework, and applying it to this laptop's copy.

The read covers every transaction that finished since the last one ("the window": transaction ids from the
last read's horizon up to this one's), so an entry committed late is never skipped, whatever its number. The
horizon is saved only when the whole window is applied; a cut half-way reads the window again, and entries
already here are passed over by their UUID. A field's value is the one set last (by when it was made, then by
the entry's UUID, so every laptop picks the same one); the value that lost stays on the timeline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import psycopg
from sqlite_utils import Database

from networked_councillor.base import clock
from networked_councillor.casework import issues as casework
from networked_councillor.store import Store
from networked_councillor.store import settings as settings_store
from networked_councillor.store.schema import ERASED_DETAIL

CURSOR = "shared.cursor"
BATCH = 1000
PULL = """
SELECT e.id::text, e.issue_id::text, e.ward_id, i.reference, e.kind, e.field, e.value, e.detail, e.made_at, e.author
FROM casework.issue_event e JOIN casework.issue i ON i.id = e.issue_id
WHERE e.txid >= %(since)s::xid8 AND e.txid < %(upto)s::xid8
ORDER BY e.seq"""
COLUMNS = ("uid", "issue_uid", "ward", "reference", "kind", "field", "value", "detail", "made_at", "author")
FIELD_KINDS = {"status": "status", "contact": "contact_changed"}
"""The local timeline's kind for an entry that sets these fields (any other field's entry is "changed")."""


@dataclass
class Received:
    entries: int = 0
    issues: set[int] = field(default_factory=set)  # local ids of the issues that changed

    def add(self, other: Received) -> None:
        self.entries += other.entries
        self.issues |= other.issues


def receive(store: Store, conn: psycopg.Connection, people: dict[str, str],
            cancel: Callable[[], bool] = lambda: False) -> Received:
    """Apply every entry colleagues wrote since the last read; ``people`` maps logins to names."""
    received = Received()
    with store.read() as db:
        since = settings_store.get_setting(db, CURSOR) or "0"
    with conn.transaction():
        upto = conn.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text").fetchone()[0]
        with conn.cursor(name="nc_pull") as cursor:
            cursor.itersize = BATCH
            cursor.execute(PULL, {"since": since, "upto": upto})
            while rows := cursor.fetchmany(BATCH):
                with store.write() as db:
                    for row in rows:
                        if apply(db, dict(zip(COLUMNS, row)), people, received):
                            received.entries += 1
                if cancel():
                    return received
    with store.write() as db:
        settings_store.set_setting(db, CURSOR, upto)
    return received


def apply(db: Database, entry: dict[str, Any], people: dict[str, str], received: Received) -> bool:
    """One entry from the shared database into the local copy; False when it was already here."""
    if db.execute("SELECT 1 FROM issue_events WHERE uid = ?", [entry["uid"]]).fetchone():
        db.execute("INSERT OR IGNORE INTO shared_sent (uid) VALUES (?)", [entry["uid"]])
        return False
    at = _iso(entry["made_at"])
    issue_id = _issue(db, entry, at)
    kind, detail, value = entry["kind"], entry["detail"] or {}, entry["value"]
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
        _forget(db, detail.get("entries") or [])
    elif kind == "personal_data_erased":  # erasure wins over any earlier edit, whenever it arrives
        _set(db, issue_id, {k: v for k, v in (value or {}).items() if k in casework.EDITABLE})
    db.execute("INSERT INTO issue_events (issue_id, at, kind, uid, detail, actor) VALUES (?, ?, ?, ?, ?, ?)",
               [issue_id, at, kind, entry["uid"], json.dumps(detail, ensure_ascii=False),
                people.get(entry["author"], entry["author"])])
    db.execute("INSERT OR IGNORE INTO shared_sent (uid) VALUES (?)", [entry["uid"]])
    db.execute("UPDATE issues SET updated_at = max(coalesce(updated_at, ''), ?) WHERE id = ?", [at, issue_id])
    received.issues.add(issue_id)
    return True


def _issue(db: Database, entry: dict, at: str) -> int:
    """The local issue an entry belongs to, made (empty, to be filled by its entries) when it is new here."""
    row = db.execute("SELECT id, reference FROM issues WHERE uid = ?", [entry["issue_uid"]]).fetchone()
    reference, ward = entry["reference"], entry["ward"]
    if row:
        if row[1] not in (reference, in_ward(reference, ward)):
            db.execute("UPDATE issues SET reference = ? WHERE id = ?", [take_reference(db, reference, ward), row[0]])
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


def _created_values(values: dict) -> dict:
    contact = values.get("contact")
    known = {k: v for k, v in values.items() if k in casework.EDITABLE and k not in ("contact", "contact_consent")}
    return known | {"contact": json.dumps(contact, ensure_ascii=False) if contact else None,
                    "contact_consent": int(bool(contact)),
                    "closed_at": None}


def _field_values(name: str, value: Any, at: str) -> dict:
    if name == "contact":
        return {"contact": json.dumps(value, ensure_ascii=False) if value else None,
                "contact_consent": int(bool(value))}
    if name == "status":
        return {"status": value, "closed_at": at if value in casework.DONE else None}
    if name not in casework.EDITABLE:
        return {}
    return {name: value}


def _set(db: Database, issue_id: int, values: dict) -> None:
    if values:
        db.execute(f"UPDATE issues SET {', '.join(f'[{k}] = ?' for k in values)} WHERE id = ?",
                   [*values.values(), issue_id])


def _wins(db: Database, issue_id: int, name: str, at: str, uid: str) -> bool:
    """Whether an entry made at ``at`` is later than every entry already here that set field ``name``.

    Two made in the same second: the UUIDs decide, the same way on every laptop; an issue's creation loses to
    any change made in its first second."""
    if name not in casework.EDITABLE:
        return False
    kinds = {"status": "kind = 'status'", "contact": "kind = 'contact_changed' OR (kind = 'changed' AND "
                                                      "json_extract(detail, '$.field') = 'contact_consent')"}
    touches = kinds.get(name, "kind = 'changed' AND json_extract(detail, '$.field') = :name")
    latest = db.execute(f"SELECT max(at || ' ' || CASE kind WHEN 'created' THEN '' ELSE coalesce(uid, '') END) "
                        f"FROM issue_events WHERE issue_id = :issue AND (kind = 'created' OR {touches})",
                        {"issue": issue_id, "name": name}).fetchone()[0]
    return latest is None or f"{at} {uid}" > latest


def _link(db: Database, issue_id: int, uid: str, post: dict) -> dict:
    """A post a colleague logged the issue from: linked to the same post if this laptop has it, else a copy."""
    local = post.get("url") and db.execute("SELECT id FROM items WHERE url = ?", [post["url"]]).fetchone()
    if local:
        db.execute("INSERT OR IGNORE INTO issue_items (issue_id, item_id, linked_at) VALUES (?, ?, ?)",
                   [issue_id, local[0], post.get("created_at") or ""])
    else:
        db["shared_posts"].insert({"issue_id": issue_id, "event_uid": uid, **{k: post.get(k) for k in (
            "kind", "source", "url", "author", "text", "created_at")}})
    text = " ".join((post.get("text") or "").split())
    return {"source": post.get("source"), "snippet": text[:80] + ("…" if len(text) > 80 else "")}


def _forget(db: Database, uids: list[str]) -> None:
    """A colleague erased these entries at a resident's request: so does this laptop."""
    for uid in uids:
        db.execute("UPDATE issue_events SET detail = ? WHERE uid = ? AND detail IS NOT ?", [ERASED_DETAIL, uid,
                                                                                          ERASED_DETAIL])
        db.execute("DELETE FROM shared_posts WHERE event_uid = ?", [uid])


def _iso(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")
