"""Plain-text news layout: title, header lines (date, byline), body, trailing source line.

Scraped ``.txt`` articles follow a loose convention (headline first, then a few short header
lines, then paragraphs, sometimes the outlet's name last).  Everything taken out of the body is
kept in a field or in ``repairs``, so the cleaning is visible.  The body helpers (boilerplate,
datelines, paragraphs) are shared with the HTML and JSONL readers so all three produce bodies
in the same shape: one paragraph per line, paragraphs separated by one blank line.
"""

from __future__ import annotations

import re

from ..errors import InputRejected
from ..schema import Article
from .detect import prose_problem
from .dates import MONTH_NAMES, date_line, parse_date  # noqa: F401  (parse_date re-exported)

MAX_TITLE = 250
HEADER_LINES = 6  # how many lines after the title may hold a date line or byline

BOILERPLATE = (
    "source link", "source", "read more", "read more here", "advertisement", "advertising",
    "share this article", "share this", "share", "continue reading", "subscribe",
    "related articles", "related", "print", "email", "comments", "skip to content",
    "sign up for our newsletter", "follow us", "back to top",
)
_BOILERPLATE_RE = re.compile(
    r"^(?:click here\b.{0,80}|read more\s*:.{0,120}|follow us on\b.{0,60}|also read\s*:.{0,120})$", re.I
)
_SEPARATOR = re.compile(r"^[-=*_~#•·–—]{3,}$")  # "-----", "=====", "***" (spaces removed first)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_NAME = r"[A-Z][\w'’.\-]*(?:\s+(?:[A-Z][\w'’.\-]*|de|da|di|van|von|der|den|del|la|le|bin|al|ibn|and|&))*"
_BYLINE = re.compile(
    r"^(?i:by|from|written by|words by|author\s*:|von)\s+(" + _NAME + r")\s*(?:[,|]\s*([A-Z][\w&.'’\- ]{0,50})?)?$"
)
_NOT_NAMES = MONTH_NAMES | {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                            "the", "this", "today", "yesterday", "tomorrow", "now", "then", "here", "there"}
_HEADER_SPLIT = re.compile(r"\s+[|·•]\s+")  # "By Jane Doe | March 3, 2024"
_DATELINE = re.compile(
    r"^([A-Z][A-Z'’.\-]+(?:[ /][A-Z][A-Z'’.\-]+){0,3})(?:\s*,\s*[A-Z][\w .,]{0,40}?)?(?:\s*\([^)\n]{1,40}\))?"
    r"\s*(?::|[-–—]{1,2})\s+\S"
)
#: Upper-case lead-ins that look like datelines but are labels.
_NOT_PLACES = {"BREAKING", "BREAKING NEWS", "UPDATE", "UPDATED", "WATCH", "LIVE", "EXCLUSIVE", "ANALYSIS",
               "OPINION", "COMMENT", "EDITORIAL", "CORRECTION", "NOTE", "EDITOR'S NOTE", "EDITOR’S NOTE",
               "VIDEO", "PHOTOS", "FACT CHECK", "READ MORE", "ALSO READ", "SOURCE", "SOURCES", "PS", "NB"}
_SOURCE_LABEL = re.compile(r"^(?:source|via)\s*:\s*(.{2,60})$", re.I)
_SMALL_WORDS = {"of", "the", "and", "for", "on", "in", "at", "de", "du", "la", "le", "des", "&", "-", "–"}
#: Every whitespace character but the newline (Ogham space, NEL, ... too): a line keeps no run of
#: spaces, so the line regexes below (``\s+`` around separators) stay linear on any input.
_SPACES = re.compile(r"[^\S\n]+")
_END_PUNCT = (".", "!", "?", ":", ";", '"', "”", "’", "'", ")", "…")
_PUNCT = r"(?:[^\w\s]|_)"  # punctuation or symbol
_PUNCT_RUN = re.compile(_PUNCT + r"{32}(?=" + _PUNCT + ")")


