"""Items: ingest (dedupe, link, update in place) and the queries the CLI and UI need.

Functions take a `Database` from `Store.read()` or `Store.write()`, so the
caller decides what one transaction holds.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from networked_councillor.base.errors import StoreError

CHUNK = 500
NEVER_REWRITTEN = ("email",)
"""A resident's email, once stored, is what they sent: a later message reusing its Message-ID never replaces it."""
STATES = ("new", "needs_reply", "replied", "done", "snoozed")

# The item columns a fetch may write; everything else (state, pin, the
# councillor's tags) belongs to the user and is never overwritten by a fetch.
SOURCE_COLUMNS = (
    "kind", "url", "title", "text", "html", "author_id", "thread_id", "parent_external_id",
    "created_at", "updated_at", "fetched_at", "lat", "lon", "categories", "engagement",
    "enclosures", "langs", "extra", "raw", "source_hash", "link_key", "relevance", "evidence", "mentions_me",
)


@dataclass(slots=True)
class Incoming:
    """One normalised item on its way into the store."""

    row: dict[str, Any]
    link_key: str | None
    text: str
    author: tuple[str, str | None, str | None] | None = None  # handle, display name, url
    thread: tuple[str, str | None] | None = None  # external id, title
    item_id: int | None = None  # set by plan(): the row to update, or the item to link to
    origin: Any = None  # the RawItem this came from, for scoring; never stored


@dataclass(slots=True)
class Plan:
    """What an ingest will do, worked out by reading before the write."""

    new: list[Incoming] = field(default_factory=list)
    changed: list[Incoming] = field(default_factory=list)
    linked: list[Incoming] = field(default_factory=list)
    unchanged: int = 0

    @property
    def to_score(self) -> list[Incoming]:
        return self.new + self.changed


def plan(db: Database, source_id: str, incoming: Sequence[Incoming]) -> Plan:
    """Sort a batch into new, changed, linked (same words seen via another source) and unchanged."""
    by_ext: dict[str, Incoming] = {}
    for inc in incoming:  # a feed listing an item twice: the last copy wins
        by_ext[inc.row["external_id"]] = inc
    result = Plan()
    known = _lookup(db, "SELECT external_id, id, source_hash FROM items WHERE source_id = ? AND external_id IN ({})",
                    source_id, list(by_ext))
    sighted = _lookup(db, "SELECT external_id, item_id, NULL FROM item_sightings WHERE source_id = ? AND external_id IN ({})",
                      source_id, [e for e in by_ext if e not in known])
    fresh = []
    for ext, inc in by_ext.items():
        if ext in known:
            inc.item_id, stored_hash = known[ext]
            if stored_hash == inc.row["source_hash"] or inc.row.get("kind") in NEVER_REWRITTEN:
                result.unchanged += 1
            else:
                result.changed.append(inc)
        elif ext in sighted:
            inc.item_id = sighted[ext][0]
            result.linked.append(inc)
        else:
            fresh.append(inc)
    keys = [inc.link_key for inc in fresh if inc.link_key]
    twins: dict[str, int] = {}
    for chunk in chunks(keys):
        marks = ",".join("?" * len(chunk))
        for key, item_id in db.execute(
            f"SELECT link_key, min(id) FROM items WHERE source_id != ? AND link_key IN ({marks}) GROUP BY link_key",
            [source_id, *chunk],
        ):
            twins[key] = item_id
    for inc in fresh:
        if inc.link_key in twins:
            inc.item_id = twins[inc.link_key]
            result.linked.append(inc)
        else:
            result.new.append(inc)
    return result


