"""Read snapshots: how the web app reads a DuckDB file that ``sitroom ingest`` may be writing.

DuckDB lets one process write a file and, while it does, no other process may open it at all
(not even read-only: the writer holds an exclusive lock for its whole run).  A server that opened
the file per request would therefore fail every request while an ingest runs; a server that kept
the file open would make every ingest fail.  So the app serves from a *snapshot*:

* the file is attached read-only just long enough to ``COPY FROM DATABASE`` it into an in-memory
  database (tens of milliseconds for the examples, ~2 s for 20,000 articles), then detached, so
  the lock is held only during the copy;
* the snapshot gets what a read-only file cannot have: a BM25 full-text index (DuckDB's ``fts``
  extension, loaded from the pinned ``duckdb-extension-fts`` wheel, never downloaded) and a few
  derived tables (mentions with cross-document entity ids, entity and place counts);
* requests read the current snapshot through their own cursor and never block on the file;
* at most every ``refresh_seconds`` a request compares the file's (and its WAL's) size and
  modification time with the snapshot's; when they differ a background thread loads a new
  snapshot and swaps it in atomically.  While a writer holds the lock that attempt fails at once,
  the old snapshot keeps being served (pages say the data may be stale) and the next check tries
  again; when no snapshot could ever be loaded the app answers 503 with ``Retry-After``.

Costs: memory of roughly two to four times the file size while serving (twice that during a
reload), and data that lags an ingest until the ingest has finished.  A writer that starts
during the copy window fails to get its lock; ``sitroom ingest`` retries its open with backoff for up to 10 s (store/locking.py).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import duckdb

from ..errors import SitroomError, StoreError

log = logging.getLogger("sitroom.web")

#: The schema version (migrations.py) whose tables the app reads.
NEEDS_SCHEMA = 4
#: The first schema with events (migration 5); an older file is served with no events.
EVENTS_SCHEMA = 5


class Unavailable(SitroomError):
    """No snapshot could be loaded yet (typically: an ingest holds the database lock)."""

    code = "unavailable"
    http_status = 503


class Locked(Unavailable):
    code = "locked"


def _fts_extension() -> Path | None:
    try:
        import duckdb_extension_fts
    except ImportError:
        return None
    path = Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    return path if path.is_file() else None


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def signature(path: str) -> tuple:
    """What changes when a writer commits: size and mtime of the file and of its WAL."""
    out: list = []
    for p in (path, path + ".wal"):
        try:
            st = os.stat(p)
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


class Reader:
    """One cursor on a snapshot, with the ``query`` method that ``store.export`` and
    ``store.queries`` expect of a ``Store`` (so the app reuses their record builders)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, snapshot: "Snapshot"):
        self.con = con
        self.snapshot = snapshot

    def query(self, sql: str, params: Sequence | None = None) -> list[dict]:
        cur = self.con.execute(sql, list(params or []))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def one(self, sql: str, params: Sequence | None = None) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence | None = None) -> Any:
        row = self.con.execute(sql, list(params or [])).fetchone()
        return row[0] if row else None


