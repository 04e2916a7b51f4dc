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

from collections.abc import Iterable, Mapping
from typing import Any

from networked_councillor.base.errors import Cancelled, ConfigError, SourceError
from networked_councillor.base.text import html_to_plain
from networked_councillor.plugin_api.http import CouldNotConnect, HttpClient, HttpResponse, retry_after

MAX_DESCRIPTION = 4000  # GeoReport v2: "free form text limited to 4,000 characters"
ELLIPSIS = "…"
GATEWAY_ERRORS = frozenset({502, 503, 504})
UNCLEAR_HINT = "Nothing was saved on the issue. Check with the council (or on its website) before sending it again."
STATUS_BATCH = 50  # service_request_ids per status request, to keep the address short
SETTING_ENDPOINT = "open311.endpoint"
SETTING_JURISDICTION = "open311.jurisdiction_id"
SECRETS = "open311"


from networked_councillor.exporters.open311_types import (  # noqa: E402,F401  (re-exported)
    Attribute,
    Open311Endpoint,
    ReportFailed,
    RequestStatus,
    Service,
    ServiceDefinition,
    Submitted,
)

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
            response = self.http.post_once(url, data=dict(form), headers={"Accept": "application/json"})
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


