"""Paged reads over a snapshot, returning records shaped like the export (docs/export-schema.md).

``store.export`` builds every record of a section at once, which is right for an export and
wrong for a page of twenty on a 20,000-article store; these functions select one page in SQL
and then build exactly the export's fields for it.  ``tests/test_web_api.py`` checks that every
record equals its export counterpart on a real database, so the two cannot drift apart.
Every filter value is passed as a bound parameter; substring filters use ``contains`` (no LIKE
wildcards from user input).
"""

from __future__ import annotations

import json
from collections import defaultdict

from ..store.events import MAGNITUDES as EVENT_MAGNITUDES, _MENTION_SQL, mention_record
from ..store.export import geojson as places_geojson
from ..store.queries import sentence_around, timeline as build_timeline
from .snapshot import Reader

Page = tuple[int, list[dict]]


def _group(rows: list[dict], key: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r.pop(key)].append(r)
    return out


def paged(r: Reader, sql: str, order: str, params: list, limit: int, offset: int) -> Page:
    """One page of ``sql`` in ``order`` (over its output columns), with the total count."""
    rows = r.query(f"SELECT *, count(*) OVER () AS _total FROM ({sql}) ORDER BY {order} LIMIT ? OFFSET ?",
                   [*params, limit, offset])
    if rows:
        total = rows[0]["_total"]
    else:
        total = r.scalar(f"SELECT count(*) FROM ({sql})", params) if offset else 0
    for row in rows:
        del row["_total"]
    return total, rows


