"""The planning plugin against planning.data.gov.uk and PlanIt, each served on 127.0.0.1.

The samples in fixtures/planning/ follow each service's real JSON (see the README there).
"""

import json
import math
import re
import threading
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import pytest
from helpers import MILLBROOK, fetch_with, item_rows, pipeline, plugin_api, registry_with, setup_ward
from localserver import Reply
from nc_planning import PlanningSource
from nc_planning.geometry import MAX_WKT_CHARS, boundary_wkt, point_lat_lon

from networked_councillor.base import clock
from networked_councillor.base.errors import SourceError
from networked_councillor.base.ward import WardProfile
from networked_councillor.ingest.source_config import validate
from networked_councillor.ingest.wardsetup import WardSetup, default_sources
from networked_councillor.store import sources as source_store

LONDON = ZoneInfo("Europe/London")
PLANNING_DATA = "/entity.json"
PLANIT = "/api/applics/json"


def answer(fixtures, name: str) -> Reply:
    return Reply((fixtures / "planning" / name).read_bytes(), headers={"Content-Type": "application/json"})


def pages(fixtures, service: str) -> list[Reply]:
    return [answer(fixtures, f"{service}_page1.json"), answer(fixtures, f"{service}_page2.json")]


@pytest.fixture
def planning_data(server, fixtures):
    server.route(PLANNING_DATA, *pages(fixtures, "planning_data"))
    return server


@pytest.fixture
def planit(server, fixtures):
    server.route(PLANIT, *pages(fixtures, "planit"))
    return server


def planning_data_config(server, **extra) -> dict:
    return {"provider": "planning.data.gov.uk", "service_url": server.url(PLANNING_DATA), **extra}


def planit_config(server, **extra) -> dict:
    return {"provider": "planit", "service_url": server.url(PLANIT), "postcode": "ac4  2bd", "radius_km": "0.8",
            **extra}


def asked(server, path: str) -> list[dict]:
    return [dict(parse_qsl(r.path.partition("?")[2])) for r in server.hits(path)]


def today() -> date:
    return clock.today(LONDON)


def by_id(items) -> dict:
    return {item.external_id: item for item in items}


# ---- planning.data.gov.uk -----------------------------------------------------------------------

def test_planning_data_applications_map_field_by_field(planning_data):
    items, api = fetch_with(PlanningSource, planning_data_config(planning_data))
    found = by_id(items)
    assert set(found) == {"101/26/00412/FUL", "101/26/00398/HOU", "101/26/00455/ADV"}
    homes = found["101/26/00412/FUL"]
    assert homes.kind == "planning"
    assert homes.title == ("26/00412/FUL: Erection of 14 dwellings with new vehicular access from Mill Lane, "
                           "parking, landscaping…")
    assert homes.text.endswith("following demolition of the existing agricultural buildings")
    assert (homes.lat, homes.lon) == (pytest.approx(52.2853), pytest.approx(-1.1651))  # WKT says longitude first
    assert homes.extra["address"] == "Land at Oak Road, Millbrook, Ashcombe AC4 2BD"
    assert homes.url == ("https://planning.ashcombe.example/online-applications/applicationDetails.do"
                         "?keyVal=26-00412-FUL")
    assert homes.created_at.isoformat() == "2026-11-02T00:00:00+00:00"  # a day in winter: UK time is UTC
    assert homes.updated_at is None
    assert homes.extra["status"] == "validated" and homes.extra["decision"] == ""
    assert homes.categories == ["full"]
    assert "geometry" not in homes.raw and homes.raw["entity"] == 10000412001

    extension = found["101/26/00398/HOU"]
    assert extension.created_at.isoformat() == "2026-06-14T00:00:00+01:00"  # a day in summer starts at 23:00 UTC
    assert extension.extra["decided_at"] == "2026-07-09T00:00:00+01:00"
    assert (extension.extra["status"], extension.extra["decision"]) == ("decided", "approved")
    assert extension.extra["decision_type"] == "delegated"
    assert extension.url == "https://www.planning.data.gov.uk/entity/10000398002"  # no council page: the dataset's

    sign = found["101/26/00455/ADV"]
    assert sign.extra["address"] == "Unit 3, Cooper's Yard, Station Road, Millbrook"  # only in `name` here
    assert (sign.lat, sign.lon) == (None, None)
    assert api.warnings == []


