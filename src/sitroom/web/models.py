"""Response models of the JSON API.  Field names and meanings are those of the export contract
(docs/export-schema.md); fields marked "extension" exist only here.  Lists are paged: ``total``
matching items, and the ``limit``/``offset`` that selected ``items``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Generic, Literal, Optional, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")
_VOCABULARY = json.loads((Path(__file__).parents[1] / "data" / "event_vocabulary.json").read_text(encoding="utf-8"))
#: The PLOVER event types the event stage codes (data/event_vocabulary.json).
PloverType = Literal[tuple(_VOCABULARY["plover_types"])]  # type: ignore[valid-type]
Factuality = Literal[tuple(_VOCABULARY["factuality"])]  # type: ignore[valid-type]


class Page(BaseModel, Generic[T]):
    total: int = Field(description="items matching the request, over all pages")
    limit: int
    offset: int
    items: list[T]


class Error(BaseModel):
    detail: str


class EntityMention(BaseModel):
    text: str
    start: int
    end: int
    label: str
    entity_id: str


class PlaceMention(BaseModel):
    text: str
    start: int
    end: int
    place_id: str
    name: str
    country_code: Optional[str]
    lat: Optional[float]
    lon: Optional[float]
    feature: str
    confidence: Optional[float] = None
    metonymy: Optional[bool] = None


class DateMention(BaseModel):
    text: str
    start: int
    end: int
    value: Optional[str]


class Quote(BaseModel):
    text: str
    start: int
    end: int
    speaker: Optional[str]
    speaker_entity_id: Optional[str]
    cue: Optional[str]
    outlet: Optional[str]
    direct: bool
    statement_id: Optional[str]


class Figure(BaseModel):
    text: str
    start: int
    end: int
    value: Optional[float]
    low: Optional[float]
    high: Optional[float]
    unit: Optional[str]
    subject: Optional[str]
    qualifier: Optional[str]
    kind: Optional[str] = None
    claim_id: Optional[str]


class Document(BaseModel):
    id: str
    path: Optional[str]
    paths: list[str]
    url: Optional[str]
    title: Optional[str]
    source: Optional[str]
    author: Optional[str]
    published: Optional[str]
    text: str
    story_id: Optional[str]
    entities: list[EntityMention]
    places: list[PlaceMention]
    dates: list[DateMention]
    quotes: list[Quote]
    figures: list[Figure]
    events: list["EventMention"]


class SearchHit(BaseModel):
    id: str
    title: Optional[str]
    source: Optional[str]
    author: Optional[str]
    published: Optional[str]
    story_id: Optional[str]
    score: Optional[float] = Field(description="BM25 relevance (null without a query)")
    snippet: str = Field(description="extension: plain text around the first match")


class Role(BaseModel):
    role: str
    document_id: str
    start: int
    end: int
    text: str


class Entity(BaseModel):
    id: str
    name: str
    label: str
    aliases: list[str]
    roles: list[Role]
    document_count: int


class Place(BaseModel):
    id: str
    name: str
    country_code: Optional[str]
    lat: Optional[float]
    lon: Optional[float]
    feature: str
    geonameid: Optional[int]
    mention_count: int
    document_ids: list[str]


class StatementQuote(BaseModel):
    document_id: str
    start: int
    end: int
    outlet: Optional[str]
    source: Optional[str]
    published: Optional[str]


class Statement(BaseModel):
    id: str
    speaker_entity_id: Optional[str]
    speaker: Optional[str]
    text: str
    flags: list[str]
    quotes: list[StatementQuote]


class ClaimFigure(BaseModel):
    document_id: str
    start: int
    end: int
    text: str
    low: Optional[float]
    high: Optional[float]
    source: Optional[str]
    published: Optional[str]


class Claim(BaseModel):
    id: str
    subject: Optional[str]
    unit: Optional[str]
    kind: Optional[str]
    place_id: Optional[str]
    low: Optional[float]
    high: Optional[float]
    sources: int
    agree: bool
    figures: list[ClaimFigure]


class Story(BaseModel):
    id: str
    title: str
    document_ids: list[str]
    first_published: Optional[str]
    last_published: Optional[str]


class TimelineSource(BaseModel):
    document_id: str
    source: Optional[str]
    title: Optional[str]
    start: int
    end: int


class TimelineItem(BaseModel):
    date: str
    kind: str = Field(description="event, statement or figure")
    text: str
    fact: Optional[str] = None
    speaker: Optional[str] = None
    statement_id: Optional[str] = None
    subject: Optional[str] = None
    claim_id: Optional[str] = None
    sources: list[TimelineSource]


class EventActor(BaseModel):
    """The source or target of one report: the words, their span and the cross-document entity."""
    name: Optional[str]
    text: Optional[str] = None
    entity_id: Optional[str]
    sector: Optional[str]
    country: Optional[str]
    start: Optional[int]
    end: Optional[int]


class EventFigure(BaseModel):
    """A count one report gives (from the figures stage, with its qualifier and range)."""
    text: str
    start: int
    end: int
    value: Optional[float]
    low: Optional[float]
    high: Optional[float]
    qualifier: Optional[str]


class EventMention(BaseModel):
    """One event a sentence reports, whatever its factuality (``documents[].events[]`` of the export)."""
    id: str = Field(description="<document_id>:<start>:<end> of the trigger")
    text: str = Field(description="the trigger: text[start:end]")
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    plover_type: PloverType
    plover_mode: Optional[str]
    plover_context: list[str]
    factuality: Factuality = Field(description="only asserted reports belong to an event")
    acled_event_type: Optional[str]
    acled_sub_event_type: Optional[str]
    source_actor: Optional[EventActor]
    target_actor: Optional[EventActor]
    place_id: Optional[str]
    place_name: Optional[str] = None
    country_code: Optional[str] = None
    place_start: Optional[int] = None
    place_end: Optional[int] = None
    geo_precision: Optional[str]
    date: Optional[str] = Field(description="TimeML value: the sentence's date, else the publication date")
    date_start: Optional[int] = Field(None, description="span of the date expression")
    date_end: Optional[int] = None
    time_precision: Optional[str]
    date_source: Optional[str] = Field(description="text, or publication when the sentence names no date")
    dead: Optional[EventFigure]
    injured: Optional[EventFigure]
    arrested: Optional[EventFigure]
    size: Optional[EventFigure]
    confidence: float
    event_id: Optional[str] = Field(description="the cross-document event (asserted reports only)")


class EventReport(EventMention):
    """A report of a cross-document event, with its article."""
    document_id: str
    source: Optional[str] = Field(description="extension: the article's source")
    published: Optional[str] = Field(description="extension")
    title: Optional[str] = Field(description="extension")
    sentence: str = Field(description="extension: the article's text from sentence_start to sentence_end")


class EventActorRef(BaseModel):
    entity_id: Optional[str] = Field(description="cross-document entity id")
    name: Optional[str] = Field(description="the entity's name, else the reports' words")


class CountRange(BaseModel):
    low: Optional[float]
    high: Optional[float]


class Event(BaseModel):
    """One happening however many articles report it (the export's ``events``): the first report's
    spans, the actors as cross-document entities, each count as its range across the reports, and
    ``agree`` false when the reports give counts that cannot all be true."""
    id: str
    document_id: Optional[str] = Field(description="the first report's article")
    text: Optional[str] = Field(description="the first report's trigger")
    start: Optional[int]
    end: Optional[int]
    sentence_start: Optional[int]
    sentence_end: Optional[int]
    plover_type: PloverType
    plover_mode: Optional[str]
    acled_event_type: Optional[str]
    acled_sub_event_type: Optional[str]
    source_actor: Optional[EventActorRef]
    target_actor: Optional[EventActorRef]
    place_id: Optional[str]
    place_name: Optional[str]
    country_code: Optional[str]
    date: Optional[str] = Field(description="earliest date its reports give (TimeML value)")
    date_end: Optional[str]
    dead: Optional[CountRange]
    injured: Optional[CountRange]
    arrested: Optional[CountRange]
    size: Optional[CountRange] = Field(description="crowd size")
    confidence: float
    report_ids: list[str]
    document_ids: list[str]
    reports: int = Field(description="sentences reporting it")
    sources: int = Field(description="distinct outlets among them")
    agree: bool
    lat: Optional[float] = Field(description="extension: the place's coordinates")
    lon: Optional[float] = Field(description="extension")
    day: Optional[str] = Field(description="extension: the date as one day (ISO), the order of the list")
    last_day: Optional[str] = Field(description="extension: the latest day a report gives (what since compares)")
    mentions: list[EventReport] = Field(description="extension: every report, first report first")


class EventPoint(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any]
    properties: dict[str, Any]


class EventMap(BaseModel):
    type: Literal["FeatureCollection"]
    total: int = Field(description="located events matching the filters (features holds at most limit)")
    features: list[EventPoint]


class Rejected(BaseModel):
    path: str
    reason: str
    code: str


class IngestResult(BaseModel):
    new: int
    unchanged: int
    duplicate_paths: int
    rejected: list[Rejected]
    document_ids: list[str] = Field(description="ids of the documents stored by this request")
    links: Optional[dict[str, Any]] = Field(None, description="counts from the cross-document pass")


class Status(BaseModel):
    loaded_at: Optional[str] = Field(description="when the served snapshot was read from the file (UTC)")
    documents: int
    writer_busy: bool = Field(description="another process holds the database; data may lag")
    full_text: bool = Field(description="BM25 full-text search (else substring matching)")
    load_seconds: Optional[float] = Field(description="how long reading the snapshot and indexing it took")
    warming: bool = Field(description="the timeline and map of a new snapshot are still being precomputed")


Document.model_rebuild()
