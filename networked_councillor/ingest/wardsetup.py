"""Setting up a ward from one postcode: postcodes.io for the ward, MapIt for its boundary.

postcodes.io says which ward, district and county a postcode is in (with GSS
codes and coordinates) and which postcodes lie near a point; MapIt (mySociety)
holds ward boundaries as GeoJSON. Everything fetched is cached in the data
folder, and the result is an ordinary ward profile, so once set up the app
needs neither service again.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from networked_councillor.base import postcodes
from networked_councillor.base.errors import ConfigError, SourceError
from networked_councillor.base.geo import Boundary
from networked_councillor.base.secrets import AppSecret
from networked_councillor.base.ward import WardProfile
from networked_councillor.plugin_api.http import HttpClient

POSTCODES_IO = "https://api.postcodes.io"
MAPIT = "https://mapit.mysociety.org"
MAPIT_SECRET = AppSecret("mapit", "api_key", "MapIt API key (ward set-up)")
WARD_TYPES = ("UTW", "DIW", "MTW", "LBW")  # unitary, district, metropolitan and London borough wards
NEARBY_RADIUS_M = 2000  # postcodes.io's largest
NEARBY_LIMIT = 100


@dataclass
class WardSetup:
    """What a postcode tells us about its ward; `profile()` turns it into the ward profile."""

    postcode: str
    ward: str
    ward_gss: str
    district: str
    district_gss: str
    county: str | None
    latitude: float
    longitude: float
    parish: str | None = None
    mapit_id: int | None = None
    boundary: dict[str, Any] | None = None
    postcodes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def profile(self, existing: WardProfile | None = None) -> WardProfile:
        """A ward profile for this ward, keeping the streets, hashtags and handles already entered."""
        base = existing if existing and existing.name == self.ward else WardProfile()
        places = [self.ward] + ([self.parish] if self.parish and "unparished" not in self.parish.lower() else [])
        return WardProfile.from_dict({
            **base.to_dict(),
            "name": self.ward,
            "council": self.district,
            "gss_code": self.ward_gss,
            "places": list(dict.fromkeys([*places, *base.places])),
            "postcodes": list(dict.fromkeys([*sorted({postcodes.sector(pc) for pc in self.postcodes}),
                                             *base.postcodes])),
            "boundary": self.boundary or base.boundary,
        })


class WardFinder:
    """Looks a postcode up (through the shared HTTP client, with a cache in the data folder)."""

    def __init__(self, http: HttpClient, cache_dir: Path, *, postcodes_url: str = POSTCODES_IO,
                 mapit_url: str = MAPIT, mapit_key: str | None = None) -> None:
        self.http = http
        self.cache_dir = cache_dir
        self.postcodes_url = postcodes_url.rstrip("/")
        self.mapit_url = mapit_url.rstrip("/")
        self.mapit_key = mapit_key

    def find(self, postcode: str, cancel: threading.Event | None = None,
             progress=lambda fraction, message: None) -> WardSetup:
        postcode = postcodes.normalise(postcode)
        try:
            if postcodes.kind(postcode) != "full":
                raise ValueError
        except ValueError:
            raise ConfigError(f"{postcode!r} is not a full UK postcode.",
                              hint="Use one from your ward, such as your surgery's: for example CB1 1AA.") from None
        progress(0.1, f"looking up {postcode}")
        found = self._postcode(postcode, cancel)
        setup = WardSetup(
            postcode=postcode,
            ward=found["admin_ward"],
            ward_gss=(found.get("codes") or {}).get("admin_ward", ""),
            district=found.get("admin_district") or "",
            district_gss=(found.get("codes") or {}).get("admin_district", ""),
            county=found.get("admin_county"),
            latitude=float(found["latitude"]),
            longitude=float(found["longitude"]),
            parish=found.get("parish"),
        )
        progress(0.3, f"finding the boundary of {setup.ward}")
        self._boundary(setup, cancel)
        progress(0.6, "finding the ward's postcodes")
        self._postcodes_in_ward(setup, cancel)
        progress(1.0, f"{setup.ward}, {setup.district}")
        return setup

    # ---- postcodes.io --------------------------------------------------------------

    def _postcode(self, postcode: str, cancel) -> dict:
        url = f"{self.postcodes_url}/postcodes/{quote(postcode.replace(' ', ''))}"
        try:
            answer = self._json(url, cancel)
        except SourceError as exc:
            if "HTTP 404" in str(exc):
                raise ConfigError(f"postcodes.io does not know the postcode {postcode}.",
                                  hint="Check it, or try another postcode from the ward.") from exc
            raise
        result = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(result, dict) or not result.get("admin_ward") or result.get("latitude") is None:
            raise SourceError(f"postcodes.io gave no ward for {postcode}.",
                              hint="Some new or non-geographic postcodes have none: try another from the ward.")
        return result

    def _postcodes_in_ward(self, setup: WardSetup, cancel) -> None:
        """Postcodes near the ward's centre and across its boundary that postcodes.io puts in the ward."""
        points = [(setup.latitude, setup.longitude)]
        if setup.boundary:
            x0, y0, x1, y1 = Boundary(setup.boundary).bbox
            points += [((y0 + y1) / 2, (x0 + x1) / 2), (y0 + (y1 - y0) / 4, x0 + (x1 - x0) / 4),
                       (y1 - (y1 - y0) / 4, x1 - (x1 - x0) / 4), (y0 + (y1 - y0) / 4, x1 - (x1 - x0) / 4),
                       (y1 - (y1 - y0) / 4, x0 + (x1 - x0) / 4)]
        found = {setup.postcode}
        for lat, lon in points:
            url = (f"{self.postcodes_url}/postcodes?lon={lon:.6f}&lat={lat:.6f}"
                   f"&radius={NEARBY_RADIUS_M}&limit={NEARBY_LIMIT}")
            try:
                answer = self._json(url, cancel)
            except SourceError as exc:
                setup.notes.append(f"Some nearby postcodes could not be looked up ({exc.message}).")
                continue
            for entry in (answer.get("result") or []) if isinstance(answer, dict) else []:
                in_ward = (entry.get("codes") or {}).get("admin_ward") == setup.ward_gss or (
                    not setup.ward_gss and entry.get("admin_ward") == setup.ward)
                if isinstance(entry, dict) and in_ward and entry.get("postcode"):
                    found.add(postcodes.normalise(entry["postcode"]))
        setup.postcodes = sorted(found)

    # ---- MapIt ---------------------------------------------------------------------

    def _boundary(self, setup: WardSetup, cancel) -> None:
        try:
            areas = self._json(self._mapit(f"/postcode/{quote(setup.postcode.replace(' ', ''))}"), cancel)
            ward = next((a for a in (areas.get("areas") or {}).values()
                         if a.get("type") in WARD_TYPES and (not setup.ward_gss or
                                                             (a.get("codes") or {}).get("gss") == setup.ward_gss)),
                        None)
            if ward is None:
                setup.notes.append("MapIt has no ward boundary for this postcode; items are matched by names "
                                   "and postcodes only.")
                return
            setup.mapit_id = int(ward["id"])
            geometry = self._json(self._mapit(f"/area/{setup.mapit_id}.geojson"), cancel)
            Boundary(geometry)  # refuse anything that is not a polygon
            setup.boundary = geometry
        except (SourceError, ConfigError) as exc:
            setup.notes.append(f"The ward boundary could not be fetched ({getattr(exc, 'message', exc)}); "
                               "you can load a GeoJSON file in the settings instead.")

    def _mapit(self, path: str) -> str:
        return f"{self.mapit_url}{path}"

    # ---- cache ------------------------------------------------------------------------

    def _json(self, url: str, cancel) -> Any:
        key = self.cache_dir / (url.split("://", 1)[-1].replace("/", "_").replace("?", "_")[:180] + ".json")
        if key.is_file():
            return json.loads(key.read_text(encoding="utf-8"))
        params = {"api_key": self.mapit_key} if self.mapit_key and url.startswith(self.mapit_url) else None
        answer = self.http.get(url, params=params, cancel=cancel).json()  # the key never reaches the cache
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        key.write_text(json.dumps(answer), encoding="utf-8")
        return answer


