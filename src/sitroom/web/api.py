"""The JSON API under ``/api/``: the export's records, paged, plus search, a timeline, map data
and (only when enabled) ingestion.  Every route declares its error responses so the OpenAPI
document (``/openapi.json``) describes everything it can answer."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Annotated, Any, Iterator, Literal, Optional

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator

from ..geo.basemap import country_shapes
from ..store.events import day_of
from . import fulltext, models, reads
from .snapshot import Reader

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": models.Error, "description": "unknown id"},
    503: {"model": models.Error, "description": "the database is being written and no snapshot is loaded yet"},
}
LIMIT = Query(20, ge=1, le=100, description="items per page")
OFFSET = Query(0, ge=0, le=1_000_000, description="items to skip")
ID_TEXT = 200


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD, as the OpenAPI document says: pydantic alone would read a number as a Unix
    timestamp (``date_to=0`` meant 1970-01-01; found by schemathesis, tests/test_api_fuzz.py)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
#: An ingest body: some character besides ASCII whitespace (``ingest`` answers 400 to any other body).
BODY = {"type": "string", "minLength": 1, "pattern": "[^ \\t\\n\\r\\v\\f]"}

router = APIRouter(prefix="/api", responses={503: ERRORS[503]})


def reader(request: Request) -> Iterator[Reader]:
    """A cursor on the current snapshot for the duration of one request."""
    snapshot = request.app.state.snapshots.current()
    with snapshot.reader() as r:
        yield r


def page(total: int, items: list, limit: int, offset: int) -> dict:
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def _not_found(what: str) -> HTTPException:
    return HTTPException(404, f"no {what} with this id")


def _entity_id(r: Reader, value: Optional[str]) -> tuple[bool, Optional[str]]:
    """(filter given, resolved id); a given filter that matches nothing selects nothing."""
    if not value:
        return False, None
    found = reads.resolve_entity(r, value)
    return True, found["id"] if found else None


def _place_id(r: Reader, value: Optional[str]) -> tuple[bool, Optional[str]]:
    if not value:
        return False, None
    found = reads.resolve_place(r, value)
    return True, found["id"] if found else None


def _story_ok(r: Reader, story: Optional[str]) -> bool:
    return not story or reads.story(r, story) is not None


@router.get("/status", response_model=models.Status, summary="What the server is serving")
def status(request: Request) -> dict:
    st = request.app.state.snapshots.status()
    snap = request.app.state.snapshots.current()
    return {"loaded_at": st.loaded_at.isoformat() if st.loaded_at else None, "documents": st.documents,
            "writer_busy": st.writer_busy, "full_text": snap.fts, "load_seconds": round(snap.load_seconds, 3),
            "warming": st.warming}


@router.get("/search", response_model=models.Page[models.SearchHit], summary="Full-text search over articles")
def search(
    q: str = Query("", max_length=500, description="words that must all occur (stemmed, BM25-ranked); empty lists all"),
    source: Optional[str] = Query(None, max_length=ID_TEXT, description="the article's source, exactly"),
    date_from: Optional[IsoDate] = Query(None, description="published on or after (YYYY-MM-DD)"),
    date_to: Optional[IsoDate] = Query(None, description="published on or before (YYYY-MM-DD)"),
    entity: Optional[str] = Query(None, max_length=ID_TEXT, description="an entity id, or a name or alias"),
    place: Optional[str] = Query(None, max_length=ID_TEXT, description="a place id, or a place name"),
    story: Optional[str] = Query(None, max_length=ID_TEXT, description="a story id"),
    limit: int = LIMIT, offset: int = OFFSET, r: Reader = Depends(reader),
) -> dict:
    ent_given, ent = _entity_id(r, entity)
    pl_given, pl = _place_id(r, place)
    if (ent_given and not ent) or (pl_given and not pl):
        return page(0, [], limit, offset)
    total, items = fulltext.search(r, q=q, source=source, date_from=date_from.isoformat() if date_from else None,
                                date_to=date_to.isoformat() if date_to else None, entity_id=ent, place_id=pl,
                                story_id=story, limit=limit, offset=offset)
    return page(total, items, limit, offset)


@router.get("/documents/{doc_id}", response_model=models.Document, responses={404: ERRORS[404]},
            summary="One article with every extracted fact")
def document(doc_id: str, r: Reader = Depends(reader)) -> dict:
    d = reads.document(r, doc_id)
    if d is None:
        raise _not_found("document")
    return d


@router.get("/entities", response_model=models.Page[models.Entity], summary="Entities, most documents first")
def entities(q: Optional[str] = Query(None, max_length=ID_TEXT, description="part of a name or alias"),
             label: Optional[str] = Query(None, max_length=40, description="PERSON, ORG, GPE, …"),
             limit: int = LIMIT, offset: int = OFFSET, r: Reader = Depends(reader)) -> dict:
    total, items = reads.entities(r, q=q, label=label, limit=limit, offset=offset)
    return page(total, items, limit, offset)


@router.get("/entities/{entity_id}", response_model=models.Entity, responses={404: ERRORS[404]},
            summary="One entity (a per-article entity id gives its cross-document entity)")
def entity(entity_id: str, r: Reader = Depends(reader)) -> dict:
    canonical = reads.canonical_entity(r, entity_id)
    records = reads.entity_records(r, [canonical]) if canonical else []
    if not records:
        raise _not_found("entity")
    return records[0]


@router.get("/places", response_model=models.Page[models.Place], summary="Places, most mentioned first")
def places(q: Optional[str] = Query(None, max_length=ID_TEXT, description="part of a place name"),
           limit: int = LIMIT, offset: int = OFFSET, r: Reader = Depends(reader)) -> dict:
    total, items = reads.places(r, q=q, limit=limit, offset=offset)
    return page(total, items, limit, offset)


@router.get("/places/{place_id}", response_model=models.Place, responses={404: ERRORS[404]}, summary="One place")
def place(place_id: str, r: Reader = Depends(reader)) -> dict:
    found = reads.place(r, place_id)
    if found is None:
        raise _not_found("place")
    return found


@router.get("/statements", response_model=models.Page[models.Statement],
            summary="Statements, carried by the most articles first")
def statements(speaker: Optional[str] = Query(None, max_length=ID_TEXT, description="an entity id, or a name"),
               q: Optional[str] = Query(None, max_length=500, description="words in the statement or speaker"),
               flagged: bool = Query(False, description="only statements with flags (different speakers/outlets)"),
               min_articles: int = Query(1, ge=1, le=100_000),
               story: Optional[str] = Query(None, max_length=ID_TEXT),
               limit: int = LIMIT, offset: int = OFFSET, r: Reader = Depends(reader)) -> dict:
    given, speaker_id = _entity_id(r, speaker)
    if (given and not speaker_id) or not _story_ok(r, story):
        return page(0, [], limit, offset)
    total, items = reads.statements(r, speaker_entity_id=speaker_id, q=q, flagged=flagged, min_articles=min_articles,
                                    story_id=story, limit=limit, offset=offset)
    return page(total, items, limit, offset)


@router.get("/claims", response_model=models.Page[models.Claim], summary="Claims, widest disagreement first")
def claims(subject: Optional[str] = Query(None, max_length=ID_TEXT, description="part of the counted subject"),
           disagree: bool = Query(False, description="only claims whose sources disagree"),
           story: Optional[str] = Query(None, max_length=ID_TEXT),
           place: Optional[str] = Query(None, max_length=ID_TEXT, description="a place id, or a place name"),
           min_figures: int = Query(1, ge=1, le=100_000),
           limit: int = LIMIT, offset: int = OFFSET, r: Reader = Depends(reader)) -> dict:
    given, place_id = _place_id(r, place)
    if (given and not place_id) or not _story_ok(r, story):
        return page(0, [], limit, offset)
    total, items = reads.claims(r, subject=subject, disagree=disagree, story_id=story, place_id=place_id,
                                min_figures=min_figures, limit=limit, offset=offset)
    return page(total, items, limit, offset)


def _event_filters(r: Reader, *, type: Optional[str], acled: Optional[str], actor: Optional[str],
                   country: Optional[str], place_id: Optional[str], since: Optional[str], story: Optional[str],
                   min_reports: int, disagree: bool) -> Optional[dict]:
    """Keyword arguments for ``reads.events``; None when a given filter names nothing (an empty page)."""
    if not _story_ok(r, story):
        return None
    found = reads.resolve_entity(r, actor) if actor and actor.strip() else None
    since_day = day_of(since)[0] if since else None
    if since and since_day is None:  # "2024-13"
        return None
    return {"plover_type": type, "acled": acled or None, "actor_entity_id": found["id"] if found else None,
            "actor_text": actor.strip() if actor and actor.strip() and not found else None, "country": country,
            "place_id": place_id or None, "since": since_day, "story_id": story or None,
            "min_reports": min_reports, "disagree": disagree}


EVENT_TYPE = Query(None, description="a PLOVER event type (ASSAULT, PROTEST, COERCE, …)")
EVENT_ACLED = Query(None, max_length=ID_TEXT,
                    description="an ACLED event type or sub-event type, e.g. Battles or Armed clash")
EVENT_ACTOR = Query(None, max_length=ID_TEXT, description="an entity id or name: events whose source or target it is "
                                                          "(a name no entity has matches the actors' words)")
EVENT_COUNTRY = Query(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 country code of the place")
EVENT_PLACE = Query(None, max_length=ID_TEXT, description="a place id (GeoNames id, or e.g. region:sahel)")
EVENT_SINCE = Query(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
                    description="YYYY[-MM[-DD]]: events that may have happened on or after it")
EVENT_STORY = Query(None, max_length=ID_TEXT, description="a story id: events reported by its articles")
EVENT_MIN_REPORTS = Query(1, ge=1, le=100_000, description="only events reported at least this many times")
EVENT_DISAGREE = Query(False, description="only events whose reports give different magnitudes")


@router.get("/events", response_model=models.Page[models.Event],
            summary="Events across articles (who did what to whom, where, when, how many), latest first")
def events(type: Optional[models.PloverType] = EVENT_TYPE, acled: Optional[str] = EVENT_ACLED,
           actor: Optional[str] = EVENT_ACTOR, country: Optional[str] = EVENT_COUNTRY,
           place_id: Optional[str] = EVENT_PLACE, since: Optional[str] = EVENT_SINCE,
           story: Optional[str] = EVENT_STORY, min_reports: int = EVENT_MIN_REPORTS, disagree: bool = EVENT_DISAGREE,
           limit: int = LIMIT, offset: int = OFFSET, r: Reader = Depends(reader)) -> dict:
    filters = _event_filters(r, type=type, acled=acled, actor=actor, country=country, place_id=place_id, since=since,
                             story=story, min_reports=min_reports, disagree=disagree)
    if filters is None:
        return page(0, [], limit, offset)
    total, items = reads.events(r, limit=limit, offset=offset, **filters)
    return page(total, items, limit, offset)


@router.get("/events/map", response_model=models.EventMap,
            summary="Located events as GeoJSON points, latest first (the same filters as /api/events)")
def event_map(type: Optional[models.PloverType] = EVENT_TYPE, acled: Optional[str] = EVENT_ACLED,
              actor: Optional[str] = EVENT_ACTOR, country: Optional[str] = EVENT_COUNTRY,
              place_id: Optional[str] = EVENT_PLACE, since: Optional[str] = EVENT_SINCE,
              story: Optional[str] = EVENT_STORY, min_reports: int = EVENT_MIN_REPORTS,
              disagree: bool = EVENT_DISAGREE,
              limit: int = Query(1000, ge=1, le=5000, description="points at most"),
              r: Reader = Depends(reader)) -> dict:
    filters = _event_filters(r, type=type, acled=acled, actor=actor, country=country, place_id=place_id, since=since,
                             story=story, min_reports=min_reports, disagree=disagree)
    if filters is None:
        return {"type": "FeatureCollection", "total": 0, "features": []}
    # Up to 5000 features: returned as built (they follow EventMap) rather than validated again.
    return JSONResponse(reads.events_geojson(r, limit=limit, **filters))


@router.get("/events/{event_id}", response_model=models.Event, responses={404: ERRORS[404]},
            summary="One event with every report of it")
def event(event_id: str, r: Reader = Depends(reader)) -> dict:
    found = reads.event(r, event_id)
    if found is None:
        raise _not_found("event")
    return found


@router.get("/stories", response_model=models.Page[models.Story], summary="Stories, biggest first")
def stories(limit: int = LIMIT, offset: int = OFFSET, r: Reader = Depends(reader)) -> dict:
    total, items = reads.stories(r, limit=limit, offset=offset)
    return page(total, items, limit, offset)


@router.get("/stories/{story_id}", response_model=models.Story, responses={404: ERRORS[404]}, summary="One story")
def story(story_id: str, r: Reader = Depends(reader)) -> dict:
    found = reads.story(r, story_id)
    if found is None:
        raise _not_found("story")
    return found


@router.get("/timeline", response_model=models.Page[models.TimelineItem], response_model_exclude_unset=True,
            summary="Dated events, statements and figures in date order (fields a kind lacks are absent)")
def timeline(story: Optional[str] = Query(None, max_length=ID_TEXT),
             since: Optional[str] = Query(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY[-MM[-DD]]"),
             kind: Optional[Literal["event", "statement", "figure"]] = None,
             limit: int = LIMIT, offset: int = OFFSET, r: Reader = Depends(reader)) -> dict:
    if not _story_ok(r, story):
        return page(0, [], limit, offset)
    total, items = reads.timeline(r, story_id=story, since=since, kind=kind, limit=limit, offset=offset)
    return page(total, items, limit, offset)


@router.get("/map", summary="Places as GeoJSON points weighted by mentions (the geojson export's places; "
                             "events: /api/events/map)")
def place_map(r: Reader = Depends(reader)) -> dict:
    return reads.map_features(r)


@router.get("/basemap", summary="Country outlines as GeoJSON (offline basemap)")
def basemap() -> JSONResponse:
    return JSONResponse(country_shapes(), headers={"Cache-Control": "public, max-age=86400"})


@router.post("/ingest", response_model=models.IngestResult, summary="Add articles (only with --allow-ingest)",
             responses={400: {"model": models.Error, "description": "empty request body"},
                        401: {"model": models.Error, "description": "missing or wrong bearer token"},
                        403: {"model": models.Error, "description": "ingestion is disabled on this server"},
                        413: {"model": models.Error, "description": "request body too large"}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 media: {"schema": BODY} for media in ("application/x-ndjson", "text/plain", "text/html")},
                 "description": "one article (text or HTML) or JSON Lines, as `sitroom ingest -` reads stdin"}})
async def ingest(request: Request, authorization: Optional[str] = Header(None)) -> dict:
    settings = request.app.state.settings
    if not settings.allow_ingest:
        raise HTTPException(403, "ingestion over HTTP is disabled (start the server with --allow-ingest)")
    from .security import bearer_matches

    if not bearer_matches(authorization, settings.token or ""):
        raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})
    body = await request.body()
    if not body.strip():
        raise HTTPException(400, "empty request body: send an article or JSON Lines")
    return await run_in_threadpool(_ingest_bytes, request.app.state.snapshots, body)


def _ingest_bytes(snapshots, body: bytes) -> dict:
    """Run the ingest pipeline on one request body while no snapshot is being taken, then
    load a fresh snapshot so the next request sees the new articles."""
    from ..errors import StoreError
    from ..pipeline import ingest as run_ingest
    from ..settings import Config
    from .snapshot import Locked

    stored: list[str] = []
    cfg = Config.load(db=snapshots.path)
    try:
        with snapshots.file_lock:
            report = run_ingest(["-"], cfg, stdin=io.BytesIO(body),
                                on_event=lambda kind, payload: stored.append(payload.doc_id) if kind == "new" else None)
    except StoreError as exc:
        raise Locked(str(exc)) from exc
    snapshots.reload()
    return {"new": report.new, "unchanged": report.unchanged, "duplicate_paths": report.duplicate_paths,
            "rejected": [{"path": x.path, "reason": x.reason, "code": x.code} for x in report.rejected],
            "document_ids": stored, "links": report.links}
