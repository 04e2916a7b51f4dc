"""The FixMyStreet plugin against FixMyStreet-shaped feeds served on 127.0.0.1."""

import json
import re
import threading
from datetime import datetime, timezone

import pytest
from helpers import add_source, fetch_with, item_rows, pipeline, plugin_api, registry_with, setup_ward
from localserver import Reply
from nc_fixmystreet import FixMyStreetSource
from nc_fixmystreet.urls import short_name

from networked_councillor.base import clock
from networked_councillor.base.errors import SourceError
from networked_councillor.ingest.normalise import normalise

RSS = {"Content-Type": "application/xml; charset=utf-8"}  # what FixMyStreet sends
WARD_PATH = "/rss/reports/Ashcombe/Millbrook"
COUNCIL_PATH = "/rss/reports/Ashcombe"


@pytest.fixture
def samples(fixtures):
    return fixtures / "fixmystreet"


def ward_config(server, **extra):
    return {"base_url": server.base, "council": "Ashcombe District Council", "ward": "Millbrook", **extra}


def serve_ward(server, samples, name="ward_millbrook.xml", **reply):
    server.route(WARD_PATH, Reply((samples / name).read_bytes(), headers=RSS, **reply))


def by_id(items):
    return {item.external_id: item for item in items}


# ---- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "short"), [
    ("Ashcombe District Council", "Ashcombe"),
    ("King's Lynn and West Norfolk Borough Council", "King%27s+Lynn+and+West+Norfolk"),
    ("Royal Borough of Kingston upon Thames", "Kingston+upon+Thames"),
    ("Bishop's Cleeve & Woodmancote", "Bishop%27s+Cleeve+and+Woodmancote"),
    ("Durham County Council", "Durham+County"),
    ("Ynys Môn", "Ynys+M%C3%B4n"),
    ("St. Mary's/St. John's", "St.+Mary%27s_St.+John%27s"),
])
def test_names_are_written_as_fixmystreet_writes_them(name, short):
    assert short_name(name) == short


def test_the_ward_feed_is_asked_for_by_council_and_ward(server, samples):
    serve_ward(server, samples)
    items, _ = fetch_with(FixMyStreetSource, ward_config(server))
    assert len(items) == 4
    (hit,) = server.hits(WARD_PATH)
    assert hit.path == WARD_PATH  # no ?state=: FixMyStreet's ward feeds do not read it


def test_names_with_apostrophes_reach_the_right_address(server, samples):
    path = "/rss/reports/King%27s+Lynn+and+West+Norfolk/St.+Margaret%27s+with+St.+Nicholas"
    server.route(path, Reply((samples / "ward_millbrook.xml").read_bytes(), headers=RSS))
    items, _ = fetch_with(FixMyStreetSource, {"base_url": server.base,
                                              "council": "King's Lynn and West Norfolk Borough Council",
                                              "ward": "St. Margaret's with St. Nicholas"})
    assert len(items) == 4 and len(server.hits(path)) == 1


def test_an_area_feed_is_asked_for_by_mapit_id(server, samples):
    server.route("/rss/area/164872", Reply((samples / "area_164872.xml").read_bytes(), headers=RSS))
    items, _ = fetch_with(FixMyStreetSource, {"base_url": server.base, "area_id": "164872"})
    assert items[0].extra["feed"] == "area"
    assert items[0].extra["area_id"] == 164872 and items[0].extra["ward_feed"] is True
    assert items[0].extra["area"] == "Millbrook"  # from the feed's title
    assert items[0].extra["address"] == "14, Oak Road, Millbrook, Ashcombe; Millbrook"


def test_an_empty_area_id_from_the_settings_form_is_not_an_area(server, samples):
    server.route("/rss/l/52.2841,-1.1702", Reply((samples / "local_fixed.xml").read_bytes(), headers=RSS))
    items, _ = fetch_with(FixMyStreetSource, {"base_url": server.base, "area_id": 0, "lat": 52.2841, "lon": -1.1702})
    assert items[0].extra["feed"] == "point"


