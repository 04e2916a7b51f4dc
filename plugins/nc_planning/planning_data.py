"""planning.data.gov.uk: the government's planning-application dataset, searched by area.

``GET /entity.json?dataset=planning-application&geometry=<WKT>&geometry_relation=intersects``
answers ``{"entities": [...], "count": N, "links": {...}}`` with at most
``limit`` (500 at most) entities, paged by ``offset``. A missing value comes
as "". ``entry_date_year``/``_month``/``_day`` with ``entry_date_match=since``
keep the records entered *after* that day (the service compares strictly).

The service's ``latitude``/``longitude`` parameters find applications whose
site contains that exact point, not those near it, so a search around a
point sends a small circle as the geometry instead.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

from nc_planning.applications import Application, DateReader, counting
from nc_planning.geometry import point_lat_lon
from networked_councillor.plugin_api import Progress, SourceApi, SourceError
from networked_councillor.plugin_api.paging import Page, read_pages

ENDPOINT = "https://www.planning.data.gov.uk/entity.json"
ENTITY_PAGE = "https://www.planning.data.gov.uk/entity/{}"
SERVICE = "planning.data.gov.uk"
PAGE_SIZE = 500
MAX_PAGES = 20


def search(api: SourceApi, endpoint: str, area_wkt: str, start: date, dates: DateReader,
           cancel: threading.Event, progress: Progress) -> list[Application]:
    """Applications in ``area_wkt`` entered on ``start`` or later."""
    after = start - timedelta(days=1)
    params: dict[str, Any] = {
        "dataset": "planning-application",
        "geometry": area_wkt,
        "geometry_relation": "intersects",
        "entry_date_year": after.year,
        "entry_date_month": after.month,
        "entry_date_day": after.day,
        "entry_date_match": "since",
        "limit": PAGE_SIZE,
    }

    def read(offset: int) -> Page[Application]:
        answer = api.http.get(endpoint, params={**params, "offset": offset} if offset else params, cancel=cancel).json()
        entities, count = _entities(answer)
        following = offset + len(entities)
        last = not entities or following >= count
        return Page([_application(entity, dates) for entity in entities], None if last else following, count)

    return read_pages(read, first=0, max_pages=MAX_PAGES, key=lambda a: a.external_id, keep=lambda _old, new: new,
                      progress=counting(progress),
                      too_many=lambda n: api.warn(f"{SERVICE} has more than {n} applications in this area since "
                                                  f"{start:%d/%m/%Y}; only the first {n} were read. A smaller area "
                                                  "would show them all."))


def _entities(answer: Any) -> tuple[list[dict], int]:
    entities = answer.get("entities") if isinstance(answer, dict) else None
    if not isinstance(entities, list):
        raise SourceError(f"{SERVICE} sent an answer without a list of applications.",
                          hint="The service may have changed; nothing was stored from this answer.")
    count = answer.get("count")
    return [e for e in entities if isinstance(e, dict)], count if isinstance(count, int) else len(entities)


def _application(entity: dict, dates: DateReader) -> Application:
    def field(name: str) -> str:
        return str(entity.get(name) or "").strip()

    number, reference, organisation = field("entity"), field("reference"), field("organisation-entity")
    lat, lon = point_lat_lon(entity.get("point"))
    return Application(
        external_id=f"{organisation}/{reference}" if organisation and reference else f"entity/{number}",
        reference=reference or f"entity {number}",
        description=field("description"),
        address=field("address-text") or field("name"),
        url=field("documentation-url") or ENTITY_PAGE.format(number),
        lat=lat,
        lon=lon,
        received=dates.day(entity.get("start-date")),
        decided=dates.day(entity.get("decision-date")),
        status=field("planning-application-status"),
        decision=field("planning-decision"),
        application_type=field("planning-application-type"),
        extra={
            "provider": SERVICE,
            "entity": number,
            "organisation_entity": organisation,
            "decision_type": field("planning-decision-type"),
            "entry_date": field("entry-date"),
        },
        raw={k: v for k, v in entity.items() if k != "geometry"},  # the site outline can be large
    )
