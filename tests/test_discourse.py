"""The Discourse plugin against real and faithful forum answers served on 127.0.0.1."""

import copy
import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import item_rows, pipeline, plugin_api, registry_with, setup_ward
from localserver import Reply
from nc_discourse import DiscourseSource

from networked_councillor.base import clock
from networked_councillor.base.errors import Cancelled, SourceError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.ingest.normalise import normalise
from networked_councillor.store import sources as source_store

UTC = timezone.utc
NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
REPLIES_START = datetime(2019, 11, 16, 9, 0, tzinfo=UTC)


# ---- helpers -------------------------------------------------------------------------------------


def load(folder: Path, name: str) -> dict | list:
    return json.loads((folder / name).read_text())


def body(value) -> bytes:
    return json.dumps(value).encode()


def serve(server, path: str, *values, **reply) -> None:
    """Serve these JSON answers at ``path`` in turn (the last repeats)."""
    server.route(path, *(Reply(body(v), headers={"Content-Type": "application/json"}, **reply) for v in values))


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def topic_list(*topics, more: str | None = None) -> dict:
    listing = {"can_create_topic": False, "per_page": 30, "topics": list(topics)}
    if more:
        listing["more_topics_url"] = more
    return {"users": [], "primary_groups": [], "topic_list": listing}


def run(api, since: datetime | None = None, cancel: threading.Event | None = None):
    return list(DiscourseSource(api).fetch(since, cancel or threading.Event(), lambda f, m: None))


def forum_api(server, **config):
    return plugin_api({"base_url": server.base, **config})


def paths(server, prefix: str = "/", *, with_query: bool = True) -> list[str]:
    return [r.path if with_query else r.path.split("?")[0] for r in server.requests if r.path.startswith(prefix)]


def query(request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.path).query)


@pytest.fixture
def millbrook(server, fixtures):
    """A modern forum: two pages of /latest, three topics bumped in November, an old one, a pinned one."""
    folder = fixtures / "discourse"
    serve(server, "/latest.json", load(folder, "latest.json"), load(folder, "latest_page1.json"))
    for topic_id in (231, 229, 226):
        serve(server, f"/t/{topic_id}.json", load(folder, f"topic_{topic_id}.json"))
    return folder


def big_topic(shared_fixtures) -> tuple[dict, dict]:
    """The real 21-post topic (first 20 posts in /t/26.json) and its listing entry, as /latest gives it."""
    topic = load(shared_fixtures, "discourse_real_topic_26.json")
    entry = {k: topic[k] for k in ("id", "title", "fancy_title", "slug", "posts_count", "reply_count",
                                   "highest_post_number", "created_at", "last_posted_at", "archetype",
                                   "pinned", "visible", "closed", "archived", "like_count", "views", "category_id")}
    entry.update(bumped=True, bumped_at=topic["last_posted_at"], unpinned=None, tags=[])
    return topic, entry


def grown(topic: dict, entry: dict, page2: dict, new_posts: int) -> tuple[dict, dict, list[dict]]:
    """The same topic after ``new_posts`` more replies: copies of its last real post with the next ids and numbers."""
    last = page2["post_stream"]["posts"][-1]
    posts = []
    for n in range(1, new_posts + 1):
        post = copy.deepcopy(last)
        when = stamp(REPLIES_START + timedelta(minutes=n))
        post.update(id=last["id"] + n, post_number=last["post_number"] + n, created_at=when, updated_at=when,
                    cooked=f"<p>New reply number {n}.</p>")
        posts.append(post)
    posts[-1]["reply_to_post_number"] = last["post_number"]  # answers a post in neither answer: looked up
    topic = copy.deepcopy(topic)
    topic["post_stream"]["stream"] += [p["id"] for p in posts]
    topic["posts_count"] = topic["highest_post_number"] = posts[-1]["post_number"]
    topic["last_posted_at"] = posts[-1]["created_at"]
    entry = {**entry, "bumped_at": posts[-1]["created_at"], "last_posted_at": posts[-1]["created_at"]}
    return topic, entry, posts


