"""Dask ingest throughput (``local:N``) on the BBC news corpus, next to the single-process ingest.

    python benchmarks/dask.py [--shared ../shared] [--workers 2] [--limit N] [--local]

A LocalCluster (127.0.0.1, one thread per worker process) is started and its workers load the
model before the clock starts, as ``benchmarks/ingest.py`` loads it before its clock.  The clock
then covers ``sitroom.distributed.ingest_dask`` end to end: reading on the client, parsing and
Parquet shards on the workers, merging into DuckDB and the cross-document pass.  The workers'
busy time (Dask's task stream) gives documents per hour per worker core, the figure docs/scale.md
projects a cluster from.  The single-process figure comes from docs/performance.json ("ingest",
written by benchmarks/ingest.py), or is measured in the same run with ``--local`` (fairer on a
shared machine).  Results go to docs/performance.md (section "Dask") and docs/performance.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This file is named dask.py: its folder must not shadow the dask package (here or in the
# spawned worker processes, which inherit sys.path), so it goes last.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"] + [str(ROOT / "benchmarks")]

from ingest import DEFAULT_SHARED, _corpus_files, _git_commit, _merge_section  # noqa: E402


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time of this process: unlike wall time, not inflated when other jobs share the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure_dask(files: list[str], workers: int, batch_size: int) -> dict:
    from distributed import get_task_stream

    from sitroom.distributed import ModelPlugin, connect, ingest_dask
    from sitroom.settings import Config

    with tempfile.TemporaryDirectory() as tmp:
        cfg = Config.load(db=str(Path(tmp) / "bench.duckdb"), batch_size=batch_size)
        started = time.perf_counter()
        with connect(f"local:{workers}") as client:
            client.register_plugin(ModelPlugin(dataclasses.replace(cfg, n_process=1)))
            startup = time.perf_counter() - started
            cpu_before = client.run(_cpu_seconds)
            with get_task_stream(client) as stream:
                start, client_cpu = time.perf_counter(), _cpu_seconds()
                report = ingest_dask(files, cfg, client.scheduler.address)
                seconds, client_cpu = time.perf_counter() - start, _cpu_seconds() - client_cpu
            cpu = sum(client.run(_cpu_seconds).values()) - sum(cpu_before.values())
            worker_rss = client.run(_peak_rss_mb)
    busy = sum(ss["stop"] - ss["start"] for task in stream.data for ss in task["startstops"]
               if ss["action"] == "compute")
    return {"workers": workers, "docs": report.new, "duplicates": report.duplicate_paths,
            "rejected": len(report.rejected), "words": report.words, "seconds": seconds,
            "startup_seconds": startup, "link_seconds": report.links["seconds"] if report.links else 0.0,
            "tasks": len(stream.data), "worker_busy_seconds": busy, "worker_cpu_seconds": cpu,
            "client_cpu_seconds": client_cpu,
            "worker_peak_rss_mb": max(worker_rss.values()), "client_peak_rss_mb": _peak_rss_mb()}


def measure_local(files: list[str], batch_size: int) -> dict:
    """The single-process ingest (n_process=1) on the same files, for a same-conditions ratio."""
    from sitroom.pipeline import build_nlp, ingest
    from sitroom.settings import Config

    with tempfile.TemporaryDirectory() as tmp:
        cfg = Config.load(db=str(Path(tmp) / "local.duckdb"), batch_size=batch_size)
        build_nlp(cfg)
        start, cpu = time.perf_counter(), _cpu_seconds()
        report = ingest(files, cfg)
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    return {"docs": report.new, "words": report.words, "seconds": seconds, "cpu_seconds": cpu,
            "source": "measured in this run, after the Dask run"}


def recorded_local(store: Path = ROOT / "docs" / "performance.json") -> dict | None:
    entry = json.loads(store.read_text()).get("ingest") if store.exists() else None
    if not entry:
        return None
    r = entry["result"]
    return {**{k: r["ingest"][k] for k in ("docs", "words", "seconds")},
            "source": f"docs/performance.json \"ingest\" ({r['date']}, {r['files']:,} files, "
                      f"n_process={r['n_process']})"}


def markdown(result: dict) -> str:
    d, local = result["dask"], result["local"]
    per_core_docs = d["docs"] / d["worker_cpu_seconds"] * 3600
    per_core_words = d["words"] / d["worker_cpu_seconds"]
    dask_cpu = d["worker_cpu_seconds"] + d["client_cpu_seconds"]
    rows = [f"| Dask `local:{d['workers']}` end to end | {d['docs']:,} | {d['words']:,} | {d['seconds']:.1f} | "
            f"{d['docs'] / d['seconds']:.1f} | {d['words'] / d['seconds']:,.0f} | {dask_cpu:,.0f} |"]
    lines = []
    if local:
        cpu = f"{local['cpu_seconds']:,.0f}" if "cpu_seconds" in local else "–"
        rows.append(f"| single process (`sitroom ingest`, n_process=1) | {local['docs']:,} | {local['words']:,} | "
                    f"{local['seconds']:.1f} | {local['docs'] / local['seconds']:.1f} | "
                    f"{local['words'] / local['seconds']:,.0f} | {cpu} |")
        speedup = (d["words"] / d["seconds"]) / (local["words"] / local["seconds"])
        lines = [f"**Dask local:{d['workers']} / single process (words/s): {speedup:.2f}**; single-process "
                 f"figure: {local['source']}.", ""]
    return "\n".join([
        "## Dask (issue 6/7 item 3)",
        "",
        f"Generated by `python benchmarks/dask.py` on {result['date']} at commit {result['commit']}; "
        f"{result['cores']} cores (load average {result['load']:.1f} at start, the machine is shared), "
        f"Python {result['python']}, batch_size={result['batch_size']}. Corpus: ../shared/eval/bbc-news "
        f"({result['files']:,} files).",
        "",
        "| run | docs | words | seconds | docs/s | words/s | CPU seconds |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        *lines,
        f"The Dask clock covers reading on the client, parsing on {d['workers']} single-threaded worker "
        f"processes ({d['tasks']} tasks), Parquet shards, the merge into DuckDB and the cross-document pass "
        f"({d['link_seconds']:.1f} s); starting the cluster and loading the model on the workers took "
        f"{d['startup_seconds']:.1f} s before it. The workers ran tasks for {d['worker_busy_seconds']:.0f} s "
        f"(wall) and used {d['worker_cpu_seconds']:.0f} CPU seconds: **{per_core_docs:,.0f} documents "
        f"({per_core_words * 3600:,.0f} words) per hour per worker core** (per CPU-hour, so other jobs on "
        "the machine do not deflate it), the figure docs/scale.md projects a cluster from. Peak RSS: "
        f"{d['worker_peak_rss_mb']:,.0f} MB per worker, {d['client_peak_rss_mb']:,.0f} MB on the client. "
        f"CPU seconds of the Dask run: workers {d['worker_cpu_seconds']:,.0f}, client with the scheduler "
        f"{d['client_cpu_seconds']:,.0f}. On this 2-core machine the client's reading, merging and linking "
        "and the scheduler share the cores with the workers, so the speed-up over one process stays below "
        "the worker count.",
    ])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--local", action="store_true", help="also time the single-process ingest in this run")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    args = ap.parse_args()
    if not (args.shared / "eval" / "bbc-news").is_dir():
        print(f"skipped: {args.shared}/eval/bbc-news not present (the benchmark corpus lives outside the repository)")
        return
    files = _corpus_files(args.shared, args.limit)
    result = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": _git_commit(),
        "cores": os.cpu_count(), "load": os.getloadavg()[0], "python": platform.python_version(),
        "batch_size": args.batch_size, "files": len(files),
        "dask": measure_dask(files, args.workers, args.batch_size),
    }
    result["local"] = measure_local(files, args.batch_size) if args.local else recorded_local()
    section = markdown(result)
    print(section)
    _merge_section(args.out, "dask", result, section)


if __name__ == "__main__":
    main()