def parse_text(text: str, path: str | None = None) -> Article:
    """Split a decoded plain-text article into title, header fields and cleaned body."""
    repairs: list[str] = []
    lines = _clean_lines(text.split("\n"), repairs)  # "" marks a blank line
    nonblank = [i for i, ln in enumerate(lines) if ln]
    title = None
    if len(nonblank) > 1 and _is_title(lines[nonblank[0]]):  # a one-line file is all body
        title = lines[nonblank[0]]
        lines[nonblank[0]] = ""
        nonblank = nonblank[1:]
    else:
        repairs.append("no-title")
    metadata: dict = {}
    published, author = _header(lines, nonblank[:HEADER_LINES], metadata)
    kept, dropped = drop_boilerplate(lines)
    repairs += dropped
    body, joined = paragraphs_of(kept)
    if joined:
        repairs.append("joined-wrapped-lines")
    source = None
    if len(body) >= 2 and (m := _SOURCE_LABEL.match(body[-1])) and is_source_line(m.group(1)):
        source = m.group(1)  # "Source: Daily Star"
        body.pop()
    elif len(body) >= 2 and is_source_line(body[-1]):
        source = body.pop()  # "Daily Star"
    if source is None and (extra := metadata.get("byline_extra")):
        source = outlet_of_byline_extra(extra)  # "ARD studio Rome" under the byline
    if len(body) >= 2 and (author is None or source is None):
        note_author, note_source = contributor_note(body[-1])
        author, source = author or note_author, source or note_source
    if title and len(body) >= 2 and body[0].casefold() == title.casefold():
        body.pop(0)
        repairs.append("dropped-repeated-title")
    if not body:
        raise InputRejected("no article text after cleaning", "empty")
    return Article(
        text=body_text(body, repairs), path=path, title=title, source=source, author=author,
        published=published, dateline=dateline(body[0]), metadata=metadata, repairs=repairs,
    )


def body_text(body: list[str], repairs: list[str]) -> str:
    """The article text: paragraphs joined by one blank line, with a space after every 32
    characters of an unbroken run of punctuation or symbols (repair "split-punctuation-run").
    spaCy's tokenizer strips such a run one character at a time, copying the rest each time:
    quadratic, hours for a megabyte of quote marks.  No news text has 32 of them in a row.
    Raises InputRejected when the text is not natural language (see ``detect.prose_problem``)."""
    text = "\n\n".join(body)
    if problem := prose_problem(text):
        raise InputRejected(problem, "not-text")
    split = _PUNCT_RUN.sub(r"\g<0> ", text)
    if split != text:
        repairs.append("split-punctuation-run")
    return split


def _clean_lines(raw: list[str], repairs: list[str]) -> list[str]:
    """Collapse spaces, drop Markdown heading marks and separator rules ("-----", "* * *")."""
    out = []
    for line in raw:
        line = _MD_HEADING.sub("", collapse(line))
        if _SEPARATOR.match(line.replace(" ", "")):
            if "dropped-separator" not in repairs:
                repairs.append("dropped-separator")
            line = ""
        out.append(line)
    return out


def _header(lines: list[str], window: list[int], metadata: dict) -> tuple[str | None, str | None]:
    """Take date lines and the byline (with an organisation line under it) out of the first
    lines after the title.  Blank the lines used; return (published, author)."""
    dates: list[tuple[str, str, str]] = []
    author = None
    for i in window:
        line = lines[i]
        if not line:
            continue  # already taken as an organisation line
        parts = _HEADER_SPLIT.split(line)
        found = [(date_line(p), byline(p) if author is None else None) for p in parts]
        has_byline = any(b for _, b in found)
        if not all(d or b or (has_byline and _is_org_line(p)) for p, (d, b) in zip(parts, found)):
            continue
        for p, (d, b) in zip(parts, found):
            if d:
                dates.append((d[0], d[1], p))
            elif b:
                author, extra = b
                if extra:
                    metadata["byline_extra"] = extra
            else:
                metadata["byline_extra"] = p
        lines[i] = ""
        if has_byline and "byline_extra" not in metadata and i + 1 < len(lines) and lines[i + 1] \
                and _is_org_line(lines[i + 1]):
            metadata["byline_extra"] = lines[i + 1]  # "ARD studio Rome" right under the byline
            lines[i + 1] = ""
    if not dates:
        return None, author
    chosen = next((d for d in dates if d[1] == "published"), dates[0])
    metadata["date_line"] = chosen[2]
    updated = [d for d in dates if d[1] == "updated" and d is not chosen]
    if updated:
        metadata["updated"] = updated[0][0]
    return chosen[0], author


