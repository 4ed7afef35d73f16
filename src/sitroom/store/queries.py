"""Read-side queries shared by the CLI, the briefing and the web app."""

from __future__ import annotations

import re

from .database import Store

_SENT_END = re.compile(r"[.!?][\"'”’»)]*\s+|\n")


def sentence_around(text: str, start: int, end: int, limit: int = 600) -> str:
    """The sentence(s) containing text[start:end]: the evidence shown next to a fact."""
    lo = max(0, start - limit)
    left = lo
    for m in _SENT_END.finditer(text, lo, start):
        left = m.end()
    m = _SENT_END.search(text, end, min(len(text), end + limit))
    right = m.start() + 1 if m else min(len(text), end + limit)
    return " ".join(text[left:right].split())


def _facts_with_evidence(store: Store, table: str, column: str, needle: str | None, limit: int) -> list[dict]:
    """Rows of a fact table joined to their article, each with the sentence it came from."""
    sql = (f"SELECT f.*, d.title, d.source, d.published, d.text AS doc_text FROM {table} f "
           "JOIN documents d ON d.id = f.document_id")
    params: list = []
    if needle:
        sql += f" WHERE f.{column} ILIKE '%' || ? || '%'"
        params.append(needle)
    sql += " ORDER BY d.published NULLS LAST, f.document_id, f.start LIMIT ?"
    params.append(limit)
    rows = store.query(sql, params)
    for r in rows:
        r["sentence"] = sentence_around(r.pop("doc_text"), r["start"], r["end"])
    return rows


def figures(store: Store, subject: str | None = None, limit: int = 500) -> list[dict]:
    return _facts_with_evidence(store, "figures", "subject", subject, limit)


def quotes(store: Store, speaker: str | None = None, limit: int = 500) -> list[dict]:
    return _facts_with_evidence(store, "quotes", "speaker", speaker, limit)
