"""Web app latency: p50/p95 of API calls and pages over real HTTP on 127.0.0.1.

    python benchmarks/web.py                          # examples (+ ../shared seeds when present)
    python benchmarks/web.py --large big.duckdb       # and a large database built elsewhere
    python benchmarks/web.py --synthetic 20000        # and a synthetic one: the small database cloned

The server runs in its own process (``sitroom.web.run_server``), the client sends requests one
after another over one keep-alive connection, so each figure is the latency a single user sees,
HTTP included.  Ids and search words are drawn (seeded) from the database itself: documents and
entities at random, search words from article titles.  ``--synthetic`` copies every document with
all its facts N/size times under new ids (same entities, texts and vocabulary): a pessimistic
stand-in for a real corpus of that size, since every search word matches thousands of copies.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest import _merge_section  # noqa: E402  (docs/performance.md is shared by the benchmarks)
SHARED = ROOT.parent / "shared"
STOP = {"the", "and", "for", "from", "with", "after", "over", "into", "that", "this", "their", "says", "said"}


def build_small(folder: Path) -> Path:
    """The examples (and the seed articles when ../shared is present) ingested into a new file."""
    from sitroom.pipeline import ingest
    from sitroom.settings import Config

    db = folder / "small.duckdb"
    paths = [str(ROOT / "examples")] + ([str(SHARED / "corpus" / "seeds")] if (SHARED / "corpus" / "seeds").is_dir() else [])
    ingest(paths, Config.load(db=str(db)))
    return db


def synthesize(src: Path, dst: Path, n: int) -> Path:
    """A database of about ``n`` documents: every document of ``src`` with all its facts, cloned
    under new ids (statements, claims and stories cloned with them; entities and places shared)."""
    if dst.exists():
        dst.unlink()
    con = duckdb.connect(str(dst))
    con.execute(f"ATTACH '{src}' AS s (READ_ONLY)")
    con.execute(f"COPY FROM DATABASE s TO {con.execute('SELECT current_database()').fetchone()[0]}")
    size = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    con.execute(f"CREATE TEMP TABLE k AS SELECT range AS k FROM range(1, {-(-n // size)})")

    def new_id(col: str) -> str:
        return f"substr(md5(x.{col} || '~' || k.k), 1, 16)"

    def clone(table: str, replace: dict[str, str], where: str = "") -> None:
        cols = ", ".join(f"{expr} AS {name}" for name, expr in replace.items())
        con.execute(f"INSERT INTO {table} SELECT x.* REPLACE ({cols}) FROM s.{table} x, k {where}")

    clone("documents", {"id": new_id("id"), "story_id": "x.story_id || '~' || k.k"})
    for table in ("mentions", "entity_roles", "dates", "place_mentions", "demonyms"):
        clone(table, {"document_id": new_id("document_id")})
    clone("entity_aliases", {"document_id": new_id("document_id")}, "WHERE x.document_id IS NOT NULL")
    clone("document_paths", {"document_id": new_id("document_id"), "path": "x.path || '#' || k.k"})
    clone("quotes", {"document_id": new_id("document_id"), "statement_id": "x.statement_id || '~' || k.k"})
    clone("figures", {"document_id": new_id("document_id"), "claim_id": "x.claim_id || '~' || k.k"})
    clone("event_mentions", {"document_id": new_id("document_id"),
                             "id": new_id("document_id") + " || substr(x.id, strpos(x.id, ':'))",
                             "event_id": "x.event_id || '~' || k.k"})
    for table in ("statements", "claims", "stories", "events"):
        clone(table, {"id": "x.id || '~' || k.k"})
    clone("duplicates", {"document_id": new_id("document_id"), "duplicate_of": new_id("duplicate_of")})
    con.execute("DETACH s")
    con.execute("CHECKPOINT")
    con.close()
    return dst


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _samples(db: Path, rng: random.Random, n: int) -> dict[str, list[str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        docs = [r[0] for r in con.execute("SELECT id FROM documents ORDER BY id").fetchall()]
        ents = [r[0] for r in con.execute(
            "SELECT DISTINCT coalesce(l.canonical_id, m.entity_id) FROM mentions m "
            "LEFT JOIN entity_links l ON l.entity_id = m.entity_id ORDER BY 1").fetchall()]
        titles = [r[0] for r in con.execute("SELECT title FROM documents WHERE title IS NOT NULL LIMIT 5000").fetchall()]
        sources = [r[0] for r in con.execute("SELECT DISTINCT source FROM documents WHERE source IS NOT NULL "
                                             "ORDER BY 1").fetchall()]
    finally:
        con.close()
    words = sorted({w.lower() for t in titles for w in re.findall(r"[A-Za-z]{4,}", t)} - STOP)
    return {"doc": [rng.choice(docs) for _ in range(n)], "entity": [rng.choice(ents) for _ in range(n)],
            "word": [rng.choice(words) for _ in range(n)],
            "source": [rng.choice(sources) if sources else "" for _ in range(n)]}


CASES = [
    ("API document", lambda s, i: f"/api/documents/{s['doc'][i]}"),
    ("API entity", lambda s, i: f"/api/entities/{s['entity'][i]}"),
    ("API search (one word)", lambda s, i: f"/api/search?q={s['word'][i]}"),
    ("API search (two words + source)", lambda s, i: f"/api/search?q={s['word'][i]}+{s['word'][-1 - i]}"
                                                      f"&source={s['source'][i]}"),
    ("API claims (first page)", lambda s, i: "/api/claims"),
    ("API events (a page, filtered by country)", lambda s, i: f"/api/events?country=IQ&offset={20 * (i % 5)}"),
    ("API events (actor)", lambda s, i: f"/api/events?actor={s['entity'][i]}"),
    ("API events map", lambda s, i: "/api/events/map"),
    ("page document", lambda s, i: f"/documents/{s['doc'][i]}"),
    ("page entity", lambda s, i: f"/entities/{s['entity'][i]}"),
    ("page search", lambda s, i: f"/search?q={s['word'][i]}"),
    ("page claims", lambda s, i: "/claims"),
    ("page events", lambda s, i: f"/events?offset={20 * (i % 5)}"),
]


def measure(db: Path, requests: int, seed: int = 7) -> dict:
    """Start the server on ``db`` and time ``requests`` calls of every case."""
    port = _free_port()
    code = f"from sitroom.web import run_server; run_server({str(db)!r}, port={port}, log_level='warning')"
    server = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            deadline = time.monotonic() + 600
            while True:
                try:
                    status = client.get("/api/status")
                    if status.status_code == 200 and not status.json()["warming"]:
                        break  # loaded, and the background precomputation is done
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"server on {db} did not start")
                time.sleep(0.2)
            info = status.json()
            samples = _samples(db, random.Random(seed), requests)
            rows = []
            for name, url in CASES:
                for i in range(min(10, requests)):  # warm-up: caches, first compiled plans
                    client.get(url(samples, i))
                times, failures = [], 0
                for i in range(requests):
                    started = time.perf_counter()
                    r = client.get(url(samples, i))
                    times.append((time.perf_counter() - started) * 1000)
                    failures += r.status_code != 200
                times.sort()
                rows.append({"case": name, "n": requests, "failures": failures, "p50": statistics.median(times),
                             "p95": times[max(0, round(0.95 * len(times)) - 1)], "max": times[-1]})
        return {"db": str(db), "documents": info["documents"], "load_seconds": info["load_seconds"], "rows": rows}
    finally:
        server.terminate()
        server.wait(timeout=10)


def markdown(results: list[tuple[str, dict]]) -> str:
    lines = ["## Web app latency (issue 5/7)", "",
             f"`python benchmarks/web.py`; {os.cpu_count()} cores; server and client on 127.0.0.1 in separate "
             "processes, one request at a time over a keep-alive connection; milliseconds. Target: p95 < 100 ms "
             "for document, entity and search API calls.", ""]
    for label, res in results:
        lines += [f"**{label}**: {res['documents']:,} documents, snapshot loaded and indexed in "
                  f"{res['load_seconds']:.1f} s.", "",
                  "| request | n | p50 ms | p95 ms | max ms | failures |", "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['case']} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {r['failures']} |"
                  for r in res["rows"]]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="the small database (default: ingest examples/ and the seeds)")
    ap.add_argument("--large", type=Path, help="a large database to measure as well")
    ap.add_argument("--synthetic", type=int, metavar="N", help="also measure the small database cloned to N documents")
    ap.add_argument("--requests", type=int, default=200, help="requests per case (default 200)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitroom-web-bench-") as tmp:
        small = args.db or build_small(Path(tmp))
        results = [("examples + seeds" if not args.db else small.name, measure(small, args.requests))]
        if args.large:
            results.append((args.large.name, measure(args.large, args.requests)))
        if args.synthetic:
            big = synthesize(small, Path(tmp) / "synthetic.duckdb", args.synthetic)
            results.append((f"synthetic: {small.name if args.db else 'examples + seeds'} cloned to "
                            f"{args.synthetic:,}", measure(big, args.requests)))
    section = markdown(results)
    print(section)
    _merge_section(args.out, "web", {"results": [[label, res] for label, res in results]}, section)


if __name__ == "__main__":
    main()
