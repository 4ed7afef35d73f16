"""Parquet shards: per-document facts written by one worker, merged into DuckDB by one writer.

DuckDB allows one writing process per file, so Dask workers (or any machine running the
per-document stages) never open the database: each batch becomes a *shard set*, a folder with one
Parquet file per store table (the same Arrow tables ``Store.write_batch`` inserts) and a
``manifest.json`` written last.  A set is written under a hidden temporary name and renamed into
place, so a folder either is a complete set or is ignored.  Merging a set is one transaction with
``write_batch``'s replace semantics (a document's earlier rows are deleted first; entities, places
and paths are insert-or-ignore), which makes re-merging the same set a no-op in effect.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import StoreError, UsageError
from ..schema import DocumentFacts
from .database import Store, batch_tables
from .migrations import FACT_TABLES, MIGRATIONS

MANIFEST = "manifest.json"
SHARD_FORMAT = 1
#: The schema the shards' columns belong to; a store older than this cannot take them.
SCHEMA_VERSION = MIGRATIONS[-1][0]
#: Store tables a shard set may hold, in the order write_batch inserts them.
SHARD_TABLES = tuple(batch_tables([], datetime(2000, 1, 1)))
#: Rows that other documents may share: the first writer's row stays.
_SHARED_ROWS = ("entities", "places", "document_paths")


@dataclass
class MergeReport:
    sets: int = 0
    documents: int = 0
    words: int = 0
    skipped: list[str] = field(default_factory=list)  # folders that are not (yet) complete sets
    links: dict | None = None  # counts from the cross-document pass, when it ran


def write_shard_set(folder: Path, name: str, batch: Sequence[DocumentFacts]) -> dict:
    """Write ``batch`` as the shard set ``folder/name`` (atomically) and return its manifest."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    tables = batch_tables(batch, now)
    tmp = folder / f".{name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    files = {}
    for table_name, table in tables.items():
        if table.num_rows:
            path = tmp / f"{table_name}.parquet"
            pq.write_table(table, path, compression="zstd")
            files[table_name] = {"rows": table.num_rows, "bytes": path.stat().st_size}
    manifest = {"format": SHARD_FORMAT, "schema_version": SCHEMA_VERSION, "name": name,
                "written_at": now.isoformat(timespec="seconds"), "documents": len(batch),
                "words": sum(f.word_count for f in batch), "ids": [f.doc_id for f in batch], "files": files}
    (tmp / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    final = folder / name
    shutil.rmtree(final, ignore_errors=True)
    os.rename(tmp, final)
    return manifest


def read_manifest(set_dir: Path) -> dict:
    try:
        manifest = json.loads((set_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{set_dir}: unreadable shard manifest ({exc})") from exc
    if manifest.get("format") != SHARD_FORMAT:
        raise StoreError(f"{set_dir}: shard format {manifest.get('format')!r}, this sitroom reads {SHARD_FORMAT}")
    return manifest


def shard_sets(folders: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Complete shard sets under ``folders`` (each a set or a folder of sets), in name order per
    folder (names sort in the order their batches were read); plus the folders skipped: still
    being written, or copied only in part (a file missing or of another size than the manifest's)."""
    found: list[Path] = []
    skipped: list[str] = []
    for folder in map(Path, folders):
        if (folder / MANIFEST).is_file():
            candidates = [folder]
        elif folder.is_dir():
            candidates = sorted(child for child in folder.iterdir() if child.is_dir())
        else:
            raise UsageError(f"{folder}: no such shard folder")
        for candidate in candidates:  # hidden ones are sets still being written
            (found if not candidate.name.startswith(".") and _complete(candidate) else skipped).append(candidate)
    return found, [str(p) for p in skipped]


def _complete(set_dir: Path) -> bool:
    if not (set_dir / MANIFEST).is_file():
        return False
    files = {set_dir / f"{name}.parquet": f["bytes"] for name, f in read_manifest(set_dir)["files"].items()}
    return all(path.is_file() and path.stat().st_size == size for path, size in files.items())


def merge_shard_set(store: Store, set_dir: Path) -> dict:
    """Load one shard set into the store in ONE transaction; returns its manifest."""
    manifest = read_manifest(set_dir)
    if manifest["schema_version"] > store.schema_version():
        raise StoreError(f"{set_dir}: written for store schema {manifest['schema_version']}, "
                         f"{store.path} has {store.schema_version()}")
    files = manifest["files"]
    if "documents" not in files or not set(files) <= set(SHARD_TABLES):
        raise StoreError(f"{set_dir}: manifest lists tables {sorted(files)}")
    tables = {name: pq.read_table(set_dir / f"{name}.parquet") for name in SHARD_TABLES if name in files}
    for name, table in tables.items():
        if table.num_rows != files[name]["rows"]:
            raise StoreError(f"{set_dir}/{name}.parquet: {table.num_rows} rows, manifest: {files[name]['rows']}")
    ids = tables["documents"].column("id").to_pylist()
    _replace_documents(store, ids, tables)
    return manifest


def merge_shards(store: Store, shards: Path | Iterable[Path], *, keep: bool = True) -> MergeReport:
    """Merge every complete shard set under ``shards`` (one folder or several); each set is
    removed after its commit unless ``keep``.  Running it twice stores the same rows."""
    folders = [shards] if isinstance(shards, (str, Path)) else list(shards)
    sets, skipped = shard_sets(folders)
    report = MergeReport(skipped=skipped)
    for set_dir in sets:
        manifest = merge_shard_set(store, set_dir)
        report.sets += 1
        report.documents += manifest["documents"]
        report.words += manifest["words"]
        if not keep:
            shutil.rmtree(set_dir)
    return report


def _replace_documents(store: Store, ids: list[str], tables: dict[str, pa.Table]) -> None:
    """write_batch's transaction, fed from Arrow tables read back from Parquet."""
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        for name in (*FACT_TABLES, "documents"):
            key = "id" if name == "documents" else "document_id"
            con.execute(f"DELETE FROM {name} WHERE {key} IN (SELECT unnest(?))", [ids])
        for name, table in tables.items():
            con.register("_shard", table)
            cols = ", ".join('"' + c.replace('"', '""') + '"' for c in table.column_names)
            verb = "INSERT OR IGNORE" if name in _SHARED_ROWS else "INSERT"
            con.execute(f"{verb} INTO {name} ({cols}) SELECT {cols} FROM _shard")
            con.unregister("_shard")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
