"""Point-in-polygon for ward boundaries (GeoJSON, lon/lat order as GeoJSON has it)."""

from __future__ import annotations

import math
from typing import Any

from networked_councillor.base.errors import ConfigError

Ring = list[tuple[float, float]]


class Boundary:
    """A ward boundary: a GeoJSON Polygon or MultiPolygon (or a Feature holding one)."""

    def __init__(self, geojson: dict[str, Any]) -> None:
        self.polygons = _polygons(geojson)
        if not self.polygons:
            raise ConfigError("The ward boundary has no polygon in it.")
        xs = [x for poly in self.polygons for x, _ in poly[0]]
        ys = [y for poly in self.polygons for _, y in poly[0]]
        self.bbox = (min(xs), min(ys), max(xs), max(ys))

    def contains(self, lat: float, lon: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            return False
        for outer, *holes in self.polygons:
            if _in_ring(lon, lat, outer) and not any(_in_ring(lon, lat, h) for h in holes):
                return True
        return False


def _polygons(obj: dict[str, Any]) -> list[list[Ring]]:
    if not isinstance(obj, dict):
        raise ConfigError("The ward boundary must be a GeoJSON object.")
    kind = obj.get("type")
    if kind == "FeatureCollection":
        return [p for f in obj.get("features") or [] for p in _polygons(f)]
    if kind == "Feature":
        return _polygons(obj.get("geometry") or {})
    if kind == "Polygon":
        return [_rings(obj.get("coordinates"))]
    if kind == "MultiPolygon":
        return [_rings(c) for c in obj.get("coordinates") or []]
    raise ConfigError(f"The ward boundary must be a GeoJSON Polygon or MultiPolygon, not {kind!r}.")


def _rings(coords: Any) -> list[Ring]:
    if not isinstance(coords, list) or not all(isinstance(ring, list) for ring in coords):
        raise ConfigError("The ward boundary has malformed coordinates (each ring must be a list of points).")
    rings = [[_point(p) for p in ring] for ring in coords]
    if not rings or any(len(r) < 4 for r in rings):
        raise ConfigError("The ward boundary has a ring with fewer than four points.")
    return rings


def _point(value: Any) -> tuple[float, float]:
    """A [longitude, latitude] pair of real numbers on the Earth (GeoJSON order)."""
    if not isinstance(value, list) or len(value) < 2 or not all(_number(v) for v in value[:2]):
        raise ConfigError(f"The ward boundary has a point that is not [longitude, latitude]: {str(value)[:60]}.")
    lon, lat = float(value[0]), float(value[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ConfigError(f"The ward boundary has a point off the map: [{lon}, {lat}] (longitude first, then "
                          "latitude, as GeoJSON has them).")
    return lon, lat


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    xj, yj = ring[-1]
    for xi, yi in ring:
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        xj, yj = xi, yi
    return inside
