"""Server-rendered pages.  Everything is readable without JavaScript: JS (static/app.js) only
turns the SVG maps into Leaflet maps and marks every part of a fact you jumped to.

Templates get plain strings and numbers; Jinja's autoescape (always on, see ``app.templates``)
escapes every piece of article text, and no template marks database content as safe."""

from __future__ import annotations

from typing import Literal, Optional
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..store.events import day_of
from . import fulltext, highlight, mapsvg, models, reads
from .api import ID_TEXT, OFFSET, reader
from .snapshot import Reader

router = APIRouter(include_in_schema=False)
PAGE = 20
HL = Query(None, pattern=r"^\d{1,9}-\d{1,9}$", description="START-END: a passage to mark")


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def qs(request: Request, **changes) -> str:
    """The current query string with some parameters changed (``None`` removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "" or value is False:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else "?"


def pager(request: Request, total: int, limit: int, offset: int) -> dict:
    return {"total": total, "limit": limit, "offset": offset, "first": offset + 1 if total else 0,
            "last": min(total, offset + limit),
            "prev": qs(request, offset=max(0, offset - limit) or None) if offset > 0 else None,
            "next": qs(request, offset=offset + limit) if offset + limit < total else None}


@router.get("/", response_class=HTMLResponse)
@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request,
                q: str = Query("", max_length=500),
                source: Optional[str] = Query(None, max_length=ID_TEXT),
                date_from: Optional[str] = Query(None, pattern=r"^(\d{4}-\d{2}-\d{2})?$"),
                date_to: Optional[str] = Query(None, pattern=r"^(\d{4}-\d{2}-\d{2})?$"),
                entity: Optional[str] = Query(None, max_length=ID_TEXT),
                place: Optional[str] = Query(None, max_length=ID_TEXT),
                story: Optional[str] = Query(None, max_length=ID_TEXT),
                offset: int = OFFSET, r: Reader = Depends(reader)) -> HTMLResponse:
    ent = reads.resolve_entity(r, entity) if entity else None
    pl = reads.resolve_place(r, place) if place else None
    st = reads.story(r, story) if story else None
    unmatched = [f"{what} “{value}”" for what, value, found in
                 (("entity", entity, ent), ("place", place, pl), ("story", story, st)) if value and not found]
    if unmatched:
        total, hits = 0, []
    else:
        total, hits = fulltext.search(r, q=q, source=source or None, date_from=date_from or None, date_to=date_to or None,
                                   entity_id=ent["id"] if ent else None, place_id=pl["id"] if pl else None,
                                   story_id=story or None, limit=PAGE, offset=offset)
    pattern = fulltext.term_pattern(fulltext.query_terms(q))
    for h in hits:
        h["marked"] = marked(h["snippet"], pattern)
    return render(request, "search.html", q=q, source=source or "", date_from=date_from or "", date_to=date_to or "",
                  entity=entity or "", place=place or "", ent=ent, pl=pl, story=st, unmatched=unmatched, hits=hits,
                  sources=reads.sources(r), pager=pager(request, total, PAGE, offset), counts=r.snapshot.counts,
                  fts=r.snapshot.fts, clear=lambda key: qs(request, **{key: None, "offset": None}))


def marked(text: str, pattern) -> list[tuple[str, bool]]:
    """``text`` as (piece, is_match) pairs, for <mark> in templates without any markup in data."""
    if pattern is None:
        return [(text, False)]
    out, pos = [], 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], False))
        out.append((m.group(0), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def _mark_in(sentence: str, fact: str) -> list[tuple[str, bool]]:
    i = sentence.find(fact) if fact else -1
    if i < 0:
        return [(sentence, False)]
    return [(sentence[:i], False), (fact, True), (sentence[i + len(fact):], False)]


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, hl: Optional[str] = HL, r: Reader = Depends(reader)) -> HTMLResponse:
    doc = reads.document(r, doc_id)
    if doc is None:
        raise HTTPException(404, "No document with this id.")
    mark = tuple(int(x) for x in hl.split("-")) if hl else None
    names = reads.entity_names(r, [e["entity_id"] for e in doc["entities"]])
    segs = highlight.segments(doc["text"], highlight.document_facts(doc, names, mark))
    groups: dict[str, dict] = {}
    for e in doc["entities"]:
        g = groups.setdefault(e["entity_id"], {"id": e["entity_id"], "name": names.get(e["entity_id"], e["text"]),
                                                "label": e["label"], "anchors": []})
        g["anchors"].append(highlight.anchor_id("ent", e["start"]))
    place_groups: dict[str, dict] = {}
    for p in doc["places"]:
        g = place_groups.setdefault(p["place_id"], {"id": p["place_id"], "name": p["name"], "feature": p["feature"],
                                                    "country_code": p["country_code"], "anchors": []})
        g["anchors"].append(highlight.anchor_id("pla", p["start"]))
    story = reads.story(r, doc["story_id"]) if doc["story_id"] else None
    return render(request, "document.html", doc=doc, segments=segs, entity_groups=sorted(
        groups.values(), key=lambda g: (-len(g["anchors"]), g["name"])), place_groups=sorted(
        place_groups.values(), key=lambda g: (-len(g["anchors"]), g["name"])), story=story,
        labels=highlight.LABELS, url_ok=bool(doc["url"] and doc["url"].lower().startswith(("http://", "https://"))))


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, q: Optional[str] = Query(None, max_length=ID_TEXT),
                  label: Optional[str] = Query(None, max_length=40), offset: int = OFFSET,
                  r: Reader = Depends(reader)) -> HTMLResponse:
    total, items = reads.entities(r, q=q or None, label=label or None, limit=50, offset=offset)
    return render(request, "entities.html", items=items, q=q or "", label=label or "", labels=reads.entity_labels(r),
                  label_names=highlight.LABELS, pager=pager(request, total, 50, offset))


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str, offset: int = OFFSET, r: Reader = Depends(reader)) -> Response:
    canonical = reads.canonical_entity(r, entity_id)
    if canonical is None:
        raise HTTPException(404, "No entity with this id.")
    if canonical != entity_id:
        return RedirectResponse(f"/entities/{canonical}", status_code=307)
    ent = reads.entity_records(r, [canonical])[0]
    roles: dict[str, list[dict]] = {}
    for x in ent["roles"]:
        roles.setdefault(x["role"], []).append(x)
    role_groups = [{"role": role, "count": len(xs), "shown": xs[:5]}
                   for role, xs in sorted(roles.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    reads.role_sources(r, [x for g in role_groups for x in g["shown"]])
    total, docs = reads.entity_documents(r, canonical, limit=PAGE, offset=offset)
    s_total, said = reads.statements(r, speaker_entity_id=canonical, limit=10)
    return render(request, "entity.html", ent=ent, role_groups=role_groups, docs=docs,
                  pager=pager(request, total, PAGE, offset), statements=said, statements_total=s_total,
                  label_names=highlight.LABELS)


@router.get("/places/{place_id}", response_class=HTMLResponse)
def place_page(request: Request, place_id: str, offset: int = OFFSET, r: Reader = Depends(reader)) -> HTMLResponse:
    pl = reads.place(r, place_id)
    if pl is None:
        raise HTTPException(404, "No place with this id.")
    total, docs = reads.place_documents(r, place_id, limit=PAGE, offset=offset)
    c_total, about = reads.claims(r, place_id=place_id, limit=10)
    return render(request, "place.html", pl=pl, docs=docs, pager=pager(request, total, PAGE, offset),
                  claims=about, claims_total=c_total, needs_map=pl["lat"] is not None)


@router.get("/places/{place_id}/map.svg")
def place_svg(place_id: str, r: Reader = Depends(reader)) -> Response:
    pl = reads.place(r, place_id)
    if pl is None or pl["lat"] is None or pl["lon"] is None:
        raise HTTPException(404, "No place with coordinates for this id.")
    bbox = mapsvg.around(pl["lon"], pl["lat"], pl["feature"])
    others = [f for f in reads.map_features(r)["features"] if f["id"] != place_id]
    largest = max([f["properties"]["mention_count"] for f in others] + [pl["mention_count"]])
    points = [(f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][1],
               mapsvg.radius(f["properties"]["mention_count"], largest, 12), "other") for f in others]
    points.append((pl["lon"], pl["lat"], max(7.0, mapsvg.radius(pl["mention_count"], largest, 16)), "here"))
    return _svg(mapsvg.render(points, bbox, 720))


@router.get("/map.svg")
def world_svg(r: Reader = Depends(reader)) -> Response:
    svg = r.snapshot.cached(("world.svg",), lambda: _world(r))
    return _svg(svg)


def _world(r: Reader) -> str:
    feats = reads.map_features(r)["features"]
    largest = max([f["properties"]["mention_count"] for f in feats] + [1])
    return mapsvg.render([(f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][1],
                           mapsvg.radius(f["properties"]["mention_count"], largest), "here") for f in feats])


def _svg(body: str) -> Response:
    return Response(body, media_type="image/svg+xml", headers={"Cache-Control": "max-age=60"})


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, offset: int = OFFSET, r: Reader = Depends(reader)) -> HTMLResponse:
    total, items = reads.places(r, limit=100, offset=offset)
    return render(request, "map.html", items=items, pager=pager(request, total, 100, offset), needs_map=True)


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request, offset: int = OFFSET, r: Reader = Depends(reader)) -> HTMLResponse:
    total, items = reads.stories(r, limit=PAGE, offset=offset)
    for s in items:
        s["documents"] = reads.documents_meta(r, s["document_ids"][:5])
    return render(request, "stories.html", items=items, pager=pager(request, total, PAGE, offset))


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str, r: Reader = Depends(reader)) -> HTMLResponse:
    st = reads.story(r, story_id)
    if st is None:
        raise HTTPException(404, "No story with this id.")
    docs = reads.documents_meta(r, st["document_ids"][:200])
    c_total, about = reads.claims(r, story_id=story_id, limit=8)
    _claim_context(r, about)
    s_total, said = reads.statements(r, story_id=story_id, limit=8)
    t_total, events = reads.timeline(r, story_id=story_id, limit=30)
    return render(request, "story.html", st=st, docs=docs, claims=about, claims_total=c_total, statements=said,
                  statements_total=s_total, events=events, events_total=t_total)


def _claim_context(r: Reader, items: list[dict]) -> None:
    figs = [f for c in items for f in c["figures"]]
    reads.with_sentences(r, figs)
    for f in figs:
        f["marked"] = _mark_in(f["sentence"], f["fact_text"])
    names = reads.place_names(r, [c["place_id"] for c in items])
    for c in items:
        c["place_name"] = names.get(c["place_id"])


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request, subject: Optional[str] = Query(None, max_length=ID_TEXT),
                disagree: bool = False, single: bool = False, id: Optional[str] = Query(None, max_length=ID_TEXT),
                offset: int = OFFSET, r: Reader = Depends(reader)) -> HTMLResponse:
    """Claims with two or more figures unless ``single`` (or one claim by ``id``)."""
    total, items = reads.claims(r, subject=subject or None, disagree=disagree, claim_id=id or None,
                                min_figures=1 if id or single else 2, limit=PAGE, offset=offset)
    _claim_context(r, items)
    return render(request, "claims.html", items=items, subject=subject or "", disagree=disagree, single=single,
                  one=id, pager=pager(request, total, PAGE, offset))


@router.get("/statements", response_class=HTMLResponse)
def statements_page(request: Request, q: Optional[str] = Query(None, max_length=500),
                    speaker: Optional[str] = Query(None, max_length=ID_TEXT), flagged: bool = False,
                    id: Optional[str] = Query(None, max_length=ID_TEXT), offset: int = OFFSET,
                    r: Reader = Depends(reader)) -> HTMLResponse:
    who = reads.resolve_entity(r, speaker) if speaker else None
    if speaker and not who:
        total, items = 0, []
    else:
        total, items = reads.statements(r, q=q or None, speaker_entity_id=who["id"] if who else None, flagged=flagged,
                                        statement_id=id or None, limit=PAGE, offset=offset)
    for s in items:
        meta = reads.documents_meta(r, [x["document_id"] for x in s["quotes"]])
        titles = {m["id"]: m["title"] for m in meta}
        for x in s["quotes"]:
            x["title"] = titles.get(x["document_id"])
    return render(request, "statements.html", items=items, q=q or "", speaker=speaker or "", who=who, flagged=flagged,
                  one=id, pager=pager(request, total, PAGE, offset))


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, story: Optional[str] = Query(None, max_length=ID_TEXT),
                  since: Optional[str] = Query(None, pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"),
                  kind: Optional[Literal["event", "statement", "figure", ""]] = None,
                  offset: int = OFFSET, r: Reader = Depends(reader)) -> HTMLResponse:
    st = reads.story(r, story) if story else None
    if story and not st:
        total, items = 0, []
    else:
        total, items = reads.timeline(r, story_id=story or None, since=since or None, kind=kind or None,
                                      limit=50, offset=offset)
    _, all_stories = reads.stories(r, limit=100)
    return render(request, "timeline.html", items=items, story=story or "", st=st, since=since or "", kind=kind or "",
                  stories=all_stories, pager=pager(request, total, 50, offset))


# -- events ------------------------------------------------------------------------------------
def event_when(e: dict) -> str:
    """When an event happened, as its reports date it: "2024-03-04", "2024-03-16 – 2024-03-18",
    "week of 2024-03-04", or the publication day when no report names a calendar date."""
    start, end = e.get("date"), e.get("date_end")

    def one(value: str) -> str:
        return f"week of {day_of(value)[0]}" if "-W" in value else value

    if start and day_of(start)[0]:
        return one(start) if not end or end == start or not day_of(end)[0] else f"{one(start)} – {one(end)}"
    return f"{e['day']} (publication date)" if e.get("day") else "undated"


MAGNITUDES = (("dead", "dead"), ("injured", "injured"), ("arrested", "arrested"), ("size", "in the crowd"))


def _event_context(items: list[dict]) -> None:
    """What the event cards show beside the record: the date as text, the counts, and each
    report's sentence cut into (text, class) pieces around its trigger and counts."""
    for e in items:
        e["when"] = event_when(e)
        e["tolls"] = [(label, highlight.figure_range(e[k]["low"], e[k]["high"])) for k, label in MAGNITUDES if e[k]]
        for m in e["mentions"]:
            figures = [(k, label, m[k]) for k, label in MAGNITUDES if m[k]]
            spans = [(m["start"], m["end"], "trigger")] + [(f["start"], f["end"], "count") for _, _, f in figures]
            m["pieces"] = highlight.pieces(m["sentence"], m["sentence_start"], spans)
            m["counts"] = [f"{f['text']} {label}" for _, label, f in figures]


