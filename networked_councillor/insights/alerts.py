"""What deserves a desktop notification: new mentions of the councillor, and topics spiking today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from networked_councillor.base import clock
from networked_councillor.base.changes import NOTHING, Done
from networked_councillor.store import settings as settings_store
from networked_councillor.store import stats


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # "mention" or "spike"
    title: str
    message: str
    topic: str | None = None


def mentions_since(db: Database, since: str) -> list[Alert]:
    rows = db.execute(
        "SELECT items.id, coalesce(authors.display_name, authors.handle, ''), substr(coalesce(items.title, items.text), 1, 120) "
        "FROM items LEFT JOIN authors ON authors.id = items.author_id "
        "WHERE items.mentions_me = 1 AND items.first_seen_at > ? ORDER BY items.created_at DESC LIMIT 20",
        [since]).fetchall()
    if not rows:
        return []
    if len(rows) == 1:
        _, who, text = rows[0]
        return [Alert("mention", f"{who or 'Someone'} mentioned you", text)]
    return [Alert("mention", f"{len(rows)} new posts mention you", rows[0][2])]


def spikes(db: Database, now: datetime, min_relevance: float, *, factor: float = 3.0, minimum: int = 5) -> list[Alert]:
    """Topics with at least ``minimum`` items in the last day and ``factor`` times their usual day."""
    day_ago = now - timedelta(days=1)
    today = stats.topic_counts(db, day_ago.isoformat(timespec="seconds"), now.isoformat(timespec="seconds"),
                               min_relevance)
    before = stats.topic_counts(db, (day_ago - timedelta(days=28)).isoformat(timespec="seconds"),
                                day_ago.isoformat(timespec="seconds"), min_relevance)
    found = []
    for topic, count in today.items():
        usual = before.get(topic, 0) / 28
        if count >= minimum and count >= factor * (usual + 1):
            found.append(Alert("spike", f"{topic.replace('_', ' ').capitalize()} is busy today",
                               f"{count} items in the last day; usually about {usual:.0f}.", topic))
    return found


def check_alerts(db: Database, min_relevance: float) -> Done:
    """What the councillor asked to be told about since the last check (after each fetch); the check is noted.

    An operation that changes nothing any view shows: its value is the alerts.
    """
    since = settings_store.get_setting(db, "notify.checked_at", clock.now_iso())
    alerts = []
    if settings_store.get_setting(db, "notify.mentions", False):
        alerts += mentions_since(db, since)
    if settings_store.get_setting(db, "notify.spikes", False):
        alerts += spikes(db, clock.utcnow(), min_relevance)
    settings_store.set_setting(db, "notify.checked_at", clock.now_iso())
    return Done(alerts, NOTHING)
