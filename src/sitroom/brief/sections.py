"""The scope and the tabular sections: stories, actors, statements, claims, events, places."""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict

from ..errors import NotFound, UsageError
from ..link.claims import effective_range
from ..store.database import Store
from ..store.export import claim_records, entity_records, spread, statement_records
from .model import (Actor, Carrier, Citations, ClaimRow, EventCount, EventRow, FigureRow, PlaceRow, Scope,
                    StatementRow, StoryRow)
from .text import amount, day

ACTOR_LABELS = ("PERSON", "ORG")
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
#: Citations shown per row at most (a wire story can be carried by thousands of articles).
MAX_CARRIERS, MAX_FIGURES = 8, 12


def resolve_story(store: Store, story: str) -> dict:
    """A story by id or unique id prefix (``NotFound`` / ``UsageError`` otherwise)."""
    rows = store.query("SELECT id, title, first_published, last_published FROM stories "
                       "WHERE starts_with(id, ?) ORDER BY id", [story.strip()])
    if not rows:
        raise NotFound(f"no story with id {story!r}: see `sitroom stories`")
    exact = [r for r in rows if r["id"] == story.strip()]
    if len(rows) > 1 and not exact:
        raise UsageError(f"story prefix {story!r} is ambiguous: {', '.join(r['id'] for r in rows[:5])}")
    return (exact or rows)[0]


