"""The Bluesky plugin: the real atproto client against a local XRPC server on 127.0.0.1."""

import json
import threading
from datetime import timedelta

import pytest
from helpers import (
    MILLBROOK,
    Poster,
    add_signed_in_source,
    fetch_with,
    item_rows,
    no_sleep,
    peak_memory,
    pipeline,
    plugin_api,
    setup_ward,
)
from nc_bluesky import BlueskySource
from nc_bluesky.richtext import build_facets, graphemes, to_html

from networked_councillor.base import clock
from networked_councillor.base.errors import SourceError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.demo.bluesky import Fault, LocalBluesky, cid_for, did_for
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.plugin_api.source import ReplyTarget
from networked_councillor.replies.posting import post_reply

ME = "cllr-jo-whitfield.bsky.social"
PASSWORD = "abcd-efgh-ijkl-mnop"
NOW = clock.utcnow()


def stamp(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def post(n: int, text: str, *, handle: str = "resident.bsky.social", minutes_ago: float = 10, reply_to=None,
         facets=None, labels=None) -> dict:
    did = did_for(handle)
    uri = f"at://{did}/app.bsky.feed.post/3lx{n:010d}"
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": stamp(minutes_ago), "langs": ["en"]}
    if facets:
        record["facets"] = facets
    if reply_to is not None:
        parent = {"uri": reply_to["uri"], "cid": reply_to["cid"]}
        record["reply"] = {"root": reply_to["record"].get("reply", {}).get("root", parent), "parent": parent}
    return {"uri": uri, "cid": cid_for(uri), "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0],
                                                        "labels": labels or []},
            "record": record, "replyCount": 0, "repostCount": 0, "likeCount": 2, "quoteCount": 0,
            "indexedAt": stamp(minutes_ago - 0.01), "labels": []}


@pytest.fixture
def shared_posts(shared_fixtures):
    return json.loads((shared_fixtures / "bluesky_searchPosts_response.json").read_text())["posts"]


@pytest.fixture
def bsky(shared_posts):
    ward_posts = [post(1, "Huge pothole on Oak Road again #Millbrook", minutes_ago=30),
                  post(2, f"@{ME} when is Mill Lane getting resurfaced?", minutes_ago=20)]
    server = LocalBluesky(shared_posts + ward_posts, accounts={ME: PASSWORD})
    server.profiles[did_for(ME)] = {"did": did_for(ME), "handle": ME, "displayName": "Cllr Jo Whitfield"}
    server.start()
    yield server
    server.close()


def config(server, **extra):
    return {"handle": ME, "service": server.url, "first_days": 3650, **extra}


def signed_in(memory_keyring, source_id="test"):
    SecretStore(source_id).set("app_password", PASSWORD)


def calls(server, method):
    return [params for name, params in server.calls if name == method]


def test_signs_in_once_and_reuses_the_session(bsky, memory_keyring):
    signed_in(memory_keyring)
    items, api = fetch_with(BlueskySource, config(bsky))
    assert len(calls(bsky, "com.atproto.server.createSession")) == 1
    assert SecretStore("test").get("session")  # kept in the keyring, not the database
    assert not any(PASSWORD in json.dumps(v) for v in api.state.values())
    fetch_with(BlueskySource, config(bsky))
    assert len(calls(bsky, "com.atproto.server.createSession")) == 1  # reused, not recreated
    texts = {i.text for i in items}
    assert "Huge pothole on Oak Road again #Millbrook" in texts


def test_ward_terms_become_few_or_queries_with_the_right_parameters(bsky, memory_keyring):
    signed_in(memory_keyring)
    fetch_with(BlueskySource, config(bsky))
    searches = calls(bsky, "app.bsky.feed.searchPosts")
    ward_queries = [p for p in searches if "mentions" not in p]
    assert len(ward_queries) == 1  # Millbrook's terms fit one query
    q = ward_queries[0]
    assert '"Oak Road"' in q["q"] and " OR " in q["q"] and "#Millbrook" in q["q"] and len(q["q"]) <= 250
    assert q["sort"] == "latest" and q["lang"] == "en" and q["limit"] == "100" and q["since"].endswith("Z")
    assert [p["mentions"] for p in searches if "mentions" in p] == [ME]


