"""The SQLite store: migrations with backups, WAL, search, errors in plain words."""

import sqlite3

import pytest

from networked_councillor.base.errors import StoreError
from networked_councillor.store import Store
from networked_councillor.store import items as item_store
from networked_councillor.store.schema import migrations


def test_a_new_database_is_migrated_in_wal_mode(tmp_path):
    store = Store(tmp_path / "nc.sqlite")
    with store.read() as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert {"items", "items_fts", "sources", "tags", "embeddings", "ward_profile", "drafts", "issues",
                "issue_items", "issue_events", "settings", "authors", "threads"} <= set(db.table_names())
    assert store.schema_version == len(migrations._migrations)
    assert not (tmp_path / "backups").exists()  # nothing to back up yet
    store.close()


def test_a_new_migration_backs_up_the_database_first(tmp_path, monkeypatch):
    store = Store(tmp_path / "nc.sqlite")
    with store.write() as db:
        db["settings"].insert({"key": "kept", "value": '"yes"'})
    store.close()

    def m999_add_notes(db):
        db["notes"].create({"id": int, "text": str}, pk="id")

    monkeypatch.setattr(migrations, "_migrations", [*migrations._migrations,
                                                    migrations._Migration("m999_add_notes", m999_add_notes)])
    store = Store(tmp_path / "nc.sqlite")
    with store.read() as db:
        assert "notes" in db.table_names()
    backups = list((tmp_path / "backups").glob("nc-*-before-m999_add_notes.sqlite"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("SELECT value FROM settings WHERE key = 'kept'").fetchone() == ('"yes"',)
    assert "notes" not in {r[0] for r in copy.execute("SELECT name FROM sqlite_master")}
    store.close()


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    Store(tmp_path / "nc.sqlite").close()

    def m998_broken(db):
        db["half"].create({"id": int}, pk="id")
        raise RuntimeError("bug in migration")

    monkeypatch.setattr(migrations, "_migrations", [*migrations._migrations,
                                                    migrations._Migration("m998_broken", m998_broken)])
    with pytest.raises(RuntimeError):
        Store(tmp_path / "nc.sqlite")
    monkeypatch.undo()
    store = Store(tmp_path / "nc.sqlite")
    with store.read() as db:
        assert "half" not in db.table_names()
    store.close()


def test_a_damaged_file_gives_a_clear_message_and_is_left_alone(tmp_path):
    path = tmp_path / "nc.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert "damaged" in caught.value.message and "backups" in caught.value.hint
    assert path.read_bytes() == before


def test_a_locked_database_is_reported_plainly(tmp_path):
    path = tmp_path / "nc.sqlite"
    Store(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    store = Store(path, busy_timeout=0.1)
    try:
        with pytest.raises(StoreError, match="busy"):
            with store.write() as db:
                db.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
    finally:
        other.execute("ROLLBACK")
        other.close()
        store.close()


def test_issue_events_are_append_only(store):
    with store.write() as db:
        db["issues"].insert({"reference": "MB-1", "title": "t", "status": "new"})
        db["issue_events"].insert({"issue_id": 1, "at": "2026-11-24T10:00:00+00:00", "kind": "created"})
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with store.write() as db:
            db.execute("UPDATE issue_events SET kind = 'forged'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with store.write() as db:
            db.execute("DELETE FROM issue_events")


def _insert(store, rows):
    with store.write() as db:
        for n, (title, text, relevance) in enumerate(rows):
            db["items"].insert({"source_id": "s", "external_id": str(n), "title": title, "text": text,
                                "relevance": relevance, "created_at": f"2026-11-{10 + n:02d}T10:00:00+00:00"})


def test_search_stems_ranks_and_respects_the_threshold(store):
    _insert(store, [("Potholes everywhere", "Oak Road is full of potholes", 0.9),
                    ("Bin day", "Bins not collected on Mill Lane", 0.8),
                    ("Pothole far away", "A pothole in another town", 0.1)])
    with store.read() as db:
        hits = item_store.search(db, "pothole", min_relevance=0.35)
        assert [h["title"] for h in hits] == ["Potholes everywhere"]
        assert len(item_store.search(db, "pothole")) == 2
        assert [h["title"] for h in item_store.search(db, '"Mill Lane"')] == ["Bin day"]
        assert {h["title"] for h in item_store.search(db, "bin OR potholes", min_relevance=0.5)} == {
            "Potholes everywhere", "Bin day"}
        assert item_store.search(db, "   ") == []


@pytest.mark.parametrize("query", ['"unbalanced', "Oak Road)", "AND", "title:", "NOT", "a*b(c"])
def test_search_never_fails_on_odd_input(store, query):
    _insert(store, [("Oak Road", "unbalanced quotes and brackets", 0.9)])
    with store.read() as db:
        item_store.search(db, query)  # no exception: odd input is searched as plain words


def test_backup_keeps_only_the_newest_few(store):
    for _ in range(7):
        store.backup()
    assert len(list(store.backup_dir.glob("*.sqlite"))) == 5


def test_a_write_takes_the_write_lock_at_once_so_a_second_writer_waits_its_turn(tmp_path):
    """Another process must not slip a commit in between this write's first read and its first change: SQLite
    would then refuse the change at once ("database is busy") instead of waiting."""
    path = tmp_path / "nc.sqlite"
    store = Store(path)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)  # another process, not willing to wait
    try:
        with store.write() as db:
            db.execute("SELECT count(*) FROM settings").fetchone()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("INSERT INTO settings (key, value) VALUES ('other', '1')")
            db["settings"].insert({"key": "mine", "value": "1"})
        other.execute("INSERT INTO settings (key, value) VALUES ('other', '1')")  # its turn came
        with store.read() as db:
            assert {r[0] for r in db.execute("SELECT key FROM settings")} >= {"mine", "other"}
    finally:
        other.close()
        store.close()


def test_a_write_inside_a_write_is_part_of_it(store):
    with pytest.raises(RuntimeError):
        with store.write() as db:
            db["settings"].insert({"key": "outer", "value": "1"})
            with store.write() as inner:
                inner["settings"].insert({"key": "inner", "value": "1"})
            raise RuntimeError("the outer write fails")
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM settings WHERE key IN ('outer', 'inner')").fetchone()[0] == 0
