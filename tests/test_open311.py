"""Reporting issues to a council over Open311 GeoReport v2, against a local service that checks reports."""

from __future__ import annotations

import json

import pytest
from localserver import Reply
from open311server import FIXTURES, Open311Server

from networked_councillor.base.errors import ConfigError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.casework import audit
from networked_councillor.casework.issues import (
    Contact,
    NewIssue,
    create_issue,
    describe_event,
    get_issue,
    update_issue,
)
from networked_councillor.casework.open311_sync import endpoint_from_settings, refresh_reports, report_issue
from networked_councillor.exporters.open311 import MAX_DESCRIPTION, Open311Client, Open311Endpoint, ReportFailed
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.store import settings as settings_store

NOW = "2026-11-24T10:00:00+00:00"
KEY = "s3cret-key"
LIGHT = {"column_number": "MB-042", "fault_type": "out"}


@pytest.fixture
def council():
    srv = Open311Server(api_key=KEY)
    yield srv
    srv.close()


JITTER = 0.5 / 8
"""Each wait is the backoff (or Retry-After) plus up to a quarter of the backoff, so clients do not retry in step."""


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def http(sleeps):
    with HttpClient(timeout=2, backoff=0.5, sleep=lambda seconds, cancel: sleeps.append(seconds)) as client:
        yield client


@pytest.fixture
def endpoint(council) -> Open311Endpoint:
    return Open311Endpoint(council.endpoint, api_key=KEY)


def log_issue(store, **fields) -> int:
    fields = {"title": "Street light out on Oak Road", "description": "Dark since Friday.", "lat": 52.2841,
              "lon": -1.1702, **fields}
    with store.write() as db:
        return create_issue(db, NewIssue(ward="Millbrook", **fields), NOW)


def issue(store, issue_id: int) -> dict:
    with store.read() as db:
        return get_issue(db, issue_id)


def audit_entries(store) -> list[dict]:
    with store.read() as db:
        return audit.entries(db, action="open311_submit")


def timeline(store, issue_id: int) -> list[str]:
    return [describe_event(e) for e in issue(store, issue_id)["events"]]


def unchanged(store, issue_id: int) -> bool:
    row = issue(store, issue_id)
    return (row["status"] == "new" and not row["agency_ref"] and not row["open311_token"]
            and not row["open311_service_code"] and len(row["events"]) == 1)


# ---- the council's services ------------------------------------------------------------


def test_services_and_their_questions_are_read(http, endpoint):
    client = Open311Client(http, endpoint)
    services = {s.code: s for s in client.services()}
    assert list(services) == ["POTHOLE", "PAVEMENT", "SLIGHT", "FLYTIP", "GRAFFITI"]
    assert services["SLIGHT"].metadata and not services["POTHOLE"].metadata
    assert services["FLYTIP"].type == "batch" and services["FLYTIP"].group == "Rubbish and litter"
    assert services["POTHOLE"].keywords == ("pothole", "road surface", "carriageway")

    light = client.service_definition("SLIGHT")
    assert [(a.code, a.variable, a.required) for a in light.attributes] == [
        ("SLIGHT_PRIVATE", False, False), ("column_number", True, True), ("fault_type", True, True)]
    assert light.attributes[2].values[0] == ("out", "Not working at all")
    assert light.attributes[2].datatype == "singlevaluelist"


def test_services_in_the_xml_mapped_json_form_are_read(server, http):
    server.route("/v2/services.json", Reply((FIXTURES / "services_spark.json").read_bytes()))
    services = Open311Client(http, Open311Endpoint(server.url("/v2/"))).services()
    assert [(s.code, s.metadata) for s in services] == [("POTHOLE", False), ("SLIGHT", True)]


def test_an_unknown_service_is_explained(http, endpoint):
    with pytest.raises(Exception, match=r"would not give the questions for report type NOPE \(HTTP 404\)"):
        Open311Client(http, endpoint).service_definition("NOPE")


# ---- making a report ---------------------------------------------------------------------


