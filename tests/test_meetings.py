"""The ModernGov meetings plugin against a council's web service served on 127.0.0.1.

The samples in fixtures/meetings/ follow the real mgWebService XML (see the README there).
"""

import json
import threading
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import pytest
from helpers import fetch_with, item_rows, pipeline, registry_with, setup_ward
from localserver import LocalServer, Reply
from nc_meetings import ModernGovSource
from nc_meetings.mapping import meeting_clock, starts_at

from networked_councillor.base import clock
from networked_councillor.base.errors import SourceError
from networked_councillor.store import sources as source_store

SERVICE = "/mgWebService.asmx"
LONDON = ZoneInfo("Europe/London")
MEETINGS = {"21": "meetings_planning.xml", "34": "meetings_cabinet.xml"}
DETAILS = ("4101", "4102", "4201")


class CouncilServer(LocalServer):
    """ModernGov asks for every committee's meetings, and every meeting, at one path (``?lMeetingId=4101``).
    This server files each request under its id (``/GetMeeting/4101``) so tests can route and count them."""

    def _handle(self, handler) -> None:
        path, _, query = handler.path.partition("?")
        asked = dict(parse_qsl(query))
        key = asked.get("lCommitteeId") or asked.get("lMeetingId")
        if key and path.endswith(("/GetMeetings", "/GetMeeting")):
            handler.path = f"{path}/{key}?{query}"
        super()._handle(handler)


@pytest.fixture
def council(fixtures):
    server = CouncilServer()
    serve(server, fixtures)
    yield server
    server.close()


def xml(fixtures, name: str) -> Reply:
    return Reply((fixtures / "meetings" / name).read_bytes(), headers={"Content-Type": "text/xml; charset=utf-8"})


def serve(server, fixtures, meetings=MEETINGS, details=DETAILS) -> None:
    server.route(f"{SERVICE}/GetCommittees", xml(fixtures, "committees.xml"))
    server.route(f"{SERVICE}/GetCouncillorsByWard", xml(fixtures, "councillors.xml"))
    for committee, name in meetings.items():
        server.route(f"{SERVICE}/GetMeetings/{committee}", xml(fixtures, name))
    for meeting in details:
        server.route(f"{SERVICE}/GetMeeting/{meeting}", xml(fixtures, f"meeting_{meeting}.xml"))


def config(server, **extra) -> dict:
    return {"base_url": server.base, "days_back": 3650, "days_ahead": 3650, **extra}


def asked(server, path: str) -> list[dict]:
    return [dict(parse_qsl(r.path.partition("?")[2])) for r in server.hits(f"{SERVICE}/{path}")]


def fetch_again(api, since: datetime):
    return list(ModernGovSource(api).fetch(since, threading.Event(), lambda f, m: None))


# ---- mapping ------------------------------------------------------------------------------------

def test_meetings_map_field_by_field(council):
    items, api = fetch_with(ModernGovSource, config(council))
    meetings = {item.external_id: item for item in items}
    assert set(meetings) == {"4101", "4102", "4201"}
    summer = meetings["4101"]
    assert summer.kind == "meeting"
    assert summer.title == "Planning Committee, 16 July 2026, 18:30"
    assert summer.url == f"{council.base}/ieListDocuments.aspx?CId=21&MId=4101"
    assert summer.author.handle == "Planning Committee"
    assert summer.author.url == f"{council.base}/ieListMeetings.aspx?CId=21"
    assert summer.created_at.isoformat() == "2026-07-16T18:30:00+01:00"
    lines = summer.text.splitlines()
    assert lines[0] == "Planning Committee meets on Thursday 16 July 2026 at 18:30."
    assert "Venue: Council Chamber, Ashcombe Town Hall" in lines
    assert "Status: Confirmed" in lines
    assert "The meeting will be webcast." in lines
    assert "1. Chair's Announcements" in lines  # ModernGov's doubly encoded apostrophe, decoded
    assert "5. 26/00412/FUL - Land at Oak Road, Millbrook: erection of 14 homes with new access from Mill Lane" in lines
    assert "Ward councillors expected: Councillor Jo Whitfield (Green Party)" in lines
    assert lines[-1] == f"Agenda and papers: {summer.url}"
    assert summer.categories == ["Planning Committee", "Ward councillor expected"]
    assert summer.extra["venue"] == "Council Chamber, Ashcombe Town Hall"
    assert summer.extra["ward_councillors_expected"] == ["Councillor Jo Whitfield"]
    assert [c["name"] for c in summer.extra["ward_councillors"]] == ["Councillor Jo Whitfield", "Councillor Priya Lal"]
    assert summer.extra["ward_councillors"][0]["url"] == f"{council.base}/mgUserInfo.aspx?UID=512"
    assert summer.raw["meeting"]["meetingtime"] == "6.30 pm"
    assert api.warnings == []


def test_a_meeting_waiting_for_its_agenda_says_so(council):
    items, _ = fetch_with(ModernGovSource, config(council))
    winter = next(i for i in items if i.external_id == "4102")
    assert winter.title == "Planning Committee, 10 December 2026, 10:00"
    assert "The agenda has not been published yet." in winter.text
    assert winter.extra["agenda_published"] is False
    cabinet = next(i for i in items if i.external_id == "4201")
    assert cabinet.categories == ["Cabinet"]  # only a Hilltop councillor is expected there


