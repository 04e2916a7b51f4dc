"""The Mastodon plugin against a real HTTP server on 127.0.0.1 serving recorded and sample timelines."""

import json
import threading
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import MILLBROOK, item_rows, pipeline, plugin_api, registry_with, setup_ward
from localserver import Reply
from nc_mastodon import MastodonSource
from nc_mastodon.source import instance_base

from networked_councillor.base import clock
from networked_councillor.base.errors import SourceError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.ingest.normalise import normalise
from networked_councillor.store import sources as source_store

TAG = "/api/v1/timelines/tag/Millbrook"
PUBLIC = "/api/v1/timelines/public"
JSON = {"Content-Type": "application/json; charset=utf-8"}
LONG_AGO = datetime(2026, 1, 1, tzinfo=timezone.utc)  # a last run far enough back that every sample is new


def sample(fixtures, name: str) -> bytes:
    return (fixtures / "mastodon" / name).read_bytes()


def page(body: bytes, server=None, path: str = TAG, older_than: str | None = None, newer_than: str | None = None,
         **reply) -> Reply:
    """A timeline answer with Mastodon's Link header (next: older posts, prev: newer ones)."""
    headers = dict(JSON)
    if older_than:
        headers["Link"] = (f'<{server.url(path)}?max_id={older_than}>; rel="next", '
                           f'<{server.url(path)}?min_id={newer_than or older_than}>; rel="prev"')
    return Reply(body, headers=headers, **reply)


def config(server, **extra) -> dict:
    return {"instance": server.base, "hashtags": ["Millbrook"], **extra}


def run(api, since=None) -> list:
    return MastodonSource(api).fetch(since, threading.Event(), lambda fraction, message: None)


def query(request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.path).query)


def status(fixtures, name: str, index: int) -> dict:
    return json.loads(sample(fixtures, name))[index]


# ---- mapping --------------------------------------------------------------------------------


def test_the_real_recording_maps_field_by_field(server, shared_fixtures):
    recording = shared_fixtures / "mastodon_timelines_tag_response.json"
    recorded_link = ('<http://localhost:3000/api/v1/timelines/tag/hoot?max_id=117020593741189701>; rel="next", '
                     '<http://localhost:3000/api/v1/timelines/tag/hoot?min_id=117020593741189701>; rel="prev"')
    server.route("/api/v1/timelines/tag/hoot", Reply(recording.read_bytes(), headers={**JSON, "Link": recorded_link}),
                 Reply(b"[]", headers=JSON))
    api = plugin_api({"instance": server.base, "hashtags": ["#hoot"]})
    (item,) = run(api, since=LONG_AGO)
    assert item.external_id == "117020593741189701"
    assert item.url == "http://localhost:3000/@mastodonpy_test_2/117020593741189701"
    assert item.extra["uri"] == "http://localhost:3000/ap/users/117020566092212359/statuses/117020593741189701"
    assert item.author.handle == "@mastodonpy_test_2@127.0.0.1"  # a local account, named with its instance
    assert item.author.display_name == "mastodonpy_test_2"  # its display name is empty
    assert item.author.url == "http://localhost:3000/@mastodonpy_test_2"
    assert item.created_at == datetime(2026, 8, 1, 13, 55, 55, 867000, tzinfo=timezone.utc)
    assert item.updated_at is None and item.parent_id is None and item.thread_id == item.external_id
    assert item.langs == ["ja"] and item.categories == ["hoot"]
    assert item.engagement == {"reply": 0, "repost": 0, "like": 0, "quote": 0}
    row = normalise(item).row
    assert row["text"] == "#hoot (hashtag toot)"
    assert 'class="mention hashtag"' not in row["html"] and 'href="http://localhost:3000/tags/hoot"' in row["html"]
    first, second = server.hits("/api/v1/timelines/tag/hoot")
    assert query(first) == {"limit": ["40"]}
    assert query(second) == {"limit": ["40"], "max_id": ["117020593741189701"]}  # from the Link header
    assert api.state["cursors"] == {"tag:hoot": "117020593741189701"}


def test_replies_media_cards_and_content_warnings(server, fixtures):
    server.route(TAG, page(sample(fixtures, "tag_millbrook_page1.json")))
    items = {i.external_id: i for i in run(plugin_api(config(server)))}
    reply, works, pothole = items["113540000000000030"], items["113540000000000029"], items["113540000000000028"]
    assert (reply.parent_id, reply.thread_id) == ("113540000000000028", "113540000000000028")
    assert pothole.thread_id == pothole.external_id and pothole.parent_id is None
    assert reply.author.handle == "@ashcombe_cycles@town.example"
    assert reply.author.display_name == "Ashcombe Cycle Club"
    assert reply.extra["mentions"] == ["brookside_bev@127.0.0.1"]
    assert pothole.engagement == {"reply": 1, "repost": 2, "like": 5, "quote": 0}
    text = normalise(works).row["text"]
    assert text.startswith("Content warning: Road works, long\nTemporary traffic lights on Station Road")
    assert "Image: Map of the Station Road diversion" in text
    assert "Link: Station Road gas main replacement" in text
    assert works.enclosures[0]["alt"].startswith("Map of the Station Road diversion")
    assert works.extra["card"]["url"] == "https://www.ashcombe.example/news/station-road-gas-main"
    assert works.extra["sensitive"] is True
    assert works.updated_at == datetime(2026, 11, 24, 8, 31, 40, 77000, tzinfo=timezone.utc)
    assert works.created_at.tzinfo is not None