def collapse(line: str) -> str:
    """Runs of whitespace inside a line become one space; ends are trimmed."""
    return _SPACES.sub(" ", line).strip()


def paragraphs(text: str) -> list[str]:
    """Every non-empty line is a paragraph (HTML extraction gives one block element a line)."""
    return [ln for ln in (collapse(x) for x in text.split("\n")) if ln]


def paragraphs_of(lines: list[str]) -> tuple[list[str], bool]:
    """Paragraphs from lines ("" = blank line), and whether hard-wrapped lines were joined.

    Scraped text usually has one paragraph per line, with or without blank lines between, so a
    line is a paragraph unless the text is evidently hard-wrapped (e-mail, 72-column files):
    most lines are under 100 characters and a good share of line breaks fall mid-sentence
    (no closing punctuation, next line lower case).  Only then are lines inside a block joined."""
    blocks, cur = [], []
    for ln in lines + [""]:
        if ln:
            cur.append(ln)
        elif cur:
            blocks.append(cur)
            cur = []
    flat = [ln for b in blocks for ln in b]
    breaks = [(a, b) for blk in blocks for a, b in zip(blk, blk[1:])]
    if not breaks:
        return flat, False
    width = sorted(len(ln) for ln in flat)[int(0.9 * (len(flat) - 1))]
    soft = sum(_soft_break(a, b) for a, b in breaks)
    if width > 100 or soft == 0 or soft < 0.3 * len(breaks):
        return flat, False
    out = []
    for blk in blocks:
        para = blk[0]
        for prev, ln in zip(blk, blk[1:]):
            if len(prev) >= 0.6 * width or _soft_break(prev, ln):
                hyphen = para.endswith("-") and para[-2:-1].isalpha() and ln[:1].islower()
                para = para + ln if hyphen else f"{para} {ln}"  # "inter-\nnational" keeps its hyphen
            else:
                out.append(para)
                para = ln
        out.append(para)
    return out, True


def _soft_break(prev: str, nxt: str) -> bool:
    return not prev.endswith(_END_PUNCT) and (nxt[:1].islower() or prev.endswith((",", "-")))


def drop_boilerplate(lines: list[str]) -> tuple[list[str], list[str]]:
    """Remove stand-alone boilerplate lines; blank lines ("") pass through."""
    kept, repairs = [], []
    for line in lines:
        key = line.strip(" .:!…>»|-–—*#").lower()
        if line and (key in BOILERPLATE or _BOILERPLATE_RE.match(line)):
            tag = f"dropped-boilerplate:{line[:60]}"
            if tag not in repairs:
                repairs.append(tag)
        else:
            kept.append(line)
    return kept, repairs


def dateline(paragraph: str) -> str | None:
    """"BRUSSELS: ..." / "BAGHDAD, March 9 (Wire) - ..." -> "BRUSSELS" (text stays in the body)."""
    m = _DATELINE.match(paragraph)
    if not m:
        return None
    place = m.group(1).strip(" .-")
    if place.upper() in _NOT_PLACES or sum(c.isalpha() for c in place) < 3:
        return None
    return place