def apply(db: Database, source_id: str, plan: Plan, now: str) -> None:
    """Write a plan (inside the caller's transaction). Relevance must be set on new and changed rows."""
    authors = _upsert_authors(db, source_id, [i.author for i in plan.to_score if i.author])
    threads = _upsert_threads(db, source_id, [i.thread for i in plan.to_score if i.thread])
    for inc in plan.to_score:
        inc.row["author_id"] = authors.get(inc.author[0]) if inc.author else None
        inc.row["thread_id"] = threads.get(inc.thread[0]) if inc.thread else None
        inc.row["fetched_at"] = now
        inc.row["link_key"] = inc.link_key
    for inc in plan.new:
        inc.row["created_at"] = inc.row["created_at"] or now  # undated items sort as first seen
    if plan.new:
        columns = ("source_id", "external_id", "first_seen_at", *SOURCE_COLUMNS)
        sql = f"INSERT INTO items ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        db.conn.executemany(sql, ([source_id, inc.row["external_id"], now, *(inc.row.get(c) for c in SOURCE_COLUMNS)]
                                  for inc in plan.new))
        ids = _lookup(db, "SELECT external_id, id, NULL FROM items WHERE source_id = ? AND external_id IN ({})",
                      source_id, [inc.row["external_id"] for inc in plan.new])
        for inc in plan.new:
            inc.item_id = ids[inc.row["external_id"]][0]
    if plan.changed:
        # An undated item keeps the time it was first seen.
        sets = ", ".join("created_at = coalesce(?, created_at)" if c == "created_at" else f"{c} = ?" for c in SOURCE_COLUMNS)
        sql = f"UPDATE items SET {sets} WHERE id = ?"
        db.conn.executemany(sql, ([*(inc.row.get(c) for c in SOURCE_COLUMNS), inc.item_id] for inc in plan.changed))
    if plan.linked:
        db.conn.executemany(
            "INSERT INTO item_sightings (item_id, source_id, external_id, url, seen_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (source_id, external_id) DO UPDATE SET url = excluded.url, seen_at = excluded.seen_at",
            ([inc.item_id, source_id, inc.row["external_id"], inc.row.get("url"), now] for inc in plan.linked),
        )


def lift_conversations(db: Database, thread_ids: Iterable[int], threshold: float) -> int:
    """Replies in a thread that is about the ward count as being about it too ("Thanks, will do" included).

    A thread is about the ward when one of its items is, on its own merits. Its other items get
    "conversation" evidence (weight 0.4), once. Returns how many items were lifted.
    """
    lifted = 0
    conversation = "%\"kind\":\"conversation\"%"
    for thread_id in set(thread_ids):
        lifted += db.execute(
            "UPDATE items SET relevance = round(1 - (1 - relevance) * 0.6, 4), "
            "evidence = json_insert(coalesce(evidence, '[]'), '$[#]', "
            "json_object('kind', 'conversation', 'term', 'part of a conversation about the ward')) "
            "WHERE thread_id = ? AND relevance < ? AND coalesce(evidence, '') NOT LIKE ? "
            "AND EXISTS (SELECT 1 FROM items other WHERE other.thread_id = ? AND other.relevance >= ? "
            "AND coalesce(other.evidence, '') NOT LIKE ?)",
            [thread_id, threshold, conversation, thread_id, threshold, conversation]).rowcount
    return lifted


# Items the councillor has worked on: never deleted by a purge or by removing their source.
WORKED_ON = (
    "items.id IN (SELECT item_id FROM issue_items) OR items.id IN (SELECT item_id FROM drafts) "
    "OR items.pinned = 1 OR items.id IN (SELECT item_id FROM tags WHERE origin = 'user')"
)


def delete_unworked(db: Database, where: str, params: Sequence) -> int:
    """Delete the items matching ``where`` that nobody has worked on, with their tags and embeddings."""
    doomed = f"SELECT items.id FROM items WHERE ({where}) AND NOT ({WORKED_ON})"
    for table in ("tags", "embeddings", "item_sightings"):
        db.execute(f"DELETE FROM {table} WHERE item_id IN ({doomed})", list(params))
    return db.execute(f"DELETE FROM items WHERE id IN ({doomed})", list(params)).rowcount


# ---- queries -------------------------------------------------------------

_LIST_SQL = """
SELECT items.id, items.source_id, sources.name AS source_name, items.kind, items.url, items.title,
       items.text, items.created_at, items.relevance, items.evidence, items.state, items.pinned,
       items.topic, items.sentiment, items.topic_unsure, items.sentiment_unsure, items.lat, items.lon,
       authors.handle AS author_handle, authors.display_name AS author_name,
       (SELECT count(*) FROM item_sightings s WHERE s.item_id = items.id) AS sightings
FROM items
LEFT JOIN sources ON sources.id = items.source_id
LEFT JOIN authors ON authors.id = items.author_id
"""