def test_a_boost_becomes_the_post_it_boosts(server, fixtures):
    original = status(fixtures, "tag_millbrook_page1.json", 2)
    booster = status(fixtures, "public_local.json", 1)["account"]
    boost = {**original, "id": "113540000000000070", "created_at": "2026-11-24T12:00:00.000Z", "content": "",
             "uri": "https://social.ashcombe.example/users/bryn/statuses/113540000000000070/activity",
             "url": None, "account": booster, "reblog": original, "replies_count": 0, "reblogs_count": 0,
             "favourites_count": 0, "tags": [], "media_attachments": []}
    server.route(PUBLIC, page(json.dumps([boost]).encode()))
    (item,) = run(plugin_api(config(server, hashtags=[], local_timeline=True)))
    assert item.external_id == original["id"] and item.author.handle == "@brookside_bev@127.0.0.1"
    assert item.extra["boosted_by"] == "bryn@127.0.0.1" and item.extra["boost_id"] == "113540000000000070"
    assert "Oak Road" in normalise(item).row["text"]


def test_the_local_timeline_is_read_with_local_true(server, fixtures):
    server.route(TAG, page(b"[]"))
    server.route(PUBLIC, page(sample(fixtures, "public_local.json")))
    items = run(plugin_api(config(server, local_timeline=True)))
    assert query(server.hits(PUBLIC)[0]) == {"local": ["true"], "limit": ["40"]}
    bins = next(i for i in items if i.external_id == "113540000000000061")
    assert bins.author.display_name == "quarry_lane_pete"
    assert [e["type"] for e in bins.enclosures] == ["image", "video"]
    text = normalise(bins).row["text"]
    assert text.endswith("Image: Row of overflowing green bins on the pavement")  # the video has no description
    assert next(i for i in items if i.external_id == "113540000000000055").langs == ["cy"]


def test_hashtags_default_to_the_wards_and_each_is_its_own_request(server, fixtures):
    server.route(TAG, page(sample(fixtures, "tag_millbrook_page1.json")))
    server.route("/api/v1/timelines/tag/Oak_Road", page(sample(fixtures, "tag_millbrook_page1.json")))
    api = plugin_api({"instance": server.base})
    items = run(api)
    assert len(server.hits(TAG)) == 1 and len(items) == 3  # #Millbrook, from MILLBROOK's hashtags
    api = plugin_api({"instance": server.base, "hashtags": ["#Millbrook", "millbrook", "Oak_Road", "Mill Lane"]})
    items = run(api)
    assert len(server.hits(TAG)) == 2 and len(server.hits("/api/v1/timelines/tag/Oak_Road")) == 1
    assert len(items) == 3  # the same posts under two tags are one item each
    assert any("'Mill Lane' is not a hashtag" in w for w in api.warnings)
    assert set(api.state["cursors"]) == {"tag:millbrook", "tag:oak_road"}


@pytest.mark.parametrize("typed, base", [
    ("mastodon.social", "https://mastodon.social"),
    ("https://mastodon.social/@someone", "https://mastodon.social"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
])
def test_the_instance_address_is_read_however_it_is_typed(typed, base):
    assert instance_base(typed) == base


def test_a_source_with_nothing_to_follow_is_refused(server):
    with pytest.raises(SourceError, match="no address for a Mastodon instance"):
        MastodonSource(plugin_api({}))
    with pytest.raises(SourceError, match="not the address of a Mastodon instance"):
        MastodonSource(plugin_api({"instance": "ftp://files.example"}))
    ward = MILLBROOK.from_dict({**MILLBROOK.to_dict(), "hashtags": []})
    with pytest.raises(SourceError, match="nothing to follow"):
        MastodonSource(plugin_api({"instance": server.base}, ward=ward))


# ---- paging and incremental fetch -------------------------------------------------------------


def test_pages_back_by_the_link_header_keeping_its_own_parameters(server, fixtures):
    server.route(TAG,
                 page(sample(fixtures, "tag_millbrook_page1.json"), server, older_than="113540000000000028",
                      newer_than="113540000000000030"),
                 page(sample(fixtures, "tag_millbrook_page2.json"), server, older_than="113530000000000019",
                      newer_than="113530000000000020"),
                 page(b"[]"))
    api = plugin_api(config(server))
    items = run(api, since=LONG_AGO)
    assert len(items) == 5
    first, second, third = server.hits(TAG)
    assert query(first) == {"limit": ["40"]}
    assert query(second) == {"limit": ["40"], "max_id": ["113540000000000028"]}
    assert query(third) == {"limit": ["40"], "max_id": ["113530000000000019"]}
    thanks = next(i for i in items if i.external_id == "113530000000000020")
    assert thanks.thread_id == "113530000000000019"
    assert api.state["cursors"] == {"tag:millbrook": "113540000000000030"}


def test_paging_stops_at_posts_older_than_the_last_run(server, fixtures):
    server.route(TAG, page(sample(fixtures, "tag_millbrook_page1.json"), server, older_than="113540000000000028"),
                 page(sample(fixtures, "tag_millbrook_page2.json")))
    run(plugin_api(config(server)), since=datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc))
    assert len(server.hits(TAG)) == 1  # page one already reaches 07:58


