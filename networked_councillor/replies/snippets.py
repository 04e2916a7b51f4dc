"""Snippets: replies the councillor saves to use again, with placeholders filled per item."""

from __future__ import annotations

from sqlite_utils import Database

from networked_councillor.base.errors import ConfigError
from networked_councillor.replies.placeholders import fill, unknown_placeholders


def list_snippets(db: Database) -> list[dict]:
    return list(db.query("SELECT id, name, text, created_at, updated_at FROM snippets ORDER BY name COLLATE NOCASE, id"))


def get_snippet(db: Database, snippet_id: int) -> dict:
    row = next(db.query("SELECT id, name, text, created_at, updated_at FROM snippets WHERE id = ?", [snippet_id]), None)
    if row is None:
        raise ConfigError(f"There is no saved reply {snippet_id}.")
    return row


def add_snippet(db: Database, name: str, text: str, now: str) -> tuple[int, list[str]]:
    """Save a reply; returns its id and any placeholders in it the app cannot fill."""
    name, text = _valid(name, text)
    snippet_id = db["snippets"].insert({"name": name, "text": text, "created_at": now, "updated_at": now}).last_pk
    return snippet_id, unknown_placeholders(text)


def update_snippet(db: Database, snippet_id: int, name: str, text: str, now: str) -> list[str]:
    get_snippet(db, snippet_id)
    name, text = _valid(name, text)
    db.execute("UPDATE snippets SET name = ?, text = ?, updated_at = ? WHERE id = ?", [name, text, now, snippet_id])
    return unknown_placeholders(text)


def delete_snippet(db: Database, snippet_id: int) -> bool:
    return db.execute("DELETE FROM snippets WHERE id = ?", [snippet_id]).rowcount > 0


def fill_snippet(db: Database, snippet_id: int, context: dict) -> tuple[str, list[str]]:
    """The snippet's text for one reply (see `placeholders.fill`)."""
    return fill(get_snippet(db, snippet_id)["text"], context)


def _valid(name: str, text: str) -> tuple[str, str]:
    name, text = " ".join((name or "").split()), (text or "").strip()
    if not name:
        raise ConfigError("A saved reply needs a name, so you can find it again.")
    if not text:
        raise ConfigError("A saved reply needs some text.")
    return name, text