# ---- mapping -------------------------------------------------------------------------------------


def test_modern_forum_posts_map_field_by_field(server, millbrook):
    items = run(forum_api(server), since=NOV_1)
    by_id = {i.external_id: i for i in items}
    assert [i.external_id for i in items] == ["8990", "9001", "9004", "9101", "9102", "9105"]  # oldest topic first
    reply = by_id["9102"]
    assert reply.url == f"{server.base}/t/potholes-on-oak-road-after-the-frost/231/2"
    assert (reply.author.handle, reply.author.display_name, reply.author.url) == (
        "oakroad_ollie", "Ollie Marsh", f"{server.base}/u/oakroad_ollie")
    assert reply.created_at == datetime(2026, 11, 23, 9, 2, 44, 870000, tzinfo=UTC)
    assert reply.created_at.tzinfo is not None and reply.updated_at == reply.created_at
    assert (reply.thread_id, reply.parent_id) == ("231", "9101")
    assert reply.thread_title == "Potholes on Oak Road after the frost"
    assert reply.title is None and reply.kind == "post"
    assert reply.engagement == {"reply": 1, "quote": 0, "read": 9, "like": 3}
    assert reply.categories == ["roads", "potholes"]
    assert reply.extra == {"topic_id": 231, "post_number": 2, "reply_to_post_number": 1, "category_id": 5,
                           "forum": server.base}
    assert f'href="{server.base}/u/brookside_bev"' in reply.html  # a mention, made a whole address
    opening = by_id["9101"]
    assert opening.title == "Potholes on Oak Road after the frost" and opening.parent_id is None
    assert opening.updated_at == datetime(2026, 11, 23, 8, 20, 41, 7000, tzinfo=UTC)
    assert opening.engagement["like"] == 4
    assert by_id["9105"].parent_id == "9102"
    assert "9107" not in by_id  # "pinned the topic": a notice, not a post
    row = normalise(opening).row  # the pipeline sanitises the cooked HTML
    assert "<img" not in row["html"] and "Oak Road" in row["text"] and "10cm deep" in row["text"]


def test_old_forum_field_names_are_read_too(server, shared_fixtures):
    """The 2013 recordings: offsets instead of Z, display_username, likes only in actions_summary."""
    serve(server, "/latest.json", load(shared_fixtures, "discourse_latest.json"), topic_list())
    serve(server, "/t/1.json", load(shared_fixtures, "discourse_topic.json"))
    api = forum_api(server)
    items = run(api, since=datetime(2013, 2, 1, tzinfo=UTC))
    assert [i.external_id for i in items] == ["83", "84", "86", "226"]
    first, _pinned_notice, image, late = items
    assert first.created_at == datetime(2013, 2, 4, 20, 26, 26, 278000, tzinfo=UTC)  # -05:00 in the answer
    assert first.updated_at == datetime(2013, 4, 30, 18, 33, 37, 273000, tzinfo=UTC)  # -04:00 (summer time)
    assert first.title == "THIS SITE IS A SANDBOX -- it is reset every day" and first.thread_id == "57"
    assert first.url == f"{server.base}/t/this-site-is-a-sandbox-it-is-reset-every-day/57/1"
    assert (first.author.handle, first.author.display_name) == ("samsaffron", "Sam Saffron")
    assert image.engagement["like"] == 5 and first.engagement["like"] == 0
    assert late.parent_id == "83" and late.extra["post_number"] == 14
    # This recording lists one id three times (with different bumps): it is read once, and the newest bump kept.
    assert paths(server, "/latest") == ["/latest.json", "/latest.json?page=1"]
    assert paths(server, "/t/") == ["/t/1.json"]
    assert api.state["bumped_at"] == "2013-11-06T13:57:48.111000-05:00"


# ---- paging ---------------------------------------------------------------------------------------


