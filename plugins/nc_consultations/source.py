"""A council's consultations from its Citizen Space site (Delib), through the public API 2.4.

``{site}/api/2.4/json_search_results`` needs no sign-in and answers one JSON list of every matching
activity: there are no pages to follow. Its search arguments are ``st`` (open, forthcoming or
closed; none for all), ``pc`` (a full or partial postcode), ``fields`` and a date search (``dk``:
``op`` for the opening date or ``cl`` for the closing date, ``fd``: from that day, dd/mm/yyyy).

After the first fetch only what is new is asked for: activities that opened (or, when following
closed ones, closed) since the day before the last successful run. The day of overlap costs nothing,
since the pipeline stores each activity once. An activity already stored is not asked for again, so
its ``status`` is as it was when it was fetched; its ``end`` says when it closes.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from nc_consultations.mapping import LONDON, activity_item
from networked_councillor.plugin_api import (
    API_VERSION,
    ConfigField,
    Progress,
    RawItem,
    SourceApi,
    SourceError,
    postcodes,
)

STATUSES = ("open", "forthcoming", "closed", "all")
SEARCH_PATH = "/api/2.4/json_search_results"


class CitizenSpaceSource:
    id = "citizenspace"
    name = "Consultations (Citizen Space)"
    api_version = API_VERSION
    config_fields = (
        ConfigField("base_url", "The council's consultation site", "url", required=True,
                    help="Its Citizen Space address, such as https://consult.ashcombe.gov.uk "
                         "or https://ashcombe.citizenspace.com."),
        ConfigField("postcode_district", "Postcode district",
                    help="Only consultations for this area, such as AC4 (a sector such as AC4 2 works too). "
                         "Leave empty for all of the council's consultations."),
        ConfigField("status", "Which consultations", "choice", default="open", choices=STATUSES),
    )

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        config = api.config
        self.base = str(config.get("base_url") or "").strip().rstrip("/")
        if not self.base:
            raise SourceError("This consultation source has no address.",
                              hint="Add the council's Citizen Space address in its settings.")
        self.status = config.get("status") or "open"
        if self.status not in STATUSES:
            raise SourceError(f'"{self.status}" is not a consultation status Citizen Space knows.',
                              hint="Choose open, forthcoming, closed or all in the source's settings.")
        self.postcode = _postcode(config.get("postcode_district"))
        self.url = self.base + SEARCH_PATH

    def params(self, since: datetime | None) -> dict[str, str]:
        """The search arguments; with ``since``, only activities that opened (or closed) from the day before."""
        params = {"fields": "extended"}
        if self.status != "all":
            params["st"] = self.status
        if self.postcode:
            params["pc"] = self.postcode
        if since is not None:
            day = since.astimezone(LONDON).date() - timedelta(days=1)
            params["dk"] = "cl" if self.status == "closed" else "op"
            params["fd"] = day.strftime("%d/%m/%Y")
        return params

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        progress(0.0, "searching")
        activities = self._search(since, cancel)
        items = [item for item in map(activity_item, activities) if item is not None]
        self._note_problems(len(activities), items)
        progress(1.0, f"{len(items)} consultations")
        return items

    def _search(self, since: datetime | None, cancel: threading.Event) -> list[dict[str, Any]]:
        host = urlsplit(self.base).hostname or self.base
        try:
            response = self.api.http.get(self.url, params=self.params(since), cancel=cancel)
        except SourceError as exc:
            if exc.status in (404, 410):
                raise SourceError(f"{host} has no Citizen Space consultation search at {self.url}.",
                                  hint="Check the consultation site's address in the source's settings: it is the "
                                       "address of the site's home page.") from exc
            raise
        not_citizen_space = SourceError(
            f"{host} did not answer like a Citizen Space site.",
            hint="Check that the address in the source's settings is the council's Citizen Space site; "
                 "nothing was stored from this answer.")
        try:
            answer = response.json()
        except SourceError as exc:
            raise not_citizen_space from exc
        if not isinstance(answer, list):
            raise not_citizen_space
        return [activity for activity in answer if isinstance(activity, dict)]

    def _note_problems(self, found: int, items: list[RawItem]) -> None:
        if found > len(items):
            self.api.warn(f"{found - len(items)} consultations had neither an id nor an address and were left out.")


def _postcode(value: Any) -> str | None:
    text = postcodes.normalise(str(value or ""))
    if not text:
        return None
    try:
        postcodes.kind(text)
    except ValueError:
        raise SourceError(f'"{value}" is not a postcode district.',
                          hint="Give the first part of a postcode, such as AC4, or leave it empty.") from None
    return text
