"""Erasing one person's data at their request: every match the councillor ticked, gone from the database and
from the file on disk, with a record of what was done that names no one."""

from __future__ import annotations

import html as htmllib
import json
import secrets
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from networked_councillor.base.changes import NOTHING, Changes
from networked_councillor.base.errors import StoreError
from networked_councillor.base.text import dumps, html_to_text
from networked_councillor.casework import audit
from networked_councillor.casework import issues as casework
from networked_councillor.casework.privacy import (
    CONTACT,
    HTML,
    JSON_TEXT,
    LINK,
    PLACE,
    TEXT,
    Matcher,
    PersonReport,
    Place,
    marks,
    matcher_for,
    matching_rows,
    write_text,
)
from networked_councillor.casework.retention import remove_unreferenced, secure_delete
from networked_councillor.store.items import chunks
from networked_councillor.store.schema import ERASED_DETAIL


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure did, as counts ("items.deleted", "issues.redacted"…); no identifiers."""

    erasure_id: str
    at: str
    counts: dict[str, int]
    backups: tuple[Path, ...] = ()  # copies made before the erasure, which still hold the data

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def changes(self) -> Changes:
        return Changes(inbox=True, issues=True) if self.total else NOTHING

    def describe(self) -> str:
        lines = [f"Erasure {self.erasure_id} at {self.at}:"]
        lines += [f"- {key.split('.')[0].replace('_', ' ')}: {n} {key.split('.')[1].replace('_', ' ')}"
                  for key, n in sorted(self.counts.items())]
        if self.backups:
            lines.append(f"{len(self.backups)} backup copies made before now still hold the erased data; "
                         f"delete them from {self.backups[0].parent} if they are not needed.")
        return "\n".join(lines)


def erase_person(db: Database, report: PersonReport, now: str) -> ErasureReport:
    """Erase what ``report`` lists, all in one transaction, and log counts (never who) in the audit log.

    Each listed record is read again and only what still matches is removed. Erasing an account erases every post
    it wrote (with tags, embeddings, sightings, drafts and training examples; casework keeps the issue and notes
    "linked item erased"). Mentions become "[removed]". Follow with `scrub` (or use `erase_and_scrub`), so no
    erased word lingers in the file's free space.
    """
    matcher = matcher_for(report.query)
    erasure_id = secrets.token_hex(8)
    counts: Counter[str] = Counter()
    with secure_delete(db), db.atomic():
        _erase_posts(db, report, erasure_id, now, counts)
        for kind in ("mention", "conversation", "draft", "snippet", "shared_post"):
            place = PLACE[kind]
            redacted = _redact(db, place, report.ids(kind), matcher)
            counts[f"{place.table}.redacted"] += len(redacted)
            if place.table == "items":  # an embedding of the old words would still say who was there
                counts["embeddings.deleted"] += _delete_where(db, "embeddings", "item_id", redacted)
        _erase_from_casework(db, report, matcher, erasure_id, now, counts)
        counts["training_examples.deleted"] += _delete_where(
            db, "training_examples", "id", [row["id"] for row, _, _ in matching_rows(
                db, PLACE["training_example"], matcher, report.ids("training_example"))])
        db.execute("INSERT INTO items_fts (items_fts) VALUES ('optimize')")  # drops the deleted words from the index
        counts = Counter({key: n for key, n in counts.items() if n})
        erasure = ErasureReport(erasure_id, now, dict(sorted(counts.items())))
        audit.record(db, "erase_person", f"Erased one person's data at their request ({erasure.total} records)",
                     now, records=erasure.total, personal_data=True,
                     detail={"erasure_id": erasure_id, "counts": erasure.counts})
    return erasure


def erase_and_scrub(store: Any, report: PersonReport, now: str) -> ErasureReport:
    """Erase (one transaction), then rewrite the file so the erased words are gone from disk too."""
    with store.write() as db:
        erasure = erase_person(db, report, now)
    scrub(store)
    backups = tuple(sorted(store.backup_dir.glob("*.sqlite"))) if store.backup_dir.is_dir() else ()
    return ErasureReport(erasure.erasure_id, erasure.at, erasure.counts, backups)


def scrub(store: Any) -> None:
    """Rebuild the database file (VACUUM) and empty its write-ahead log, leaving no deleted text in either."""
    with store.read() as db:
        try:
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"The data was erased, but the database file could not be tidied afterwards ({exc}).",
                             hint="Erased words may stay in the file's free space until it is: free some disk "
                                  "space and erase again.") from exc


def write_erasure_record(path: Path, report: PersonReport, erasure: ErasureReport) -> Path:
    """The full record of an erasure (with who it was about) for the councillor's own files; never stored."""
    return write_text(Path(path), f"{report.describe()}\n\n{erasure.describe()}\n")