def test_latest_pages_until_topics_are_older_than_the_last_run(server, millbrook):
    run(forum_api(server), since=NOV_1)
    # Today's more_topics_url has no .json: the plugin adds it. Page 2 is never asked for: page 1 reached October.
    assert paths(server, "/latest") == ["/latest.json", "/latest.json?no_definitions=true&page=1"]
    assert sorted(paths(server, "/t/")) == ["/t/226.json", "/t/229.json", "/t/231.json"]  # not 201, not pinned 12


def test_posts_beyond_the_first_twenty_come_by_post_ids(server, shared_fixtures):
    topic, entry = big_topic(shared_fixtures)
    serve(server, "/latest.json", topic_list(entry))
    serve(server, "/t/26.json", topic)
    # The recording of /t/26.json?page=2 holds exactly post 54, which is what posts.json?post_ids[]=54 answers.
    serve(server, "/t/26/posts.json", load(shared_fixtures, "discourse_real_topic_26_page2.json"))
    items = run(forum_api(server), since=datetime(2019, 11, 1, tzinfo=UTC))
    assert [int(i.external_id) for i in items] == list(range(34, 55))
    (posts_request,) = server.hits("/t/26/posts.json")
    assert query(posts_request) == {"post_ids[]": ["54"]}
    last = items[-1]
    assert last.url == f"{server.base}/t/big-filler-topic-1/26/21"
    assert last.created_at == datetime(2019, 11, 15, 17, 44, 32, 244000, tzinfo=UTC)
    assert (last.author.handle, last.author.display_name) == ("beanow.sc-test", "Beanow")


def test_a_long_new_topic_is_read_newest_chunk_first_and_stops_at_the_window(server, shared_fixtures):
    topic, entry = big_topic(shared_fixtures)
    page2 = load(shared_fixtures, "discourse_real_topic_26_page2.json")
    topic, entry, extra = grown(topic, entry, page2, 25)  # 46 posts: 20 in /t/26.json, then 20 + 6 by id
    serve(server, "/latest.json", topic_list(entry))
    serve(server, "/t/26.json", topic)
    serve(server, "/t/26/posts.json", {"post_stream": {"posts": extra[5:]}, "id": 26})  # ids 60-79
    since = REPLIES_START + timedelta(minutes=8)  # the reply with id 62
    items = run(forum_api(server), since=since)
    chunks = [query(r)["post_ids[]"] for r in server.hits("/t/26/posts.json")]
    assert chunks == [[str(i) for i in range(60, 80)]]  # the newest 20 reach the window: the older 6 are not asked for
    assert [i.external_id for i in items] == ["34", *[str(i) for i in range(62, 80)]]  # the opening post for context


# ---- incremental ----------------------------------------------------------------------------------


def test_a_second_run_asks_only_for_topics_bumped_since_and_posts_not_seen(server, shared_fixtures):
    topic, entry = big_topic(shared_fixtures)
    page2 = load(shared_fixtures, "discourse_real_topic_26_page2.json")
    serve(server, "/latest.json", topic_list(entry))
    serve(server, "/t/26.json", topic)
    serve(server, "/t/26/posts.json", page2)
    api = forum_api(server)
    first = run(api, since=datetime(2019, 11, 1, tzinfo=UTC))
    assert len(first) == 21 and api.state["last_post_ids"] == {"26": 54}
    assert api.state["bumped_at"] == "2019-11-15T17:44:32.244000+00:00"

    later, later_entry, new_posts = grown(topic, entry, page2, 2)
    server.requests.clear()
    serve(server, "/latest.json", topic_list(later_entry, entry | {"id": 25, "slug": "older"}))
    serve(server, "/t/26.json", later)
    serve(server, "/t/26/posts.json", {"post_stream": {"posts": new_posts}, "id": 26})
    serve(server, "/posts/by_number/26/21.json", page2["post_stream"]["posts"][0])
    second = run(api, since=clock.utcnow())
    assert [i.external_id for i in second] == ["55", "56"]
    assert [query(r)["post_ids[]"] for r in server.hits("/t/26/posts.json")] == [["55", "56"]]
    # Topic 25 was not bumped since: it is not asked for.
    assert paths(server, "/t/", with_query=False) == ["/t/26.json", "/t/26/posts.json"]
    assert second[1].parent_id == "54"  # post 21, in neither answer: found by number
    assert api.state["last_post_ids"] == {"26": 56}

    server.requests.clear()
    assert run(api, since=clock.utcnow()) == []
    assert paths(server) == ["/latest.json"]  # nothing bumped since: no topic is asked for


