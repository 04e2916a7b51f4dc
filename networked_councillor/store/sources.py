"""Configured sources: which plugin, its settings, its memory between runs, its health."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import ConfigError
from networked_councillor.store.items import delete_unworked


@dataclass(slots=True)
class SourceRow:
    id: str
    plugin: str
    name: str
    enabled: bool = True
    config: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    last_fetch_at: str | None = None
    last_success_at: str | None = None
    last_error: str | None = None
    last_new: int | None = None
    last_seen: int | None = None
    retry_after: str | None = None
    last_note: str | None = None
    keeps_secrets: bool | None = None
    """Whether it stored anything in the keyring; None for sources made before the app recorded it."""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SourceRow:
        return cls(
            id=row["id"],
            plugin=row["plugin"],
            name=row["name"],
            enabled=bool(row["enabled"]),
            config=json.loads(row["config"] or "{}"),
            state=json.loads(row["state"] or "{}"),
            last_fetch_at=row["last_fetch_at"],
            last_success_at=row["last_success_at"],
            last_error=row["last_error"],
            last_new=row["last_new"],
            last_seen=row["last_seen"],
            retry_after=row["retry_after"],
            last_note=row.get("last_note"),
            keeps_secrets=None if row.get("keeps_secrets") is None else bool(row["keeps_secrets"]),
        )


def all_sources(db: Database) -> list[SourceRow]:
    return [SourceRow.from_row(r) for r in db["sources"].rows_where(order_by="name")]


def get(db: Database, source_id: str) -> SourceRow:
    try:
        return SourceRow.from_row(db["sources"].get(source_id))
    except NotFoundError:
        raise ConfigError(f"There is no source with the id {source_id!r}.", hint="See `sources list`.") from None


def add(db: Database, plugin: str, name: str, config: dict[str, Any], now: str, source_id: str | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ConfigError("A source needs a name.")
    source_id = source_id or _unique_id(db, _slug(name))
    if db["sources"].count_where("id = ?", [source_id]):
        raise ConfigError(f"A source with the id {source_id!r} already exists.")
    db["sources"].insert(
        {"id": source_id, "plugin": plugin, "name": name, "enabled": 1,
         "config": json.dumps(config), "state": "{}", "created_at": now, "keeps_secrets": 0}
    )
    return source_id


def note_secrets(db: Database, source_id: str) -> Changes:
    """The source has stored something in the keyring: from now on its plugin may read it from there."""
    get(db, source_id)
    db["sources"].update(source_id, {"keeps_secrets": 1})
    return Changes(sources=True)


def remove(db: Database, source_id: str) -> int:
    """Remove a source and its items, except items the councillor has worked on.

    Items linked to casework, with drafts, pinned, or whose tags the
    councillor corrected are kept. Returns how many items were removed.
    """
    get(db, source_id)
    removed = delete_unworked(db, "items.source_id = ?", [source_id])
    db.execute("DELETE FROM item_sightings WHERE source_id = ?", [source_id])
    db.execute("DELETE FROM sources WHERE id = ?", [source_id])
    return removed


def set_enabled(db: Database, source_id: str, enabled: bool) -> Changes:
    get(db, source_id)
    db["sources"].update(source_id, {"enabled": int(enabled)})
    return Changes(sources=True)


def update_config(db: Database, source_id: str, config: dict[str, Any]) -> None:
    get(db, source_id)
    db["sources"].update(source_id, {"config": json.dumps(config)})


def record_run(
    db: Database,
    source_id: str,
    *,
    started: str,
    finished: str,
    error: str | None = None,
    state: dict[str, Any] | None = None,
    new: int = 0,
    updated: int = 0,
    linked: int = 0,
    seen: int = 0,
    retry_after: str | None = None,
    note: str | None = None,
) -> None:
    """Note a fetch's outcome; on success also save the plugin's state (cursors, ETags)."""
    values: dict[str, Any] = {"last_fetch_at": finished, "last_error": error, "retry_after": retry_after,
                              "last_note": note}
    if error is None:
        values.update(last_success_at=started, last_new=new, last_seen=seen, state=json.dumps(state or {}))
    db["sources"].update(source_id, values)
    db["fetch_log"].insert(
        {"source_id": source_id, "started_at": started, "finished_at": finished, "ok": int(error is None),
         "new": new, "updated": updated, "linked": linked, "error": error}
    )


def record_live(db: Database, source_id: str, *, state: dict[str, Any] | None, note: str | None,
                error: str | None = None, now: str) -> None:
    """A live source's progress: its cursor (saved with the posts it heard) or why it is not listening."""
    values: dict[str, Any] = {"last_fetch_at": now, "last_error": error, "last_note": note}
    if error is None:
        values["last_success_at"] = now
    if state is not None:
        values["state"] = json.dumps(state)
    db["sources"].update(source_id, values)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "source"


def _unique_id(db: Database, base: str) -> str:
    candidate, n = base, 2
    while db["sources"].count_where("id = ?", [candidate]):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def item_is_demo(db: Database, item_id: int) -> bool:
    """Whether an item came from one of the demo ward's sources (its replies stay on this computer)."""
    row = db.execute("SELECT sources.config FROM items JOIN sources ON sources.id = items.source_id "
                     "WHERE items.id = ?", [item_id]).fetchone()
    return bool(row) and json.loads(row[0] or "{}").get("demo") is True