def byline(line: str) -> tuple[str, str | None] | None:
    """"By Jane Doe" / "From Tilmann Kleinjung," -> (name, trailing organisation or None)."""
    if len(line) > 80 or line.endswith((".", "!", "?")) and not re.search(r"\b[A-Z]\.$", line):
        return None
    m = _BYLINE.match(line)
    if not m:
        return None
    name = m.group(1).strip(" ,&")
    words = name.split()
    if not words or words[0].lower().strip(".") in _NOT_NAMES or (line[:4].lower() == "from" and len(words) < 2):
        return None
    extra = (m.group(2) or "").strip() or None
    return name, extra


_BUREAU = re.compile(r"^(.{2,40}?)\s+(?:studio|bureau|office|desk|newsroom|correspondent)\b", re.I)
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,7}$")
#: The contributor note closing opinion and analysis pieces: "Jane Doe is a researcher at ..., for
#: the online magazine “Eastern Review”" (name first, a copular description, at most a few lines).
_NOTE = re.compile(r"^(" + _NAME + r")\s+(?:is|was)\s+(?:an?|the)\s+\S")
_NOTE_OUTLET = re.compile(
    r"\b(?:exclusively\s+)?(?:for|to|in|at|with)\s+(?:the\s+)?(?:online\s+|weekly\s+|daily\s+)?"
    r"(?:magazine|newspaper|journal|website|news\s+site|news\s+agency|outlet|publication|paper|daily|weekly)\s+"
    r"[“\"«]?([A-Z][^“”\"«»\n]{1,50}?)[”\"»]?(?=\s*[.,;]?\s*$|[”\"»])"
)

_WRITER = re.compile(r"\b(?:researcher|analyst|journalist|writer|author|columnist|fellow|professor|lecturer|"
                     r"correspondent|editor|contributor|reporter|commentator|scholar)s?\b", re.I)


def outlet_of_byline_extra(extra: str) -> str | None:
    """The outlet in the organisation line of a byline: "ARD studio Rome" -> "ARD", "AFP" -> "AFP";
    None for a job title or a place ("Staff Writer", "Baghdad")."""
    if (m := _BUREAU.match(extra)) and is_source_line(m.group(1)):
        return m.group(1)
    return extra if _ACRONYM.match(extra) else None


def contributor_note(paragraph: str) -> tuple[str | None, str | None]:
    """(author, outlet) from a closing contributor note, (None, None) for any other paragraph.
    The name must have two to four words and the note must name a writer's trade or a publication
    ("... a columnist", "for the online magazine X"), so a closing sentence about someone in the
    story ("Jane Doe is the mayor.") does not qualify; the outlet needs a publication noun before it."""
    if len(paragraph) > 400 or not (m := _NOTE.match(paragraph)):
        return None, None
    name = m.group(1).strip()
    words = name.split()
    if len(words) < 2 or len(words) > 4 or words[0].lower() in _NOT_NAMES:
        return None, None
    outlet = _NOTE_OUTLET.search(paragraph)
    if not outlet and not _WRITER.search(paragraph):
        return None, None  # "Jane Doe is the mayor." closing a story is about her, not by her
    return name, outlet.group(1).strip() if outlet else None


def is_source_line(line: str) -> bool:
    """"Daily Star", "The Meridian Post": short, unpunctuated, Title Case."""
    words = line.split()
    if not words or len(words) > 6 or len(line) > 60 or line[-1] in ".!?:;,\"”’'…)]":
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in _SMALL_WORDS for w in words) and any(
        c.isalpha() for c in line
    )


def _is_title(line: str) -> bool:
    """A headline; a first line that is really the dateline paragraph ("BRUSSELS: ... said.") is not."""
    lead = dateline(line) and (len(line) > 100 or line.endswith((".", "”", '"')))
    return len(line) <= MAX_TITLE and not lead and not date_line(line) and not byline(line)


def _is_org_line(line: str) -> bool:
    """"ARD studio Rome" under a byline: short, no sentence punctuation, not a date."""
    return (
        len(line) <= 60 and len(line.split()) <= 5 and line[-1] not in ".!?:;\"”" and line[0].isupper()
        and not date_line(line)
    )
