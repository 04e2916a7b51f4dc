"""Planning applications in or near the ward, from one of two services.

planning.data.gov.uk is the government's open dataset (England, from the
councils that publish to it) and can search inside the ward's own boundary;
PlanIt gathers applications from council websites across the UK and searches
a circle around a postcode or a point. The first fetch looks back ``days``;
later ones ask only for what is newer than the day before the last run
(the overlap costs nothing: the same application updates in place).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from nc_planning import planit, planning_data
from nc_planning.applications import LONDON, DateReader
from nc_planning.geometry import boundary_wkt, circle_wkt
from networked_councillor.plugin_api import API_VERSION, ConfigField, Progress, RawItem, SourceApi, SourceError, utcnow

PLANNING_DATA, PLANIT = "planning.data.gov.uk", "planit"


class PlanningSource:
    id = "planning"
    name = "Planning applications"
    api_version = API_VERSION
    config_fields = (
        ConfigField("provider", "Where to read applications", "choice", default=PLANNING_DATA,
                    choices=(PLANNING_DATA, PLANIT),
                    help="planning.data.gov.uk: the government's open data for England (not every council publishes "
                         "to it yet). planit: PlanIt, which gathers applications from council websites across the UK."),
        ConfigField("use_ward_boundary", "Search inside my ward's boundary", "bool", default=True,
                    help="planning.data.gov.uk only; the ward profile needs a boundary."),
        ConfigField("postcode", "Postcode at the centre of the search", help="PlanIt only, for example AC4 2BD."),
        ConfigField("lat", "Latitude of the centre of the search", help="For example 52.2853."),
        ConfigField("lon", "Longitude of the centre of the search",
                    help="For example -1.1651 (negative west of Greenwich)."),
        ConfigField("radius_km", "Search radius in kilometres", default="1"),
        ConfigField("days", "On the first fetch, look back this many days", "int", default=30),
        ConfigField("service_url", "Service address", "url",
                    help="Leave empty to use the service's own address (only for a mirror or a test server)."),
    )

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        config = api.config
        self.provider = str(config.get("provider") or PLANNING_DATA).strip()
        if self.provider not in (PLANNING_DATA, PLANIT):
            raise SourceError(f"{self.provider!r} is not a planning service the app knows.",
                              hint=f"Choose {PLANNING_DATA} or {PLANIT} in this source's settings.")
        self.days = _number(config.get("days"), "number of days to look back", default=30, whole=True)
        default = planit.ENDPOINT if self.provider == PLANIT else planning_data.ENDPOINT
        self.endpoint = str(config.get("service_url") or "").strip() or default
        self.planit_area: dict[str, Any] = self._planit_area(config) if self.provider == PLANIT else {}
        self.area_wkt: str = self._planning_data_area(config) if self.provider == PLANNING_DATA else ""

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        start = self._first_day(since)
        dates = DateReader()
        progress(0.0, f"asking {self.provider}")
        if self.provider == PLANIT:
            found = planit.search(self.api, self.endpoint, self.planit_area, start, dates, cancel, progress)
        else:
            found = planning_data.search(self.api, self.endpoint, self.area_wkt, start, dates, cancel, progress)
        dates.report(self.api, planit.SERVICE if self.provider == PLANIT else planning_data.SERVICE)
        progress(1.0, f"{len(found)} applications")
        return [application.item() for application in found]

    def _first_day(self, since: datetime | None) -> date:
        if since is None:
            return utcnow().astimezone(LONDON).date() - timedelta(days=int(self.days))
        return since.astimezone(LONDON).date() - timedelta(days=1)

    def _planning_data_area(self, config: Mapping[str, Any]) -> str:
        """The area as WKT: the ward's boundary if wanted and known, otherwise a circle around the point."""
        boundary = self.api.ward.boundary
        if config.get("use_ward_boundary", True) and boundary:
            return boundary_wkt(boundary)
        lat, lon, radius = self._point(config)
        if lat is None:
            raise SourceError(
                "planning.data.gov.uk needs an area to search.",
                hint="Tick 'Search inside my ward's boundary' (the ward profile needs a boundary), "
                     "or give a latitude and longitude in this source's settings.",
            )
        return circle_wkt(lat, lon, radius)

    def _planit_area(self, config: Mapping[str, Any]) -> dict[str, Any]:
        lat, lon, radius = self._point(config)
        postcode = " ".join(str(config.get("postcode") or "").upper().split())
        if postcode:
            return {"pcode": postcode, "krad": radius}
        if lat is None:
            raise SourceError("PlanIt needs a postcode, or a latitude and longitude, at the centre of the search.",
                              hint="Add one in this source's settings.")
        return {"lat": lat, "lng": lon, "krad": radius}

    def _point(self, config: Mapping[str, Any]) -> tuple[float | None, float | None, float]:
        lat = _number(config.get("lat"), "latitude")
        lon = _number(config.get("lon"), "longitude")
        radius = _number(config.get("radius_km"), "search radius", default=1.0)
        if (lat is None) != (lon is None):
            raise SourceError("Give both a latitude and a longitude, or neither.")
        if lat is not None and not (49.0 <= lat <= 61.0 and -9.0 <= lon <= 2.0):
            raise SourceError(f"{lat}, {lon} is not in the UK.",
                              hint="Latitude comes first (about 50 to 60); west of Greenwich the longitude "
                                   "is negative.")
        if not 0 < radius <= 20:
            raise SourceError("The search radius must be more than 0 and at most 20 kilometres.")
        return lat, lon, radius


def _number(value: Any, what: str, default: float | None = None, whole: bool = False) -> Any:
    if value is None or str(value).strip() == "":
        return default
    try:
        number = int(value) if whole else float(value)
    except (TypeError, ValueError):
        kind = "a whole number" if whole else "a number"
        raise SourceError(f"The {what} must be {kind}, not {value!r}.") from None
    if number < 0 and whole:
        raise SourceError(f"The {what} cannot be negative.")
    return number