def test_a_point_feed_carries_radius_and_state(server, samples):
    server.route("/rss/l/52.2841,-1.1702/2", Reply((samples / "local_fixed.xml").read_bytes(), headers=RSS))
    items, _ = fetch_with(FixMyStreetSource, {"base_url": server.base, "lat": "52.2841", "lon": "-1.1702",
                                              "radius_km": "2", "state": "fixed"})
    (hit,) = server.hits("/rss/l/52.2841,-1.1702/2")
    assert hit.path.endswith("?state=fixed")
    assert {item.extra["state"] for item in items} == {"fixed"}  # every report in this feed is fixed
    assert "ward_feed" not in items[0].extra  # a circle is not the ward


def test_state_on_a_ward_feed_is_explained_not_sent(server, samples):
    serve_ward(server, samples)
    items, api = fetch_with(FixMyStreetSource, ward_config(server, state="open"))
    assert len(items) == 4 and server.hits(WARD_PATH)[0].path == WARD_PATH
    assert "ward and area feeds list every report" in api.warnings[0]
    assert "state" not in items[0].extra  # the feed does not say


# ---- mapping ----------------------------------------------------------------------------------


def test_reports_are_mapped_field_by_field(server, samples):
    serve_ward(server, samples)
    items, _ = fetch_with(FixMyStreetSource, ward_config(server))
    pothole = by_id(items)["7710231"]
    assert pothole.url == "https://www.fixmystreet.example/report/7710231"
    assert pothole.title == "Deep pothole by the bus stop"  # without the date FixMyStreet appends
    assert pothole.raw["title"] == "Deep pothole by the bus stop, 16th November"  # as FixMyStreet writes it
    assert pothole.kind == "report" and pothole.categories == ["Potholes"]
    assert (pothole.lat, pothole.lon) == (pytest.approx(52.2841), pytest.approx(-1.1702))
    assert pothole.created_at == datetime(2026, 11, 16, 8, 14, 3, tzinfo=timezone.utc)
    assert pothole.enclosures == [{"url": "https://www.fixmystreet.example/photo/7710231.0.jpeg?0f3c9a1b",
                                   "type": "image"}]
    assert pothole.author is None  # FixMyStreet's feeds never name the reporter
    assert pothole.extra == {
        "feed": "ward", "council": "Ashcombe District Council", "ward": "Millbrook", "ward_feed": True,
        "address": "14, Oak Road, Millbrook, Ashcombe; Millbrook ward, Ashcombe District Council",
        "published": "Mon, 16 Nov 2026 08:14:03 +0000",
        "feed_title": "New problems for Ashcombe District Council within Millbrook ward on FixMyStreet",
    }
    json.dumps(pothole.raw)  # the raw payload is JSON-able
    summer = by_id(items)["7702215"]
    assert summer.created_at.isoformat() == "2026-08-21T20:40:55+00:00"  # +0100 in August
    assert summer.extra["address"] == "Millbrook ward, Ashcombe District Council"  # no pin on the map
    assert by_id(items)["7698812"].extra["address"].startswith("Cooper's Yard, Millbrook")


def test_the_description_is_decoded_exactly_once(server, samples):
    serve_ward(server, samples)
    items, _ = fetch_with(FixMyStreetSource, ward_config(server))
    sign = normalise(by_id(items)["7709874"]).row
    assert sign["title"] == "Speed sign says <20 & nobody slows"
    assert ('The new sign on Mill Lane says <20 but drivers still do 40. Someone has written "<b>SLOW</b>" '
            'on the post, and "&lt;" in marker underneath.') in sign["text"]
    assert "<b>" not in sign["html"]  # the resident's words stay words, never markup
    assert "Report on FixMyStreet" in sign["text"]


