"""The Reddit plugin against a real HTTP server on 127.0.0.1 serving subreddit Atom feeds."""

import json
import threading
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import item_rows, pipeline, plugin_api, registry_with, setup_ward
from localserver import Reply
from nc_reddit import RedditSource
from nc_reddit.entries import strip_boilerplate
from nc_reddit.subreddit import parse_subreddit

from networked_councillor.base import clock
from networked_councillor.base.errors import SourceError
from networked_councillor.ingest.normalise import normalise
from networked_councillor.store import sources as source_store

NEW = "/r/Millbrook/new/.rss"
COMMENTS = "/r/Millbrook/comments/.rss"
ATOM = {"Content-Type": "application/atom+xml; charset=UTF-8"}
LONG_AGO = datetime(2026, 1, 1, tzinfo=timezone.utc)  # a last run far enough back that every sample is new


def sample(fixtures, name: str) -> bytes:
    return (fixtures / "reddit" / name).read_bytes()


def feed(body: bytes, **reply) -> Reply:
    return Reply(body, headers=ATOM, **reply)


def config(server, **extra) -> dict:
    return {"subreddit": server.url("/r/Millbrook"), **extra}


def run(api, since=None) -> list:
    return RedditSource(api).fetch(since, threading.Event(), lambda fraction, message: None)


def query(request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.path).query)


# ---- mapping --------------------------------------------------------------------------------


def test_posts_map_field_by_field_without_reddits_wrapping(server, fixtures):
    server.route(NEW, feed(sample(fixtures, "millbrook_new.atom")))
    items = {i.external_id: i for i in run(plugin_api(config(server)), since=LONG_AGO)}
    assert list(items) == ["t3_1p8k2a", "t3_1p8h7c", "t3_1p8f01"]
    post = items["t3_1p8k2a"]
    assert post.url == "https://www.reddit.com/r/Millbrook/comments/1p8k2a/oak_road_pothole_has_anyone_reported_it/"
    assert post.title == post.thread_title == "Oak Road pothole - has anyone reported it?"
    assert post.thread_id == "t3_1p8k2a" and post.parent_id is None
    assert post.author.handle == "/u/oakroad_jen" and post.author.url == "https://www.reddit.com/user/oakroad_jen"
    assert post.created_at == datetime(2026, 11, 24, 10, 12, 8, tzinfo=timezone.utc)
    assert post.categories == ["Millbrook"] and "link" not in post.extra
    row = normalise(post).row
    assert row["text"] == ("There's a pothole outside number 14 Oak Road that's now big enough to lose a wheel in. "
                           "Has anyone reported it to the council?\nAlso the street light by the Mill Lane junction "
                           "is out.")
    for boilerplate in ("submitted by", "[link]", "[comments]", "SC_OFF", "&#32;"):
        assert boilerplate not in post.html
    assert "SC_ON" in post.raw["content"]  # the entry as received is kept
    photo = items["t3_1p8h7c"]
    assert photo.extra["link"] == "https://www.ashcombegazette.example/news/2026/11/station-road-works"
    assert photo.enclosures[0]["url"] == "https://b.thumbs.redditmedia.com/Xy7ZqLmN4pQ.jpg"
    assert normalise(photo).row["text"] == photo.extra["link"]  # a link post's body is where it leads
    planning = items["t3_1p8f01"]
    assert planning.extra["link"].endswith("applicationDetails.do?keyVal=T5Q2&activeTab=summary")
    assert planning.title == "Planning application for Cooper's Yard flats"


def test_comments_join_the_thread_of_their_post(server, fixtures):
    server.route(NEW, feed(sample(fixtures, "millbrook_new.atom")))
    server.route(COMMENTS, feed(sample(fixtures, "millbrook_comments.atom")))
    items = {i.external_id: i for i in run(plugin_api(config(server, include_comments=True)), since=LONG_AGO)}
    comment = items["t1_m2qk9x1"]
    assert comment.thread_id == comment.parent_id == "t3_1p8k2a" == items["t3_1p8k2a"].thread_id
    assert comment.title is None and comment.thread_title == "Oak Road pothole - has anyone reported it?"
    assert comment.author.handle == "/u/brookside_bev"
    assert comment.created_at == datetime(2026, 11, 24, 10, 31, 52, tzinfo=timezone.utc)  # from <updated>
    assert normalise(comment).row["text"].startswith("Reported it on FixMyStreet on Friday")
    deleted = items["t1_m2qh1a7"]
    assert deleted.author is None and deleted.thread_id == "t3_1p8h7c"
    assert query(server.hits(COMMENTS)[0]) == {"limit": ["100"]}


