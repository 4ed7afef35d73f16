"""Events across documents: the same happening reported by several articles, as one record.

"Militants attacked a checkpoint near Tal Afar, killing at least 12" (one outlet) and "nine
soldiers were killed when gunmen stormed an army post outside Tal Afar" (another) are one event
with two reports whose death tolls disagree.  Two event mentions can be one event when

* **they are of one kind**: the same PLOVER type, and ACLED event types that do not differ;
* **time fits**: their dates (the sentence's own, else the publication date) are at most
  ``WINDOW_DAYS`` apart, and a month- or year-level date contains the other;
* **place fits**: the same place, or both within ``PLACE_KM`` of each other in one country
  (a country-level place fits any place inside it); unknown place fits only with an actor in common;
* **the actors do not conflict**: two different named sources (cross-document entities) are two
  events; the evidence (``_evidence``) adds the same place, a near place, the same source, the
  same target, the same day and the same ACLED sub-type and must reach ``LINK``.

Only asserted events are linked (a denied or planned attack is not a report of one).  Mentions
are blocked by (PLOVER type, day), so the pass is near-linear; merges check the whole cluster.
Ids are hashes of the earliest report (``stable_id``), like statements and claims.

Each event's magnitudes (dead, injured, arrested, crowd size) become claims built by the claim
machinery (``claims._claim``): the range across the reports and whether they agree, so the
claims page shows "9 to at least 12 dead" beside the other figures.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from datetime import date

import duckdb

from .claims import _claim, effective_range
from .statements import stable_id

WINDOW_DAYS = 2
PLACE_KM = 50.0
LINK = 0.6
WEIGHTS = {"same_place": 0.4, "near_place": 0.25, "same_source": 0.3, "same_target": 0.2, "same_day": 0.2,
           "same_sub_type": 0.1, "same_document": 0.1}
MAGNITUDE_KINDS = {"dead": "deaths", "injured": "injuries", "arrested": "count", "size": "count"}
MAGNITUDE_LABEL = {"dead": "dead", "injured": "injured", "arrested": "arrested", "size": "crowd size"}


def rows_for_events(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Asserted event mentions with their article's date and source, the cross-document ids of
    their actors and their place's coordinates."""
    cur = con.execute(
        'SELECT e.document_id, e.id, e.start, e."end", e.text, e.sentence_start, e.sentence_end, e.plover_type, '
        "e.plover_mode, e.acled_event_type, e.acled_sub_event_type, e.source_actor, "
        "coalesce(ls.canonical_id, e.source_entity_id) AS source_entity_id, e.source_sector, e.target_actor, "
        "coalesce(lt.canonical_id, e.target_entity_id) AS target_entity_id, e.target_sector, e.place_id, "
        "p.country_code, p.lat, p.lon, p.feature, p.name AS place_name, e.date, e.time_precision, e.magnitudes, e.confidence, "
        "d.published, d.source "
        "FROM event_mentions e JOIN documents d ON d.id = e.document_id "
        "LEFT JOIN entity_links ls ON ls.entity_id = e.source_entity_id "
        "LEFT JOIN entity_links lt ON lt.entity_id = e.target_entity_id "
        "LEFT JOIN places p ON p.id = e.place_id "
        "WHERE e.factuality = 'asserted' ORDER BY e.document_id, e.start, e.\"end\"")
    names = [c[0] for c in cur.description]
    out = []
    while batch := cur.fetchmany(1024):
        for row in batch:
            r = dict(zip(names, row))
            r["magnitudes"] = json.loads(r["magnitudes"]) if r["magnitudes"] else []
            out.append(r)
    return out


def _day(value: str | None) -> int | None:
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


def _dates_fit(a: dict, b: dict) -> bool:
    da, db = a.get("date"), b.get("date")
    if not da or not db:
        return True
    x, y = _day(da), _day(db)
    if x is not None and y is not None:
        return abs(x - y) <= WINDOW_DAYS
    return da.startswith(db) or db.startswith(da)  # "2024-03" holds "2024-03-04"