# Derived tables, built once per snapshot (the snapshot is never written again).
_DERIVED = """
CREATE TABLE w_mentions AS
    SELECT m.document_id, m.start, m."end", m.text, m.label,
           coalesce(l.canonical_id, m.entity_id) AS entity_id, m.entity_id AS document_entity_id
    FROM mentions m LEFT JOIN entity_links l ON l.entity_id = m.entity_id;
CREATE TABLE w_entity_docs AS
    SELECT entity_id, document_id, count(*) AS mentions FROM w_mentions GROUP BY ALL;
CREATE TABLE w_entities AS
    SELECT w.entity_id AS id, coalesce(e.name, w.entity_id) AS name, coalesce(e.label, '') AS label,
           count(*) AS document_count, sum(w.mentions) AS mention_count
    FROM w_entity_docs w LEFT JOIN entities e ON e.id = w.entity_id GROUP BY ALL;
CREATE TABLE w_members AS
    SELECT e.id AS entity_id, coalesce(l.canonical_id, e.id) AS canonical_id
    FROM entities e LEFT JOIN entity_links l ON l.entity_id = e.id;
CREATE TABLE w_places AS
    SELECT p.id, p.name, p.country_code, p.lat, p.lon, p.feature, count(*) AS mention_count,
           count(DISTINCT m.document_id) AS document_count
    FROM places p JOIN place_mentions m ON m.place_id = p.id GROUP BY ALL;
CREATE TABLE w_statements AS
    SELECT s.*, coalesce(n.n, 0) AS n, coalesce(n.articles, 0) AS articles FROM statements s LEFT JOIN (
        SELECT q.statement_id, count(*) AS n, count(DISTINCT q.document_id) AS articles
        FROM quotes q JOIN documents d ON d.id = q.document_id WHERE q.statement_id IS NOT NULL GROUP BY 1
    ) n ON n.statement_id = s.id;
CREATE TABLE w_claims AS
    SELECT c.*, coalesce(n.n, 0) AS n,
           CASE WHEN c.low IS NULL OR c.high IS NULL OR c.high <= 0 THEN 0.0
                WHEN c.low > 0 THEN (c.high - c.low) / greatest(abs(c.low), 1e-9)
                ELSE CAST(c.high > c.low AS DOUBLE) END AS spread  -- export.spread()
    FROM claims c LEFT JOIN (
        SELECT f.claim_id, count(*) AS n FROM figures f JOIN documents d ON d.id = f.document_id
        WHERE f.claim_id IS NOT NULL GROUP BY 1
    ) n ON n.claim_id = c.id;
CREATE INDEX w_mentions_doc ON w_mentions(document_id);
CREATE INDEX w_entity_docs_entity ON w_entity_docs(entity_id);
CREATE INDEX w_members_canonical ON w_members(canonical_id);
CREATE INDEX w_statements_speaker ON w_statements(speaker_entity_id);
"""


def _derive_events(con: duckdb.DuckDBPyConnection) -> None:
    """``w_events``: the cross-document events with their place, first report and days, in the
    export's order (``store.events.event_records``: newest first by ``day``, then id) and numbered
    (``seq``), so a page is one ordered range of rows.  ``day`` (the event's date as one calendar
    day) and ``last_day`` (the last day it may have happened on, what ``since`` compares) are
    computed as ``sitroom events`` computes them (``store.events._sort_key``, ``_last_day``)."""
    import pyarrow as pa

    from ..store.events import _last_day, _sort_key

    cur = con.execute(
        'SELECT m.event_id, m.id, m.document_id, m.start, m."end", m.text, m.sentence_start, m.sentence_end, m.date, '
        "m.date_source, d.published, e.date_start FROM event_mentions m JOIN documents d ON d.id = m.document_id "
        "JOIN events e ON e.id = m.event_id "
        'ORDER BY m.event_id, d.published IS NULL, d.published, m.document_id, m.start, m."end"')
    names = [c[0] for c in cur.description]
    reports: dict[str, list[dict]] = {}
    for row in cur.fetchall():
        r = dict(zip(names, row))
        reports.setdefault(r["event_id"], []).append(r)
    first = {i: reps[0] for i, reps in reports.items()}
    ids = list(first)
    cols = {"id": ids, **{k: [first[i][k] for i in ids] for k in (
                "document_id", "start", "end", "text", "sentence_start", "sentence_end")},
            "first_report": [first[i]["id"] for i in ids],
            "day": [_sort_key(first[i], reports[i]) or None for i in ids],
            "last_day": [_last_day(reports[i]) or None for i in ids]}
    types = {"start": pa.int32(), "end": pa.int32(), "sentence_start": pa.int32(), "sentence_end": pa.int32()}
    con.register("_event_first", pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in cols.items()}))
    try:
        con.execute(
            "CREATE TABLE w_events AS SELECT e.*, p.name AS place_name, p.lat, p.lon, x.first_report, x.document_id, "
            'x.start, x."end", x.text, x.sentence_start, x.sentence_end, x.day, x.last_day, '
            "row_number() OVER (ORDER BY x.day DESC NULLS LAST, e.id) AS seq "
            "FROM events e LEFT JOIN _event_first x ON x.id = e.id LEFT JOIN places p ON p.id = e.place_id "
            "ORDER BY seq")
    finally:
        con.unregister("_event_first")
    con.execute("CREATE INDEX w_events_id ON w_events(id); CREATE INDEX w_events_source ON w_events(source_entity_id); "
                "CREATE INDEX w_events_target ON w_events(target_entity_id); "
                "CREATE INDEX w_events_place ON w_events(place_id)")


