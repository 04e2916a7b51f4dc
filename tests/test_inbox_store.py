"""The inbox queries, trends, alerts, retention and similar posts, on a real SQLite file."""

from datetime import timedelta

import numpy as np
import pytest

from networked_councillor.base import clock
from networked_councillor.casework.issues import NewIssue, create_issue
from networked_councillor.casework.retention import purge_older_than
from networked_councillor.insights.alerts import mentions_since, spikes
from networked_councillor.insights.trends import rising_topics
from networked_councillor.store import inbox
from networked_councillor.store import tags as tag_store
from networked_councillor.store.inbox import InboxFilter
from networked_councillor.tagger.similar import similar_items

NOW = clock.utcnow().replace(microsecond=0)


def iso(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat(timespec="seconds")


def fill(store, rows):
    """rows: dicts of item columns; returns their ids."""
    with store.write() as db:
        for n, row in enumerate(rows):
            db["items"].insert({"source_id": row.pop("source_id", "s"), "external_id": str(n), "relevance": 0.9,
                                "first_seen_at": row.get("created_at", iso(0)), **row})
        return [r[0] for r in db.execute("SELECT id FROM items ORDER BY id")]


def all_pages(store, f, limit=7):
    seen, cursor = [], None
    with store.read() as db:
        while True:
            page = inbox.page(db, f, clock.now_iso(), cursor, limit=limit)
            seen += [item_id for item_id, _ in page]
            if len(page) < limit:
                return seen
            cursor = inbox.next_cursor(f, page[-1])


def test_keyset_paging_returns_every_item_once_newest_first(store):
    ids = fill(store, [{"text": f"post {n}", "created_at": iso(n % 10)} for n in range(50)])  # many share a time
    shown = all_pages(store, InboxFilter(view="all"))
    assert sorted(shown) == ids and len(shown) == len(set(shown))
    with store.read() as db:
        times = [db.execute("SELECT created_at FROM items WHERE id = ?", [i]).fetchone()[0] for i in shown]
    assert times == sorted(times, reverse=True)


def test_search_pages_and_counts(store):
    fill(store, [{"text": f"pothole number {n}" if n % 2 else f"bins {n}", "created_at": iso(n)} for n in range(40)])
    f = InboxFilter(view="all", query="potholes")
    assert len(all_pages(store, f)) == 20
    with store.read() as db:
        assert inbox.count(db, f, clock.now_iso()) == 20
        assert inbox.count(db, InboxFilter(view="all", query='"unbalanced'), clock.now_iso()) == 0


def test_views_states_snooze_and_pins(store):
    ids = fill(store, [{"text": f"t{n}", "created_at": iso(n)} for n in range(6)])
    with store.write() as db:
        inbox.set_state(db, ids[:2], "done")
        inbox.set_state(db, [ids[2]], "needs_reply")
        inbox.snooze(db, [ids[3]], iso(-1))  # until tomorrow
        inbox.set_pinned(db, [ids[4]], True)
        db.execute("UPDATE items SET mentions_me = 1 WHERE id = ?", [ids[5]])
    view = lambda v: set(all_pages(store, InboxFilter(view=v)))  # noqa: E731
    assert view("inbox") == {ids[2], ids[4], ids[5]}
    assert view("done") == set(ids[:2])
    assert view("needs_reply") == {ids[2]}
    assert view("snoozed") == {ids[3]}
    assert view("pinned") == {ids[4]}
    assert view("mentions") == {ids[5]}
    with store.write() as db:
        inbox.snooze(db, [ids[3]], iso(1))  # the snooze has run out
    assert ids[3] in view("inbox")
    with pytest.raises(Exception, match="Unknown state"):
        with store.write() as db:
            inbox.set_state(db, ids, "archived")


def test_filters_combine(store):
    fill(store, [
        {"text": "a", "topic": "parking", "sentiment": "negative", "created_at": iso(1)},
        {"text": "b", "topic": "parking", "sentiment": "positive", "created_at": iso(2)},
        {"text": "c", "topic": "noise", "sentiment": "negative", "created_at": iso(40)},
        {"text": "d", "topic": "parking", "sentiment": "negative", "created_at": iso(3), "relevance": 0.1},
    ])
    f = InboxFilter(view="all", topic="parking", sentiment="negative", min_relevance=0.35)
    assert len(all_pages(store, f)) == 1
    assert len(all_pages(store, InboxFilter(view="all", since=iso(30)))) == 3
    assert len(all_pages(store, InboxFilter(view="all", until=iso(30)))) == 1


def test_rows_carry_topics_with_the_councillors_first(store):
    (item_id,) = fill(store, [{"text": "x", "topic": "parking"}])
    with store.write() as db:
        db["tags"].insert_all([{"item_id": item_id, "kind": "topic", "label": "parking", "score": 0.6, "origin": "model"},
                               {"item_id": item_id, "kind": "topic", "label": "noise", "score": 0.3, "origin": "model"}])
        tag_store.correct(db, item_id, "topic", "traffic_transport", clock.now_iso())
        row = inbox.rows(db, [item_id])[item_id]
    assert row["topics"][0] == "traffic_transport" and set(row["topics"]) == {"traffic_transport", "parking", "noise"}


def test_rising_topics_and_spikes(store):
    rows = [{"text": "old", "topic": "parking", "created_at": iso(10 + n % 20)} for n in range(8)]
    rows += [{"text": "new", "topic": "traffic_transport", "created_at": iso(0.1 + n / 24)} for n in range(12)]
    rows += [{"text": "steady", "topic": "bins_recycling", "created_at": iso(n)} for n in range(35)]
    fill(store, rows)
    with store.read() as db:
        rising = rising_topics(db, NOW, 0.0)
        assert rising[0].topic == "traffic_transport" and rising[0].this_week == 12
        assert "bins_recycling" not in [r.topic for r in rising[:1]]
        alerts = spikes(db, NOW, 0.0)
    assert [a.topic for a in alerts] == ["traffic_transport"]


def test_mention_alerts(store):
    fill(store, [{"text": "@me hello", "mentions_me": 1, "created_at": iso(0)}])
    with store.read() as db:
        assert mentions_since(db, iso(1))[0].kind == "mention"
        assert mentions_since(db, iso(-1)) == []


def test_retention_keeps_casework_pins_and_corrections(store):
    ids = fill(store, [{"text": f"old {n}", "created_at": iso(100)} for n in range(5)] +
               [{"text": "recent", "created_at": iso(1)}])
    with store.write() as db:
        db.execute("UPDATE items SET first_seen_at = created_at")
        create_issue(db, NewIssue("Pothole", item_ids=[ids[0]]), clock.now_iso())
        inbox.set_pinned(db, [ids[1]], True)
        tag_store.correct(db, ids[2], "topic", "noise", clock.now_iso())
        removed = purge_older_than(db, 30, NOW)
        left = {r[0] for r in db.execute("SELECT id FROM items")}
    assert removed == 2 and left == {ids[0], ids[1], ids[2], ids[5]}


def test_similar_items_by_stored_embedding(store):
    ids = fill(store, [{"text": str(n)} for n in range(5)])
    vectors = np.eye(5, 8, dtype=np.float32)
    vectors[3] = vectors[0] * 0.9 + vectors[1] * 0.1
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with store.write() as db:
        tag_store.save_embeddings(db, ids, list(vectors), "m")
    found = similar_items(store, ids[0], k=2)
    assert [i for i, _ in found] == [ids[3], ids[1]] and found[0][1] > 0.9
    assert similar_items(store, 999) == []
