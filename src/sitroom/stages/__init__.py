"""Per-document stages, registered as spaCy components with versioned names so spaCy users can
add them to their own pipelines (``nlp.add_pipe("sitroom_entities_v1")``).

Each stage writes a plain, msgpack-serialisable payload under ``doc._.sitroom[<stage>]`` so docs
survive ``nlp.pipe(n_process=N)`` and Dask workers unchanged.  ``tests/registry_contents.json``
pins the registered names.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

#: The registered component names (pinned by tests/test_registry.py).
REGISTERED = ("sitroom_entities_v1", "sitroom_places_v1", "sitroom_dates_v1", "sitroom_figures_v1", "sitroom_quotes_v1",
              "sitroom_events_v1")


def anchor_of(doc: Doc) -> date | None:
    """The publication date the pipeline put on the Doc (relative dates are resolved against it)."""
    raw = doc.user_data.get("sitroom_anchor")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _payload(doc: Doc) -> dict:
    if doc._.sitroom is None:
        doc._.sitroom = {}
    return doc._.sitroom


class EntitiesStage:
    def __init__(self, alias_file: str = ""):
        from .aliases import load_aliases

        self.aliases = load_aliases(alias_file)

    def __call__(self, doc: Doc) -> Doc:
        from .entities import extract_entities

        result = extract_entities(doc, self.aliases, doc.user_data.get("sitroom_source"))
        _payload(doc)["entities"] = {
            "mentions": [dataclasses.asdict(m) for m in result.mentions],
            "names": {k: list(v) for k, v in result.names.items()},
            "aliases": [dataclasses.asdict(a) for a in result.aliases],
            "roles": [dataclasses.asdict(r) for r in result.roles],
        }
        return doc


class PlacesStage:
    def __init__(self) -> None:
        from ..geo.gazetteer import load

        self.gazetteer = load()

    def __call__(self, doc: Doc) -> Doc:
        from .places import find_places

        places, demonyms = find_places(doc, doc.user_data.get("sitroom_source_country"), gazetteer=self.gazetteer)
        _payload(doc)["places"] = [dataclasses.asdict(p) for p in places]
        _payload(doc)["demonyms"] = [dataclasses.asdict(d) for d in demonyms]
        relabel_place_entities(_payload(doc).get("entities"), places)
        return doc


def relabel_place_entities(entities: dict | None, places: list) -> None:
    """An entity NER called a person or organisation ("al-Qaim", "Vilvoorde") whose every mention
    the gazetteer resolved as a place becomes a place entity (GPE, or LOC for regions), with the
    id that label gives it."""
    if not entities:
        return
    from .entities import entity_id

    spans = {(p.start, p.end): p for p in places}
    by_id: dict[str, list[dict]] = {}
    for m in entities["mentions"]:
        by_id.setdefault(m["entity_id"], []).append(m)
    renamed: dict[str, str] = {}
    for eid, ms in by_id.items():
        name, label = entities["names"][eid]
        if label not in ("PERSON", "ORG") or not all((m["start"], m["end"]) in spans for m in ms):
            continue
        if any(r["entity_id"] == eid for r in entities["roles"]):
            continue  # a role ("mayor of ...") says it is an actor
        new_label = "LOC" if spans[(ms[0]["start"], ms[0]["end"])].feature == "region" else "GPE"
        new_id = entity_id(new_label, name)
        renamed[eid] = new_id
        entities["names"][new_id] = [name, new_label]
        del entities["names"][eid]
        for m in ms:
            m["label"], m["entity_id"] = new_label, new_id
    for a in entities["aliases"]:
        a["entity_id"] = renamed.get(a["entity_id"], a["entity_id"])


class DatesStage:
    def __call__(self, doc: Doc) -> Doc:
        from .dates import find_dates

        _payload(doc)["dates"] = [dataclasses.asdict(d) for d in find_dates(doc, anchor_of(doc))]
        return doc


class FiguresStage:
    def __call__(self, doc: Doc) -> Doc:
        from .figures import find_figures

        _payload(doc)["figures"] = [dataclasses.asdict(f) for f in find_figures(doc)]
        return doc


class QuotesStage:
    """Runs after the entity stage: speakers are linked to its mentions, roles and names."""

    def __call__(self, doc: Doc) -> Doc:
        from ..schema import Mention, Role
        from .quotes import find_quotes

        ents = _payload(doc).get("entities", {})
        mentions = [Mention(**m) for m in ents.get("mentions", [])]
        roles = [Role(**r) for r in ents.get("roles", [])]
        names = {k: tuple(v) for k, v in ents.get("names", {}).items()}
        _payload(doc)["quotes"] = [dataclasses.asdict(q) for q in find_quotes(doc, mentions, roles, names)]
        return doc


class EventsStage:
    """Runs last: joins the entities, places, dates and figures found on the same Doc into event
    records around a trigger; it never re-parses."""

    def __init__(self) -> None:
        from .events import load_lexicon

        self.lexicon = load_lexicon()

    def __call__(self, doc: Doc) -> Doc:
        from .events import find_events

        _payload(doc)["events"] = [dataclasses.asdict(e) for e in find_events(doc, _payload(doc), anchor_of(doc),
                                                                                  self.lexicon)]
        return doc


_registered = False


def register() -> None:
    """Register the extension attribute and the factories (idempotent)."""
    global _registered
    if _registered:
        return
    if not Doc.has_extension("sitroom"):
        Doc.set_extension("sitroom", default=None)
    Language.factory(
        "sitroom_entities_v1",
        default_config={"alias_file": ""},
        requires=["doc.ents", "token.dep", "token.tag"],
        assigns=["doc._.sitroom"],
        func=lambda nlp, name, alias_file: EntitiesStage(alias_file),
    )
    Language.factory(
        "sitroom_places_v1",
        requires=["doc.ents", "token.dep", "token.tag"],
        assigns=["doc._.sitroom"],
        func=lambda nlp, name: PlacesStage(),
    )
    Language.factory(
        "sitroom_dates_v1",
        requires=["doc.ents"],
        assigns=["doc._.sitroom"],
        func=lambda nlp, name: DatesStage(),
    )
    Language.factory(
        "sitroom_figures_v1",
        requires=["doc.ents", "token.dep", "token.tag"],
        assigns=["doc._.sitroom"],
        func=lambda nlp, name: FiguresStage(),
    )
    Language.factory(
        "sitroom_quotes_v1",
        requires=["doc.ents", "token.dep", "token.tag", "doc._.sitroom"],
        assigns=["doc._.sitroom"],
        func=lambda nlp, name: QuotesStage(),
    )
    Language.factory(
        "sitroom_events_v1",
        requires=["doc.ents", "token.dep", "token.lemma", "doc._.sitroom"],
        assigns=["doc._.sitroom"],
        func=lambda nlp, name: EventsStage(),
    )
    _registered = True


register()
