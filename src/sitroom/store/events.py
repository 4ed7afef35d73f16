"""Events for the readers: ``sitroom events``, the export's event sections and the ACLED, PLOVER
and GeoJSON faces of the same rows.

Two views, as for quotes/statements and figures/claims: ``event_mentions`` holds one row per event a
sentence reports (every factuality), ``events`` one row per cross-document event (asserted reports
only; written by the link pass, ``link/events.py``).  Everything here reads those tables and joins
the article, entity and place tables; nothing is recomputed.

Dates.  An event's ``date`` is a TimeML value ("2024-03-16", "2024-03", "2024-W11", sometimes
"PRESENT_REF").  :func:`date_span` gives the days it covers: its first day sorts events and is the
day the formats that need one (ACLED, PLOVER) write, its last day is what ``--since`` compares;
a value that names no calendar time stands for the report's publication date.
"""

from __future__ import annotations

import calendar
import json
import re
from collections import defaultdict
from datetime import date, timedelta
from typing import Iterable

from .database import Store

MAGNITUDES = ("dead", "injured", "arrested", "size")
FACTUALITIES = ("asserted", "negated", "hypothetical", "future")
#: ACLED's geo_precision (1 the place itself, 2 a region around it, 3 only the country).
ACLED_GEO_PRECISION = {"exact": 1, "region": 2, "country": 3}
#: ACLED's time_precision (1 the day, 2 the week, 3 the month or longer).
ACLED_TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
#: ACLED's own names for actors no article names ("Protesters (Iraq)"), by the stage's sector.
ACLED_GENERIC_ACTORS = {"military": "Military Forces of {country}", "police": "Police Forces of {country}",
                        "protesters": "Protesters ({country})", "civilians": "Civilians ({country})",
                        "rebels": "Unidentified Armed Group ({country})"}
#: The columns of ``--format acled``: ACLED's names, in ACLED's order (a subset of its export).
ACLED_COLUMNS = ("event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
                 "actor1", "actor2", "iso", "country", "admin1", "location", "latitude", "longitude",
                 "geo_precision", "source", "notes", "fatalities")

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})(-WE)?$")


