"""Static SVG maps: what a reader without JavaScript (or without the vendored Leaflet) sees.
``static/map.js`` replaces them with an interactive Leaflet map over the same basemap.

Equirectangular projection of ``geo.basemap.country_shapes()``, coordinates rounded to 0.1°
(a few hundred kilobytes for the world, served once and cached by the browser).  The SVG holds
numbers and fixed class names only, no text from the database."""

from __future__ import annotations

import math
from functools import lru_cache

from ..geo.basemap import country_shapes

WORLD = (-180.0, -58.0, 180.0, 84.0)
#: Half-width in degrees of longitude around a place, by feature.
SPAN = {"country": 14.0, "region": 16.0, "admin": 6.0, "city": 4.0}


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


@lru_cache(maxsize=128)
def _countries(bbox: tuple[float, float, float, float], width: int, height: int) -> str:
    x0, y0, x1, y1 = bbox
    sx, sy = width / (x1 - x0), height / (y1 - y0)
    paths = []
    for feature in country_shapes()["features"]:
        parts = []
        for ring in _rings(feature["geometry"]):
            lons = [p[0] for p in ring]
            lats = [p[1] for p in ring]
            if max(lons) < x0 or min(lons) > x1 or max(lats) < y0 or min(lats) > y1:
                continue
            pts: list[str] = []
            for lon, lat in ring:
                pt = f"{(lon - x0) * sx:.1f},{(y1 - lat) * sy:.1f}"
                if not pts or pts[-1] != pt:
                    pts.append(pt)
            if len(pts) > 2:
                parts.append("M" + "L".join(pts) + "Z")
        if parts:
            paths.append(f'<path d="{"".join(parts)}"/>')
    return "".join(paths)


def render(points: list[tuple[float, float, float, str]], bbox: tuple[float, float, float, float] = WORLD,
           width: int = 960) -> str:
    """An SVG document: countries, then circles (lon, lat, radius in px, "here", "other" or "event") on top."""
    x0, y0, x1, y1 = bbox
    mid = math.radians((y0 + y1) / 2)
    height = max(120, round(width * (y1 - y0) / ((x1 - x0) * max(math.cos(mid), 0.2))))
    sx, sy = width / (x1 - x0), height / (y1 - y0)
    colours = {"here": ("#c2410c", "#7c2d12", ".6"), "other": ("#64748b", "#475569", ".35"),
               "event": ("#be123c", "#881337", ".7")}
    dots = []
    for lon, lat, r, kind in sorted(points, key=lambda p: -p[2]):
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            fill, stroke, opacity = colours[kind]
            dots.append(f'<circle cx="{(lon - x0) * sx:.1f}" cy="{(y1 - lat) * sy:.1f}" r="{r:.1f}" fill="{fill}" '
                        f'fill-opacity="{opacity}" stroke="{stroke}"/>')
    # Presentation attributes, not <style>: the response's CSP forbids inline styles.
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
            f'<rect width="{width}" height="{height}" fill="#dbe7f0"/>'
            f'<g fill="#f6f4ee" stroke="#a9b4bd" stroke-width=".5">{_countries(bbox, width, height)}</g>'
            f'<g stroke-width="1">{"".join(dots)}</g></svg>')


def radius(mentions: int, largest: int, max_px: float = 22.0) -> float:
    """Circle area proportional to mentions (3 px at least)."""
    return max(3.0, max_px * math.sqrt(mentions / max(largest, 1)))


def around(lon: float, lat: float, feature: str) -> tuple[float, float, float, float]:
    half = SPAN.get(feature, 6.0)
    return (max(-180.0, lon - half), max(-85.0, lat - half * 0.65), min(180.0, lon + half), min(85.0, lat + half * 0.65))