def _km(a: dict, b: dict) -> float:
    if None in (a.get("lat"), a.get("lon"), b.get("lat"), b.get("lon")):
        return math.inf
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dl = math.radians(b["lon"] - a["lon"])
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, c)))


def _places_fit(a: dict, b: dict) -> bool | None:
    """True (same or near), False (conflict) or None (one is unknown)."""
    if not a.get("place_id") or not b.get("place_id"):
        return None
    if a["place_id"] == b["place_id"]:
        return True
    ca, cb = a.get("country_code"), b.get("country_code")
    if ca and cb and ca != cb:
        return False
    if "country" in (a.get("feature"), b.get("feature")) or "region" in (a.get("feature"), b.get("feature")):
        return bool(ca and cb and ca == cb)
    return _km(a, b) <= PLACE_KM


def _norm(name: str | None) -> str:
    return " ".join((name or "").lower().replace("the ", " ").split())


def _same_actor(a: dict, b: dict, side: str) -> bool | None:
    ida, idb = a.get(f"{side}_entity_id"), b.get(f"{side}_entity_id")
    if ida and idb:
        return ida == idb
    na, nb = _norm(a.get(f"{side}_actor")), _norm(b.get(f"{side}_actor"))
    if na and nb:
        if na == nb or na in nb or nb in na:
            return True
        sa, sb = a.get(f"{side}_sector"), b.get(f"{side}_sector")
        return True if sa and sa == sb else None
    return None


def _conflict(a: dict, b: dict) -> bool:
    if a["plover_type"] != b["plover_type"]:
        return True
    ea, eb = a.get("acled_event_type"), b.get("acled_event_type")
    if ea and eb and ea != eb:
        return True
    if not _dates_fit(a, b) or _places_fit(a, b) is False:
        return True
    ida, idb = a.get("source_entity_id"), b.get("source_entity_id")
    return bool(ida and idb and ida != idb and _norm(a.get("source_actor")) != _norm(b.get("source_actor")))


def _evidence(a: dict, b: dict) -> float:
    score = 0.0
    place = _places_fit(a, b)
    if place:
        score += WEIGHTS["same_place"] if a["place_id"] == b["place_id"] else WEIGHTS["near_place"]
    if _same_actor(a, b, "source"):
        score += WEIGHTS["same_source"]
    if _same_actor(a, b, "target"):
        score += WEIGHTS["same_target"]
    if a.get("date") and a.get("date") == b.get("date"):
        score += WEIGHTS["same_day"]
    if a.get("acled_sub_event_type") and a.get("acled_sub_event_type") == b.get("acled_sub_event_type"):
        score += WEIGHTS["same_sub_type"]
    if a["document_id"] == b["document_id"]:
        score += WEIGHTS["same_document"]
    if place is None and not (_same_actor(a, b, "source") or _same_actor(a, b, "target")):
        return 0.0  # neither a place nor an actor in common: not enough to call it one event
    return score


def _order(r: dict) -> tuple:
    return (r.get("published") is None, r.get("published") or "", r["document_id"], r["start"], r["end"])


def group_events(rows: list[dict]) -> list[dict]:
    """Every asserted mention in exactly one event, ordered by first report."""
    rows = sorted(rows, key=_order)
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        buckets[(r["plover_type"], _day(r.get("date")) or r["document_id"])].append(i)
    pairs: list[tuple[float, int, int]] = []
    for i, r in enumerate(rows):
        day = _day(r.get("date"))
        keys = [(r["plover_type"], r["document_id"])] if day is None else [
            (r["plover_type"], d) for d in range(day - WINDOW_DAYS, day + WINDOW_DAYS + 1)]
        for key in keys:
            for j in buckets.get(key, ()):
                if j <= i or _conflict(r, rows[j]):
                    continue
                score = _evidence(r, rows[j])
                if score >= LINK:
                    pairs.append((score, i, j))
    owner = list(range(len(rows)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(rows))}
    for _score, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        ci, cj = owner[i], owner[j]
        if ci == cj or any(_conflict(rows[x], rows[y]) for x in members[ci] for y in members[cj]):
            continue
        keep, gone = (ci, cj) if ci < cj else (cj, ci)
        for m in members.pop(gone):
            owner[m] = keep
            members[keep].append(m)
    return [_event([rows[m] for m in sorted(ms)]) for _, ms in sorted(members.items())]


