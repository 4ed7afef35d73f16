"""Facts of one article as highlighted, linkable spans.

Facts overlap (a figure inside a quote, a place that is also an entity mention), and HTML
elements cannot, so the text is cut at every fact boundary into flat segments; each segment
carries the classes, hover titles and link of every fact covering it, and each fact leaves an
empty anchor element (``id="fig-120"``: kind and start offset, so any page that knows a fact's
document and start can link to it) where it begins.  Segments are plain strings: the template
escapes them like any other article text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

#: Readable names for spaCy entity labels.
LABELS = {"PERSON": "Person", "ORG": "Organisation", "GPE": "Country, city or state", "LOC": "Location",
          "NORP": "Group (nationality, religion, politics)", "FAC": "Facility", "EVENT": "Event",
          "WORK_OF_ART": "Work", "PRODUCT": "Product", "LAW": "Law", "LANGUAGE": "Language"}


@dataclass(frozen=True)
class Fact:
    kind: str          # ent | pla | dat | quo | fig | mark
    start: int
    end: int
    title: str
    href: str | None = None
    css: str = ""

    @property
    def anchor(self) -> str:
        return "hl" if self.kind == "mark" else anchor_id(self.kind, self.start)


@dataclass(frozen=True)
class Segment:
    text: str
    css: str            # "" when no fact covers the segment
    title: str
    href: str | None
    anchors: tuple[str, ...]
    facts: str          # anchors of the covering facts (for static/doc.js)


def anchor_id(kind: str, start: int) -> str:
    return f"{kind}-{start}"


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def figure_range(low: float | None, high: float | None, unit: str | None = None) -> str:
    body = _fmt(low) if low == high else f"{_fmt(low)}–{_fmt(high)}"
    return f"{body}{'%' if unit == '%' else ' ' + unit if unit else ''}"


#: How a report that does not assert its event is marked (PLOVER's auxiliary modes).
FACTUALITY = {"negated": "did not happen (negated)", "hypothetical": "might happen (hypothetical)",
              "future": "planned or expected (future)"}


def actor_name(actor: dict | None) -> str | None:
    """The name of an event's source or target (an export actor object), else its words."""
    return (actor.get("name") or actor.get("text")) if actor else None


def event_title(e: dict) -> str:
    """Hover text of an event trigger (an export event object): what, who to whom, where, when,
    how many, and whether the sentence says it happened."""
    what = "/".join(x for x in (e["plover_type"], e.get("plover_mode")) if x)
    if e.get("acled_sub_event_type"):
        what += f" · ACLED {e['acled_sub_event_type']}"
    source, target = actor_name(e.get("source_actor")), actor_name(e.get("target_actor"))
    parts = [f"Event ({what}): {source or '?'}{' → ' + target if target else ''}"]
    if e.get("place_name"):
        parts.append(f"at {e['place_name']}")
    if e.get("date") and not e["date"].endswith("_REF"):  # PRESENT_REF ("now") names no date
        parts.append(f"{e['date']}{' (publication date)' if e.get('date_source') == 'publication' else ''}")
    parts += [f"{e[k]['text']} {k}" for k in ("dead", "injured", "arrested", "size") if e.get(k)]
    if e.get("factuality", "asserted") != "asserted":
        parts.append(FACTUALITY.get(e["factuality"], e["factuality"]))
    return " · ".join(parts)


