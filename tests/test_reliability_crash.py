"""Crash safety (issue 8, item 3): SIGKILL a real ``sitroom ingest`` at random moments and check
that nothing half-written survives and that a re-run converges on the uninterrupted result.

One corpus (~41 articles: variants of examples/ with a distinct correction paragraph each, plus
the seeds when ../shared is present) is ingested twice:

* a clean, uninterrupted run: the reference export, each document's fact counts and the rows
  stored more than once (the stages emit a few same-span mentions: not crash damage);
* a crashed history on a second database: runs killed after random delays (fixed seed), each
  aimed inside the part of the ingest still left to do, then one killed inside the cross-document
  pass (the kill is timed from the pass's own progress line on stderr), then a run to the end.

After every kill the database must open, every stored document must have exactly the facts the
clean run stored for it (all or none: a document row without its facts, or facts without their
document, fail), and after the last run the export must equal the clean one.  ``--batch-size 4``
gives many commit points.  No hook in sitroom is involved: the kills are real, from outside.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sitroom.store.database import Store
from sitroom.store.export import build_export
from sitroom.store.migrations import FACT_TABLES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
SITROOM = [sys.executable, "-m", "sitroom.cli"] if not shutil.which("sitroom") else [shutil.which("sitroom")]
VARIANTS = 3  # per example article
RANDOM_KILLS = 5
SEED = 8
LINK_MARK = "cross-document pass: grouping"  # printed inside the link transaction

#: What a run did, for docs/reliability.md (printed with ``pytest -s``).
LOG: list[str] = []


def correction(i: int) -> str:
    return (f"Correction {i}: an earlier version of this article gave the number of checkpoints as "
            f"{i + 2}; there are {i + 7}.")


def build_corpus(folder: Path) -> int:
    """Write the crash corpus; returns how many articles it holds."""
    folder.mkdir()
    n = 0
    for src in sorted((EXAMPLES / "txt").glob("*.txt")):
        for i in range(VARIANTS):
            (folder / f"{src.stem}-{i}.txt").write_text(src.read_text() + f"\n{correction(i)}\n")
            n += 1
    for src in sorted((EXAMPLES / "html").glob("*.html")):
        for i in range(VARIANTS):
            html = src.read_text().replace("</article>", f"<p>{correction(i)}</p></article>", 1)
            (folder / f"{src.stem}-{i}.html").write_text(html)
            n += 1
    lines = []
    for line in (EXAMPLES / "wire.jsonl").read_text().splitlines():
        for i in range(VARIANTS):
            obj = json.loads(line)
            obj["text"] += "\n\n" + correction(i)
            lines.append(json.dumps(obj))
    (folder / "wire.jsonl").write_text("\n".join(lines) + "\n")
    n += len(lines)
    if SEEDS.is_dir():
        shutil.copytree(SEEDS, folder / "seeds")
        n += len(list(SEEDS.glob("*.txt")))
    return n


class Run:
    """One ``sitroom ingest`` subprocess; stderr is read as it comes so a kill can follow a
    progress line."""

    def __init__(self, corpus: Path, db: Path, *options: str):
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [*SITROOM, "ingest", str(corpus), "--db", str(db), "--batch-size", "4", *options],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "COLUMNS": "200"},
        )
        self.lines: list[tuple[float, str]] = []
        self.linking = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append((time.perf_counter() - self.started, line))
            if line.startswith(LINK_MARK):
                self.linking.set()

    def kill_after(self, delay: float) -> bool:
        """SIGKILL after ``delay`` s; False when the run had already finished."""
        try:
            self.proc.wait(timeout=delay)
            return False
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            return True

    def finish(self, timeout: float = 300) -> tuple[int, str, float]:
        out, _ = self.proc.communicate(timeout=timeout)
        self.reader.join()
        return self.proc.returncode, out, time.perf_counter() - self.started

    def first(self, prefix: str) -> float | None:
        return next((t for t, line in self.lines if line.startswith(prefix)), None)


def fact_counts(db: Path) -> dict[str, dict[str, int]]:
    """{document id: {table: rows}} for every stored document.  Read-only, as ``sitroom stats``
    or ``export`` open it: the WAL is replayed in memory and the file is left as the kill left it
    (a read-write open and clean close is test_clean_close_after_kill's subject)."""
    with Store(db, read_only=True) as store:
        ids = [r["id"] for r in store.query("SELECT id FROM documents")]
        counts = {i: {t: 0 for t in FACT_TABLES} for i in ids}
        for t in FACT_TABLES:
            for r in store.query(f"SELECT document_id, count(*) AS n FROM {t} GROUP BY ALL"):
                counts.setdefault(r["document_id"], {x: 0 for x in FACT_TABLES})[t] = r["n"]
    return counts


def export_of(db: Path) -> dict:
    with Store(db, read_only=True) as store:
        return _stable(build_export(store))


def _stable(value):
    """The export without volatile timestamps (none today; a guard for later fields)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if not k.endswith(("_at", "_seen"))}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def duplicates(db: Path) -> list[dict]:
    """Rows stored more than once: paths, fact spans (same document, table, span, text), link rows."""
    dup = []
    with Store(db, read_only=True) as store:
        dup += store.query("SELECT document_id, path, count(*) AS n FROM document_paths GROUP BY ALL HAVING n > 1")
        for t in FACT_TABLES:
            cols = '"start", "end", text' if t != "entity_aliases" else "entity_id, alias, origin"
            dup += store.query(f"SELECT '{t}' AS t, document_id, {cols}, count(*) AS n FROM {t} "
                               "GROUP BY ALL HAVING n > 1")
        for t in ("statements", "claims", "stories", "entity_links"):
            key = "entity_id" if t == "entity_links" else "id"
            dup += store.query(f"SELECT '{t}' AS t, {key}, count(*) AS n FROM {t} GROUP BY ALL HAVING n > 1")
    return sorted(dup, key=lambda r: json.dumps(r, sort_keys=True, default=str))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("crash")
    corpus = root / "corpus"
    n = build_corpus(corpus)
    db = root / "clean.duckdb"
    run = Run(corpus, db)
    code, out, seconds = run.finish()
    assert code == 0, out + "".join(line for _, line in run.lines)
    link_at = run.first("cross-document pass:")  # the first step line (under CI=true rich may drop the first)
    assert link_at is not None, out + "".join(line for _, line in run.lines)
    LOG.append(f"clean run: {n} articles, {seconds:.1f} s (cross-document pass from {link_at:.1f} s)")
    return {"root": root, "corpus": corpus, "n": n, "db": db, "seconds": seconds, "link_at": link_at,
            "counts": fact_counts(db), "export": export_of(db), "dups": duplicates(db)}


def check_consistent(db: Path, reference: dict) -> int:
    """The database opens and every stored document has all its facts; returns how many."""
    counts = fact_counts(db)
    want = reference["counts"]
    unknown = set(counts) - set(want)
    assert not unknown, f"facts of documents the clean run does not have: {sorted(unknown)[:3]}"
    for doc_id, got in counts.items():
        assert got == want[doc_id], f"{doc_id}: {got} != {want[doc_id]} (a partial document)"
    return len(counts)


def test_reference_run(reference):
    assert len(reference["counts"]) == reference["n"]
    assert all(sum(c.values()) for c in reference["counts"].values())  # every document has facts
    # Rows the stages themselves emit twice (same span, same entity) are not crash damage; the
    # crashed history must have exactly these and no more.
    LOG.append(f"clean run: {len(reference['dups'])} fact rows stored more than once by the stages themselves")


def test_sigkill_at_random_points_then_rerun(reference):
    rng = random.Random(SEED)
    db = reference["root"] / "crashed.duckdb"
    n, link_at = reference["n"], reference["link_at"]
    startup = _startup_seconds(reference)
    per_doc = max(link_at - startup, 0.5) / n
    kills = 0
    for k in range(RANDOM_KILLS):
        stored = check_consistent(db, reference) if db.exists() else 0
        delay = startup + rng.uniform(0.1, 0.5) * (n - stored) * per_doc  # inside what is left
        killed = Run(reference["corpus"], db).kill_after(delay)
        kills += killed
        now = check_consistent(db, reference) if db.exists() else 0
        LOG.append(f"kill {k + 1}: after {delay:.2f} s: {'killed' if killed else 'had finished'}; "
                   f"{now}/{n} documents stored ({now - stored} committed by this run), each with all its facts")
    assert kills >= RANDOM_KILLS - 1, "the runs finished before the kills: the delays are too long"

    run = Run(reference["corpus"], db)  # killed inside the cross-document pass
    in_link = run.linking.wait(timeout=300)
    time.sleep(rng.uniform(0.0, 0.05))
    killed = run.kill_after(0)
    stored = check_consistent(db, reference)
    with Store(db, read_only=True) as store:
        link_runs = store.query("SELECT count(*) AS n FROM link_runs")[0]["n"]
    LOG.append(f"kill {RANDOM_KILLS + 1}: inside the cross-document pass: {'killed' if killed else 'had finished'}; "
               f"{stored}/{n} documents, link runs recorded: {link_runs}")
    assert in_link and killed, "the run never reached the cross-document pass"
    assert link_runs == 0  # the pass commits once, at its end: nothing of it was kept
    side = reference["root"] / "side"
    side.mkdir()
    for f in db.parent.glob(db.name + "*"):  # the file and its WAL, as the kill left them
        shutil.copy(f, side / f.name)
    reference["after_link_kill"] = side / db.name

    rerun = Run(reference["corpus"], db)
    code, out, seconds = rerun.finish()
    assert code == 0, out + "".join(line for _, line in rerun.lines)
    assert re.search(rf"0 new, {n} unchanged", out), out  # every document was already in
    LOG.append(f"re-run: {seconds:.1f} s, exit {code}, export identical to the clean run's")
    assert check_consistent(db, reference) == n
    assert duplicates(db) == reference["dups"]
    assert export_of(db) == reference["export"]
    print("\n".join(LOG))


def _startup_seconds(reference: dict) -> float:
    """Seconds before an ingest first writes: imports, model and store (an empty folder's run)."""
    empty = reference["root"] / "empty"
    empty.mkdir(exist_ok=True)
    code, out, seconds = Run(empty, reference["root"] / "startup.duckdb").finish()
    assert code == 0, out
    return seconds


def test_clean_close_after_kill(reference):
    """After the kill inside the cross-document pass (a copy of the file and WAL it left), a run
    with nothing to do opens the file read-write and closes it cleanly (an empty folder with
    --no-link); then the cross-document pass runs.

    DuckDB 1.5.5 checkpoints an index it replayed from the WAL but never touched as corrupt
    (duckdb/duckdb PR #23848): the link pass's UPDATE of quotes.statement_id then fails with
    "Failed to delete all rows from index", in every later run.  Store therefore runs CHECKPOINT
    right after opening a file read-write, which avoids it; the xfail below only names the cause
    should that guard ever go."""
    db = reference.get("after_link_kill")
    if db is None:
        pytest.skip("needs the state test_sigkill_at_random_points_then_rerun leaves")
    assert Path(str(db) + ".wal").exists()
    code, out, _ = Run(reference["root"] / "empty", db, "--no-link").finish()
    assert code == 0, out
    link = subprocess.run([*SITROOM, "link", "--db", str(db)], capture_output=True, text=True, cwd=ROOT)
    if link.returncode and "Failed to delete all rows from index" in link.stderr:
        pytest.xfail("DuckDB 1.5.5 checkpoints a replayed, untouched index corrupt (duckdb PR #23848)")
    assert link.returncode == 0, link.stderr[-300:]
    assert check_consistent(db, reference) == reference["n"]