def test_planning_data_is_searched_inside_the_ward_boundary_and_paged_by_offset(planning_data):
    fetch_with(PlanningSource, planning_data_config(planning_data))
    first, second = asked(planning_data, PLANNING_DATA)
    after = today() - timedelta(days=31)
    assert first == {
        "dataset": "planning-application",
        "geometry": boundary_wkt(MILLBROOK.boundary),
        "geometry_relation": "intersects",
        "entry_date_year": str(after.year),
        "entry_date_month": str(after.month),
        "entry_date_day": str(after.day),
        "entry_date_match": "since",
        "limit": "500",
    }
    assert first["geometry"] == ("MULTIPOLYGON (((-1.19 52.27, -1.14 52.27, -1.14 52.3, -1.19 52.3, "
                                 "-1.19 52.27)))")
    assert second == {**first, "offset": "2"}


def test_planning_data_around_a_point_sends_a_circle_not_the_point(planning_data):
    fetch_with(PlanningSource, planning_data_config(planning_data, use_ward_boundary=False, lat="52.2853",
                                                    lon="-1.1651", radius_km="0.5"))
    geometry = asked(planning_data, PLANNING_DATA)[0]["geometry"]
    assert geometry.startswith("POLYGON ((") and "latitude" not in asked(planning_data, PLANNING_DATA)[0]
    corners = [tuple(map(float, p.split())) for p in re.findall(r"-?[\d.]+ -?[\d.]+", geometry)]
    assert len(corners) == 33 and corners[0] == corners[-1]
    east_lon, east_lat = corners[0]
    assert east_lat == pytest.approx(52.2853)
    km_per_degree_east = 111.32 * math.cos(math.radians(52.2853))
    assert (east_lon + 1.1651) * km_per_degree_east == pytest.approx(0.5, rel=0.01)  # 0.5 km east of the point


def test_a_boundary_too_long_to_send_is_sent_as_its_bounding_box(planning_data):
    ring = [[-1.19 + 0.05 * (i % 2) + i * 1e-6, 52.27 + 0.03 * i / 400] for i in range(400)]
    ward = WardProfile.from_dict({**MILLBROOK.to_dict(), "boundary": {
        "type": "Polygon", "coordinates": [[*ring, [-1.19, 52.30], ring[0]]]}})
    api = plugin_api(planning_data_config(planning_data), ward=ward)
    list(PlanningSource(api).fetch(None, threading.Event(), lambda f, m: None))
    geometry = asked(planning_data, PLANNING_DATA)[0]["geometry"]
    assert len(geometry) < MAX_WKT_CHARS
    assert geometry == "POLYGON ((-1.19 52.27, -1.139601 52.27, -1.139601 52.3, -1.19 52.3, -1.19 52.27))"


def test_a_second_planning_data_run_asks_only_for_newer_entries(planning_data):
    _, api = fetch_with(PlanningSource, planning_data_config(planning_data))
    since = datetime(2026, 11, 23, 7, 30, tzinfo=timezone.utc)
    list(PlanningSource(api).fetch(since, threading.Event(), lambda f, m: None))
    latest = asked(planning_data, PLANNING_DATA)[-1]
    # The day before the last run, and "since" is strictly after: entries from 22 November on.
    assert (latest["entry_date_year"], latest["entry_date_month"], latest["entry_date_day"]) == ("2026", "11", "21")


def test_the_source_a_ward_set_up_adds_is_accepted_and_searches_the_boundary(planning_data):
    setup = WardSetup(postcode="AC4 2BD", ward="Millbrook", ward_gss="E05099999", district="Ashcombe",
                      district_gss="E07099999", county=None, latitude=52.2853, longitude=-1.1651,
                      boundary=MILLBROOK.boundary)
    (config,) = [config for plugin, _name, config in default_sources(setup) if plugin == "planning"]
    config = validate(PlanningSource.config_fields, {**config, "service_url": planning_data.url(PLANNING_DATA)})
    items, _ = fetch_with(PlanningSource, config)
    assert len(items) == 3
    assert asked(planning_data, PLANNING_DATA)[0]["geometry"].startswith("MULTIPOLYGON")


