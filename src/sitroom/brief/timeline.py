"""The briefing's timeline: a swimlane chart on a broken time axis, and the list below it."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from datetime import date

from ..store.database import Store
from ..store.queries import timeline
from .model import Citations, EventRow, Scope, TimelineChart, TimelineEntry
from .text import day

KIND_ORDER = ("event", "date", "statement", "figure")
#: Lane names: "event" is a cross-document event (who did what); "date" a sentence naming a date
#: (the store timeline's "event" items).
LANES = {"event": "events", "date": "dates named", "statement": "statements", "figure": "figures"}
ONE = {"event": "event", "date": "date named", "statement": "statement", "figure": "figure"}
#: Among items carried by as many articles: counted or repeated events, statements, other events,
#: figures, dates named.
LIST_PRIORITY = {"statement": 1, "figure": 3, "date": 4}
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
#: Sources cited per timeline item at most.
MAX_ITEM_SOURCES = 4


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
    """Swimlanes (events, dates named, statements, figures) on a time axis broken where nothing
    happened for over a month; circle area grows with the number of items on a date.  A circle
    links to its date in the timeline list when the list shows that date."""
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
    lanes = [{"kind": k, "y": top + n * lane_h + lane_h / 2, "label": LANES[k],
              "count": sum(1 for i in items if i["kind"] == k)} for n, k in enumerate(KIND_ORDER)]
    lane_y = {lane["kind"]: lane["y"] for lane in lanes}
    dots = []
    for (value, kind), group in sorted(groups.items()):
        href = f"#tl-{value}" if value in shown_dates else ""
        dots.append({"x": round(pos(_ordinal(value)), 1), "y": lane_y[kind], "n": len(group),
                     "r": round(min(3 + 2.2 * math.sqrt(len(group) - 1), 14), 1), "kind": kind,
                     "href": href, "title": f"{day(value)}: {len(group)} {(ONE if len(group) == 1 else LANES)[kind]}"})
    return TimelineChart(width, top + height + 30, left, lanes, segments, dots)


def _event_items(events: list[EventRow], since: str | None) -> list[dict]:
    """Cross-document events as timeline items, at the date their reports give (their first
    report's publication date when none names one).  Words reported once (a demand, an
    accusation: usually a statement the list shows anyway) are charted but not listed."""
    items = []
    for ev in events:
        when = ev.date if ev.date and _ISO.match(ev.date) else ev.day
        if not when or (since and when < since):
            continue
        items.append({"date": when, "kind": "event", "text": ev.summary, "fact": "",
                      "listable": ev.material or ev.reports > 1,
                      "priority": 0 if ev.counts or ev.reports > 1 else 2,
                      "sources": [{"document_id": doc, "start": start, "end": end}
                                  for _, doc, start, end in ev.triggers]})
    return items


def _timeline(store: Store, scope: Scope, cite: Citations, limit: int, events: list[EventRow] = ()
              ) -> tuple[list[tuple[str, list[TimelineEntry]]], int, TimelineChart | None]:
    """The dated items of the scope: the chart shows them all; the list keeps ``limit`` of them,
    in date order, preferring items carried by more articles, then items of the situation itself
    over background (a sentence naming a date more than a month before its article was
    published: "since 2013"), then items from larger stories.  Events come from ``_events``; a
    sentence naming a date that reports an event is left to the event."""
    reported = defaultdict(list)
    for ev in events:
        for doc, start, end in ev.sentences:
            reported[doc].append((start, end))

    def in_event(s: dict) -> bool:
        return any(a <= s["start"] < b for a, b in reported.get(s["document_id"], ()))

    items = _event_items(events, scope.since)
    for i in timeline(store, scope.story_id, scope.since, limit=10**9):
        sources = [s for s in i["sources"] if s["document_id"] in scope.documents]
        if i["kind"] == "event":  # the store's dated sentences
            if all(in_event(s) for s in sources):
                continue
            i = {**i, "kind": "date"}
        if sources:
            items.append({**i, "sources": sources})
    story_size = Counter(d["story_id"] for d in scope.documents.values())

    def rank(i: dict) -> tuple:
        docs = [scope.documents[s["document_id"]] for s in i["sources"]]
        published = [_ordinal(d["published"]) for d in docs if d["published"]]
        background = bool(published) and _ordinal(i["date"]) < min(published) - 31
        return (-len({d["id"] for d in docs}), background, -max(story_size[d["story_id"]] for d in docs),
                i.get("priority", LIST_PRIORITY.get(i["kind"], 4)), i["date"], i["text"])

    listable = sorted((i for i in items if i.get("listable", True)), key=rank)
    keep = sorted(listable[:limit], key=lambda i: (i["date"], KIND_ORDER.index(i["kind"]), i["text"]))
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
        elif i["kind"] == "event":
            entry = TimelineEntry(i["date"], i["kind"], "", "", i["text"], "", refs, more)
        else:
            before, found, after = i["text"].partition(" ".join(i["fact"].split()))
            entry = TimelineEntry(i["date"], i["kind"], "", *((before, found, after) if found else
                                                               (i["text"], "", "")), refs, more)
        by_date.setdefault(i["date"], []).append(entry)
    return list(by_date.items()), len(items), chart
