"""Rendering a briefing as self-contained HTML or as its Markdown twin, and writing the file."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from ..errors import UsageError
from ..store.database import Store
from .build import build_brief
from .model import Brief
from .text import day, span

TEMPLATES = Path(__file__).with_name("templates")


class _MdSafe(str):
    """Markdown the template built itself (links, footnote markers): printed as is."""


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~#!])")


def _md_escape(value: object) -> str:
    """Text safe to place anywhere in a Markdown line: HTML-significant characters become
    entities (Markdown renderers pass raw HTML through) and Markdown syntax is backslashed."""
    if value is None:
        return ""
    if isinstance(value, _MdSafe):
        return value
    text = re.sub(r"\s+", " ", str(value))  # one line, but spaces between values are kept
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _environment(markdown: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=not markdown, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        finalize=_md_escape if markdown else None)
    env.filters.update(day=day, span=span)
    if markdown:
        env.filters["ref"] = lambda r: _MdSafe(f"[^{r.n}]")
        env.filters["refs"] = lambda rs: _MdSafe(" ".join(f"[^{r.n}]" for r in rs))
        env.filters["raw"] = _MdSafe
    return env


def render_html(brief: Brief) -> str:
    return _environment(False).get_template("brief.html.j2").render(b=brief)


def render_markdown(brief: Brief) -> str:
    """The Markdown twin.  It has no map circles or chart dots, so it lists only the sources its
    text cites (footnote numbers stay those of the HTML, so the two can be read side by side)."""
    template = _environment(True).get_template("brief.md.j2")
    body = template.render(b=brief, cited=None).split("\n## Sources\n")[0]
    return template.render(b=brief, cited={int(n) for n in re.findall(r"\[\^(\d+)\]", body)})


def render_brief(store: Store, *, story: str | None = None, since: str | None = None,
                 top: int = 10) -> tuple[str, str]:
    """(HTML, Markdown) of one briefing, built once."""
    brief = build_brief(store, story=story, since=since, top=top)
    return render_html(brief), render_markdown(brief)


def write_brief(store: Store, out: Path, *, story: str | None = None, since: str | None = None,
                top: int = 10) -> dict:
    """Write ``brief.html`` or ``brief.md`` (by the suffix of ``out``); returns what it holds."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".md", ".markdown"):
        raise UsageError(f"cannot tell the format of {out.name!r}: use a .html or .md file name")
    if not out.parent.is_dir():
        raise UsageError(f"folder {str(out.parent)!r} does not exist")
    brief = build_brief(store, story=story, since=since, top=top)
    text = render_markdown(brief) if suffix in (".md", ".markdown") else render_html(brief)
    out.write_text(text, encoding="utf-8")
    return {"path": str(out), "format": "md" if suffix in (".md", ".markdown") else "html",
            "bytes": len(text.encode("utf-8")), "scope": brief.scope.description,
            "articles": len(brief.scope.documents), "stories": len(brief.stories), "actors": len(brief.actors),
            "statements": len(brief.statements), "claims": len(brief.claims),
            "places": len(brief.places), "timeline_items": brief.timeline_total, "sources": len(brief.sources)}
