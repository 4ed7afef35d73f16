"""The ingest job: read -> identify -> parse (spaCy + our stages) -> store in batches.

Everything streams: readers yield one article at a time, ``nlp.pipe`` parses in batches (in
``n_process`` worker processes when asked), and the store writes one transaction per batch, so
memory does not grow with the corpus and a crash loses at most the batch in flight.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .nlp import load_model
from .read import read_paths
from .schema import Alias, Article, DateRef, DocumentFacts, Event, Figure, Mention, Quote, Rejection, Role
from .settings import Config
from .stages import REGISTERED, anchor_of, register  # noqa: F401 (anchor_of: former home)
from .stages.places import Demonym, Place, source_country_of
from .store.database import Store

_WS = re.compile(r"\s+")


def document_id(text: str) -> str:
    """Content hash of the normalised text: the same article read from two paths, or with other
    line breaks or Unicode forms, gets the same id."""
    norm = _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def build_nlp(cfg: Config) -> Language:
    """The spaCy model with sitroom's stages appended (loaded once per model and alias file)."""
    return _build_nlp(cfg.model, cfg.alias_file)


@functools.lru_cache(maxsize=4)
def _build_nlp(model: str, alias_file: str) -> Language:
    register()
    # A private copy: the cached bare model (load_model) stays without our stages.
    nlp = load_model.__wrapped__(model)
    for factory in REGISTERED:
        pipe_name = factory.rsplit("_", 1)[0]  # "sitroom_entities_v1" -> "sitroom_entities"
        config = {"alias_file": alias_file} if factory == "sitroom_entities_v1" else {}
        nlp.add_pipe(factory, name=pipe_name, config=config)
    return nlp


def make_doc(nlp: Language, article: Article) -> Doc:
    doc = nlp.make_doc(article.text)
    doc.user_data["sitroom_anchor"] = (article.published or "")[:10] or None
    doc.user_data["sitroom_source"] = article.source
    doc.user_data["sitroom_source_country"] = source_country_of(article.url)
    return doc


def facts_from_doc(doc: Doc, article: Article, doc_id: str, paths: list[str]) -> DocumentFacts:
    """Turn the stages' plain payloads (serialisable across processes) into DocumentFacts."""
    out = doc._.sitroom or {}
    ents = out.get("entities", {})
    return DocumentFacts(
        doc_id=doc_id,
        article=article,
        paths=paths,
        word_count=len(article.text.split()),
        mentions=[Mention(**m) for m in ents.get("mentions", [])],
        entity_names={k: tuple(v) for k, v in ents.get("names", {}).items()},
        aliases=[Alias(**a) for a in ents.get("aliases", [])],
        roles=[Role(**r) for r in ents.get("roles", [])],
        dates=[DateRef(**d) for d in out.get("dates", [])],
        quotes=[Quote(**q) for q in out.get("quotes", [])],
        figures=[Figure(**f) for f in out.get("figures", [])],
        places=[Place(**p) for p in out.get("places", [])],
        demonyms=[Demonym(**d) for d in out.get("demonyms", [])],
        events=[Event(**e) for e in out.get("events", [])],
    )


def as_payload(items: Iterable[object]) -> list[dict]:
    return [dataclasses.asdict(x) for x in items]


@dataclass
class IngestReport:
    new: int = 0
    unchanged: int = 0
    duplicate_paths: int = 0  # same article under another path (stored once, path recorded)
    rejected: list[Rejection] = field(default_factory=list)
    words: int = 0
    messages: list[str] = field(default_factory=list)
    links: dict | None = None  # counts from the cross-document pass, when it ran

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


def analyse(nlp: Language, articles: Iterable[Article], cfg: Config) -> Iterator[DocumentFacts]:
    """Parse articles and run the stages; no database involved (used by ingest, eval and Dask)."""
    pairs = ((make_doc(nlp, a), a) for a in articles)
    for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=cfg.batch_size, n_process=cfg.n_process):
        paths = [article.path] if article.path else []
        yield facts_from_doc(doc, article, document_id(article.text), paths)


def ingest(
    paths: list[str],
    cfg: Config,
    *,
    force: bool = False,
    stdin=None,
    on_event: Callable[[str, object], None] | None = None,
    link: bool = True,
) -> IngestReport:
    """Read ``paths`` into the store at ``cfg.db``, then (with ``link``) re-run the cross-document
    pass when anything changed.  ``on_event(kind, payload)`` reports progress: kinds are "new",
    "unchanged", "duplicate", "rejected" and "linking" (payload: the step's name)."""
    report = IngestReport()
    emit = on_event or (lambda kind, payload: None)
    nlp = build_nlp(cfg)
    with Store(cfg.db) as store:
        pending_paths: list[tuple[str, str]] = []
        seen: set[str] = set()

        def fresh_articles() -> Iterator[Article]:
            """Articles that need parsing; known ones only have their path recorded."""
            items = read_paths(paths, max_bytes=cfg.max_article_bytes, stdin=stdin)
            for chunk in _chunks(items, cfg.batch_size):
                rejections = [x for x in chunk if isinstance(x, Rejection)]
                if rejections:
                    store.add_rejections(rejections)
                    for r in rejections:
                        report.rejected.append(r)
                        emit("rejected", r)
                articles = [x for x in chunk if isinstance(x, Article)]
                ids = [document_id(a.text) for a in articles]
                stored = store.existing_ids(ids)
                for doc_id, art in zip(ids, articles):
                    if doc_id in seen:
                        report.duplicate_paths += 1
                        if art.path:
                            pending_paths.append((doc_id, art.path))
                        emit("duplicate", art)
                    elif doc_id in stored and not force:
                        seen.add(doc_id)
                        report.unchanged += 1
                        if art.path:
                            pending_paths.append((doc_id, art.path))
                        emit("unchanged", art)
                    else:
                        seen.add(doc_id)
                        yield art

        batch: list[DocumentFacts] = []
        for facts in analyse(nlp, fresh_articles(), cfg):
            batch.append(facts)
            report.new += 1
            report.words += facts.word_count
            emit("new", facts)
            if len(batch) >= cfg.batch_size:
                store.write_batch(batch)
                batch = []
        store.write_batch(batch)
        store.add_paths(pending_paths)
        if link and (report.new or not store.has_links()):
            from .link.run import link as run_link

            report.links = run_link(store, progress=lambda step: emit("linking", step))
    return report


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk
