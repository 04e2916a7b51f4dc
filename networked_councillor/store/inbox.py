"""The inbox's queries: which items a view shows, page by page, and what the councillor does to them.

Built for a million items: pages are fetched by keyset (newest first, then
"older than the last row I have"), never by OFFSET, and every view and filter
has an index that walks in time order. A search walks the full-text index
instead, newest found first.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlite_utils import Database

from networked_councillor.base.changes import Changes
from networked_councillor.base.changes import items as changed_items
from networked_councillor.base.errors import ConfigError, StoreError
from networked_councillor.store import attachments
from networked_councillor.store.items import chunks, plain_words_query

STATES = ("new", "needs_reply", "replied", "done")
UNSURE = "unsure"
"""The topic or feeling filter for items the model is unsure of (`items.topic_unsure`, `items.sentiment_unsure`)."""
VIEWS = {
    "inbox": "Inbox",
    "needs_reply": "Needs reply",
    "mentions": "Mentions of me",
    "pinned": "Pinned",
    "snoozed": "Snoozed",
    "done": "Done",
    "all": "All",
    "mail": "Casework mail",
}
PRIVATE_KINDS = ("email",)
"""Items written to the councillor in private: shown only in the Casework mail view (or their own source)."""
PUBLIC_ITEMS = f"items.kind NOT IN ({', '.join(repr(k) for k in PRIVATE_KINDS)})"
"""SQL: what the ward said in public, the only items any view, count or report of the ward's talk shows."""
PAGE = 500


@dataclass(frozen=True, slots=True)
class InboxFilter:
    view: str = "inbox"
    query: str = ""
    topic: str | None = None
    sentiment: str | None = None
    source_id: str | None = None
    state: str | None = None
    since: str | None = None  # ISO times, UTC
    until: str | None = None
    min_relevance: float = 0.0

    def with_(self, **changes) -> InboxFilter:
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}

    @classmethod
    def from_dict(cls, data: dict) -> InboxFilter:
        return cls(**{k: v for k, v in data.items() if k in cls.__slots__})


Cursor = tuple[str, int] | int | None
"""Where the next page starts: (created_at, id) of the last row, or its id when searching."""


def _where(f: InboxFilter, now: str) -> tuple[list[str], list]:
    clauses, params = ["items.relevance >= ?"], [f.min_relevance]
    awake = "(items.snoozed_until IS NULL OR items.snoozed_until <= ?)"
    if f.view == "inbox":
        clauses += ["items.state IN ('new', 'needs_reply')", awake]
        params.append(now)
    elif f.view == "needs_reply":
        clauses += ["items.state = 'needs_reply'", awake]
        params.append(now)
    elif f.view == "mentions":
        clauses.append("items.mentions_me = 1")
    elif f.view == "pinned":
        clauses.append("items.pinned = 1")
    elif f.view == "snoozed":
        clauses.append("items.snoozed_until > ?")
        params.append(now)
    elif f.view == "done":
        clauses.append("items.state = 'done'")
    elif f.view == "mail":
        clauses.append("items.kind = 'email'")
    elif f.view != "all":
        raise ConfigError(f"Unknown view {f.view!r}.")
    if f.view != "mail" and not f.source_id:
        clauses.append(PUBLIC_ITEMS)
    for kind, value in (("topic", f.topic), ("sentiment", f.sentiment)):
        if value == UNSURE:
            clauses.append(f"items.{kind}_unsure = 1")
        elif value:  # a label shown with confidence: what the dashboard counts under it
            clauses.append(f"items.{kind} = ? AND items.{kind}_unsure = 0")
            params.append(value)
    for column, value in (("source_id", f.source_id), ("state", f.state)):
        if value:
            clauses.append(f"items.{column} = ?")
            params.append(value)
    if f.since:
        clauses.append("items.created_at >= ?")
        params.append(f.since)
    if f.until:
        clauses.append("items.created_at < ?")
        params.append(f.until)
    return clauses, params


def page(db: Database, f: InboxFilter, now: str, after: Cursor = None, limit: int = PAGE) -> list[tuple[int, str]]:
    """The next ``limit`` (id, created_at) of the view, newest first."""
    clauses, params = _where(f, now)
    if f.query.strip():
        return _search_page(db, f, clauses, params, after, limit)
    if after is not None:
        clauses.append("(items.created_at, items.id) < (?, ?)")
        params += list(after)
    sql = (f"SELECT items.id, items.created_at FROM items WHERE {' AND '.join(clauses)} "
           "ORDER BY items.created_at DESC, items.id DESC LIMIT ?")
    return db.execute(sql, [*params, limit]).fetchall()


def _search_page(db: Database, f: InboxFilter, clauses: list[str], params: list, after: Cursor,
                 limit: int) -> list[tuple[int, str]]:
    if after is not None:
        clauses.append("items_fts.rowid < ?")
        params.append(after)
    sql = (f"SELECT items.id, items.created_at FROM items_fts JOIN items ON items.id = items_fts.rowid "
           f"WHERE items_fts MATCH ? AND {' AND '.join(clauses)} ORDER BY items_fts.rowid DESC LIMIT ?")
    try:
        return db.execute(sql, [f.query, *params, limit]).fetchall()
    except sqlite3.OperationalError:
        try:
            return db.execute(sql, [plain_words_query(f.query), *params, limit]).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"The search could not run ({exc}).") from exc


def next_cursor(f: InboxFilter, last: tuple[int, str]) -> Cursor:
    return last[0] if f.query.strip() else (last[1], last[0])