def test_a_post_whose_author_deleted_their_account_loses_only_the_wrapping(server, fixtures):
    server.route(NEW, feed(sample(fixtures, "millbrook_new_page2.atom")))
    items = {i.external_id: i for i in run(plugin_api(config(server)), since=LONG_AGO)}
    bang = items["t3_1p7v3d"]
    assert bang.author is None
    assert normalise(bang).row["text"] == "Around 11pm, sounded like it came from the park."


def test_the_projects_own_reddit_sample_is_read_too(server, fixtures):
    server.route("/r/Ashcombe/new/.rss", feed((fixtures / "feeds" / "reddit_new.atom").read_bytes()))
    post, photo = run(plugin_api({"subreddit": server.url("/r/Ashcombe/")}), since=LONG_AGO)
    assert post.external_id == "t3_1h2k3l" and "submitted by" not in normalise(post).row["text"]
    assert photo.html is None and photo.enclosures[0]["url"] == "https://b.thumbs.example/abc.jpg"


def test_boilerplate_after_the_authors_words_is_the_only_thing_removed():
    html = ('<!-- SC_OFF --><div class="md"><p>It was submitted by <a href="https://x.example/user/y">me</a></p>'
            '</div><!-- SC_ON --> &#32; submitted by &#32; <a href="https://www.reddit.com/user/jo"> /u/jo </a>'
            ' &#32; to &#32; <a href="https://www.reddit.com/r/Millbrook/"> r/Millbrook </a> <br/>'
            ' <span><a href="https://news.example/a?b=1&amp;c=2">[link]</a></span> &#32;'
            ' <span><a href="https://www.reddit.com/r/Millbrook/comments/1/x/">[comments]</a></span>')
    body, link = strip_boilerplate(html)
    assert body == '<div class="md"><p>It was submitted by <a href="https://x.example/user/y">me</a></p></div>'
    assert link == "https://news.example/a?b=1&c=2"


@pytest.mark.parametrize("typed", [
    "r/Millbrook", "Millbrook", "/r/Millbrook/", "r/Millbrook/new", "https://www.reddit.com/r/Millbrook/new/",
    "https://old.reddit.com/r/Millbrook", "reddit.com/r/Millbrook", "www.reddit.com/r/Millbrook/comments/1p8k2a/x/",
])
def test_the_subreddit_is_read_however_it_is_typed(typed):
    assert parse_subreddit(typed) == ("https://www.reddit.com", "Millbrook")


@pytest.mark.parametrize("typed", ["r/", "u/someone", "Mill Brook", "https://www.reddit.com/user/someone"])
def test_what_is_not_a_subreddit_is_refused(typed):
    with pytest.raises(SourceError, match="is not a subreddit"):
        RedditSource(plugin_api({"subreddit": typed}))


def test_no_subreddit_is_refused():
    with pytest.raises(SourceError, match="has no subreddit"):
        RedditSource(plugin_api({}))


# ---- paging and incremental fetch -------------------------------------------------------------


@pytest.fixture
def small_pages(monkeypatch):
    import nc_reddit.source as source_module

    monkeypatch.setattr(source_module, "PAGE_SIZE", 3)


def test_pages_back_with_after_until_the_listing_runs_out(server, fixtures, small_pages):
    server.route(NEW, feed(sample(fixtures, "millbrook_new.atom"), etag='"p1"'),
                 feed(sample(fixtures, "millbrook_new_page2.atom"), etag='"p2"'))
    api = plugin_api(config(server))
    items = run(api, since=LONG_AGO)
    assert [i.external_id for i in items] == ["t3_1p8k2a", "t3_1p8h7c", "t3_1p8f01", "t3_1p7z9q", "t3_1p7v3d"]
    first, second = server.hits(NEW)
    assert query(first) == {"limit": ["3"]}
    assert query(second) == {"limit": ["3"], "after": ["t3_1p8f01"]}
    assert list(api.state["validators"]) == [server.url(NEW) + "?limit=3"]  # page two's are not worth keeping