@pytest.mark.parametrize(("day", "clock_text", "utc"), [
    (date(2026, 7, 16), "6.30 pm", "2026-07-16T17:30:00+00:00"),  # British Summer Time: UTC+1
    (date(2026, 12, 10), "10.00 am", "2026-12-10T10:00:00+00:00"),  # Greenwich Mean Time
    (date(2026, 3, 29), "10.00 am", "2026-03-29T09:00:00+00:00"),  # the morning the clocks go forward
    (date(2026, 10, 25), "10.00 am", "2026-10-25T10:00:00+00:00"),  # the morning they go back
])
def test_uk_local_times_are_right_across_the_clock_changes(day, clock_text, utc):
    moment = starts_at(day, meeting_clock(clock_text))
    assert moment.tzinfo is not None
    assert moment.astimezone(timezone.utc).isoformat() == utc


@pytest.mark.parametrize(("text", "expected"), [
    ("10.00 am", "10:00"), ("6.30pm", "18:30"), ("7.00 p.m.", "19:00"), ("13:30", "13:30"),
    ("12 noon", "12:00"), ("12.00 pm", "12:00"), ("12.15 am", "00:15"), ("10", None), ("half past six", None),
    ("", None), ("25:00", None),
])
def test_the_many_ways_councils_write_a_time(text, expected):
    parsed = meeting_clock(text)
    assert (parsed.strftime("%H:%M") if parsed else None) == expected


# ---- what is asked for ----------------------------------------------------------------------------

def test_asks_each_current_committee_for_a_window_in_dd_mm_yyyy(council):
    items, _ = fetch_with(ModernGovSource, config(council, days_back=14, days_ahead=60))
    today = clock.today(LONDON)
    window = {"sFromDate": f"{today - timedelta(days=14):%d/%m/%Y}",
              "sToDate": f"{today + timedelta(days=60):%d/%m/%Y}"}
    assert asked(council, "GetCommittees") == [{"lDays": "0"}]
    assert asked(council, "GetMeetings/21") == [{"lCommitteeId": "21", **window}]
    assert asked(council, "GetMeetings/34") == [{"lCommitteeId": "34", **window}]
    assert asked(council, "GetMeetings/57") == []  # the expired committee is left alone
    # The service sends July's meeting although it is outside the window (some do ignore the range):
    # the plugin drops it rather than store an old meeting, and never asks for its agenda.
    assert asked(council, "GetMeeting/4101") == []
    assert {i.external_id for i in items} == {"4102", "4201"}


def test_only_the_named_committees_are_read_and_a_misspelt_one_is_reported(council):
    items, api = fetch_with(ModernGovSource, config(council, committees=["planning committee", "Parks Committee"]))
    assert {i.external_id for i in items} == {"4101", "4102"}
    assert asked(council, "GetMeetings/34") == []
    assert api.warnings == ["The council has no committee called Parks Committee; check the spelling in this "
                            "source's settings."]


def test_an_unknown_ward_is_reported_and_the_meetings_still_come(council):
    items, api = fetch_with(ModernGovSource, config(council, ward="Riverside"))
    assert len(items) == 3
    assert all(i.extra["ward_councillors"] == [] for i in items)
    assert "no ward called Riverside" in api.warnings[0] and "Hilltop, Millbrook Ward" in api.warnings[0]


# ---- incremental ---------------------------------------------------------------------------------

def test_a_second_run_asks_from_the_last_run_and_rereads_only_what_may_have_changed(council):
    first, api = fetch_with(ModernGovSource, config(council))
    assert len(first) == 3
    since = clock.utcnow() - timedelta(days=2)
    second = fetch_again(api, since)
    from_date = since.astimezone(LONDON).date() - timedelta(days=1)
    assert asked(council, "GetMeetings/21")[-1]["sFromDate"] == f"{from_date:%d/%m/%Y}"
    # Cabinet's agenda was already read; December's planning meeting still waits for its agenda, so it is asked again.
    assert [len(asked(council, f"GetMeeting/{m}")) for m in DETAILS] == [1, 2, 1]
    assert [i.external_id for i in second] == ["4102"]


def test_a_changed_time_is_read_again(council, fixtures):
    _, api = fetch_with(ModernGovSource, config(council))
    moved = (fixtures / "meetings" / "meetings_cabinet.xml").read_bytes().replace(b"7.00 pm", b"6.00 pm")
    council.route(f"{SERVICE}/GetMeetings/34", Reply(moved))
    again = fetch_again(api, clock.utcnow())
    cabinet = next(i for i in again if i.external_id == "4201")
    assert cabinet.title == "Cabinet, 2 December 2026, 18:00"


# ---- dates and times the app cannot read ---------------------------------------------------------

