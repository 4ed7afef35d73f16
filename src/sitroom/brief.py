"""The briefing: a situation picture a decision maker can read in five minutes, offline.

``write_brief`` writes one self-contained HTML file (CSS and SVG inlined, no script, no URL that
a browser would fetch, print-ready on A4) or its Markdown twin.  Both are rendered from one
``Brief`` built here from the store's read-side records (``store.export``, ``store.queries``),
restricted to a *scope*: the whole store, one story, and/or articles published since a date.

Every item cites the sentence it came from.  Citations are numbered in reading order and collected
in a "Sources" appendix (``#src-<document>-<start>``), where each sentence is shown with the
fact highlighted, so the file stays useful when it is printed, mailed or opened with no network.
Article text is untrusted: the HTML template autoescapes, the Markdown environment escapes every
value it prints (``_md_escape``), and a Content-Security-Policy meta tag forbids scripts and
fetches should anything slip through.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import jinja2

from .errors import NotFound, UsageError
from .geo.basemap import svg_paths
from .link.claims import effective_range
from .store.database import Store
from .store.export import claim_records, entity_records, spread, statement_records
from .store.queries import sentence_around, timeline

TEMPLATES = Path(__file__).with_name("brief_templates")
KIND_ORDER = ("event", "statement", "figure")
ACTOR_LABELS = ("PERSON", "ORG")
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_CURRENCY = {"EUR": "€", "USD": "$", "GBP": "£"}
#: Citations shown per row at most (a wire story can be carried by thousands of articles).
MAX_CARRIERS, MAX_FIGURES, MAX_ITEM_SOURCES = 8, 12, 4


# -- the data model ------------------------------------------------------------------------

@dataclass(frozen=True)
class Ref:
    """A numbered citation of one source sentence."""
    n: int
    anchor: str


@dataclass
class Source:
    """One entry of the Sources appendix: a sentence split around the fact it supports."""
    ref: Ref
    document_id: str
    start: int
    end: int
    before: str = ""
    fact: str = ""
    after: str = ""
    title: str = ""
    source: str = ""
    published: str = ""
    url: str = ""


class Citations:
    """Hands out one number per (document, start) in citation order; sentences are filled in
    afterwards with one query for all cited documents."""

    def __init__(self) -> None:
        self.sources: dict[tuple[str, int], Source] = {}

    def cite(self, document_id: str, start: int, end: int) -> Ref:
        key = (document_id, start)
        if key not in self.sources:
            ref = Ref(len(self.sources) + 1, f"src-{document_id}-{start}")
            self.sources[key] = Source(ref, document_id, start, end)
        return self.sources[key].ref

    def resolve(self, store: Store, docs: dict[str, dict]) -> list[Source]:
        ids = sorted({s.document_id for s in self.sources.values()})
        texts = {r["id"]: r["text"] for r in store.query(
            "SELECT id, text FROM documents WHERE id IN (SELECT unnest(?))", [ids])} if ids else {}
        for s in self.sources.values():
            s.before, s.fact, s.after = evidence(texts.get(s.document_id, ""), s.start, s.end)
            meta = docs.get(s.document_id, {})
            s.title = meta.get("title") or "(untitled)"
            s.source = meta.get("source") or "unknown source"
            s.published = day(meta.get("published"))
            s.url = meta.get("url") or ""
        return list(self.sources.values())


@dataclass
class Scope:
    """What the briefing covers: the whole store, one story and/or articles since a date."""
    title: str
    story_id: str | None = None
    since: str | None = None
    description: str = ""
    documents: dict[str, dict] = field(default_factory=dict)  # id -> title, source, published, url, story_id
    sources: int = 0
    first: str | None = None
    last: str | None = None

    def ids_sql(self) -> tuple[str, list]:
        """A sub-select of the scope's document ids (a 20,000-id list parameter is slow to bind)."""
        where, params = [], []
        if self.story_id:
            where.append("story_id = ?")
            params.append(self.story_id)
        if self.since:
            where.append("published >= ?")
            params.append(self.since)
        return "SELECT id FROM documents" + (" WHERE " + " AND ".join(where) if where else ""), params


@dataclass
class StoryRow:
    id: str
    title: str
    first: str
    last: str
    articles: int
    sources: int
    refs: list[Ref]


@dataclass
class Actor:
    name: str
    label: str
    aliases: list[str]
    articles: int
    roles: list[tuple[str, Ref]]
    ref: Ref


