"""What this laptop has not yet sent to the shared casework, and sending it.

Nothing is queued at the moment of an edit: every timeline entry has a UUID, and the entries the shared database
does not have yet are those missing from ``shared_sent``. Each batch goes in one PostgreSQL transaction and is
marked sent only after it committed, so a cut anywhere sends it again, and the server keeps each entry once
(``ON CONFLICT DO NOTHING``): nothing lost, nothing twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlite_utils import Database

from networked_councillor.base import clock
from networked_councillor.casework import issues as casework
from networked_councillor.shared.inbound import take_reference
from networked_councillor.store import Store
from networked_councillor.store import settings as settings_store
from networked_councillor.store.inbox import PRIVATE_KINDS

log = logging.getLogger(__name__)

BATCH = 500
SHARED_FIELDS = ("title", "description", "category", "ward", "address", "postcode", "lat", "lon", "priority",
                 "status", "agency", "agency_ref", "due_date", "assigned_to")
"""What colleagues see of an issue. A resident's contact details go only with their consent (``contact``)."""

PENDING = """
SELECT e.id, e.uid, e.at, e.kind, e.detail, e.actor, i.id AS issue_id, i.uid AS issue_uid, i.shared_ward,
       i.reference
FROM issue_events e JOIN issues i ON i.id = e.issue_id
WHERE e.id > ? AND NOT EXISTS (SELECT 1 FROM shared_sent s WHERE s.uid = e.uid)
  AND NOT EXISTS (SELECT 1 FROM shared_held h WHERE h.uid = e.uid)
ORDER BY e.id LIMIT ?"""
REFUSED = (psycopg.errors.InsufficientPrivilege, psycopg.errors.ForeignKeyViolation)
"""What the shared database says of an entry it will never take from this person (another ward's, a reply by an
officer): held back with the reason; the others go."""
SENT_UP_TO = "shared.sent_up_to"
"""Every timeline entry up to this local id is in the shared database: a sync looks only after it."""


def waiting(db: Database) -> int:
    """Timeline entries and erasures not yet in the shared database (those it refused aside)."""
    entries = db.execute("SELECT count(*) FROM issue_events e WHERE e.id > ? AND NOT EXISTS "
                         "(SELECT 1 FROM shared_sent s WHERE s.uid = e.uid) AND NOT EXISTS "
                         "(SELECT 1 FROM shared_held h WHERE h.uid = e.uid)", [_sent_up_to(db)]).fetchone()[0]
    return entries + db.execute("SELECT count(*) FROM shared_forget").fetchone()[0]


def held(db: Database) -> int:
    """Entries the shared database refused from this person."""
    return db.execute("SELECT count(*) FROM shared_held").fetchone()[0]


def hold_again(db: Database) -> None:
    """Try the refused entries again (this person's wards or role changed)."""
    db.execute("DELETE FROM shared_held")


def _sent_up_to(db: Database) -> int:
    return settings_store.get_setting(db, SENT_UP_TO) or 0


@dataclass
class Sent:
    entries: int = 0
    renumbered: dict[int, tuple[str, str]] = field(default_factory=dict)
    """Local issue id -> (the reference its ward's database gave it, the ward)."""
    forgotten: int = 0


