"""The briefing's map: places as circles over offline country outlines, zoomed to the mentions."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from ..geo.basemap import svg_paths
from .model import EventRow, MapView, PlaceRow


MAP_WIDTH = 880
MAP_POINTS = 80  # circles drawn at most
MAP_LISTED = 12  # far-off places and regions named under the map at most


def _map(places: list[PlaceRow], events: list[EventRow] = (), top_labels: int = 12) -> MapView | None:
    """Places as circles sized by mentions over country outlines, zoomed to where the mentions
    are: far-off places with few mentions (a passing "United States") are listed, not plotted,
    so one aside does not turn a regional map into a world map.  Regions ("Europe", "Middle
    East") have no single point and are listed too.  Events are diamonds on top, one per place
    that has any (``_event_markers``)."""
    regions = [p for p in places if p.feature == "region"]
    points = [p for p in places if p.feature != "region" and p.lat is not None and p.lon is not None]
    if not points:
        return None if not regions else MapView(0, 0, [], [], [], [], regions[:MAP_LISTED],
                                                len(regions[MAP_LISTED:]))
    points = points[:MAP_POINTS]
    total = sum(p.mentions for p in points)
    shown = list(points)
    outside: list[PlaceRow] = []
    while len(shown) > 1:
        lons, lats = [p.lon for p in shown], [p.lat for p in shown]
        if max(lons) - min(lons) <= 60 and max(lats) - min(lats) <= 40:
            break
        cx = sum(p.lon * p.mentions for p in shown) / sum(p.mentions for p in shown)
        cy = sum(p.lat * p.mentions for p in shown) / sum(p.mentions for p in shown)
        minor = [p for p in shown if p.mentions < 0.1 * total]
        if not minor:
            break
        far = max(minor, key=lambda p: math.hypot((p.lon - cx) * math.cos(math.radians(cy)), p.lat - cy))
        shown.remove(far)
        outside.append(far)
    lons, lats = [p.lon for p in shown], [p.lat for p in shown]
    x0, x1, y0, y1 = min(lons), max(lons), min(lats), max(lats)
    mx, my = max((x1 - x0) * 0.12, 2.5), max((y1 - y0) * 0.15, 2.0)
    x0, x1, y0, y1 = x0 - mx, x1 + mx, max(y0 - my, -85), min(y1 + my, 85)
    k = math.cos(math.radians((y0 + y1) / 2))  # keep shapes true at the map's latitude
    height = round(MAP_WIDTH * (y1 - y0) / ((x1 - x0) * k))
    if height > 560:  # too tall: widen the longitudes
        extra = ((y1 - y0) * MAP_WIDTH / 560 / k - (x1 - x0)) / 2
        x0, x1, height = x0 - extra, x1 + extra, 560
    elif height < 340:  # too flat: add latitudes
        extra = (340 * (x1 - x0) * k / MAP_WIDTH - (y1 - y0)) / 2
        y0, y1, height = max(y0 - extra, -85), min(y1 + extra, 85), 340
    back = [p for p in outside if x0 <= p.lon <= x1 and y0 <= p.lat <= y1]  # inside after all
    shown += back
    outside = [p for p in outside if p not in back]
    width = MAP_WIDTH
    px = lambda lon: (lon - x0) / (x1 - x0) * width  # noqa: E731
    py = lambda lat: (y1 - lat) / (y1 - y0) * height  # noqa: E731
    by_country = Counter()
    for p in places:
        if p.country_code:
            by_country[p.country_code] += p.mentions
    peak_country = max(by_country.values(), default=1)
    countries = []
    for iso, d in svg_paths((x0, y0, x1, y1), width, height):
        if _visible(d, width, height):
            share = by_country.get(iso, 0) / peak_country
            countries.append((iso, d, 0 if not share else 1 if share < 0.2 else 2 if share < 0.6 else 3))
    peak = max(p.mentions for p in shown)
    circles = [{"x": round(px(p.lon), 1), "y": round(py(p.lat), 1),
                "r": round(3 + 19 * math.sqrt(p.mentions / peak), 1), "place": p,
                "country": p.feature == "country"} for p in shown]
    circles.sort(key=lambda c: -c["r"])
    outside.sort(key=lambda p: -p.mentions)
    omitted = len(places) - len(shown) - min(len(outside), MAP_LISTED) - min(len(regions), MAP_LISTED)
    return MapView(width, height, countries, circles, _labels(circles, top_labels, width, height),
                   outside[:MAP_LISTED], regions[:MAP_LISTED], omitted,
                   _event_markers(events, (x0, y0, x1, y1), px, py))


def _event_markers(events: list[EventRow], bbox: tuple[float, float, float, float], px, py) -> list[dict]:
    """One diamond per located place with events inside the map, larger with more events; it
    names the events in its title and links to the most reported one (``EventRow.href``)."""
    x0, y0, x1, y1 = bbox
    at: dict[tuple[float, float], list[EventRow]] = defaultdict(list)
    for ev in events:
        if ev.lat is not None and ev.lon is not None and x0 <= ev.lon <= x1 and y0 <= ev.lat <= y1:
            at[(ev.lat, ev.lon)].append(ev)
    out = []
    for (lat, lon), evs in at.items():
        evs.sort(key=lambda ev: (-ev.reports, not ev.material, not ev.counts))
        place = evs[0].place or "this place"
        listed = "; ".join(f"{ev.what} ({ev.day or 'undated'})" for ev in evs[:6])
        more = f"; and {len(evs) - 6} more" if len(evs) > 6 else ""
        r = round(min(5 + 1.6 * math.sqrt(len(evs) - 1), 11), 1)
        out.append({"x": round(px(lon), 1), "y": round(py(lat), 1), "r": r, "n": len(evs), "event": evs[0],
                    "title": f"{place}: {len(evs)} event{'s' if len(evs) > 1 else ''} — {listed}{more}"})
    out.sort(key=lambda m: -m["r"])
    return out


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _visible(d: str, width: int, height: int) -> bool:
    """Whether an outline's bounding box meets the canvas (others are left out of the file)."""
    nums = [float(n) for n in _NUMBER.findall(d)]
    xs, ys = nums[0::2], nums[1::2]
    return bool(xs) and max(xs) >= 0 and min(xs) <= width and max(ys) >= 0 and min(ys) <= height


def _labels(circles: list[dict], limit: int, width: int, height: int) -> list[dict]:
    """Names for the most mentioned places: right of the circle, else left, above or below,
    wherever the name covers no other name and no town circle (country circles are faint and
    large, so a name may cross one).  The five most mentioned places may cover a town circle
    if nothing else is free; other places with no free spot stay unnamed on the map."""
    towns = [(c["x"] - c["r"], c["y"] - c["r"], c["x"] + c["r"], c["y"] + c["r"], id(c))
             for c in circles if not c["country"]]
    boxes: list[tuple[float, float, float, float]] = []
    out = []
    for rank, c in enumerate(sorted(circles, key=lambda c: -c["place"].mentions)):
        if len(out) >= limit:
            break
        w, h, x, y, r = 7.2 * len(c["place"].name) + 4, 15, c["x"], c["y"], c["r"]
        spots = (("start", x + r + 3, y + 4.5, (x + r + 1, y - h / 2)),
                 ("end", x - r - 3, y + 4.5, (x - r - 1 - w, y - h / 2)),
                 ("middle", x, y - r - 4, (x - w / 2, y - r - 3 - h)),
                 ("middle", x, y + r + 13, (x - w / 2, y + r + 1)))
        tries = [(spot, True) for spot in spots] + [(spot, False) for spot in spots if rank < 5]
        for (anchor, lx, ly, (bx, by)), avoid_towns in tries:
            box = (bx, by, bx + w, by + h)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
            if inside and not any(_overlap(box, o) for o in boxes) and not (
                    avoid_towns and any(_overlap(box, t[:4]) for t in towns if t[4] != id(c))):
                boxes.append(box)
                out.append({"x": round(lx, 1), "y": round(ly, 1), "anchor": anchor, "text": c["place"].name})
                break
    return out


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
