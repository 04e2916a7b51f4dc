"""FixMyStreet reports for a ward, a MapIt area or a point, read from FixMyStreet's RSS feeds.

FixMyStreet.com and the councils' own FixMyStreet sites publish the same feeds. A feed holds only the
newest reports (20 on fixmystreet.com) and has no further pages, so a refresh reads the one feed,
conditionally (an unchanged feed costs a 304), and the pipeline stores each report once by its id.

FixMyStreet does not answer 404 for a council or ward it does not know: it redirects an unknown
council to its all-reports web page and an unknown ward to the whole council's feed. Both are caught
here, as are real 404s, and the message says which name FixMyStreet did not know.
"""

from __future__ import annotations

import threading
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from nc_fixmystreet import urls
from nc_fixmystreet.mapping import report_item
from networked_councillor.plugin_api import API_VERSION, ConfigField, Progress, RawItem, SourceApi, SourceError
from networked_councillor.plugin_api.feeds import feed_items, read_feed

FIXMYSTREET = "https://www.fixmystreet.com"
STATES = ("all", "open", "fixed")
FEED_LIMIT = 20
"""fixmystreet.com's RSS_LIMIT: a feed never holds more reports than this."""


class FixMyStreetSource:
    id = "fixmystreet"
    name = "FixMyStreet"
    api_version = API_VERSION
    config_fields = (
        ConfigField("base_url", "FixMyStreet site", "url", default=FIXMYSTREET,
                    help="Leave as it is, or give your council's own FixMyStreet site."),
        ConfigField("council", "Council", help="As FixMyStreet names it, for example Ashcombe District Council."),
        ConfigField("ward", "Ward", help="The ward's name as FixMyStreet shows it on the council's reports page."),
        ConfigField("area_id", "Or: MapIt area id", "int", maximum=10**9,
                    help="Instead of council and ward: the area's number on mapit.mysociety.org."),
        ConfigField("lat", "Or: latitude", help="Instead of a ward or area: a point, such as 52.2841."),
        ConfigField("lon", "Longitude", help="Such as -1.1702."),
        ConfigField("radius_km", "Radius in km", help="Around the point (at most 100). Empty: FixMyStreet chooses."),
        ConfigField("state", "Reports", "choice", default="all", choices=STATES,
                    help="Open or fixed reports only. FixMyStreet applies this to a point's feed only."),
    )

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        config = api.config
        self.base = str(config.get("base_url") or FIXMYSTREET).strip().rstrip("/")
        self.council = _text(config.get("council"))
        self.ward = _text(config.get("ward"))
        self.area_id = _area_id(config.get("area_id"))
        self.state = config.get("state") or "all"
        if self.state not in STATES:
            raise SourceError(f'"{self.state}" is not a report state FixMyStreet knows.',
                              hint="Choose all, open or fixed in the source's settings.")
        self.url, self.about = self._choose_feed(config)

    def _choose_feed(self, config: Any) -> tuple[str, dict[str, Any]]:
        """The feed to read, and what it is about (kept in every item's ``extra``)."""
        if self.council:
            about = {"feed": "ward" if self.ward else "council", "council": self.council}
            if self.ward:
                about.update(ward=self.ward, ward_feed=True)
            return urls.ward_feed(self.base, self.council, self.ward), about
        if self.ward:
            raise SourceError("This FixMyStreet source has a ward but no council.",
                              hint="Add the council's name too: FixMyStreet files wards under their council.")
        if self.area_id is not None:
            return urls.area_feed(self.base, self.area_id), {"feed": "area", "area_id": self.area_id,
                                                              "ward_feed": True}
        lat, lon, radius = _point(config)
        if lat is None:
            raise SourceError("This FixMyStreet source has no ward, area or place set.",
                              hint="In its settings, give the council and ward, a MapIt area id, "
                                   "or a latitude and longitude.")
        about: dict[str, Any] = {"feed": "point", "point": [lat, lon], "radius_km": radius}
        if self.state != "all":
            about["state"] = self.state  # every report in this feed is in that state
        return urls.point_feed(self.base, lat, lon, radius, self.state), about

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        if self.state != "all" and self.about["feed"] != "point":
            self.api.warn(f'FixMyStreet\'s ward and area feeds list every report, so "{self.state}" '
                          "cannot be applied to this one.")
        progress(0.0, "downloading")
        parsed = self._read(cancel)
        if parsed is None:
            progress(1.0, "no change since last time")
            return []
        items = feed_items(parsed, "report", partial(report_item, about=self.about))
        self._note_gaps(items, since)
        progress(1.0, f"{len(items)} reports")
        return items

    def _read(self, cancel: threading.Event) -> Any | None:
        try:
            parsed = read_feed(self.api, self.url, cancel)
        except SourceError as exc:
            if not _not_found(exc):
                raise
            raise self._unknown(cancel) from exc
        if parsed is not None and self.ward and not _is_ward_feed(parsed):
            raise self._unknown_ward()  # FixMyStreet sent the whole council's feed instead
        return parsed

    def _note_gaps(self, items: list[RawItem], since: datetime | None) -> None:
        if since and len(items) >= FEED_LIMIT and all(i.created_at and i.created_at > since for i in items):
            self.api.warn(f"Every report in the feed is new since the last refresh, and FixMyStreet lists only "
                          f"its newest {FEED_LIMIT}: some may have been missed. Refreshing more often avoids this.")

    # ---- explaining "not found" ------------------------------------------------------

    def _unknown(self, cancel: threading.Event) -> SourceError:
        host = urlsplit(self.base).hostname or self.base
        if self.area_id is not None:
            return SourceError(f"FixMyStreet at {host} has no area with MapIt id {self.area_id}.",
                               hint="Check the number on mapit.mysociety.org (it is in the area's address there).")
        if not self.council:
            return SourceError(f"{host} did not give a FixMyStreet feed for that place.",
                               hint="Check the FixMyStreet site's address in the source's settings.")
        known = self._council_known(cancel) if self.ward else False
        if known:
            return self._unknown_ward()
        names = f'the council "{self.council}"' + (f' or its ward "{self.ward}"' if known is None else "")
        return SourceError(f"FixMyStreet at {host} does not know {names}.",
                           hint=f"Check the council's name as FixMyStreet writes it on {self.base}/reports.")

    def _council_known(self, cancel: threading.Event) -> bool | None:
        """Whether the council alone gives a feed (None: could not tell)."""
        try:
            read_feed(self.api, urls.ward_feed(self.base, self.council), cancel)
        except SourceError as exc:
            return False if _not_found(exc) else None
        return True

    def _unknown_ward(self) -> SourceError:
        host = urlsplit(self.base).hostname or self.base
        return SourceError(
            f'FixMyStreet at {host} knows the council "{self.council}" but not a ward called "{self.ward}".',
            hint=f"Check the ward's name on {self.base}/reports/{urls.short_name(self.council)}, "
                 "where FixMyStreet lists the council's wards.")


