"""Export: the stable interface for other programs (see docs/export-schema.md).

``json`` writes one object following the export contract (``schema_version`` 1, validated by the
JSON Schema shipped as ``sitroom/store/export-schema.json``); ``jsonl`` writes the same document
objects one per line; ``csv`` and ``parquet`` write one file per table into a folder; ``geojson``
writes places and events as points; ``acled`` writes the cross-document events as a CSV with
ACLED's column names and ``plover`` as a JSON list of PLOVER records (both in ``store/events.py``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import IO, Iterator

from ..errors import UsageError
from .database import Store
from .events import event_features, event_records, mentions_by_document, plover_records, write_acled_csv

SCHEMA_VERSION = "1"
FORMATS = ("json", "jsonl", "csv", "parquet", "geojson", "acled", "plover")
#: Tables written by the csv and parquet exports, with the query for each.
TABLE_QUERIES = {
    "documents": "SELECT id, title, source, author, published, url, dateline, story_id, word_count, "
                 "text, metadata, repairs FROM documents ORDER BY published NULLS LAST, id",
    "document_paths": "SELECT document_id, path FROM document_paths ORDER BY document_id, path",
    "mentions": 'SELECT m.document_id, m.start, m."end", m.text, m.label, coalesce(l.canonical_id, m.entity_id) '
                "AS entity_id, m.entity_id AS document_entity_id FROM mentions m "
                "LEFT JOIN entity_links l ON l.entity_id = m.entity_id ORDER BY m.document_id, m.start",
    "entities": "SELECT id, name, label FROM entities WHERE id IN (SELECT entity_id FROM mentions) ORDER BY id",
    "entity_aliases": "SELECT DISTINCT entity_id, alias, origin, document_id FROM entity_aliases ORDER BY ALL",
    "entity_roles": 'SELECT entity_id, role, document_id, start, "end", text FROM entity_roles ORDER BY ALL',
    "dates": 'SELECT document_id, start, "end", text, value, kind FROM dates ORDER BY document_id, start',
    "quotes": 'SELECT document_id, start, "end", text, speaker, speaker_entity_id, speaker_start, speaker_end, '
              'cue, cue_start, cue_end, outlet, direct, statement_id FROM quotes ORDER BY document_id, start',
    "figures": 'SELECT document_id, start, "end", text, value, low, high, unit, subject, qualifier, kind, claim_id '
               "FROM figures ORDER BY document_id, start",
    "places": "SELECT id, name, country_code, lat, lon, feature FROM places "
              "WHERE id IN (SELECT place_id FROM place_mentions) ORDER BY id",
    "place_mentions": 'SELECT document_id, start, "end", text, place_id, confidence, metonymy FROM place_mentions '
                      "ORDER BY document_id, start",
    "demonyms": 'SELECT document_id, start, "end", text, country_code, place_id FROM demonyms ORDER BY document_id, start',
    "entity_links": "SELECT entity_id, canonical_id, method, score FROM entity_links ORDER BY ALL",
    "statements": "SELECT id, speaker_entity_id, speaker, text, flags FROM statements ORDER BY id",
    "claims": "SELECT id, subject, unit, kind, place_id, low, high, sources, agree FROM claims ORDER BY id",
    "stories": "SELECT id, title, first_published, last_published, document_count FROM stories ORDER BY id",
    "duplicates": "SELECT document_id, duplicate_of, similarity FROM duplicates ORDER BY ALL",
    "event_mentions": 'SELECT e.document_id, e.id, e.start, e."end", e.text, e.sentence_start, e.sentence_end, '
                      "e.plover_type, e.plover_mode, e.plover_context, e.factuality, e.acled_event_type, "
                      "e.acled_sub_event_type, e.source_actor, coalesce(ls.canonical_id, e.source_entity_id) "
                      "AS source_entity_id, e.source_entity_id AS source_document_entity_id, e.source_sector, "
                      "e.source_country, e.source_start, e.source_end, e.target_actor, "
                      "coalesce(lt.canonical_id, e.target_entity_id) AS target_entity_id, "
                      "e.target_entity_id AS target_document_entity_id, e.target_sector, e.target_country, "
                      "e.target_start, e.target_end, e.place_id, e.place_name, e.country_code, e.geo_precision, "
                      "e.place_start, e.place_end, e.date, e.date_start, e.date_end, e.time_precision, "
                      "e.date_source, e.dead, e.injured, e.arrested, e.size, e.magnitudes, e.confidence, e.event_id "
                      "FROM event_mentions e LEFT JOIN entity_links ls ON ls.entity_id = e.source_entity_id "
                      "LEFT JOIN entity_links lt ON lt.entity_id = e.target_entity_id "
                      'ORDER BY e.document_id, e.start, e."end"',
    "events": "SELECT id, plover_type, plover_mode, acled_event_type, acled_sub_event_type, source_actor, "
              "source_entity_id, target_actor, target_entity_id, place_id, country_code, date_start, date_end, "
              "dead_low, dead_high, injured_low, injured_high, arrested_low, arrested_high, size_low, size_high, "
              "reports, sources, agree, confidence FROM events ORDER BY id",
    "rejections": "SELECT path, code, reason, rejected_at FROM rejections ORDER BY rejected_at, path",
}


def export_schema() -> dict:
    text = resources.files("sitroom.store").joinpath("export-schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _group(rows: list[dict], key: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r.pop(key)].append(r)
    return out


def iter_documents(store: Store) -> Iterator[dict]:
    """Document objects with their facts, in a stable order (published date, then id)."""
    docs = store.query(TABLE_QUERIES["documents"])
    paths = _group(store.query(TABLE_QUERIES["document_paths"]), "document_id")
    mentions = _group(store.query(TABLE_QUERIES["mentions"]), "document_id")
    canonical = "coalesce((SELECT l.canonical_id FROM entity_links l WHERE l.entity_id = q.speaker_entity_id), " \
                "q.speaker_entity_id) AS speaker_entity_id"
    dates = _group(store.query('SELECT document_id, text, start, "end", value FROM dates '
                               "ORDER BY document_id, start"), "document_id")
    quotes = _group(store.query(
        f'SELECT document_id, text, start, "end", speaker, {canonical}, cue, outlet, direct, statement_id '
        "FROM quotes q ORDER BY document_id, start"), "document_id")
    figures = _group(store.query(
        'SELECT document_id, text, start, "end", value, low, high, unit, subject, qualifier, kind, claim_id '
        "FROM figures ORDER BY document_id, start"), "document_id")
    places = _group(store.query(
        'SELECT m.document_id, m.text, m.start, m."end", m.place_id, p.name, p.country_code, p.lat, p.lon, '
        "p.feature, m.confidence, m.metonymy FROM place_mentions m JOIN places p ON p.id = m.place_id "
        "ORDER BY m.document_id, m.start"), "document_id")
    events = mentions_by_document(store, {d["id"]: d["text"] for d in docs})
    for d in docs:
        doc_paths = [p["path"] for p in paths.get(d["id"], [])]
        yield {
            "id": d["id"],
            "path": doc_paths[0] if doc_paths else None,
            "paths": doc_paths,
            "url": d["url"],
            "title": d["title"],
            "source": d["source"],
            "author": d["author"],
            "published": d["published"],
            "text": d["text"],
            "story_id": d["story_id"],
            "entities": [{"text": m["text"], "start": m["start"], "end": m["end"], "label": m["label"],
                          "entity_id": m["entity_id"]} for m in mentions.get(d["id"], [])],
            "places": places.get(d["id"], []),
            "dates": [{"text": x["text"], "start": x["start"], "end": x["end"], "value": x["value"]}
                      for x in dates.get(d["id"], [])],
            "quotes": quotes.get(d["id"], []),
            "figures": figures.get(d["id"], []),
            "events": events.get(d["id"], []),
        }


def entity_records(store: Store) -> list[dict]:
    """One record per cross-document entity: the canonical name, every other name it went by in
    any article, and its roles with their sources."""
    canon = "coalesce(l.canonical_id, e.id)"
    aliases = _group(store.query(
        f"SELECT DISTINCT {canon} AS canonical, a.alias FROM entity_aliases a JOIN entities e ON e.id = a.entity_id "
        "LEFT JOIN entity_links l ON l.entity_id = e.id "
        f"UNION SELECT DISTINCT {canon}, e.name FROM entities e LEFT JOIN entity_links l ON l.entity_id = e.id "
        "ORDER BY ALL"), "canonical")
    roles = _group(store.query(
        f'SELECT {canon} AS canonical, r.role, r.document_id, r.start, r."end", r.text FROM entity_roles r '
        "JOIN entities e ON e.id = r.entity_id LEFT JOIN entity_links l ON l.entity_id = e.id ORDER BY ALL"),
        "canonical")
    rows = store.query(
        f"SELECT {canon} AS id, count(DISTINCT m.document_id) AS document_count FROM mentions m "
        "JOIN entities e ON e.id = m.entity_id LEFT JOIN entity_links l ON l.entity_id = e.id "
        "GROUP BY ALL ORDER BY document_count DESC, id")
    names = {r["id"]: (r["name"], r["label"]) for r in store.query("SELECT id, name, label FROM entities")}
    out = []
    for r in rows:
        name, label = names.get(r["id"], (r["id"], ""))
        others = {a["alias"] for a in aliases.get(r["id"], [])} - {name}
        out.append({
            "id": r["id"], "name": name, "label": label,
            "aliases": sorted(others),
            "roles": [{"role": x["role"], "document_id": x["document_id"], "start": x["start"],
                       "end": x["end"], "text": x["text"]} for x in roles.get(r["id"], [])],
            "document_count": r["document_count"],
        })
    return out


def statement_records(store: Store) -> list[dict]:
    """Statements with every article that carried them, earliest first."""
    members = _group(store.query(
        'SELECT q.statement_id, q.document_id, q.start, q."end", q.outlet, d.source, d.published '
        "FROM quotes q JOIN documents d ON d.id = q.document_id WHERE q.statement_id IS NOT NULL "
        "ORDER BY q.statement_id, d.published NULLS LAST, q.document_id, q.start"), "statement_id")
    rows = store.query("SELECT id, speaker_entity_id, speaker, text, flags FROM statements ORDER BY id")
    for r in rows:
        r["flags"] = json.loads(r["flags"]) if r["flags"] else []
        r["quotes"] = members.get(r["id"], [])
    rows.sort(key=lambda r: (-len(r["quotes"]), r["id"]))
    return rows


def claim_records(store: Store) -> list[dict]:
    """Claims with their figures; widest relative disagreement first."""
    members = _group(store.query(
        'SELECT f.claim_id, f.document_id, f.start, f."end", f.text, f.low, f.high, d.source, d.published '
        "FROM figures f JOIN documents d ON d.id = f.document_id WHERE f.claim_id IS NOT NULL "
        "ORDER BY f.claim_id, d.published NULLS LAST, f.document_id, f.start"), "claim_id")
    rows = store.query("SELECT id, subject, unit, kind, place_id, low, high, sources, agree FROM claims")
    for r in rows:
        r["figures"] = members.get(r["id"], [])
    rows.sort(key=lambda r: (-spread(r["low"], r["high"]), -len(r["figures"]), r["id"]))
    return rows


def spread(low: float | None, high: float | None) -> float:
    """How far apart a claim's sources are: high/low - 1 (0 when they agree on one number)."""
    if low is None or high is None or high <= 0:
        return 0.0
    return (high - low) / max(abs(low), 1e-9) if low > 0 else float(high > low)


