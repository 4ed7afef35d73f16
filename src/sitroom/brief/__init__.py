"""The briefing: a situation picture a decision maker can read in five minutes, offline.

``write_brief`` writes one self-contained HTML file (CSS and SVG inlined, no script, no URL that
a browser would fetch, print-ready on A4) or its Markdown twin.  Both are rendered from one
``Brief`` built from the store's read-side records (``store.export``, ``store.queries``),
restricted to a *scope*: the whole store, one story, and/or articles published since a date.

Every item cites the sentence it came from.  Citations are numbered in reading order and collected
in a "Sources" appendix (``#src-<document>-<start>``), where each sentence is shown with the
fact highlighted, so the file stays useful when it is printed, mailed or opened with no network.
Article text is untrusted: the HTML template autoescapes, the Markdown environment escapes every
value it prints (``_md_escape``), and a Content-Security-Policy meta tag forbids scripts and
fetches should anything slip through.

The modules: ``model`` (the dataclasses and citation numbering), ``text`` (formatting),
``sections`` (scope, stories, actors, statements, claims, events, places), ``mapview`` (the SVG
map), ``timeline`` (chart and list), ``build`` (assembling), ``render`` (HTML, Markdown, files);
the templates and the stylesheet are in ``templates/``.
"""

from __future__ import annotations

from .build import build_brief
from .model import (Actor, Brief, Carrier, Citations, ClaimRow, FigureRow, MapView, PlaceRow, Ref,
                    Scope, Source, StatementRow, StoryRow, TimelineChart, TimelineEntry)
from .render import TEMPLATES, _md_escape, render_brief, render_html, render_markdown, write_brief
from .sections import resolve_story
from .text import amount, day, evidence, number, span

__all__ = ["Actor", "Brief", "Carrier", "Citations", "ClaimRow", "FigureRow", "MapView", "PlaceRow",
           "Ref", "Scope", "Source", "StatementRow", "StoryRow", "TimelineChart", "TimelineEntry", "TEMPLATES",
           "amount", "build_brief", "day", "evidence", "number", "render_brief", "render_html", "render_markdown",
           "resolve_story", "span", "write_brief"]
