"""Data retention: raw posts older than N days are purged; casework and the councillor's own work are kept."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from networked_councillor.store.items import delete_unworked


def purge_older_than(db: Database, days: int, now: datetime) -> int:
    """Delete items first seen more than ``days`` ago, unless casework, drafts, pins or corrections need them."""
    cutoff = (now - timedelta(days=days)).isoformat(timespec="seconds")
    return delete_unworked(db, "items.first_seen_at < ?", [cutoff])