def story_records(store: Store) -> list[dict]:
    members = _group(store.query("SELECT story_id, id FROM documents WHERE story_id IS NOT NULL "
                                 "ORDER BY story_id, published NULLS LAST, id"), "story_id")
    rows = store.query("SELECT id, title, first_published, last_published FROM stories "
                       "ORDER BY document_count DESC, last_published DESC NULLS LAST, id")
    for r in rows:
        r["document_ids"] = [m["id"] for m in members.get(r["id"], [])]
    return rows


def place_records(store: Store) -> list[dict]:
    rows = store.query(
        "SELECT p.id, p.name, p.country_code, p.lat, p.lon, p.feature, count(*) AS mention_count, "
        "list(DISTINCT m.document_id ORDER BY m.document_id) AS document_ids "
        "FROM places p JOIN place_mentions m ON m.place_id = p.id GROUP BY ALL ORDER BY mention_count DESC, p.id")
    for r in rows:
        r["geonameid"] = int(r["id"]) if r["id"].isdigit() else None
    return rows


def geojson(store: Store) -> dict:
    """Places (weighted by mentions) and cross-document events as one GeoJSON FeatureCollection of
    points, told apart by ``properties.kind`` ("place" or "event"), for GIS tools and maps."""
    places = [
        {"type": "Feature", "id": r["id"],
         "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
         "properties": {"kind": "place", **{k: r[k] for k in ("name", "country_code", "feature", "geonameid",
                                                               "mention_count", "document_ids")}}}
        for r in place_records(store) if r["lat"] is not None and r["lon"] is not None]
    return {"type": "FeatureCollection", "features": places + event_features(store)}


