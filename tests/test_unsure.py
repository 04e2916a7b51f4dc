"""Labels the model is not sure of are shown as unsure, counted apart, and never as a confident wrong label."""

import numpy as np
import pytest

from networked_councillor.base import clock, paths
from networked_councillor.store import inbox, stats
from networked_councillor.store import tags as tag_store
from networked_councillor.store.inbox import UNSURE, InboxFilter
from networked_councillor.tagger.calibration import expected_calibration_error, fit_temperature, softmax
from networked_councillor.tagger.heads import LinearHead
from networked_councillor.tagger.model import Heads
from networked_councillor.tagger.result import TagResult


def test_the_shipped_heads_carry_a_fitted_temperature_and_threshold_and_apply_them():
    heads = Heads.load(paths.models_dir())
    calibration = heads.meta["calibration_figures"]
    for kind in ("topic", "sentiment"):
        head = getattr(heads, kind)
        assert head.temperature == pytest.approx(calibration[kind]["temperature"], abs=1e-3)
        assert head.temperature != 1.0 and 0 < head.unsure_below < 1
        assert head.unsure_below == pytest.approx(calibration[kind]["unsure_below"], abs=1e-4)
        assert calibration[kind]["ece_after"] < calibration[kind]["ece_before"]
    vectors = np.random.default_rng(1).normal(size=(4, 384)).astype(np.float32)
    texts = ["bins missed again", "lovely day", "meeting on Tuesday", "awful"]
    logits = heads.sentiment.logits(vectors, texts)
    assert np.allclose(heads.sentiment.probabilities(vectors, texts), softmax(logits / heads.sentiment.temperature))


def test_temperature_scaling_fixes_an_overconfident_head():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 3000)
    logits = rng.normal(size=(3000, 3))
    logits[np.arange(3000), truth] += 1.0
    overconfident = logits * 4  # right about 60% of the time, sure about 95% of the time
    before = expected_calibration_error(softmax(overconfident), truth)
    temperature = fit_temperature(overconfident, truth)
    assert temperature == pytest.approx(4, rel=0.15)
    assert expected_calibration_error(softmax(overconfident / temperature), truth) < before / 4


def test_a_head_below_its_threshold_marks_the_label_unsure(tmp_path):
    from networked_councillor.tagger.model import LocalTagger

    class Flat:
        name, variant, dim = "flat", "int8", 2

        def embed(self, texts):
            return np.array([[1.0, 0.0] if "clear" in t else [0.1, 0.9] for t in texts], dtype=np.float32)

    def head(labels, unsure_below):
        weights = np.zeros((len(labels), 2), np.float32)
        weights[0] = [6.0, 0.0]
        return LinearHead(list(labels), weights, np.zeros(len(labels), np.float32), np.zeros(2, np.float32),
                          np.ones(2, np.float32), unsure_below=unsure_below)

    shipped = Heads.load(paths.models_dir())
    heads = Heads(head(shipped.topic.labels, 0.5), head(["negative", "neutral", "positive"], 0.5),
                  shipped.calibration, "flat")
    clear, muddled = LocalTagger(Flat(), heads).tag(["clear case", "muddled case"])
    assert not clear.topic_unsure and not clear.sentiment_unsure
    assert muddled.topic_unsure and muddled.sentiment_unsure
    assert muddled.sentiment[0] == "negative"  # the best guess is kept, for the detail pane to offer


def store_two_items(store):
    now = clock.now_iso()
    with store.write() as db:
        for n in range(2):
            db["items"].insert({"source_id": "s", "external_id": str(n), "text": f"post {n}", "relevance": 0.9,
                                "created_at": now, "first_seen_at": now})
        ids = [r[0] for r in db.execute("SELECT id FROM items ORDER BY id")]
        tag_store.save_model_tags(db, ids, [
            TagResult([("parking", 0.9)], ("negative", 0.9)),
            TagResult([("parking", 0.2), ("noise", 0.18)], ("negative", 0.4), topic_unsure=True,
                      sentiment_unsure=True)], "v1", now)
    return ids


