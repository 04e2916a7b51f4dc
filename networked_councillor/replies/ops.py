"""The reply operations a councillor performs: drafts kept, set aside, or marked as replied by hand.

Posting through a plugin is in `replies.posting` (it goes to the network first).
"""

from __future__ import annotations

from sqlite_utils import Database

from networked_councillor.base import clock
from networked_councillor.base.changes import NOTHING, Changes, Done
from networked_councillor.replies import drafts, snippets, templates


def save_draft(db: Database, item_id: int, platform: str | None, text: str) -> Changes:
    """Kept every few seconds while the councillor types; no view shows drafts, so nothing needs refreshing."""
    drafts.save_draft(db, item_id, platform, text, clock.now_iso())
    return NOTHING


def discard_draft(db: Database, item_id: int) -> Changes:
    drafts.discard_draft(db, item_id, clock.now_iso())
    return NOTHING


def mark_replied(db: Database, item_id: int, platform: str | None, text: str) -> Changes:
    """The councillor posted on the site itself (or answered another way): the item is replied."""
    drafts.record_posted(db, item_id, platform, text, clock.now_iso())
    return Changes(items=frozenset([item_id]), inbox=True)


SETTINGS = Changes(settings=True)


def save_template(db: Database, topic: str, acknowledge: str, inform: str, invite: str) -> Done:
    """The councillor's own template for a topic; the placeholders the app cannot fill."""
    return Done(templates.save_template(db, topic, acknowledge, inform, invite, clock.now_iso()), SETTINGS)


def reset_template(db: Database, topic: str) -> Changes:
    templates.reset_template(db, topic)
    return SETTINGS


def save_snippet(db: Database, snippet_id: int | None, name: str, text: str) -> Done:
    """A saved reply added (no id) or changed; (its id, the placeholders the app cannot fill)."""
    now = clock.now_iso()
    if snippet_id is None:
        return Done(snippets.add_snippet(db, name, text, now), SETTINGS)
    return Done((snippet_id, snippets.update_snippet(db, snippet_id, name, text, now)), SETTINGS)


def delete_snippet(db: Database, snippet_id: int) -> Changes:
    snippets.delete_snippet(db, snippet_id)
    return SETTINGS