def test_queries_split_when_the_gazetteer_is_long():
    ward = MILLBROOK.from_dict({**MILLBROOK.to_dict(), "streets": [f"Street Number {n}" for n in range(60)]})
    source = BlueskySource(plugin_api({"handle": ME}, ward=ward))
    queries = source.queries()
    assert len(queries) > 1 and all(len(q) <= 250 for q in queries)
    assert sum(q.count('"Street Number') for q in queries) == 60


def test_pages_with_the_cursor_until_posts_are_older_than_the_last_run(memory_keyring):
    posts = [post(100 + n, f"Bins on Mill Lane, day {n}", minutes_ago=n * 60) for n in range(250)]
    server = LocalBluesky(posts, accounts={ME: PASSWORD})
    server.start()
    try:
        signed_in(memory_keyring)
        items, _ = fetch_with(BlueskySource, config(server))
        assert len({i.external_id for i in items}) == 250
        ward_pages = [p for p in calls(server, "app.bsky.feed.searchPosts") if "mentions" not in p]
        assert [p.get("cursor") for p in ward_pages] == [None, "100", "200"]
        server.calls.clear()
        api = plugin_api(config(server))
        recent = BlueskySource(api).fetch(NOW - timedelta(hours=10), threading.Event(), lambda f, m: None)
        ward_pages = [p for p in calls(server, "app.bsky.feed.searchPosts") if "mentions" not in p]
        assert len(ward_pages) == 1 and len([i for i in recent if "day" in i.text]) <= 100
    finally:
        server.close()


def test_local_accounts_are_read_from_their_feeds(bsky, memory_keyring):
    signed_in(memory_keyring)
    bsky.add_post(post(50, "Council update: road closures this week", handle="ashcombecouncil.bsky.social"))
    items, _ = fetch_with(BlueskySource, config(bsky, accounts=["@ashcombecouncil.bsky.social"]))
    assert calls(bsky, "app.bsky.feed.getAuthorFeed")[0]["actor"] == "ashcombecouncil.bsky.social"
    assert any(i.text.startswith("Council update") for i in items)


def test_real_payloads_map_to_items(bsky, memory_keyring, shared_posts):
    signed_in(memory_keyring)
    items, _ = fetch_with(BlueskySource, config(bsky, search_terms=["redistricting"]))
    by_uri = {i.external_id: i for i in items}
    first = by_uri[shared_posts[0]["uri"]]
    assert first.extra["cid"] == shared_posts[0]["cid"]
    assert first.author.handle == "socpaperbot.bsky.social"
    assert first.author.display_name.startswith("Sociology papers")
    assert first.created_at.tzinfo is not None and first.created_at.isoformat().startswith("2025-05-19T17:10:09")
    assert first.extra["facets"][0]["features"][0]["uri"] == "https://osf.io/v87fn"
    assert '<a href="https://osf.io/v87fn">' in first.html
    assert first.url == "https://bsky.app/profile/socpaperbot.bsky.social/post/3lpk2u6qo222m"
    reply = next(i for i in items if i.parent_id)
    raw_reply = next(p for p in shared_posts if p["uri"] == reply.external_id)
    assert reply.thread_id == raw_reply["record"]["reply"]["root"]["uri"]
    assert reply.engagement == {k: raw_reply[f"{k}Count"] for k in ("like", "reply", "repost", "quote")}
    with_images = next(i for i in items if any(e.get("type") == "image" for e in i.enclosures))
    assert with_images.enclosures[0]["url"].startswith("https://cdn.bsky.app/")
    with_link = next(i for i in items if any(link.get("kind") == "link" for link in i.extra["links"]))
    assert with_link.extra["links"][0]["uri"].startswith("http")
    restricted = [i for i in items if i.extra["restricted"]]
    assert len(restricted) == 4 and all("!no-unauthenticated" in i.extra["labels"] for i in restricted)
    assert all(i.langs in ([], ["en"]) for i in items)