def send(store: Store, conn: psycopg.Connection, ward_for: Callable[[dict], str],
         cancel: Callable[[], bool] = lambda: False) -> Sent:
    """Send everything waiting, a batch at a time; ``ward_for(issue row)`` says where a new issue belongs."""
    sent = Sent()
    with store.read() as db:
        after = _sent_up_to(db)
        top = db.execute("SELECT coalesce(max(id), 0) FROM issue_events").fetchone()[0]
    while not cancel():
        with store.read() as db:
            batch = [dict(r) for r in db.query(PENDING, [after, BATCH])]
            rows = [_server_row(db, entry) for entry in batch]
        if not batch:
            break
        renumbered, refused = _send_or_hold(conn, batch, rows, ward_for)
        with store.write() as db:
            db["shared_sent"].insert_all(({"uid": e["uid"]} for e in batch if e["uid"] not in refused), ignore=True)
            db["shared_held"].insert_all(({"uid": uid, "reason": why, "at": clock.now_iso()}
                                          for uid, why in refused.items()), replace=True)
            for entry in batch:
                if entry["kind"] == "created":
                    db.execute("UPDATE issues SET shared_ward = ? WHERE id = ?",
                               [entry["shared_ward"], entry["issue_id"]])
            for issue_id, (reference, ward) in renumbered.items():
                casework.renumber(db, issue_id, take_reference(db, reference, ward), clock.now_iso())
        sent.entries += len(batch)
        sent.renumbered.update(renumbered)
        after = batch[-1]["id"]
    if not cancel():
        with store.write() as db:  # all sent up to where this began (entries made since are looked at next time)
            settings_store.set_setting(db, SENT_UP_TO, max(top, _sent_up_to(db)))
        sent.forgotten = _send_erasures(store, conn)
    return sent


def _send_or_hold(conn: psycopg.Connection, batch: list[dict], rows: list[dict], ward_for: Callable[[dict], str],
                  ) -> tuple[dict[int, tuple[str, str]], dict[str, str]]:
    """Send a batch; if the database refuses it, send its entries one by one and hold back those it refuses.
    (renumbered issues, refused entries' uids with the reason)."""
    try:
        return _send_batch(conn, batch, rows, ward_for), {}
    except REFUSED as exc:
        log.info("shared casework: a batch was refused (%s); sending its entries one by one", exc)
    renumbered, refused = {}, {}
    for entry, row in zip(batch, rows):
        try:
            renumbered |= _send_batch(conn, [entry], [row], ward_for)
        except REFUSED as exc:
            refused[entry["uid"]] = exc.diag.message_primary or str(exc)
    log.warning("shared casework: %d entries held back, refused by the database", len(refused))
    return renumbered, refused


def _send_batch(conn: psycopg.Connection, batch: list[dict], rows: list[dict],
                ward_for: Callable[[dict], str]) -> dict[int, tuple[str, str]]:
    """One transaction: the batch's new issues, then its entries, each as one statement."""
    created = [entry for entry in batch if entry["kind"] == "created"]
    for entry in created:
        entry["shared_ward"] = entry["shared_ward"] or ward_for(entry)
    with conn.transaction():
        if created:
            conn.execute("INSERT INTO casework.issue (id, ward_id, reference) SELECT * FROM "
                         "jsonb_to_recordset(%s) AS r(id uuid, ward_id text, reference text) "
                         "ON CONFLICT (id) DO NOTHING",
                         [Jsonb([{"id": e["issue_uid"], "ward_id": e["shared_ward"], "reference": e["reference"]}
                                 for e in created])])
        wards, references = _issues_there(conn, {e["issue_uid"] for e in batch})
        if {e["issue_uid"] for e in batch} - set(wards):
            raise psycopg.errors.InsufficientPrivilege("this issue belongs to a ward you no longer share")
        conn.execute(
            "INSERT INTO casework.issue_event (id, issue_id, ward_id, kind, field, value, detail, made_at) "
            "SELECT id, issue, ward, kind, field, value, detail, made_at FROM jsonb_to_recordset(%s) AS r(id uuid, "
            "issue uuid, ward text, kind text, field text, value jsonb, detail jsonb, made_at timestamptz) "
            "ON CONFLICT (id) DO NOTHING", [Jsonb([{**row, "ward": wards[row["issue"]]} for row in rows])])
        for row in rows:
            if row["field"] == "contact" and row["value"] is None:
                conn.execute("SELECT casework.forget_contact(%s)", [row["issue"]])
            elif row["kind"] == "personal_data_erased" and row["value"] is not None:
                conn.execute("SELECT casework.forget_fields(%s, %s, %s)",
                             [row["issue"], list(row["value"]), row["made_at"]])
    return {e["issue_id"]: (references[e["issue_uid"]], e["shared_ward"]) for e in created
            if references[e["issue_uid"]] != e["reference"]}


