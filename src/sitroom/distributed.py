"""Ingest on a Dask cluster: the per-document stages on workers, one writer for DuckDB.

The client reads the inputs (so rejections and the "already stored?" check happen once, exactly
as in ``pipeline.ingest``) and submits batches of articles.  A worker plugin builds sitroom's
spaCy pipeline once per worker process; each task parses one batch and writes it as a Parquet
shard set (store/shards.py), because DuckDB takes one writing process.  The client keeps a
bounded window of tasks in flight, merges finished sets in the order their batches were read
(so first-writer-wins rows such as entity names come out as in a local run) and runs the
cross-document pass once at the end.

Addresses: ``local:N`` starts N single-threaded worker processes bound to 127.0.0.1 with no
dashboard (other LocalCluster settings probe or listen on outside interfaces, design.md §4);
``tcp://HOST:PORT`` uses a running ``dask-scheduler``, whose workers must see the shard folder
at the same path (a shared filesystem) — otherwise copy the sets and run ``sitroom merge``.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

import dask
from distributed import Client, LocalCluster, as_completed, get_worker
from distributed.diagnostics.plugin import WorkerPlugin
from spacy.language import Language

from .errors import SitroomError, StoreError, UsageError
from .pipeline import IngestReport, analyse, build_nlp, document_id
from .read import read_paths
from .schema import Article, Rejection
from .settings import Config
from .store.database import Store
from .store.shards import MANIFEST, MergeReport, merge_shard_set, merge_shards, write_shard_set

Emit = Callable[[str, object], None]
_LOCAL = re.compile(r"local:(\d+)")
#: Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536 in their workers, which fixes glibc's mmap
#: threshold too: spaCy's many large short-lived arrays then cost 13-24 % more CPU (measured on BBC
#: news; docs/scale.md gives the same setting as a config file for `dask worker`).
WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


class ModelPlugin(WorkerPlugin):
    """Builds sitroom's pipeline when a worker starts (or joins later), once per process."""

    idempotent = True  # re-registering on a long-lived cluster keeps the loaded model

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.name = f"sitroom-nlp:{cfg.model}:{cfg.alias_file}"
        self.nlp: Language | None = None

    def setup(self, worker) -> None:
        self.nlp = build_nlp(self.cfg)


def parse_to_shards(articles: list[Article], cfg: Config, plugin: str, folder: str, name: str) -> dict:
    """The task: parse one batch with the worker's pipeline, write it as shard set ``name``."""
    nlp = get_worker().plugins[plugin].nlp or build_nlp(cfg)  # setup failed here: raise its error again
    return write_shard_set(Path(folder), name, list(analyse(nlp, articles, cfg)))


@contextmanager
def connect(address: str) -> Iterator[Client]:
    """A client for ``local:N`` (a private LocalCluster on 127.0.0.1) or ``tcp://HOST:PORT``."""
    local = _LOCAL.fullmatch(address)
    if local:
        n = int(local.group(1))
        if n < 1:
            raise UsageError("--dask local:N needs N >= 1 worker processes")
        with dask.config.set(WORKER_CONFIG), LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1", scheduler_port=0,
                dashboard_address=None, worker_dashboard_address=None) as cluster:
            with Client(cluster) as client:
                yield client
        return
    if not address.startswith("tcp://"):
        raise UsageError(f"--dask {address!r}: give local:N or tcp://HOST:PORT")
    try:
        client = Client(address, timeout="15s")
    except (OSError, TimeoutError) as exc:
        raise SitroomError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        yield client


def default_shards_dir(cfg: Config) -> Path:
    return Path(f"{cfg.db}.shards")


