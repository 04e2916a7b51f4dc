"""PlanIt (planit.org.uk): applications gathered from council websites across the UK.

``GET /api/applics/json`` with ``pcode`` (a postcode) or ``lat`` and ``lng``,
and ``krad`` (the radius in km); ``start_date`` (YYYY-MM-DD) keeps
applications started on or after that day; ``pg_sz`` and ``page`` (from 1)
page through the answer, ``{"records": [...], "total": N, "from": i, "pg_sz": n}``.
A record's ``name`` ("Leeds/26/01471/TR") is unique across councils, ``uid``
is the council's reference, ``location_x`` is the longitude and
``location_y`` the latitude; ``url`` is the council's own page and ``link``
PlanIt's. PlanIt asks users to keep to about one search a minute, so pages
are large and few.

``start_date`` goes by when an application started, so later runs do not see
a decision made on an application older than the last run.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date
from typing import Any

from nc_planning.applications import Application, DateReader, counting, with_postcode
from networked_councillor.plugin_api import Progress, SourceApi, SourceError
from networked_councillor.plugin_api.paging import Page, read_pages

ENDPOINT = "https://www.planit.org.uk/api/applics/json"
SERVICE = "PlanIt"
PAGE_SIZE = 300
MAX_PAGES = 5


def search(api: SourceApi, endpoint: str, where: Mapping[str, Any], start: date, dates: DateReader,
           cancel: threading.Event, progress: Progress) -> list[Application]:
    """Applications started on ``start`` or later around ``where`` (pcode or lat/lng, and krad)."""
    params = {**where, "start_date": start.isoformat(), "pg_sz": PAGE_SIZE}
    seen = [0]

    def read(page: int) -> Page[Application]:
        records, total = _records(api.http.get(endpoint, params={**params, "page": page}, cancel=cancel).json())
        seen[0] += len(records)
        last = not records or seen[0] >= total
        return Page([_application(record, dates) for record in records], None if last else page + 1, total)

    return read_pages(read, first=1, max_pages=MAX_PAGES, key=lambda a: a.external_id, keep=lambda _old, new: new,
                      progress=counting(progress),
                      too_many=lambda n: api.warn(f"{SERVICE} has more than {n} applications here since "
                                                  f"{start:%d/%m/%Y}; only the first {n} were read. A smaller radius "
                                                  "would show them all."))


def _records(answer: Any) -> tuple[list[dict], int]:
    records = answer.get("records") if isinstance(answer, dict) else None
    if not isinstance(records, list):
        raise SourceError(f"{SERVICE} sent an answer without a list of applications.",
                          hint="The service may have changed or be having problems; nothing was stored from it.")
    total = answer.get("total")
    return [r for r in records if isinstance(r, dict)], total if isinstance(total, int) else len(records)


def _application(record: dict, dates: DateReader) -> Application:
    def field(source: Mapping[str, Any], name: str) -> str:
        return str(source.get(name) or "").strip()

    other = record.get("other_fields") if isinstance(record.get("other_fields"), dict) else {}
    area, uid = field(record, "area_name"), field(record, "uid")
    return Application(
        external_id=field(record, "name") or f"{area}/{uid}",
        reference=uid or field(record, "name"),
        description=field(record, "description"),
        address=with_postcode(field(record, "address"), field(record, "postcode")),
        url=field(record, "url") or field(record, "link") or None,
        authority=area,
        lat=_coordinate(record.get("location_y")),
        lon=_coordinate(record.get("location_x")),
        received=dates.day(other.get("date_received") or record.get("start_date")),
        validated=dates.day(other.get("date_validated")),
        decided=dates.day(record.get("decided_date") or other.get("decision_date")),
        status=field(record, "app_state"),
        decision=field(other, "decision"),
        application_type=field(record, "app_type"),
        extra={"provider": SERVICE, "app_size": field(record, "app_size"), "planit_url": field(record, "link")},
        raw=record,
    )


def _coordinate(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