def test_a_report_answered_with_an_id_marks_the_issue_reported(store, council, http, endpoint):
    issue_id = log_issue(store)
    made = report_issue(store, http, endpoint, issue_id, "SLIGHT", LIGHT)

    assert made.service_request_id == "7710231" and made.token is None
    form = council.posted_forms()[0]
    assert form["service_code"] == ["SLIGHT"] and form["api_key"] == [KEY]
    assert form["lat"] == ["52.2841"] and form["long"] == ["-1.1702"] and "address_string" not in form
    assert form["attribute[column_number]"] == ["MB-042"] and form["attribute[fault_type]"] == ["out"]
    row = issue(store, issue_id)
    assert (row["status"], row["agency_ref"], row["open311_service_code"]) == ("reported", "7710231", "SLIGHT")
    words = " ".join(timeline(store, issue_id))
    assert "Reported to 127.0.0.1 through Open311 (request 7710231, report type SLIGHT)" in words
    assert "We aim to inspect reports like this within 5 working days." in words
    [entry] = audit_entries(store)
    assert entry["detail"]["service_request_id"] == "7710231" and entry["detail"]["outcome"] == "made"
    assert entry["personal_data"] is False


def test_a_report_without_a_map_point_sends_its_address(store, council, http, endpoint):
    issue_id = log_issue(store, lat=None, lon=None, address="12 Oak Road, Millbrook", postcode="AC4 2QT")
    report_issue(store, http, endpoint, issue_id, "POTHOLE")
    form = council.posted_forms()[0]
    assert form["address_string"] == ["12 Oak Road, Millbrook, AC4 2QT"] and "lat" not in form


def test_a_report_with_no_location_is_not_sent(store, council, http, endpoint):
    issue_id = log_issue(store, lat=None, lon=None)
    with pytest.raises(ConfigError, match="has no location"):
        report_issue(store, http, endpoint, issue_id, "POTHOLE")
    assert council.posted_forms() == [] and unchanged(store, issue_id)


def test_an_issue_is_not_reported_twice(store, council, http, endpoint):
    issue_id = log_issue(store)
    report_issue(store, http, endpoint, issue_id, "POTHOLE")
    with pytest.raises(ConfigError, match="reported through Open311 already"):
        report_issue(store, http, endpoint, issue_id, "POTHOLE")
    assert len(council.posted_forms()) == 1


def test_a_token_is_kept_then_swapped_for_the_reference(store, council, http, endpoint):
    council.answer_with = "token"
    issue_id = log_issue(store)
    made = report_issue(store, http, endpoint, issue_id, "FLYTIP", {"amount": "van", "waste_type": ["furniture",
                                                                                                  "household"]})
    assert made.service_request_id is None and made.token == "T00001"
    assert council.posted_forms()[0]["attribute[waste_type][]"] == ["furniture", "household"]
    row = issue(store, issue_id)
    assert (row["status"], row["open311_token"], row["agency_ref"]) == ("reported", "T00001", None)

    pending = refresh_reports(store, http, endpoint)
    assert (pending.references, pending.problems) == (0, []) and issue(store, issue_id)["agency_ref"] is None

    reference = council.resolve("T00001")
    done = refresh_reports(store, http, endpoint)
    assert done.references == 1 and issue(store, issue_id)["agency_ref"] == reference
    assert f"127.0.0.1 gave the report its reference: {reference}." in timeline(store, issue_id)


# ---- refusals and failures -------------------------------------------------------------------


def test_a_refusal_names_each_error_and_changes_nothing(store, council, http, endpoint):
    issue_id = log_issue(store)
    with pytest.raises(ReportFailed) as refused:
        report_issue(store, http, endpoint, issue_id, "SLIGHT", {"fault_type": "sparking", "colour": "orange"})
    message = str(refused.value)
    assert "did not accept the report (HTTP 400)" in message
    assert "• attribute[colour] is not a question for service_code SLIGHT (code 400)" in message
    assert "• attribute[column_number] is required: Lamp post number (code 400)" in message
    assert "• attribute[fault_type] value 'sparking' is not one of its values (code 400)" in message
    assert refused.value.outcome == "rejected" and unchanged(store, issue_id)
    assert [e["detail"]["outcome"] for e in audit_entries(store)] == ["rejected"]  # it did leave the app