def _most_common(values) -> object:
    got = Counter(v for v in values if v)
    return got.most_common(1)[0][0] if got else None


def _event(reports: list[dict]) -> dict:
    first = reports[0]
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in reports:
        for m in r["magnitudes"]:
            by_kind[m["kind"]].append({**m, "document_id": r["document_id"], "source": r.get("source"),
                                       "published": r.get("published")})
    ranges = {}
    agree = True
    for kind, figs in by_kind.items():
        lows = [f["low"] if f.get("low") is not None else f.get("value") for f in figs]
        highs = [f["high"] if f.get("high") is not None else f.get("value") for f in figs]
        lows, highs = [x for x in lows if x is not None], [x for x in highs if x is not None]
        ranges[kind] = (min(lows) if lows else None, max(highs) if highs else None)
        eff = [effective_range(f) for f in figs]
        agree = agree and max(e[0] for e in eff) <= min(e[1] for e in eff)
    place = min((r for r in reports if r.get("place_id")),
                key=lambda r: {"country": 3, "region": 2, "admin": 1}.get(r.get("feature"), 0), default=None)
    dates = sorted(r["date"] for r in reports if r.get("date"))
    confidence = 1.0
    for r in reports:
        confidence *= 1.0 - float(r["confidence"])
    return {
        "id": stable_id("V", first),
        "plover_type": first["plover_type"],
        "plover_mode": _most_common(r.get("plover_mode") for r in reports),
        "acled_event_type": _most_common(r.get("acled_event_type") for r in reports),
        "acled_sub_event_type": _most_common(r.get("acled_sub_event_type") for r in reports),
        "source_entity_id": _most_common(r.get("source_entity_id") for r in reports),
        "source_actor": _most_common(r.get("source_actor") for r in reports),
        "target_entity_id": _most_common(r.get("target_entity_id") for r in reports),
        "target_actor": _most_common(r.get("target_actor") for r in reports),
        "place_id": place["place_id"] if place else None,
        "country_code": place.get("country_code") if place else None,
        "date_start": dates[0] if dates else None,
        "date_end": dates[-1] if dates else None,
        "ranges": ranges,
        "magnitudes": dict(by_kind),
        "reports": [{"id": r["id"], "document_id": r["document_id"], "start": r["start"], "end": r["end"]}
                    for r in reports],
        "sources": len({r.get("source") or f"document:{r['document_id']}" for r in reports}),
        "agree": agree,
        "confidence": round(1.0 - confidence, 3),
        "place_name": place.get("place_name") if place else None,
    }


def magnitude_claims(events: list[dict], figure_rows: list[dict]) -> tuple[list[dict], set[tuple]]:
    """Claims for the events' magnitudes (one per event and kind), built from the figure rows the
    claim pass reads, and the figure spans they take (which the generic claim grouping then skips)."""
    by_span = {(f["document_id"], f["start"], f["end"]): f for f in figure_rows}
    claims, taken = [], set()
    for ev in events:
        what = (ev.get("acled_sub_event_type") or ev["plover_type"].lower()).lower()
        where = f" near {ev['place_name']}" if ev.get("place_name") else ""
        when = f" on {ev['date_start']}" if ev.get("date_start") else ""
        for kind, mags in ev["magnitudes"].items():
            members = []
            for m in mags:
                key = (m["document_id"], m["start"], m["end"])
                if key in by_span and key not in taken:
                    taken.add(key)
                    members.append(by_span[key])
            if not members:
                continue
            claim = _claim(members)
            claim["subject"] = f"{MAGNITUDE_LABEL[kind]} in {what}{where}{when}"
            claim["kind"] = MAGNITUDE_KINDS[kind] if kind in ("dead", "injured") else claim.get("kind")
            claim["place_id"] = ev.get("place_id") or claim.get("place_id")
            claim["event_id"] = ev["id"]
            claims.append(claim)
    return claims, taken