def test_a_backlog_beyond_the_page_limit_is_reported(server, fixtures, monkeypatch):
    import nc_mastodon.source as source_module

    monkeypatch.setattr(source_module, "MAX_PAGES", 1)
    server.route(TAG, page(sample(fixtures, "tag_millbrook_page1.json"), server, older_than="113540000000000028"))
    api = plugin_api(config(server))
    assert len(run(api, since=LONG_AGO)) == 3
    assert api.warnings == ["#Millbrook on 127.0.0.1 had more than 40 new posts; the oldest of them were left out."]


def test_the_second_run_asks_only_for_newer_posts(server, fixtures):
    server.route(TAG, page(sample(fixtures, "tag_millbrook_page1.json")),
                 page(sample(fixtures, "tag_millbrook_newer.json")))
    api = plugin_api(config(server))
    assert len(run(api)) == 3
    (new,) = run(api)
    assert query(server.hits(TAG)[1]) == {"limit": ["40"], "since_id": ["113540000000000030"]}
    assert new.parent_id == "113540000000000030"
    assert new.thread_id == "113540000000000028"  # its root arrived in the first run
    assert api.state["cursors"] == {"tag:millbrook": "113540000000000045"}


def test_an_access_token_is_sent_as_a_bearer_token(server, fixtures):
    SecretStore("test").set("access_token", "tok-abc")
    server.route(TAG, page(sample(fixtures, "tag_millbrook_page1.json")))
    run(plugin_api(config(server)))
    assert server.hits(TAG)[0].headers["authorization"] == "Bearer tok-abc"
    assert server.hits(TAG)[0].headers["user-agent"].startswith("networked-councillor/")


# ---- instances that restrict their timelines -----------------------------------------------------


@pytest.mark.parametrize("refusal", [401, 403, 422])
def test_a_restricted_hashtag_timeline_is_a_warning_when_another_could_be_read(server, fixtures, refusal):
    server.route(TAG, Reply(b'{"error":"This method requires an authenticated user"}', status=refusal,
                            headers=JSON))
    server.route(PUBLIC, page(sample(fixtures, "public_local.json")))
    api = plugin_api(config(server, local_timeline=True))
    items = run(api)
    assert len(items) == 2
    (warning,) = api.warnings
    assert f"shows #Millbrook only to signed-in users, or not at all (HTTP {refusal})" in warning
    assert "access token" in warning and "read:statuses" in warning
    assert "tag:millbrook" not in api.state["cursors"]


def test_when_nothing_could_be_read_the_restriction_is_an_error(server):
    server.route(TAG, Reply(b'{"error":"This method requires an authenticated user"}', status=401, headers=JSON))
    with pytest.raises(SourceError, match=r"shows #Millbrook only to signed-in users.*\(HTTP 401\)") as caught:
        run(plugin_api(config(server)))
    assert "access token" in caught.value.hint


def test_a_refused_access_token_is_an_error(server):
    SecretStore("test").set("access_token", "revoked")
    server.route(TAG, Reply(b'{"error":"The access token is invalid"}', status=401, headers=JSON))
    with pytest.raises(SourceError, match="did not accept the access token"):
        run(plugin_api(config(server)))


def test_an_empty_timeline_is_explained(server):
    server.route(TAG, page(b"[]"))
    api = plugin_api(config(server))
    assert run(api) == []
    (warning,) = api.warnings
    assert "gave no posts for #Millbrook" in warning and "signed-in users" in warning
    assert api.state["cursors"] == {}


# ---- failures -------------------------------------------------------------------------------------


