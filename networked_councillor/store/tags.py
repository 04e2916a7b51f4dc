"""Tags, embeddings and what the councillor teaches the tagger."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlite_utils import Database

from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import ConfigError
from networked_councillor.store.items import chunks

# An item's primary topic and sentiment: the councillor's own tag if there is one, else the model's best,
# marked unsure when the model's calibrated confidence is below its threshold.
_USER_TAG = "(SELECT label FROM tags WHERE item_id = items.id AND kind = '{kind}' AND origin = 'user')"
_REFRESH_PRIMARY = (
    "UPDATE items SET "
    f"topic = coalesce({_USER_TAG.format(kind='topic')}, ?), "
    f"topic_unsure = ? AND {_USER_TAG.format(kind='topic')} IS NULL, "
    f"sentiment = coalesce({_USER_TAG.format(kind='sentiment')}, ?), "
    f"sentiment_unsure = ? AND {_USER_TAG.format(kind='sentiment')} IS NULL "
    "WHERE id = ?"
)


def save_model_tags(db: Database, item_ids: Sequence[int], results: Sequence[Any], model_version: str, now: str) -> None:
    """Replace the model's tags on these items; the councillor's own tags always win."""
    for chunk in chunks(list(item_ids)):
        db.execute(f"DELETE FROM tags WHERE origin = 'model' AND item_id IN ({','.join('?' * len(chunk))})", chunk)
    rows = []
    for item_id, result in zip(item_ids, results, strict=True):
        rows += [(item_id, "topic", label, score, model_version, now) for label, score in result.topics]
        if result.sentiment:
            rows.append((item_id, "sentiment", result.sentiment[0], result.sentiment[1], model_version, now))
    db.conn.executemany(
        "INSERT INTO tags (item_id, kind, label, score, origin, model_version, created_at) VALUES (?, ?, ?, ?, 'model', ?, ?)",
        rows,
    )
    db.conn.executemany(_REFRESH_PRIMARY, (
        (r.topics[0][0] if r.topics else None, int(r.topic_unsure),
         r.sentiment[0] if r.sentiment else None, int(r.sentiment_unsure), i)
        for i, r in zip(item_ids, results, strict=True)))


def save_embeddings(db: Database, item_ids: Sequence[int], vectors: Sequence[np.ndarray], model: str) -> None:
    db.conn.executemany(
        "INSERT INTO embeddings (item_id, model, dim, vector) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (item_id) DO UPDATE SET model = excluded.model, dim = excluded.dim, vector = excluded.vector",
        ((i, model, len(v), np.asarray(v, dtype=np.float32).tobytes()) for i, v in zip(item_ids, vectors, strict=True)),
    )


def item_batch(db: Database, model: str, after_id: int, size: int = 512) -> list[tuple[int, str, np.ndarray | None]]:
    """Items after ``after_id`` as (id, text for the model, stored embedding in ``model``'s space or None)."""
    rows = db.execute(
        "SELECT items.id, items.title, items.text, embeddings.vector FROM items "
        "LEFT JOIN embeddings ON embeddings.item_id = items.id AND embeddings.model = ? "
        "WHERE items.id > ? ORDER BY items.id LIMIT ?", [model, after_id, size]).fetchall()
    return [(i, model_text(title, text), np.frombuffer(v, dtype=np.float32) if v else None)
            for i, title, text, v in rows]


def model_text(title: str | None, text: str | None) -> str:
    """The text the model reads for an item: its title and body, as the pipeline passes them."""
    return f"{title}\n{text or ''}" if title else (text or "")


def embeddings_of(db: Database, item_ids: Sequence[int], model: str) -> dict[int, np.ndarray]:
    found = {}
    for chunk in chunks(list(item_ids)):
        marks = ",".join("?" * len(chunk))
        for item_id, vector in db.execute(
                f"SELECT item_id, vector FROM embeddings WHERE model = ? AND item_id IN ({marks})", [model, *chunk]):
            found[item_id] = np.frombuffer(vector, dtype=np.float32)
    return found


def correct(db: Database, item_id: int, kind: str, label: str, now: str) -> Changes:
    """The councillor's correction: it wins over the model now and teaches it at the next retrain."""
    if kind not in ("topic", "sentiment"):
        raise ConfigError(f"Unknown kind of tag {kind!r}.")
    row = db.execute("SELECT title, text FROM items WHERE id = ?", [item_id]).fetchone()
    if row is None:
        raise ConfigError(f"There is no item {item_id}.")
    db.execute("DELETE FROM tags WHERE item_id = ? AND kind = ? AND origin = 'user'", [item_id, kind])
    db.execute("INSERT INTO tags (item_id, kind, label, score, origin, created_at) VALUES (?, ?, ?, 1.0, 'user', ?)",
               [item_id, kind, label, now])
    db.execute(f"UPDATE items SET {kind} = ?, {kind}_unsure = 0 WHERE id = ?", [label, item_id])
    existing = db.execute("SELECT id FROM training_examples WHERE item_id = ? AND origin = 'correction'",
                          [item_id]).fetchone()
    if existing:
        db.execute(f"UPDATE training_examples SET {kind} = ?, created_at = ? WHERE id = ?", [label, now, existing[0]])
    else:
        db["training_examples"].insert({"text": model_text(*row), kind: label, "origin": "correction",
                                        "item_id": item_id, "created_at": now})
    return Changes(items=frozenset([item_id]))


def corrections(db: Database) -> list[dict]:
    return list(db.query("SELECT text, topic, sentiment FROM training_examples WHERE origin = 'correction' ORDER BY id"))


def user_topics(db: Database) -> list[dict]:
    return [{**r, "examples": json.loads(r["examples"] or "[]")} for r in db.query("SELECT * FROM user_topics ORDER BY name")]


def save_user_topic(db: Database, topic_id: str, name: str, description: str, examples: Sequence[str], now: str
                    ) -> Changes:
    db["user_topics"].upsert({"id": topic_id, "name": name, "description": description,
                              "examples": json.dumps(list(examples)), "created_at": now}, pk="id")
    return Changes(topics=True)


def remove_user_topic(db: Database, topic_id: str) -> Changes:
    """Changes nothing when there is no such topic."""
    removed = db.execute("DELETE FROM user_topics WHERE id = ?", [topic_id]).rowcount > 0
    return Changes(topics=removed)
