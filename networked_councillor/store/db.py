"""Opening the database: WAL, migrations with backups, one writer.

SQLite allows many readers but one writer; RSS readers and Anki both learned
that several writers give "database is locked" and lost flags. So all access
from this process goes through one connection guarded by one lock, and every
write is a single transaction: a crash or a kill mid-write leaves the file as
it was before that write.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from networked_councillor.base import clock
from networked_councillor.base.errors import StoreError
from networked_councillor.store.schema import migrations

log = logging.getLogger(__name__)

KEEP_BACKUPS = 5


class Store:
    """The app's database. Use `read()` and `write()`; never hold the connection."""

    def __init__(self, path: Path, *, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.backup_dir = self.path.parent / "backups"
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=busy_timeout)
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise _open_error(self.path, exc) from exc
        except OSError as exc:
            raise StoreError(f"Could not create the data folder {self.path.parent} ({exc.strerror}).") from exc
        if mode.lower() != "wal":
            log.warning("database %s is in %s mode, not WAL", self.path, mode)
        self.db = Database(conn)
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _open_error(self.path, exc) from exc

    @property
    def schema_version(self) -> int:
        return len(migrations.applied(self.db))

    def _migrate(self) -> None:
        pending = migrations.pending(self.db)
        if not pending:
            return
        existing = bool(self.db.table_names())  # a brand-new file has nothing worth backing up
        for i, migration in enumerate(pending):
            if existing:
                self.backup(reason=f"before-{migration.name}")
            log.info("applying migration %s", migration.name)
            following = pending[i + 1].name if i + 1 < len(pending) else None
            migrations.apply(self.db, stop_before=following)

    def backup(self, reason: str = "manual") -> Path:
        """Copy the whole database (consistently, even mid-WAL) into ``backups/``."""
        self.backup_dir.mkdir(parents=True, exist_ok=True)
        stamp = clock.utcnow().strftime("%Y%m%dT%H%M%S%fZ")
        target = self.backup_dir / f"{self.path.stem}-{stamp}-{reason}.sqlite"
        with self._lock:
            dest = sqlite3.connect(target)
            try:
                self.db.conn.backup(dest)
            finally:
                dest.close()
        for old in sorted(self.backup_dir.glob(f"{self.path.stem}-*.sqlite"))[:-KEEP_BACKUPS]:
            old.unlink(missing_ok=True)
        log.info("database backed up to %s", target)
        return target

    @contextmanager
    def read(self) -> Iterator[Database]:
        with self._lock:
            yield self.db

    @contextmanager
    def write(self) -> Iterator[Database]:
        """One transaction: everything inside commits together or not at all.

        It starts with ``BEGIN IMMEDIATE``, taking the database's write lock at
        once (waiting up to the busy timeout while another process writes). A
        deferred transaction would take it only at its first write, and if
        another process had committed since its first read, SQLite fails that
        upgrade at once with "database is busy", without waiting. A write
        inside another write is a savepoint of it.
        """
        with self._lock:
            try:
                if self.db.conn.in_transaction:
                    with self.db.atomic():
                        yield self.db
                else:
                    yield from self._transaction()
            except sqlite3.DatabaseError as exc:
                explained = _explain(self.path, exc)
                if explained is None:
                    raise
                raise explained from exc

    def _transaction(self) -> Iterator[Database]:
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()


def _open_error(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    return _explain(path, exc) or StoreError(f"The database {path} could not be opened ({exc}).")


def _explain(path: Path, exc: sqlite3.DatabaseError) -> StoreError | None:
    """A plain-words error for the failures a user can act on; None for programming errors."""
    text = str(exc)
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(
            f"The database file {path} is damaged or is not a Networked Councillor database.",
            hint=f"Nothing was changed. Move it aside (recent backups are in {path.parent / 'backups'}) and start again.",
        )
    if "locked" in text or "busy" in text:
        return StoreError(
            "The database is busy: another copy of the app may be using it.",
            hint="Close other copies of Networked Councillor and try again.",
        )
    if "disk is full" in text or "disk I/O" in text or "readonly" in text:
        return StoreError(f"The app could not write to {path} ({text}).",
                          hint="Check there is free disk space and that the folder is writable.")
    return None
