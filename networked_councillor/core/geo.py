"""Point-in-polygon for ward boundaries (GeoJSON, lon/lat order as GeoJSON has it)."""

from __future__ import annotations

from typing import Any

from networked_councillor.core.errors import ConfigError

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
    try:
        rings = [[(float(p[0]), float(p[1])) for p in ring] for ring in coords]
    except (TypeError, ValueError, IndexError):
        raise ConfigError("The ward boundary has malformed coordinates.") from None
    if not rings or any(len(r) < 4 for r in rings):
        raise ConfigError("The ward boundary has a ring with fewer than four points.")
    return rings


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    xj, yj = ring[-1]
    for xi, yi in ring:
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        xj, yj = xi, yi
    return inside