@dataclass
class Carrier:
    source: str
    published: str
    outlet: str
    ref: Ref


@dataclass
class StatementRow:
    speaker: str
    text: str
    articles: int
    outlets: list[str]
    first: str
    last: str
    flags: list[str]
    carriers: list[Carrier]
    more: int = 0  # further carrying articles not listed


@dataclass
class FigureRow:
    text: str
    value: str
    source: str
    published: str
    ref: Ref
    extreme: bool


@dataclass
class ClaimRow:
    subject: str
    kind: str
    range: str
    sources: int
    agree: bool
    figures: list[FigureRow]
    bar: list[dict]
    more: int = 0  # further figures not listed


@dataclass
class PlaceRow:
    name: str
    country_code: str
    feature: str
    mentions: int
    articles: int
    first: tuple[str, int, int]  # (document, start, end) of the earliest mention
    lat: float | None = None
    lon: float | None = None
    ref: Ref | None = None  # cited only when the briefing shows the place


@dataclass
class MapView:
    width: int
    height: int
    countries: list[tuple[str, str, int]]
    circles: list[dict]
    labels: list[dict]
    outside: list[PlaceRow]
    regions: list[PlaceRow]
    omitted: int = 0

    def places(self) -> list[PlaceRow]:
        return [c["place"] for c in self.circles] + self.outside + self.regions


@dataclass
class TimelineEntry:
    date: str
    kind: str
    speaker: str
    before: str
    fact: str
    after: str
    refs: list[tuple[str, Ref]]
    more: int = 0  # further sources not listed


@dataclass
class TimelineChart:
    width: int
    height: int
    left: int
    lanes: list[dict]
    segments: list[dict]
    dots: list[dict]


@dataclass
class Brief:
    scope: Scope
    generated: str
    linked: bool
    glance: list[tuple[str, list[Ref]]] = field(default_factory=list)
    stories: list[StoryRow] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    statements: list[StatementRow] = field(default_factory=list)
    claims: list[ClaimRow] = field(default_factory=list)
    claims_total: int = 0
    places: list[PlaceRow] = field(default_factory=list)
    map: MapView | None = None
    chart: TimelineChart | None = None
    timeline: list[tuple[str, list[TimelineEntry]]] = field(default_factory=list)
    timeline_total: int = 0
    sources: list[Source] = field(default_factory=list)


# -- small formatting helpers ---------------------------------------------------------------

def day(value: str | None) -> str:
    """'2024-03-12' → '12 Mar 2024' (month and year alone stay as coarse as they were)."""
    if not value:
        return "undated"
    parts = value.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return value


def span(first: str | None, last: str | None) -> str:
    if not first:
        return "undated"
    return day(first) if not last or last == first else f"{day(first)} – {day(last)}"


def number(x: float | None) -> str:
    if x is None:
        return "?"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.3g} million" if x % 1e5 == 0 else f"{x:,.0f}"
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


def amount(low: float | None, high: float | None, unit: str | None) -> str:
    """A value or range with its unit: '€12 million', '3,000–7,500', '12%'."""
    if low is not None and high is not None and low != high and min(low, high) >= 1e6 \
            and low % 1e5 == 0 and high % 1e5 == 0:
        text = f"{low / 1e6:,.3g}–{high / 1e6:,.3g} million"
    else:
        text = number(low) if low == high else f"{number(low)}–{number(high)}"
    if unit == "%":
        return text + "%"
    if unit in _CURRENCY:
        return _CURRENCY[unit] + text
    return f"{text} {unit}" if unit else text