def _events_query(r: Reader, type: Optional[str], actor: Optional[str], country: Optional[str],
                  since: Optional[str], place: Optional[str], story: Optional[str], disagree: bool,
                  event_id: Optional[str], acled: Optional[str] = None) -> tuple[Optional[dict], dict]:
    """(keyword arguments for reads.events or None when a filter matches nothing, what the page echoes)."""
    who = reads.resolve_entity(r, actor) if actor and actor.strip() else None
    pl = reads.resolve_place(r, place) if place else None
    st = reads.story(r, story) if story else None
    since_day = day_of(since)[0] if since else None
    shown = {"type": type or "", "acled": acled or "", "actor": actor or "", "country": (country or "").upper(),
             "since": since or "",
             "place": place or "", "pl": pl, "who": who, "story": st, "disagree": disagree, "one": event_id}
    if (place and not pl) or (story and not st) or (since and not since_day):
        return None, shown
    return {"event_id": event_id or None, "plover_type": type or None, "acled": acled or None,
            "actor_entity_id": who["id"] if who else None,
            "actor_text": actor.strip() if actor and actor.strip() and not who else None,
            "country": country or None, "place_id": pl["id"] if pl else None,
            "since": since_day, "story_id": st["id"] if st else None,
            "disagree": disagree}, shown