def _issues_there(conn: psycopg.Connection, issue_uids: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Each issue's ward and reference as the database has them (as far as this person may still see them)."""
    rows = conn.execute("SELECT id::text, ward_id, reference FROM casework.issue WHERE id = ANY(%s::uuid[])",
                        [list(issue_uids)]).fetchall()
    return {uid: ward for uid, ward, _ in rows}, {uid: reference for uid, _, reference in rows}


def _server_row(db: Database, entry: dict) -> dict[str, Any]:
    """A timeline entry as the shared database keeps it: the field it sets and the value, beside its detail."""
    detail = json.loads(entry["detail"] or "{}")
    kind, field_name, value = entry["kind"], None, None
    if kind == "created":
        value = _shared_values(db, entry["issue_id"])
    elif kind == "status":
        field_name, value = "status", detail.get("to")
    elif kind == "contact_changed" or kind == "changed" and detail.get("field") == "contact_consent":
        kind, field_name, value = "contact_changed", "contact", _shared_contact(db, entry["issue_id"])
        detail = {"cleared": value is None}
    elif kind == "changed":
        field_name, value = detail.get("field"), detail.get("to")
    elif kind == "linked_item":
        value = _snapshot(db, detail.get("item_id"), entry["issue_id"])
    elif kind == "personal_data_erased":  # what the fields say now; the server forgets what they said before
        names = [n.strip() for n in (detail.get("fields") or "").split(",") if n.strip() in SHARED_FIELDS]
        value = _shared_values(db, entry["issue_id"], names)
    if entry["actor"] not in (None, "councillor"):
        detail["by"] = entry["actor"]  # the council's own system, or the retention rules
    return {"id": entry["uid"], "issue": entry["issue_uid"], "kind": kind, "field": field_name, "value": value,
            "detail": detail, "made_at": entry["at"]}


def _shared_values(db: Database, issue_id: int, names: Sequence[str] = SHARED_FIELDS) -> dict[str, Any]:
    if not names:
        return {}
    row = db.execute(f"SELECT {', '.join(names)} FROM issues WHERE id = ?", [issue_id]).fetchone()
    values = dict(zip(names, row))
    contact = _shared_contact(db, issue_id) if names is SHARED_FIELDS else None
    return values | ({"contact": contact} if contact else {})


def _shared_contact(db: Database, issue_id: int) -> dict | None:
    contact, consent = db.execute("SELECT contact, contact_consent FROM issues WHERE id = ?", [issue_id]).fetchone()
    return json.loads(contact) if contact and consent else None


def _snapshot(db: Database, item_id: int | None, issue_id: int) -> dict[str, Any]:
    """What colleagues see of a post an issue was logged from: a copy, not the inbox it lives in. A resident's
    private email goes only when they agreed to their details being shared."""
    row = next(db.query(
        "SELECT items.kind, items.url, items.title, items.text, items.created_at, sources.name AS source, "
        "authors.handle AS author FROM items LEFT JOIN sources ON sources.id = items.source_id "
        "LEFT JOIN authors ON authors.id = items.author_id WHERE items.id = ?", [item_id]), None)
    if row is None:
        return {"text": "(the post is no longer kept)"}
    if row["kind"] in PRIVATE_KINDS and not _shared_contact(db, issue_id):
        return {"kind": row["kind"], "source": row["source"], "created_at": row["created_at"], "private": True}
    text = row["text"] or row["title"] or ""
    return {k: row[k] for k in ("kind", "url", "source", "author", "created_at")} | {"text": text}


def _send_erasures(store: Store, conn: psycopg.Connection) -> int:
    with store.read() as db:
        queued = [r[0] for r in db.execute("SELECT uid FROM shared_forget")]
    if not queued:
        return 0
    done = conn.execute("SELECT casework.forget(%s::uuid[])", [queued]).fetchone()[0]
    conn.commit()
    with store.write() as db:
        db.execute(f"DELETE FROM shared_forget WHERE uid IN ({', '.join('?' * len(queued))})", queued)
    return done