def test_point_wkt_is_read_longitude_first():
    assert point_lat_lon("POINT (-1.165100 52.285300)") == (52.2853, -1.1651)
    assert point_lat_lon("") == (None, None)
    assert point_lat_lon(None) == (None, None)


# ---- PlanIt -------------------------------------------------------------------------------------

def test_planit_applications_map_field_by_field(planit):
    items, api = fetch_with(PlanningSource, planit_config(planit))
    found = by_id(items)
    assert set(found) == {"Ashcombe/26/00412/FUL", "Ashcombe/26/00398/HOU", "Ashcombe/26/00455/ADV"}
    homes = found["Ashcombe/26/00412/FUL"]
    assert homes.title.startswith("26/00412/FUL: Erection of 14 dwellings")
    assert (homes.lat, homes.lon) == (52.2853, -1.1651)  # location_y is the latitude, location_x the longitude
    assert homes.extra["address"] == "Land At Oak Road Millbrook Ashcombe, AC4 2BD"
    assert homes.author.handle == "Ashcombe"
    assert homes.created_at.isoformat() == "2026-11-02T00:00:00+00:00"
    assert homes.extra["validated_at"] == "2026-11-05T00:00:00+00:00"
    assert (homes.extra["status"], homes.extra["decision"]) == ("Undecided", "Pending Consideration")
    assert homes.url.startswith("https://planning.ashcombe.example/")  # the council's own page
    assert homes.extra["planit_url"] == "https://www.planit.org.uk/planapplic/Ashcombe/26/00412/FUL/"

    extension = found["Ashcombe/26/00398/HOU"]
    assert extension.extra["decided_at"] == "2026-07-09T00:00:00+01:00"
    assert extension.updated_at.isoformat() == "2026-07-09T00:00:00+01:00"
    assert extension.extra["address"] == "7 Church Walk Millbrook Ashcombe AC4 3JL"  # postcode not repeated

    sign = found["Ashcombe/26/00455/ADV"]
    assert sign.url == "https://www.planit.org.uk/planapplic/Ashcombe/26/00455/ADV/"  # no council page: PlanIt's
    assert sign.created_at.isoformat() == "2026-11-10T00:00:00+00:00"  # a council's dd/mm/yyyy, read as meant
    assert (sign.lat, sign.lon) == (None, None)
    assert api.warnings == []


def test_planit_is_searched_by_postcode_and_radius_and_paged_by_page(planit):
    fetch_with(PlanningSource, planit_config(planit))
    first, second = asked(planit, PLANIT)
    assert first == {"pcode": "AC4 2BD", "krad": "0.8", "start_date": f"{today() - timedelta(days=30)}",
                     "pg_sz": "300", "page": "1"}
    assert second == {**first, "page": "2"}


def test_planit_without_a_postcode_searches_around_the_point(planit):
    fetch_with(PlanningSource, planit_config(planit, postcode="", lat="52.2853", lon="-1.1651", days=7))
    assert asked(planit, PLANIT)[0] == {"lat": "52.2853", "lng": "-1.1651", "krad": "0.8",
                                        "start_date": f"{today() - timedelta(days=7)}", "pg_sz": "300", "page": "1"}


def test_a_second_planit_run_asks_from_the_day_before_the_last(planit):
    _, api = fetch_with(PlanningSource, planit_config(planit))
    last_run = datetime(2026, 7, 20, 23, 30, tzinfo=timezone.utc)  # already 21 July in the UK (BST)
    list(PlanningSource(api).fetch(last_run, threading.Event(), lambda f, m: None))
    assert asked(planit, PLANIT)[-1]["start_date"] == "2026-07-20"


# ---- dates the app cannot read, and settings it cannot use ---------------------------------------

def test_an_unreadable_date_keeps_the_application_and_says_so(server):
    entity = {"entity": 10000999001, "reference": "26/00999/FUL", "organisation-entity": "101",
              "start-date": "2026-13-45", "decision-date": "soon", "description": "Change of use to a café",
              "point": "POINT (-1.16 52.28)"}
    server.route(PLANNING_DATA, Reply(json.dumps({"entities": [entity], "count": 1}).encode()))
    items, api = fetch_with(PlanningSource, planning_data_config(server))
    (item,) = items
    assert item.created_at is None and item.extra["decided_at"] is None
    assert api.warnings == ["planning.data.gov.uk sent 2 dates the app could not read (for example '2026-13-45'); "
                            "those applications are shown without them."]


