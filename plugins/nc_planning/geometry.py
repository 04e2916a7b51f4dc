"""The area to search, written as WKT for planning.data.gov.uk, and the points it sends back.

WKT puts longitude first ("POINT (-1.1651 52.2853)"), as GeoJSON does.
"""

from __future__ import annotations

import math
import re
from typing import Any

from networked_councillor.plugin_api import Boundary

MAX_WKT_CHARS = 3000
"""A longer boundary would make the address too long for the service; its bounding box is sent instead."""
KM_PER_DEGREE = 111.32
_POINT = re.compile(r"POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)", re.IGNORECASE)


def boundary_wkt(geojson: dict[str, Any]) -> str:
    """The ward boundary as a WKT MULTIPOLYGON, or its bounding box when that would be too long to send."""
    boundary = Boundary(geojson)
    polygons = ", ".join(f"({', '.join(_ring(ring) for ring in polygon)})" for polygon in boundary.polygons)
    wkt = f"MULTIPOLYGON ({polygons})"
    if len(wkt) <= MAX_WKT_CHARS:
        return wkt
    west, south, east, north = boundary.bbox
    return f"POLYGON ({_ring([(west, south), (east, south), (east, north), (west, north), (west, south)])})"


def circle_wkt(lat: float, lon: float, radius_km: float, sides: int = 32) -> str:
    """A polygon close to the circle of ``radius_km`` around a point."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    corners = [(lon + dlon * math.cos(2 * math.pi * i / sides), lat + dlat * math.sin(2 * math.pi * i / sides))
               for i in range(sides)]
    return f"POLYGON ({_ring([*corners, corners[0]])})"


def point_lat_lon(wkt: Any) -> tuple[float | None, float | None]:
    """(lat, lon) from a WKT point, which is written longitude first; (None, None) if there is none."""
    match = _POINT.search(wkt) if isinstance(wkt, str) else None
    if not match:
        return None, None
    return float(match[2]), float(match[1])


def _ring(points: list[tuple[float, float]]) -> str:
    return "(" + ", ".join(f"{_number(x)} {_number(y)}" for x, y in points) + ")"


def _number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")
