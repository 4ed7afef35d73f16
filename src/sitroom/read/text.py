"""Plain-text news layout: title, date line, byline, body, trailing source line.

Scraped ``.txt`` articles follow a loose convention (headline first, then a few short header
lines, then paragraphs, sometimes the outlet's name last).  Everything taken out of the body is
kept in a field or in ``repairs``, so the cleaning is visible.  The helpers here (dates,
datelines, boilerplate, paragraph clean-up) are shared with the HTML and JSONL readers so all
three produce bodies in the same shape: one paragraph per line, separated by one blank line.
"""

from __future__ import annotations

import re
from datetime import date

from ..errors import InputRejected
from ..schema import Article

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

_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MON = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE_PATTERNS = [  # (regex, order of groups)
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])"), "ymd"),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), "mdy"),  # US month-first
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), "dmy"),  # European dotted
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r"\.?,?\s+(\d{4})\b", re.I), "dMy"),
    (re.compile(r"\b" + _MON + r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I), "Mdy"),
]
_DATE_PREFIX = re.compile(
    r"^(?:(?:first\s+|last\s+)?(?:published|updated|posted|modified)(?:\s+on)?|status|date|dated|stand)\s*[:\-–]?\s*",
    re.I,
)
_DATE_RESIDUE = re.compile(
    r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?\s?m\.?)?|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
    r"\b(?:at|on|gmt|utc|cet|cest|est|edt|pst|pdt|bst|et|pt|am|pm|hrs|local time)\b|[^\w]",
    re.I,
)
_NAME = r"[A-Z][\w'’.\-]*(?:\s+(?:[A-Z][\w'’.\-]*|de|da|di|van|von|der|den|del|la|le|bin|al|ibn|and|&))*"
_BYLINE = re.compile(
    r"^(?i:by|from|written by|words by|author\s*:|von)\s+(" + _NAME + r")\s*(?:[,|]\s*([A-Z][\w&.'’\- ]{0,50})?)?$"
)
_NOT_NAMES = set(_MONTHS) | {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                             "the", "this", "today", "yesterday", "tomorrow", "now", "then", "here", "there"}
_DATELINE = re.compile(
    r"^([A-Z][A-Z'’.\-]+(?:[ /][A-Z][A-Z'’.\-]+){0,3})(?:\s*,\s*[A-Z][\w .,]{0,40}?)?(?:\s*\([^)\n]{1,40}\))?"
    r"\s*(?::|[-–—]{1,2})\s+\S"
)
_SMALL_WORDS = {"of", "the", "and", "for", "on", "in", "at", "de", "du", "la", "le", "des", "&", "-", "–"}
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def parse_text(text: str, path: str | None = None) -> Article:
    """Split a decoded plain-text article into title, header fields and cleaned body."""
    lines = [ln for ln in (collapse(x) for x in text.split("\n")) if ln]
    repairs: list[str] = []
    metadata: dict = {}
    title = None
    start = 0
    if len(lines) > 1 and _is_title(lines[0]):  # a one-line file is all body
        title, start = lines[0], 1
    else:
        repairs.append("no-title")
    published = author = None
    body: list[str] = []
    i = start
    header_end = start + HEADER_LINES
    while i < len(lines):
        line = lines[i]
        if i < header_end and published is None and (iso := date_line(line)):
            published = iso
            metadata["date_line"] = line
        elif i < header_end and author is None and (m := byline(line)):
            author, extra = m
            if not extra and i + 1 < len(lines) and _is_org_line(lines[i + 1]):
                i += 1
                extra = lines[i]
            if extra:
                metadata["byline_extra"] = extra
        else:
            body.append(line)
        i += 1
    body, dropped = drop_boilerplate(body)
    repairs += dropped
    source = None
    if len(body) >= 2 and is_source_line(body[-1]):
        source = body.pop()
    if not body:
        raise InputRejected("no article text after cleaning", "empty")
    return Article(
        text="\n\n".join(body), path=path, title=title, source=source, author=author,
        published=published, dateline=dateline(body[0]), metadata=metadata, repairs=repairs,
    )


def collapse(line: str) -> str:
    """Runs of spaces/tabs inside a line become one space; ends are trimmed."""
    return _SPACES.sub(" ", line).strip()


def paragraphs(text: str) -> list[str]:
    """Every non-empty line is a paragraph (scraped text uses blank lines inconsistently)."""
    return [ln for ln in (collapse(x) for x in text.split("\n")) if ln]


def drop_boilerplate(lines: list[str]) -> tuple[list[str], list[str]]:
    kept, repairs = [], []
    for line in lines:
        key = line.strip(" .:!…>»|-–—*#").lower()
        if key in BOILERPLATE or _BOILERPLATE_RE.match(line):
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
    return place if sum(c.isalpha() for c in place) >= 3 else None


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


def date_line(line: str) -> str | None:
    """ISO date if ``line`` is a short line that is essentially a date (with optional prefix)."""
    if len(line) > 80:
        return None
    prefix = _DATE_PREFIX.match(line)
    rest = line[prefix.end():] if prefix else line
    found = find_date(rest)
    if found:
        iso, s, e = found
        residue = _DATE_RESIDUE.sub("", rest[:s] + " " + rest[e:])
        if len(residue) <= 6:
            return iso
        return None
    if prefix and re.search(r"\d", rest):
        return _dateparser(rest)
    return None


def parse_date(value: str) -> str | None:
    """Any date string we know -> "YYYY-MM-DD" (None when unknown)."""
    value = value.strip()
    found = find_date(value)
    if found:
        return found[0]
    return _dateparser(value) if re.search(r"\d", value) else None


def find_date(s: str) -> tuple[str, int, int] | None:
    for rx, order in _DATE_PATTERNS:
        for m in rx.finditer(s):
            g = dict(zip(order, m.groups()))
            if "M" in g:
                month = _MONTHS.get(g["M"].lower().rstrip("."))
            else:
                month = int(g["m"])
            day, year = int(g["d"]), int(g["y"])
            if order == "mdy" and month and month > 12 and day <= 12:
                month, day = day, month  # day-first after all
            try:
                return date(year, month or 0, day).isoformat(), m.start(), m.end()
            except ValueError:
                continue
    return None


def _dateparser(value: str) -> str | None:
    try:
        import dateparser

        dt = dateparser.parse(
            value[:100],
            settings={"DATE_ORDER": "MDY", "REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"},
        )
    except Exception:  # dateparser raises assorted errors on odd input; a date is optional
        return None
    return dt.date().isoformat() if dt else None


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
