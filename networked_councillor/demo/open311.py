"""A council's Open311 (GeoReport v2) service on 127.0.0.1, for training mode and the tests.

It answers as a council's would: the report types and their questions from
``training_material/demo_ward/open311/``, reports taken at ``requests.json``
(form-encoded) and refused with the spec's error list when something is wrong
(no service code or location, a wrong API key or jurisdiction, a description
over 4,000 characters, a missing or unknown answer), an id or (when told) a
token to swap later, and each report's status for the app to bring back. In
training mode the app reports casework to this instead of a real council.
"""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

from networked_councillor.base import clock, paths
from networked_councillor.demo.localhttp import serve

PREFIX = "/open311/v2/"
MAX_DESCRIPTION = 4000
TRAINING_KEY = "training-key"


class Received(NamedTuple):
    method: str
    path: str
    body: bytes


def services_folder() -> Path:
    return paths.training_material_dir() / "demo_ward" / "open311"


class LocalCouncil:
    def __init__(self, *, api_key: str | None = TRAINING_KEY, jurisdiction_id: str | None = None,
                 folder: Path | None = None) -> None:
        self.api_key = api_key
        self.jurisdiction_id = jurisdiction_id
        self.folder = folder or services_folder()
        self.answer_with = "id"  # or "token"
        self.reports: dict[str, dict] = {}  # service_request_id -> the stored report
        self.tokens: dict[str, str | None] = {}  # token -> service_request_id, None while pending
        self.pending: dict[str, dict] = {}  # token -> the report waiting for its id
        self.received: list[Received] = []  # every request, in order
        self._ids = itertools.count(7710231)
        self._tokens = itertools.count(1)
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    # ---- running ---------------------------------------------------------------------------------
    def start(self) -> str:
        self._httpd = serve(self.handle)
        return self.endpoint

    @property
    def endpoint(self) -> str:
        assert self._httpd is not None, "start() the service first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{PREFIX}"

    def close(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    # ---- what a council's officers do ------------------------------------------------------------
    def resolve(self, token: str) -> str:
        """The council's system gets round to a batch report: its token now has an id."""
        with self._lock:
            report_id = self._store(self.pending.pop(token))
            self.tokens[token] = report_id
        return report_id

    def update(self, report_id: str, status: str, notes: str | None = None, at: str | None = None,
               **fields) -> None:
        with self._lock:
            self.reports[report_id].update(status=status, status_notes=notes, updated_datetime=at or _now(),
                                           **fields)

    def posted_forms(self) -> list[dict[str, list[str]]]:
        return [parse_qs(r.body.decode(), keep_blank_values=True) for r in self.received
                if r.method == "POST" and r.path.startswith(PREFIX + "requests.json")]

    # ---- serving ---------------------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        parts = urlsplit(h.path)
        resource = unquote(parts.path[len(PREFIX):]) if parts.path.startswith(PREFIX) else None
        with self._lock:
            self.received.append(Received(h.command, h.path, body))
            early = self.intercept(resource)
            if early is None:
                query = parse_qs(parts.query, keep_blank_values=True)
                form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if h.command == "POST" else {}
                status, answer = self._answer(h.command, resource, query, form)
                early = (status, json.dumps(answer).encode(), {"Content-Type": "application/json; charset=utf-8"})
        _send(h, *early)

    def intercept(self, resource: str | None) -> tuple[int, bytes, dict[str, str]] | None:
        """A reply to send instead of the service's own (tests make the service misbehave here)."""
        return None

    def _services(self) -> list[dict]:
        return json.loads((self.folder / "services.json").read_text(encoding="utf-8"))

    def _definition(self, code: str) -> dict | None:
        path = self.folder / "services" / f"{code}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def _answer(self, method: str, resource: str | None, query: dict, form: dict) -> tuple[int, object]:
        if resource is None:
            return _errors(404, "There is no such resource.")
        problem = self._jurisdiction_problem(form if method == "POST" else query)
        if problem:
            return problem
        if method == "POST" and resource == "requests.json":
            return self._create(form)
        if method != "GET":
            return _errors(400, f"{method} is not supported on {resource}.")
        if resource == "services.json":
            return 200, self._services()
        if resource.startswith("services/"):
            definition = self._definition(resource.removeprefix("services/").removesuffix(".json"))
            return (200, definition) if definition else _errors(404, f"service_code {resource[9:-5]} was not found")
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
        services = {s["service_code"]: s for s in self._services()}
        if code not in services:
            return _errors(404, f"service_code {code} was not found")
        problems = _location_problems(form) + self._attribute_problems(code, form)
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

    def _attribute_problems(self, code: str, form: dict) -> list[str]:
        definition = self._definition(code) or {"attributes": []}
        known = {a["code"]: a for a in definition["attributes"] if a.get("variable", True)}
        given = {}
        for key, values in form.items():
            if key.startswith("attribute["):
                given[key[len("attribute["):].split("]")[0]] = [v for v in values if v != ""]
        problems = [f"attribute[{name}] is not a question for service_code {code}" for name in given
                    if name not in known]
        for name, attribute in known.items():
            values = given.get(name) or []
            if attribute["required"] and not values:
                problems.append(f"attribute[{name}] is required: {attribute['description']}")
            keys = {str(v["key"]) for v in attribute.get("values", [])}
            problems += [f"attribute[{name}] value {v!r} is not one of its values" for v in values
                         if keys and v not in keys]
        return problems

    def _store(self, report: dict) -> str:
        report_id = str(next(self._ids))
        now = _now()
        self.reports[report_id] = {**report, "status": "open", "status_notes": None, "requested_datetime": now,
                                   "updated_datetime": now, "expected_datetime": None, "agency_responsible": None}
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


def _one(fields: dict, name: str) -> str:
    return (fields.get(name) or [""])[0]


def _errors(status: int, description: str) -> tuple[int, list[dict]]:
    return status, [{"code": status, "description": description}]


def _now() -> str:
    return clock.now_iso()


def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
    h.send_response(status)
    for key, value in headers.items():
        h.send_header(key, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)
