"""HTML pages -> Article via trafilatura (main-text extraction drops nav, ads, scripts).

trafilatura 2.x returns a ``Document`` object (attributes text/title/author/date/sitename/url).
When it finds no main text (very short pages), a plain lxml pass over <title> and <p> is the
fallback.  Pathological markup (10,000-deep nesting) must end in a Rejection, not a crash, so
parser and recursion errors become InputRejected("...", "malformed").
"""

from __future__ import annotations

import logging

from ..errors import InputRejected
from ..schema import Article
from .text import collapse, dateline, drop_boilerplate, paragraphs, parse_date

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def parse_html(html: str, path: str | None = None) -> Article:
    try:
        doc = _trafilatura(html)
        fields = _fields(doc) if doc is not None and (doc.text or "").strip() else _lxml_fallback(html)
    except InputRejected:
        raise
    except RecursionError:
        raise InputRejected("malformed HTML (nesting too deep)", "malformed") from None
    except Exception as exc:  # lxml/trafilatura raise many types on broken markup
        raise InputRejected(f"malformed HTML ({type(exc).__name__})", "malformed") from None
    body, repairs = drop_boilerplate(paragraphs(fields.pop("text")))
    title = fields.get("title")
    if title and body and body[0] == title:
        body = body[1:]  # trafilatura sometimes repeats the <h1> as the first line
    if not body:
        raise InputRejected("no article text found in HTML", "empty")
    return Article(text="\n\n".join(body), path=path, dateline=dateline(body[0]), repairs=repairs, **fields)


def _trafilatura(html: str):
    import trafilatura

    return trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True, include_images=False,
        include_links=False, deduplicate=False,
    )


def _fields(doc) -> dict:
    published = parse_date(doc.date) if getattr(doc, "date", None) else None
    return {
        "text": doc.text or "",
        "title": _clean(doc.title),
        "author": _clean(doc.author),
        "published": published,
        "source": _clean(doc.sitename),
        "url": _clean(doc.url),
    }


def _lxml_fallback(html: str) -> dict:
    import lxml.html

    if not html.strip():
        raise InputRejected("no article text found in HTML", "empty")
    root = lxml.html.fromstring(html)
    title = root.findtext(".//title")
    paras = [collapse(p.text_content()) for p in root.iter("p")]
    return {"text": "\n".join(p for p in paras if p), "title": _clean(title)}


def _clean(value) -> str | None:
    value = collapse(str(value)) if value else ""
    return value or None
