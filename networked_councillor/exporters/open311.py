"""Reporting issues to a council over Open311 GeoReport v2, and pulling its updates back.

GeoReport v2 (wiki.open311.org/GeoReport_v2) is what FixMyStreet and many
council systems speak: list the services (report types), read a service's
extra questions, POST a report (answered with an id, or with a token to swap
for an id later), and GET the status of reports. This client uses the JSON
forms and the app's shared HttpClient.

Sending a report is not like fetching a feed: sending it twice makes two
reports at the council. So a POST is resent only where the request was
certainly not processed (see `Open311Client.submit`), and an answer the app
cannot read is reported as "may have been made: check before sending again",
never retried. The endpoint's address and jurisdiction are settings
("open311.endpoint", "open311.jurisdiction_id"); the API key lives in the
keyring (``SecretStore("open311")``, name "api_key").
"""

from __future__ import annotations

import ipaddress
import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from networked_councillor.base import clock
from networked_councillor.base.errors import Cancelled, ConfigError, NcError, SourceError, StoreError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.base.text import html_to_plain
from networked_councillor.casework import audit
from networked_councillor.casework.issues import DONE, add_event, update_issue
from networked_councillor.exporters.records import export_records
from networked_councillor.plugin_api.http import CouldNotConnect, HttpClient, HttpResponse, retry_after
from networked_councillor.store import settings as settings_store
from networked_councillor.store.db import Store

MAX_DESCRIPTION = 4000  # GeoReport v2: "free form text limited to 4,000 characters"
ELLIPSIS = "…"
GATEWAY_ERRORS = frozenset({502, 503, 504})
UNCLEAR_HINT = "Nothing was saved on the issue. Check with the council (or on its website) before sending it again."
STATUS_BATCH = 50  # service_request_ids per status request, to keep the address short
SETTING_ENDPOINT = "open311.endpoint"
SETTING_JURISDICTION = "open311.jurisdiction_id"
SECRETS = "open311"


# ---- what the council's system describes ---------------------------------------------


@dataclass(frozen=True)
class Open311Endpoint:
    """Where a council's GeoReport v2 service lives, e.g. https://council.example/open311/v2/."""

    url: str
    jurisdiction_id: str | None = None
    api_key: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        url = self.url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{url!r} is not a web address the app can report to.",
                              hint="Use the Open311 address the council gives, starting with https://.")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ConfigError("The Open311 address must start with https://, so reports and the API key are "
                              "sent encrypted.")
        object.__setattr__(self, "url", url.rstrip("/") + "/")
        object.__setattr__(self, "jurisdiction_id", (self.jurisdiction_id or "").strip() or None)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or self.url

    def resource(self, *parts: str) -> str:
        """The address of a resource, e.g. resource("services", "POT") -> .../services/POT.json."""
        return self.url + "/".join(quote(str(p), safe="") for p in parts) + ".json"


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str = ""
    metadata: bool = False  # True: ask `service_definition` for the extra questions
    type: str = "realtime"  # realtime (an id at once), batch (a token), blackbox (neither)
    keywords: tuple[str, ...] = ()
    group: str = ""


@dataclass(frozen=True)
class Attribute:
    """One extra question a service asks; only ``variable`` ones need an answer."""

    code: str
    datatype: str
    required: bool
    description: str
    values: tuple[tuple[str, str], ...] = ()  # (key, name) for singlevaluelist and multivaluelist
    variable: bool = True
    order: int = 0
    datatype_description: str = ""


@dataclass(frozen=True)
class ServiceDefinition:
    code: str
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True)
class Submitted:
    """What the council's system said to a report."""

    service_request_id: str | None
    token: str | None = None
    service_notice: str = ""
    description_cut: bool = False  # the description was shortened to 4,000 characters
    contact_sent: bool = False


@dataclass(frozen=True)
class RequestStatus:
    service_request_id: str
    status: str  # open or closed
    status_notes: str = ""
    agency_responsible: str = ""
    updated_datetime: str | None = None
    expected_datetime: str | None = None


class ReportFailed(SourceError):
    """A report was not made. ``outcome`` says what the council's system saw of it:

    "not_sent" (it never arrived, or arrived and was certainly not processed),
    "rejected" (it arrived and was refused), or "unclear" (it may have been made).
    """

    def __init__(self, message: str, *, outcome: str, hint: str = "", status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, hint=hint, status=status, retry_after=retry_after)
        self.outcome = outcome


