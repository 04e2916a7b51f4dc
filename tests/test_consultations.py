"""The Citizen Space consultations plugin against Citizen Space-shaped answers served on 127.0.0.1."""

import json
import re
import threading
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import add_source, fetch_with, item_rows, pipeline, plugin_api, registry_with, setup_ward
from localserver import Reply
from nc_consultations import CitizenSpaceSource

from networked_councillor.base.errors import SourceError
from networked_councillor.ingest.normalise import normalise

SEARCH = "/api/2.4/json_search_results"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def samples(fixtures):
    return fixtures / "consultations"


def serve(server, samples, name="search_open.json"):
    server.route(SEARCH, Reply((samples / name).read_bytes(), headers=JSON))


def asked(server) -> list[dict[str, list[str]]]:
    """The query of each search the server saw."""
    return [parse_qs(urlsplit(hit.path).query) for hit in server.hits(SEARCH)]


def fetch_since(config: dict, since: datetime | None):
    api = plugin_api(config)
    return CitizenSpaceSource(api).fetch(since, threading.Event(), lambda f, m: None), api


def by_id(items):
    return {item.external_id: item for item in items}


# ---- the request ------------------------------------------------------------------------------


def test_the_search_asks_for_open_consultations_in_a_postcode_district(server, samples):
    serve(server, samples)
    fetch_with(CitizenSpaceSource, {"base_url": server.base + "/", "postcode_district": " ac4 "})
    assert asked(server) == [{"fields": ["extended"], "st": ["open"], "pc": ["AC4"]}]


@pytest.mark.parametrize(("status", "st"), [("open", ["open"]), ("forthcoming", ["forthcoming"]),
                                            ("closed", ["closed"]), ("all", None)])
def test_each_status_maps_to_the_apis_value(server, samples, status, st):
    serve(server, samples)
    fetch_with(CitizenSpaceSource, {"base_url": server.base, "status": status})
    assert asked(server)[0].get("st") == st


# ---- mapping ----------------------------------------------------------------------------------


def test_consultations_are_mapped_field_by_field(server, samples):
    serve(server, samples)
    items, api = fetch_with(CitizenSpaceSource, {"base_url": server.base})
    parking = by_id(items)["highways-and-transport/oak-road-mill-lane-parking"]
    assert parking.kind == "consultation"
    assert parking.title == "Oak Road and Mill Lane parking review"
    assert parking.url == ("https://consult.ashcombe.example/highways-and-transport/oak-road-mill-lane-parking/"
                           "consult_view")
    assert parking.html.startswith("<p>We are proposing a residents' parking scheme") and parking.text is None
    assert parking.created_at.isoformat() == "2026-11-02T00:00:00+00:00"
    assert parking.extra == {"start": "2026-11-02T00:00:00+00:00", "end": "2026-12-14T23:59:00+00:00",
                             "status": "open", "department": "Highways and Transport",
                             "activity_type": "Online Survey"}
    assert (parking.author.handle, parking.author.display_name) == ("highways-and-transport", "Highways and Transport")
    assert parking.raw["participate_url"].endswith("/consultation")
    assert api.warnings == []


def test_uk_dates_are_made_aware_in_london_time(server, samples):
    serve(server, samples)
    items, _ = fetch_with(CitizenSpaceSource, {"base_url": server.base})
    plan = by_id(items)["planning-policy/local-plan-issues-and-options"]
    assert plan.created_at == datetime(2026, 10, 18, 23, 0, tzinfo=timezone.utc)  # midnight BST on 19 October
    assert plan.extra["start"] == "2026-10-19T00:00:00+01:00"
    assert plan.extra["end"] == "2027-01-11T23:59:00+00:00"


def test_ids_are_unique_across_departments(server, samples):
    serve(server, samples)
    items, _ = fetch_with(CitizenSpaceSource, {"base_url": server.base})
    assert {"parks-and-open-spaces/community-survey", "housing/community-survey"} <= set(by_id(items))


def test_an_overview_without_markup_is_kept_as_text(server, samples):
    serve(server, samples)
    items, _ = fetch_with(CitizenSpaceSource, {"base_url": server.base})
    park = by_id(items)["parks-and-open-spaces/community-survey"]
    assert park.html is None and park.text.startswith("We have funding to replace the play equipment")


def test_the_overview_html_is_sanitised_by_the_pipeline(server, samples):
    serve(server, samples)
    items, _ = fetch_with(CitizenSpaceSource, {"base_url": server.base})
    row = normalise(by_id(items)["highways-and-transport/oak-road-mill-lane-parking"]).row
    assert "<img" not in row["html"] and "<strong>Oak Road</strong>" in row["html"]
    assert "Permits would cost £35 a year." in row["text"]


# ---- paging and incremental fetches ---------------------------------------------------------------


def test_one_answer_holds_every_consultation(server):
    """Citizen Space's search has no pages: one request answers every match."""
    activities = [{"id": f"survey-{n}", "title": f"Survey {n}", "url": f"https://consult.ashcombe.example/d/s{n}/",
                   "status": "open", "overview": "<p>Have your say.</p>", "startdate": "2026/11/02",
                   "enddate": "2026/12/14", "dept": "d", "department": "D"} for n in range(150)]
    server.route(SEARCH, Reply(json.dumps(activities).encode(), headers=JSON))
    items, _ = fetch_with(CitizenSpaceSource, {"base_url": server.base})
    assert len(items) == 150 and len(server.hits(SEARCH)) == 1