def document_facts(doc: dict, entity_names: dict[str, str], mark: tuple[int, int] | None = None) -> list[Fact]:
    """The highlightable facts of a document record (``reads.document``); a reported event links
    to its cross-document event, one the sentence does not assert is marked by its factuality."""
    facts: list[Fact] = []
    for e in doc["entities"]:
        name = entity_names.get(e["entity_id"], e["text"])
        facts.append(Fact("ent", e["start"], e["end"], f"{LABELS.get(e['label'], e['label'])}: {name}",
                          f"/entities/{e['entity_id']}", f"hl-ent lbl-{e['label'].lower()}"))
    for p in doc["places"]:
        where = ", ".join(x for x in (p["feature"], p["country_code"]) if x)
        facts.append(Fact("pla", p["start"], p["end"], f"Place: {p['name']} ({where})", f"/places/{p['place_id']}",
                          "hl-place"))
    for d in doc["dates"]:
        facts.append(Fact("dat", d["start"], d["end"], f"Date: {d['value'] or 'not resolved'}", None, "hl-date"))
    for q in doc["quotes"]:
        who = q["speaker"] or "unattributed"
        extra = "".join(f" · {x}" for x in (q["cue"], f"to {q['outlet']}" if q["outlet"] else None) if x)
        facts.append(Fact("quo", q["start"], q["end"], f"Quote ({'direct' if q['direct'] else 'reported'}): {who}{extra}",
                          None, "hl-quote"))
    for f in doc["figures"]:
        what = " ".join(x for x in (f["qualifier"], figure_range(f["low"], f["high"], f["unit"]), f["subject"]) if x)
        facts.append(Fact("fig", f["start"], f["end"], f"Figure ({f['kind']}): {what}", None, "hl-fig"))
    for e in doc.get("events", []):
        css = "hl-event" + ("" if e["factuality"] == "asserted" else f" ev-{e['factuality']}")
        facts.append(Fact("evt", e["start"], e["end"], event_title(e),
                          f"/events?id={e['event_id']}" if e.get("event_id") else None, css))
    if mark:
        facts.append(Fact("mark", mark[0], mark[1], "The passage you followed a link to", None, "hl-mark"))
    return facts


def segments(text: str, facts: Iterable[Fact]) -> list[Segment]:
    """Cut ``text`` at fact boundaries; invalid spans (outside the text, empty) are skipped."""
    valid = sorted((f for f in facts if 0 <= f.start < f.end <= len(text)), key=lambda f: (f.start, -f.end))
    starting: dict[int, list[Fact]] = {}
    seen: set[str] = set()
    anchors: dict[int, list[str]] = {}
    for f in valid:
        starting.setdefault(f.start, []).append(f)
        if f.anchor not in seen:
            seen.add(f.anchor)
            anchors.setdefault(f.start, []).append(f.anchor)
    bounds = sorted({0, len(text), *(f.start for f in valid), *(f.end for f in valid)})
    out: list[Segment] = []
    active: list[Fact] = []
    for a, b in zip(bounds, bounds[1:]):
        active = [f for f in active if f.end > a] + starting.get(a, [])
        if not active:
            out.append(Segment(text[a:b], "", "", None, tuple(anchors.get(a, ())), ""))
            continue
        inner = sorted(active, key=lambda f: f.end - f.start)  # innermost fact first
        href = next((f.href for f in inner if f.kind in ("pla", "evt") and f.href), None) or \
            next((f.href for f in inner if f.href), None)
        css = " ".join(dict.fromkeys(c for f in inner for c in f.css.split()))
        title = "\n".join(dict.fromkeys(f.title for f in inner))
        out.append(Segment(text[a:b], css, title, href, tuple(anchors.get(a, ())),
                           " ".join(dict.fromkeys(f.anchor for f in inner))))
    return out


def pieces(text: str, offset: int, spans: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    """``text`` (which starts at ``offset`` in its article) as (piece, class) pairs, cut at the
    given (start, end, class) spans, whitespace runs collapsed: for marking a trigger and the
    counts in a report's sentence without markup in the data.  Overlapping spans: the first wins."""
    marks = [""] * len(text)
    for start, end, cls in reversed(spans):
        for i in range(max(0, start - offset), min(len(text), end - offset)):
            marks[i] = cls
    out: list[tuple[str, str]] = []
    for ch, cls in zip(text, marks):
        if out and out[-1][1] == cls:
            out[-1] = (out[-1][0] + ch, cls)
        else:
            out.append((ch, cls))
    cleaned = [(re.sub(r"\s+", " ", piece), cls) for piece, cls in out]
    if cleaned:
        cleaned[0] = (cleaned[0][0].lstrip(), cleaned[0][1])
        cleaned[-1] = (cleaned[-1][0].rstrip(), cleaned[-1][1])
    return [c for c in cleaned if c[0]]
