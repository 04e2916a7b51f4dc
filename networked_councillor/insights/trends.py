"""The emerging-issue signal: which topics are rising this week against the four before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlite_utils import Database

from networked_councillor.store import stats


@dataclass(frozen=True, slots=True)
class Rising:
    topic: str
    this_week: int
    weekly_before: float  # the average week of the previous four
    ratio: float
    """Smoothed, for ranking only: ((this week + 1) / (usual week + 1)). What people read is `change`."""

    @property
    def change(self) -> str:
        """How the last week compares with the usual one, as the dashboard and the ward report both say it.

        Below one post in a usual week a ratio runs wild (nine posts against a quarter of one is
        "36 times"), so that case is said as it is.
        """
        if self.weekly_before < 1:
            return "up from almost none"
        return f"{self.this_week / self.weekly_before:.1f} × usual"


def end_of(day: date) -> datetime:
    """The moment ``day`` ends (UTC): rising topics are counted over whole days, so the dashboard and a ward
    report ending the same day give the same figures."""
    return datetime.combine(day + timedelta(days=1), time(), timezone.utc)


def rising_topics(db: Database, now: datetime, min_relevance: float, *, top: int = 5, minimum: int = 3) -> list[Rising]:
    """Topics with at least ``minimum`` items this week, ranked by how far they exceed their usual week.

    The ratio is smoothed ((this + 1) / (usual + 1)) so a topic going from nothing to two posts
    does not outrank one going from ten to forty.
    """
    week_ago, five_weeks_ago = now - timedelta(days=7), now - timedelta(days=35)
    this = stats.topic_counts(db, week_ago.isoformat(timespec="seconds"), now.isoformat(timespec="seconds"),
                              min_relevance)
    before = stats.topic_counts(db, five_weeks_ago.isoformat(timespec="seconds"),
                                week_ago.isoformat(timespec="seconds"), min_relevance)
    found = []
    for topic, count in this.items():
        usual = before.get(topic, 0) / 4
        if count >= minimum:
            found.append(Rising(topic, count, usual, (count + 1) / (usual + 1)))
    found.sort(key=lambda r: (-r.ratio, -r.this_week))
    return [r for r in found if r.ratio > 1.0][:top]
