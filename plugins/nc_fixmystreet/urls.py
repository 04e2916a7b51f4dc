"""FixMyStreet's feed addresses, written the way FixMyStreet writes them itself.

The forms come from FixMyStreet's own code (perllib/FixMyStreet/App/Controller/Rss.pm and Reports.pm):

- ``/rss/reports/<Council>/<Ward>``: reports sent to a council within one of its wards;
- ``/rss/area/<MapIt area id>``: reports within any MapIt area (a ward, a parish, a division...);
- ``/rss/l/<lat>,<lon>/<km>``: reports around a point, optionally with ``?state=open`` or ``?state=fixed``.
  Only this point feed reads ``state`` ("open": confirmed and not yet acted on; "fixed": marked fixed);
  the ward and area feeds list every report whatever its state.

Council and ward names go into the address in FixMyStreet's "short" form (its UK ``short_name``):
"London Borough of" / "Royal Borough of" and a trailing "... Council" are dropped, " & " becomes
" and ", "/" becomes "_", the rest is percent-encoded as UTF-8 and spaces become "+". So "King's Lynn
and West Norfolk Borough Council" is ``King%27s+Lynn+and+West+Norfolk``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_PREFIX = re.compile(r"^(?:Royal|London) Borough of ")
_SUFFIX = re.compile(r" (?:Borough|City|District|County|Parish|Town) Council$")
# FixMyStreet's one exception: two councils share the name Durham.
_SPECIAL = {"Durham County Council": "Durham+County", "Durham City Council": "Durham+City"}


def short_name(name: str) -> str:
    """A council or ward name as it appears in a FixMyStreet address."""
    name = " ".join(name.split())
    if name in _SPECIAL:
        return _SPECIAL[name]
    name = _SUFFIX.sub("", _PREFIX.sub("", name)).removesuffix(" Council")
    name = name.replace(" & ", " and ", 1).replace("/", "_")
    return quote(name, safe="").replace("%20", "+")


def ward_feed(base: str, council: str, ward: str | None = None) -> str:
    """The council's feed, or with ``ward`` the feed for one of its wards."""
    url = f"{base}/rss/reports/{short_name(council)}"
    return f"{url}/{short_name(ward)}" if ward else url


def area_feed(base: str, area_id: int) -> str:
    return f"{base}/rss/area/{area_id}"


def point_feed(base: str, lat: float, lon: float, radius_km: float | None, state: str) -> str:
    """Reports around a point; without a radius FixMyStreet picks one that holds a fair population."""
    url = f"{base}/rss/l/{_number(lat)},{_number(lon)}"
    if radius_km is not None:
        url += f"/{_number(radius_km)}"
    return url if state == "all" else f"{url}?state={state}"


def _number(value: float) -> str:
    """Plain decimals, as FixMyStreet's address pattern ([\\d.-]+) needs: never 1e-05."""
    return f"{value:.6f}".rstrip("0").rstrip(".")