def date_span(value: str | None, fallback: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(first day, last day, precision) a TimeML date value covers: "2024-03-16" is that day,
    "2024-03" the month, "2024-W11" the ISO week (Monday to Sunday; "-WE" its weekend), "2015" the
    year.  Values that name no calendar time ("PRESENT_REF", durations) fall back to the day
    ``fallback`` (the publication date) at week precision; (None, None, None) without either."""
    if value:
        try:
            if m := _DAY.match(value):
                d = date(int(m[1]), int(m[2]), int(m[3])).isoformat()
                return d, d, "day"
            if m := _MONTH.match(value):
                y, mo = int(m[1]), int(m[2])
                return date(y, mo, 1).isoformat(), date(y, mo, calendar.monthrange(y, mo)[1]).isoformat(), "month"
            if m := _YEAR.match(value):
                return f"{m[1]}-01-01", f"{m[1]}-12-31", "year"
            if m := _WEEK.match(value):
                monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
                first = monday + timedelta(days=5) if m[3] else monday
                return first.isoformat(), (monday + timedelta(days=6)).isoformat(), "week"
        except ValueError:
            pass
    if fallback and _DAY.match(fallback):
        return fallback[:10], fallback[:10], "week"
    return None, None, None


def day_of(value: str | None, fallback: str | None = None) -> tuple[str | None, str | None]:
    """(first day, precision) of :func:`date_span`: the one day sorting and ACLED/PLOVER need."""
    first, _, precision = date_span(value, fallback)
    return first, precision


# -- reading the rows ------------------------------------------------------------------------------

_MENTION_SQL = (
    'SELECT e.document_id, e.id, e.start, e."end", e.text, e.sentence_start, e.sentence_end, e.plover_type, '
    "e.plover_mode, e.plover_context, e.factuality, e.acled_event_type, e.acled_sub_event_type, "
    "e.source_actor, coalesce(ls.canonical_id, e.source_entity_id) AS source_entity_id, e.source_sector, "
    "e.source_country, e.source_start, e.source_end, "
    "e.target_actor, coalesce(lt.canonical_id, e.target_entity_id) AS target_entity_id, e.target_sector, "
    "e.target_country, e.target_start, e.target_end, "
    "e.place_id, e.place_name, e.country_code, e.place_start, e.place_end, e.geo_precision, "
    "e.date, e.date_start, e.date_end, e.time_precision, e.date_source, e.magnitudes, e.confidence, e.event_id "
    "FROM event_mentions e "
    "LEFT JOIN entity_links ls ON ls.entity_id = e.source_entity_id "
    "LEFT JOIN entity_links lt ON lt.entity_id = e.target_entity_id")


def _loads(value, default):
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value


def _figure(m: dict | None) -> dict | None:
    if m is None:
        return None
    return {k: m.get(k) for k in ("text", "start", "end", "value", "low", "high", "qualifier")}


def _actor(row: dict, side: str, text: str | None) -> dict | None:
    start, end = row[f"{side}_start"], row[f"{side}_end"]
    if row[f"{side}_actor"] is None and row[f"{side}_entity_id"] is None and start is None:
        return None
    return {"name": row[f"{side}_actor"],
            "text": text[start:end] if text is not None and start is not None and end is not None else None,
            "entity_id": row[f"{side}_entity_id"], "sector": row[f"{side}_sector"],
            "country": row[f"{side}_country"], "start": start, "end": end}


def mention_record(row: dict, text: str | None) -> dict:
    """One document-level event object of the export (``documents[].events[]``) from an
    event_mentions row; ``text`` is the article text the spans point into."""
    mags = {m["kind"]: m for m in _loads(row["magnitudes"], [])}
    return {
        "id": row["id"], "text": row["text"], "start": row["start"], "end": row["end"],
        "sentence_start": row["sentence_start"], "sentence_end": row["sentence_end"],
        "plover_type": row["plover_type"], "plover_mode": row["plover_mode"],
        "plover_context": _loads(row["plover_context"], []), "factuality": row["factuality"],
        "acled_event_type": row["acled_event_type"], "acled_sub_event_type": row["acled_sub_event_type"],
        "source_actor": _actor(row, "source", text), "target_actor": _actor(row, "target", text),
        "place_id": row["place_id"], "place_name": row["place_name"], "country_code": row["country_code"],
        "place_start": row["place_start"], "place_end": row["place_end"], "geo_precision": row["geo_precision"],
        "date": row["date"], "date_start": row["date_start"], "date_end": row["date_end"],
        "time_precision": row["time_precision"], "date_source": row["date_source"],
        **{kind: _figure(mags.get(kind)) for kind in MAGNITUDES},
        "confidence": row["confidence"], "event_id": row["event_id"],
    }


def mentions_by_document(store: Store, texts: dict[str, str]) -> dict[str, list[dict]]:
    """Every document's event objects, in text order."""
    out: dict[str, list[dict]] = defaultdict(list)
    for row in store.query(_MENTION_SQL + ' ORDER BY e.document_id, e.start, e."end"'):
        out[row["document_id"]].append(mention_record(row, texts.get(row["document_id"])))
    return out


def _names(store: Store, ids: Iterable[str | None]) -> dict[str, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    return {r["id"]: r["name"] for r in store.query(
        "SELECT id, name FROM entities WHERE id IN (SELECT unnest(?::VARCHAR[]))", [wanted])}


def _report_rows(store: Store, event_ids: list[str] | None = None) -> dict[str, list[dict]]:
    """The reports of each event, first report first (the order the link pass uses for ids)."""
    where, params = "e.event_id IS NOT NULL", []
    if event_ids is not None:
        if not event_ids:
            return {}
        where, params = "e.event_id IN (SELECT unnest(?::VARCHAR[]))", [event_ids]
    rows = store.query(
        _MENTION_SQL.replace("FROM event_mentions e", ", d.source AS outlet, d.published, d.title, d.url "
                             "FROM event_mentions e JOIN documents d ON d.id = e.document_id")
        + f' WHERE {where} ORDER BY e.event_id, d.published IS NULL, d.published, e.document_id, e.start, e."end"',
        params)
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        r["magnitudes"] = _loads(r["magnitudes"], [])
        out[r["event_id"]].append(r)
    return out


_EVENT_SQL = ("SELECT ev.*, p.name AS place_name, p.lat, p.lon, p.feature FROM events ev "
              "LEFT JOIN places p ON p.id = ev.place_id")


def _range(ev: dict, kind: str) -> dict | None:
    low, high = ev[f"{kind}_low"], ev[f"{kind}_high"]
    return None if low is None and high is None else {"low": low, "high": high}


def _disputed(reports: list[dict]) -> dict[str, bool]:
    """Per magnitude: whether the reports give different numbers for it."""
    seen: dict[str, set] = defaultdict(set)
    for r in reports:
        for m in r["magnitudes"]:
            seen[m["kind"]].add((m.get("low", m.get("value")), m.get("high", m.get("value"))))
    return {k: len(v) > 1 for k, v in seen.items()}


def _sort_key(ev: dict, reports: list[dict]) -> str:
    first = reports[0] if reports else {}
    return day_of(ev.get("date_start"), first.get("published"))[0] or ""


def event_records(store: Store) -> list[dict]:
    """Cross-document events for the export's top-level ``events``, newest first: the first report's
    spans, the actors as cross-document entities, the range of each magnitude across reports and
    every report's event_mentions id."""
    events = store.query(_EVENT_SQL)
    reports = _report_rows(store)
    names = _names(store, [e["source_entity_id"] for e in events] + [e["target_entity_id"] for e in events])
    out = []
    for ev in events:
        reps = reports.get(ev["id"], [])
        first = reps[0] if reps else None
        out.append({
            "id": ev["id"],
            "document_id": first["document_id"] if first else None,
            "text": first["text"] if first else None,
            "start": first["start"] if first else None, "end": first["end"] if first else None,
            "sentence_start": first["sentence_start"] if first else None,
            "sentence_end": first["sentence_end"] if first else None,
            "plover_type": ev["plover_type"], "plover_mode": ev["plover_mode"],
            "acled_event_type": ev["acled_event_type"], "acled_sub_event_type": ev["acled_sub_event_type"],
            "source_actor": _event_actor(ev, "source", names), "target_actor": _event_actor(ev, "target", names),
            "place_id": ev["place_id"], "place_name": ev["place_name"], "country_code": ev["country_code"],
            "date": ev["date_start"], "date_end": ev["date_end"],
            **{kind: _range(ev, kind) for kind in MAGNITUDES},
            "confidence": ev["confidence"],
            "report_ids": [r["id"] for r in reps],
            "document_ids": list(dict.fromkeys(r["document_id"] for r in reps)),
            "reports": ev["reports"], "sources": ev["sources"], "agree": bool(ev["agree"]),
            "_day": _sort_key(ev, reps),
        })
    out.sort(key=lambda e: e["id"])
    out.sort(key=lambda e: e.pop("_day"), reverse=True)
    return out


def _event_actor(ev: dict, side: str, names: dict[str, str]) -> dict | None:
    eid, text = ev[f"{side}_entity_id"], ev[f"{side}_actor"]
    if eid is None and text is None:
        return None
    return {"entity_id": eid, "name": names.get(eid, text) if eid else text}


# -- the CLI's listing -----------------------------------------------------------------------------

def _plural_forms(word: str) -> list[str]:
    w = word.strip().lower()
    return list({w, w + "s", w[:-1] if w.endswith("s") else w})


def country_code(value: str) -> str:
    """An ISO 3166 alpha-2 code from a code (alpha-2 or alpha-3) or a country name ("Iraq")."""
    v = value.strip()
    if len(v) == 2 and v.isalpha():
        return v.upper()
    import pycountry

    try:
        found = pycountry.countries.lookup(v)
    except LookupError:
        return v.upper()
    return found.alpha_2


def list_events(store: Store, type_: str | None = None, actor: str | None = None, place: str | None = None,
                country: str | None = None, since: str | None = None, limit: int = 50,
                include_unreal: bool = False) -> list[dict]:
    """Cross-document events newest first, filtered, each with its first report's sentence.

    ``type_`` matches the PLOVER type, the ACLED event type or the ACLED sub-event type
    (case-insensitive, singular or plural: "assault", "battles", "arrest"); ``actor`` a name or
    alias of the cross-document entity behind any report's source or target (or the actor's words
    when no entity is linked); ``place`` the name of any report's place, or the words articles used
    for it ("Tal Afar" for Tall 'Afar); ``country`` an ISO code or a country name; ``since`` keeps
    events that may have happened on or after that ISO date (the last day their reports' own
    dates cover: "2024-03" runs to 31 March).  ``include_unreal`` adds the
    negated, hypothetical and future mentions, which belong to no event, flagged by factuality."""
    clauses, params = [], []
    if type_:
        forms = _plural_forms(type_)
        clauses.append("(lower(m.plover_type) IN (SELECT unnest(?::VARCHAR[])) OR "
                       "lower(m.acled_event_type) IN (SELECT unnest(?::VARCHAR[])) OR "
                       "lower(m.acled_sub_event_type) IN (SELECT unnest(?::VARCHAR[])))")
        params += [forms, forms, forms]
    if actor:
        ids = [r["id"] for r in store.query(
            "SELECT coalesce(l.canonical_id, e.id) AS id FROM entities e LEFT JOIN entity_links l ON l.entity_id = e.id "
            "WHERE e.name ILIKE '%' || ? || '%' UNION "
            "SELECT coalesce(l.canonical_id, a.entity_id) FROM entity_aliases a "
            "LEFT JOIN entity_links l ON l.entity_id = a.entity_id WHERE a.alias ILIKE '%' || ? || '%'",
            [actor, actor])]
        clauses.append("(m.source_entity_id IN (SELECT unnest(?::VARCHAR[])) OR "
                       "m.target_entity_id IN (SELECT unnest(?::VARCHAR[])) OR "
                       "m.source_actor ILIKE '%' || ? || '%' OR m.target_actor ILIKE '%' || ? || '%')")
        params += [ids, ids, actor, actor]
    if place:
        place_ids = [r["id"] for r in store.query(
            "SELECT id FROM places WHERE name ILIKE '%' || ? || '%' "
            "UNION SELECT place_id FROM place_mentions WHERE text ILIKE '%' || ? || '%'", [place, place])]
        clauses.append("(m.place_id IN (SELECT unnest(?::VARCHAR[])) OR m.place_name ILIKE '%' || ? || '%')")
        params += [place_ids, place]
    if country:
        clauses.append("upper(m.country_code) = ?")
        params.append(country_code(country))
    where = " AND ".join(clauses) or "TRUE"
    # Filters look at every report (a report may name the place or the actor the event's
    # summary does not), through a subquery over the mentions with canonical actor ids.
    mentions = (_MENTION_SQL.replace("FROM event_mentions e", ", d.published FROM event_mentions e "
                                     "JOIN documents d ON d.id = e.document_id"))
    matching = store.query(
        f"SELECT m.event_id, m.id, m.factuality, m.date, m.published FROM ({mentions}) m WHERE {where} "
        + ("" if include_unreal else "AND m.event_id IS NOT NULL"), params)
    event_ids = sorted({r["event_id"] for r in matching if r["event_id"]})
    unreal = [r for r in matching if r["event_id"] is None and r["factuality"] != "asserted"]
    rows: list[dict] = []
    if event_ids:
        events = store.query(_EVENT_SQL + " WHERE ev.id IN (SELECT unnest(?::VARCHAR[]))", [event_ids])
        reports = _report_rows(store, event_ids)
        names = _names(store, [e["source_entity_id"] for e in events] + [e["target_entity_id"] for e in events])
        for ev in events:
            reps = reports.get(ev["id"], [])
            last = _last_day(reps)
            rows.append({
                "id": ev["id"], "factuality": "asserted", "day": _sort_key(ev, reps), "last_day": last,
                "date": ev["date_start"], "date_end": ev["date_end"],
                "plover_type": ev["plover_type"], "plover_mode": ev["plover_mode"],
                "acled_event_type": ev["acled_event_type"], "acled_sub_event_type": ev["acled_sub_event_type"],
                "source": (_event_actor(ev, "source", names) or {}).get("name"),
                "target": (_event_actor(ev, "target", names) or {}).get("name"),
                "place_name": ev["place_name"], "country_code": ev["country_code"],
                "magnitudes": {k: (ev[f"{k}_low"], ev[f"{k}_high"]) for k in MAGNITUDES
                               if ev[f"{k}_low"] is not None or ev[f"{k}_high"] is not None},
                "disputed": _disputed(reps), "reports": ev["reports"], "sources": ev["sources"],
                "agree": bool(ev["agree"]), "first": reps[0] if reps else None,
            })
    if unreal:
        by_id = {r["id"]: r for r in store.query(
            _MENTION_SQL.replace("FROM event_mentions e", ", d.source AS outlet, d.published, d.title, d.url "
                                 "FROM event_mentions e JOIN documents d ON d.id = e.document_id")
            + " WHERE e.id IN (SELECT unnest(?::VARCHAR[]))", [[r["id"] for r in unreal]])}
        names = _names(store, [r["source_entity_id"] for r in by_id.values()]
                       + [r["target_entity_id"] for r in by_id.values()])
        for m in by_id.values():
            m["magnitudes"] = _loads(m["magnitudes"], [])
            rows.append({
                "id": m["id"], "factuality": m["factuality"], "day": day_of(m["date"], m["published"])[0] or "",
                "last_day": _last_day([m]),
                "date": m["date"], "date_end": m["date"],
                "plover_type": m["plover_type"], "plover_mode": m["plover_mode"],
                "acled_event_type": m["acled_event_type"], "acled_sub_event_type": m["acled_sub_event_type"],
                "source": names.get(m["source_entity_id"], m["source_actor"]),
                "target": names.get(m["target_entity_id"], m["target_actor"]),
                "place_name": m["place_name"], "country_code": m["country_code"],
                "magnitudes": {x["kind"]: (x.get("low"), x.get("high")) for x in m["magnitudes"]},
                "disputed": {}, "reports": 1, "sources": 1, "agree": True, "first": m,
            })
    if since:
        rows = [r for r in rows if r["last_day"] and r["last_day"] >= since]
    rows.sort(key=lambda r: r["id"])
    rows.sort(key=lambda r: r["day"], reverse=True)
    rows = rows[:limit]
    texts = _column(store, "text", {r["first"]["document_id"] for r in rows if r["first"]})
    for r in rows:
        first = r.pop("first")
        if first is None:
            r["report"] = None
            continue
        text = texts.get(first["document_id"], "")
        a, b = first["sentence_start"], first["sentence_end"]
        a += len(text[a:b]) - len(text[a:b].lstrip())  # the sentence as read, offsets kept exact
        r["report"] = {"document_id": first["document_id"], "source": first["outlet"],
                       "published": first["published"], "title": first["title"],
                       "sentence": text[a:b].rstrip().replace("\n", " "),
                       "trigger_start": first["start"] - a, "trigger_end": first["end"] - a}
    return rows


def _last_day(reports: list[dict]) -> str:
    """The last day an event may have happened on: the latest day the reports' own dates cover
    (a publication date standing in for a missing date says nothing about that), else the first
    report's date."""
    own = [date_span(r["date"])[1] for r in reports if r.get("date_source") == "text"]
    own = [d for d in own if d]
    if own:
        return max(own)
    first = reports[0] if reports else {}
    return date_span(first.get("date"), first.get("published"))[1] or ""


def _column(store: Store, column: str, ids: set[str]) -> dict[str, object]:
    from .queries import _column_by_id

    return _column_by_id(store, column, ids)


# -- the ACLED, PLOVER and GeoJSON faces -----------------------------------------------------------

def _first_text_date(reports: list[dict]) -> tuple[str | None, str | None]:
    """The event's day and precision: the earliest date a report's own text gives, else the first
    report's date (the publication date standing in, so week precision)."""
    own = sorted((day_of(r["date"]) + (r,) for r in reports if r.get("date_source") == "text"
                  and day_of(r["date"])[0]), key=lambda t: t[0])
    if own:
        return own[0][0], own[0][1]
    first = reports[0] if reports else {}
    day, _ = day_of(first.get("date"), first.get("published"))
    return day, "week" if day else None


def _most_common(values: Iterable[str | None]) -> str | None:
    counts: dict[str, int] = defaultdict(int)
    for v in values:
        if v:
            counts[v] += 1
    return max(counts, key=lambda k: (counts[k], k)) if counts else None


class _Geo:
    """Country names, ISO numbers and first-level divisions from the offline gazetteer."""

    def __init__(self) -> None:
        from ..geo.gazetteer import load

        self.gaz = load()
        self._country: dict[str, tuple[str | None, int | None, str | None]] = {}

    def country(self, cc: str | None) -> tuple[str | None, int | None, str | None]:
        """(name, ISO numeric, alpha-3) for an alpha-2 code."""
        if not cc:
            return None, None, None
        if cc not in self._country:
            import pycountry

            rows = self.gaz._entries("SELECT name FROM places WHERE cc = ? AND feature = 'country' "
                                     "ORDER BY pop DESC LIMIT 1", [cc])
            found = pycountry.countries.get(alpha_2=cc)
            name = rows[0][0] if rows else getattr(found, "common_name", None) or getattr(found, "name", None)
            self._country[cc] = (name, int(found.numeric) if found else None, found.alpha_3 if found else None)
        return self._country[cc]

    def admin1(self, place_id: str | None) -> str | None:
        """The name of the first-level division a place lies in (itself when it is one)."""
        if not place_id:
            return None
        entry = self.gaz.by_id(place_id)
        if entry is None or not entry.admin1 or entry.feature == "country":
            return None
        if entry.code == "ADM1":
            return entry.name
        rows = self.gaz._entries("SELECT name FROM places WHERE admin1 = ? AND code = 'ADM1' "
                                 "ORDER BY pop DESC LIMIT 1", [entry.admin1])
        return rows[0][0] if rows else None


def _faces(store: Store) -> list[tuple[dict, list[dict], dict[str, str]]]:
    """(event row with its place, its reports, entity names) for every cross-document event, newest first."""
    events = store.query(_EVENT_SQL)
    reports = _report_rows(store)
    names = _names(store, [e["source_entity_id"] for e in events] + [e["target_entity_id"] for e in events])
    out = [(ev, reports.get(ev["id"], []), names) for ev in events]
    out.sort(key=lambda t: t[0]["id"])
    out.sort(key=lambda t: _sort_key(t[0], t[1]), reverse=True)
    return out


def _acled_actor(ev: dict, reports: list[dict], side: str, names: dict[str, str], geo: "_Geo") -> str:
    eid = ev[f"{side}_entity_id"]
    if eid and eid in names:
        return names[eid]
    sector = _most_common(r[f"{side}_sector"] for r in reports)
    cc = _most_common(r[f"{side}_country"] for r in reports) or ev["country_code"]
    where = geo.country(cc)[0]
    if sector in ACLED_GENERIC_ACTORS and where:
        return ACLED_GENERIC_ACTORS[sector].format(country=where)
    return ev[f"{side}_actor"] or ""


def _geo_precision(ev: dict, reports: list[dict]) -> int | None:
    if not ev["place_id"]:
        return None
    stated = [r["geo_precision"] for r in reports if r["place_id"] == ev["place_id"] and r["geo_precision"]]
    if stated:
        return max(ACLED_GEO_PRECISION.get(p, 3) for p in stated)
    return {"city": 1, "admin": 2, "region": 2, "country": 3}.get(ev["feature"], 3)


def _sentence(texts: dict[str, str], r: dict) -> str:
    return " ".join(texts.get(r["document_id"], "")[r["sentence_start"]:r["sentence_end"]].split())


def acled_rows(store: Store) -> list[dict]:
    """One row per cross-document event that ACLED codes (it has an ACLED event type), with ACLED's
    column names: the event's day and precision, actor1/actor2 (cross-document names, else ACLED's
    generic "Protesters (Iraq)"-style names from the actors' sectors), the place with its country
    and first-level division, the outlets as ``source``, the first report's sentence as ``notes``
    and ``fatalities`` = the lowest death toll any report gives (ACLED's conservative rule; 0 when
    none does)."""
    faces = [f for f in _faces(store) if f[0]["acled_event_type"]]
    if not faces:
        return []
    geo = _Geo()
    texts = _column(store, "text", {f[1][0]["document_id"] for f in faces if f[1]})
    rows = []
    for ev, reports, names in faces:
        day, precision = _first_text_date(reports)
        name, numeric, _ = geo.country(ev["country_code"])
        dead = ev["dead_low"]
        rows.append({
            "event_id_cnty": ev["id"], "event_date": day, "year": int(day[:4]) if day else None,
            "time_precision": ACLED_TIME_PRECISION.get(precision) if precision else None,
            "event_type": ev["acled_event_type"], "sub_event_type": ev["acled_sub_event_type"],
            "actor1": _acled_actor(ev, reports, "source", names, geo),
            "actor2": _acled_actor(ev, reports, "target", names, geo),
            "iso": numeric, "country": name, "admin1": geo.admin1(ev["place_id"]),
            "location": ev["place_name"], "latitude": ev["lat"], "longitude": ev["lon"],
            "geo_precision": _geo_precision(ev, reports),
            "source": "; ".join(dict.fromkeys(r["outlet"] or r["document_id"] for r in reports)),
            "notes": _sentence(texts, reports[0]) if reports else "",
            "fatalities": int(dead) if dead is not None else 0,
        })
    return rows


def write_acled_csv(store: Store, out) -> int:
    import csv

    rows = acled_rows(store)
    writer = csv.DictWriter(out, fieldnames=list(ACLED_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "" if r[k] is None else r[k] for k in ACLED_COLUMNS})
    return len(rows)


def _quad(plover_type: str) -> int | None:
    from ..stages.events import load_lexicon

    quad = load_lexicon().vocabulary["plover_types"].get(plover_type, {}).get("quad")
    return {"verbal cooperation": 1, "material cooperation": 2, "verbal conflict": 3,
            "material conflict": 4}.get(quad)


def _plover_actor(ev: dict, reports: list[dict], side: str, names: dict[str, str], geo: _Geo) -> list[dict]:
    eid, text = ev[f"{side}_entity_id"], ev[f"{side}_actor"]
    if eid is None and text is None:
        return []
    cc = _most_common(r[f"{side}_country"] for r in reports)
    return [{"actor_text": text, "identifier_id": eid, "identifier_text": names.get(eid) if eid else None,
             "sector": _most_common(r[f"{side}_sector"] for r in reports),
             "code": geo.country(cc)[2] if cc else None}]


def plover_records(store: Store) -> list[dict]:
    """Cross-document events as PLOVER JSON records (field names of the PLOVER specification's
    "JSON Data Fields": id, date, enddate, actor/recipient lists of actor objects, event, mode,
    context, quad_code, event_loc with GeoNames field names, event_text, text and text_info of the
    first report, size, cite_info), plus ``reports`` listing every article that reported it."""
    from .. import __version__

    faces = _faces(store)
    if not faces:
        return []
    geo = _Geo()
    texts = _column(store, "text", {r["document_id"] for f in faces for r in f[1][:1]})
    out = []
    for ev, reports, names in faces:
        first = reports[0] if reports else None
        day, precision = _first_text_date(reports)
        end = _last_day(reports) or None
        name, _, cc3 = geo.country(ev["country_code"])
        loc = None
        if ev["place_id"]:
            loc = {"geonameid": int(ev["place_id"]) if ev["place_id"].isdigit() else None,
                   "place_id": ev["place_id"], "name": ev["place_name"], "latitude": ev["lat"],
                   "longitude": ev["lon"], "feature": ev["feature"], "country_code": ev["country_code"],
                   "cc3": cc3, "country": name, "admin1": geo.admin1(ev["place_id"])}
        context = sorted({c for r in reports for c in _loads(r["plover_context"], [])})
        out.append({
            "id": ev["id"], "has_event": True, "date": day,
            **({"enddate": end} if end and day and end > day else {}),
            "time_precision": precision,
            "actor": _plover_actor(ev, reports, "source", names, geo),
            "recipient": _plover_actor(ev, reports, "target", names, geo),
            "event": ev["plover_type"], "mode": ev["plover_mode"], "context": context,
            "quad_code": _quad(ev["plover_type"]),
            "event_loc": loc,
            "event_text": list(dict.fromkeys(r["text"] for r in reports)),
            "text": _sentence(texts, first) if first else None,
            "text_info": None if first is None else {
                "document_id": first["document_id"], "start": first["start"], "end": first["end"],
                "sentence_start": first["sentence_start"], "sentence_end": first["sentence_end"]},
            "size": {"dead": ev["dead_low"], "injured": ev["injured_low"], "arrested": ev["arrested_low"],
                     "crowd": ev["size_low"],
                     "ranges": {k: [ev[f"{k}_low"], ev[f"{k}_high"]] for k in MAGNITUDES
                                if ev[f"{k}_low"] is not None}},
            "acled_event_type": ev["acled_event_type"], "acled_sub_event_type": ev["acled_sub_event_type"],
            "cite_info": None if first is None else {
                "corpus": "sitroom", "citation": first["document_id"], "url": first["url"],
                "title": first["title"], "publication": first["outlet"], "language": "en",
                "coder": f"sitroom {__version__} (sitroom_events_v1)", "codebook": "PLOVER 0.8 draft"},
            "reports": [{"id": r["id"], "document_id": r["document_id"], "start": r["start"], "end": r["end"],
                         "publication": r["outlet"], "published": r["published"]} for r in reports],
            "agree": bool(ev["agree"]), "confidence": ev["confidence"],
        })
    return out


def event_features(store: Store) -> list[dict]:
    """Cross-document events with a place that has coordinates, as GeoJSON Point features."""
    features = []
    for ev, reports, names in _faces(store):
        if ev["lat"] is None or ev["lon"] is None:
            continue
        props = {"kind": "event", "plover_type": ev["plover_type"], "plover_mode": ev["plover_mode"],
                 "acled_event_type": ev["acled_event_type"], "acled_sub_event_type": ev["acled_sub_event_type"],
                 "date": ev["date_start"], "date_end": ev["date_end"],
                 "source_actor": (_event_actor(ev, "source", names) or {}).get("name"),
                 "target_actor": (_event_actor(ev, "target", names) or {}).get("name"),
                 "place_id": ev["place_id"], "place_name": ev["place_name"], "country_code": ev["country_code"]}
        for kind in MAGNITUDES:
            props[f"{kind}_low"], props[f"{kind}_high"] = ev[f"{kind}_low"], ev[f"{kind}_high"]
        props.update({"reports": ev["reports"], "sources": ev["sources"], "agree": bool(ev["agree"]),
                      "document_ids": list(dict.fromkeys(r["document_id"] for r in reports))})
        features.append({"type": "Feature", "id": ev["id"],
                         "geometry": {"type": "Point", "coordinates": [ev["lon"], ev["lat"]]},
                         "properties": props})
    return features