@pytest.mark.parametrize(("status", "dk"), [("open", "op"), ("forthcoming", "op"), ("all", "op"), ("closed", "cl")])
def test_a_later_run_asks_only_for_what_opened_or_closed_since(server, samples, status, dk):
    serve(server, samples)
    since = datetime(2026, 11, 20, 0, 30, tzinfo=timezone.utc)
    fetch_since({"base_url": server.base, "status": status}, since)
    (query,) = asked(server)
    assert (query["dk"], query["fd"]) == ([dk], ["19/11/2026"])  # from the day before, UK date


def test_the_uk_date_decides_the_day(server, samples):
    serve(server, samples)
    fetch_since({"base_url": server.base}, datetime(2026, 7, 20, 23, 30, tzinfo=timezone.utc))  # 00:30 BST on the 21st
    assert asked(server)[0]["fd"] == ["20/07/2026"]


# ---- failures ------------------------------------------------------------------------------


def test_a_site_without_citizen_space_is_named(server):
    with pytest.raises(SourceError, match="has no Citizen Space consultation search at") as caught:
        fetch_with(CitizenSpaceSource, {"base_url": server.base})  # nothing served: 404
    assert "Check the consultation site's address" in caught.value.hint


@pytest.mark.parametrize(("reply", "words"), [
    (Reply(status=401), "refused access (HTTP 401)"),
    (Reply(status=502), "had a problem of its own (HTTP 502)"),
    (Reply(b'[{"id": "oak-road", "title": "Oak', headers=JSON), "did not answer like a Citizen Space site"),
    (Reply(b"<!doctype html><html><body>Ashcombe District Council</body></html>",
           headers={"Content-Type": "text/html"}), "did not answer like a Citizen Space site"),
    (Reply(b'{"error": "Not available"}', headers=JSON), "did not answer like a Citizen Space site"),
])
def test_failures_are_plain_errors(server, reply, words):
    server.route(SEARCH, reply)
    with pytest.raises(SourceError, match=re.escape(words)):
        fetch_with(CitizenSpaceSource, {"base_url": server.base})


def test_a_rate_limit_far_off_says_when_to_come_back(server):
    server.route(SEARCH, Reply(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(SourceError, match="limiting how often") as caught:
        fetch_with(CitizenSpaceSource, {"base_url": server.base})
    assert caught.value.retry_after == 3600


def test_odd_dates_keep_the_consultation(server, samples):
    serve(server, samples, "search_odd_dates.json")
    items, api = fetch_with(CitizenSpaceSource, {"base_url": server.base})
    found = by_id(items)
    assert len(items) == 3  # the record with neither id nor address is left out
    shelters = found["highways-and-transport/bus-shelter-designs"]
    assert shelters.created_at is None and shelters.extra["start"] is None and shelters.extra["end"] is None
    assert shelters.raw["startdate"] == "31/13/2026"  # kept as received
    assert found["parks-and-open-spaces/allotment-rents"].created_at is None
    food = found["https://consult.ashcombe.example/waste/food-waste-collections/consult_view"]  # no department
    assert food.created_at.isoformat() == "2026-11-04T00:00:00+00:00" and food.author is None
    assert api.warnings == ["1 consultations had neither an id nor an address and were left out."]


@pytest.mark.parametrize(("config", "words"), [
    ({}, "has no address"),
    ({"base_url": "https://consult.ashcombe.example", "postcode_district": "Millbrook"}, "is not a postcode district"),
    ({"base_url": "https://consult.ashcombe.example", "status": "pending"}, "is not a consultation status"),
])
def test_settings_that_cannot_work_are_explained(config, words):
    with pytest.raises(SourceError, match=words):
        CitizenSpaceSource(plugin_api(config))


# ---- through the pipeline ------------------------------------------------------------------------


def test_through_the_pipeline_into_the_store(server, samples, store):
    setup_ward(store)
    serve(server, samples)
    source_id = add_source(store, "Ashcombe consultations", "", plugin="citizenspace",
                           base_url=server.base, postcode_district="AC4")
    registry = registry_with(CitizenSpaceSource)
    first = pipeline(store, registry).fetch()
    assert first.ok and first.new == 4, [o.summary() for o in first.outcomes]
    rows = {row["external_id"]: row for row in item_rows(store)}
    parking = rows["highways-and-transport/oak-road-mill-lane-parking"]
    assert parking["kind"] == "consultation" and parking["created_at"] == "2026-11-02T00:00:00+00:00"
    evidence = json.loads(parking["evidence"])
    assert {"kind": "street", "term": "Oak Road"} in evidence and {"kind": "street", "term": "Mill Lane"} in evidence
    assert "<img" not in parking["html"]
    assert rows["planning-policy/local-plan-issues-and-options"]["evidence"] is None  # nothing about Millbrook

    server.routes[SEARCH] = [Reply((samples / "search_open_later.json").read_bytes(), headers=JSON)]
    second = pipeline(store, registry).fetch()
    assert second.ok and second.new == 1 and len(item_rows(store)) == 5  # the one seen before is not stored twice
    later = asked(server)[-1]
    assert later["dk"] == ["op"] and later["pc"] == ["AC4"] and "fd" in later
    crossing = item_rows(store, "external_id = 'highways-and-transport/station-road-crossing'")[0]
    assert {"kind": "street", "term": "Station Road"} in json.loads(crossing["evidence"])

    server.routes[SEARCH] = [Reply(b"not json", headers=JSON)]
    failed = pipeline(store, registry).fetch()
    assert "did not answer like a Citizen Space site" in failed.outcomes[0].error
    assert len(item_rows(store)) == 5  # nothing lost
    with store.read() as db:
        assert db["sources"].get(source_id)["last_error"] == failed.outcomes[0].error
