"""The local tables of shared casework (migration m009): what lets a laptop sync its casework with colleagues'.

Never edit once shipped: a later change is a new migration in `store.schema`.
"""

from __future__ import annotations

from sqlite_utils import Database

UUID_SQL = ("lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' "
            "|| substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' "
            "|| hex(randomblob(6)))")
"""A random (version 4) UUID written by SQLite, for rows made before UUIDs were given in Python."""


def create_shared_tables(db: Database, erased: str) -> None:
    """Casework shared with ward colleagues through the council's PostgreSQL (`networked_councillor.shared`).

    Every issue and timeline entry gets a UUID, the name it has on every laptop. ``shared_sent`` lists the
    entries the shared database already has (sent from here or received from it): what is not there is waiting
    to be sent, so nothing needs remembering at the moment of an edit, whichever code made it. Erasing a timeline
    entry, or a post an issue was logged from, queues the same erasure for the shared copy (``shared_forget``).
    Posts a colleague logged an issue from arrive as snapshots (``shared_posts``), never in the inbox; erasing a
    person here erases them from the shared copy of those too. An entry the shared database refuses (a ward this
    person no longer has) is held back with the reason (``shared_held``), so the rest still go. Nothing
    here changes anything for a laptop that does not share its casework.
    """
    db["issues"].add_column("uid", str)
    db["issues"].add_column("assigned_to", str)
    db["issues"].add_column("shared_ward", str)
    db.execute(f"UPDATE issues SET uid = {UUID_SQL}")
    db["issues"].create_index(["uid"], unique=True)
    db["issue_events"].add_column("uid", str)
    db.executescript(
        f"""
        DROP TRIGGER issue_events_no_update;
        UPDATE issue_events SET uid = {UUID_SQL};
        CREATE TRIGGER issue_events_no_update BEFORE UPDATE ON issue_events
        WHEN NOT (NEW.detail = '{erased}' AND NEW.id IS OLD.id AND NEW.issue_id IS OLD.issue_id
                  AND NEW.at IS OLD.at AND NEW.kind IS OLD.kind AND NEW.actor IS OLD.actor AND NEW.uid IS OLD.uid)
        BEGIN
          SELECT RAISE(ABORT, 'issue events are append-only (personal data in them can only be erased)');
        END;
        """
    )
    db["issue_events"].create_index(["uid"], unique=True)
    db["shared_sent"].create({"uid": str}, pk="uid")
    db["shared_forget"].create({"uid": str, "queued_at": str}, pk="uid")
    db["shared_held"].create({"uid": str, "reason": str, "at": str}, pk="uid")
    db["shared_posts"].create(
        {"id": int, "issue_id": int, "event_uid": str, "kind": str, "source": str, "url": str, "author": str,
         "text": str, "created_at": str},
        pk="id", not_null={"issue_id"}, foreign_keys=[("issue_id", "issues", "id")],
    )
    db["shared_posts"].create_index(["issue_id"])
    db.executescript(
        f"""
        CREATE TRIGGER shared_forget_erased AFTER UPDATE OF detail ON issue_events
        WHEN NEW.detail = '{erased}' AND OLD.detail IS NOT '{erased}'
        BEGIN
          INSERT OR IGNORE INTO shared_forget (uid, queued_at) VALUES (NEW.uid, datetime('now'));
        END;
        CREATE TRIGGER shared_forget_unlinked AFTER DELETE ON issue_items BEGIN
          INSERT OR IGNORE INTO shared_forget (uid, queued_at)
          SELECT uid, datetime('now') FROM issue_events WHERE issue_id = OLD.issue_id AND kind = 'linked_item'
            AND json_extract(detail, '$.item_id') = OLD.item_id;
        END;
        CREATE TRIGGER shared_forget_copy_erased AFTER UPDATE OF text ON shared_posts
        WHEN instr(coalesce(NEW.text, ''), '[removed]') > 0 BEGIN
          INSERT OR IGNORE INTO shared_forget (uid, queued_at) VALUES (NEW.event_uid, datetime('now'));
        END;
        CREATE TRIGGER shared_forget_copy_deleted AFTER DELETE ON shared_posts BEGIN
          INSERT OR IGNORE INTO shared_forget (uid, queued_at) VALUES (OLD.event_uid, datetime('now'));
        END;
        CREATE TRIGGER shared_forget_redacted AFTER UPDATE OF title, text ON items
        WHEN instr(coalesce(NEW.text, '') || coalesce(NEW.title, ''), '[removed]') > 0
        BEGIN
          INSERT OR IGNORE INTO shared_forget (uid, queued_at)
          SELECT e.uid, datetime('now') FROM issue_items l JOIN issue_events e ON e.issue_id = l.issue_id
          WHERE l.item_id = OLD.id AND e.kind = 'linked_item' AND json_extract(e.detail, '$.item_id') = OLD.id;
        END;
        """
    )