def test_photos_are_dropped_and_line_breaks_kept(server, samples):
    serve_ward(server, samples)
    items, _ = fetch_with(FixMyStreetSource, ward_config(server))
    row = normalise(by_id(items)["7710231"]).row
    assert "<img" not in row["html"] and "fixmystreet.example/photo" not in row["html"]
    assert "to avoid it.\nAbout a foot across & getting deeper" in row["text"]
    assert "Nearest road to the pin placed on the map" in row["text"]


def test_a_title_that_looks_like_html_stays_plain_text(server):
    body = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            b"<link>http://x.example/reports/Ashcombe/Millbrook</link><item>"
            b"<title>Sign saying &lt;b&gt;SLOW&lt;/b&gt; knocked over, 3rd November</title>"
            b"<link>https://www.fixmystreet.example/report/42</link>"
            b"<description>It lies in the verge.</description></item></channel></rss>")
    server.route(WARD_PATH, Reply(body, headers=RSS))
    (item,), _ = fetch_with(FixMyStreetSource, ward_config(server))
    assert item.title == "Sign saying <b>SLOW</b> knocked over"


# ---- paging and incremental fetches ---------------------------------------------------------------


def test_the_one_feed_is_all_there_is(server, samples):
    """FixMyStreet's feeds have no further pages: one request reads everything there is."""
    serve_ward(server, samples)
    items, _ = fetch_with(FixMyStreetSource, ward_config(server))
    assert len(items) == 4 and len(server.hits(WARD_PATH)) == 1


def test_a_full_feed_of_new_reports_says_some_may_be_missed(server):
    reports = "".join(
        f"<item><title>Report {n}, 16th November</title><link>https://www.fixmystreet.example/report/{n}</link>"
        f"<description>Pothole {n}</description><pubDate>Mon, 16 Nov 2026 10:{n:02d}:00 +0000</pubDate></item>"
        for n in range(20))
    body = f'<rss version="2.0"><channel><title>t</title>{reports}</channel></rss>'.encode()
    server.route(WARD_PATH, Reply(body, headers=RSS))
    api = plugin_api(ward_config(server))
    since = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)
    items = FixMyStreetSource(api).fetch(since, threading.Event(), lambda f, m: None)
    assert len(items) == 20
    assert "some may have been missed" in api.warnings[0]


def test_a_second_run_asks_only_whether_the_feed_changed(server, samples):
    serve_ward(server, samples, etag='"fms-1"')
    items, api = fetch_with(FixMyStreetSource, ward_config(server))
    assert len(items) == 4
    again = FixMyStreetSource(api).fetch(clock.utcnow(), threading.Event(), lambda f, m: None)
    assert again == []
    assert server.hits(WARD_PATH)[1].headers["if-none-match"] == '"fms-1"'


# ---- failures ------------------------------------------------------------------------------


def test_an_unknown_council_is_named(server):
    with pytest.raises(SourceError, match='does not know the council "Ashcombe District Council"') as caught:
        fetch_with(FixMyStreetSource, ward_config(server))  # nothing is served: 404 everywhere
    assert "/reports" in caught.value.hint


def test_an_unknown_ward_is_named(server, samples):
    server.route(COUNCIL_PATH, Reply((samples / "council_ashcombe.xml").read_bytes(), headers=RSS))
    with pytest.raises(SourceError, match='knows the council "Ashcombe District Council" but not a ward called '
                                          '"Milbrook"') as caught:
        fetch_with(FixMyStreetSource, ward_config(server, ward="Milbrook"))
    assert caught.value.hint.startswith(f"Check the ward's name on {server.base}/reports/Ashcombe")


def test_fixmystreets_redirect_for_an_unknown_ward_is_caught(server, samples):
    """FixMyStreet answers an unknown ward with the whole council's feed, not a 404."""
    server.route(WARD_PATH, Reply(status=302, headers={"Location": COUNCIL_PATH}))
    server.route(COUNCIL_PATH, Reply((samples / "council_ashcombe.xml").read_bytes(), headers=RSS))
    with pytest.raises(SourceError, match='not a ward called "Millbrook"'):
        fetch_with(FixMyStreetSource, ward_config(server))