def test_paging_stops_at_posts_older_than_the_last_run(server, fixtures, small_pages):
    server.route(NEW, feed(sample(fixtures, "millbrook_new.atom")), feed(sample(fixtures, "millbrook_new_page2.atom")))
    items = run(plugin_api(config(server)), since=datetime(2026, 11, 24, tzinfo=timezone.utc))
    assert len(server.hits(NEW)) == 1 and len(items) == 3  # page one already reaches 23 November


def test_an_unchanged_feed_costs_a_304_and_gives_nothing(server, fixtures):
    server.route(NEW, feed(sample(fixtures, "millbrook_new.atom"), etag='"v1"'))
    api = plugin_api(config(server))
    assert len(run(api, since=LONG_AGO)) == 3
    clock.set_now(clock.utcnow() + timedelta(seconds=61))  # Reddit's minute between reads without a token
    assert run(api, since=LONG_AGO) == []
    assert server.hits(NEW)[1].headers["if-none-match"] == '"v1"'
    assert server.hits(NEW)[1].headers["user-agent"].startswith("networked-councillor/")


def test_a_backlog_beyond_the_page_limit_is_reported(server, fixtures, small_pages, monkeypatch):
    import nc_reddit.source as source_module

    monkeypatch.setattr(source_module, "MAX_PAGES", 1)
    server.route(NEW, feed(sample(fixtures, "millbrook_new.atom")))
    api = plugin_api(config(server))
    run(api, since=LONG_AGO)
    assert api.warnings == ["r/Millbrook had more than 3 new posts; the oldest of them were left out."]


# ---- failures -------------------------------------------------------------------------------------