# ---- the client -------------------------------------------------------------------


class Open311Client:
    """GeoReport v2 over the app's HttpClient."""

    def __init__(self, http: HttpClient, endpoint: Open311Endpoint) -> None:
        self.http = http
        self.endpoint = endpoint

    def services(self) -> list[Service]:
        data = self._get(self.endpoint.resource("services"), "the list of report types")
        return [_service(entry) for entry in _entries(data, "services", "service", what="list of report types")]

    def service_definition(self, code: str) -> ServiceDefinition:
        """The extra questions of a service whose ``metadata`` is true."""
        data = self._get(self.endpoint.resource("services", code), f"the questions for report type {code}")
        if isinstance(data, dict) and isinstance(data.get("service_definition"), dict):
            data = data["service_definition"]
        if not isinstance(data, dict):
            raise _unreadable(self.endpoint, f"the questions for report type {code}")
        attributes = data.get("attributes") or []
        if isinstance(attributes, dict):
            attributes = attributes.get("attribute") or []
        parsed = [_attribute(a) for a in _as_list(attributes) if isinstance(a, dict) and a.get("code") is not None]
        return ServiceDefinition(str(data.get("service_code") or code), tuple(sorted(parsed, key=lambda a: a.order)))

    def submit(self, issue_record: Mapping[str, Any], service_code: str, attributes: Mapping[str, Any] | None = None,
               include_contact: bool = False) -> Submitted:
        """Make a report (POST requests.json) from an export record; raise `ReportFailed` if it was not made.

        Resending a POST risks a duplicate report, so only answers that mean the
        request was not processed are retried, with backoff: 429 (after the
        Retry-After the server asks for), and the gateway errors 502, 503 and
        504, where a proxy or load balancer answered because the council's
        system could not be reached or was unavailable. A 500 comes from the
        system itself, possibly after it stored the report, so it is reported
        and not retried; so is a connection lost after the report was sent.
        A connection that could not be opened is retried (nothing was sent).
        """
        form, cut, contact_sent = self._form(issue_record, service_code, attributes or {}, include_contact)
        response = self._post(self.endpoint.resource("requests"), form)
        if response.status >= 400:
            raise _rejection(self.endpoint, response.status, _error_list(response))
        try:
            entries = _entries(response.json(), "service_requests", "request", what="answer")
            first = entries[0] if entries and isinstance(entries[0], dict) else None
            if first is None:
                raise _unreadable(self.endpoint, "answer")
        except SourceError as exc:
            raise ReportFailed(
                f"{self.endpoint.host} answered the report in a form the app cannot read, so the app cannot "
                "tell whether the report was made.", outcome="unclear",
                hint=UNCLEAR_HINT) from exc
        if not (_text(first.get("service_request_id")) or _text(first.get("token"))):
            if "code" in first:
                raise _rejection(self.endpoint, response.status, _error_list(response))  # an error list sent as 200
            raise ReportFailed(
                f"{self.endpoint.host} answered the report without a reference or a token, so the app cannot "
                "tell whether the report was made.", outcome="unclear",
                hint=UNCLEAR_HINT)
        return Submitted(service_request_id=_text(first.get("service_request_id")) or None,
                         token=_text(first.get("token")) or None, service_notice=_text(first.get("service_notice")),
                         description_cut=cut, contact_sent=contact_sent)

    def resolve_token(self, token: str) -> str | None:
        """The service_request_id a token stands for, or None while the council's system has not made one."""
        data = self._get(self.endpoint.resource("tokens", token), f"the reference for token {token}")
        for entry in _entries(data, "service_requests", "request", what="token answer"):
            if isinstance(entry, dict) and _text(entry.get("service_request_id")):
                return _text(entry["service_request_id"])
        return None

    def status(self, ids: Iterable[str]) -> dict[str, RequestStatus]:
        """The council's status of each report, by service_request_id (reports it does not know are left out)."""
        wanted = list(dict.fromkeys(str(i) for i in ids if str(i)))
        found: dict[str, RequestStatus] = {}
        for start in range(0, len(wanted), STATUS_BATCH):
            batch = wanted[start:start + STATUS_BATCH]
            data = self._get(self.endpoint.resource("requests"), "the status of reports",
                             {"service_request_id": ",".join(batch)})
            for entry in _entries(data, "service_requests", "request", what="status answer"):
                if isinstance(entry, dict) and _text(entry.get("service_request_id")) in batch:
                    status = _request_status(entry)
                    found[status.service_request_id] = status
        return found

    # -- the exchanges --

    def _params(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        params = {"jurisdiction_id": self.endpoint.jurisdiction_id} if self.endpoint.jurisdiction_id else {}
        return params | dict(extra or {})

    def _get(self, url: str, what: str, params: Mapping[str, str] | None = None) -> Any:
        try:
            return self.http.get(url, params=self._params(params), headers={"Accept": "application/json"}).json()
        except SourceError as exc:
            if exc.status in (401, 403, 404):
                raise SourceError(f"{self.endpoint.host} would not give {what} (HTTP {exc.status}).",
                                  hint="Check the Open311 address, jurisdiction and API key in Settings.",
                                  status=exc.status) from exc
            raise

    def _form(self, record: Mapping[str, Any], service_code: str, attributes: Mapping[str, Any],
              include_contact: bool) -> tuple[dict[str, Any], bool, bool]:
        if not str(service_code or "").strip():
            raise ConfigError("Choose what kind of problem this is (the council's report type) first.")
        form: dict[str, Any] = self._params({"service_code": str(service_code).strip()})
        form.update(_location(record))
        form["description"], cut = report_description(record)
        for code, value in attributes.items():
            if isinstance(value, (list, tuple, set)):
                form[f"attribute[{code}][]"] = [str(v) for v in value]
            elif value is not None and str(value) != "":
                form[f"attribute[{code}]"] = str(value)
        if self.endpoint.api_key:
            form["api_key"] = self.endpoint.api_key
        contact = contact_to_send(record, include_contact)
        form.update(contact)
        return form, cut, bool(contact)

    def _post(self, url: str, form: Mapping[str, Any]) -> HttpResponse:
        """One report, resent only when it surely did not arrive (see `submit`)."""
        try:
            response = self.http.post(url, data=dict(form), headers={"Accept": "application/json"},
                                      idempotent=False, raise_for_status=False)
        except CouldNotConnect as exc:
            raise ReportFailed(f"Could not connect to {self.endpoint.host}, so the report was not sent.",
                               outcome="not_sent", hint="Check the internet connection and try again.") from exc
        except Cancelled:
            raise
        except SourceError as exc:  # it was sent; what came back was lost, cut short, too big or unreadable
            raise ReportFailed(f"{exc.message} The report was sent, so the app cannot tell whether it arrived.",
                               outcome="unclear", hint=UNCLEAR_HINT) from exc
        if response.status == 429 or response.status in GATEWAY_ERRORS:
            raise _busy(self.endpoint, response, retry_after(response.headers))
        return response


def report_description(record: Mapping[str, Any]) -> tuple[str, bool]:
    """The report's text: title, description and the councillor's reference, as plain text of at most
    4,000 characters (cut at a word with an ellipsis); and whether it was cut."""
    title = html_to_plain(record.get("title") or "")
    body = html_to_plain(record.get("description") or "")
    parts = [title] if not body.startswith(title) else []
    parts += [body, f"Councillor's reference: {record.get('reference')}" if record.get("reference") else ""]
    text = "\n\n".join(p for p in parts if p)
    if len(text) <= MAX_DESCRIPTION:
        return text, False
    cut = text[: MAX_DESCRIPTION - len(ELLIPSIS) + 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    cut = cut[:space] if space > MAX_DESCRIPTION // 2 else cut[:-1]
    return cut.rstrip() + ELLIPSIS, True


# ---- working on the store ----------------------------------------------------------


@dataclass
class RefreshResult:
    checked: int = 0  # reports the council's system answered about
    updated: int = 0  # issues given a council update
    resolved: int = 0  # issues moved to Resolved because the council closed its report
    references: int = 0  # pending tokens swapped for the council's reference
    problems: list[str] = field(default_factory=list)


def endpoint_from_settings(store: Store) -> Open311Endpoint | None:
    """The council's Open311 endpoint as set in Settings, with its API key from the keyring; None if not set."""
    with store.read() as db:
        url = settings_store.get_setting(db, SETTING_ENDPOINT)
        jurisdiction = settings_store.get_setting(db, SETTING_JURISDICTION)
    if not url or not str(url).strip():
        return None
    return Open311Endpoint(str(url), jurisdiction, SecretStore(SECRETS).get("api_key"))


def report_issue(store: Store, http: HttpClient, endpoint: Open311Endpoint, issue_id: int, service_code: str,
                 attributes: Mapping[str, Any] | None = None, include_contact: bool = False) -> Submitted:
    """Report an issue to the council, then mark it "Reported to council" with the council's reference.

    Every report that reached the council's system is in the audit log, made or
    not, since what it carried has left the app.
    """
    with store.read() as db:
        issue = next(db.query("SELECT * FROM issues WHERE id = ?", [issue_id]), None)
        if issue is None:
            raise ConfigError(f"There is no issue {issue_id}.")
        if issue.get("open311_service_code") and (issue.get("agency_ref") or issue.get("open311_token")):
            raise ConfigError(f"{issue['reference']} has been reported through Open311 already "
                              f"({issue.get('agency_ref') or 'token ' + str(issue.get('open311_token'))}).",
                              hint="Reporting it again would make a second report at the council.")
        record = export_records(db, [issue_id], include_personal=include_contact, today=clock.today())[0]
    client = Open311Client(http, endpoint)
    try:
        submitted = client.submit(record, service_code, attributes, include_contact)
    except ReportFailed as exc:
        if exc.outcome != "not_sent":
            with store.write() as db:
                _audit_submission(db, endpoint, record, service_code, exc.outcome,
                                  bool(contact_to_send(record, include_contact)), clock.now_iso())
        raise
    try:
        with store.write() as db:
            _store_submission(db, issue_id, endpoint, service_code, submitted, clock.now_iso())
            _audit_submission(db, endpoint, record, service_code, "made", submitted.contact_sent, clock.now_iso(),
                              submitted)
    except (NcError, sqlite3.DatabaseError) as exc:
        raise StoreError(f"The council accepted the report ({_reference_words(submitted)}), but the app could not "
                         f"save that on {record['reference']}: {getattr(exc, 'message', exc)}",
                         hint="Note the council's reference on the issue by hand; do not report it again.") from exc
    return submitted


def refresh_reports(store: Store, http: HttpClient, endpoint: Open311Endpoint) -> RefreshResult:
    """Swap pending tokens for references and bring the council's status of every reported issue back.

    Everything is asked before anything is written, and a failure only leaves
    some issues unrefreshed: nothing already stored is changed or lost.
    """
    client = Open311Client(http, endpoint)
    result = RefreshResult()
    with store.read() as db:
        rows = list(db.query("SELECT id, reference, agency_ref, open311_token, open311_status, status FROM issues "
                             "WHERE open311_service_code IS NOT NULL AND status != 'closed' "
                             "AND (agency_ref IS NOT NULL AND agency_ref != '' OR open311_token IS NOT NULL)"))
    new_refs: dict[int, str] = {}
    for row in (r for r in rows if not r["agency_ref"]):
        try:
            reference = client.resolve_token(row["open311_token"])
        except NcError as exc:
            result.problems.append(f"{row['reference']}: {exc}")
            continue
        if reference:
            new_refs[row["id"]] = reference
    refs = {row["id"]: row["agency_ref"] or new_refs.get(row["id"]) for row in rows}
    try:
        statuses = client.status(r for r in refs.values() if r)
    except NcError as exc:
        result.problems.append(str(exc))
        statuses = {}
    now = clock.now_iso()
    with store.write() as db:
        for row in rows:
            if row["id"] in new_refs:
                update_issue(db, row["id"], {"agency_ref": new_refs[row["id"]]}, now, actor="council",
                             note=f"{endpoint.host} gave the report its reference: {new_refs[row['id']]}.")
                result.references += 1
            status = statuses.get(refs[row["id"]] or "")
            if status is not None:
                _apply_status(db, row, status, endpoint, now, result)
    return result


def _store_submission(db, issue_id: int, endpoint: Open311Endpoint, service_code: str, submitted: Submitted,
                      now: str) -> None:
    db["issues"].update(issue_id, {"open311_service_code": service_code, "open311_token": submitted.token,
                                   "open311_checked_at": now})
    words = [f"Reported to {endpoint.host} through Open311 ({_reference_words(submitted)}, "
             f"report type {service_code})."]
    if submitted.service_notice:
        words.append(f"The council says: {submitted.service_notice}")
    if submitted.description_cut:
        words.append(f"The description was shortened to {MAX_DESCRIPTION:,} characters, the most Open311 takes.")
    words.append("The resident's contact details were sent with it." if submitted.contact_sent
                 else "The resident's contact details were not sent.")
    changes: dict[str, Any] = {"status": "reported"}
    if submitted.service_request_id:
        changes["agency_ref"] = submitted.service_request_id
    update_issue(db, issue_id, changes, now, note=" ".join(words))


def _audit_submission(db, endpoint: Open311Endpoint, record: Mapping[str, Any], service_code: str, outcome: str,
                      contact_sent: bool, now: str, submitted: Submitted | None = None) -> None:
    detail = {"endpoint": endpoint.host, "service_code": service_code, "reference": record["reference"],
              "outcome": outcome}
    if submitted is not None:
        detail |= {"service_request_id": submitted.service_request_id, "token": submitted.token}
    audit.record(db, "open311_submit", f"{record['reference']} sent to {endpoint.host} over Open311 ({outcome})",
                 now, records=1, personal_data=contact_sent, detail=detail)


def _apply_status(db, row: dict, status: RequestStatus, endpoint: Open311Endpoint, now: str,
                  result: RefreshResult) -> None:
    result.checked += 1
    db["issues"].update(row["id"], {"open311_status": status.status, "open311_checked_at": now})
    last = _last_council_update(db, row["id"])
    notes_changed = last is not None and not last.get("erased") and last.get("notes", "") != status.status_notes
    if status.status != (row["open311_status"] or "") or notes_changed:
        detail = {"status": status.status, "notes": status.status_notes, "time": status.updated_datetime or now}
        if status.agency_responsible:
            detail["agency"] = status.agency_responsible
        if status.expected_datetime:
            detail["expected"] = status.expected_datetime
        add_event(db, row["id"], "council_update", detail, now, actor="council")
        db["issues"].update(row["id"], {"updated_at": now})
        result.updated += 1
    if status.status == "closed" and row["status"] not in DONE:
        note = f"{endpoint.host} closed its report {status.service_request_id}."
        update_issue(db, row["id"], {"status": "resolved"}, now, actor="council",
                     note=f"{note} {status.status_notes}".strip())
        result.resolved += 1


def _last_council_update(db, issue_id: int) -> dict | None:
    row = db.execute("SELECT detail FROM issue_events WHERE issue_id = ? AND kind = 'council_update' "
                     "ORDER BY at DESC, id DESC LIMIT 1", [issue_id]).fetchone()
    return None if row is None else json.loads(row[0] or "{}")


def _reference_words(submitted: Submitted) -> str:
    if submitted.service_request_id:
        return f"request {submitted.service_request_id}"
    if submitted.token:
        return f"token {submitted.token}; the council's reference will follow"
    return "the council's system gives no reference"


# ---- reading answers ----------------------------------------------------------------


def _entries(data: Any, outer: str, inner: str, *, what: str) -> list:
    """The list in a JSON answer, also when a server wraps it ({"services": {"service": [...]}})."""
    if isinstance(data, dict) and outer in data:
        data = data[outer]
    if isinstance(data, dict) and inner in data:
        data = data[inner]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise SourceError(f"The council's Open311 service sent a {what} the app does not understand.",
                          hint="Nothing was stored from it.")
    return data


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _service(entry: Any) -> Service:
    if not isinstance(entry, dict) or entry.get("service_code") is None:
        raise SourceError("The council's list of report types has an entry without a code.",
                          hint="Nothing was stored from it.")
    keywords = entry.get("keywords") or ""
    words = keywords if isinstance(keywords, list) else str(keywords).split(",")
    return Service(code=_text(entry["service_code"]), name=_text(entry.get("service_name")) or _text(entry["service_code"]),
                   description=_text(entry.get("description")), metadata=_flag(entry.get("metadata")),
                   type=_text(entry.get("type")) or "realtime",
                   keywords=tuple(w.strip() for w in words if str(w).strip()), group=_text(entry.get("group")))


def _attribute(entry: dict) -> Attribute:
    values = entry.get("values") or []
    if isinstance(values, dict):
        values = values.get("value") or []
    pairs = tuple((_text(v.get("key")), _text(v.get("name")) or _text(v.get("key")))
                  for v in _as_list(values) if isinstance(v, dict) and v.get("key") is not None)
    order = entry.get("order")
    return Attribute(code=_text(entry["code"]), datatype=_text(entry.get("datatype")) or "string",
                     required=_flag(entry.get("required")), description=_text(entry.get("description")),
                     values=pairs, variable=_flag(entry.get("variable"), default=True),
                     order=int(order) if str(order or "").isdigit() else 0,
                     datatype_description=_text(entry.get("datatype_description")))


def _request_status(entry: dict) -> RequestStatus:
    return RequestStatus(service_request_id=_text(entry.get("service_request_id")),
                         status=_text(entry.get("status")).lower(), status_notes=_text(entry.get("status_notes")),
                         agency_responsible=_text(entry.get("agency_responsible")),
                         updated_datetime=_text(entry.get("updated_datetime")) or None,
                         expected_datetime=_text(entry.get("expected_datetime")) or None)


def _error_list(response: HttpResponse) -> list[str]:
    """The errors a GeoReport answer lists ([{"code": 400, "description": "..."}]), each in words."""
    try:
        entries = _entries(response.json(), "errors", "error", what="error list")
    except SourceError:
        return []
    return [f"{_text(e.get('description')) or 'no reason given'} (code {_text(e.get('code'))})"
            for e in entries if isinstance(e, dict)]


def _rejection(endpoint: Open311Endpoint, status: int, errors: list[str]) -> ReportFailed:
    """A refusal in words: each error the council's system listed, or its status."""
    if status >= 500:
        return ReportFailed(f"{endpoint.host} had a problem of its own while taking the report (HTTP {status}). "
                            "It may or may not have been recorded, so the app did not send it again.",
                            outcome="unclear", status=status,
                            hint="Check with the council (or on its website) before reporting it again.")
    listed = "".join(f"\n• {e}" for e in errors) or " no reason was given."
    hint = {403: "Check the Open311 API key in Settings > Passwords.",
            404: "Check the report type and the Open311 address and jurisdiction in Settings."}.get(
        status, "Change what the council's system asked for and send the report again.")
    answered = f" (HTTP {status})" if status >= 400 else ""
    return ReportFailed(f"{endpoint.host} did not accept the report{answered}:{listed}", outcome="rejected",
                        status=status, hint=hint)


def _busy(endpoint: Open311Endpoint, response: HttpResponse, wait: float | None) -> ReportFailed:
    if response.status == 429:
        when = f"in {max(1, round(wait / 60))} minute(s)" if wait else "later"
        return ReportFailed(f"{endpoint.host} is limiting how often reports may be sent (HTTP 429), so the report "
                            "was not sent.", outcome="not_sent", status=429, retry_after=wait,
                            hint=f"Try again {when}.")
    return ReportFailed(f"{endpoint.host} is unavailable at the moment (HTTP {response.status}), so the report was "
                        "not made.", outcome="not_sent", status=response.status, retry_after=wait,
                        hint="This is usually temporary: try again later.")


def _unreadable(endpoint: Open311Endpoint, what: str) -> SourceError:
    return SourceError(f"{endpoint.host} sent {what} the app does not understand.", hint="Nothing was stored from it.")


def _location(record: Mapping[str, Any]) -> dict[str, str]:
    if record.get("lat") is not None and record.get("lon") is not None:
        return {"lat": repr(float(record["lat"])), "long": repr(float(record["lon"]))}
    words = ", ".join(p.strip() for p in (record.get("address") or "", record.get("postcode") or "") if p.strip())
    if not words:
        raise ConfigError(f"{record.get('reference')} has no location: add an address or a map point first.",
                          hint="A council needs to know where the problem is.")
    return {"address_string": words}


def contact_to_send(record: Mapping[str, Any], include_contact: bool) -> dict[str, str]:
    """The resident's details as Open311 fields: only when asked for AND the resident consented."""
    if not (include_contact and record.get("contact_consent")):
        return {}
    first, _, last = (record.get("contact_name") or "").strip().partition(" ")
    fields = {"first_name": first, "last_name": last.strip(), "email": record.get("contact_email") or "",
              "phone": record.get("contact_phone") or ""}
    return {key: value.strip() for key, value in fields.items() if value and value.strip()}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _flag(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    return value if isinstance(value, bool) else str(value).strip().lower() in ("true", "1", "yes")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