def test_a_wrong_api_key_points_at_the_key(store, council, http):
    issue_id = log_issue(store)
    with pytest.raises(ReportFailed, match="Invalid api_key received") as refused:
        report_issue(store, http, Open311Endpoint(council.endpoint, api_key="wrong"), issue_id, "POTHOLE")
    assert refused.value.status == 403 and "API key" in refused.value.hint


def test_an_error_list_sent_as_success_is_still_a_refusal(store, council, http, endpoint):
    council.interrupt("requests.json", Reply(json.dumps([{"code": "BAD_USRN", "description": "Unknown street"}])
                                             .encode(), headers={"Content-Type": "application/json"}))
    issue_id = log_issue(store)
    with pytest.raises(ReportFailed, match="Unknown street"):
        report_issue(store, http, endpoint, issue_id, "POTHOLE")
    assert unchanged(store, issue_id)


@pytest.mark.parametrize("gateway", [(502, 503), (504, 502, 503)])
def test_gateway_errors_are_retried_with_backoff(store, council, http, endpoint, sleeps, gateway):
    council.interrupt("requests.json", *(Reply(b"<html>Bad gateway</html>", status=s) for s in gateway))
    issue_id = log_issue(store)
    made = report_issue(store, http, endpoint, issue_id, "POTHOLE")
    assert len(council.requests) == len(gateway) + 1 and len(council.reports) == 1
    assert sleeps == [pytest.approx(0.5 * 2**n + JITTER, abs=JITTER) for n in range(len(gateway))]
    assert issue(store, issue_id)["agency_ref"] == made.service_request_id


def test_gateway_errors_that_do_not_stop_are_reported(store, council, http, endpoint):
    council.interrupt("requests.json", *[Reply(b"", status=503)] * 4)
    issue_id = log_issue(store)
    with pytest.raises(ReportFailed, match=r"unavailable at the moment \(HTTP 503\)") as failed:
        report_issue(store, http, endpoint, issue_id, "POTHOLE")
    assert failed.value.outcome == "not_sent" and len(council.requests) == 4
    assert unchanged(store, issue_id) and audit_entries(store) == []


def test_a_500_is_reported_and_not_retried(store, council, http, endpoint):
    council.interrupt("requests.json", Reply(b"Internal Server Error", status=500))
    issue_id = log_issue(store)
    with pytest.raises(ReportFailed, match="may or may not have been recorded") as failed:
        report_issue(store, http, endpoint, issue_id, "POTHOLE")
    assert len(council.requests) == 1 and failed.value.outcome == "unclear"
    assert unchanged(store, issue_id)
    assert [e["detail"]["outcome"] for e in audit_entries(store)] == ["unclear"]


def test_429_waits_as_long_as_asked(store, council, http, endpoint, sleeps):
    council.interrupt("requests.json", Reply(b"", status=429, headers={"Retry-After": "7"}))
    issue_id = log_issue(store)
    report_issue(store, http, endpoint, issue_id, "POTHOLE")
    assert sleeps == [pytest.approx(7 + JITTER, abs=JITTER)] and issue(store, issue_id)["status"] == "reported"


def test_429_asking_for_too_long_a_wait_is_reported(store, council, http, endpoint, sleeps):
    council.interrupt("requests.json", Reply(b"", status=429, headers={"Retry-After": "3600"}))
    issue_id = log_issue(store)
    with pytest.raises(ReportFailed, match="limiting how often") as limited:
        report_issue(store, http, endpoint, issue_id, "POTHOLE")
    assert limited.value.retry_after == 3600 and "60 minute" in limited.value.hint
    assert sleeps == [] and len(council.requests) == 1 and unchanged(store, issue_id)


@pytest.mark.parametrize("answer, kind", [
    (b"<html><body>Thank you for your report</body></html>", "text/html"),
    (b'[{"service_notice": "Thank you"}]', "application/json"),  # a JSON object, but no reference or token
])
def test_an_answer_that_is_not_a_report_is_explained_and_nothing_is_stored(store, council, http, endpoint,
                                                                            answer, kind):
    council.interrupt("requests.json", Reply(answer, headers={"Content-Type": kind}))
    issue_id = log_issue(store)
    with pytest.raises(ReportFailed, match="cannot tell whether the report was made") as unclear:
        report_issue(store, http, endpoint, issue_id, "POTHOLE")
    assert "before sending it again" in unclear.value.hint and len(council.requests) == 1
    assert unclear.value.outcome == "unclear" and unchanged(store, issue_id)
    assert [e["detail"]["outcome"] for e in audit_entries(store)] == ["unclear"]