def _not_found(exc: SourceError) -> bool:
    """A 404 or 410, or a web page where the feed should be (FixMyStreet's redirect for unknown names)."""
    return exc.status in (404, 410) or "is not an RSS or Atom feed" in exc.message


def _is_ward_feed(parsed: Any) -> bool:
    """A ward feed's channel links to /reports/<Council>/<Ward>; the council's to /reports/<Council>."""
    path = urlsplit(parsed.get("feed", {}).get("link") or "").path
    if "/reports/" not in path:
        return True  # a site that links elsewhere: nothing to judge by
    return len(path.split("/reports/", 1)[1].strip("/").split("/")) >= 2


def _text(value: Any) -> str | None:
    """A name with its spaces tidied, or None when empty."""
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _area_id(value: Any) -> int | None:
    """The MapIt id, or None when unset (the settings form saves an empty number as 0)."""
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SourceError(f'"{value}" is not a MapIt area id.',
                          hint="A MapIt area id is a number, such as 164872.") from None
    return number if number > 0 else None


def _point(config: Any) -> tuple[float | None, float | None, float | None]:
    lat, lon, radius = (_number(config.get(key), key) for key in ("lat", "lon", "radius_km"))
    if lat is None and lon is None:
        return None, None, None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise SourceError("This FixMyStreet source needs both a latitude and a longitude.",
                          hint="For example 52.2841 and -1.1702 (north and east are positive).")
    if radius is not None and not 0 < radius <= 100:
        raise SourceError(f"A radius of {radius:g} km is not one FixMyStreet accepts.",
                          hint="Give a radius above 0 and at most 100 km, or leave it empty.")
    return lat, lon, radius


def _number(value: Any, key: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        names = {"lat": "latitude", "lon": "longitude", "radius_km": "radius"}
        raise SourceError(f'"{value}" is not a {names[key]} the app can read.',
                          hint="Use plain decimal numbers, such as 52.2841.") from None