def count(db: Database, f: InboxFilter, now: str) -> int:
    clauses, params = _where(f, now)
    if f.query.strip():
        sql = (f"SELECT count(*) FROM items_fts JOIN items ON items.id = items_fts.rowid "
               f"WHERE items_fts MATCH ? AND {' AND '.join(clauses)}")
        try:
            return db.execute(sql, [f.query, *params]).fetchone()[0]
        except sqlite3.OperationalError:
            return db.execute(sql, [plain_words_query(f.query), *params]).fetchone()[0]
    return db.execute(f"SELECT count(*) FROM items WHERE {' AND '.join(clauses)}", params).fetchone()[0]


_ROW_SQL = """
SELECT items.id, items.created_at, items.title, substr(items.text, 1, 400) AS preview, items.relevance,
       items.state, items.pinned, items.snoozed_until, items.topic, items.sentiment, items.source_id,
       items.topic_unsure, items.sentiment_unsure,
       items.kind, items.mentions_me, sources.name AS source_name, sources.plugin AS plugin,
       coalesce(authors.display_name, authors.handle) AS author
FROM items
LEFT JOIN sources ON sources.id = items.source_id
LEFT JOIN authors ON authors.id = items.author_id
WHERE items.id IN ({marks})
"""


def rows(db: Database, ids: Sequence[int]) -> dict[int, dict]:
    """What the inbox table shows for these items, with each item's topics best first."""
    found: dict[int, dict] = {}
    for chunk in chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        for row in db.query(_ROW_SQL.format(marks=marks), chunk):
            row["topics"] = []
            found[row["id"]] = row
        for item_id, label, origin in db.execute(
            f"SELECT item_id, label, origin FROM tags WHERE kind = 'topic' AND item_id IN ({marks}) "
            "ORDER BY item_id, origin = 'user' DESC, score DESC", chunk):
            topics = found[item_id]["topics"]
            if label not in topics:
                topics.append(label)
    for row in found.values():
        if row["topic"] and (not row["topics"] or row["topics"][0] != row["topic"]):
            row["topics"] = [row["topic"], *[t for t in row["topics"] if t != row["topic"]]]
    return found


def set_state(db: Database, ids: Sequence[int], state: str) -> Changes:
    if state not in STATES:
        raise ConfigError(f"Unknown state {state!r}.")
    for chunk in chunks(list(ids)):
        db.execute(f"UPDATE items SET state = ?, snoozed_until = NULL WHERE id IN ({','.join('?' * len(chunk))})",
                   [state, *chunk])
    return changed_items(ids, inbox=True)


def set_pinned(db: Database, ids: Sequence[int], pinned: bool) -> Changes:
    for chunk in chunks(list(ids)):
        db.execute(f"UPDATE items SET pinned = ? WHERE id IN ({','.join('?' * len(chunk))})", [int(pinned), *chunk])
    return changed_items(ids, inbox=True)


def toggle_pin(db: Database, ids: Sequence[int]) -> Changes:
    """Pin them all, unless all are pinned already: then unpin them."""
    pinned = all(db.execute("SELECT pinned FROM items WHERE id = ?", [i]).fetchone()[0] for i in ids)
    return set_pinned(db, ids, not pinned)


def snooze(db: Database, ids: Sequence[int], until: str | None) -> Changes:
    """Hide items until ``until`` (UTC ISO); None wakes them now."""
    for chunk in chunks(list(ids)):
        db.execute(f"UPDATE items SET snoozed_until = ? WHERE id IN ({','.join('?' * len(chunk))})", [until, *chunk])
    return changed_items(ids, inbox=True)


def thread_of(db: Database, item_id: int, limit: int = 200) -> list[dict]:
    """The conversation an item belongs to, oldest first (the item itself included)."""
    row = db.execute("SELECT thread_id FROM items WHERE id = ?", [item_id]).fetchone()
    if not row or row[0] is None:
        return []
    return list(db.query(
        "SELECT items.id, items.created_at, items.title, items.text, items.external_id, items.parent_external_id, "
        "coalesce(authors.display_name, authors.handle) AS author FROM items "
        "LEFT JOIN authors ON authors.id = items.author_id WHERE items.thread_id = ? "
        "ORDER BY items.created_at, items.id LIMIT ?", [row[0], limit]))


def detail(db: Database, item_id: int) -> dict | None:
    """Everything the detail pane shows about one item."""
    row = db.execute("SELECT 1 FROM items WHERE id = ?", [item_id]).fetchone()
    if row is None:
        return None
    item = next(db.query(
        "SELECT items.*, sources.name AS source_name, sources.plugin AS plugin, authors.handle AS author_handle, "
        "authors.display_name AS author_name, authors.url AS author_url, threads.title AS thread_title "
        "FROM items LEFT JOIN sources ON sources.id = items.source_id "
        "LEFT JOIN authors ON authors.id = items.author_id LEFT JOIN threads ON threads.id = items.thread_id "
        "WHERE items.id = ?", [item_id]))
    for key in ("evidence", "categories", "engagement", "enclosures", "extra"):
        item[key] = json.loads(item[key]) if item.get(key) else ({} if key in ("engagement", "extra") else [])
    item["tags"] = list(db.query(
        "SELECT kind, label, score, origin FROM tags WHERE item_id = ? ORDER BY kind, origin = 'user' DESC, score DESC",
        [item_id]))
    item["sightings"] = list(db.query(
        "SELECT item_sightings.source_id, sources.name AS source_name, item_sightings.url FROM item_sightings "
        "LEFT JOIN sources ON sources.id = item_sightings.source_id WHERE item_id = ?", [item_id]))
    item["thread"] = thread_of(db, item_id)
    item["attachments"] = attachments.of_item(db, item_id)
    item["issues"] = list(db.query(
        "SELECT issues.id, issues.reference, issues.title, issues.status FROM issues "
        "JOIN issue_items ON issue_items.issue_id = issues.id WHERE issue_items.item_id = ? ORDER BY issues.id",
        [item_id]))
    return item
