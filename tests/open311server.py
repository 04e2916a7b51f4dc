"""A GeoReport v2 (Open311) service on 127.0.0.1 that checks reports the way a council's would.

It serves the services and service definitions in ``fixtures/open311/``, takes
form-encoded reports at ``requests.json`` and refuses bad ones with the spec's
error list (a missing service code or location, a wrong API key or
jurisdiction, a description over 4,000 characters, unknown or missing
attributes, a value not in a list), and answers with an id or, when told to,
a token to swap later. Reports' status can be changed from the test, and
`interrupt` makes the next requests to a resource fail (5xx, 429, a garbled
answer) before the service sees them.
"""

from __future__ import annotations

import itertools
import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from localserver import LocalServer, Reply, Request

FIXTURES = Path(__file__).parent / "fixtures" / "open311"
PREFIX = "/open311/v2/"
MAX_DESCRIPTION = 4000
NOW = "2026-11-24T10:00:00+00:00"


class Open311Server(LocalServer):
    def __init__(self, *, api_key: str | None = "s3cret-key", jurisdiction_id: str | None = None) -> None:
        self.api_key = api_key
        self.jurisdiction_id = jurisdiction_id
        self.answer_with = "id"  # or "token"
        self.reports: dict[str, dict] = {}  # service_request_id -> the stored report
        self.tokens: dict[str, str | None] = {}  # token -> service_request_id, None while pending
        self.pending: dict[str, dict] = {}  # token -> the report waiting for its id
        self.interruptions: dict[str, list[Reply]] = {}
        self._ids = itertools.count(7710231)
        self._tokens = itertools.count(1)
        super().__init__()

    @property
    def endpoint(self) -> str:
        return self.url(PREFIX)

    def interrupt(self, resource: str, *replies: Reply) -> None:
        """The next requests to ``resource`` (e.g. "requests.json") get these replies instead, in turn."""
        self.interruptions.setdefault(resource, []).extend(replies)

    def resolve(self, token: str) -> str:
        """The council's system gets round to a batch report: its token now has an id."""
        report_id = self._store(self.pending.pop(token))
        self.tokens[token] = report_id
        return report_id

    def update(self, report_id: str, status: str, notes: str | None = None, at: str = NOW, **fields) -> None:
        self.reports[report_id].update(status=status, status_notes=notes, updated_datetime=at, **fields)

    def posted_forms(self) -> list[dict[str, list[str]]]:
        return [parse_qs(r.body.decode(), keep_blank_values=True) for r in self.hits(PREFIX + "requests.json")
                if r.method == "POST"]

    # -- serving --

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        self.requests.append(Request(h.command, h.path, {k.lower(): v for k, v in h.headers.items()}, body))
        parts = urlsplit(h.path)
        resource = unquote(parts.path[len(PREFIX):]) if parts.path.startswith(PREFIX) else None
        if resource in self.interruptions and self.interruptions[resource]:
            reply = self.interruptions[resource].pop(0)
            return _send(h, reply.status, reply.body, reply.headers)
        query = parse_qs(parts.query, keep_blank_values=True)
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True) if h.command == "POST" else {}
        status, answer = self._answer(h.command, resource, query, form)
        _send(h, status, json.dumps(answer).encode(), {"Content-Type": "application/json; charset=utf-8"})

    def _answer(self, method: str, resource: str | None, query: dict, form: dict) -> tuple[int, object]:
        problem = self._jurisdiction_problem(form if method == "POST" else query)
        if resource is None:
            return _errors(404, "There is no such resource.")
        if problem:
            return problem
        if method == "POST" and resource == "requests.json":
            return self._create(form)
        if method != "GET":
            return _errors(400, f"{method} is not supported on {resource}.")
        if resource == "services.json":
            return 200, json.loads((FIXTURES / "services.json").read_text(encoding="utf-8"))
        if resource.startswith("services/"):
            definition = FIXTURES / "services" / resource.removeprefix("services/")
            if definition.is_file():
                return 200, json.loads(definition.read_text(encoding="utf-8"))
            return _errors(404, f"service_code {resource[9:-5]} was not found")
        if resource.startswith("tokens/"):
            token = resource[7:-5]
            if token not in self.tokens:
                return _errors(404, f"token {token} was not found")
            found = self.tokens[token]
            return 200, [{"service_request_id": int(found), "token": token} if found else {"token": token}]
        if resource == "requests.json":
            wanted = _one(query, "service_request_id").split(",") if _one(query, "service_request_id") else None
            return 200, [self._public(i) for i in (wanted or self.reports) if i in self.reports]
        if resource.startswith("requests/"):
            report_id = resource[9:-5]
            if report_id not in self.reports:
                return _errors(404, f"service_request_id {report_id} was not found")
            return 200, [self._public(report_id)]
        return _errors(404, f"There is no resource {resource}.")

    def _jurisdiction_problem(self, fields: dict) -> tuple[int, object] | None:
        if self.jurisdiction_id is None:
            return None
        given = _one(fields, "jurisdiction_id")
        if not given:
            return _errors(400, "jurisdiction_id was not provided")
        if given != self.jurisdiction_id:
            return _errors(404, f"jurisdiction_id {given} was not found")
        return None

    def _create(self, form: dict) -> tuple[int, object]:
        if self.api_key is not None and _one(form, "api_key") != self.api_key:
            return _errors(403, "Invalid api_key received -- can't proceed with create_request.")
        code = _one(form, "service_code")
        if not code:
            return _errors(400, "service_code was not provided")
        services = {s["service_code"]: s for s in json.loads((FIXTURES / "services.json").read_text("utf-8"))}
        if code not in services:
            return _errors(404, f"service_code {code} was not found")
        problems = _location_problems(form) + _attribute_problems(code, form)
        if len(_one(form, "description")) > MAX_DESCRIPTION:
            problems.append(f"description is longer than {MAX_DESCRIPTION} characters")
        if problems:
            return 400, [{"code": 400, "description": p} for p in problems]
        report = {key: values if key.endswith("[]") else values[0] for key, values in form.items()}
        report["service_name"] = services[code]["service_name"]
        notice = "We aim to inspect reports like this within 5 working days."
        if self.answer_with == "token":
            token = f"T{next(self._tokens):05d}"
            self.pending[token] = report
            self.tokens[token] = None
            return 200, [{"token": token, "service_notice": notice, "account_id": None}]
        return 200, [{"service_request_id": int(self._store(report)), "service_notice": notice, "account_id": None}]

    def _store(self, report: dict) -> str:
        report_id = str(next(self._ids))
        self.reports[report_id] = {**report, "status": "open", "status_notes": None, "requested_datetime": NOW,
                                   "updated_datetime": NOW, "expected_datetime": None, "agency_responsible": None}
        return report_id

    def _public(self, report_id: str) -> dict:
        """A report as GET requests.json shows it (the spec's fields; no contact details)."""
        r = self.reports[report_id]
        return {"service_request_id": int(report_id), "status": r["status"], "status_notes": r["status_notes"],
                "service_name": r["service_name"], "service_code": r["service_code"],
                "description": r.get("description"), "agency_responsible": r["agency_responsible"],
                "service_notice": None, "requested_datetime": r["requested_datetime"],
                "updated_datetime": r["updated_datetime"], "expected_datetime": r["expected_datetime"],
                "address": r.get("address_string"), "address_id": None, "zipcode": None,
                "lat": float(r["lat"]) if r.get("lat") else None, "long": float(r["long"]) if r.get("long") else None,
                "media_url": None}


