"""Assembling a briefing: every section in reading order, citations numbered as they appear."""

from __future__ import annotations

from datetime import datetime, timezone

from ..errors import UsageError
from ..store.database import Store
from .mapview import _map
from .model import Brief, Citations, EventRow, FigureRow, Ref
from .sections import MAX_CARRIERS, _actors, _claims, _events, _places, _scope, _statements, _stories
from .text import amount, day, span
from .timeline import _timeline


def _rank(ev: EventRow) -> tuple:
    """Events the briefing lists first: reported by more articles, then happenings (an attack, an
    arrest) before words (a demand), then those with counts; ties keep ``_events``' order, newest
    first."""
    return (-ev.reports, not ev.material, not ev.counts)


def _list_events(events: list[EventRow], cite: Citations, top: int) -> list[EventRow]:
    """The ``top`` events by ``_rank``, in date order, each citing its reports (the counts where
    the reports disagree cite each report's figure)."""
    shown = sorted(events, key=_rank)[:top]
    shown.sort(key=lambda ev: (ev.day or "9999", ev.id))
    for ev in shown:
        ev.shown = True
        per_doc = list({t[1]: t for t in ev.triggers}.values())
        ev.refs = [(source, cite.cite(doc, start, end)) for source, doc, start, end in per_doc[:MAX_CARRIERS]]
        ev.more = len(per_doc) - len(ev.refs)
        for c in ev.counts:
            lows = [f.get("low") if f.get("low") is not None else f.get("value") for f in c.raw]
            highs = [f.get("high") if f.get("high") is not None else f.get("value") for f in c.raw]
            lo = min((x for x in lows if x is not None), default=None)
            hi = max((x for x in highs if x is not None), default=None)
            c.figures = [FigureRow(f["text"], amount(a, b, None), f["source"], day(f["published"]),
                                   cite.cite(f["document_id"], f["start"], f["end"]), a == lo or b == hi)
                         for f, a, b in sorted(zip(c.raw, lows, highs), key=lambda t: (t[1] is None, t[1] or 0))]
    return shown


def _glance(b: Brief) -> list[tuple[str, list[Ref]]]:
    """Five sentences for whoever reads nothing else, each citing the rows it summarises."""
    out = []
    if b.stories:
        s = b.stories[0]
        out.append((f"Largest story: “{s.title}” — {s.articles} articles from {s.sources} sources, "
                    f"{span(s.first, s.last)}.", s.refs[:1]))
    if b.events:
        ev = sorted(b.events, key=_rank)[0]
        when = span(ev.date, ev.date_end) if ev.date else day(ev.day)
        out.append((f"Most reported event: {ev.summary}, {when}; {ev.reports} report{'s' if ev.reports != 1 else ''} "
                    f"from {ev.sources} source{'s' if ev.sources != 1 else ''}.", [r for _, r in ev.refs[:1]]))
    if b.statements and b.statements[0].articles > 1:
        s = b.statements[0]
        flags = f" (flagged: {', '.join(s.flags)})" if s.flags else ""
        out.append((f"Most repeated statement: {s.speaker}, carried by {s.articles} articles{flags}.",
                    [c.ref for c in s.carriers[:1]]))
    disputed = [c for c in b.claims if not c.agree]
    if disputed:
        c = disputed[0]
        out.append((f"Widest disagreement: {c.subject}, {c.range} across {c.sources} sources.",
                    [f.ref for f in (c.figures[0], c.figures[-1])]))
    if b.places:
        p = b.places[0]
        out.append((f"Most mentioned place: {p.name} ({p.mentions} mentions in {p.articles} articles).", [p.ref]))
    return out


def build_brief(store: Store, *, story: str | None = None, since: str | None = None, top: int = 10) -> Brief:
    """Everything the briefing shows, with citations numbered in reading order."""
    if top < 1:
        raise UsageError("--top must be at least 1")
    scope = _scope(store, story, since)
    brief = Brief(scope, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), store.has_links())
    if not scope.documents:
        return brief
    cite = Citations()
    brief.stories = _stories(store, scope, cite, top)
    events = _events(store, scope)
    brief.events, brief.events_total = _list_events(events, cite, top), len(events)
    brief.actors = _actors(store, scope, cite, top)
    brief.statements = _statements(store, scope, cite, top)
    brief.claims, brief.claims_total = _claims(store, scope, cite, top)
    places = _places(store, scope)
    brief.map = _map(places, events)
    brief.places = places[:max(top, 15)]
    for place in (brief.map.places() if brief.map else []) + brief.places:
        place.ref = place.ref or cite.cite(*place.first)
    for marker in brief.map.events if brief.map else []:
        ev = marker["event"]
        if not ev.shown and ev.map_ref is None:
            ev.map_ref = cite.cite(*ev.first)
    brief.timeline, brief.timeline_total, brief.chart = _timeline(store, scope, cite, 4 * top, events)
    brief.glance = _glance(brief)
    brief.sources = cite.resolve(store, scope.documents)
    return brief
