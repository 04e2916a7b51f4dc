"""The RSS/Atom plugin against real feed samples served on 127.0.0.1."""

import feedparser
import pytest
from helpers import fetch_with
from localserver import Reply
from nc_rss import RssSource
from nc_rss.opml import import_sources

from networked_councillor.base.errors import ConfigError, SourceError
from networked_councillor.ingest.normalise import normalise
from networked_councillor.plugin_api.feeds import point, to_time


def serve(server, path, body: bytes, **reply):
    return server.route(path, Reply(body, headers={"Content-Type": "application/rss+xml"}, **reply))


def entries(path):
    return feedparser.parse(path.read_bytes()).entries


def test_georss_point_gives_lat_and_lon_the_right_way_round(shared_fixtures):
    entry = entries(shared_fixtures / "feedparser" / "wellformed__geo__georss_point.xml")[0]
    assert point(entry) == (pytest.approx(36.9382), pytest.approx(31.1732))  # feedparser says (lon, lat)


def test_georss_point_without_coordinates_gives_none(shared_fixtures):
    entry = entries(shared_fixtures / "feedparser" / "illformed__geo__georss_point_no_coords.xml")[0]
    assert point(entry) == (None, None)


def test_entries_with_nothing_to_read_are_left_out(server, shared_fixtures):
    body = (shared_fixtures / "feedparser" / "wellformed__geo__georss_point.xml").read_bytes()
    items, _ = fetch_with(RssSource, {"url": serve(server, "/geo.xml", body)})
    assert items == []  # a point with no title, text or link tells a councillor nothing


def test_script_in_entry_content_never_reaches_the_store(server, shared_fixtures):
    body = (shared_fixtures / "feedparser" / "wellformed__sanitize__entry_content_script.xml").read_bytes()
    items, _ = fetch_with(RssSource, {"url": serve(server, "/s.xml", body)})
    assert "<script" in (items[0].html or "")  # the plugin passes it on untouched...
    row = normalise(items[0]).row
    assert "<script" not in row["html"] and "alert" not in row["text"]  # ...and the pipeline removes it


def test_escaped_markup_in_description_is_kept_as_html(server, shared_fixtures):
    body = (shared_fixtures / "feedparser" / "wellformed__rss__item_description_escaped_markup.xml").read_bytes()
    items, _ = fetch_with(RssSource, {"url": serve(server, "/e.xml", body)})
    assert items[0].html and "<" in items[0].html


def test_pubdate_becomes_timezone_aware_utc(shared_fixtures):
    entry = entries(shared_fixtures / "feedparser" / "wellformed__rss__item_pubDate.xml")[0]
    assert to_time(entry["published_parsed"]).isoformat() == "2004-01-01T19:48:21+00:00"


def test_a_dated_item_keeps_the_raw_date_string(server):
    body = (b'<rss version="2.0"><channel><item><title>Bin day moved</title>'
            b"<pubDate>Tue, 24 Nov 2026 10:00:00 +0100</pubDate></item></channel></rss>")
    items, _ = fetch_with(RssSource, {"url": serve(server, "/d.xml", body)})
    assert items[0].created_at.isoformat() == "2026-11-24T09:00:00+00:00"
    assert items[0].extra["published"] == "Tue, 24 Nov 2026 10:00:00 +0100"


@pytest.mark.parametrize("name", [
    "encoding__bozo_double-encoded-html.xml",
    "encoding__demoronize-1.xml",
    "illformed__rss_item_link_corrupted_ampersands.xml",
])
def test_imperfect_feeds_still_give_their_items(server, shared_fixtures, name):
    body = (shared_fixtures / "feedparser" / name).read_bytes()
    items, _ = fetch_with(RssSource, {"url": serve(server, "/f.xml", body)})
    assert len(items) == 1


def test_corrupted_ampersands_give_a_clean_link(server, shared_fixtures):
    body = (shared_fixtures / "feedparser" / "illformed__rss_item_link_corrupted_ampersands.xml").read_bytes()
    items, _ = fetch_with(RssSource, {"url": serve(server, "/f.xml", body)})
    assert items[0].url == "http://link/get?a=1&b=2"


@pytest.mark.parametrize("name", [
    "illformed__aaa_illformed.xml",
    "illformed__rss_empty_document.xml",
    "illformed__rss_incomplete_cdata.xml",
])
def test_unreadable_feeds_are_a_clear_error_not_a_crash(server, shared_fixtures, name):
    body = (shared_fixtures / "feedparser" / name).read_bytes()
    try:
        items, _ = fetch_with(RssSource, {"url": serve(server, "/bad.xml", body)})
    except SourceError as exc:
        assert any(words in str(exc) for words in ("could not be read", "not an RSS or Atom feed", "part-way"))
    else:
        assert items == []  # a well-formed but empty feed is no error