@dataclass
class Snapshot:
    """An immutable in-memory copy of one sitroom database, with a full-text index."""

    con: duckdb.DuckDBPyConnection
    signature: tuple
    loaded_at: datetime
    load_seconds: float
    fts: bool
    counts: dict[str, int]
    sources: list[tuple[str, int]]
    _cache: "OrderedDict[tuple, Any]" = field(default_factory=OrderedDict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)
    _computing: dict = field(default_factory=dict)
    _cursor_lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        with self._cursor_lock:
            cur = self.con.cursor()
        try:
            yield Reader(cur, self)
        finally:
            cur.close()

    def cached(self, key: tuple, compute: Callable[[], Any], size: int = 16) -> Any:
        """Memoise an expensive read (e.g. a story's timeline) for the life of this snapshot;
        concurrent first requests compute it once."""
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            lock = self._computing.setdefault(key, threading.Lock())
        with lock:
            with self._cache_lock:
                if key in self._cache:
                    return self._cache[key]
            value = compute()
            with self._cache_lock:
                self._cache[key] = value
                self._computing.pop(key, None)
                while len(self._cache) > size:
                    self._cache.popitem(last=False)
        return value


def load_snapshot(path: str) -> Snapshot:
    """Copy the database at ``path`` into memory and index it; raises ``Locked`` while a writer
    holds the file and ``StoreError`` when it is missing or not a sitroom database."""
    if not Path(path).is_file():
        raise StoreError(f"database {path} does not exist: run `sitroom ingest` first")
    started = time.perf_counter()
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    con.execute("SET enable_progress_bar = false")
    ext = _fts_extension()
    fts = False
    if ext is not None:
        try:
            con.execute(f"LOAD {_sql_string(str(ext))}")
            fts = True
        except duckdb.Error as exc:  # an incompatible wheel: search falls back to ILIKE
            log.warning("full-text extension did not load (%s); search uses substring matching", exc)
    try:
        con.execute(f"ATTACH {_sql_string(path)} AS src (READ_ONLY)")
    except duckdb.IOException as exc:
        con.close()
        first = str(exc).splitlines()[0]
        if "lock" in first.lower():
            raise Locked(f"{path} is being written by another process (e.g. `sitroom ingest`); "
                         "try again when it has finished") from exc
        raise StoreError(f"cannot open {path}: {first}") from exc
    except duckdb.Error as exc:
        con.close()
        raise StoreError(f"{path} is not a usable DuckDB file: {str(exc).splitlines()[0]}") from exc
    copied = False
    try:
        sig = signature(path)  # taken under the lock: nobody writes while we copy
        try:
            version = con.execute("SELECT max(version) FROM src.schema_migrations").fetchone()[0] or 0
        except duckdb.CatalogException:
            version = 0
        if version < NEEDS_SCHEMA:
            raise StoreError(f"{path} is not a sitroom database of schema {NEEDS_SCHEMA} or later "
                             f"(found {version}): run `sitroom ingest` or `sitroom link` on it")
        con.execute("COPY FROM DATABASE src TO memory")
        copied = True
        if version < EVENTS_SCHEMA:  # written before events existed: the same tables, empty
            from ..store.migrations import MIGRATIONS

            con.execute(next(sql for number, _, sql in MIGRATIONS if number == EVENTS_SCHEMA))
    finally:
        with suppress(duckdb.Error):
            con.execute("DETACH src")
        if not copied:
            con.close()
    con.execute(_DERIVED)
    _derive_events(con)
    if fts:
        con.execute("PRAGMA create_fts_index('documents', 'id', 'title', 'text', stemmer='english', "
                    "stopwords='english', strip_accents=1, lower=1, overwrite=1)")
        # Term frequencies per document, sorted by term: a query reads only its terms' row groups
        # (fulltext.BM25 scores from this table, 3-5 times faster than the extension's match_bm25).
        con.execute("CREATE TABLE w_tf AS SELECT termid, docid, count(*)::INTEGER AS tf "
                    "FROM fts_main_documents.terms GROUP BY ALL ORDER BY termid, docid")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("documents", "w_entities", "w_places", "statements", "claims", "stories", "events")}
    sources = [(r[0], r[1]) for r in con.execute(
        "SELECT source, count(*) FROM documents WHERE source IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()]
    return Snapshot(con=con, signature=sig, loaded_at=datetime.now(timezone.utc), load_seconds=time.perf_counter() - started,
                    fts=fts, counts={"documents": counts["documents"], "entities": counts["w_entities"],
                                     "places": counts["w_places"], "statements": counts["statements"],
                                     "claims": counts["claims"], "stories": counts["stories"],
                                     "events": counts["events"]},
                    sources=sources)


@dataclass(frozen=True)
class Status:
    """What the pages show in their footer and the API in ``/api/status``."""

    loaded_at: datetime | None
    documents: int
    writer_busy: bool
    warming: bool
    error: str | None


class Snapshots:
    """The current snapshot of one database file, refreshed in the background when it changes."""

    def __init__(self, path: str, *, refresh_seconds: float = 2.0, warm: Callable[[Reader], None] | None = None):
        self.path = path
        self.refresh_seconds = refresh_seconds
        #: Run in the background on every new snapshot (precomputes what first requests would wait for).
        self.warm = warm
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._loading = False
        self._checked = 0.0
        self._writer_busy = False
        self._warming = 0
        self._error: str | None = None
        #: Held while this process loads a snapshot or writes the file (the ingest endpoint).
        self.file_lock = threading.Lock()

    def reload(self) -> bool:
        """Load a new snapshot now; False (old one kept) while a writer holds the file."""
        try:
            with self.file_lock:
                snap = load_snapshot(self.path)
        except Locked as exc:
            self._writer_busy = True
            self._error = str(exc)
            return False
        except StoreError as exc:
            self._error = str(exc)
            if self._snapshot is None:
                raise
            log.warning("keeping the previous snapshot: %s", exc)
            return False
        with self._lock:
            self._snapshot = snap
            self._writer_busy = False
            self._error = None
            self._checked = time.monotonic()
        log.info("snapshot of %s loaded: %d documents in %.2fs", self.path, snap.counts["documents"],
                 snap.load_seconds)
        if self.warm is not None:
            with self._lock:
                self._warming += 1
            threading.Thread(target=self._warm, args=(snap,), name="sitroom-warm", daemon=True).start()
        return True

    def _warm(self, snap: Snapshot) -> None:
        try:
            with snap.reader() as r:
                self.warm(r)
        except Exception as exc:  # noqa: BLE001 - warming is an optimisation only
            log.warning("warming the snapshot failed: %s", exc)
        finally:
            with self._lock:
                self._warming -= 1

    def current(self) -> Snapshot:
        """The snapshot to serve; starts a background reload when the file has changed."""
        snap = self._snapshot
        now = time.monotonic()
        if now - self._checked >= self.refresh_seconds:
            self._checked = now
            if snap is None or signature(self.path) != snap.signature:
                self._reload_in_background()
        if snap is None:
            raise Unavailable(self._error or f"{self.path} is not loaded yet")
        return snap

    def status(self) -> Status:
        snap = self._snapshot
        return Status(loaded_at=snap.loaded_at if snap else None, documents=snap.counts["documents"] if snap else 0,
                      writer_busy=self._writer_busy, warming=self._warming > 0, error=self._error)

    def _reload_in_background(self) -> None:
        with self._lock:
            if self._loading:
                return
            self._loading = True

        def run() -> None:
            try:
                self.reload()
            except Exception as exc:  # noqa: BLE001 - a failed refresh must not kill the server
                log.warning("snapshot refresh failed: %s", exc)
            finally:
                with self._lock:
                    self._loading = False

        threading.Thread(target=run, name="sitroom-snapshot", daemon=True).start()