def test_max_topics_leaves_the_rest_for_the_next_refresh(server, millbrook):
    api = forum_api(server, max_topics=1)
    first = run(api, since=NOV_1)
    assert {i.thread_id for i in first} == {"226"}  # the oldest change first, so nothing is skipped
    assert any("2 more changed topics" in w for w in api.warnings)
    assert api.state["bumped_at"] == "2026-11-22T07:45:00+00:00"
    serve(server, "/latest.json", load(millbrook, "latest.json"), load(millbrook, "latest_page1.json"))
    second = run(api, since=clock.utcnow())
    assert {i.thread_id for i in second} == {"229"}


# ---- search ---------------------------------------------------------------------------------------


def test_search_adds_topics_outside_the_category(server, millbrook):
    oak_road = next(t for t in load(millbrook, "latest.json")["topic_list"]["topics"] if t["id"] == 231)
    serve(server, "/c/roads/l/latest.json", topic_list(oak_road))
    serve(server, "/search.json", load(millbrook, "search.json"))
    serve(server, "/t/188.json", load(millbrook, "topic_188.json"))
    items = run(forum_api(server, category="roads", search_terms=["Oak Road", " oak  road "]), since=NOV_1)
    (search,) = server.hits("/search.json")
    assert query(search) == {"q": ['"Oak Road" order:latest after:2026-10-31']}  # asked once, as a phrase
    assert {i.thread_id for i in items} == {"231", "188"}
    consultation = [i for i in items if i.thread_id == "188"]
    assert [i.external_id for i in consultation] == ["8402", "8450"]  # June's opening post kept for context
    assert consultation[1].url == f"{server.base}/t/oak-road-resurfacing-consultation/188/2"


def test_search_for_the_wards_places_and_streets(server, millbrook):
    serve(server, "/search.json", {"posts": [], "topics": [], "grouped_search_result": {"error": None}})
    run(forum_api(server, search_ward=True), since=NOV_1)
    terms = [query(r)["q"][0].split(" order:")[0] for r in server.hits("/search.json")]
    assert terms[:3] == ["Millbrook", '"Millbrook Park"', '"Oak Road"'] and len(terms) == 7


def test_the_legacy_search_format_still_gives_topics(server, shared_fixtures):
    """Pre-2014 search answered with a list of typed groups; its topic ids are read, and gone topics skipped."""
    serve(server, "/latest.json", topic_list())
    serve(server, "/search.json", load(shared_fixtures, "discourse_search_LEGACY_format.json"))
    serve(server, "/t/1.json", load(shared_fixtures, "discourse_topic.json"))
    api = forum_api(server, search_terms=["sandbox"])
    items = run(api, since=datetime(2013, 1, 1, tzinfo=UTC))
    assert sorted(paths(server, "/t/")) == ["/t/1.json", "/t/2.json", "/t/3.json"]
    assert {i.thread_id for i in items} == {"57"}
    gone = [w for w in api.warnings if "could not be read (HTTP 404)" in w]
    assert len(gone) == 2 and "Test topic #2" in gone[0] and "It was skipped" in gone[0]


def test_a_search_error_from_the_forum_is_a_warning(server, millbrook):
    serve(server, "/search.json", {"posts": [], "topics": [], "grouped_search_result": {
        "term": "ab", "error": "Your search term is too short."}})
    api = forum_api(server, search_terms=["ab"])
    assert run(api, since=NOV_1)
    assert any("could not search for 'ab': Your search term is too short." in w for w in api.warnings)


# ---- private forums and failures ------------------------------------------------------------------


