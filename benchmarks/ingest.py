"""Ingest throughput against the bare model, in one run, on the BBC news corpus.

    python benchmarks/ingest.py [--shared ../shared] [--n-process 1] [--limit N]

Each measurement runs in its own subprocess so its peak RSS (``ru_maxrss`` of the process and its
spaCy workers) is its own.  The same cleaned texts go through (1) a bare ``nlp.pipe`` of the same
model and (2) the whole ``sitroom ingest`` (read, parse, stages, DuckDB writes).  Words are
``len(text.split())`` of the cleaned article text in both.  Results go to docs/performance.md
(section "Ingest throughput") and docs/performance.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def _corpus_files(shared: Path, limit: int | None) -> list[str]:
    folder = shared / "eval" / "bbc-news" / "bbc"
    files = sorted(str(p) for p in folder.rglob("*.txt") if p.name != "README.TXT")
    return files[:limit] if limit else files


def part_bare(files: list[str], n_process: int, batch_size: int) -> dict:
    """The ceiling: the same model over the same cleaned texts, nothing else."""
    from sitroom.nlp import load_model
    from sitroom.read import read_paths
    from sitroom.schema import Article

    texts = [a.text for a in read_paths(files) if isinstance(a, Article)]
    nlp = load_model()
    start = time.perf_counter()
    n = 0
    for _doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        n += 1
    seconds = time.perf_counter() - start
    words = sum(len(t.split()) for t in texts)
    return {"docs": n, "words": words, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def part_ingest(files: list[str], n_process: int, batch_size: int) -> dict:
    """End to end: readers, model, sitroom stages, batched DuckDB writes into a fresh file."""
    from sitroom.pipeline import build_nlp, ingest
    from sitroom.settings import Config

    with tempfile.TemporaryDirectory() as tmp:
        cfg = Config.load(db=str(Path(tmp) / "bench.duckdb"), n_process=n_process, batch_size=batch_size)
        build_nlp(cfg)  # model loading is not throughput; the bare run loads outside its clock too
        start = time.perf_counter()
        report = ingest(files, cfg)
        seconds = time.perf_counter() - start
    return {"docs": report.new, "unchanged": report.unchanged, "duplicates": report.duplicate_paths,
            "rejected": len(report.rejected), "words": report.words, "seconds": seconds,
            "peak_rss_mb": _peak_rss_mb()}


def part_stages(files: list[str], n_process: int, batch_size: int) -> dict:
    """Where the time goes: the model's components and each sitroom stage, timed one by one on
    one process over the same articles (the event stage's share is issue 13's speed budget)."""
    from sitroom.pipeline import build_nlp, make_doc
    from sitroom.read import read_paths
    from sitroom.schema import Article
    from sitroom.settings import Config

    nlp = build_nlp(Config())
    articles = [a for a in read_paths(files) if isinstance(a, Article)]
    seconds = {name: 0.0 for name in nlp.pipe_names}
    for art in articles:
        doc = make_doc(nlp, art)
        for name, proc in nlp.pipeline:
            t = time.perf_counter()
            doc = proc(doc)
            seconds[name] += time.perf_counter() - t
    total = sum(seconds.values())
    return {"docs": len(articles), "words": sum(len(a.text.split()) for a in articles),
            "seconds": {k: round(v, 3) for k, v in seconds.items()}, "total": round(total, 3),
            "peak_rss_mb": _peak_rss_mb()}


def _run_part(name: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--part", name, "--shared", str(args.shared),
           "--n-process", str(args.n_process), "--batch-size", str(args.batch_size)]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"benchmark part {name} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "uncommitted"


def markdown(result: dict) -> str:
    bare, e2e = result["bare"], result["ingest"]
    rows = []
    for label, r in (("bare `nlp.pipe` (same model, same texts)", bare), ("`sitroom ingest` end to end", e2e)):
        rows.append(f"| {label} | {r['docs']:,} | {r['words']:,} | {r['seconds']:.1f} | "
                    f"{r['docs'] / r['seconds']:.1f} | {r['words'] / r['seconds']:,.0f} | {r['peak_rss_mb']:,.0f} |")
    ratio = (e2e["words"] / e2e["seconds"]) / (bare["words"] / bare["seconds"])
    return "\n".join([
        "## Ingest throughput (BBC News, issue 1/7)",
        "",
        f"Generated by `make bench` on {result['date']} at commit {result['commit']}; "
        f"{result['cores']} cores, Python {result['python']}, n_process={result['n_process']}, "
        f"batch_size={result['batch_size']}. Corpus: ../shared/eval/bbc-news ({result['files']:,} files).",
        "",
        "| run | docs | words | seconds | docs/s | words/s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"**Ratio end-to-end / bare model (words/s): {ratio:.2f}** (target for issue 1/7: ≥ 0.60; "
        "issue 6/7 raises it to 0.80).",
        "",
        *_stage_rows(result.get("stages")),
        "End to end counts only new documents: the corpus's exact duplicates "
        f"({e2e['duplicates']}) are recognised by content hash and stored once, so the end-to-end run "
        "parses slightly fewer words than the bare run; words/s compares the two fairly. Peak RSS is "
        "the larger of the measuring process and its spaCy worker processes.",
    ])


def _stage_rows(stages: dict | None) -> list[str]:
    if not stages:
        return []
    total = stages["total"]
    rows = ["Where one process spends its time (each component timed alone over the same articles):", "",
            "| component | seconds | share |", "|---|---:|---:|"]
    rows += [f"| {name} | {sec:.1f} | {sec / total:.1%} |" for name, sec in stages["seconds"].items()]
    events = stages["seconds"].get("sitroom_events", 0.0)
    rows += ["", f"**Event stage: {events / total:.1%} of the per-document time** (issue 13 budget: at most "
             "15% of ingest throughput).", ""]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--part", choices=["bare", "ingest", "stages"], help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    args = ap.parse_args()
    if not (args.shared / "eval" / "bbc-news").is_dir():
        print(f"skipped: {args.shared}/eval/bbc-news not present (the benchmark corpus lives outside the repository)")
        return
    files = _corpus_files(args.shared, args.limit)
    if args.part:
        fn = {"bare": part_bare, "ingest": part_ingest, "stages": part_stages}[args.part]
        print(json.dumps(fn(files, args.n_process, args.batch_size)))
        return
    result = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": _git_commit(),
        "cores": os.cpu_count(), "python": platform.python_version(), "n_process": args.n_process,
        "batch_size": args.batch_size, "files": len(files),
        "bare": _run_part("bare", args), "ingest": _run_part("ingest", args), "stages": _run_part("stages", args),
    }
    section = markdown(result)
    print(section)
    _merge_section(args.out, "ingest", result, section)


def _merge_section(out: Path, key: str, result: dict, section: str) -> None:
    """docs/performance.md is shared by several benchmarks: replace only our section."""
    store = out.with_suffix(".json")
    data = json.loads(store.read_text()) if store.exists() else {}
    data[key] = {"result": result, "markdown": section}
    store.write_text(json.dumps(data, indent=1) + "\n")
    body = ["# Performance", "", "Written by `make bench`; each section by the benchmark named in it.", ""]
    for entry in data.values():
        body += [entry["markdown"], ""]
    out.write_text("\n".join(body))


if __name__ == "__main__":
    main()