def test_a_wrong_app_password_is_a_plain_error(bsky, memory_keyring):
    SecretStore("test").set("app_password", "wrong-wrong-wrong-wrong")
    with pytest.raises(SourceError, match="did not accept the handle or app password"):
        fetch_with(BlueskySource, config(bsky))


def test_no_app_password_and_no_account_are_explained(bsky, memory_keyring):
    with pytest.raises(SourceError, match="No app password"):
        fetch_with(BlueskySource, config(bsky))
    with pytest.raises(SourceError, match="only lets signed-in accounts search"):
        fetch_with(BlueskySource, {"service": "https://bsky.social"})  # no request is even made
    with pytest.raises(SourceError, match="only lets signed-in accounts search"):
        fetch_with(BlueskySource, {"service": bsky.url})  # the server refuses anonymous search


def test_an_expired_session_is_refreshed_not_recreated(memory_keyring, shared_posts):
    server = LocalBluesky(shared_posts, accounts={ME: PASSWORD}, access_ttl=60)  # expires inside 15 minutes
    server.start()
    try:
        signed_in(memory_keyring)
        fetch_with(BlueskySource, config(server))
        first = SecretStore("test").get("session")
        fetch_with(BlueskySource, config(server))
        assert len(calls(server, "com.atproto.server.createSession")) == 1
        assert calls(server, "com.atproto.server.refreshSession")
        assert SecretStore("test").get("session") != first  # the refreshed session was saved
    finally:
        server.close()


def test_a_refused_session_signs_in_again(bsky, memory_keyring):
    signed_in(memory_keyring)
    fetch_with(BlueskySource, config(bsky))
    bsky.tokens.clear()  # the server forgot every session
    items, _ = fetch_with(BlueskySource, config(bsky))
    assert items and len(calls(bsky, "com.atproto.server.createSession")) == 2


def test_429_with_a_near_reset_waits_then_carries_on(bsky, memory_keyring, monkeypatch):
    signed_in(memory_keyring)
    reset = str(int(clock.utcnow().timestamp()) + 1)
    bsky.faults.append(Fault("app.bsky.feed.searchPosts", 429, b'{"error":"RateLimitExceeded"}',
                             {"RateLimit-Reset": reset, "RateLimit-Remaining": "0"}))
    items, _ = fetch_with(BlueskySource, config(bsky))
    assert items


def test_429_with_a_far_reset_is_reported_with_the_time(bsky, memory_keyring):
    signed_in(memory_keyring)
    reset = str(int(clock.utcnow().timestamp()) + 3600)
    bsky.faults.append(Fault("app.bsky.feed.searchPosts", 429, b'{"error":"RateLimitExceeded"}',
                             {"RateLimit-Reset": reset}, times=5))
    with pytest.raises(SourceError, match="limiting how often") as caught:
        fetch_with(BlueskySource, config(bsky))
    assert caught.value.retry_after == pytest.approx(3600, abs=5)


def test_5xx_is_retried_and_then_reported(bsky, memory_keyring, monkeypatch):
    import nc_bluesky.source as source_module

    monkeypatch.setattr(source_module, "RETRIES", 1)
    signed_in(memory_keyring)
    bsky.faults.append(Fault("app.bsky.feed.searchPosts", 503, b'{"error":"Unavailable"}', times=1))
    assert fetch_with(BlueskySource, config(bsky))[0]
    bsky.faults.append(Fault("app.bsky.feed.searchPosts", 503, b'{"error":"Unavailable"}', times=10))
    with pytest.raises(SourceError, match="HTTP 503"):
        fetch_with(BlueskySource, config(bsky))


