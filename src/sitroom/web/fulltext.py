"""Full-text search: BM25 over the snapshot's index, with filters, and snippets around the first
match.  Query words are tokenised, stemmed and stop-worded by the index's own functions; every
remaining word must occur (a conjunction), as an analyst narrowing a search expects."""

from __future__ import annotations

import re
from typing import Any

from .reads import Page, doc_texts, paged
from .snapshot import Reader

_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(q: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(q or "")][:20]


def term_pattern(terms: list[str]) -> re.Pattern | None:
    """Words that start like a query term (the index stems, so "fighters" finds "fighter")."""
    stems = sorted({t[: max(4, len(t) - 3)] if len(t) > 5 else t for t in terms if len(t) > 1}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)


def snippet(text: str, pattern: re.Pattern | None, width: int = 260) -> str:
    """A window of ``text`` around the first match (or its start), cut at word boundaries."""
    m = pattern.search(text) if pattern else None
    centre = m.start() if m else 0
    lo = max(0, centre - width // 3)
    hi = min(len(text), lo + width)
    if lo > 0:
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < centre else lo
    if hi < len(text):
        space = text.rfind(" ", lo, hi)
        hi = space if space > centre else hi
    body = " ".join(text[lo:hi].split())
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


#: Okapi BM25 (k1 = 1.2, b = 0.75) over title and text of the documents holding every query word,
#: as DuckDB's ``match_bm25(..., conjunctive := 1)`` computes it, but from the per-snapshot table
#: ``w_tf`` and without its traps: stop words and number-only words in the query are ignored
#: instead of making the conjunction unsatisfiable.
BM25 = """
WITH tokens AS (SELECT DISTINCT stem(t, 'english') AS t FROM (SELECT unnest(fts_main_documents.tokenize(?)) AS t)
                WHERE t <> '' AND t NOT IN (SELECT sw FROM fts_main_documents.stopwords)),
q AS (SELECT d.termid, d.df FROM fts_main_documents.dict d JOIN tokens ON d.term = tokens.t),
tf AS (SELECT w.docid, w.termid, w.tf, q.df FROM w_tf w JOIN q ON w.termid = q.termid),
hits AS (SELECT docid FROM tf GROUP BY docid HAVING count(*) = (SELECT count(*) FROM tokens)),
st AS (SELECT num_docs, avgdl FROM fts_main_documents.stats)
SELECT docs.name AS id, sum(log((st.num_docs - tf.df + 0.5) / (tf.df + 0.5) + 1)
       * (tf.tf * 2.2 / (tf.tf + 1.2 * (0.25 + 0.75 * docs.len / st.avgdl)))) AS score
FROM tf JOIN hits ON hits.docid = tf.docid JOIN fts_main_documents.docs docs ON docs.docid = tf.docid, st
GROUP BY docs.name
"""


def search(r: Reader, *, q: str = "", source: str | None = None, date_from: str | None = None,
           date_to: str | None = None, entity_id: str | None = None, place_id: str | None = None,
           story_id: str | None = None, limit: int = 20, offset: int = 0) -> Page:
    """Documents matching the query words (BM25 over title and text, all words required) and the
    filters; newest first when there is no query."""
    terms = query_terms(q)
    params: list[Any] = []
    where: list[str] = []
    source_table = "documents d"
    score = "NULL::DOUBLE"
    if terms and r.snapshot.fts:
        source_table = f"documents d JOIN ({BM25}) s ON s.id = d.id"
        score = "s.score"
        params.append(" ".join(terms))
    elif terms:  # no full-text extension: every word as a case-insensitive substring
        for t in terms:
            where.append("(contains(lower(d.title), ?) OR contains(lower(d.text), ?))")
            params += [t, t]
    if source:
        where.append("d.source = ?")
        params.append(source)
    if date_from:
        where.append("d.published IS NOT NULL AND left(d.published, 10) >= ?")
        params.append(date_from)
    if date_to:
        where.append("d.published IS NOT NULL AND left(d.published, 10) <= ?")
        params.append(date_to)
    if entity_id:
        where.append("d.id IN (SELECT document_id FROM w_entity_docs WHERE entity_id = ?)")
        params.append(entity_id)
    if place_id:
        where.append("d.id IN (SELECT document_id FROM place_mentions WHERE place_id = ?)")
        params.append(place_id)
    if story_id:
        where.append("d.story_id = ?")
        params.append(story_id)
    sql = (f"SELECT d.id, d.title, d.source, d.author, d.published, d.story_id, {score} AS score "
           f"FROM {source_table}{' WHERE ' + ' AND '.join(where) if where else ''}")
    total, rows = paged(r, sql, "score DESC NULLS LAST, published DESC NULLS LAST, id", params, limit, offset)
    texts = doc_texts(r, [row["id"] for row in rows])
    pattern = term_pattern(terms)
    for row in rows:
        row["snippet"] = snippet(texts.get(row["id"], ""), pattern)
    return total, rows