def test_429_is_explained_with_when_the_app_will_try_again(server):
    server.route(NEW, Reply(b"Too Many Requests", status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(SourceError, match=r"Reddit is limiting how often the app may read r/Millbrook \(HTTP 429\)"
                       ) as caught:
        run(plugin_api(config(server)))
    assert caught.value.retry_after == pytest.approx(3600)
    assert "The app will try again after" in caught.value.hint


def test_a_short_retry_after_is_waited_out(server, fixtures):
    server.route(NEW, Reply(b"", status=429, headers={"Retry-After": "2"}),
                 feed(sample(fixtures, "millbrook_new.atom")))
    assert len(run(plugin_api(config(server)), since=LONG_AGO)) == 3
    assert len(server.hits(NEW)) == 2


def test_403_says_reddit_may_be_blocking_the_app(server):
    server.route(NEW, Reply(b"<html><body>You've been blocked by network security.</body></html>", status=403,
                            headers={"Content-Type": "text/html"}))
    with pytest.raises(SourceError, match=r"Reddit refused to show r/Millbrook \(HTTP 403\)") as caught:
        run(plugin_api(config(server)))
    assert "blocks some apps and networks" in caught.value.hint


def test_an_unknown_subreddit_is_a_clear_error(server):
    with pytest.raises(SourceError, match=r"Reddit has no subreddit called r/Millbrook \(HTTP 404\)"):
        run(plugin_api(config(server)))  # nothing is served at all


def test_a_server_error_is_retried_then_reported(server):
    server.route(NEW, Reply(b"", status=502))
    with pytest.raises(SourceError, match=r"problem of its own \(HTTP 502\)"):
        run(plugin_api(config(server)))
    assert len(server.hits(NEW)) == 4  # the first try and three retries


def test_unreadable_xml_and_a_cut_off_feed_are_clear_errors(server, fixtures):
    server.route(NEW, feed(b"<?xml version='1.0'?>\n{{ not a feed"))
    with pytest.raises(SourceError, match="could not be read"):
        run(plugin_api(config(server)))
    server.route(NEW, Reply(b"<!doctype html><html><title>reddit.com: over capacity</title></html>",
                            headers={"Content-Type": "text/html"}))
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        run(plugin_api(config(server)))
    cut = sample(fixtures, "millbrook_new.atom")
    server.route(NEW, feed(cut[: cut.index(b"<entry>", cut.index(b"t3_1p8k2a"))]))
    with pytest.raises(SourceError, match="stopped part-way through"):  # the entries after it were lost too
        run(plugin_api(config(server)), since=LONG_AGO)


def test_an_unreadable_date_keeps_the_item(server, fixtures):
    body = sample(fixtures, "millbrook_new.atom").replace(
        b"<updated>2026-11-24T10:12:08+00:00</updated><published>2026-11-24T10:12:08+00:00</published>",
        b"<updated>Tuesday morning</updated><published>24/11/2026</published>")
    server.route(NEW, feed(body))
    api = plugin_api(config(server))
    items = {i.external_id: i for i in run(api, since=LONG_AGO)}
    assert items["t3_1p8k2a"].created_at is None and items["t3_1p8h7c"].created_at is not None



# ---- through the pipeline into SQLite --------------------------------------------------------------


def test_through_the_pipeline_posts_and_comments_are_stored_and_survive_a_failed_run(server, fixtures, store):
    setup_ward(store)
    with store.write() as db:
        source_id = source_store.add(db, "reddit", "r/Millbrook", config(server, include_comments=True),
                                     clock.now_iso())
    server.route(NEW, feed(sample(fixtures, "millbrook_new.atom"), etag='"n1"'), Reply(status=403))
    server.route(COMMENTS, feed(sample(fixtures, "millbrook_comments.atom")))
    registry = registry_with(RedditSource)
    first = pipeline(store, registry).fetch()
    assert first.ok, first.outcomes[0].error
    assert first.new == 6
    (post,) = item_rows(store, "external_id = 't3_1p8k2a'")
    assert json.loads(post["evidence"]) == [{"kind": "street", "term": "Oak Road"},
                                            {"kind": "street", "term": "Mill Lane"}]
    assert post["relevance"] >= 0.35 and "submitted by" not in post["text"] and "class=" not in post["html"]
    (comment,) = item_rows(store, "external_id = 't1_m2qk9x1'")
    assert comment["thread_id"] == post["thread_id"] and comment["parent_external_id"] == "t3_1p8k2a"
    with store.read() as db:
        (thread,) = db.query("SELECT * FROM threads WHERE id = ?", [post["thread_id"]])
        state_before = db["sources"].get(source_id)["state"]
    assert thread["title"] == "Oak Road pothole - has anyone reported it?"
    clock.set_now(clock.utcnow() + timedelta(seconds=61))
    second = pipeline(store, registry).fetch()
    assert "Reddit refused to show r/Millbrook (HTTP 403)" in second.outcomes[0].error
    assert server.hits(NEW)[1].headers["if-none-match"] == '"n1"'
    assert len(item_rows(store)) == 6  # nothing lost
    with store.read() as db:
        assert db["sources"].get(source_id)["state"] == state_before


# ---- the supported way: a private feed token, and Reddit's stated rate ----------------------------


def test_a_private_feed_token_is_sent_but_never_kept_in_the_state(server, fixtures):
    server.route(NEW, feed(sample(fixtures, "millbrook_new.atom"), etag='"v1"'))
    api = plugin_api(config(server, feed_user="jo_whitfield"))
    api.secrets.set("feed_token", "0123456789abcdef")
    assert len(run(api, since=LONG_AGO)) == 3
    sent = query(server.hits(NEW)[0])
    assert sent["feed"] == ["0123456789abcdef"] and sent["user"] == ["jo_whitfield"] and sent["limit"] == ["100"]
    assert "0123456789abcdef" not in json.dumps(api.state)  # the state is saved in the database
    assert "next_read_at" not in api.state  # with a token, no minute's wait unless Reddit asks for one


def test_a_read_too_soon_is_skipped_and_said_and_reddits_stated_reset_is_kept(server, fixtures):
    server.route(NEW, Reply(sample(fixtures, "millbrook_new.atom"), headers={
        **ATOM, "x-ratelimit-remaining": "0", "x-ratelimit-reset": "300", "x-ratelimit-used": "100"}))
    api = plugin_api(config(server))
    assert len(run(api, since=LONG_AGO)) == 3
    clock.set_now(clock.utcnow() + timedelta(seconds=120))
    assert run(api, since=LONG_AGO) == [] and len(server.hits(NEW)) == 1
    assert "Not read this time: Reddit allows apps that are not signed in only so many reads" in api.warnings[-1]
    clock.set_now(clock.utcnow() + timedelta(seconds=200))
    assert len(run(api, since=LONG_AGO)) == 3 and len(server.hits(NEW)) == 2


def test_a_refusal_without_a_token_points_to_the_feed_token(server):
    server.route(NEW, Reply(b"blocked", status=403, headers={"Content-Type": "text/html"}))
    with pytest.raises(SourceError) as caught:
        run(plugin_api(config(server)))
    assert "private feed token (reddit.com/prefs/feeds" in caught.value.hint