def test_a_council_that_cannot_be_reached_gets_nothing(store, http, sleeps):
    closed = Open311Server()
    address = closed.endpoint
    closed.close()
    issue_id = log_issue(store)
    with pytest.raises(ReportFailed, match="Could not connect") as failed:
        report_issue(store, http, Open311Endpoint(address), issue_id, "POTHOLE")
    assert failed.value.outcome == "not_sent" and len(sleeps) == 3
    assert unchanged(store, issue_id) and audit_entries(store) == []


# ---- what is sent ------------------------------------------------------------------------------


@pytest.mark.parametrize(("consent", "include", "sent"), [(False, True, False), (True, False, False),
                                                            (True, True, True)])
def test_contact_details_go_only_with_consent_and_when_asked(store, council, http, endpoint, consent, include, sent):
    issue_id = log_issue(store, contact=Contact(name="Dafydd ap Gwilym", email="dafydd@example.org",
                                                phone="01234 567890"), contact_consent=consent)
    made = report_issue(store, http, endpoint, issue_id, "POTHOLE", include_contact=include)
    form = council.posted_forms()[0]
    contact = {key: form[key] for key in ("first_name", "last_name", "email", "phone") if key in form}
    expected = {"first_name": ["Dafydd"], "last_name": ["ap Gwilym"], "email": ["dafydd@example.org"],
                "phone": ["01234 567890"]}
    assert contact == (expected if sent else {}) and made.contact_sent is sent
    assert audit_entries(store)[0]["personal_data"] is sent
    words = " ".join(timeline(store, issue_id))
    assert ("contact details were sent with it" in words) is sent
    assert "dafydd@example.org" not in words


def test_the_description_is_plain_text_cut_at_a_word(store, council, http, endpoint):
    words = " ".join(f"word{n}" for n in range(900))  # about 6,000 characters
    issue_id = log_issue(store, title="Lamp <b>out</b>", description=f"<p>Dark &amp; unsafe.</p><p>{words}</p>")
    made = report_issue(store, http, endpoint, issue_id, "POTHOLE")
    sent = council.posted_forms()[0]["description"][0]
    assert made.description_cut and len(sent) <= MAX_DESCRIPTION and sent.endswith("…")
    assert sent.startswith("Lamp out\n\nDark & unsafe.\n") and "<" not in sent
    kept = sent[:-1].split()[-1]
    assert kept in words.split()  # the last word kept is whole
    assert "The description was shortened to 4,000 characters" in " ".join(timeline(store, issue_id))


def test_a_short_description_is_sent_whole_with_the_reference(store, council, http, endpoint):
    issue_id = log_issue(store)
    made = report_issue(store, http, endpoint, issue_id, "POTHOLE")
    reference = issue(store, issue_id)["reference"]
    assert council.posted_forms()[0]["description"] == [
        f"Street light out on Oak Road\n\nDark since Friday.\n\nCouncillor's reference: {reference}"]
    assert not made.description_cut


def test_the_jurisdiction_is_sent_when_set(store, http):
    council = Open311Server(api_key=None, jurisdiction_id="ashcombe.gov.uk")
    try:
        issue_id = log_issue(store)
        with pytest.raises(ReportFailed, match="jurisdiction_id was not provided"):
            report_issue(store, http, Open311Endpoint(council.endpoint), issue_id, "POTHOLE")
        report_issue(store, http, Open311Endpoint(council.endpoint, "ashcombe.gov.uk"), issue_id, "POTHOLE")
        assert "jurisdiction_id=ashcombe.gov.uk" in council.requests[-1].body.decode()
    finally:
        council.close()


# ---- the council's updates ------------------------------------------------------------------


