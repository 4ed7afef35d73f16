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


def _column_by_id(store: Store, column: str, ids: set[str]) -> dict[str, object]:
    """documents.<column> for many ids in one query (ids joined as an Arrow table: a long list
    parameter is slow in DuckDB)."""
    if not ids:
        return {}
    import pyarrow as pa

    store.con.register("_ids", pa.table({"id": sorted(ids)}))
    try:
        rows = store.con.execute(f"SELECT d.id, d.{column} FROM documents d JOIN _ids USING (id)").fetchall()
    finally:
        store.con.unregister("_ids")
    return dict(rows)


def _texts(store: Store, ids: set[str]) -> dict[str, str]:
    return _column_by_id(store, "text", ids)


def claims(store: Store, subject: str | None = None, story: str | None = None, limit: int = 100,
           min_figures: int = 1) -> list[dict]:
    """Claims, widest disagreement first, each figure with its article's title and sentence."""
    from .export import claim_records

    rows = [c for c in claim_records(store) if len(c["figures"]) >= min_figures]
    if subject:
        rows = [c for c in rows if subject.lower() in (c["subject"] or "")]
    if story:
        docs = {r["id"] for r in store.query("SELECT id FROM documents WHERE story_id LIKE ? || '%'", [story])}
        rows = [c for c in rows if any(f["document_id"] in docs for f in c["figures"])]
    rows = rows[:limit]
    texts = _texts(store, {f["document_id"] for c in rows for f in c["figures"]})
    titles = _titles(store, set(texts))
    for c in rows:
        for f in c["figures"]:
            f["sentence"] = sentence_around(texts[f["document_id"]], f["start"], f["end"])
            f["title"] = titles.get(f["document_id"])
    return rows


def statements(store: Store, speaker: str | None = None, limit: int = 100, min_articles: int = 1) -> list[dict]:
    """Statements carried by the most articles first, each with every article that carried it."""
    from .export import statement_records

    rows = [s for s in statement_records(store) if len({q["document_id"] for q in s["quotes"]}) >= min_articles]
    if speaker:
        rows = [s for s in rows if speaker.lower() in (s["speaker"] or "").lower()]
    rows = rows[:limit]
    titles = _titles(store, {q["document_id"] for s in rows for q in s["quotes"]})
    for s in rows:
        for q in s["quotes"]:
            q["title"] = titles.get(q["document_id"])
    return rows


def _titles(store: Store, ids: set[str]) -> dict[str, str | None]:
    return _column_by_id(store, "title", ids)


_EVENT_DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"


def timeline(store: Store, story: str | None = None, since: str | None = None, limit: int = 1000) -> list[dict]:
    """Dated items in order: events (sentences with a resolved calendar date), statements and
    figures (dated by their article), each with its source and sentence.

    An event's date is the date the sentence names, not the article's publication date; the same
    sentence carried by several articles (wire copies) is listed once with all its sources."""
    doc_filter, params = "", []
    if story:
        doc_filter = " AND d.story_id LIKE ? || '%'"
        params.append(story)
    events = store.query(
        'SELECT x.value AS date, x.document_id, x.start, x."end", x.text, d.source, d.title, d.text AS doc_text '
        "FROM dates x JOIN documents d ON d.id = x.document_id "
        f"WHERE regexp_matches(x.value, '{_EVENT_DATE}'){doc_filter}", params)
    said = store.query(
        'SELECT d.published AS date, q.document_id, q.start, q."end", q.text, q.speaker, q.statement_id, '
        "d.source, d.title FROM quotes q JOIN documents d ON d.id = q.document_id "
        f"WHERE d.published IS NOT NULL{doc_filter}", params)
    counted = store.query(
        'SELECT d.published AS date, f.document_id, f.start, f."end", f.text, f.subject, f.claim_id, '
        "d.source, d.title, d.text AS doc_text FROM figures f JOIN documents d ON d.id = f.document_id "
        f"WHERE d.published IS NOT NULL{doc_filter}", params)
    items: dict[tuple, dict] = {}

    def add(key: tuple, item: dict, source: dict) -> None:
        entry = items.setdefault(key, {**item, "sources": []})
        entry["sources"].append({"document_id": source["document_id"], "source": source["source"],
                                 "title": source["title"], "start": source["start"], "end": source["end"]})

    first_date: dict[tuple, str] = {}
    for e in events:
        e["sentence"] = sentence_around(e.pop("doc_text"), e["start"], e["end"])
        key = (e["document_id"], e["sentence"])
        first_date[key] = min(first_date.get(key, e["date"]), e["date"])
    for e in events:
        sentence = e.pop("sentence")
        if e["date"] != first_date[(e["document_id"], sentence)]:
            continue  # "between 2013 and 2015": listed once, at its first date
        add(("event", e["date"], sentence), {"date": e["date"], "kind": "event", "text": sentence,
                                            "fact": e["text"]}, e)
    for q in said:
        key = ("statement", q["statement_id"] or f"{q['document_id']}:{q['start']}")
        item = {"date": q["date"], "kind": "statement", "text": q["text"], "speaker": q["speaker"],
                "statement_id": q["statement_id"]}
        if key in items and q["date"] < items[key]["date"]:
            items[key]["date"] = q["date"]
        add(key, item, q)
    for f in counted:
        sentence = sentence_around(f.pop("doc_text"), f["start"], f["end"])
        add(("figure", f["date"], sentence), {"date": f["date"], "kind": "figure", "text": sentence,
                                             "fact": f["text"], "subject": f["subject"],
                                             "claim_id": f["claim_id"]}, f)
    out = sorted(items.values(), key=lambda i: (i["date"], {"event": 0, "statement": 1, "figure": 2}[i["kind"]],
                                                i["text"]))
    if since:
        out = [i for i in out if i["date"] >= since]
    return out[:limit]