def build_export(store: Store) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "documents": list(iter_documents(store)),
        "entities": entity_records(store),
        "places": place_records(store),
        "statements": statement_records(store),
        "claims": claim_records(store),
        "stories": story_records(store),
        "events": event_records(store),
    }


def write_export(store: Store, fmt: str, out: str | None, stdout: IO[str]) -> str:
    """Write the export; returns a short description of what was written."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        data = build_export(store)
        _write_text(json.dumps(data, ensure_ascii=False, indent=1), out, stdout)
        return f"{len(data['documents'])} documents, {len(data['entities'])} entities"
    if fmt == "geojson":
        data = geojson(store)
        _write_text(json.dumps(data, ensure_ascii=False, indent=1), out, stdout)
        kinds = [f["properties"]["kind"] for f in data["features"]]
        return f"{kinds.count('place')} places, {kinds.count('event')} events"
    if fmt == "plover":
        records = plover_records(store)
        _write_text(json.dumps(records, ensure_ascii=False, indent=1), out, stdout)
        return f"{len(records)} events"
    if fmt == "acled":
        if out in (None, "-"):
            n = write_acled_csv(store, stdout)
        else:
            with open(out, "w", encoding="utf-8", newline="") as fh:
                n = write_acled_csv(store, fh)
        return f"{n} events"
    if fmt == "jsonl":
        lines = [json.dumps(d, ensure_ascii=False) for d in iter_documents(store)]
        _write_text("\n".join(lines) + ("\n" if lines else ""), out, stdout)
        return f"{len(lines)} documents"
    if not out:
        raise UsageError(f"--format {fmt} writes one file per table: give a folder with -o")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, sql in TABLE_QUERIES.items():
        target = str(folder / f"{name}.{fmt}").replace("'", "''")
        option = "(FORMAT parquet)" if fmt == "parquet" else "(HEADER, DELIMITER ',')"
        store.con.execute(f"COPY ({sql}) TO '{target}' {option}")
    return f"{len(TABLE_QUERIES)} tables in {folder}/"


def _write_text(text: str, out: str | None, stdout: IO[str]) -> None:
    if out in (None, "-"):
        stdout.write(text)
        if not text.endswith("\n"):
            stdout.write("\n")
    else:
        Path(out).write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