def test_an_unknown_hashtag_or_instance_is_a_clear_error(server):
    server.route(TAG, Reply(b'{"error":"Record not found"}', status=404, headers=JSON))
    with pytest.raises(SourceError, match=r"127.0.0.1 has no #Millbrook to read \(HTTP 404\)") as caught:
        run(plugin_api(config(server)))
    assert "Mastodon server" in caught.value.hint


def test_429_with_a_distant_retry_after_is_reported_with_it(server):
    server.route(TAG, Reply(b'{"error":"Too many requests"}', status=429, headers={**JSON, "Retry-After": "3600"}))
    with pytest.raises(SourceError, match="limiting how often") as caught:
        run(plugin_api(config(server)))
    assert caught.value.retry_after == pytest.approx(3600)


def test_a_server_error_is_retried_then_reported(server, fixtures):
    server.route(TAG, Reply(status=502), page(sample(fixtures, "tag_millbrook_page1.json")))
    assert len(run(plugin_api(config(server)))) == 3  # one retry was enough
    server.route(TAG, Reply(status=503))
    with pytest.raises(SourceError, match=r"problem of its own \(HTTP 503\)"):
        run(plugin_api(config(server)))


@pytest.mark.parametrize("body, message", [
    (b'[{"id": "113540000000000030", "content": ', "not valid JSON"),
    (b'{"error": "Something went wrong"}', "did not send a list of posts for #Millbrook"),
])
def test_malformed_answers_are_clear_errors(server, body, message):
    server.route(TAG, Reply(body, headers=JSON))
    with pytest.raises(SourceError, match=message):
        run(plugin_api(config(server)))


def test_an_unreadable_time_keeps_the_post(server, fixtures):
    posts = json.loads(sample(fixtures, "tag_millbrook_page1.json"))
    posts[0]["created_at"] = "24/11/2026 09:41"
    server.route(TAG, page(json.dumps(posts).encode()))
    api = plugin_api(config(server))
    items = {i.external_id: i for i in run(api)}
    assert items["113540000000000030"].created_at is None
    assert items["113540000000000030"].extra["created_at"] == "24/11/2026 09:41"
    assert items["113540000000000029"].created_at is not None


# ---- through the pipeline into SQLite --------------------------------------------------------------


def test_hashtags_are_read_on_a_computer_with_no_keyring(server, fixtures, store, no_keyring):
    """An access token is only for instances that hide their timelines; without one the keyring is never asked."""
    setup_ward(store)
    with store.write() as db:
        source_store.add(db, "mastodon", "Mastodon", config(server), clock.now_iso())
    server.route(TAG, page(sample(fixtures, "tag_millbrook_page1.json")))
    report = pipeline(store, registry_with(MastodonSource)).fetch()
    assert report.ok, report.outcomes[0].error
    assert report.new == 3


def test_through_the_pipeline_items_are_stored_once_and_survive_a_failed_run(server, fixtures, store):
    setup_ward(store)
    with store.write() as db:
        source_id = source_store.add(db, "mastodon", "Mastodon", config(server), clock.now_iso())
    posts = json.loads(sample(fixtures, "tag_millbrook_page1.json"))
    posts[0]["created_at"] = "not a time"
    server.route(TAG, page(json.dumps(posts).encode()), page(sample(fixtures, "tag_millbrook_newer.json")),
                 Reply(status=500))
    registry = registry_with(MastodonSource)
    first = pipeline(store, registry).fetch()
    assert first.ok, first.outcomes[0].error
    assert first.new == 3 and "1 item(s) had no date" in " ".join(first.outcomes[0].warnings)
    (pothole,) = item_rows(store, "external_id = '113540000000000028'")
    evidence = json.loads(pothole["evidence"])
    assert {"kind": "street", "term": "Oak Road"} in evidence and {"kind": "hashtag", "term": "#Millbrook"} in evidence
    assert pothole["relevance"] >= 0.35 and pothole["created_at"] == "2026-11-24T07:58:02+00:00"
    (undated,) = item_rows(store, "external_id = '113540000000000030'")
    assert undated["created_at"]  # shown as first seen
    assert "class=" not in undated["html"] and 'rel="noopener noreferrer nofollow"' in undated["html"]  # sanitised
    second = pipeline(store, registry).fetch()
    assert (second.new, second.outcomes[0].seen) == (1, 1)
    assert query(server.hits(TAG)[1])["since_id"] == ["113540000000000030"]
    replies = item_rows(store, "external_id IN ('113540000000000030', '113540000000000045')")
    assert len({row["thread_id"] for row in replies}) == 1  # one conversation
    with store.read() as db:
        state_before = db["sources"].get(source_id)["state"]
    third = pipeline(store, registry).fetch()
    assert "HTTP 500" in third.outcomes[0].error
    assert len(item_rows(store)) == 4  # nothing lost
    with store.read() as db:
        assert db["sources"].get(source_id)["state"] == state_before  # the cursor did not move
