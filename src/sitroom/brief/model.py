"""The data behind a briefing: plain dataclasses the templates render, and the citation numbering."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store.database import Store
from .text import day, evidence


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
class EventCount:
    """One kind of count of an event (dead, injured, arrested, in the crowd) across its reports."""
    label: str
    range: str
    agree: bool
    figures: list[FigureRow] = field(default_factory=list)  # each report's figure, cited, where they disagree
    raw: list[dict] = field(default_factory=list)  # those figures before they are cited


@dataclass
class EventRow:
    """One cross-document event as far as the scope's articles report it."""
    id: str
    day: str  # ISO day for ordering (the first report's date, its publication date standing in)
    date: str  # TimeML value or range shown ("2024-03-16", "2024-03", "2024-W11"), "" when none
    date_end: str
    plover: str  # "ASSAULT / firearms"
    acled: str  # "Battles › Armed clash", "" when ACLED codes nothing
    what: str  # the short name: ACLED sub-type, else PLOVER type (and mode)
    material: bool  # PLOVER's material quads (an attack, an arrest), not verbal (a demand)
    source: str
    target: str
    place: str
    country_code: str
    lat: float | None
    lon: float | None
    counts: list[EventCount]
    agree: bool
    reports: int  # in the scope
    sources: int
    first: tuple[str, int, int]  # (document, start, end) of the first report's trigger
    triggers: list[tuple[str, str, int, int]]  # (source, document, start, end) of every report
    sentences: list[tuple[str, int, int]]  # (document, start, end) of every report's sentence
    refs: list[tuple[str, Ref]] = field(default_factory=list)  # cited when the briefing lists the event
    more: int = 0  # reports not cited
    shown: bool = False
    map_ref: Ref | None = None  # cited for a map marker when the row is not listed

    @property
    def anchor(self) -> str:
        return f"ev-{self.id}"

    @property
    def who(self) -> str:
        return f"{self.source or 'unnamed actor'}{' → ' + self.target if self.target else ''}"

    @property
    def summary(self) -> str:
        """One line for the timeline and the map: what, who to whom, where, how many."""
        where = f" at {self.place}" if self.place else ""
        counts = ", ".join(f"{c.range} {c.label}" for c in self.counts)
        flag = " (reports disagree)" if not self.agree else ""
        return f"{self.what}: {self.who}{where}{' — ' + counts + flag if counts else ''}"

    @property
    def href(self) -> str:
        return "#" + (self.anchor if self.shown else self.map_ref.anchor if self.map_ref else "events")


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
    events: list[dict] = field(default_factory=list)  # diamonds: x, y, r, n, event (the first), title

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
    events: list[EventRow] = field(default_factory=list)
    events_total: int = 0
    places: list[PlaceRow] = field(default_factory=list)
    map: MapView | None = None
    chart: TimelineChart | None = None
    timeline: list[tuple[str, list[TimelineEntry]]] = field(default_factory=list)
    timeline_total: int = 0
    sources: list[Source] = field(default_factory=list)