def count(db: Database, *, min_relevance: float = 0.0) -> int:
    return db.execute("SELECT count(*) FROM items WHERE relevance >= ?", [min_relevance]).fetchone()[0]


def recent(db: Database, *, limit: int = 50, min_relevance: float = 0.0, source_id: str | None = None) -> list[dict]:
    where, params = ["items.relevance >= ?"], [min_relevance]
    if source_id:
        where.append("items.source_id = ?")
        params.append(source_id)
    sql = f"{_LIST_SQL} WHERE {' AND '.join(where)} ORDER BY items.created_at DESC, items.id DESC LIMIT ?"
    return [_decode(r) for r in db.query(sql, [*params, limit])]


def search(db: Database, query: str, *, limit: int = 50, min_relevance: float = 0.0) -> list[dict]:
    """Full-text search, best matches first.

    The query uses SQLite FTS5 syntax: words (all must match), "a phrase",
    OR, NOT, prefix* and column filters (title: ...). Anything FTS5 rejects
    is searched again as plain words, so a stray quote never fails a search.
    """
    query = query.strip()
    if not query:
        return []
    sql = (f"{_LIST_SQL} JOIN items_fts ON items_fts.rowid = items.id "
           "WHERE items_fts MATCH ? AND items.relevance >= ? ORDER BY items_fts.rank LIMIT ?")
    try:
        rows = list(db.query(sql, [query, min_relevance, limit]))
    except sqlite3.OperationalError:
        try:
            rows = list(db.query(sql, [plain_words_query(query), min_relevance, limit]))
        except sqlite3.OperationalError as exc:
            raise StoreError(f"The search could not run ({exc}).") from exc
    return [_decode(r) for r in rows]


def plain_words_query(query: str) -> str:
    words = re.findall(r"\w+", query)
    return " ".join(f'"{w}"' for w in words) or '""'


def get(db: Database, item_id: int) -> dict | None:
    rows = list(db.query(f"{_LIST_SQL} WHERE items.id = ?", [item_id]))
    return _decode(rows[0]) if rows else None


def _decode(row: dict) -> dict:
    if row.get("evidence"):
        row["evidence"] = json.loads(row["evidence"])
    return row


# ---- helpers -------------------------------------------------------------

def _lookup(db: Database, sql: str, source_id: str, keys: list[str]) -> dict[str, tuple[Any, Any]]:
    found: dict[str, tuple[Any, Any]] = {}
    for chunk in chunks(keys):
        for key, a, b in db.execute(sql.format(",".join("?" * len(chunk))), [source_id, *chunk]):
            found[key] = (a, b)
    return found


def _upsert_authors(db: Database, source_id: str, authors: Iterable[tuple[str, str | None, str | None]]) -> dict[str, int]:
    return _upsert_named(db, "authors", "handle", ("display_name", "url"), source_id, authors)


def _upsert_threads(db: Database, source_id: str, threads: Iterable[tuple[str, str | None]]) -> dict[str, int]:
    return _upsert_named(db, "threads", "external_id", ("title",), source_id, threads)


def _upsert_named(db: Database, table: str, key: str, columns: tuple[str, ...], source_id: str,
                  rows: Iterable[tuple]) -> dict[str, int]:
    """Insert or refresh rows keyed by (source_id, key); return key -> row id.

    A value the source no longer sends (None) never blanks one it sent before.
    """
    unique = {row[0]: row for row in rows}
    if not unique:
        return {}
    names = ", ".join(("source_id", key, *columns))
    updates = ", ".join(f"{c} = coalesce(excluded.{c}, {c})" for c in columns)
    db.conn.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * (len(columns) + 2))}) "
        f"ON CONFLICT (source_id, {key}) DO UPDATE SET {updates}",
        ([source_id, *row] for row in unique.values()),
    )
    found = _lookup(db, f"SELECT {key}, id, NULL FROM {table} WHERE source_id = ? AND {key} IN ({{}})",
                    source_id, list(unique))
    return {k: v[0] for k, v in found.items()}


def chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
