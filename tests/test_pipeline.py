"""The ingest pipeline: real feeds over loopback into a real SQLite file."""

import json
import threading

import pytest
from helpers import add_source, item_rows, pipeline, registry_with, setup_ward
from localserver import Reply

from networked_councillor.base.errors import SourceError, TaggerError
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.plugin_api.source import API_VERSION, RawItem
from networked_councillor.tagger.result import TagResult

RSS = "application/rss+xml"


def rss(*items: tuple[str, str, str]) -> bytes:
    """A small RSS feed from (guid, title, description) triples."""
    body = "".join(
        f"<item><guid>{g}</guid><title>{t}</title><description>{d}</description>"
        f"<pubDate>Tue, 24 Nov 2026 10:00:00 +0000</pubDate></item>"
        for g, t, d in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode()


GOOD = rss(("g1", "Pothole on Oak Road", "A deep pothole outside number 4."),
           ("g2", "Summit Road resurfacing", "Works next week in Hilltop."))


@pytest.fixture
def ward_store(store):
    setup_ward(store)
    return store


def test_fetch_stores_items_with_relevance_evidence(server, ward_store):
    add_source(ward_store, "Gazette", server.route("/feed", Reply(GOOD, headers={"Content-Type": RSS})))
    report = pipeline(ward_store).fetch()
    assert report.ok and report.new == 2
    oak, summit = item_rows(ward_store)
    assert oak["relevance"] >= 0.35 and json.loads(oak["evidence"]) == [{"kind": "street", "term": "Oak Road"}]
    assert summit["relevance"] == 0 and summit["evidence"] is None


def test_every_kind_of_failure_is_reported_per_source_and_loses_nothing(server, ward_store, fixtures, shared_fixtures):
    good = server.route("/good", Reply(GOOD))
    fms = server.route("/fms", Reply((fixtures / "feeds" / "fixmystreet_ward.xml").read_bytes()))
    broken = {
        "Gone": server.route("/gone", Reply(b"", status=404)),
        "Busy": server.route("/busy", Reply(status=429, headers={"Retry-After": "3600"})),
        "Broken server": server.route("/error", Reply(status=500)),
        "Cut off": server.route("/cut", Reply(GOOD * 20, truncate=True)),
        "Huge": server.route("/huge", Reply(b"<rss>" + b"x" * (25 * 1024 * 1024) + b"</rss>")),
        "Bomb": server.route("/bomb", Reply(b"\0" * (100 * 1024 * 1024), gzip=True)),
        "Not XML": server.route("/bad", Reply((shared_fixtures / "feedparser" / "illformed__aaa_illformed.xml").read_bytes())),
    }
    add_source(ward_store, "Gazette", good)
    add_source(ward_store, "FixMyStreet", fms)
    ids = {name: add_source(ward_store, name, url) for name, url in broken.items()}
    # First run: the broken sources are still healthy and bring items of their own.
    for name, url in broken.items():
        path = url.rsplit("/", 1)[1]
        server.routes[f"/{path}"].insert(0, Reply(rss((f"{path}-1", f"From {name}", "An item on Mill Lane."))))
    first = pipeline(ward_store).fetch()
    assert first.ok, [o.summary() for o in first.outcomes]
    stored = len(item_rows(ward_store))
    assert stored == 2 + 3 + len(broken)

    def slow_http():
        from networked_councillor.plugin_api.http import HttpClient
        return HttpClient(timeout=1, retries=1, sleep=lambda s, c: None)

    report = pipeline(ward_store, http_factory=slow_http).fetch()
    outcomes = {o.name: o for o in report.outcomes}
    assert outcomes["Gazette"].ok and outcomes["FixMyStreet"].ok
    messages = {name: outcomes[name].error for name in broken}
    assert "Nothing was found" in messages["Gone"]
    assert "limiting how often" in messages["Busy"]
    assert "HTTP 500" in messages["Broken server"]
    assert "closed before the whole answer" in messages["Cut off"]
    assert "sent more than 20 MB" in messages["Huge"]
    assert "sent more than 20 MB" in messages["Bomb"]
    assert "could not be read" in messages["Not XML"]
    assert len(item_rows(ward_store)) == stored  # nothing already stored was lost
    with ward_store.read() as db:
        rows = {r["id"]: r for r in db.query("SELECT * FROM sources")}
    assert rows[ids["Gone"]]["last_error"] == messages["Gone"]
    assert rows[ids["Busy"]]["retry_after"]  # remembered, so the next run does not knock again
    third = pipeline(ward_store).fetch([ids["Busy"]])
    assert "Waiting until" in third.outcomes[0].error
    assert len(server.hits("/busy")) == 2  # the first run and the 429: no third knock


def test_the_same_id_updates_in_place_and_keeps_the_councillors_state(server, ward_store):
    url = server.route("/feed", Reply(GOOD))
    add_source(ward_store, "Gazette", url)
    pipeline(ward_store).fetch()
    with ward_store.write() as db:
        db.execute("UPDATE items SET state = 'done', pinned = 1 WHERE external_id = 'g1'")
    server.routes["/feed"] = [Reply(rss(("g1", "Pothole on Oak Road (now fixed)", "Fixed today."),
                                        ("g2", "Summit Road resurfacing", "Works next week in Hilltop.")))]
    report = pipeline(ward_store).fetch()
    outcome = report.outcomes[0]
    assert (outcome.new, outcome.updated, outcome.unchanged) == (0, 1, 1)
    (g1,) = item_rows(ward_store, "external_id = 'g1'")
    assert g1["title"] == "Pothole on Oak Road (now fixed)"
    assert (g1["state"], g1["pinned"]) == ("done", 1)
    with ward_store.read() as db:
        hits = list(db.query("SELECT rowid FROM items_fts WHERE items_fts MATCH 'fixed'"))
    assert [h["rowid"] for h in hits] == [g1["id"]]  # the search index followed the edit


def test_the_same_words_from_two_sources_are_linked_not_stored_twice(server, ward_store):
    text = "Flytipping again behind Cooper's Yard: two mattresses and a fridge dumped overnight."
    add_source(ward_store, "Forum", server.route("/a", Reply(rss(("a1", "Flytipping", text)))))
    add_source(ward_store, "Reddit", server.route("/b", Reply(rss(("b1", "Flytipping", text)))))
    report = pipeline(ward_store).fetch()
    assert report.new == 1 and sum(o.linked for o in report.outcomes) == 1
    (item,) = item_rows(ward_store)
    with ward_store.read() as db:
        sightings = list(db.query("SELECT * FROM item_sightings"))
    assert len(sightings) == 1 and sightings[0]["item_id"] == item["id"]
    assert pipeline(ward_store).fetch().new == 0  # and it stays linked next time


def test_short_common_texts_are_not_linked(server, ward_store):
    add_source(ward_store, "A", server.route("/a", Reply(rss(("a1", "", "Thanks!")))))
    add_source(ward_store, "B", server.route("/b", Reply(rss(("b1", "", "Thanks!")))))
    assert pipeline(ward_store).fetch().new == 2


def test_incremental_fetch_uses_the_saved_etag(server, ward_store):
    add_source(ward_store, "Gazette", server.route("/feed", Reply(GOOD, etag='"v1"')))
    pipeline(ward_store).fetch()
    second = pipeline(ward_store).fetch()
    assert second.outcomes[0].seen == 0
    assert server.hits("/feed")[1].headers["if-none-match"] == '"v1"'


def test_a_failed_fetch_does_not_advance_the_sources_cursor(server, ward_store):
    url = server.route("/feed", Reply(GOOD, etag='"v1"'))
    source_id = add_source(ward_store, "Gazette", url)
    server.routes["/feed"] = [Reply(status=500)]
    pipeline(ward_store).fetch()
    with ward_store.read() as db:
        row = db["sources"].get(source_id)
    assert json.loads(row["state"]) == {} and row["last_success_at"] is None


def test_a_feed_cut_off_without_a_length_stores_nothing_and_the_whole_one_later_stores_each_item_once(
        server, ward_store):
    whole = rss(*[(f"g{n}", f"Oak Road report {n}", f"The pothole outside number {n} on Oak Road is back " * 3)
                  for n in range(30)])
    url = server.route("/feed", Reply(whole, cut=True), Reply(whole))
    add_source(ward_store, "Gazette", url)
    first = pipeline(ward_store).fetch()
    assert not first.ok and "stopped part-way through" in first.outcomes[0].error
    assert item_rows(ward_store) == []
    second = pipeline(ward_store).fetch()
    assert second.ok and second.new == 30
    texts = [row["text"] for row in item_rows(ward_store)]
    assert len(texts) == 30 and all(text.endswith("is back") for text in texts), "no half-written item"


def test_html_is_sanitised_on_the_way_in(server, ward_store):
    hostile = ("&lt;p onclick='x()'&gt;Oak Road &lt;script&gt;steal()&lt;/script&gt;"
               "&lt;img src='http://tracker.example/p.gif'&gt;&lt;iframe src='http://evil.example'&gt;&lt;/iframe&gt;"
               "&lt;a href='javascript:alert(1)'&gt;click&lt;/a&gt;&lt;/p&gt;")
    add_source(ward_store, "Hostile", server.route("/h", Reply(rss(("h1", "Hi", hostile)))))
    pipeline(ward_store).fetch()
    (row,) = item_rows(ward_store)
    for bad in ("<script", "steal", "<img", "tracker.example", "<iframe", "javascript:", "onclick"):
        assert bad not in row["html"]
    assert row["text"] == "Oak Road click"


class Recorder:
    version = "test-double-1"
    embedding_model = None

    def __init__(self):
        self.calls = []

    def tag(self, texts):
        self.calls.append(list(texts))
        return [TagResult(topics=[("roads_pavements", 0.9), ("other", 0.1)], sentiment=("negative", 0.8))
                for _ in texts]


def test_new_items_are_tagged_through_the_tagger_interface(server, ward_store):
    add_source(ward_store, "Gazette", server.route("/feed", Reply(GOOD)))
    tagger = Recorder()
    pipeline(ward_store, tagger=tagger).fetch()
    assert len(tagger.calls) == 1 and len(tagger.calls[0]) == 2
    assert "Pothole on Oak Road" in tagger.calls[0][0]
    rows = item_rows(ward_store)
    assert {(r["topic"], r["sentiment"]) for r in rows} == {("roads_pavements", "negative")}
    with ward_store.read() as db:
        tags = list(db.query("SELECT * FROM tags WHERE item_id = ? ORDER BY score DESC", [rows[0]["id"]]))
    assert [(t["label"], t["origin"], t["model_version"]) for t in tags] == [
        ("roads_pavements", "model", "test-double-1"), ("negative", "model", "test-double-1"),
        ("other", "model", "test-double-1")]
    pipeline(ward_store, tagger=tagger).fetch()
    assert len(tagger.calls) == 1  # unchanged items are not tagged again


def test_the_councillors_tag_wins_over_the_model(server, ward_store):
    url = server.route("/feed", Reply(GOOD))
    add_source(ward_store, "Gazette", url)
    pipeline(ward_store, tagger=Recorder()).fetch()
    (g1,) = item_rows(ward_store, "external_id = 'g1'")
    with ward_store.write() as db:
        db["tags"].insert({"item_id": g1["id"], "kind": "topic", "label": "parking", "score": 1.0, "origin": "user"})
    server.routes["/feed"] = [Reply(rss(("g1", "Pothole on Oak Road", "Edited text."),))]
    pipeline(ward_store, tagger=Recorder()).fetch()
    (g1,) = item_rows(ward_store, "external_id = 'g1'")
    assert g1["topic"] == "parking"


def test_a_failing_tagger_still_stores_the_items(server, ward_store):
    class Broken:
        version = "broken"
        embedding_model = None

        def tag(self, texts):
            raise TaggerError("The model files are missing.")

    add_source(ward_store, "Gazette", server.route("/feed", Reply(GOOD)))
    report = pipeline(ward_store, tagger=Broken()).fetch()
    assert report.ok and report.new == 2
    assert "without topics" in report.outcomes[0].warnings[0]


class ExplodingSource:
    id = "exploding"
    name = "Explodes"
    api_version = API_VERSION
    config_fields = ()

    def __init__(self, api):
        self.api = api

    def fetch(self, since, cancel, progress):
        raise ZeroDivisionError("a bug in the plugin")


class PoliteFailure(ExplodingSource):
    id = "polite"

    def fetch(self, since, cancel, progress):
        raise SourceError("The forum is down for maintenance.")


class HalfBadItems(ExplodingSource):
    id = "halfbad"

    def fetch(self, since, cancel, progress):
        return [RawItem("ok-1", text="Fine item about Oak Road"), RawItem("", text="no id"), "not an item",
                RawItem("ok-2", text="Another", lat="north", lon=None)]


def test_a_plugin_that_raises_in_fetch_is_reported_and_the_rest_keep_working(server, ward_store):
    add_source(ward_store, "Gazette", server.route("/feed", Reply(GOOD)))
    add_source(ward_store, "Bug", "", plugin="exploding")
    add_source(ward_store, "Polite", "", plugin="polite")
    report = pipeline(ward_store, registry_with(ExplodingSource, PoliteFailure)).fetch()
    outcomes = {o.name: o for o in report.outcomes}
    assert outcomes["Gazette"].ok and outcomes["Gazette"].new == 2
    assert "failed unexpectedly (ZeroDivisionError" in outcomes["Bug"].error
    assert outcomes["Polite"].error == "The forum is down for maintenance."


def test_bad_items_are_skipped_and_the_good_ones_kept(ward_store):
    add_source(ward_store, "Half", "", plugin="halfbad")
    report = pipeline(ward_store, registry_with(HalfBadItems)).fetch()
    outcome = report.outcomes[0]
    assert outcome.ok and outcome.new == 2 and outcome.skipped == 2
    assert [r["lat"] for r in item_rows(ward_store)] == [None, None]


def test_a_source_whose_plugin_is_missing_is_reported(ward_store):
    add_source(ward_store, "Orphan", "", plugin="uninstalled")
    report = pipeline(ward_store).fetch()
    assert "not installed" in report.outcomes[0].error


def test_cancel_stores_nothing_from_the_cancelled_run(server, ward_store):
    """Cancel pressed while the answer is on its way: it is not stored."""
    cancel, answer = threading.Event(), threading.Event()
    add_source(ward_store, "Slow", server.route("/slow", Reply(GOOD, hold=answer)))

    def press_cancel_then_answer():
        while not server.hits("/slow"):  # the request has arrived: the fetch is under way
            threading.Event().wait(0.01)
        cancel.set()
        answer.set()

    threading.Thread(target=press_cancel_then_answer, daemon=True).start()
    report = pipeline(ward_store).fetch(cancel=cancel)
    assert "Cancelled" in report.outcomes[0].error
    assert item_rows(ward_store) == []


@pytest.mark.realtime  # a socket timeout: the answer never comes, and the real clock runs out
def test_a_source_that_never_answers_is_reported_and_the_rest_stored(server, ward_store):
    never = threading.Event()
    add_source(ward_store, "Gazette", server.route("/good", Reply(GOOD)))
    add_source(ward_store, "Slow", server.route("/slow", Reply(GOOD, hold=never)))
    try:
        report = pipeline(ward_store, http_factory=lambda: HttpClient(timeout=0.5, retries=1,
                                                                      sleep=lambda s, c: None)).fetch()
    finally:
        never.set()
    outcomes = {o.name: o for o in report.outcomes}
    assert "took too long" in outcomes["Slow"].error and outcomes["Gazette"].ok and outcomes["Gazette"].new == 2


def test_progress_reaches_one(server, ward_store):
    add_source(ward_store, "A", server.route("/a", Reply(GOOD)))
    add_source(ward_store, "B", server.route("/b", Reply(GOOD)))
    seen = []
    pipeline(ward_store).fetch(progress=lambda fraction, message: seen.append(fraction))
    assert seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)


