"""Response models of the JSON API.  Field names and meanings are those of the export contract
(docs/export-schema.md); fields marked "extension" exist only here.  Lists are paged: ``total``
matching items, and the ``limit``/``offset`` that selected ``items``."""

from __future__ import annotations

from typing import Any, Generic, Optional, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


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
    events: list[dict[str, Any]]


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