def test_malformed_json_is_a_plain_error(bsky, memory_keyring):
    signed_in(memory_keyring)
    bsky.faults.append(Fault("app.bsky.feed.searchPosts", 200, b'{"posts": [{"uri": ', {}))
    with pytest.raises(SourceError, match="could not read"):
        fetch_with(BlueskySource, config(bsky))


def test_thread_shows_parents_replies_and_gaps(bsky, memory_keyring):
    signed_in(memory_keyring)
    root = post(60, "Is the Oak Road closure extended?", minutes_ago=50)
    gone = post(61, "deleted later", minutes_ago=45, reply_to=root)
    middle = post(62, "Yes, two more weeks", handle="council.bsky.social", minutes_ago=40, reply_to=root)
    blocked = post(63, "rude", handle="troll.bsky.social", minutes_ago=35, reply_to=middle)
    leaf = post(64, "Thanks for letting us know", minutes_ago=30, reply_to=middle)
    for p in (root, gone, middle, blocked, leaf):
        bsky.add_post(p)
    bsky.deleted.add(gone["uri"])
    bsky.blocked.add(did_for("troll.bsky.social"))
    source = BlueskySource(plugin_api(config(bsky)))
    items = source.thread(ReplyTarget(middle["uri"], None, root["uri"], {}))
    texts = [i.text for i in items]
    assert texts[0] == root["record"]["text"] and "Yes, two more weeks" in texts
    assert "Thanks for letting us know" in texts
    assert any("blocked" in t for t in texts)
    assert {i.thread_id for i in items} == {root["uri"]}
    with pytest.raises(SourceError, match="deleted"):
        source.thread(ReplyTarget(gone["uri"], None, root["uri"], {}))


def test_a_reply_goes_in_the_right_place_with_correct_facets(bsky, memory_keyring):
    signed_in(memory_keyring)
    root = post(70, "Street light out on Church Walk", minutes_ago=60)
    parent = post(71, "Same outside number 12", handle="neighbour.bsky.social", minutes_ago=50, reply_to=root)
    for p in (root, parent):
        bsky.add_post(p)
    bsky.profiles[did_for("neighbour.bsky.social")] = {"did": did_for("neighbour.bsky.social"),
                                                        "handle": "neighbour.bsky.social"}
    text = ("Diolch! 🙏🏽 Reported to the council: https://www.fixmystreet.com/report/42 "
            "@neighbour.bsky.social #Millbrook #Llanfairpwllgwyngyll 日本語も大丈夫")
    source = BlueskySource(plugin_api(config(bsky)))
    result = source.reply(ReplyTarget(parent["uri"], None, root["uri"], {}), text)
    (created,) = bsky.created
    record = created["record"]
    ref = lambda r: {"uri": r["uri"], "cid": r["cid"]}  # noqa: E731
    assert ref(record["reply"]["parent"]) == ref(parent)
    assert ref(record["reply"]["root"]) == ref(root)  # the thread's root, not the parent
    kinds = sorted(f["features"][0]["$type"].rsplit("#", 1)[1] for f in record["facets"])
    assert kinds == ["link", "mention", "tag", "tag"]
    assert result.external_id == created["uri"] and result.url.startswith("https://bsky.app/profile/")


def test_replying_to_a_top_level_post_makes_it_the_root(bsky, memory_keyring):
    signed_in(memory_keyring)
    top = post(80, "Bins missed on Elm Grove", minutes_ago=5)
    bsky.add_post(top)
    BlueskySource(plugin_api(config(bsky))).reply(ReplyTarget(top["uri"], None, top["uri"], {}), "Reported, thanks")
    reply = bsky.created[0]["record"]["reply"]
    assert reply["root"]["uri"] == reply["parent"]["uri"] == top["uri"] and reply["root"]["cid"] == top["cid"]


