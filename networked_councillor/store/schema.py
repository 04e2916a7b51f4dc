"""The database schema, as forward-only migrations.

Never edit a migration that has shipped: add a new one. Each runs in its own
transaction, and `Store` takes a backup of the file before running any on a
database that already holds data.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from networked_councillor.store.shared_tables import create_shared_tables

migrations = Migrations("networked_councillor")
ERASED_DETAIL = '{"erased": true}'  # what an erased casework event's detail becomes


@migrations()
def m001_initial(db: Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")

    db["ward_profile"].create({"id": int, "data": str, "updated_at": str}, pk="id")

    db["sources"].create(
        {
            "id": str,
            "plugin": str,
            "name": str,
            "enabled": int,
            "config": str,
            "state": str,
            "created_at": str,
            "last_fetch_at": str,
            "last_success_at": str,
            "last_error": str,
            "last_new": int,
            "last_seen": int,
            "retry_after": str,
        },
        pk="id",
        not_null={"plugin", "name", "enabled"},
        defaults={"enabled": 1, "config": "{}", "state": "{}"},
    )

    db["fetch_log"].create(
        {
            "id": int,
            "source_id": str,
            "started_at": str,
            "finished_at": str,
            "ok": int,
            "new": int,
            "updated": int,
            "linked": int,
            "error": str,
        },
        pk="id",
    )
    db["fetch_log"].create_index(["source_id", "started_at"])

    db["authors"].create(
        {"id": int, "source_id": str, "handle": str, "display_name": str, "url": str},
        pk="id",
        not_null={"source_id", "handle"},
    )
    db["authors"].create_index(["source_id", "handle"], unique=True)

    db["threads"].create(
        {"id": int, "source_id": str, "external_id": str, "title": str, "url": str},
        pk="id",
        not_null={"source_id", "external_id"},
    )
    db["threads"].create_index(["source_id", "external_id"], unique=True)

    db["items"].create(
        {
            "id": int,
            "source_id": str,
            "external_id": str,
            "kind": str,
            "url": str,
            "title": str,
            "text": str,
            "html": str,
            "author_id": int,
            "thread_id": int,
            "parent_external_id": str,
            "created_at": str,
            "updated_at": str,
            "first_seen_at": str,
            "fetched_at": str,
            "lat": float,
            "lon": float,
            "categories": str,
            "engagement": str,
            "enclosures": str,
            "langs": str,
            "extra": str,
            "raw": str,
            "source_hash": str,
            "link_key": str,
            "relevance": float,
            "evidence": str,
            "state": str,
            "pinned": int,
            "snoozed_until": str,
            "topic": str,
            "sentiment": str,
        },
        pk="id",
        not_null={"source_id", "external_id", "state", "pinned"},
        defaults={"state": "new", "pinned": 0, "relevance": 0.0, "kind": "post"},
        foreign_keys=[("author_id", "authors", "id"), ("thread_id", "threads", "id")],
    )
    db["items"].create_index(["source_id", "external_id"], unique=True)
    db["items"].create_index(["created_at"])
    db["items"].create_index(["relevance"])
    db["items"].create_index(["link_key"])
    db["items"].create_index(["thread_id"])
    db["items"].create_index(["state"])
    db["items"].create_index(["topic"])

    # Full-text search over title and text. Our own triggers fire only when
    # those columns change, so state changes on many items stay cheap.
    db["items"].enable_fts(["title", "text"], tokenize="porter unicode61 remove_diacritics 2")
    db.executescript(
        """
        CREATE TRIGGER items_fts_ai AFTER INSERT ON items BEGIN
          INSERT INTO items_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN
          INSERT INTO items_fts (items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER items_fts_au AFTER UPDATE OF title, text ON items BEGIN
          INSERT INTO items_fts (items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
          INSERT INTO items_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        """
    )

    # The same post seen through a second source: linked to the first, not stored twice.
    db["item_sightings"].create(
        {"id": int, "item_id": int, "source_id": str, "external_id": str, "url": str, "seen_at": str},
        pk="id",
        not_null={"item_id", "source_id", "external_id"},
        foreign_keys=[("item_id", "items", "id")],
    )
    db["item_sightings"].create_index(["source_id", "external_id"], unique=True)
    db["item_sightings"].create_index(["item_id"])

    db["tags"].create(
        {
            "item_id": int,
            "kind": str,
            "label": str,
            "score": float,
            "origin": str,
            "model_version": str,
            "created_at": str,
        },
        pk=("item_id", "kind", "label", "origin"),
        foreign_keys=[("item_id", "items", "id")],
    )
    db["tags"].create_index(["kind", "label"])

    db["embeddings"].create(
        {"item_id": int, "model": str, "dim": int, "vector": bytes},
        pk="item_id",
        foreign_keys=[("item_id", "items", "id")],
    )

    db["drafts"].create(
        {
            "id": int,
            "item_id": int,
            "platform": str,
            "text": str,
            "status": str,
            "created_at": str,
            "updated_at": str,
            "posted_external_id": str,
            "posted_url": str,
        },
        pk="id",
        defaults={"status": "draft"},
        foreign_keys=[("item_id", "items", "id")],
    )

    db["issues"].create(
        {
            "id": int,
            "reference": str,
            "title": str,
            "description": str,
            "category": str,
            "ward": str,
            "address": str,
            "postcode": str,
            "lat": float,
            "lon": float,
            "priority": str,
            "status": str,
            "agency_ref": str,
            "due_date": str,
            "contact": str,
            "created_at": str,
            "updated_at": str,
            "closed_at": str,
        },
        pk="id",
        not_null={"reference", "title", "status"},
        defaults={"status": "new", "priority": "normal"},
    )
    db["issues"].create_index(["reference"], unique=True)
    db["issues"].create_index(["status"])

    db["issue_items"].create(
        {"issue_id": int, "item_id": int, "linked_at": str},
        pk=("issue_id", "item_id"),
        foreign_keys=[("issue_id", "issues", "id"), ("item_id", "items", "id")],
    )

    db["issue_events"].create(
        {"id": int, "issue_id": int, "at": str, "kind": str, "detail": str, "actor": str},
        pk="id",
        not_null={"issue_id", "at", "kind"},
        foreign_keys=[("issue_id", "issues", "id")],
    )
    db["issue_events"].create_index(["issue_id", "at"])
    # The casework audit trail is append-only.
    db.executescript(
        """
        CREATE TRIGGER issue_events_no_update BEFORE UPDATE ON issue_events BEGIN
          SELECT RAISE(ABORT, 'issue events are append-only');
        END;
        CREATE TRIGGER issue_events_no_delete BEFORE DELETE ON issue_events BEGIN
          SELECT RAISE(ABORT, 'issue events are append-only');
        END;
        """
    )


@migrations()
def m002_learning(db: Database) -> None:
    """What the councillor teaches the tagger, kept even when the items themselves are purged."""
    db["training_examples"].create(
        {"id": int, "text": str, "topic": str, "sentiment": str, "origin": str, "item_id": int, "created_at": str},
        pk="id",
        not_null={"text", "origin"},
        defaults={"origin": "correction"},
    )
    db["training_examples"].create_index(["item_id"])
    db["user_topics"].create(
        {"id": str, "name": str, "description": str, "examples": str, "created_at": str},
        pk="id",
        not_null={"name", "description"},
    )


@migrations()
def m003_inbox(db: Database) -> None:
    """What the desktop inbox filters and sorts on, indexed so a million items stay quick."""
    db["items"].add_column("mentions_me", int, not_null_default=0)
    db.execute(
        "UPDATE items SET mentions_me = 1 WHERE evidence LIKE '%\"kind\":\"handle\"%'"
    )
    for old in ("idx_items_state", "idx_items_topic", "idx_items_relevance"):
        db.execute(f"DROP INDEX IF EXISTS {old}")
    db.executescript(
        """
        CREATE INDEX idx_items_state_created ON items (state, created_at);
        CREATE INDEX idx_items_topic_created ON items (topic, created_at);
        CREATE INDEX idx_items_source_created ON items (source_id, created_at);
        CREATE INDEX idx_items_mentions_created ON items (created_at) WHERE mentions_me = 1;
        CREATE INDEX idx_items_pinned_created ON items (created_at) WHERE pinned = 1;
        CREATE INDEX idx_items_snoozed ON items (snoozed_until) WHERE snoozed_until IS NOT NULL;
        """
    )


@migrations()
def m004_source_notes(db: Database) -> None:
    """A source's last fetch may succeed with something to say (signed out, so search was skipped)."""
    db["sources"].add_column("last_note", str)


@migrations()
def m005_engage_and_act(db: Database) -> None:
    """Reporting issues to councils (Open311), reply snippets and templates, and an append-only audit log.

    The casework timeline stays append-only, with one exception the law requires:
    an event's detail may be replaced by the erasure marker when a resident asks
    to be forgotten.
    """
    for column, kind in (("agency", str), ("open311_service_code", str), ("open311_token", str),
                         ("open311_status", str), ("open311_checked_at", str), ("contact_consent", int)):
        db["issues"].add_column(column, kind)
    db["issues"].create_index(["due_date"])
    db["issues"].create_index(["updated_at"])
    db["drafts"].create_index(["item_id", "status"])
    db["snippets"].create({"id": int, "name": str, "text": str, "created_at": str, "updated_at": str},
                          pk="id", not_null={"name", "text"})
    db["reply_templates"].create({"topic": str, "acknowledge": str, "inform": str, "invite": str, "updated_at": str},
                                 pk="topic")
    db["audit_log"].create(
        {"id": int, "at": str, "action": str, "summary": str, "records": int, "personal_data": int,
         "detail": str, "actor": str},
        pk="id", not_null={"at", "action"}, defaults={"records": 0, "personal_data": 0},
    )
    db["audit_log"].create_index(["at"])
    db.executescript(
        f"""
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
          SELECT RAISE(ABORT, 'the audit log is append-only');
        END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
          SELECT RAISE(ABORT, 'the audit log is append-only');
        END;
        DROP TRIGGER issue_events_no_update;
        CREATE TRIGGER issue_events_no_update BEFORE UPDATE ON issue_events
        WHEN NOT (NEW.detail = '{ERASED_DETAIL}' AND NEW.id IS OLD.id AND NEW.issue_id IS OLD.issue_id
                  AND NEW.at IS OLD.at AND NEW.kind IS OLD.kind AND NEW.actor IS OLD.actor)
        BEGIN
          SELECT RAISE(ABORT, 'issue events are append-only (personal data in them can only be erased)');
        END;
        """
    )


@migrations()
def m006_source_secrets(db: Database) -> None:
    """Whether a source keeps anything in the keyring (never what: that stays in the keyring).

    0 means it never stored a secret, so fetching it needs no keyring at all (a
    public forum on a computer without one). Sources from before this version are
    left unknown (NULL) and treated as if they might.
    """
    db["sources"].add_column("keeps_secrets", int)


@migrations()
def m007_unsure_tags(db: Database) -> None:
    """Whether the model's topic or feeling for an item is below its calibrated threshold (shown as unsure).

    1 only while the label is the model's: a councillor's correction is never unsure.
    """
    db["items"].add_column("topic_unsure", int, not_null_default=0)
    db["items"].add_column("sentiment_unsure", int, not_null_default=0)


@migrations()
def m008_attachments(db: Database) -> None:
    """Files that came with an item (an email's attachments, a pasted photo), kept as they arrived.

    They go with their item: retention, erasure and a deleted item take them too, whatever deletes the item.
    """
    db["attachments"].create(
        {"id": int, "item_id": int, "name": str, "content_type": str, "size": int, "data": bytes, "note": str},
        pk="id", not_null={"item_id", "name"},
    )
    db["attachments"].create_index(["item_id"])
    db.executescript(
        """
        CREATE TRIGGER attachments_follow_items AFTER DELETE ON items BEGIN
          DELETE FROM attachments WHERE item_id = OLD.id;
        END;
        """
    )



@migrations()
def m009_shared_casework(db: Database) -> None:
    """UUIDs for issues and timeline entries, and what sharing casework with colleagues needs (see
    `store.shared_tables`); nothing changes for a laptop that does not share."""
    create_shared_tables(db, ERASED_DETAIL)
