"""The cross-document pass: entities, statements, events, claims and stories over the whole store.

It reads the per-document facts, groups them with the blocking methods of the modules beside it
(each near-linear in the number of facts, never all-pairs) and rewrites the link tables of
migration 4 in ONE transaction, so readers see either the old links or the new ones.  It is a
full recompute rather than an incremental update: ids are content hashes of each group's
earliest member, so unchanged groups keep their ids, and the recompute is cheap next to the
spaCy pass that produced the facts (see docs/performance.md).  ``sitroom ingest`` runs it after
new articles arrive; ``sitroom link`` runs it on demand.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Callable

import pyarrow as pa

from ..store.database import Store
from .claims import group_claims, rows_for_claims
from .entities import link_entities, rows_for_entities
from .events import group_events, magnitude_claims, rows_for_events
from .statements import group_statements, rows_for_statements
from .stories import cluster_stories, find_duplicates, rows_for_stories

Progress = Callable[[str], None]


def _i32(values: list) -> pa.Array:
    return pa.array(values, pa.int32())


def _replace(con, table: str, data: dict[str, pa.Array | list]) -> None:
    """Replace the whole content of a link table with the given columns."""
    con.execute(f"DELETE FROM {table}")
    arrow = pa.table(data)
    if arrow.num_rows == 0:
        return
    con.register("_link", arrow)
    try:
        cols = ", ".join(f'"{c}"' for c in arrow.column_names)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _link")
    finally:
        con.unregister("_link")


def _assign(con, table: str, column: str, key_cols: tuple[str, ...], rows: list[tuple]) -> None:
    """Set ``table.column`` from (value, *key) tuples with one set-based UPDATE (a span is
    identified by document, start AND end: nested quotes can share a start)."""
    con.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} IS NOT NULL")
    if not rows:
        return
    data = {"_value": [r[0] for r in rows]}
    for i, key in enumerate(key_cols, start=1):
        data[key] = _i32([r[i] for r in rows]) if key in ("start", "end") else [r[i] for r in rows]
    con.register("_assign", pa.table(data))
    try:
        where = " AND ".join(f'{table}."{k}" = _assign."{k}"' for k in key_cols)
        con.execute(f"UPDATE {table} SET {column} = _assign._value FROM _assign WHERE {where}")
    finally:
        con.unregister("_assign")


def link(store: Store, progress: Progress | None = None) -> dict[str, object]:
    """Recompute every cross-document link; returns counts and per-step seconds."""
    say = progress or (lambda _msg: None)
    con = store.con
    timings: dict[str, float] = {}
    started = time.perf_counter()

    # Entities come first: statements, claims and stories group by canonical entity.
    say("linking entities")
    t = time.perf_counter()
    entity_links = link_entities(rows_for_entities(con))
    timings["entities"] = time.perf_counter() - t

    con.execute("BEGIN TRANSACTION")
    try:
        _replace(con, "entity_links", {
            "entity_id": [x["entity_id"] for x in entity_links],
            "canonical_id": [x["canonical_id"] for x in entity_links],
            "method": [x["method"] for x in entity_links],
            "score": pa.array([float(x["score"]) for x in entity_links], pa.float64()),
        })
        # The groupers read entity_links through this transaction, so they see the new links.
        say("grouping statements")
        t = time.perf_counter()
        statements = group_statements(rows_for_statements(con))
        timings["statements"] = time.perf_counter() - t

        say("grouping events")
        t = time.perf_counter()
        events = group_events(rows_for_events(con))
        timings["events"] = time.perf_counter() - t

        say("grouping claims")
        t = time.perf_counter()
        figure_rows = rows_for_claims(con)
        # An event's death toll is one claim across its reports; the rest group by subject.
        event_claims, taken = magnitude_claims(events, figure_rows)
        claims = group_claims([f for f in figure_rows if (f["document_id"], f["start"], f["end"]) not in taken])
        claims += event_claims
        timings["claims"] = time.perf_counter() - t

        say("clustering stories")
        t = time.perf_counter()
        docs = rows_for_stories(con)
        duplicates = find_duplicates(docs)
        stories = cluster_stories(docs, duplicates=duplicates)
        timings["stories"] = time.perf_counter() - t

        _replace(con, "statements", {
            "id": [s["id"] for s in statements],
            "speaker_entity_id": pa.array([s.get("speaker_entity_id") for s in statements], pa.string()),
            "speaker": pa.array([s.get("speaker") for s in statements], pa.string()),
            "text": [s["text"] for s in statements],
            "flags": [json.dumps(s.get("flags", [])) for s in statements],
        })
        _assign(con, "quotes", "statement_id", ("document_id", "start", "end"),
                [(s["id"], q["document_id"], q["start"], q["end"]) for s in statements for q in s["quotes"]])

        _replace(con, "claims", {
            "id": [c["id"] for c in claims],
            "subject": pa.array([c.get("subject") for c in claims], pa.string()),
            "unit": pa.array([c.get("unit") for c in claims], pa.string()),
            "kind": pa.array([c.get("kind") for c in claims], pa.string()),
            "place_id": pa.array([c.get("place_id") for c in claims], pa.string()),
            "low": pa.array([c.get("low") for c in claims], pa.float64()),
            "high": pa.array([c.get("high") for c in claims], pa.float64()),
            "sources": _i32([int(c["sources"]) for c in claims]),
            "agree": pa.array([bool(c["agree"]) for c in claims], pa.bool_()),
        })
        _assign(con, "figures", "claim_id", ("document_id", "start", "end"),
                [(c["id"], f["document_id"], f["start"], f["end"]) for c in claims for f in c["figures"]])

        _replace(con, "events", {
            "id": [e["id"] for e in events],
            **{k: pa.array([e.get(k) for e in events], pa.string()) for k in (
                "plover_type", "plover_mode", "acled_event_type", "acled_sub_event_type", "source_actor",
                "source_entity_id", "target_actor", "target_entity_id", "place_id", "country_code", "date_start",
                "date_end")},
            **{f"{kind}_{end}": pa.array([e["ranges"].get(kind, (None, None))[i] for e in events], pa.float64())
               for kind in ("dead", "injured", "arrested", "size") for i, end in enumerate(("low", "high"))},
            "reports": _i32([len(e["reports"]) for e in events]),
            "sources": _i32([int(e["sources"]) for e in events]),
            "agree": pa.array([bool(e["agree"]) for e in events], pa.bool_()),
            "confidence": pa.array([float(e["confidence"]) for e in events], pa.float64()),
        })
        _assign(con, "event_mentions", "event_id", ("id",),
                [(e["id"], r["id"]) for e in events for r in e["reports"]])

        _replace(con, "duplicates", {
            "document_id": [d[0] for d in duplicates],
            "duplicate_of": [d[1] for d in duplicates],
            "similarity": pa.array([float(d[2]) for d in duplicates], pa.float64()),
        })
        _replace(con, "stories", {
            "id": [s["id"] for s in stories],
            "title": [s["title"] for s in stories],
            "first_published": pa.array([s.get("first_published") for s in stories], pa.string()),
            "last_published": pa.array([s.get("last_published") for s in stories], pa.string()),
            "document_count": _i32([len(s["document_ids"]) for s in stories]),
        })
        _assign(con, "documents", "story_id", ("id",),
                [(s["id"], d) for s in stories for d in s["document_ids"]])

        counts = {
            "documents": len(docs),
            "entities": len({x["canonical_id"] for x in entity_links}),
            "statements": len(statements),
            "claims": len(claims),
            "events": len(events),
            "duplicates": len(duplicates),
            "stories": len(stories),
        }
        seconds = time.perf_counter() - started
        con.execute("INSERT INTO link_runs VALUES (?, ?, ?, ?)",
                    [datetime.now(timezone.utc).replace(tzinfo=None), len(docs), seconds,
                     json.dumps({**counts, "seconds": {k: round(v, 3) for k, v in timings.items()}})])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return {**counts, "seconds": round(seconds, 3), "timings": timings}