def _location_problems(form: dict) -> list[str]:
    lat, lon = _one(form, "lat"), _one(form, "long")
    if lat or lon:
        try:
            float(lat), float(lon)
        except ValueError:
            return ["lat and long must both be given, as numbers"]
        return []
    if _one(form, "address_string") or _one(form, "address_id"):
        return []
    return ["A location is required: lat and long, address_string or address_id"]


def _attribute_problems(code: str, form: dict) -> list[str]:
    path = FIXTURES / "services" / f"{code}.json"
    attributes = json.loads(path.read_text("utf-8"))["attributes"] if path.is_file() else []
    known = {a["code"]: a for a in attributes if a.get("variable", True)}
    given = {}
    for key, values in form.items():
        if key.startswith("attribute["):
            given[key[len("attribute["):].split("]")[0]] = [v for v in values if v != ""]
    problems = [f"attribute[{name}] is not a question for service_code {code}" for name in given if name not in known]
    for name, attribute in known.items():
        values = given.get(name) or []
        if attribute["required"] and not values:
            problems.append(f"attribute[{name}] is required: {attribute['description']}")
        keys = {str(v["key"]) for v in attribute.get("values", [])}
        problems += [f"attribute[{name}] value {v!r} is not one of its values" for v in values if keys and v not in keys]
    return problems


def _one(fields: dict, name: str) -> str:
    return (fields.get(name) or [""])[0]


def _errors(status: int, description: str) -> tuple[int, list[dict]]:
    return status, [{"code": status, "description": description}]


def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
    h.send_response(status)
    for key, value in headers.items():
        h.send_header(key, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)
