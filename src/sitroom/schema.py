"""The data contract: one dataclass per fact type.

Every fact carries ``start``/``end`` Python string offsets into ``Article.text`` so that
``text[start:end] == fact.text`` always holds; that invariant is what lets a reader jump from
any fact back to the sentence it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Article:
    """One input article after reading and cleaning, before any NLP.

    ``text`` is the cleaned body (title, date line, byline and boilerplate removed) that all
    offsets point into.  ``repairs`` lists what the reader changed (e.g. ``"encoding:latin-1"``,
    ``"mojibake"``, ``"dropped-boilerplate:Source link"``) so the change is visible, not silent.
    """

    text: str
    path: str | None = None
    title: str | None = None
    source: str | None = None
    author: str | None = None
    published: str | None = None  # ISO date "YYYY-MM-DD" (or datetime "YYYY-MM-DDTHH:MM")
    url: str | None = None
    dateline: str | None = None  # e.g. "BRUSSELS"
    metadata: dict[str, Any] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)


@dataclass
class Rejection:
    """An input that could not be turned into an Article, and the one-line reason why."""

    path: str
    reason: str
    code: str = "unreadable"  # short machine code: empty, binary, decode, not-text, too-large, malformed, ...


@dataclass
class Mention:
    """A named-entity mention; ``entity_key`` groups mentions of one actor inside a document."""

    text: str
    start: int
    end: int
    label: str  # PERSON, ORG, GPE, LOC, NORP, ... (spaCy labels)
    entity_key: str = ""  # document-level canonical name; becomes a stable entity_id
    entity_id: str = ""


@dataclass
class Role:
    """A role held by an entity as the article states it ("mayor of Vilvoorde")."""

    entity_id: str
    role: str
    start: int
    end: int
    text: str


@dataclass
class Alias:
    """An alternative name for an entity, with where it was learnt (acronym definition, alias file)."""

    entity_id: str
    alias: str
    origin: str  # "acronym", "alias-file", "surname", "variant"


@dataclass
class DateRef:
    """A date expression and its ISO value anchored on the publication date (None if unanchored)."""

    text: str
    start: int
    end: int
    value: str | None  # "2016-10-18", "2019-02", "2015", "2014-06" ("mid-2014"), or None
    kind: str = "date"  # date | time | duration | set (TimeML TIMEX3 types)


@dataclass
class Quote:
    """An attributed statement.  ``text``/``start``/``end`` cover the quoted content (without the
    quote marks for direct quotes; the reported clause for indirect ones).  ``speaker`` is the
    name as resolved (the entity's canonical name when linked); ``outlet`` is the medium the
    speaker addressed ("Die Welt", "AFP"), not the article's own source."""

    text: str
    start: int
    end: int
    speaker: str | None
    speaker_entity_id: str | None
    cue: str | None  # the cue verb or phrase as written: "told", "said", "according to"
    outlet: str | None
    direct: bool
    speaker_start: int | None = None  # span of the speaker mention the quote is attributed to
    speaker_end: int | None = None
    cue_start: int | None = None
    cue_end: int | None = None


@dataclass
class Figure:
    """A numeric figure: one value, or a range low..high, with what is counted."""

    text: str
    start: int
    end: int
    value: float | None  # the single number; None for a range
    low: float | None
    high: float | None
    unit: str | None  # ISO currency code, "%", or None for counts
    subject: str | None  # lower-case counted noun phrase: "isis fighters"
    qualifier: str | None  # about | around | an estimated | some | nearly | at least | more than | up to | only | hundreds ...
    kind: str = "count"  # count | deaths | injuries | money | percent


@dataclass
class DocumentFacts:
    """Everything the per-document stages found in one article: the unit the store writes
    atomically (a document is stored with all of its facts or not at all)."""

    doc_id: str
    article: Article
    paths: list[str]
    word_count: int
    mentions: list[Mention] = field(default_factory=list)
    entity_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, label)
    aliases: list[Alias] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    dates: list[DateRef] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    places: list[Any] = field(default_factory=list)  # stages.places.Place
    demonyms: list[Any] = field(default_factory=list)  # stages.places.Demonym
    events: list["Event"] = field(default_factory=list)


@dataclass
class Magnitude:
    """A count attached to an event (dead, injured, arrested, crowd size), taken from the figures
    stage so the qualifier and range survive ("at least 12", "dozens" -> 12..12 "dozens")."""

    kind: str  # dead | injured | arrested | size
    text: str
    start: int
    end: int
    value: float | None
    low: float | None
    high: float | None
    qualifier: str | None


@dataclass
class Event:
    """Who did what to whom, where, when and how many, as one sentence reports it.

    ``text``/``start``/``end`` are the trigger ("attacked", "arrest", "talks"); the sentence span
    says where to read the whole report.  ``plover_type``/``plover_mode``/``plover_context`` follow
    the PLOVER codebook; ``acled_event_type``/``acled_sub_event_type`` use ACLED's spellings and
    are None for what ACLED does not code (verbal events, events that did not happen).
    ``factuality`` is "asserted", "negated", "hypothetical" or "future" (PLOVER's auxiliary modes):
    only asserted events are counted as having happened.  Actors, place and date point to the
    spans of the other stages' facts; ``date_source`` says whether the date is the text's own or
    the publication date standing in for it."""

    text: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    plover_type: str
    plover_mode: str | None = None
    plover_context: list[str] = field(default_factory=list)
    factuality: str = "asserted"
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    source_actor: str | None = None
    source_entity_id: str | None = None
    source_sector: str | None = None
    source_country: str | None = None
    source_start: int | None = None
    source_end: int | None = None
    target_actor: str | None = None
    target_entity_id: str | None = None
    target_sector: str | None = None
    target_country: str | None = None
    target_start: int | None = None
    target_end: int | None = None
    place_id: str | None = None
    place_name: str | None = None
    country_code: str | None = None
    geo_precision: str | None = None  # exact | region | country
    place_start: int | None = None
    place_end: int | None = None
    date: str | None = None
    date_start: int | None = None
    date_end: int | None = None
    time_precision: str | None = None  # day | week | month | year
    date_source: str | None = None  # text | publication
    magnitudes: list[dict] = field(default_factory=list)  # Magnitude as dicts (serialisable)
    confidence: float = 0.5

    def magnitude(self, kind: str) -> dict | None:
        return next((m for m in self.magnitudes if m["kind"] == kind), None)