def test_an_api_key_is_sent_for_a_private_forum(server, millbrook, memory_keyring):
    SecretStore("test").set("api_key", "d0c5-k3y")
    api = forum_api(server, api_username="cllr_whitfield")
    assert run(api, since=NOV_1)
    assert all(r.headers.get("api-key") == "d0c5-k3y" and r.headers.get("api-username") == "cllr_whitfield"
               for r in server.requests)
    assert "d0c5-k3y" not in json.dumps(api.state) + json.dumps(dict(api.config))


def test_a_private_forum_without_a_key_is_explained(server):
    server.route("/latest.json", Reply(b'{"error_type":"not_logged_in"}', status=403))
    with pytest.raises(SourceError, match="is a private forum") as caught:
        run(forum_api(server))
    assert "API key" in caught.value.hint


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_api_key_is_explained(server, memory_keyring, status):
    SecretStore("test").set("api_key", "revoked")
    server.route("/latest.json", Reply(b'{"errors":["You are not permitted to view the requested resource."]}',
                                       status=status))
    with pytest.raises(SourceError, match=f"did not accept the API key \\(HTTP {status}\\)"):
        run(forum_api(server, api_username="cllr_whitfield"))


def test_404_means_no_forum_or_no_such_category(server):
    with pytest.raises(SourceError, match="No Discourse forum was found") as caught:
        run(forum_api(server))
    assert "private forum also answers this way" in caught.value.hint
    with pytest.raises(SourceError, match="has no category called 'parking'"):
        run(forum_api(server, category="parking"))
    assert server.requests[-1].path == "/c/parking/l/latest.json"


