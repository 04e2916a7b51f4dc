"""Data retention: old posts are purged, and residents' contact details some time after their issue closes.

The councillor's own work is kept: posts linked to casework, pinned, corrected or with an open draft stay, and
issues are never deleted (on a closed issue only the contact details are cleared, and its timeline says so).
Settings: "retention.days" (posts; 0 keeps everything) and "retention.contact_days" (contact details on closed
issues; 0 keeps them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, astuple, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from networked_councillor.base.changes import NOTHING, Changes
from networked_councillor.base.errors import ConfigError
from networked_councillor.casework import audit
from networked_councillor.casework.issues import DONE, update_issue
from networked_councillor.store import settings as settings_store
from networked_councillor.store.items import chunks, delete_unworked

DAYS_SETTING = "retention.days"
CONTACT_DAYS_SETTING = "retention.contact_days"


@dataclass(frozen=True)
class RetentionSettings:
    days: int = 0
    """Posts first seen longer ago than this are deleted, with posted and discarded drafts; 0 keeps everything."""
    contact_days: int = 0
    """Residents' contact details are cleared this long after their issue closed; 0 keeps them."""

    @classmethod
    def load(cls, db: Database) -> RetentionSettings:
        return cls(
            _whole_days(settings_store.get_setting(db, DAYS_SETTING, 0), "how long posts are kept"),
            _whole_days(settings_store.get_setting(db, CONTACT_DAYS_SETTING, 0),
                        "how long residents' contact details are kept after an issue closes"))


@dataclass(frozen=True)
class RetentionReport:
    """How many rows one retention run removed (contact details: how many issues lost theirs)."""

    items: int = 0
    drafts: int = 0
    authors: int = 0
    threads: int = 0
    contacts_cleared: int = 0

    @property
    def total(self) -> int:
        return sum(astuple(self))

    @property
    def changes(self) -> Changes:
        return Changes(inbox=bool(self.items), issues=bool(self.contacts_cleared)) if self.total else NOTHING

    def summary(self) -> str:
        removed = [_count(n, noun) for n, noun in ((self.items, "old post"), (self.drafts, "old draft reply"),
                                                   (self.authors, "unused author record"),
                                                   (self.threads, "unused conversation record")) if n]
        parts = [f"deleted {', '.join(removed)}"] if removed else []
        if self.contacts_cleared:
            parts.append(f"cleared the contact details on {_count(self.contacts_cleared, 'closed issue')}")
        return ("Retention: " + "; ".join(parts) + ".") if parts else "Retention: nothing was old enough to remove."


def purge_older_than(db: Database, days: int, now: datetime) -> int:
    """Delete items first seen more than ``days`` ago, unless casework, drafts, pins or corrections need them."""
    return delete_unworked(db, "items.first_seen_at < ?", [_cutoff(now, days)])


def apply_retention(db: Database, settings: RetentionSettings, now: datetime) -> RetentionReport:
    """Apply the retention settings in one transaction, and note in the audit log what was removed.

    Discarded drafts go whatever their age, posted ones after ``days`` (the reply is on the platform anyway);
    drafts go first, so a post kept only for an old posted reply is purged in the same run.
    """
    with secure_delete(db), db.atomic():
        drafts = items = authors = threads = contacts = 0
        if settings.days > 0:
            drafts = db.execute(
                "DELETE FROM drafts WHERE status = 'discarded' OR "
                "(status = 'posted' AND coalesce(updated_at, created_at) < ?)", [_cutoff(now, settings.days)]).rowcount
            items = purge_older_than(db, settings.days, now)
        if items:
            authors = remove_unreferenced(db, "authors", "author_id")
            threads = remove_unreferenced(db, "threads", "thread_id")
        if settings.contact_days > 0:
            contacts = _clear_old_contacts(db, _cutoff(now, settings.contact_days), _stamp(now))
        report = RetentionReport(items, drafts, authors, threads, contacts)
        if report.total:
            audit.record(db, "purge", report.summary(), _stamp(now), records=report.total, personal_data=True,
                         detail=asdict(report))
    return report


def remove_unreferenced(db: Database, table: str, column: str, among: Iterable[int] | None = None) -> int:
    """Delete ``authors`` or ``threads`` rows no item points to (by ``column``), optionally only ``among`` these ids.

    A name or a conversation title with no post left is personal data kept for nothing.
    """
    sql = f"DELETE FROM {table} WHERE id NOT IN (SELECT {column} FROM items WHERE {column} IS NOT NULL)"
    if among is None:
        return db.execute(sql).rowcount
    return sum(db.execute(f"{sql} AND id IN ({', '.join('?' * len(chunk))})", chunk).rowcount
               for chunk in chunks(sorted(among)))


@contextmanager
def secure_delete(db: Database) -> Iterator[None]:
    """Inside, SQLite overwrites what it deletes with zeros rather than leaving it in the file's free space.

    Not every fragment: rebalanced pages can keep stale bytes, so an erasure also rewrites the file (VACUUM).
    """
    before = int(db.execute("PRAGMA secure_delete").fetchone()[0])
    db.execute("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        db.execute(f"PRAGMA secure_delete = {before}")


def _clear_old_contacts(db: Database, cutoff: str, now: str) -> int:
    marks = ", ".join("?" * len(DONE))
    ids = [row[0] for row in db.execute(
        f"SELECT id FROM issues WHERE contact IS NOT NULL AND status IN ({marks}) AND closed_at < ? ORDER BY id",
        [*DONE, cutoff])]
    for issue_id in ids:  # through casework, so each timeline says "Resident's contact details removed"
        update_issue(db, issue_id, {"contact": None}, now, actor="retention")
    return len(ids)


def _whole_days(value: Any, what: str) -> int:
    try:
        days = int(str(value).strip())
    except ValueError:
        days = -1
    if days < 0:
        raise ConfigError(f"The setting for {what} should be a whole number of days (0 keeps everything), "
                          f"not {value!r}.", hint="Set it again in File > Settings > Data. Nothing was deleted.")
    return days


def _cutoff(now: datetime, days: int) -> str:
    return _stamp(now - timedelta(days=days))


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
