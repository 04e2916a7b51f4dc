"""Email conversations and casework: a reply in a conversation already logged as an issue joins that issue.

Mail clients mark a reply or forward with the Message-IDs it answers (In-Reply-To, References); the email
plugin keeps them as ``extra.references``. When any earlier email in that list is linked to an issue, the new
one is linked too, with a line on the issue's timeline, so the councillor sees the resident's follow-up where
the case is and no one logs it twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlite_utils import Database

from networked_councillor.casework.issues import add_event, link_items

ACTOR = "app: same email conversation"


def join_conversations(db: Database, item_ids: Sequence[int], now: str) -> dict[int, int]:
    """Link each email in ``item_ids`` to the issue of an earlier email it answers; {item id: issue id}."""
    joined: dict[int, int] = {}
    for item_id, extra in db.execute(
            f"SELECT id, extra FROM items WHERE kind = 'email' AND id IN ({', '.join('?' * len(item_ids))})",
            list(item_ids)).fetchall() if item_ids else ():
        references = [r for r in (json.loads(extra or "{}").get("references") or []) if isinstance(r, str)]
        issue_id = _issue_of(db, references, item_id)
        if issue_id is None:
            continue
        link_items(db, issue_id, [item_id], now, actor=ACTOR)
        add_event(db, issue_id, "note", {"text": "A new email in the same conversation was added to this issue."},
                  now, ACTOR)
        joined[item_id] = issue_id
    return joined


def _issue_of(db: Database, message_ids: list[str], item_id: int) -> int | None:
    if not message_ids:
        return None
    marks = ", ".join("?" * len(message_ids))
    row = db.execute(
        "SELECT issue_items.issue_id FROM items JOIN issue_items ON issue_items.item_id = items.id "
        f"WHERE items.kind = 'email' AND items.id != ? AND json_extract(items.extra, '$.message_id') IN ({marks}) "
        "ORDER BY issue_items.linked_at DESC LIMIT 1", [item_id, *message_ids]).fetchone()
    return row[0] if row else None