def _erase_posts(db: Database, report: PersonReport, erasure_id: str, now: str, counts: Counter[str]) -> None:
    authors = report.ids("account")
    item_ids = set(report.ids("own_post"))
    threads: set[int] = set()
    for chunk in chunks(authors):  # posts fetched since the report was made go too
        item_ids |= {r[0] for r in db.execute(f"SELECT id FROM items WHERE author_id IN ({marks(chunk)})", chunk)}
    for chunk in chunks(sorted(item_ids)):
        held = marks(chunk)
        threads |= {r[0] for r in db.execute(f"SELECT thread_id FROM items WHERE id IN ({held}) "
                                             "AND thread_id IS NOT NULL", chunk)}
        for issue_id, item_id in db.execute(f"SELECT issue_id, item_id FROM issue_items WHERE item_id IN ({held}) "
                                            "ORDER BY issue_id, item_id", chunk).fetchall():
            casework.add_event(db, issue_id, "linked_item_erased", {"item_id": item_id, "erasure_id": erasure_id},
                               now)
        for table in ("issue_items", "drafts", "training_examples", "tags", "embeddings", "item_sightings"):
            counts[f"{table}.deleted"] += _delete_where(db, table, "item_id", chunk)
        counts["items.deleted"] += _delete_where(db, "items", "id", chunk)
    counts["authors.deleted"] += _delete_where(db, "authors", "id", authors)
    counts["threads.deleted"] += remove_unreferenced(db, "threads", "thread_id", threads)


def _redact(db: Database, place: Place, ids: list[int], matcher: Matcher) -> list[int]:
    """Replace the person's words in these rows (contact details aside); the ids of rows that changed."""
    changed = []
    for row, hits, _ in matching_rows(db, place, matcher, ids):
        # Every text of a record that names them loses their words (a single name too); links only where found.
        columns = [c for c, kind in place.fields.items() if c in hits or kind in (TEXT, HTML, JSON_TEXT)]
        values = {c: _redacted(row[c], place.fields[c], matcher) for c in columns
                  if place.fields[c] != CONTACT and row[c]}
        values = {c: v for c, v in values.items() if v != row[c]}
        if values:
            db.execute(f"UPDATE {place.table} SET {', '.join(f'{c} = ?' for c in values)} WHERE id = ?",
                       [*values.values(), row["id"]])
            changed.append(row["id"])
    return changed


def _redacted(value: str, kind: str, matcher: Matcher) -> str | None:
    if kind == LINK:
        return None  # an address naming them is no use with the name cut out
    if kind == JSON_TEXT:
        try:
            return dumps(_redacted_json(json.loads(value), matcher))
        except ValueError:
            pass
    text = matcher.redact(value)
    if kind == HTML and matcher.finds(html_to_text(text)):  # split by tags or entities: keep the words only
        return "".join(f"<p>{htmllib.escape(p)}</p>" for p in matcher.redact(html_to_text(value)).split("\n\n"))
    return text


def _redacted_json(value: Any, matcher: Matcher) -> Any:
    if isinstance(value, str):
        return matcher.redact(value)
    if isinstance(value, dict):
        return {key: _redacted_json(item, matcher) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted_json(item, matcher) for item in value]
    return value


def _erase_from_casework(db: Database, report: PersonReport, matcher: Matcher, erasure_id: str, now: str,
                         counts: Counter[str]) -> None:
    """Issues stay; their contact details are cleared and the person's words removed, each noted on the timeline."""
    for row, hits, _ in list(matching_rows(db, PLACE["casework"], matcher, report.ids("casework"))):
        if "contact" in hits:
            casework.update_issue(db, row["id"], {"contact": None}, now)
            counts["issues.contact_cleared"] += 1
        texts = [c for c in hits if c != "contact"]
        if texts:
            _redact(db, PLACE["casework"], [row["id"]], matcher)
            db.execute("UPDATE issues SET updated_at = ? WHERE id = ?", [now, row["id"]])
            casework.add_event(db, row["id"], "personal_data_erased",
                               {"fields": ", ".join(texts), "erasure_id": erasure_id}, now)
            counts["issues.redacted"] += 1
    events = [row["id"] for row, _, _ in matching_rows(db, PLACE["casework_event"], matcher,
                                                        report.ids("casework_event"))]
    for chunk in chunks(events):  # the one change the append-only timeline allows
        counts["issue_events.erased"] += db.execute(
            f"UPDATE issue_events SET detail = ? WHERE id IN ({marks(chunk)})", [ERASED_DETAIL, *chunk]).rowcount


def _delete_where(db: Database, table: str, column: str, ids: list[int]) -> int:
    return sum(db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks(chunk)})", chunk).rowcount
               for chunk in chunks(list(ids)))