def test_a_council_update_lands_on_the_timeline_once(store, council, http, endpoint):
    issue_id = log_issue(store)
    made = report_issue(store, http, endpoint, issue_id, "POTHOLE")
    council.update(made.service_request_id, "open", "Inspection booked for 30 November",
                   at="2026-11-25T08:00:00+00:00", agency_responsible="Ashcombe Highways")
    first = refresh_reports(store, http, endpoint)
    second = refresh_reports(store, http, endpoint)
    assert (first.checked, first.updated, second.checked, second.updated) == (1, 1, 1, 0)
    updates = [e for e in issue(store, issue_id)["events"] if e["kind"] == "council_update"]
    assert [e["detail"] for e in updates] == [{"status": "open", "notes": "Inspection booked for 30 November",
                                               "time": "2026-11-25T08:00:00+00:00", "agency": "Ashcombe Highways"}]
    row = issue(store, issue_id)
    assert row["open311_status"] == "open" and row["open311_checked_at"] and row["status"] == "reported"

    council.update(made.service_request_id, "open", "Inspected: repair ordered")
    assert refresh_reports(store, http, endpoint).updated == 1


def test_a_report_closed_by_the_council_makes_the_issue_resolved(store, council, http, endpoint):
    issue_id = log_issue(store)
    made = report_issue(store, http, endpoint, issue_id, "POTHOLE")
    council.update(made.service_request_id, "closed", "Repaired on 26 November")
    result = refresh_reports(store, http, endpoint)
    row = issue(store, issue_id)
    assert result.resolved == 1 and row["status"] == "resolved" and row["closed_at"]
    assert "Status: Reported to council → Resolved. 127.0.0.1 closed its report 7710231. Repaired on 26 November" \
        in timeline(store, issue_id)

    with store.write() as db:
        update_issue(db, issue_id, {"status": "closed"}, NOW)
    assert refresh_reports(store, http, endpoint).checked == 0  # the councillor's close is final


def test_a_failed_refresh_loses_nothing(store, council, http, endpoint):
    issue_id = log_issue(store)
    report_issue(store, http, endpoint, issue_id, "POTHOLE")
    before = issue(store, issue_id)
    council.interrupt("requests.json", *[Reply(b"down", status=500)] * 4)
    result = refresh_reports(store, http, endpoint)
    assert result.checked == 0 and "HTTP 500" in result.problems[0]
    assert issue(store, issue_id) == before


def test_a_garbled_status_answer_loses_nothing(store, council, http, endpoint):
    issue_id = log_issue(store)
    report_issue(store, http, endpoint, issue_id, "POTHOLE")
    before = issue(store, issue_id)
    council.interrupt("requests.json", Reply(b'{"unexpected": true'))
    result = refresh_reports(store, http, endpoint)
    assert "not valid JSON" in result.problems[0] and issue(store, issue_id) == before


# ---- settings ----------------------------------------------------------------------------------


def test_the_endpoint_comes_from_settings_and_the_key_from_the_keyring(store):
    assert endpoint_from_settings(store) is None
    with store.write() as db:
        settings_store.set_setting(db, "open311.endpoint", "https://reports.ashcombe.example/open311/v2")
        settings_store.set_setting(db, "open311.jurisdiction_id", "ashcombe.gov.uk")
    SecretStore("open311").set("api_key", "from-the-keyring")
    endpoint = endpoint_from_settings(store)
    assert endpoint.url == "https://reports.ashcombe.example/open311/v2/"
    assert (endpoint.jurisdiction_id, endpoint.api_key) == ("ashcombe.gov.uk", "from-the-keyring")
    assert "from-the-keyring" not in repr(endpoint)


@pytest.mark.parametrize("url", ["http://reports.ashcombe.example/open311/v2/", "ftp://x.example/", "not a url"])
def test_an_endpoint_must_be_a_secure_web_address(url):
    with pytest.raises(ConfigError):
        Open311Endpoint(url)


def test_a_report_redirected_to_another_site_is_not_sent_on_with_the_key(store, council, http, endpoint, server):
    """A 307 keeps the form, API key and all: it goes nowhere but the council's own address."""
    elsewhere = server.route("/requests.json", Reply(b'[{"service_request_id": "1"}]'))
    council.interrupt("requests.json", Reply(b"", status=307, headers={"Location": elsewhere}))
    issue_id = log_issue(store)
    with pytest.raises(ReportFailed, match="did not follow") as failed:
        report_issue(store, http, endpoint, issue_id, "POTHOLE")
    assert server.hits("/requests.json") == [] and failed.value.outcome == "unclear"
    assert unchanged(store, issue_id)