EVENT_PAGE_TYPE = Query(None, pattern="^(" + "|".join(models.PloverType.__args__) + ")?$")
EVENT_PAGE_COUNTRY = Query(None, pattern=r"^([A-Za-z]{2})?$")
EVENT_PAGE_SINCE = Query(None, pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, type: Optional[str] = EVENT_PAGE_TYPE,
                acled: Optional[str] = Query(None, max_length=ID_TEXT),
                actor: Optional[str] = Query(None, max_length=ID_TEXT), country: Optional[str] = EVENT_PAGE_COUNTRY,
                since: Optional[str] = EVENT_PAGE_SINCE, place: Optional[str] = Query(None, max_length=ID_TEXT),
                story: Optional[str] = Query(None, max_length=ID_TEXT), disagree: bool = False,
                id: Optional[str] = Query(None, max_length=ID_TEXT), offset: int = OFFSET,
                r: Reader = Depends(reader)) -> HTMLResponse:
    filters, shown = _events_query(r, type, actor, country, since, place, story, disagree, id, acled)
    total, items = (0, []) if filters is None else reads.events(r, limit=PAGE, offset=offset, **filters)
    _event_context(items)
    api = {"type": type, "acled": acled, "actor": actor, "country": country, "since": since,
           "place_id": shown["pl"]["id"] if shown["pl"] else None, "story": story,
           "disagree": "true" if disagree else None}
    query = urlencode({k: v for k, v in api.items() if v})
    return render(request, "events.html", items=items, pager=pager(request, total, PAGE, offset),
                  facets=reads.event_facets(r), map_query=query,
                  unmatched=filters is None, needs_map=True,
                  clear=lambda key: qs(request, **{key: None, "offset": None}),
                  **shown)


@router.get("/events/map.svg")
def events_svg(type: Optional[str] = EVENT_PAGE_TYPE, acled: Optional[str] = Query(None, max_length=ID_TEXT),
               actor: Optional[str] = Query(None, max_length=ID_TEXT),
               country: Optional[str] = EVENT_PAGE_COUNTRY, since: Optional[str] = EVENT_PAGE_SINCE,
               place_id: Optional[str] = Query(None, max_length=ID_TEXT),
               story: Optional[str] = Query(None, max_length=ID_TEXT), disagree: bool = False,
               r: Reader = Depends(reader)) -> Response:
    """The events page's map without JavaScript: a dot per located event."""
    filters, _ = _events_query(r, type, actor, country, since, place_id, story, disagree, None, acled)
    feats = reads.events_geojson(r, limit=5000, **filters)["features"] if filters is not None else []
    return _svg(mapsvg.render([(f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][1],
                                5.0 + min(f["properties"]["reports"], 9), "event") for f in feats]))