def test_too_long_and_deleted_replies_are_refused_clearly(bsky, memory_keyring):
    signed_in(memory_keyring)
    top = post(90, "Fly-tipping on Cooper's Yard", minutes_ago=5)
    bsky.add_post(top)
    source = BlueskySource(plugin_api(config(bsky)))
    long_text = "👍🏽" * 301  # 301 graphemes, 602 code points, 2408 bytes
    assert graphemes(long_text) == 301
    with pytest.raises(SourceError, match="301 characters long; Bluesky takes at most 300"):
        source.reply(ReplyTarget(top["uri"], None, None, {}), long_text)
    assert bsky.created == []
    bsky.deleted.add(top["uri"])
    with pytest.raises(SourceError, match="has been deleted"):
        source.reply(ReplyTarget(top["uri"], None, None, {}), "Thanks, reported")


def test_facets_count_utf8_bytes():
    text = "Cymraeg ✔ ac emoji 👩‍👩‍👧 #Millbrook https://example.org/ŵ"
    facets = build_facets(text, lambda handle: None)
    encoded = text.encode()
    covered = [encoded[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode() for f in facets]
    assert covered == ["#Millbrook", "https://example.org/ŵ"]
    assert graphemes("👩‍👩‍👧") == 1


def test_html_from_facets_escapes_and_ignores_bad_ranges():
    text = "<script>x</script> see https://a.example"
    facets = [{"index": {"byteStart": 23, "byteEnd": 40}, "features": [{"$type": "app.bsky.richtext.facet#link",
                                                                        "uri": "https://a.example"}]},
              {"index": {"byteStart": 5, "byteEnd": 999}, "features": [{"$type": "app.bsky.richtext.facet#link",
                                                                         "uri": "javascript:alert(1)"}]}]
    rendered = to_html(text, facets, lambda did: f"https://bsky.app/profile/{did}")
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert '<a href="https://a.example">https://a.example</a>' in rendered and "javascript" not in rendered


def test_through_the_pipeline_a_reply_is_stored_and_the_item_marked_replied(bsky, memory_keyring, store):
    setup_ward(store)
    add_signed_in_source(store, "bluesky", "Bluesky", config(bsky), {"app_password": PASSWORD})
    report = pipeline(store).fetch()
    assert report.ok, report.outcomes[0].error
    (item,) = item_rows(store, "text LIKE 'Huge pothole on Oak Road%'")
    assert item["relevance"] >= 0.35 and json.loads(item["extra"])["cid"]
    (mention,) = item_rows(store, "mentions_me = 1")
    result = post_reply(Poster(store), item["id"], "Thanks, I've reported it #Millbrook")
    assert item_rows(store, "id = ?", [item["id"]])[0]["state"] == "replied"
    with store.read() as db:
        (draft,) = db.query("SELECT * FROM drafts")
    assert draft["posted_external_id"] == result.external_id and draft["status"] == "posted"
    outcome = pipeline(store).fetch_thread(item["id"])
    assert outcome.seen == 2  # the post and the councillor's reply, now stored in its thread


def test_a_gzip_bomb_from_bluesky_is_stopped_at_the_size_cap(bsky, memory_keyring):
    """The SDK's own httpx client reads through the app's transport, so its answers are capped too."""
    import gzip

    signed_in(memory_keyring)
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))
    bsky.faults.append(Fault("app.bsky.feed.searchPosts", 200, bomb, {"Content-Encoding": "gzip"}, times=5))
    http = HttpClient(timeout=2, max_bytes=4 * 1024 * 1024, sleep=no_sleep)

    def fetch():
        with pytest.raises(SourceError, match="sent more than 4 MB"):
            fetch_with(BlueskySource, config(bsky), http)

    assert peak_memory(fetch) < 48 * 1024 * 1024, "nothing near the inflated size was ever held"