def ward_defaults(ward: WardProfile) -> dict[str, Any]:
    """Values a new source's settings can start from, by setting name (used wherever a plugin has the name)."""
    values: dict[str, Any] = {"ward": ward.name, "council": ward.council}
    districts = [postcodes.district(pc) for pc in ward.postcodes]
    if districts:
        values["postcode_district"] = districts[0]
    if ward.boundary:
        x0, y0, x1, y1 = Boundary(ward.boundary).bbox
        values.update(lat=round((y0 + y1) / 2, 6), lon=round((x0 + x1) / 2, 6))
    return values


def default_sources(setup: WardSetup) -> list[tuple[str, str, dict[str, Any]]]:
    """The sources a ward set-up adds: FixMyStreet for the ward and planning applications in it.

    Consultations and meetings need the council's own web addresses, which no postcode service knows;
    their settings start from the ward's values when the councillor adds them.
    """
    sources = []
    if setup.mapit_id:
        sources.append(("fixmystreet", f"FixMyStreet: {setup.ward}",
                        {"base_url": "https://www.fixmystreet.com", "area_id": setup.mapit_id, "state": "all"}))
    sources.append(("planning", f"Planning applications: {setup.ward}",
                    {"provider": "planning.data.gov.uk", "use_ward_boundary": bool(setup.boundary),
                     "lat": round(setup.latitude, 6), "lon": round(setup.longitude, 6), "radius_km": 1, "days": 90}))
    return sources


def finder_for(app, http: HttpClient, *, postcodes_url: str | None = None, mapit_url: str | None = None) -> WardFinder:
    """A WardFinder with the app's cache, and any configured services and MapIt key."""
    from networked_councillor.base.secrets import SecretStore
    from networked_councillor.store import settings as settings_store

    with app.store.read() as db:
        postcodes_url = postcodes_url or settings_store.get_setting(db, "services.postcodes_io", POSTCODES_IO)
        mapit_url = mapit_url or settings_store.get_setting(db, "services.mapit", MAPIT)
    try:
        key = SecretStore(MAPIT_SECRET.namespace).get(MAPIT_SECRET.name)
    except ConfigError:
        key = None  # no keyring: MapIt still answers a few requests a day without a key
    return WardFinder(http, app.data_dir / "cache" / "ward-setup", postcodes_url=postcodes_url, mapit_url=mapit_url,
                      mapit_key=key)
