"""Counts for the dashboard, over a window of days (UTC)."""

from __future__ import annotations

from sqlite_utils import Database

# Items the model is unsure of are counted apart, under 'unsure', never as a confident label.
_TOPIC = "CASE WHEN topic_unsure THEN 'unsure' ELSE coalesce(topic, 'other') END"
_FEELING = "CASE WHEN sentiment_unsure THEN 'unsure' ELSE coalesce(sentiment, 'neutral') END"


def topic_per_day(db: Database, since: str, min_relevance: float) -> list[tuple[str, str, int]]:
    return db.execute(
        f"SELECT substr(created_at, 1, 10) AS day, {_TOPIC}, count(*) FROM items "
        "WHERE created_at >= ? AND relevance >= ? GROUP BY 1, 2 ORDER BY day", [since, min_relevance]).fetchall()


def sentiment_by_topic(db: Database, since: str, min_relevance: float) -> list[tuple[str, str, int]]:
    return db.execute(
        f"SELECT {_TOPIC}, {_FEELING}, count(*) FROM items "
        "WHERE created_at >= ? AND relevance >= ? GROUP BY 1, 2", [since, min_relevance]).fetchall()


def volume_by_source(db: Database, since: str, min_relevance: float) -> list[tuple[str, str, int]]:
    return db.execute(
        "SELECT items.source_id, coalesce(sources.name, items.source_id), count(*) FROM items "
        "LEFT JOIN sources ON sources.id = items.source_id WHERE items.created_at >= ? AND items.relevance >= ? "
        "GROUP BY items.source_id ORDER BY 3 DESC", [since, min_relevance]).fetchall()


def topic_counts(db: Database, since: str, until: str, min_relevance: float) -> dict[str, int]:
    return dict(db.execute(
        "SELECT coalesce(topic, 'other'), count(*) FROM items WHERE created_at >= ? AND created_at < ? "
        "AND relevance >= ? GROUP BY 1", [since, until, min_relevance]).fetchall())
