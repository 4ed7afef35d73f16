"""HTML pages -> Article via trafilatura (main-text extraction drops nav, ads, scripts).

trafilatura 2.x returns a ``Document`` object (attributes text/title/author/date/sitename/url).
When it finds no main text (very short pages, markup nested deeper than libxml2 goes) or fails
on broken markup, a streaming pass over <title> and <p> is the fallback (recorded as the repair
"html-fallback").  Pathological markup must end in a Rejection, not a crash: when both fail,
the error becomes InputRejected("malformed HTML (...)", "malformed").
"""

from __future__ import annotations

import logging
from html.parser import HTMLParser

from ..errors import InputRejected
from ..schema import Article
from .dates import parse_date
from .text import body_text, collapse, dateline, drop_boilerplate, paragraphs

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def parse_html(html: str, path: str | None = None) -> Article:
    repairs: list[str] = []
    try:
        doc = _trafilatura(html)
        fields = _fields(doc) if doc is not None and (doc.text or "").strip() else None
    except Exception:  # lxml/trafilatura raise many types (and RecursionError) on broken markup
        fields = None
    if fields is None:
        repairs.append("html-fallback")
        try:
            fields = _fallback(html)
        except InputRejected:
            raise
        except RecursionError:
            raise InputRejected("malformed HTML (nesting too deep)", "malformed") from None
        except Exception as exc:
            raise InputRejected(f"malformed HTML ({type(exc).__name__})", "malformed") from None
    body, dropped = drop_boilerplate(paragraphs(fields.pop("text")))
    title = fields.get("title")
    if title and body and body[0] == title:
        body = body[1:]  # trafilatura sometimes repeats the <h1> as the first line
    if not body:
        raise InputRejected("no article text found in HTML", "empty")
    repairs += dropped
    return Article(text=body_text(body, repairs), path=path, dateline=dateline(body[0]), repairs=repairs, **fields)


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


def _fallback(html: str) -> dict:
    """<title> and the text of <p> elements (else of the whole <body>), via the stdlib's
    streaming parser: it builds no tree, so it has no nesting limit (libxml2 stops at 256
    levels and drops what lies deeper)."""
    if not html.strip():
        raise InputRejected("no article text found in HTML", "empty")
    parser = _Paragraphs()
    parser.feed(html)
    parser.close()
    paras = parser.paras or ["".join(parser.loose)]
    text = "\n".join(p for p in (collapse(x) for x in paras) if p)
    return {"text": text, "title": _clean("".join(parser.title))}


class _Paragraphs(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "iframe", "nav", "header", "footer", "aside", "form", "svg"}
    BREAKS = {"br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section", "article"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.paras: list[str] = []
        self.loose: list[str] = []  # body text outside skipped elements, for pages without <p>
        self._skip = 0
        self._in_title = False
        self._para: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "p":
            self._end_para()
            self._para = []
        elif tag in self.BREAKS:
            self.loose.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "p":
            self._end_para()

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.loose.append(data)
            if self._para is not None:
                self._para.append(data)

    def close(self):
        super().close()
        self._end_para()

    def _end_para(self):
        if self._para is not None:
            self.paras.append("".join(self._para))
        self._para = None


def _clean(value) -> str | None:
    value = collapse(str(value)) if value else ""
    return value or None