def test_disabled_sources_are_skipped_unless_asked_for(server, ward_store):
    from networked_councillor.store import sources as source_store

    source_id = add_source(ward_store, "A", server.route("/a", Reply(GOOD)))
    with ward_store.write() as db:
        source_store.set_enabled(db, source_id, False)
    assert pipeline(ward_store).fetch().outcomes == []
    assert pipeline(ward_store).fetch([source_id]).new == 2


class ThreadSource(ExplodingSource):
    id = "threads"

    def fetch(self, since, cancel, progress):
        return [RawItem("root", text="Pothole on Oak Road, anyone reported it?", thread_id="root"),
                RawItem("r1", text="Yes, last week", thread_id="root", parent_id="root"),
                RawItem("other", text="Lovely weather", thread_id="elsewhere")]


def test_replies_in_a_conversation_about_the_ward_count_as_about_it(ward_store):
    add_source(ward_store, "Forum", "", plugin="threads")
    pipeline(ward_store, registry_with(ThreadSource)).fetch()
    rows = {r["external_id"]: r for r in item_rows(ward_store)}
    assert rows["root"]["relevance"] >= 0.35
    assert rows["r1"]["relevance"] >= 0.35
    assert json.loads(rows["r1"]["evidence"]) == [{"kind": "conversation", "term": "part of a conversation about the ward"}]
    assert rows["other"]["relevance"] == 0
    pipeline(ward_store, registry_with(ThreadSource)).fetch()  # again: lifted once, not twice
    assert item_rows(ward_store, "external_id = 'r1'")[0]["relevance"] == rows["r1"]["relevance"]
