"""Attachments: files kept with an item. Listed by name and size; their bytes are read only to save a copy.

The app never opens one: saving a copy is the councillor's choice, and opening it is their mail client's or
their computer's business.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from networked_councillor.base.errors import StoreError

_COLUMNS = "id, item_id, name, content_type, size, note, data IS NOT NULL AS kept"


def save(db: Database, item_id: int, attachments: Iterable[Any]) -> int:
    """Store ``attachments`` (plugin_api `Attachment`s) with an item; returns how many."""
    rows = [(item_id, a.name, a.content_type, a.size, a.data, a.note or None) for a in attachments]
    db.conn.executemany(
        "INSERT INTO attachments (item_id, name, content_type, size, data, note) VALUES (?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def of_item(db: Database, item_id: int) -> list[dict]:
    return list(db.query(f"SELECT {_COLUMNS} FROM attachments WHERE item_id = ? ORDER BY id", [item_id]))


def save_copy(db: Database, attachment_id: int, folder: Path) -> Path:
    """Write an attachment's bytes into ``folder`` under its own name (never over an existing file)."""
    row = db.execute("SELECT name, data FROM attachments WHERE id = ?", [attachment_id]).fetchone()
    if row is None:
        raise StoreError("That attachment is no longer kept (retention or erasure removed it).")
    name, data = row
    if data is None:
        raise StoreError(f"{name} was too large to keep: save it from your mail client.")
    target = folder / Path(name).name
    stem, suffix, n = target.stem, target.suffix, 1
    while target.exists():
        n += 1
        target = folder / f"{stem} ({n}){suffix}"
    target.write_bytes(data)
    return target