def test_fixmystreets_redirect_for_an_unknown_council_is_caught(server, samples):
    """FixMyStreet answers an unknown council with its all-reports web page, not a 404."""
    page = Reply((samples / "reports_page.html").read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})
    server.route("/reports", page)
    server.route(WARD_PATH, Reply(status=302, headers={"Location": "/reports"}))
    server.route(COUNCIL_PATH, Reply(status=302, headers={"Location": "/reports"}))
    with pytest.raises(SourceError, match='does not know the council "Ashcombe District Council"'):
        fetch_with(FixMyStreetSource, ward_config(server))


def test_an_unknown_area_is_named(server):
    with pytest.raises(SourceError, match="has no area with MapIt id 999999"):
        fetch_with(FixMyStreetSource, {"base_url": server.base, "area_id": 999999})


@pytest.mark.parametrize(("reply", "words"), [
    (Reply(status=401), "refused access (HTTP 401)"),
    (Reply(status=500), "had a problem of its own (HTTP 500)"),
    (Reply(b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>New problems</title>\n</chan', headers=RSS),
     "could not be read"),
])
def test_failures_are_plain_errors(server, reply, words):
    server.route(WARD_PATH, reply)
    with pytest.raises(SourceError, match=re.escape(words)):
        fetch_with(FixMyStreetSource, ward_config(server))


def test_a_rate_limit_far_off_says_when_to_come_back(server):
    server.route(WARD_PATH, Reply(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(SourceError, match="limiting how often") as caught:
        fetch_with(FixMyStreetSource, ward_config(server))
    assert caught.value.retry_after == 3600
    assert len(server.hits(WARD_PATH)) == 1  # no point knocking again within the hour


def test_an_unreadable_date_keeps_the_report(server, samples):
    body = (samples / "ward_millbrook.xml").read_bytes().replace(
        b"Mon, 16 Nov 2026 08:14:03 +0000", b"Monday the sixteenth")
    server.route(WARD_PATH, Reply(body, headers=RSS))
    items, api = fetch_with(FixMyStreetSource, ward_config(server))
    pothole = by_id(items)["7710231"]
    assert pothole.created_at is None  # the store shows it as of when first seen
    assert pothole.extra["published"] == "Monday the sixteenth"
    assert api.warnings == []  # the pipeline says how many items came undated


def test_an_older_site_title_gives_the_time_when_the_date_is_unreadable(server, fixtures):
    body = (fixtures / "feeds" / "fixmystreet_ward.xml").read_bytes().replace(
        b"Mon, 16 Nov 2026 08:14:03 +0000", b"not a date")
    server.route(WARD_PATH, Reply(body, headers=RSS))
    items, api = fetch_with(FixMyStreetSource, ward_config(server))
    pothole = by_id(items)["7710231"]
    assert pothole.title == "Deep pothole by the bus stop"
    assert pothole.created_at.isoformat() == "2026-11-16T08:14:00+00:00"
    assert api.warnings == []


@pytest.mark.parametrize(("config", "words"), [
    ({}, "no ward, area or place"),
    ({"ward": "Millbrook"}, "a ward but no council"),
    ({"area_id": "Millbrook"}, "is not a MapIt area id"),
    ({"lat": "52.28"}, "both a latitude and a longitude"),
    ({"lat": "north", "lon": "-1.17"}, "is not a latitude"),
    ({"lat": "52.28", "lon": "-1.17", "radius_km": "500"}, "not one FixMyStreet accepts"),
    ({"council": "Ashcombe", "state": "mended"}, "not a report state"),
])
def test_settings_that_cannot_work_are_explained(config, words):
    with pytest.raises(SourceError, match=words):
        FixMyStreetSource(plugin_api(config))


# ---- through the pipeline ------------------------------------------------------------------------


def test_through_the_pipeline_into_the_store(server, samples, store):
    setup_ward(store)
    serve_ward(server, samples, etag='"fms-1"')
    source_id = add_source(store, "FixMyStreet: Millbrook", "", plugin="fixmystreet", **ward_config(server))
    registry = registry_with(FixMyStreetSource)
    report = pipeline(store, registry).fetch()
    assert report.ok and report.new == 4, [o.summary() for o in report.outcomes]
    rows = {row["external_id"]: row for row in item_rows(store)}
    pothole = rows["7710231"]
    evidence = json.loads(pothole["evidence"])
    assert {"kind": "boundary", "term": "inside the ward boundary"} in evidence
    assert {"kind": "street", "term": "Oak Road"} in evidence
    assert {"kind": "place", "term": "Millbrook"} in evidence  # the ward named in extra["address"]
    assert (pothole["lat"], pothole["lon"]) == (pytest.approx(52.2841), pytest.approx(-1.1702))
    assert pothole["created_at"] == "2026-11-16T08:14:03+00:00"
    assert "<img" not in pothole["html"] and "<b>" not in rows["7709874"]["html"]

    second = pipeline(store, registry).fetch()  # unchanged: a 304, nothing stored twice
    assert second.ok and second.new == 0 and len(item_rows(store)) == 4
    assert server.hits(WARD_PATH)[-1].headers["if-none-match"] == '"fms-1"'

    server.routes[WARD_PATH] = [Reply(status=503)]
    failed = pipeline(store, registry).fetch()
    assert "HTTP 503" in failed.outcomes[0].error
    assert len(item_rows(store)) == 4  # nothing lost
    with store.read() as db:
        assert db["sources"].get(source_id)["last_error"] == failed.outcomes[0].error


def test_a_later_feed_updates_in_place(server, samples, store):
    setup_ward(store)
    serve_ward(server, samples)
    add_source(store, "FixMyStreet: Millbrook", "", plugin="fixmystreet", **ward_config(server))
    registry = registry_with(FixMyStreetSource)
    pipeline(store, registry).fetch()
    newer = (samples / "ward_millbrook.xml").read_bytes().replace(
        b"Deep pothole by the bus stop, 16th November", b"Deep pothole by the bus stop (now coned off), 16th November")
    server.routes[WARD_PATH] = [Reply(newer, headers=RSS)]
    outcome = pipeline(store, registry).fetch().outcomes[0]
    assert (outcome.new, outcome.updated, outcome.unchanged) == (0, 1, 3)
    (row,) = item_rows(store, "external_id = '7710231'")
    assert row["title"] == "Deep pothole by the bus stop (now coned off)"


def test_the_ward_setups_area_source_finds_the_ward(server, samples, store):
    """The source a ward set-up adds (an area feed by MapIt id) needs nothing more to count as the ward's."""
    setup_ward(store)
    server.route("/rss/area/164872", Reply((samples / "area_164872.xml").read_bytes(), headers=RSS))
    add_source(store, "FixMyStreet: Millbrook", "", plugin="fixmystreet",
               base_url=server.base, area_id=164872, state="all")
    assert pipeline(store, registry_with(FixMyStreetSource)).fetch().new == 2
    for row in item_rows(store):
        evidence = json.loads(row["evidence"])
        assert {"kind": "place", "term": "Millbrook"} in evidence
        assert {"kind": "boundary", "term": "inside the ward boundary"} in evidence
        assert {"kind": "ward feed", "term": "a feed for this ward"} in evidence  # from the item, not the config


@pytest.mark.parametrize("sent, title", [
    ("Deep pothole by the bus stop, 16th November", "Deep pothole by the bus stop"),
    ("Street light out, 21st August 2025", "Street light out"),
    ("Food caddy not collected Linden Drive, 17:19, Sun 6 December 2026", "Food caddy not collected Linden Drive"),
    ("Broken bench, Millbrook Green", "Broken bench, Millbrook Green"),  # a comma of the resident's own
    ("1st November", "1st November"),  # nothing would be left: kept whole
])
def test_the_date_fixmystreet_appends_to_a_title_is_left_off(sent, title):
    from networked_councillor.plugin_api.feeds import report_title

    assert report_title(sent)[0] == title
