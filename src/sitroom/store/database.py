"""The DuckDB store: schema by numbered migrations, batched Arrow writes, one transaction per
batch.  DuckDB allows one writing process per file; readers open it read-only."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import duckdb
import pyarrow as pa

from ..errors import StoreError
from ..schema import DocumentFacts, Rejection
from .locking import connect_with_retry
from .migrations import FACT_TABLES, MIGRATIONS


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Store:
    """A handle on one sitroom database file."""

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = True):
        self.path = str(path)
        if read_only or not create:
            if self.path != ":memory:" and not Path(self.path).exists():
                raise StoreError(f"database {self.path} does not exist: run `sitroom ingest` first")
        try:
            # A reader (the web app's snapshot copy) may hold the file for a moment: wait briefly.
            self.con = connect_with_retry(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(f"cannot open {self.path}: {str(exc).splitlines()[0]}") from exc
        except duckdb.Error as exc:
            raise StoreError(f"{self.path} is not a usable DuckDB file: {str(exc).splitlines()[0]}") from exc
        self.read_only = read_only
        if not read_only:
            # Fold a WAL a killed writer left into the file now, while its indexes are bound:
            # DuckDB 1.5.5 can otherwise write replayed-but-untouched indexes back corrupt at
            # close (duckdb PR #23848; tests/test_reliability_crash.py).
            self.con.execute("CHECKPOINT")
            self.migrate()
        elif self.schema_version() == 0:
            raise StoreError(f"{self.path} is not a sitroom database (no schema)")

    # -- schema -----------------------------------------------------------------------------
    def schema_version(self) -> int:
        try:
            row = self.con.execute("SELECT max(version) FROM schema_migrations").fetchone()
        except duckdb.CatalogException:
            return 0
        return int(row[0] or 0)

    def migrate(self) -> list[int]:
        """Apply the migrations this file has not seen, each in its own transaction."""
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        current = self.schema_version()
        applied = []
        for version, name, sql in MIGRATIONS:
            if version <= current:
                continue
            self.con.execute("BEGIN TRANSACTION")
            try:
                self.con.execute(sql)
                self.con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, _now()])
                self.con.execute("COMMIT")
            except Exception:
                self.con.execute("ROLLBACK")
                raise
            applied.append(version)
        return applied

    # -- identity ---------------------------------------------------------------------------
    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(set(ids))
        if not ids:
            return set()
        rows = self.con.execute("SELECT id FROM documents WHERE id IN (SELECT unnest(?))", [ids]).fetchall()
        return {r[0] for r in rows}

    def add_paths(self, pairs: Sequence[tuple[str, str]]) -> int:
        """Record extra paths of already stored documents; returns how many were new."""
        if not pairs:
            return 0
        before = self.con.execute("SELECT count(*) FROM document_paths").fetchone()[0]
        table = pa.table({"document_id": [p[0] for p in pairs], "path": [p[1] for p in pairs],
                          "first_seen": pa.array([_now()] * len(pairs), pa.timestamp("us"))})
        self.con.register("_paths", table)
        try:
            self.con.execute("INSERT OR IGNORE INTO document_paths SELECT DISTINCT * FROM _paths")
        finally:
            self.con.unregister("_paths")
        return self.con.execute("SELECT count(*) FROM document_paths").fetchone()[0] - before

    # -- writes -----------------------------------------------------------------------------
    def write_batch(self, batch: Sequence[DocumentFacts]) -> None:
        """Store documents with all their facts in ONE transaction (replacing earlier versions)."""
        if not batch:
            return
        ids = [f.doc_id for f in batch]
        now = _now()
        tables = batch_tables(batch, now)
        self.con.execute("BEGIN TRANSACTION")
        try:
            for name in (*FACT_TABLES, "documents"):
                self.con.execute(f"DELETE FROM {name} WHERE {'id' if name == 'documents' else 'document_id'} "
                                 "IN (SELECT unnest(?))", [ids])
            for name, table in tables.items():
                if table.num_rows == 0:
                    continue
                self.con.register("_batch", table)
                cols = ", ".join(f'"{c}"' for c in table.column_names)
                verb = "INSERT OR IGNORE" if name in ("entities", "places", "document_paths") else "INSERT"
                self.con.execute(f"{verb} INTO {name} ({cols}) SELECT {cols} FROM _batch")
                self.con.unregister("_batch")
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    def add_rejections(self, rejections: Sequence[Rejection]) -> None:
        if not rejections:
            return
        table = pa.table({
            "path": [r.path for r in rejections],
            "code": [r.code for r in rejections],
            "reason": [r.reason for r in rejections],
            "rejected_at": pa.array([_now()] * len(rejections), pa.timestamp("us")),
        })
        self.con.register("_rej", table)
        try:
            self.con.execute("INSERT INTO rejections SELECT * FROM _rej")
        finally:
            self.con.unregister("_rej")

    # -- reads ------------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence | None = None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def has_links(self) -> bool:
        """Whether the cross-document pass has run since the last change (or nothing is stored)."""
        row = self.con.execute("SELECT (SELECT count(*) FROM documents), "
                               "(SELECT count(*) FROM link_runs), "
                               "(SELECT count(*) FROM documents WHERE story_id IS NULL)").fetchone()
        return row[0] == 0 or (row[1] > 0 and row[2] == 0)

    def counts(self) -> dict[str, int]:
        out = {}
        for table in ("documents", "document_paths", "mentions", "entities", "entity_roles",
                      "entity_aliases", "dates", "quotes", "figures", "places", "place_mentions",
                      "demonyms", "event_mentions", "events", "statements", "claims", "stories", "duplicates",
                      "rejections"):
            out[table] = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return out

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def batch_tables(batch: Sequence[DocumentFacts], now: datetime) -> dict[str, pa.Table]:
    """Column-wise Arrow tables for one batch (no per-row INSERTs); also what a Dask worker writes
    as Parquet shards (store/shards.py)."""
    docs = {k: [] for k in ("id", "title", "source", "author", "published", "url", "dateline", "text",
                            "word_count", "metadata", "repairs", "ingested_at")}
    paths = {"document_id": [], "path": [], "first_seen": []}
    mentions = {k: [] for k in ("document_id", "start", "end", "text", "label", "entity_id")}
    entities = {"id": [], "name": [], "label": []}
    aliases = {k: [] for k in ("entity_id", "alias", "origin", "document_id")}
    roles = {k: [] for k in ("entity_id", "role", "document_id", "start", "end", "text")}
    dates = {k: [] for k in ("document_id", "start", "end", "text", "value", "kind")}
    quote_cols = ("document_id", "start", "end", "text", "speaker", "speaker_entity_id", "speaker_start",
                  "speaker_end", "cue", "cue_start", "cue_end", "outlet", "direct")
    quotes = {k: [] for k in quote_cols}
    figure_cols = ("document_id", "start", "end", "text", "value", "low", "high", "unit", "subject",
                   "qualifier", "kind")
    figures = {k: [] for k in figure_cols}
    places = {k: [] for k in ("id", "name", "country_code", "lat", "lon", "feature")}
    place_mentions = {k: [] for k in ("document_id", "start", "end", "text", "place_id", "confidence", "metonymy")}
    demonyms = {k: [] for k in ("document_id", "start", "end", "text", "country_code", "place_id")}
    events = {k: [] for k in EVENT_COLS}
    seen_places: set[str] = set()
    seen_entities: set[str] = set()
    for f in batch:
        a = f.article
        for key, val in (("id", f.doc_id), ("title", a.title), ("source", a.source), ("author", a.author),
                         ("published", a.published), ("url", a.url), ("dateline", a.dateline),
                         ("text", a.text), ("word_count", f.word_count),
                         ("metadata", json.dumps(a.metadata, ensure_ascii=False, default=str)),
                         ("repairs", json.dumps(a.repairs, ensure_ascii=False)), ("ingested_at", now)):
            docs[key].append(val)
        for p in dict.fromkeys(f.paths):
            paths["document_id"].append(f.doc_id)
            paths["path"].append(p)
            paths["first_seen"].append(now)
        for m in f.mentions:
            for key, val in zip(mentions, (f.doc_id, m.start, m.end, m.text, m.label, m.entity_id)):
                mentions[key].append(val)
        for eid, (name, label) in f.entity_names.items():
            if eid in seen_entities:
                continue
            seen_entities.add(eid)
            entities["id"].append(eid)
            entities["name"].append(name)
            entities["label"].append(label)
        for al in f.aliases:
            for key, val in zip(aliases, (al.entity_id, al.alias, al.origin, f.doc_id)):
                aliases[key].append(val)
        for r in f.roles:
            for key, val in zip(roles, (r.entity_id, r.role, f.doc_id, r.start, r.end, r.text)):
                roles[key].append(val)
        for d in f.dates:
            for key, val in zip(dates, (f.doc_id, d.start, d.end, d.text, d.value, d.kind)):
                dates[key].append(val)
        for q in f.quotes:
            quotes["document_id"].append(f.doc_id)
            for key in quote_cols[1:]:
                quotes[key].append(getattr(q, key))
        for g in f.figures:
            figures["document_id"].append(f.doc_id)
            for key in figure_cols[1:]:
                figures[key].append(getattr(g, key))
        for pl in f.places:
            if pl.place_id not in seen_places:
                seen_places.add(pl.place_id)
                for key, val in zip(places, (pl.place_id, pl.name, pl.country_code, pl.lat, pl.lon, pl.feature)):
                    places[key].append(val)
            for key, val in zip(place_mentions, (f.doc_id, pl.start, pl.end, pl.text, pl.place_id, pl.confidence,
                                                 pl.metonymy)):
                place_mentions[key].append(val)
        for dm in f.demonyms:
            for key, val in zip(demonyms, (f.doc_id, dm.start, dm.end, dm.text, dm.country_code, dm.place_id)):
                demonyms[key].append(val)
        for ev in f.events:
            row = event_row(f.doc_id, ev)
            for key in EVENT_COLS:
                events[key].append(row[key])
    ts = pa.timestamp("us")
    docs_t = pa.table({**{k: v for k, v in docs.items() if k != "ingested_at"},
                       "ingested_at": pa.array(docs["ingested_at"], ts)})
    paths_t = pa.table({"document_id": paths["document_id"], "path": paths["path"],
                        "first_seen": pa.array(paths["first_seen"], ts)})
    i32 = pa.int32()
    def spans(cols: dict) -> pa.Table:
        return pa.table({k: (pa.array(v, i32) if k in ("start", "end") else pa.array(v, pa.string()))
                         for k, v in cols.items()})
    return {
        "documents": docs_t,
        "document_paths": paths_t,
        "entities": pa.table({k: pa.array(v, pa.string()) for k, v in entities.items()}),
        "mentions": spans(mentions),
        "entity_aliases": pa.table({k: pa.array(v, pa.string()) for k, v in aliases.items()}),
        "entity_roles": spans(roles),
        "dates": spans(dates),
        "quotes": pa.table({k: pa.array(v, i32 if k in INT_COLS else pa.bool_() if k == "direct" else pa.string())
                            for k, v in quotes.items()}),
        "figures": pa.table({k: pa.array(v, i32 if k in INT_COLS else pa.float64() if k in ("value", "low", "high")
                                         else pa.string()) for k, v in figures.items()}),
        "places": pa.table({k: pa.array(v, pa.float64() if k in ("lat", "lon") else pa.string())
                            for k, v in places.items()}),
        "place_mentions": pa.table({k: pa.array(v, i32 if k in INT_COLS else pa.float64() if k == "confidence"
                                                else pa.bool_() if k == "metonymy" else pa.string())
                                    for k, v in place_mentions.items()}),
        "demonyms": spans(demonyms),
        "event_mentions": pa.table({k: pa.array(v, _event_type(k)) for k, v in events.items()}),
    }


_batch_tables = batch_tables  # the former private name

INT_COLS = {"start", "end", "speaker_start", "speaker_end", "cue_start", "cue_end"}

#: event_mentions columns a batch writes (event_id is the link pass's).
EVENT_COLS = ("document_id", "id", "start", "end", "text", "sentence_start", "sentence_end", "plover_type",
              "plover_mode", "plover_context", "factuality", "acled_event_type", "acled_sub_event_type",
              "source_actor", "source_entity_id", "source_sector", "source_country", "source_start", "source_end",
              "target_actor", "target_entity_id", "target_sector", "target_country", "target_start", "target_end",
              "place_id", "place_name", "country_code", "geo_precision", "place_start", "place_end", "date",
              "date_start", "date_end", "time_precision", "date_source", "dead", "injured", "arrested", "size",
              "magnitudes", "confidence")
_EVENT_INTS = {"start", "end", "sentence_start", "sentence_end", "source_start", "source_end", "target_start",
               "target_end", "place_start", "place_end", "date_start", "date_end"}
_EVENT_FLOATS = {"dead", "injured", "arrested", "size", "confidence"}


def _event_type(col: str) -> pa.DataType:
    return pa.int32() if col in _EVENT_INTS else pa.float64() if col in _EVENT_FLOATS else pa.string()


def event_mention_id(doc_id: str, start: int, end: int) -> str:
    return f"{doc_id}:{start}:{end}"


def event_row(doc_id: str, ev) -> dict:
    """One event_mentions row from a schema.Event (magnitudes keep their lower bound as the count)."""
    row = {k: getattr(ev, k, None) for k in EVENT_COLS}
    row["document_id"] = doc_id
    row["id"] = event_mention_id(doc_id, ev.start, ev.end)
    row["plover_context"] = json.dumps(list(ev.plover_context))
    row["magnitudes"] = json.dumps(ev.magnitudes, ensure_ascii=False)
    for kind in ("dead", "injured", "arrested", "size"):
        m = ev.magnitude(kind)
        row[kind] = None if m is None else (m["low"] if m["low"] is not None else m["value"])
    return row