def test_unsure_items_are_counted_apart_and_filtered_apart(store):
    sure, unsure = store_two_items(store)
    now = clock.now_iso()
    with store.read() as db:
        assert sorted(stats.sentiment_by_topic(db, "2000", 0.0)) == [("parking", "negative", 1),
                                                                      ("unsure", "unsure", 1)]
        assert [t for _, t, _ in stats.topic_per_day(db, "2000", 0.0)] == ["parking", "unsure"]
        shown = {name: [i for i, _ in inbox.page(db, f, now)] for name, f in (
            ("negative", InboxFilter(view="all", sentiment="negative")),
            ("unsure feeling", InboxFilter(view="all", sentiment=UNSURE)),
            ("parking", InboxFilter(view="all", topic="parking")),
            ("unsure topic", InboxFilter(view="all", topic=UNSURE)))}
    assert shown == {"negative": [sure], "unsure feeling": [unsure], "parking": [sure], "unsure topic": [unsure]}


def test_a_correction_is_never_unsure_and_survives_a_retag(store):
    _, unsure = store_two_items(store)
    with store.write() as db:
        tag_store.correct(db, unsure, "sentiment", "neutral", clock.now_iso())
        row = db.execute("SELECT sentiment, sentiment_unsure, topic_unsure FROM items WHERE id = ?", [unsure]).fetchone()
        assert tuple(row) == ("neutral", 0, 1)
        tag_store.save_model_tags(db, [unsure], [TagResult([("parking", 0.2)], ("negative", 0.4), topic_unsure=True,
                                                            sentiment_unsure=True)], "v2", clock.now_iso())
        row = db.execute("SELECT sentiment, sentiment_unsure FROM items WHERE id = ?", [unsure]).fetchone()
        assert tuple(row) == ("neutral", 0)


def test_the_window_shows_unsure_in_the_inbox_the_detail_pane_and_the_dashboard(window, qtbot):
    from networked_councillor.ui.itemmodels.inbox import FEELING, TOPICS

    with window.app.store.read() as db:
        shown_at = window.ward.effective_threshold
        unsure = {r[0] for r in db.execute("SELECT id FROM items WHERE sentiment_unsure = 1 AND relevance >= ?",
                                           [shown_at])}
        topic_unsure = {r[0] for r in db.execute("SELECT id FROM items WHERE topic_unsure = 1 AND relevance >= ?",
                                                 [shown_at])}
    assert unsure and topic_unsure, "the demo ward has posts the shipped model is unsure of"
    model = window.inbox
    feelings = {model.item_id(r): model.index(r, FEELING).data() for r in range(model.rowCount())}
    topics = {model.item_id(r): model.index(r, TOPICS).data() for r in range(model.rowCount())}
    assert all(feelings[i] == "Unsure" for i in unsure if i in feelings)
    assert all(topics[i].startswith("Unsure: ") for i in topic_unsure if i in topics)

    item_id = next(iter(unsure))
    window.show_detail(item_id)
    detail = window.detail
    assert detail.feeling_doubt.isVisibleTo(detail) and detail.feeling_doubt.text() == "unsure:"
    assert detail.feeling_doubt.accessibleDescription().startswith("The model is unsure; perhaps ")
    assert not any(button.isChecked() for button in detail.feeling.buttons())
    assert sum(button.text().endswith("?") for button in detail.feeling.buttons()) == 1  # its best guess

    window.dashboard_action.trigger()
    qtbot.waitExposed(window.dashboard)
    bars = {b.label(): b for b in window.dashboard.views["sentiment"].chart().series()[0].barSets()}
    assert "Unsure" in bars and sum(bars["Unsure"].at(n) for n in range(bars["Unsure"].count())) > 0
    column = next(n for n in range(bars["Unsure"].count()) if bars["Unsure"].at(n))
    bars["Unsure"].clicked.emit(column)
    assert window.inbox.filter.sentiment == UNSURE
    shown = {model.item_id(r) for r in range(model.rowCount())}
    assert shown and shown <= unsure
