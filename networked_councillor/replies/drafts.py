"""Reply drafts as they are written: one open draft per item, saved every few seconds, so a crash loses nothing.

A draft's life: "draft" while it is being written, then "posted" (through the
plugin, or pasted by the councillor on the site) or "discarded". Posted
replies are what "similar past replies" learn from, so each one is kept with
the item it answered.
"""

from __future__ import annotations

from sqlite_utils import Database

OPEN, POSTED, DISCARDED = "draft", "posted", "discarded"


def open_draft(db: Database, item_id: int) -> dict | None:
    """The draft being written for ``item_id``, or None."""
    rows = list(db.query("SELECT * FROM drafts WHERE item_id = ? AND status = ? ORDER BY updated_at DESC, id DESC "
                         "LIMIT 1", [item_id, OPEN]))
    return rows[0] if rows else None


def save_draft(db: Database, item_id: int, platform: str | None, text: str, now: str) -> int | None:
    """Keep ``text`` as the item's open draft (an empty text removes it); the draft's id, or None."""
    current = open_draft(db, item_id)
    if not text.strip():
        if current:
            db.execute("DELETE FROM drafts WHERE id = ?", [current["id"]])
        return None
    if current is None:
        return db["drafts"].insert({"item_id": item_id, "platform": platform, "text": text, "status": OPEN,
                                    "created_at": now, "updated_at": now}).last_pk
    if current["text"] != text:
        db.execute("UPDATE drafts SET text = ?, platform = ?, updated_at = ? WHERE id = ?",
                   [text, platform, now, current["id"]])
    return current["id"]


def discard_draft(db: Database, item_id: int, now: str) -> bool:
    """The councillor decided not to reply: the open draft is set aside (kept until retention removes it)."""
    cursor = db.execute("UPDATE drafts SET status = ?, updated_at = ? WHERE item_id = ? AND status = ?",
                        [DISCARDED, now, item_id, OPEN])
    return cursor.rowcount > 0


def record_posted(db: Database, item_id: int, platform: str | None, text: str, now: str, *,
                  external_id: str | None = None, url: str | None = None) -> int:
    """A reply went out: the open draft becomes the posted reply (or one is added) and the item is replied."""
    current = open_draft(db, item_id)
    values = {"platform": platform, "text": text, "status": POSTED, "updated_at": now,
              "posted_external_id": external_id, "posted_url": url}
    if current is None:
        draft_id = db["drafts"].insert({"item_id": item_id, "created_at": now, **values}).last_pk
    else:
        db["drafts"].update(current["id"], values)
        draft_id = current["id"]
    db.execute("UPDATE items SET state = 'replied', snoozed_until = NULL WHERE id = ?", [item_id])
    return draft_id


def posted_replies(db: Database, item_id: int) -> list[dict]:
    """What the councillor has already replied to ``item_id``, oldest first."""
    return list(db.query("SELECT * FROM drafts WHERE item_id = ? AND status = ? ORDER BY updated_at, id",
                         [item_id, POSTED]))