@pytest.mark.parametrize("name", [
    "illformed__always_strip_doctype.xml",
    "illformed__http_high_bit_date.xml",
    "encoding__bozo_http_text_plain.xml",
])
def test_feeds_with_no_items_give_none(server, shared_fixtures, name):
    body = (shared_fixtures / "feedparser" / name).read_bytes()
    items, _ = fetch_with(RssSource, {"url": serve(server, "/empty.xml", body)})
    assert items == []


def test_a_web_page_is_not_mistaken_for_a_feed(server):
    url = server.route("/page", Reply(b"<!doctype html><html><body><p>Welcome</p></body></html>",
                                      headers={"Content-Type": "text/html"}))
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        fetch_with(RssSource, {"url": url})


def test_fixmystreet_ward_feed(server, fixtures):
    body = (fixtures / "feeds" / "fixmystreet_ward.xml").read_bytes()
    items, _ = fetch_with(RssSource, {"url": serve(server, "/rss/reports/Ashcombe/Millbrook", body), "kind": "report"})
    first = items[0]
    assert first.external_id == "https://www.fixmystreet.example/report/7710231"
    assert first.categories == ["Potholes"]
    assert (first.lat, first.lon) == (pytest.approx(52.2841), pytest.approx(-1.1702))
    assert first.kind == "report"
    row = normalise(first).row
    assert "<img" not in row["html"]  # the photo is a remote resource: never loaded
    assert "cyclists swerving" in row["text"]


def test_reddit_atom_authors_links_and_thumbnails(server, fixtures):
    body = (fixtures / "feeds" / "reddit_new.atom").read_bytes()
    items, _ = fetch_with(RssSource, {"url": serve(server, "/r/Ashcombe/new/.rss", body)})
    post, photo = items
    assert post.external_id == "t3_1h2k3l"
    assert post.author.handle == "/u/brookside_bev"
    assert post.author.url == "https://www.reddit.example/user/brookside_bev"
    assert post.title == "Oak Road closure - how long?"
    assert "diversion down Mill Lane" in normalise(post).row["text"]
    assert photo.enclosures[0]["url"] == "https://b.thumbs.example/abc.jpg"
    assert post.created_at.isoformat() == "2026-11-24T11:58:02+00:00"


def test_unchanged_feed_costs_a_304_and_gives_nothing(server, fixtures):
    body = (fixtures / "feeds" / "fixmystreet_ward.xml").read_bytes()
    url = serve(server, "/fms.xml", body, etag='"abc"')
    items, api = fetch_with(RssSource, {"url": url})
    assert len(items) == 3
    again = list(RssSource(api).fetch(None, __import__("threading").Event(), lambda f, m: None))
    assert again == []
    assert server.hits("/fms.xml")[1].headers["if-none-match"] == '"abc"'


def test_missing_url_is_a_clear_error():
    with pytest.raises(SourceError, match="no address"):
        fetch_with(RssSource, {})


def test_opml_import_finds_every_feed_once(fixtures):
    found = import_sources((fixtures / "feeds" / "feeds.opml").read_bytes())
    assert [name for name, _ in found] == ["Ashcombe consultations", "Meetings", "Ashcombe Gazette"]
    assert found[0][1] == {"url": "https://consult.ashcombe.example/feed.rss"}


def test_opml_refuses_entities_and_junk():
    with pytest.raises(ConfigError, match="entities"):
        import_sources(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml/>')
    with pytest.raises(ConfigError, match="not valid OPML"):
        import_sources(b"<opml><body>")
    with pytest.raises(ConfigError, match="not OPML"):
        import_sources(b"<rss/>")


@pytest.mark.parametrize("cut", [0.5, 0.97, -len(b"</channel></rss>") + 3])
def test_a_feed_cut_short_is_a_failed_fetch_not_half_an_item(server, cut):
    whole = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>'
             + b"".join(b"<item><guid>%d</guid><title>Item %d</title><description>All about Oak Road, part %d"
                        b"</description></item>" % (n, n, n) for n in range(40)) + b"</channel></rss>")
    end = int(len(whole) * cut) if isinstance(cut, float) else len(whole) + cut
    with pytest.raises(SourceError, match="stopped part-way through"):
        fetch_with(RssSource, {"url": serve(server, "/cut.xml", whole[:end])})


def test_an_atom_feed_that_ends_whole_is_read(server):
    body = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            b"<entry><id>1</id><title>Oak Road &amp closed</title></entry></feed>")  # ill-formed, but whole
    items, _ = fetch_with(RssSource, {"url": serve(server, "/a.xml", body)})
    assert [i.title for i in items] == ["Oak Road & closed"]