def evidence(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The sentence around text[start:end], split into (before, fact, after).

    Sentinel characters mark the fact so ``sentence_around`` (which normalises whitespace) finds
    the same boundaries it finds for the CLI and the fact can still be located exactly."""
    if not text or start >= len(text):
        return "", "", ""
    marked = f"{text[:start]}\x00{text[start:end]}\x01{text[end:]}"
    sentence = sentence_around(marked, start, end + 2)
    before, _, rest = sentence.partition("\x00")
    fact, _, after = rest.partition("\x01")
    return before, fact, after


# -- scope -----------------------------------------------------------------------------------

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


# -- the map ------------------------------------------------------------------------------------

MAP_WIDTH = 880
MAP_POINTS = 80  # circles drawn at most
MAP_LISTED = 12  # far-off places and regions named under the map at most


def _map(places: list[PlaceRow], top_labels: int = 12) -> MapView | None:
    """Places as circles sized by mentions over country outlines, zoomed to where the mentions
    are: far-off places with few mentions (a passing "United States") are listed, not plotted,
    so one aside does not turn a regional map into a world map.  Regions ("Europe", "Middle
    East") have no single point and are listed too."""
    regions = [p for p in places if p.feature == "region"]
    points = [p for p in places if p.feature != "region" and p.lat is not None and p.lon is not None]
    if not points:
        return None if not regions else MapView(0, 0, [], [], [], [], regions[:MAP_LISTED],
                                                len(regions[MAP_LISTED:]))
    points = points[:MAP_POINTS]
    total = sum(p.mentions for p in points)
    shown = list(points)
    outside: list[PlaceRow] = []
    while len(shown) > 1:
        lons, lats = [p.lon for p in shown], [p.lat for p in shown]
        if max(lons) - min(lons) <= 60 and max(lats) - min(lats) <= 40:
            break
        cx = sum(p.lon * p.mentions for p in shown) / sum(p.mentions for p in shown)
        cy = sum(p.lat * p.mentions for p in shown) / sum(p.mentions for p in shown)
        minor = [p for p in shown if p.mentions < 0.1 * total]
        if not minor:
            break
        far = max(minor, key=lambda p: math.hypot((p.lon - cx) * math.cos(math.radians(cy)), p.lat - cy))
        shown.remove(far)
        outside.append(far)
    lons, lats = [p.lon for p in shown], [p.lat for p in shown]
    x0, x1, y0, y1 = min(lons), max(lons), min(lats), max(lats)
    mx, my = max((x1 - x0) * 0.12, 2.5), max((y1 - y0) * 0.15, 2.0)
    x0, x1, y0, y1 = x0 - mx, x1 + mx, max(y0 - my, -85), min(y1 + my, 85)
    k = math.cos(math.radians((y0 + y1) / 2))  # keep shapes true at the map's latitude
    height = round(MAP_WIDTH * (y1 - y0) / ((x1 - x0) * k))
    if height > 560:  # too tall: widen the longitudes
        extra = ((y1 - y0) * MAP_WIDTH / 560 / k - (x1 - x0)) / 2
        x0, x1, height = x0 - extra, x1 + extra, 560
    elif height < 340:  # too flat: add latitudes
        extra = (340 * (x1 - x0) * k / MAP_WIDTH - (y1 - y0)) / 2
        y0, y1, height = max(y0 - extra, -85), min(y1 + extra, 85), 340
    back = [p for p in outside if x0 <= p.lon <= x1 and y0 <= p.lat <= y1]  # inside after all
    shown += back
    outside = [p for p in outside if p not in back]
    width = MAP_WIDTH
    px = lambda lon: (lon - x0) / (x1 - x0) * width  # noqa: E731
    py = lambda lat: (y1 - lat) / (y1 - y0) * height  # noqa: E731
    by_country = Counter()
    for p in places:
        if p.country_code:
            by_country[p.country_code] += p.mentions
    peak_country = max(by_country.values(), default=1)
    countries = []
    for iso, d in svg_paths((x0, y0, x1, y1), width, height):
        if _visible(d, width, height):
            share = by_country.get(iso, 0) / peak_country
            countries.append((iso, d, 0 if not share else 1 if share < 0.2 else 2 if share < 0.6 else 3))
    peak = max(p.mentions for p in shown)
    circles = [{"x": round(px(p.lon), 1), "y": round(py(p.lat), 1),
                "r": round(3 + 19 * math.sqrt(p.mentions / peak), 1), "place": p,
                "country": p.feature == "country"} for p in shown]
    circles.sort(key=lambda c: -c["r"])
    outside.sort(key=lambda p: -p.mentions)
    omitted = len(places) - len(shown) - min(len(outside), MAP_LISTED) - min(len(regions), MAP_LISTED)
    return MapView(width, height, countries, circles, _labels(circles, top_labels, width, height),
                   outside[:MAP_LISTED], regions[:MAP_LISTED], omitted)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _visible(d: str, width: int, height: int) -> bool:
    """Whether an outline's bounding box meets the canvas (others are left out of the file)."""
    nums = [float(n) for n in _NUMBER.findall(d)]
    xs, ys = nums[0::2], nums[1::2]
    return bool(xs) and max(xs) >= 0 and min(xs) <= width and max(ys) >= 0 and min(ys) <= height


def _labels(circles: list[dict], limit: int, width: int, height: int) -> list[dict]:
    """Names for the most mentioned places: right of the circle, else left, above or below,
    wherever the name covers no other name and no town circle (country circles are faint and
    large, so a name may cross one).  The five most mentioned places may cover a town circle
    if nothing else is free; other places with no free spot stay unnamed on the map."""
    towns = [(c["x"] - c["r"], c["y"] - c["r"], c["x"] + c["r"], c["y"] + c["r"], id(c))
             for c in circles if not c["country"]]
    boxes: list[tuple[float, float, float, float]] = []
    out = []
    for rank, c in enumerate(sorted(circles, key=lambda c: -c["place"].mentions)):
        if len(out) >= limit:
            break
        w, h, x, y, r = 7.2 * len(c["place"].name) + 4, 15, c["x"], c["y"], c["r"]
        spots = (("start", x + r + 3, y + 4.5, (x + r + 1, y - h / 2)),
                 ("end", x - r - 3, y + 4.5, (x - r - 1 - w, y - h / 2)),
                 ("middle", x, y - r - 4, (x - w / 2, y - r - 3 - h)),
                 ("middle", x, y + r + 13, (x - w / 2, y + r + 1)))
        tries = [(spot, True) for spot in spots] + [(spot, False) for spot in spots if rank < 5]
        for (anchor, lx, ly, (bx, by)), avoid_towns in tries:
            box = (bx, by, bx + w, by + h)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
            if inside and not any(_overlap(box, o) for o in boxes) and not (
                    avoid_towns and any(_overlap(box, t[:4]) for t in towns if t[4] != id(c))):
                boxes.append(box)
                out.append({"x": round(lx, 1), "y": round(ly, 1), "anchor": anchor, "text": c["place"].name})
                break
    return out


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# -- the timeline ---------------------------------------------------------------------------------

def _ordinal(value: str) -> int:
    parts = [int(x) for x in value.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2]).toordinal()


def _segments(days: list[int], counts: Counter, max_segments: int = 6) -> list[list[int]]:
    """Runs of dates with no gap over a month; while there are too many, the neighbours whose
    merge costs least (merged span x items) are merged, so dense weeks keep their own stretch of
    axis and sparse background years share one."""
    segs = [[days[0]]]
    for d in days[1:]:
        if d - segs[-1][-1] > 31:
            segs.append([d])
        else:
            segs[-1].append(d)
    while len(segs) > max_segments:
        cost = [(segs[i + 1][-1] - segs[i][0]) * sum(counts[d] for d in segs[i] + segs[i + 1])
                for i in range(len(segs) - 1)]
        i = cost.index(min(cost))
        segs[i:i + 2] = [segs[i] + segs[i + 1]]
    return segs


def _ticks(seg: dict, pos, labels: dict[int, str], counts: Counter) -> list[dict]:
    """Dates that have items, as many as fit without overlapping: the first and last of the
    stretch, then the busiest.  The year is left out when the tick before already said it."""
    single = seg["first"] == seg["last"]
    length = seg["last"] - seg["first"]
    coarse = {o: v[:4] if length > 366 else v[:7] if length > 92 else v for o, v in labels.items()
              if seg["first"] <= o <= seg["last"]}  # a stretch of years is labelled in years
    order = [seg["first"], seg["last"]] + sorted(seg["days"][1:-1], key=lambda o: -counts[o])
    boxes: dict[int, tuple[float, float, str]] = {}
    for o in dict.fromkeys(order):
        x, text = pos(o), day(coarse[o])
        w = 6.3 * len(text) + 10
        anchor = "middle" if single else "start" if o == seg["first"] else "end" if o == seg["last"] else "middle"
        left = x - 4 if anchor == "start" else x - w + 4 if anchor == "end" else x - w / 2
        if all(left + w <= b[0] or left >= b[1] for b in boxes.values()):
            boxes[o] = (left, left + w, anchor)
    out, year = [], None
    for o in sorted(boxes):
        value, anchor = coarse[o], boxes[o][2]
        text = day(value)
        if year == value[:4] and len(value) == 10:
            text = text.rsplit(" ", 1)[0]
        year = value[:4]
        x = pos(o) - 4 if anchor == "start" else pos(o) + 4 if anchor == "end" else pos(o)
        out.append({"x": round(x, 1), "text": text, "anchor": anchor})
    return out


def _chart(items: list[dict], shown_dates: set[str], width: int = 880) -> TimelineChart | None:
    """Swimlanes (events, statements, figures) on a time axis broken where nothing happened for
    over a month; circle area grows with the number of items on a date.  A circle links to its
    date in the timeline list when the list shows that date."""
    if not items:
        return None
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    labels: dict[int, str] = {}
    for i in items:
        groups[(i["date"], i["kind"])].append(i)
        o = _ordinal(i["date"])
        if len(i["date"]) > len(labels.get(o, "")):
            labels[o] = i["date"]  # "2024-03" and "2024-03-01" share a point: name the precise one
    counts = Counter(_ordinal(i["date"]) for i in items)
    segs = _segments(sorted(counts), counts)
    left, gap, lane_h, top = 128, 18, 40, 8
    usable = width - left - 8 - gap * (len(segs) - 1)
    base = min(76, usable / len(segs))
    total = sum(counts.values())
    x, segments = left, []
    for s in segs:
        w = base + (usable - base * len(segs)) * sum(counts[d] for d in s) / total
        segments.append({"x": round(x, 1), "w": round(w, 1), "first": s[0], "last": s[-1], "days": s})
        x += w + gap

    def pos(ordinal: int) -> float:
        seg = next(g for g in segments if g["first"] <= ordinal <= g["last"])
        if seg["first"] == seg["last"]:
            return seg["x"] + seg["w"] / 2
        return seg["x"] + 10 + (ordinal - seg["first"]) / (seg["last"] - seg["first"]) * (seg["w"] - 20)

    height = lane_h * len(KIND_ORDER)
    for i, seg in enumerate(segments):
        seg["ticks"] = _ticks(seg, pos, labels, counts)
        seg["break_x"] = round(seg["x"] + seg["w"] + gap / 2, 1) if i < len(segments) - 1 else None
        seg["height"], seg["tick_y"] = height, top + height + 18
    lanes = [{"kind": k, "y": top + n * lane_h + lane_h / 2,
              "label": {"event": "events", "statement": "statements", "figure": "figures"}[k],
              "count": sum(1 for i in items if i["kind"] == k)} for n, k in enumerate(KIND_ORDER)]
    lane_y = {lane["kind"]: lane["y"] for lane in lanes}
    dots = []
    for (value, kind), group in sorted(groups.items()):
        href = f"#tl-{value}" if value in shown_dates else ""
        dots.append({"x": round(pos(_ordinal(value)), 1), "y": lane_y[kind], "n": len(group),
                     "r": round(min(3 + 2.2 * math.sqrt(len(group) - 1), 14), 1), "kind": kind,
                     "href": href, "title": f"{day(value)}: {len(group)} {kind}{'s' if len(group) > 1 else ''}"})
    return TimelineChart(width, top + height + 30, left, lanes, segments, dots)


def _timeline(store: Store, scope: Scope, cite: Citations, limit: int
              ) -> tuple[list[tuple[str, list[TimelineEntry]]], int, TimelineChart | None]:
    """The dated items of the scope: the chart shows them all; the list keeps ``limit`` of them,
    in date order, preferring items carried by more articles, then items of the situation itself
    over background (a sentence naming a date more than a month before its article was
    published: "since 2013"), then items from larger stories."""
    items = []
    for i in timeline(store, scope.story_id, scope.since, limit=10**9):
        sources = [s for s in i["sources"] if s["document_id"] in scope.documents]
        if sources:
            items.append({**i, "sources": sources})
    story_size = Counter(d["story_id"] for d in scope.documents.values())

    def rank(i: dict) -> tuple:
        docs = [scope.documents[s["document_id"]] for s in i["sources"]]
        published = [_ordinal(d["published"]) for d in docs if d["published"]]
        background = bool(published) and _ordinal(i["date"]) < min(published) - 31
        return (-len({d["id"] for d in docs}), background, -max(story_size[d["story_id"]] for d in docs),
                KIND_ORDER.index(i["kind"]), i["date"], i["text"])

    keep = sorted(sorted(items, key=rank)[:limit], key=lambda i: (i["date"], KIND_ORDER.index(i["kind"]), i["text"]))
    chart = _chart(items, {i["date"] for i in keep})
    by_date: dict[str, list[TimelineEntry]] = {}
    for i in keep:
        per_doc = list({s["document_id"]: s for s in reversed(i["sources"])}.values())
        refs = [(scope.documents[s["document_id"]]["source"] or "unknown source",
                 cite.cite(s["document_id"], s["start"], s["end"])) for s in per_doc[:MAX_ITEM_SOURCES]]
        more = len(per_doc) - len(refs)
        if i["kind"] == "statement":
            entry = TimelineEntry(i["date"], i["kind"], i["speaker"] or "(unattributed)", "", i["text"], "",
                                  refs, more)
        else:
            before, found, after = i["text"].partition(" ".join(i["fact"].split()))
            entry = TimelineEntry(i["date"], i["kind"], "", *((before, found, after) if found else
                                                               (i["text"], "", "")), refs, more)
        by_date.setdefault(i["date"], []).append(entry)
    return list(by_date.items()), len(items), chart


# -- assembling ----------------------------------------------------------------------------------

def _glance(b: Brief) -> list[tuple[str, list[Ref]]]:
    """Four sentences for whoever reads nothing else, each citing the rows it summarises."""
    out = []
    if b.stories:
        s = b.stories[0]
        out.append((f"Largest story: “{s.title}” — {s.articles} articles from {s.sources} sources, "
                    f"{span(s.first, s.last)}.", s.refs[:1]))
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
    brief.actors = _actors(store, scope, cite, top)
    brief.statements = _statements(store, scope, cite, top)
    brief.claims, brief.claims_total = _claims(store, scope, cite, top)
    places = _places(store, scope)
    brief.map = _map(places)
    brief.places = places[:max(top, 15)]
    for place in (brief.map.places() if brief.map else []) + brief.places:
        place.ref = place.ref or cite.cite(*place.first)
    brief.timeline, brief.timeline_total, brief.chart = _timeline(store, scope, cite, 4 * top)
    brief.glance = _glance(brief)
    brief.sources = cite.resolve(store, scope.documents)
    return brief


# -- rendering -------------------------------------------------------------------------------------

class _MdSafe(str):
    """Markdown the template built itself (links, footnote markers): printed as is."""


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~#!])")


def _md_escape(value: object) -> str:
    """Text safe to place anywhere in a Markdown line: HTML-significant characters become
    entities (Markdown renderers pass raw HTML through) and Markdown syntax is backslashed."""
    if value is None:
        return ""
    if isinstance(value, _MdSafe):
        return value
    text = re.sub(r"\s+", " ", str(value))  # one line, but spaces between values are kept
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _environment(markdown: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=not markdown, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        finalize=_md_escape if markdown else None)
    env.filters.update(day=day, span=span)
    if markdown:
        env.filters["ref"] = lambda r: _MdSafe(f"[^{r.n}]")
        env.filters["refs"] = lambda rs: _MdSafe(" ".join(f"[^{r.n}]" for r in rs))
        env.filters["raw"] = _MdSafe
    return env


def render_html(brief: Brief) -> str:
    return _environment(False).get_template("brief.html.j2").render(b=brief)


def render_markdown(brief: Brief) -> str:
    """The Markdown twin.  It has no map circles or chart dots, so it lists only the sources its
    text cites (footnote numbers stay those of the HTML, so the two can be read side by side)."""
    template = _environment(True).get_template("brief.md.j2")
    body = template.render(b=brief, cited=None).split("\n## Sources\n")[0]
    return template.render(b=brief, cited={int(n) for n in re.findall(r"\[\^(\d+)\]", body)})


def render_brief(store: Store, *, story: str | None = None, since: str | None = None,
                 top: int = 10) -> tuple[str, str]:
    """(HTML, Markdown) of one briefing, built once."""
    brief = build_brief(store, story=story, since=since, top=top)
    return render_html(brief), render_markdown(brief)


def write_brief(store: Store, out: Path, *, story: str | None = None, since: str | None = None,
                top: int = 10) -> dict:
    """Write ``brief.html`` or ``brief.md`` (by the suffix of ``out``); returns what it holds."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".md", ".markdown"):
        raise UsageError(f"cannot tell the format of {out.name!r}: use a .html or .md file name")
    if not out.parent.is_dir():
        raise UsageError(f"folder {str(out.parent)!r} does not exist")
    brief = build_brief(store, story=story, since=since, top=top)
    text = render_markdown(brief) if suffix in (".md", ".markdown") else render_html(brief)
    out.write_text(text, encoding="utf-8")
    return {"path": str(out), "format": "md" if suffix in (".md", ".markdown") else "html",
            "bytes": len(text.encode("utf-8")), "scope": brief.scope.description,
            "articles": len(brief.scope.documents), "stories": len(brief.stories), "actors": len(brief.actors),
            "statements": len(brief.statements), "claims": len(brief.claims),
            "places": len(brief.places), "timeline_items": brief.timeline_total, "sources": len(brief.sources)}