def test_429_with_a_far_retry_after_is_an_error_with_the_wait(server):
    server.route("/latest.json", Reply(b'{"error_type":"rate_limit"}', status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(SourceError, match="limiting how often") as caught:
        run(forum_api(server))
    assert caught.value.retry_after == pytest.approx(3600, abs=5)


def test_5xx_is_retried_then_reported(server, millbrook):
    server.route("/t/229.json", Reply(b"busy", status=502), Reply(body(load(millbrook, "topic_229.json"))))
    assert run(forum_api(server), since=NOV_1)  # one 502, then the answer
    server.route("/latest.json", Reply(b"<html>down</html>", status=503))
    with pytest.raises(SourceError, match="HTTP 503"):
        run(forum_api(server))
    assert len(server.hits("/latest.json")) == 2 + 4  # two pages earlier, then four tries


def test_malformed_json_is_a_plain_error_and_changes_no_state(server, millbrook):
    server.route("/t/231.json", Reply(b'{"post_stream": {"posts": [{"id": 91'))
    api = forum_api(server)
    api.state.update(bumped_at="2026-11-01T00:00:00+00:00")
    before = copy.deepcopy(api.state)
    with pytest.raises(SourceError, match="not valid JSON"):
        run(api)
    assert api.state == before


def test_json_that_is_not_a_forum_is_a_plain_error(server):
    serve(server, "/latest.json", {"status": "ok"})
    with pytest.raises(SourceError, match="not like a Discourse forum"):
        run(forum_api(server))


def test_unreadable_dates_never_crash_a_fetch(server, millbrook):
    topic = load(millbrook, "topic_229.json")
    topic["post_stream"]["posts"][0]["created_at"] = "22/11/2026 17:40"  # a time read from updated_at
    topic["post_stream"]["posts"][1].update(created_at="yesterday", updated_at=None)  # no time at all
    serve(server, "/t/229.json", topic)
    listing = load(millbrook, "latest.json")
    listing["topic_list"]["topics"][2]["bumped_at"] = listing["topic_list"]["topics"][2]["last_posted_at"] = "soon"
    serve(server, "/latest.json", listing, load(millbrook, "latest_page1.json"))
    api = forum_api(server)
    items = {i.external_id: i for i in run(api, since=NOV_1)}
    assert items["9001"].created_at == datetime(2026, 11, 22, 17, 40, 12, 1000, tzinfo=UTC)
    assert items["9004"].created_at is None  # stored as first seen
    assert api.state["bumped_at"] == "2026-11-24T09:12:40.118000+00:00"  # the undated topic does not move it


def test_cancel_stops_before_the_next_request(server, millbrook):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        run(forum_api(server), since=NOV_1, cancel=cancel)
    assert server.requests == []


def test_an_address_is_required_and_tidied():
    with pytest.raises(SourceError, match="no address"):
        DiscourseSource(plugin_api({}))
    source = DiscourseSource(plugin_api({"base_url": "forum.millbrook.example/"}))
    assert source.base_url == "https://forum.millbrook.example"


# ---- through the pipeline -------------------------------------------------------------------------


def test_a_public_forum_is_read_on_a_computer_with_no_keyring(server, millbrook, store, no_keyring):
    """Only a private forum's API key lives in the keyring; a public forum never asks for it."""
    setup_ward(store)
    with store.write() as db:
        source_store.add(db, "discourse", "Millbrook forum", {"base_url": server.base, "first_days": 30},
                         clock.now_iso())
    report = pipeline(store, registry_with(DiscourseSource)).fetch()
    assert report.ok, report.outcomes[0].error
    assert report.outcomes[0].new == 6


def test_through_the_pipeline_with_the_millbrook_ward(server, millbrook, store):
    setup_ward(store)
    with store.write() as db:
        source_id = source_store.add(db, "discourse", "Millbrook forum",
                                     {"base_url": server.base, "first_days": 30}, clock.now_iso())
    registry = registry_with(DiscourseSource)
    report = pipeline(store, registry).fetch()
    assert report.ok, report.outcomes[0].error
    assert report.outcomes[0].new == 6
    (opening,) = item_rows(store, "external_id = '9101'")
    assert opening["title"] == "Potholes on Oak Road after the frost" and "<img" not in opening["html"]
    assert {e["term"] for e in json.loads(opening["evidence"])} >= {"Oak Road", "Mill Lane"}
    assert opening["relevance"] > 0
    with store.read() as db:
        (thread,) = db.query("SELECT * FROM threads WHERE external_id = '231'")
        saved = source_store.get(db, source_id).state
    assert thread["title"] == "Potholes on Oak Road after the frost"
    assert saved["last_post_ids"]["231"] == 9107

    # A reply arrives, but the forum fails while the topic is read: nothing stored, nothing skipped.
    topic = load(millbrook, "topic_231.json")
    reply = copy.deepcopy(topic["post_stream"]["posts"][1])
    reply.update(id=9112, post_number=5, created_at="2026-11-24T15:30:00.000Z", updated_at="2026-11-24T15:30:00.000Z",
                 cooked="<p>Two holes on Oak Road filled this afternoon. Thank you!</p>", reply_to_post_number=3)
    topic["post_stream"]["posts"].append(reply)
    topic["post_stream"]["stream"].append(9112)
    listing = load(millbrook, "latest.json")
    listing["topic_list"]["topics"][1]["bumped_at"] = "2026-11-24T15:30:00.000Z"
    serve(server, "/latest.json", listing, load(millbrook, "latest_page1.json"))
    server.route("/t/231.json", Reply(b"oops", status=500))
    failed = pipeline(store, registry).fetch()
    assert not failed.ok and "HTTP 500" in failed.outcomes[0].error
    with store.read() as db:
        assert source_store.get(db, source_id).state == saved
    assert len(item_rows(store)) == 6

    serve(server, "/latest.json", listing, load(millbrook, "latest_page1.json"))
    serve(server, "/t/231.json", topic)
    server.requests.clear()
    again = pipeline(store, registry).fetch()
    assert again.ok and again.outcomes[0].new == 1 and again.outcomes[0].seen == 1
    (new_row,) = item_rows(store, "external_id = '9112'")
    assert new_row["parent_external_id"] == "9105" and new_row["thread_id"] == opening["thread_id"]
    assert len(item_rows(store)) == 7  # nothing stored twice
    assert paths(server, "/t/") == ["/t/231.json"]  # the other topics were not bumped again