@pytest.mark.parametrize(("config", "message"), [
    ({"use_ward_boundary": False}, "planning.data.gov.uk needs an area to search"),
    ({"use_ward_boundary": False, "lat": "north", "lon": "-1.16"}, "latitude must be a number"),
    ({"use_ward_boundary": False, "lat": "-1.1651", "lon": "52.2853"}, "is not in the UK"),
    ({"use_ward_boundary": False, "lat": "52.2853"}, "both a latitude and a longitude"),
    ({"use_ward_boundary": False, "lat": "52.2853", "lon": "-1.1651", "radius_km": "0"}, "search radius"),
    ({"provider": "planit", "postcode": ""}, "PlanIt needs a postcode"),
    ({"provider": "rightmove"}, "not a planning service the app knows"),
    ({"days": "a month"}, "must be a whole number"),
])
def test_settings_the_app_cannot_use_are_explained(config, message):
    with pytest.raises(SourceError, match=message):
        fetch_with(PlanningSource, {"provider": "planning.data.gov.uk", **config})


# ---- failures -----------------------------------------------------------------------------------

PROVIDERS = [pytest.param(PLANNING_DATA, planning_data_config, id="planning.data.gov.uk"),
             pytest.param(PLANIT, planit_config, id="planit")]


@pytest.mark.parametrize(("path", "make_config"), PROVIDERS)
@pytest.mark.parametrize(("reply", "message"), [
    (Reply(b"not found", status=404), "Nothing was found at .* \\(HTTP 404\\)"),
    (Reply(b"", status=401), "refused access \\(HTTP 401\\)"),
    (Reply(b"", status=503), "had a problem of its own \\(HTTP 503\\)"),
    (Reply(b'{"entities": [{"entity": 1', headers={"Content-Type": "application/json"}), "not valid JSON"),
    (Reply(b'{"detail": "Internal error"}'), "sent an answer without a list of applications"),
])
def test_failures_are_plain_errors(server, path, make_config, reply, message):
    server.route(path, reply)
    with pytest.raises(SourceError, match=message):
        fetch_with(PlanningSource, make_config(server))


@pytest.mark.parametrize(("path", "make_config"), PROVIDERS)
def test_a_far_retry_after_is_an_error_that_says_when(server, path, make_config):
    server.route(path, Reply(b"", status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(SourceError, match="limiting how often") as caught:
        fetch_with(PlanningSource, make_config(server))
    assert caught.value.retry_after == pytest.approx(3600)
    assert len(server.hits(path)) == 1


# ---- through the real pipeline ------------------------------------------------------------------

def test_through_the_pipeline_applications_are_stored_once_with_evidence_and_survive_a_failure(planning_data,
                                                                                                fixtures, store):
    setup_ward(store)
    with store.write() as db:
        source_store.add(db, "planning", "Planning near Millbrook", planning_data_config(planning_data),
                         clock.now_iso())
    registry = registry_with(PlanningSource)

    first = pipeline(store, registry).fetch()
    assert first.ok, [o.summary() for o in first.outcomes]
    assert first.new == 3
    (homes,) = item_rows(store, "external_id = '101/26/00412/FUL'")
    assert (homes["lat"], homes["lon"]) == (52.2853, -1.1651)
    evidence = {(e["kind"], e["term"]) for e in json.loads(homes["evidence"])}
    assert {("boundary", "inside the ward boundary"), ("street", "Oak Road"), ("postcode sector", "AC4 2")} <= evidence
    (sign,) = item_rows(store, "external_id = '101/26/00455/ADV'")
    assert sign["relevance"] >= 0.35  # no point, but its address names Millbrook streets

    planning_data.route(PLANNING_DATA, *pages(fixtures, "planning_data"))
    second = pipeline(store, registry).fetch()
    assert second.ok and second.new == 0 and second.outcomes[0].seen == 3  # the same applications, not stored twice
    assert len(item_rows(store)) == 3

    planning_data.route(PLANNING_DATA, Reply(b"", status=500))
    third = pipeline(store, registry).fetch()
    assert "HTTP 500" in third.outcomes[0].error
    assert len(item_rows(store)) == 3  # nothing already stored was lost