def _scope(store: Store, story: str | None, since: str | None) -> Scope:
    if since is not None and not _ISO.match(since.strip()):
        raise UsageError(f"--since {since!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    since = since.strip() if since else None
    story_row = resolve_story(store, story) if story else None
    scope = Scope(f"Situation briefing: {story_row['title']}" if story_row else "Situation briefing",
                  story_id=story_row["id"] if story_row else None, since=since)
    ids, params = scope.ids_sql()
    rows = store.query("SELECT id, title, source, published, url, story_id FROM documents "
                       f"WHERE id IN ({ids}) ORDER BY published NULLS LAST, id", params)
    scope.documents = {r["id"]: r for r in rows}
    dated = sorted(r["published"] for r in rows if r["published"])
    scope.first, scope.last = (dated[0], dated[-1]) if dated else (None, None)
    scope.sources = len({r["source"] for r in rows if r["source"]})
    parts = [f"story {story_row['id']}"] if story_row else []
    if since:
        parts.append(f"articles published since {day(since)}")
    scope.description = ", ".join(parts) if parts else "every article in the database"
    return scope


# -- sections ----------------------------------------------------------------------------------

def _stories(store: Store, scope: Scope, cite: Citations, top: int) -> list[StoryRow]:
    members: dict[str, list[dict]] = defaultdict(list)
    for d in scope.documents.values():
        if d["story_id"]:
            members[d["story_id"]].append(d)
    titles = {r["id"]: r["title"] for r in store.query("SELECT id, title FROM stories")}
    rows = []
    for sid, docs in members.items():
        dated = sorted(d["published"] for d in docs if d["published"])
        rows.append(StoryRow(sid, titles.get(sid) or docs[0]["title"] or "(untitled)",
                             dated[0] if dated else "", dated[-1] if dated else "", len(docs),
                             len({d["source"] for d in docs if d["source"]}), []))
    rows.sort(key=lambda r: (r.last, r.id), reverse=True)  # most recent first among equals
    rows.sort(key=lambda r: -r.articles)
    for r in rows[:top]:  # each story cites the lead sentences of its first three articles
        r.refs = [cite.cite(d["id"], 0, 0) for d in members[r.id][:3]]
    return rows[:top]


def _first_by_doc(scope: Scope, rows: list[dict]) -> dict:
    """The row from the earliest-published document (then earliest offset)."""
    return min(rows, key=lambda r: (scope.documents[r["document_id"]]["published"] or "9999",
                                    r["document_id"], r["start"]))


def _actors(store: Store, scope: Scope, cite: Citations, top: int) -> list[Actor]:
    """PERSON and ORG entities by the number of in-scope articles naming them, with roles."""
    ids, params = scope.ids_sql()
    mentions: dict[str, list[dict]] = defaultdict(list)
    for r in store.query(
            'SELECT coalesce(l.canonical_id, m.entity_id) AS id, m.document_id, min(m.start) AS start, '
            'arg_min(m."end", m.start) AS "end" FROM mentions m '
            "LEFT JOIN entity_links l ON l.entity_id = m.entity_id "
            f"WHERE m.document_id IN ({ids}) GROUP BY ALL", params):
        mentions[r["id"]].append(r)
    ranked = sorted((e for e in entity_records(store) if e["label"] in ACTOR_LABELS and e["id"] in mentions),
                    key=lambda e: (-len(mentions[e["id"]]), ACTOR_LABELS.index(e["label"]), e["name"]))
    out = []
    for e in ranked[:top]:
        first = _first_by_doc(scope, mentions[e["id"]])
        ref = cite.cite(first["document_id"], first["start"], first["end"])
        roles: dict[str, tuple[str, dict]] = {}
        for r in sorted((r for r in e["roles"] if r["document_id"] in scope.documents),
                        key=lambda r: (scope.documents[r["document_id"]]["published"] or "9999", r["start"])):
            role = " ".join(r["role"].split())
            roles.setdefault(role.lower(), (role, r))
        out.append(Actor(e["name"], e["label"], e["aliases"][:4], len(mentions[e["id"]]),
                         [(role, cite.cite(r["document_id"], r["start"], r["end"]))
                          for role, r in list(roles.values())[:3]], ref))
    return out


def _statements(store: Store, scope: Scope, cite: Citations, top: int) -> list[StatementRow]:
    """Statements carried by the most in-scope articles; ties go to flagged, attributed ones."""
    ranked = []
    for s in statement_records(store):
        quotes = [q for q in s["quotes"] if q["document_id"] in scope.documents]
        if quotes:
            ranked.append((len({q["document_id"] for q in quotes}), bool(s["flags"]), bool(s["speaker"]), s, quotes))
    ranked.sort(key=lambda t: (-t[0], not t[1], not t[2], t[3]["id"]))
    out = []
    for articles, _, _, s, quotes in ranked[:top]:
        per_doc: dict[str, dict] = {}
        for q in quotes:
            per_doc.setdefault(q["document_id"], q)
        listed = list(per_doc.values())[:MAX_CARRIERS]
        dated = sorted(q["published"] for q in quotes if q["published"])
        out.append(StatementRow(
            s["speaker"] or "(unattributed)", s["text"], articles,
            sorted({q["outlet"] for q in quotes if q["outlet"]}),
            dated[0] if dated else "", dated[-1] if dated else "", s["flags"],
            [Carrier(q["source"] or "unknown source", day(q["published"]), q["outlet"] or "",
                     cite.cite(q["document_id"], q["start"], q["end"])) for q in listed],
            len(per_doc) - len(listed)))
    return out


def _claims(store: Store, scope: Scope, cite: Citations, top: int) -> tuple[list[ClaimRow], int]:
    """Claims with figures from at least two in-scope articles, widest disagreement first.

    When the scope drops some of a claim's figures, its range, source count and agreement are
    recomputed from the figures shown, with the link pass's own rule (``effective_range``)."""
    ids, params = scope.ids_sql()
    qualifiers = {(r["document_id"], r["start"]): r for r in store.query(
        "SELECT document_id, start, qualifier, value FROM figures WHERE claim_id IS NOT NULL "
        f"AND document_id IN ({ids})", params)}
    candidates = []
    for c in claim_records(store):
        figs = [f for f in c["figures"] if f["document_id"] in scope.documents]
        if len({f["document_id"] for f in figs}) < 2:
            continue
        if len(figs) != len(c["figures"]):
            ranges = [effective_range({**f, **qualifiers.get((f["document_id"], f["start"]), {})}) for f in figs]
            lows = [f["low"] for f in figs if f["low"] is not None]
            highs = [f["high"] for f in figs if f["high"] is not None]
            c = {**c, "low": min(lows, default=None), "high": max(highs, default=None),
                 "sources": len({f["source"] or f["document_id"] for f in figs}),
                 "agree": max(r[0] for r in ranges) <= min(r[1] for r in ranges)}
        candidates.append((c, figs))
    candidates.sort(key=lambda t: (t[0]["agree"], -spread(t[0]["low"], t[0]["high"]), -len(t[1]), t[0]["id"]))
    out = []
    for c, figs in candidates[:top]:
        figs = sorted(figs, key=lambda f: (f["low"] if f["low"] is not None else math.inf, f["high"] or 0,
                                           f["published"] or "9999"))
        listed = _spread_out(figs, MAX_FIGURES)
        rows = [FigureRow(f["text"], amount(f["low"], f["high"], c["unit"]), f["source"] or "unknown source",
                          day(f["published"]), cite.cite(f["document_id"], f["start"], f["end"]),
                          f["low"] == c["low"] or f["high"] == c["high"]) for f in listed]
        out.append(ClaimRow(c["subject"] or c["kind"] or "(unspecified)", c["kind"] or "",
                            amount(c["low"], c["high"], c["unit"]), c["sources"], bool(c["agree"]),
                            rows, _range_bar(figs, c["agree"]), len(figs) - len(listed)))
    return out, len(candidates)


def _spread_out(rows: list, n: int) -> list:
    """At most ``n`` of ``rows`` (sorted by value), evenly spaced, the first and last kept."""
    if len(rows) <= n:
        return rows
    return [rows[round(i * (len(rows) - 1) / (n - 1))] for i in range(n)]


def _range_bar(figs: list[dict], agree: bool, width: int = 160) -> list[dict]:
    """Marks for a small dot plot of a claim's figures on one linear axis."""
    values = [(f["low"], f["high"]) for f in figs if f["low"] is not None and f["high"] is not None]
    if not values:
        return []
    lo, hi = min(v[0] for v in values), max(v[1] for v in values)
    pad = (hi - lo) * 0.08 or max(abs(lo) * 0.1, 1.0)
    x = lambda v: round(6 + (v - lo + pad) / (hi - lo + 2 * pad) * (width - 12), 1)  # noqa: E731
    marks = []
    for (a, b), n in Counter(values).items():
        marks.append({"x1": x(a), "x2": x(b), "r": min(3 + 1.2 * (n - 1), 7), "n": n,
                      "cls": "agree" if agree else "disagree"})
    return marks


#: The counts an event can carry, in the order shown, with their label.
EVENT_COUNTS = (("dead", "dead"), ("injured", "injured"), ("arrested", "arrested"), ("size", "in the crowd"))
_MATERIAL = ("material cooperation", "material conflict")


def _events(store: Store, scope: Scope) -> list[EventRow]:
    """Every cross-document event some in-scope article reports, newest first (as ``sitroom
    events`` lists them).  When the scope drops some of an event's reports, its dates, counts and
    agreement are recomputed from the reports that remain, with the link pass's rule
    (``effective_range``); otherwise they are the link pass's own."""
    from ..stages.events import load_lexicon
    from ..store.events import _sort_key, date_span

    ids, params = scope.ids_sql()
    reports: dict[str, list[dict]] = defaultdict(list)
    for r in store.query(
            'SELECT m.event_id, m.id, m.document_id, m.start, m."end", m.sentence_start, m.sentence_end, m.date, '
            "m.date_source, m.magnitudes, d.source, d.published FROM event_mentions m "
            "JOIN documents d ON d.id = m.document_id "
            f"WHERE m.event_id IS NOT NULL AND m.document_id IN ({ids}) "
            'ORDER BY m.event_id, d.published IS NULL, d.published, m.document_id, m.start, m."end"', params):
        r["magnitudes"] = json.loads(r["magnitudes"]) if r["magnitudes"] else []
        reports[r["event_id"]].append(r)
    if not reports:
        return []
    events = store.query("SELECT e.*, p.name AS place_name, p.lat, p.lon FROM events e "
                         "LEFT JOIN places p ON p.id = e.place_id WHERE e.id IN (SELECT unnest(?))", [sorted(reports)])
    names = {r["id"]: r["name"] for r in store.query(
        "SELECT id, name FROM entities WHERE id IN (SELECT unnest(?))",
        [sorted({e[k] for e in events for k in ("source_entity_id", "target_entity_id") if e[k]})])}
    quads = {t: v.get("quad") for t, v in load_lexicon().vocabulary["plover_types"].items()}
    out = []
    for e in events:
        reps = reports[e["id"]]
        whole = len(reps) == e["reports"]
        counts = []
        for kind, label in EVENT_COUNTS:
            figs = [{**m, "document_id": r["document_id"], "source": r["source"] or "unknown source",
                     "published": r["published"]} for r in reps for m in r["magnitudes"] if m["kind"] == kind]
            if not figs:
                continue
            lows = [f["low"] if f.get("low") is not None else f.get("value") for f in figs]
            highs = [f["high"] if f.get("high") is not None else f.get("value") for f in figs]
            lo = min((x for x in lows if x is not None), default=None)
            hi = max((x for x in highs if x is not None), default=None)
            if whole and (e[f"{kind}_low"] is not None or e[f"{kind}_high"] is not None):
                lo, hi = e[f"{kind}_low"], e[f"{kind}_high"]
            ranges = [effective_range(f) for f in figs]
            agree = max(x[0] for x in ranges) <= min(x[1] for x in ranges)
            counts.append(EventCount(label, amount(lo, hi, None), agree, raw=[] if agree else figs))
        dated = sorted((date_span(r["date"])[0], r["date"]) for r in reps
                       if r["date_source"] == "text" and date_span(r["date"])[0])
        first_date, last_date = (dated[0][1], dated[-1][1]) if dated else ("", "")
        if whole:
            first_date, last_date = e["date_start"] or "", e["date_end"] or ""
        plover = " / ".join(x for x in (e["plover_type"], e["plover_mode"]) if x)
        acled = " › ".join(x for x in (e["acled_event_type"], e["acled_sub_event_type"]) if x) \
            if e["acled_sub_event_type"] else ""
        who = {side: names.get(e[f"{side}_entity_id"]) or e[f"{side}_actor"] or "" for side in ("source", "target")}
        out.append(EventRow(
            e["id"], _sort_key({"date_start": first_date}, reps) or "", first_date, last_date, plover, acled,
            e["acled_sub_event_type"] or plover, quads.get(e["plover_type"]) in _MATERIAL, who["source"],
            who["target"], e["place_name"] or "", e["country_code"] or "", e["lat"], e["lon"], counts,
            all(c.agree for c in counts), len(reps), len({r["source"] or r["document_id"] for r in reps}),
            (reps[0]["document_id"], reps[0]["start"], reps[0]["end"]),
            [(r["source"] or "unknown source", r["document_id"], r["start"], r["end"]) for r in reps],
            [(r["document_id"], r["sentence_start"], r["sentence_end"]) for r in reps]))
    out.sort(key=lambda ev: ev.id)
    out.sort(key=lambda ev: ev.day, reverse=True)
    return out


def _places(store: Store, scope: Scope) -> list[PlaceRow]:
    """Places of the scope, most mentioned first, each with its earliest mention."""
    ids, params = scope.ids_sql()
    rows = store.query(
        "SELECT p.id, p.name, p.country_code, p.lat, p.lon, p.feature, count(*) AS mentions, "
        "count(DISTINCT m.document_id) AS articles, "
        'arg_min(struct_pack(d := m.document_id, s := m.start, e := m."end"), '
        "coalesce(d.published, '9999') || m.document_id || lpad(m.start::VARCHAR, 10, '0')) AS first "
        "FROM place_mentions m JOIN places p ON p.id = m.place_id JOIN documents d ON d.id = m.document_id "
        f"WHERE m.document_id IN ({ids}) GROUP BY ALL ORDER BY mentions DESC, articles DESC, p.name", params)
    return [PlaceRow(r["name"], r["country_code"] or "", r["feature"], r["mentions"], r["articles"],
                     (r["first"]["d"], r["first"]["s"], r["first"]["e"]), r["lat"], r["lon"]) for r in rows]