def ingest_dask(
    paths: list[str],
    cfg: Config,
    address: str,
    shards_dir: Path | None = None,
    force: bool = False,
    on_event: Emit | None = None,
    *,
    keep_shards: bool = False,
    link: bool = True,
    stdin: BinaryIO | None = None,
) -> IngestReport:
    """``pipeline.ingest`` with the parsing on Dask workers.  Events are those of ``ingest``,
    except that "new" carries the document id (the facts stay on the workers) and is emitted
    when the document's shard set is merged."""
    report = IngestReport()
    emit = on_event or (lambda kind, payload: None)
    folder = (shards_dir or default_shards_dir(cfg)).resolve()
    created = not folder.exists()
    work_cfg = dataclasses.replace(cfg, n_process=1)  # a worker is one process; Dask spreads the load
    run = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
    with Store(cfg.db) as store, connect(address) as client:
        folder.mkdir(parents=True, exist_ok=True)
        if not keep_shards:  # sets an interrupted run wrote but did not merge: store them, skip their articles
            leftover = merge_shards(store, folder, keep=False)
            if leftover.sets:
                report.messages.append(f"{leftover.sets} shard sets left by an earlier run merged "
                                       f"({leftover.documents} documents)")
        plugin = ModelPlugin(work_cfg)
        client.register_plugin(plugin)
        window = max(2, 2 * sum(client.nthreads().values()))
        pending_paths: list[tuple[str, str]] = []
        batches = enumerate(_fresh_batches(paths, cfg, store, report, emit, force=force, stdin=stdin,
                                           pending_paths=pending_paths))
        merger = _InOrder(store, folder, keep_shards, report, emit)
        running = as_completed()

        def submit_next() -> None:
            for seq, articles in itertools.islice(batches, 1):
                running.add(client.submit(parse_to_shards, articles, work_cfg, plugin.name, str(folder),
                                          f"{run}-{seq:06d}", key=f"sitroom-{run}-{seq:06d}"))

        for _ in range(window):
            submit_next()
        for future in running:
            merger.finished(future.result())
            submit_next()
        store.add_paths(pending_paths)
        report.messages.append(f"dask {address}: {merger.sets} shard sets merged from {folder}")
        if link and (report.new or not store.has_links()):
            from .link.run import link as run_link

            report.links = run_link(store, progress=lambda step: emit("linking", step))
    if created and not any(folder.iterdir()):
        folder.rmdir()
    return report


def merge(
    folders: list[Path], cfg: Config, *, keep: bool = True, link: bool = True, on_event: Emit | None = None
) -> MergeReport:
    """``sitroom merge``: load shard sets written elsewhere into ``cfg.db``, then link."""
    emit = on_event or (lambda kind, payload: None)
    with Store(cfg.db) as store:
        report = merge_shards(store, folders, keep=keep)
        if link and (report.documents or not store.has_links()):
            from .link.run import link as run_link

            report.links = run_link(store, progress=lambda step: emit("linking", step))
    return report


class _InOrder:
    """Merges shard sets in read order although tasks finish in any order."""

    def __init__(self, store: Store, folder: Path, keep: bool, report: IngestReport, emit: Emit,
                 wait: float = 30.0):
        self.store, self.folder, self.keep, self.report, self.emit = store, folder, keep, report, emit
        self.wait = wait  # a network filesystem may show another machine's new files seconds late
        self.done: dict[int, str] = {}
        self.sets = 0

    def finished(self, manifest: dict) -> None:
        name = manifest["name"]
        if not _appears(self.folder / name / MANIFEST, self.wait):
            raise StoreError(f"shard set {name} was written by a worker but is not visible at {self.folder}: "
                             "give a shard folder shared by this machine and the workers, or copy the "
                             "sets here and run `sitroom merge`")
        self.done[int(name.rsplit("-", 1)[1])] = name
        while self.sets in self.done:
            set_dir = self.folder / self.done.pop(self.sets)
            merged = merge_shard_set(self.store, set_dir)
            if not self.keep:
                shutil.rmtree(set_dir)
            self.sets += 1
            self.report.new += merged["documents"]
            self.report.words += merged["words"]
            for doc_id in merged["ids"]:
                self.emit("new", doc_id)


def _fresh_batches(paths: list[str], cfg: Config, store: Store, report: IngestReport, emit: Emit, *, force: bool,
                   stdin: BinaryIO | None, pending_paths: list[tuple[str, str]]) -> Iterator[list[Article]]:
    """Batches of articles that need parsing, as ``pipeline.ingest`` decides: rejections are
    stored, stored or repeated documents only have their path recorded."""
    seen: set[str] = set()

    def fresh() -> Iterator[Article]:
        items = read_paths(paths, max_bytes=cfg.max_article_bytes, stdin=stdin)
        for chunk in _chunks(items, cfg.batch_size):
            rejections = [x for x in chunk if isinstance(x, Rejection)]
            store.add_rejections(rejections)
            for r in rejections:
                report.rejected.append(r)
                emit("rejected", r)
            articles = [x for x in chunk if isinstance(x, Article)]
            ids = [document_id(a.text) for a in articles]
            stored = store.existing_ids(ids)
            for doc_id, art in zip(ids, articles):
                if doc_id in seen or (doc_id in stored and not force):
                    kind = "duplicate" if doc_id in seen else "unchanged"
                    if kind == "duplicate":
                        report.duplicate_paths += 1
                    else:
                        report.unchanged += 1
                    if art.path:
                        pending_paths.append((doc_id, art.path))
                    emit(kind, art)
                else:
                    yield art
                seen.add(doc_id)

    return _chunks(fresh(), cfg.batch_size)


def _appears(path: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not path.is_file():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)
    return True


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk
