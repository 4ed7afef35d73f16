"""An offline basemap: country outlines from the ``countryinfo`` package (Natural Earth-derived
polygons, ~280 KB for 173 countries), so maps in the briefing and the web app need no tile
server and no network.  Small territories the package has no outline for are simply absent."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def country_shapes() -> dict:
    """A GeoJSON FeatureCollection of country polygons; ``properties``: ``name``, ``iso2``."""
    import countryinfo

    features = []
    for country in countryinfo.all_countries():
        try:
            shape = country.geo_json()
            iso = country.iso()
            name = country.name()
        except Exception:  # noqa: BLE001 - entries without geometry or codes are skipped
            continue
        if not shape or not shape.get("features"):
            continue
        code = iso.get("alpha2") if isinstance(iso, dict) else None
        features.append({"type": "Feature", "id": code or name,
                         "properties": {"name": str(name).title(), "iso2": code},
                         "geometry": shape["features"][0]["geometry"]})
    features.sort(key=lambda f: f["id"])
    return {"type": "FeatureCollection", "features": features}


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def svg_paths(bbox: tuple[float, float, float, float], width: int, height: int) -> list[tuple[str, str]]:
    """(iso2, SVG path ``d``) for every country outline, in an equirectangular projection of
    ``bbox`` = (min_lon, min_lat, max_lon, max_lat) onto a ``width`` x ``height`` canvas."""
    x0, y0, x1, y1 = bbox
    sx, sy = width / (x1 - x0), height / (y1 - y0)
    out = []
    for f in country_shapes()["features"]:
        parts = []
        for ring in _rings(f["geometry"]):
            pts = " ".join(f"{(lon - x0) * sx:.1f},{(y1 - lat) * sy:.1f}" for lon, lat in ring)
            parts.append(f"M{pts}Z")
        if parts:
            out.append((f["properties"]["iso2"] or "", "".join(parts)))
    return out