def doc_texts(r: Reader, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {x["id"]: x["text"] for x in r.query("SELECT id, text FROM documents WHERE id IN (SELECT unnest(?))", [ids])}


def sources(r: Reader) -> list[tuple[str, int]]:
    return r.snapshot.sources


# -- documents ---------------------------------------------------------------------------------
def document(r: Reader, doc_id: str) -> dict | None:
    """One document with its facts, as ``export.iter_documents`` writes it."""
    d = r.one("SELECT id, title, source, author, published, url, dateline, text, story_id, word_count "
              "FROM documents WHERE id = ?", [doc_id])
    if d is None:
        return None
    paths = [x["path"] for x in r.query("SELECT path FROM document_paths WHERE document_id = ? ORDER BY path", [doc_id])]
    canonical = ("coalesce((SELECT l.canonical_id FROM entity_links l WHERE l.entity_id = q.speaker_entity_id), "
                 "q.speaker_entity_id) AS speaker_entity_id")
    return {
        "id": d["id"], "path": paths[0] if paths else None, "paths": paths, "url": d["url"], "title": d["title"],
        "source": d["source"], "author": d["author"], "published": d["published"], "text": d["text"],
        "story_id": d["story_id"],
        "entities": r.query('SELECT text, start, "end", label, entity_id FROM w_mentions WHERE document_id = ? '
                            'ORDER BY start, "end", entity_id', [doc_id]),
        "places": r.query('SELECT m.text, m.start, m."end", m.place_id, p.name, p.country_code, p.lat, p.lon, '
                          "p.feature, m.confidence, m.metonymy FROM place_mentions m JOIN places p ON p.id = m.place_id "
                          'WHERE m.document_id = ? ORDER BY m.start, m."end"', [doc_id]),
        "dates": r.query('SELECT text, start, "end", value FROM dates WHERE document_id = ? ORDER BY start, "end"',
                         [doc_id]),
        "quotes": r.query(f'SELECT text, start, "end", speaker, {canonical}, cue, outlet, direct, statement_id '
                          'FROM quotes q WHERE document_id = ? ORDER BY start, "end"', [doc_id]),
        "figures": r.query('SELECT text, start, "end", value, low, high, unit, subject, qualifier, kind, claim_id '
                           'FROM figures WHERE document_id = ? ORDER BY start, "end"', [doc_id]),
        "events": document_events(r, doc_id, d["text"]),
        "dateline": d["dateline"], "word_count": d["word_count"],
    }


def entity_names(r: Reader, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {x["id"]: x["name"] for x in r.query("SELECT id, name FROM w_entities WHERE id IN (SELECT unnest(?))",
                                                 [sorted(set(ids))])}


# -- entities ----------------------------------------------------------------------------------
def canonical_entity(r: Reader, entity_id: str) -> str | None:
    """The cross-document id for a canonical or per-document entity id (None when unknown)."""
    row = r.one("SELECT canonical_id FROM w_members WHERE entity_id = ?", [entity_id])
    if row:
        return row["canonical_id"]
    return entity_id if r.one("SELECT 1 AS x FROM w_entities WHERE id = ?", [entity_id]) else None


def resolve_entity(r: Reader, text: str) -> dict | None:
    """An entity from an id, or else from a name or alias (exact, then contained; best known)."""
    text = text.strip()
    if not text:
        return None
    found = canonical_entity(r, text)
    if found:
        return r.one("SELECT id, name FROM w_entities WHERE id = ?", [found])
    for cond in ("lower(w.name) = lower(?)",
                 "w.id IN (SELECT m.canonical_id FROM entity_aliases a JOIN w_members m ON m.entity_id = a.entity_id "
                 "WHERE lower(a.alias) = lower(?))",
                 "contains(lower(w.name), lower(?))"):
        row = r.one(f"SELECT w.id, w.name FROM w_entities w WHERE {cond} ORDER BY w.document_count DESC, w.id LIMIT 1",
                    [text])
        if row:
            return row
    return None


def entity_records(r: Reader, ids: list[str]) -> list[dict]:
    """Export entity records (``export.entity_records``) for these canonical ids, in this order."""
    if not ids:
        return []
    base = {x["id"]: x for x in r.query("SELECT id, name, label, document_count FROM w_entities "
                                         "WHERE id IN (SELECT unnest(?))", [ids])}
    aliases = _group(r.query(
        "SELECT DISTINCT m.canonical_id AS canonical, a.alias FROM entity_aliases a "
        "JOIN w_members m ON m.entity_id = a.entity_id WHERE m.canonical_id IN (SELECT unnest(?)) "
        "UNION SELECT DISTINCT m.canonical_id, e.name FROM entities e JOIN w_members m ON m.entity_id = e.id "
        "WHERE m.canonical_id IN (SELECT unnest(?))", [ids, ids]), "canonical")
    roles = _group(r.query(
        'SELECT m.canonical_id AS canonical, x.role, x.document_id, x.start, x."end", x.text FROM entity_roles x '
        "JOIN w_members m ON m.entity_id = x.entity_id WHERE m.canonical_id IN (SELECT unnest(?)) ORDER BY ALL",
        [ids]), "canonical")
    out = []
    for i in ids:
        b = base.get(i)
        if b is None:
            continue
        out.append({"id": i, "name": b["name"], "label": b["label"],
                    "aliases": sorted({a["alias"] for a in aliases.get(i, [])} - {b["name"]}),
                    "roles": roles.get(i, []), "document_count": b["document_count"]})
    return out


def entities(r: Reader, *, q: str | None = None, label: str | None = None, limit: int = 50, offset: int = 0) -> Page:
    """Entities by the number of documents that mention them."""
    where, params = [], []
    if q:
        where.append("(contains(lower(w.name), lower(?)) OR w.id IN (SELECT m.canonical_id FROM entity_aliases a "
                     "JOIN w_members m ON m.entity_id = a.entity_id WHERE contains(lower(a.alias), lower(?))))")
        params += [q, q]
    if label:
        where.append("w.label = ?")
        params.append(label)
    sql = f"SELECT w.id, w.document_count FROM w_entities w{' WHERE ' + ' AND '.join(where) if where else ''}"
    total, rows = paged(r, sql, "document_count DESC, id", params, limit, offset)
    return total, entity_records(r, [x["id"] for x in rows])


def entity_labels(r: Reader) -> list[tuple[str, int]]:
    return [(x["label"], x["n"]) for x in r.query("SELECT label, count(*) AS n FROM w_entities GROUP BY 1 ORDER BY 2 DESC, 1")]


def entity_documents(r: Reader, entity_id: str, limit: int = 20, offset: int = 0) -> Page:
    sql = ("SELECT d.id, d.title, d.source, d.published, w.mentions FROM w_entity_docs w "
           "JOIN documents d ON d.id = w.document_id WHERE w.entity_id = ?")
    return paged(r, sql, "published DESC NULLS LAST, id", [entity_id], limit, offset)


def role_sources(r: Reader, roles: list[dict]) -> None:
    """Add each role's article title and source (for the entity page)."""
    meta = _doc_meta(r, [x["document_id"] for x in roles])
    for x in roles:
        x.update(meta.get(x["document_id"], {}))


def _doc_meta(r: Reader, ids: list[str]) -> dict[str, dict]:
    if not ids:
        return {}
    return {x.pop("id"): x for x in r.query("SELECT id, title, source, published FROM documents "
                                             "WHERE id IN (SELECT unnest(?))", [sorted(set(ids))])}


# -- places ------------------------------------------------------------------------------------
def _place_records(r: Reader, rows: list[dict]) -> list[dict]:
    ids = [x["id"] for x in rows]
    docs = {x["place_id"]: x["document_ids"] for x in r.query(
        "SELECT place_id, list(DISTINCT document_id ORDER BY document_id) AS document_ids FROM place_mentions "
        "WHERE place_id IN (SELECT unnest(?)) GROUP BY 1", [ids])} if ids else {}
    for x in rows:
        x["document_ids"] = docs.get(x["id"], [])
        x["geonameid"] = int(x["id"]) if x["id"].isdigit() else None
    return rows


_PLACE_COLS = "id, name, country_code, lat, lon, feature, mention_count"


def places(r: Reader, *, q: str | None = None, limit: int = 50, offset: int = 0) -> Page:
    """Places by the number of times they are mentioned (``export.place_records`` order)."""
    where, params = "", []
    if q:
        where, params = " WHERE contains(lower(name), lower(?))", [q]
    total, rows = paged(r, f"SELECT {_PLACE_COLS} FROM w_places{where}", "mention_count DESC, id", params, limit, offset)
    return total, _place_records(r, rows)


def place(r: Reader, place_id: str) -> dict | None:
    rows = r.query(f"SELECT {_PLACE_COLS}, document_count FROM w_places WHERE id = ?", [place_id])
    return _place_records(r, rows)[0] if rows else None


def resolve_place(r: Reader, text: str) -> dict | None:
    text = text.strip()
    if not text:
        return None
    for cond in ("id = ?", "lower(name) = lower(?)", "contains(lower(name), lower(?))"):
        row = r.one(f"SELECT id, name FROM w_places WHERE {cond} ORDER BY mention_count DESC, id LIMIT 1", [text])
        if row:
            return row
    return None


def place_documents(r: Reader, place_id: str, limit: int = 20, offset: int = 0) -> Page:
    """Documents that mention a place, each with the sentence of its first mention."""
    sql = ('SELECT m.document_id AS id, min(m.start) AS start, arg_min(m."end", m.start) AS "end", count(*) AS mentions, '
           "any_value(d.title) AS title, any_value(d.source) AS source, any_value(d.published) AS published "
           "FROM place_mentions m JOIN documents d ON d.id = m.document_id WHERE m.place_id = ? GROUP BY m.document_id")
    total, rows = paged(r, sql, "published DESC NULLS LAST, id", [place_id], limit, offset)
    texts = doc_texts(r, [x["id"] for x in rows])
    for x in rows:
        x["sentence"] = sentence_around(texts[x["id"]], x["start"], x["end"])
    return total, rows


def map_features(r: Reader) -> dict:
    """Every place as a GeoJSON point weighted by mentions (the ``geojson`` export's places; its
    events are served, filtered and paged, by ``events_geojson``)."""
    def places() -> dict:
        geo = places_geojson(r)
        return {**geo, "features": [f for f in geo["features"] if f["properties"].get("kind", "place") == "place"]}

    return r.snapshot.cached(("map",), places)


# -- statements --------------------------------------------------------------------------------
def statements(r: Reader, *, speaker_entity_id: str | None = None, q: str | None = None, flagged: bool = False,
               min_articles: int = 1, story_id: str | None = None, statement_id: str | None = None,
               limit: int = 20, offset: int = 0) -> Page:
    """Statements carried by the most articles first (``export.statement_records`` order)."""
    where, params = [], []
    if statement_id:
        where.append("s.id = ?")
        params.append(statement_id)
    if speaker_entity_id:
        where.append("s.speaker_entity_id = ?")
        params.append(speaker_entity_id)
    if q:
        where.append("(contains(lower(s.text), lower(?)) OR contains(lower(coalesce(s.speaker, '')), lower(?)))")
        params += [q, q]
    if flagged:
        where.append("json_array_length(s.flags) > 0")
    if min_articles > 1:
        where.append("s.articles >= ?")
        params.append(min_articles)
    if story_id:
        where.append("s.id IN (SELECT q.statement_id FROM quotes q JOIN documents d ON d.id = q.document_id "
                     "WHERE d.story_id = ?)")
        params.append(story_id)
    sql = ("SELECT s.id, s.speaker_entity_id, s.speaker, s.text, s.flags, s.n FROM w_statements s"
           f"{' WHERE ' + ' AND '.join(where) if where else ''}")
    total, rows = paged(r, sql, "n DESC, id", params, limit, offset)
    ids = [x["id"] for x in rows]
    members = _group(r.query(
        'SELECT q.statement_id, q.document_id, q.start, q."end", q.outlet, d.source, d.published '
        "FROM quotes q JOIN documents d ON d.id = q.document_id WHERE q.statement_id IN (SELECT unnest(?)) "
        'ORDER BY q.statement_id, d.published NULLS LAST, q.document_id, q.start, q."end"', [ids]), "statement_id") if ids else {}
    for x in rows:
        del x["n"]
        x["flags"] = json.loads(x["flags"]) if x["flags"] else []
        x["quotes"] = members.get(x["id"], [])
    return total, rows


# -- claims ------------------------------------------------------------------------------------
def claims(r: Reader, *, subject: str | None = None, disagree: bool = False, story_id: str | None = None,
           place_id: str | None = None, claim_id: str | None = None, min_figures: int = 1, limit: int = 20,
           offset: int = 0) -> Page:
    """Claims, widest disagreement first (``export.claim_records`` order)."""
    where, params = [], []
    if claim_id:
        where.append("c.id = ?")
        params.append(claim_id)
    if subject:
        where.append("contains(lower(coalesce(c.subject, '')), lower(?))")
        params.append(subject)
    if disagree:
        where.append("NOT c.agree")
    if story_id:
        where.append("c.id IN (SELECT f.claim_id FROM figures f JOIN documents d ON d.id = f.document_id "
                     "WHERE d.story_id = ?)")
        params.append(story_id)
    if place_id:
        where.append("c.place_id = ?")
        params.append(place_id)
    if min_figures > 1:
        where.append("c.n >= ?")
        params.append(min_figures)
    sql = ("SELECT c.id, c.subject, c.unit, c.kind, c.place_id, c.low, c.high, c.sources, c.agree, c.spread, c.n "
           f"FROM w_claims c{' WHERE ' + ' AND '.join(where) if where else ''}")
    total, rows = paged(r, sql, "spread DESC, n DESC, id", params, limit, offset)
    ids = [x["id"] for x in rows]
    members = _group(r.query(
        'SELECT f.claim_id, f.document_id, f.start, f."end", f.text, f.low, f.high, d.source, d.published '
        "FROM figures f JOIN documents d ON d.id = f.document_id WHERE f.claim_id IN (SELECT unnest(?)) "
        'ORDER BY f.claim_id, d.published NULLS LAST, f.document_id, f.start, f."end"', [ids]), "claim_id") if ids else {}
    for x in rows:
        del x["n"], x["spread"]
        x["figures"] = members.get(x["id"], [])
    return total, rows


def with_sentences(r: Reader, facts: list[dict]) -> None:
    """Add ``sentence`` and ``title`` (of the article) to fact rows with document_id/start/end."""
    ids = sorted({f["document_id"] for f in facts})
    texts = doc_texts(r, ids)
    meta = _doc_meta(r, ids)
    for f in facts:
        text = texts.get(f["document_id"], "")
        f["sentence"] = sentence_around(text, f["start"], f["end"])
        f["title"] = meta.get(f["document_id"], {}).get("title")
        f["fact_text"] = text[f["start"]:f["end"]]


def place_names(r: Reader, ids: list[str]) -> dict[str, str]:
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    return {x["id"]: x["name"] for x in r.query("SELECT id, name FROM places WHERE id IN (SELECT unnest(?))", [ids])}


# -- stories -----------------------------------------------------------------------------------
def _story_members(r: Reader, ids: list[str]) -> dict[str, list[str]]:
    if not ids:
        return {}
    rows = _group(r.query("SELECT story_id, id FROM documents WHERE story_id IN (SELECT unnest(?)) "
                          "ORDER BY story_id, published NULLS LAST, id", [ids]), "story_id")
    return {k: [x["id"] for x in v] for k, v in rows.items()}


def stories(r: Reader, *, limit: int = 20, offset: int = 0) -> Page:
    """Stories, biggest and most recent first (``export.story_records`` order)."""
    total, rows = paged(r, "SELECT id, title, first_published, last_published, document_count FROM stories",
                         "document_count DESC, last_published DESC NULLS LAST, id", [], limit, offset)
    members = _story_members(r, [x["id"] for x in rows])
    for x in rows:
        del x["document_count"]
        x["document_ids"] = members.get(x["id"], [])
    return total, rows


def story(r: Reader, story_id: str) -> dict | None:
    row = r.one("SELECT id, title, first_published, last_published FROM stories WHERE id = ?", [story_id])
    if row:
        row["document_ids"] = _story_members(r, [story_id]).get(story_id, [])
    return row


def documents_meta(r: Reader, ids: list[str]) -> list[dict]:
    """id, title, source, published for these documents, in this order."""
    meta = _doc_meta(r, ids)
    return [{"id": i, **meta[i]} for i in ids if i in meta]


# -- timeline ----------------------------------------------------------------------------------
def timeline(r: Reader, *, story_id: str | None = None, since: str | None = None, kind: str | None = None,
             limit: int = 50, offset: int = 0) -> Page:
    """Dated events, statements and figures in order (``store.queries.timeline``), paged.  A
    story's timeline is computed once per snapshot and kept; the whole corpus's timeline (which
    can hold hundreds of thousands of items) is computed once into the table ``w_timeline``."""
    if story_id:
        items = r.snapshot.cached(("timeline", story_id), lambda: build_timeline(r, story=story_id, limit=10**9))
        items = [i for i in items if (not since or i["date"] >= since) and (not kind or i["kind"] == kind)]
        return len(items), items[offset:offset + limit]
    r.snapshot.cached(("timeline-table",), lambda: _timeline_table(r))
    where, params = [], []
    if since:
        where.append("date >= ?")
        params.append(since)
    if kind:
        where.append("kind = ?")
        params.append(kind)
    cond = f"{' WHERE ' + ' AND '.join(where) if where else ''}"
    total = r.scalar(f"SELECT count(*) FROM w_timeline{cond}", params)
    rows = r.query(f"SELECT item FROM w_timeline{cond} ORDER BY seq LIMIT ? OFFSET ?", [*params, limit, offset])
    return total, [json.loads(x["item"]) for x in rows]


def _timeline_table(r: Reader) -> bool:
    import pyarrow as pa

    items = build_timeline(r, limit=10**9)
    table = pa.table({"seq": pa.array(range(len(items)), pa.int64()), "date": [i["date"] for i in items],
                      "kind": [i["kind"] for i in items], "item": [json.dumps(i, ensure_ascii=False) for i in items]})
    del items
    r.con.register("_timeline", table)
    try:
        r.con.execute("CREATE TABLE IF NOT EXISTS w_timeline AS SELECT * FROM _timeline")
    finally:
        r.con.unregister("_timeline")
    return True


def warm(r: Reader) -> None:
    """What a new snapshot precomputes in the background: the corpus timeline and the map."""
    timeline(r, limit=1)
    map_features(r)


# -- events ------------------------------------------------------------------------------------
_EVENT_COLS = ("id, document_id, text, start, \"end\", sentence_start, sentence_end, plover_type, plover_mode, "
               "acled_event_type, acled_sub_event_type, source_actor, source_entity_id, target_actor, target_entity_id, "
               "place_id, place_name, country_code, lat, lon, date_start, date_end, day, last_day, dead_low, dead_high, "
               "injured_low, injured_high, arrested_low, arrested_high, size_low, size_high, reports, sources, agree, "
               "confidence")


def _event_where(*, event_id: str | None = None, plover_type: str | None = None, acled: str | None = None,
                 actor_entity_id: str | None = None, actor_text: str | None = None, country: str | None = None,
                 place_id: str | None = None, since: str | None = None, story_id: str | None = None,
                 min_reports: int = 1, disagree: bool = False) -> tuple[str, list]:
    """A WHERE clause over ``w_events e`` (every value a bound parameter)."""
    where, params = [], []
    if event_id:
        where.append("e.id = ?")
        params.append(event_id)
    if plover_type:
        where.append("e.plover_type = ?")
        params.append(plover_type.upper())
    if acled:
        where.append("(lower(e.acled_event_type) = lower(?) OR lower(e.acled_sub_event_type) = lower(?))")
        params += [acled, acled]
    if actor_entity_id:
        where.append("(e.source_entity_id = ? OR e.target_entity_id = ?)")
        params += [actor_entity_id, actor_entity_id]
    elif actor_text:
        where.append("(contains(lower(coalesce(e.source_actor, '')), lower(?)) OR "
                     "contains(lower(coalesce(e.target_actor, '')), lower(?)))")
        params += [actor_text, actor_text]
    if country:
        where.append("e.country_code = upper(?)")
        params.append(country)
    if place_id:
        where.append("e.place_id = ?")
        params.append(place_id)
    if since:
        where.append("e.last_day >= ?")
        params.append(since)
    if story_id:
        where.append("e.id IN (SELECT m.event_id FROM event_mentions m JOIN documents d ON d.id = m.document_id "
                     "WHERE d.story_id = ?)")
        params.append(story_id)
    if min_reports > 1:
        where.append("e.reports >= ?")
        params.append(min_reports)
    if disagree:
        where.append("NOT e.agree")
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _event_actor(row: dict, side: str, names: dict[str, str]) -> dict | None:
    """``store.events._event_actor``: the cross-document entity and its name, else the words."""
    eid, text = row[f"{side}_entity_id"], row[f"{side}_actor"]
    if eid is None and text is None:
        return None
    return {"entity_id": eid, "name": names.get(eid, text) if eid else text}


def _event_record(row: dict, names: dict[str, str], reports: list[dict]) -> dict:
    """The export's event record (``store.events.event_records``), plus the extensions ``lat``,
    ``lon``, ``day``, ``last_day`` and ``mentions`` (every report with its sentence)."""
    return {
        "id": row["id"], "document_id": row["document_id"], "text": row["text"], "start": row["start"],
        "end": row["end"], "sentence_start": row["sentence_start"], "sentence_end": row["sentence_end"],
        "plover_type": row["plover_type"], "plover_mode": row["plover_mode"],
        "acled_event_type": row["acled_event_type"], "acled_sub_event_type": row["acled_sub_event_type"],
        "source_actor": _event_actor(row, "source", names), "target_actor": _event_actor(row, "target", names),
        "place_id": row["place_id"], "place_name": row["place_name"], "country_code": row["country_code"],
        "date": row["date_start"], "date_end": row["date_end"],
        **{k: None if row[f"{k}_low"] is None and row[f"{k}_high"] is None else
           {"low": row[f"{k}_low"], "high": row[f"{k}_high"]} for k in EVENT_MAGNITUDES},
        "confidence": row["confidence"],
        "report_ids": [x["id"] for x in reports],
        "document_ids": list(dict.fromkeys(x["document_id"] for x in reports)),
        "reports": row["reports"], "sources": row["sources"], "agree": bool(row["agree"]),
        "lat": row["lat"], "lon": row["lon"], "day": row["day"], "last_day": row["last_day"], "mentions": reports,
    }


def _event_page(r: Reader, cond: str, params: list, limit: int, offset: int, columns: str = _EVENT_COLS
                ) -> tuple[int, list[dict]]:
    """(matching events, one page of them in ``seq`` order): the count, then the page's ``seq``
    numbers over narrow columns, then its rows by a ``seq`` range (``w_events`` is stored in
    ``seq`` order, so the range reads one or two row groups) -- several times faster than one
    windowed query over every column of a large table."""
    total = r.scalar(f"SELECT count(*) FROM w_events e{cond}", params)
    seqs = [x["seq"] for x in r.query(f"SELECT seq FROM w_events e{cond} ORDER BY seq LIMIT ? OFFSET ?",
                                      [*params, limit, offset])]
    if not seqs:
        return total, []
    return total, r.query(f"SELECT {columns} FROM w_events WHERE seq BETWEEN ? AND ? AND seq IN (SELECT unnest(?)) "
                          "ORDER BY seq", [seqs[0], seqs[-1], seqs])


def events(r: Reader, *, limit: int = 20, offset: int = 0, **filters) -> Page:
    """Cross-document events, newest first (``w_events.seq``: the export's order), each with its reports."""
    cond, params = _event_where(**filters)
    total, rows = _event_page(r, cond, params, limit, offset)
    reports = _group(event_reports(r, [x["id"] for x in rows]), "_event")
    names = entity_names(r, [x[k] for x in rows for k in ("source_entity_id", "target_entity_id") if x[k]])
    return total, [_event_record(x, names, reports.get(x["id"], [])) for x in rows]


def event(r: Reader, event_id: str) -> dict | None:
    _, rows = events(r, event_id=event_id, limit=1)
    return rows[0] if rows else None


def event_reports(r: Reader, ids: list[str]) -> list[dict]:
    """The reports of these events (their event_mentions, each as the export's document-level
    event object) in the export's order, first report first, with ``document_id``, the article's
    ``source``, ``published`` and ``title``, and ``sentence`` (the text from sentence_start to
    sentence_end).  ``_event`` says whose report it is."""
    if not ids:
        return []
    rows = r.query(_MENTION_SQL + " WHERE e.event_id IN (SELECT unnest(?))", [ids])
    docs = sorted({x["document_id"] for x in rows})
    texts, meta = doc_texts(r, docs), _doc_meta(r, docs)
    rows.sort(key=lambda x: (x["event_id"], meta[x["document_id"]]["published"] is None,
                             meta[x["document_id"]]["published"] or "", x["document_id"], x["start"], x["end"]))
    out = []
    for x in rows:
        text, m = texts.get(x["document_id"], ""), meta[x["document_id"]]
        out.append({"_event": x["event_id"], **mention_record(x, text), "document_id": x["document_id"],
                    "source": m["source"], "published": m["published"], "title": m["title"],
                    "sentence": text[x["sentence_start"]:x["sentence_end"]]})
    return out


def document_events(r: Reader, doc_id: str, text: str) -> list[dict]:
    """Every event mention of one article, whatever its factuality (``export.iter_documents``)."""
    rows = r.query(_MENTION_SQL + ' WHERE e.document_id = ? ORDER BY e.start, e."end"', [doc_id])
    return [mention_record(x, text) for x in rows]


def event_facets(r: Reader) -> dict[str, list[tuple[str, int]]]:
    """The values the events page offers in its filters, with counts (once per snapshot)."""
    def compute() -> dict:
        def count(column: str) -> list[tuple[str, int]]:
            return [(x["v"], x["n"]) for x in r.query(f"SELECT {column} AS v, count(*) AS n FROM w_events "
                                                       f"WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1")]

        return {"types": count("plover_type"), "acled": count("acled_event_type"), "countries": count("country_code")}

    return r.snapshot.cached(("event-facets",), compute)


def events_geojson(r: Reader, *, limit: int = 1000, **filters) -> dict:
    """Located events as GeoJSON points, newest first, at most ``limit`` (``total`` counts all the
    filters match); properties as in the geojson export (``store.events.event_features``) but
    the document ids, plus ``day``."""
    cond, params = _event_where(**filters)
    cond += (" AND " if cond else " WHERE ") + "e.lat IS NOT NULL AND e.lon IS NOT NULL"
    total = r.scalar(f"SELECT count(*) FROM w_events e{cond}", params)
    rows = r.query(f"SELECT {_EVENT_COLS} FROM w_events e{cond} ORDER BY seq LIMIT ?", [*params, limit])
    names = entity_names(r, [x[k] for x in rows for k in ("source_entity_id", "target_entity_id") if x[k]])
    features = []
    for x in rows:
        props = {"kind": "event", "plover_type": x["plover_type"], "plover_mode": x["plover_mode"],
                 "acled_event_type": x["acled_event_type"], "acled_sub_event_type": x["acled_sub_event_type"],
                 "date": x["date_start"], "date_end": x["date_end"], "day": x["day"],
                 "source_actor": (_event_actor(x, "source", names) or {}).get("name"),
                 "target_actor": (_event_actor(x, "target", names) or {}).get("name"),
                 "place_id": x["place_id"], "place_name": x["place_name"], "country_code": x["country_code"]}
        for k in EVENT_MAGNITUDES:
            props[f"{k}_low"], props[f"{k}_high"] = x[f"{k}_low"], x[f"{k}_high"]
        props.update({"reports": x["reports"], "sources": x["sources"], "agree": bool(x["agree"])})
        features.append({"type": "Feature", "id": x["id"],
                         "geometry": {"type": "Point", "coordinates": [x["lon"], x["lat"]]}, "properties": props})
    return {"type": "FeatureCollection", "total": total, "features": features}
