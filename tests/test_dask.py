"""Dask ingest (issue 6/7 item 3): a 2-worker LocalCluster on 127.0.0.1 must store exactly what a
local ``pipeline.ingest`` stores, and merging its Parquet shards must be repeatable."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from sitroom.distributed import _InOrder, connect, ingest_dask, merge
from sitroom.errors import StoreError, UsageError
from sitroom.pipeline import IngestReport, ingest
from sitroom.schema import Article, DocumentFacts
from sitroom.settings import Config
from sitroom.store.database import Store
from sitroom.store.export import TABLE_QUERIES, build_export
from sitroom.store.shards import write_shard_set

from conftest import EXAMPLES, SEEDS

#: Tables the local and the Dask run must hold row for row (rejections without their timestamp).
COMPARED = {**{k: v for k, v in TABLE_QUERIES.items() if k != "rejections"},
            "rejections": "SELECT path, code, reason FROM rejections ORDER BY path"}


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """One LocalCluster for the module (each worker loads spaCy once), reached over tcp://."""
    with connect("local:2") as client:
        info = client.scheduler_info()
        assert info["address"].startswith("tcp://127.0.0.1:")
        assert len(info["workers"]) == 2
        assert all(addr.startswith("tcp://127.0.0.1:") for addr in info["workers"])
        yield info["address"]


def inputs(tmp_path: Path, with_seeds: bool) -> list[str]:
    """The examples, one rejected file and one article under a second path (plus the seeds)."""
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "empty.txt").write_bytes(b"")
    shutil.copy(sorted((EXAMPLES / "txt").glob("*.txt"))[0], extra / "copy.txt")
    return [str(EXAMPLES), str(extra)] + ([str(SEEDS)] if with_seeds else [])


def snapshot(db: str) -> tuple[dict, dict]:
    with Store(db, read_only=True) as store:
        return build_export(store), {name: store.query(sql) for name, sql in COMPARED.items()}


def summary(report: IngestReport) -> tuple:
    return report.new, report.unchanged, report.duplicate_paths, sorted(r.path for r in report.rejected), report.words


@pytest.mark.parametrize("with_seeds", [False, True], ids=["examples", "examples+seeds"])
def test_dask_run_stores_what_a_local_run_stores(scheduler, tmp_path, with_seeds):
    if with_seeds and not SEEDS.is_dir():
        pytest.skip("../shared/corpus/seeds not present (the seed articles live outside the repository)")
    paths = inputs(tmp_path, with_seeds)
    local = ingest(paths, Config.load(db=str(tmp_path / "local.duckdb")))
    # Small batches: several shard sets, finished by two workers in any order, merged in read order.
    cfg = Config.load(db=str(tmp_path / "dask.duckdb"), batch_size=3)
    events: list[str] = []
    remote = ingest_dask(paths, cfg, scheduler, on_event=lambda kind, _: events.append(kind))
    assert summary(remote) == summary(local)
    assert remote.new > 3 and remote.duplicate_paths == 1 and len(remote.rejected) == 1
    assert f"{-(-remote.new // 3)} shard sets merged" in remote.messages[0]
    assert events.count("new") == remote.new and events[-1] == "linking"
    assert remote.links is not None and remote.links["stories"] == local.links["stories"]
    export, tables = snapshot(cfg.db)
    assert (export, tables) == snapshot(str(tmp_path / "local.duckdb"))
    assert [(Path(r["path"]).name, r["code"]) for r in tables["rejections"]] == [("empty.txt", "empty")]
    assert not Path(f"{cfg.db}.shards").exists()  # the default shard folder is cleaned up


def test_merge_is_idempotent_and_leftover_sets_resume_a_run(scheduler, tmp_path):
    shards = tmp_path / "shards"
    cfg = Config.load(db=str(tmp_path / "a.duckdb"), batch_size=4)
    first = ingest_dask([str(EXAMPLES)], cfg, scheduler, shards_dir=shards, keep_shards=True)
    before = snapshot(cfg.db)
    sets = sorted(shards.iterdir())
    assert len(sets) == -(-first.new // 4) > 1

    again = merge([shards], cfg)  # the same sets a second time: same rows, same links
    assert (again.sets, again.documents) == (len(sets), first.new)
    assert snapshot(cfg.db) == before

    # Another store takes the first set by hand (`sitroom merge`), then a run finds the others left
    # in its shard folder, as after an interruption: it merges them and parses nothing again.
    other = Config.load(db=str(tmp_path / "b.duckdb"), batch_size=4)
    by_hand = merge([sets[0]], other, keep=False)
    assert by_hand.documents == 4 and by_hand.links is not None and not sets[0].exists()
    resumed = ingest_dask([str(EXAMPLES)], other, scheduler, shards_dir=shards)
    assert f"{len(sets) - 1} shard sets left by an earlier run merged" in resumed.messages[0]
    assert (resumed.new, resumed.unchanged) == (0, first.new)
    assert snapshot(other.db)[0] == before[0]
    assert list(shards.iterdir()) == []


def test_incomplete_partly_copied_and_invisible_shard_sets(tmp_path):
    facts = DocumentFacts(doc_id="d1", article=Article(text="Two words", path="a.txt"), paths=["a.txt"], word_count=2)
    write_shard_set(tmp_path, "run-000000", [facts])
    partial = shutil.copytree(tmp_path / "run-000000", tmp_path / "run-000001")  # a copy still arriving
    (partial / "document_paths.parquet").write_bytes((partial / "document_paths.parquet").read_bytes()[:100])
    (tmp_path / ".run-000002.tmp-1").mkdir()  # a set still being written
    cfg = Config.load(db=str(tmp_path / "y.duckdb"))
    report = merge([tmp_path], cfg, link=False)
    assert (report.sets, report.documents, report.words) == (1, 1, 2)
    assert report.skipped == [str(tmp_path / ".run-000002.tmp-1"), str(partial)]
    with Store(cfg.db) as store:
        assert store.query("SELECT document_id, path FROM document_paths") == [{"document_id": "d1", "path": "a.txt"}]
        with pytest.raises(StoreError, match="not visible"):
            _InOrder(store, tmp_path, False, IngestReport(), lambda *_: None, wait=0).finished({"name": "run-000003"})
    with pytest.raises(UsageError, match="no such shard folder"):
        merge([tmp_path / "missing"], cfg)


@pytest.mark.parametrize("address", ["local:0", "udp://127.0.0.1:8786", "127.0.0.1:8786"])
def test_bad_addresses_are_usage_errors(tmp_path, address):
    with pytest.raises(UsageError):
        ingest_dask([str(EXAMPLES)], Config.load(db=str(tmp_path / "z.duckdb")), address)