def test_wrong_dates_are_skipped_with_a_warning_and_unreadable_times_kept_without_a_time(council, fixtures):
    serve(council, fixtures, meetings={"21": "meetings_bad_dates.xml"}, details=())
    council.route(f"{SERVICE}/GetMeeting/4303", xml(fixtures, "meeting_4102.xml"))
    council.route(f"{SERVICE}/GetMeeting/4304", xml(fixtures, "meeting_4102.xml"))
    items, api = fetch_with(ModernGovSource, config(council, committees=["Planning Committee"]))
    assert sorted(i.external_id for i in items) == ["4303", "4304"]
    untimed = next(i for i in items if i.external_id == "4303")
    assert untimed.title == "Planning Committee, 14 January 2027, time to be confirmed"
    assert untimed.created_at.isoformat() == "2027-01-14T00:00:00+00:00"
    assert api.warnings == [
        "Skipped a Planning Committee meeting: its date '2026-12-17' is not a dd/mm/yyyy date.",
        "Skipped a Planning Committee meeting: its date '31/02/2027' is not a dd/mm/yyyy date.",
        "The time of the Planning Committee meeting on 14/01/2027 ('half past six') could not be read; "
        "it is shown without a time.",
    ]  # an empty time (meeting 4304) is not a problem worth a warning


# ---- failures ------------------------------------------------------------------------------------

def test_a_wrong_address_is_a_clear_error(server):
    with pytest.raises(SourceError, match="Nothing was found at .*GetCommittees.*HTTP 404") as caught:
        fetch_with(ModernGovSource, {"base_url": server.url("/democracy")})
    assert "Check the address" in caught.value.hint


@pytest.mark.parametrize(("reply", "message"), [
    (Reply(b"Unauthorized", status=401), "refused access \\(HTTP 401\\)"),
    (Reply(b"", status=503), "had a problem of its own \\(HTTP 503\\)"),
    (Reply(b"<committees><committee><committeeid>21</committee>"), "could not read \\(not valid XML\\)"),
    (Reply(b"<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
           headers={"Content-Type": "text/html"}), "answered with a web page instead of its list of committees"),
])
def test_failures_are_plain_errors(server, reply, message):
    server.route(f"{SERVICE}/GetCommittees", reply)
    with pytest.raises(SourceError, match=message):
        fetch_with(ModernGovSource, {"base_url": server.base})


def test_a_far_retry_after_is_reported_with_when_to_try_again(server):
    server.route(f"{SERVICE}/GetCommittees", Reply(b"", status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(SourceError, match="limiting how often") as caught:
        fetch_with(ModernGovSource, {"base_url": server.base})
    assert caught.value.retry_after == pytest.approx(3600)
    assert len(server.hits(f"{SERVICE}/GetCommittees")) == 1  # no hammering while told to wait


def test_entity_expansion_is_refused_not_attempted(server):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE committees [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">' % ((98 + i,) + (97 + i,) * 10)
                         for i in range(8))
              + b"]><committees><committee><committeetitle>&i;</committeetitle></committee></committees>")
    server.route(f"{SERVICE}/GetCommittees", Reply(laughs))
    with pytest.raises(SourceError, match="with a DTD, which the app refuses to read"):
        fetch_with(ModernGovSource, {"base_url": server.base})


def test_a_failure_while_reading_one_agenda_fails_the_run_so_nothing_is_skipped(council):
    council.route(f"{SERVICE}/GetMeeting/4201", Reply(b"", status=500))
    with pytest.raises(SourceError, match="HTTP 500"):
        fetch_with(ModernGovSource, config(council))


def test_no_address_is_explained():
    with pytest.raises(SourceError, match="no ModernGov address"):
        fetch_with(ModernGovSource, {"base_url": " "})


# ---- through the real pipeline -------------------------------------------------------------------

def test_through_the_pipeline_meetings_are_stored_once_with_evidence_and_survive_a_failure(council, store):
    setup_ward(store)
    with store.write() as db:
        source_id = source_store.add(db, "moderngov", "Ashcombe meetings", config(council), clock.now_iso())
    registry = registry_with(ModernGovSource)

    first = pipeline(store, registry).fetch()
    assert first.ok, [o.summary() for o in first.outcomes]
    assert first.new == 3
    (oak_road,) = item_rows(store, "external_id = '4101'")
    assert oak_road["kind"] == "meeting"
    assert oak_road["created_at"] == "2026-07-16T17:30:00+00:00"
    assert oak_road["relevance"] >= 0.35
    evidence = {(e["kind"], e["term"]) for e in json.loads(oak_road["evidence"])}
    assert {("street", "Oak Road"), ("street", "Mill Lane"), ("place", "Millbrook")} <= evidence

    second = pipeline(store, registry).fetch()
    assert second.ok and second.new == 0  # nothing stored twice
    assert len(item_rows(store)) == 3

    council.route(f"{SERVICE}/GetCommittees", Reply(b"", status=500))
    third = pipeline(store, registry).fetch()
    assert "HTTP 500" in third.outcomes[0].error
    assert len(item_rows(store)) == 3  # nothing already stored was lost
    with store.read() as db:
        state = source_store.get(db, source_id).state
    assert set(state["meetings"]) == {"4102", "4201"}  # the failed run left the memory of the last good one
