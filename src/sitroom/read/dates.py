"""Publication dates in headers and metadata -> "YYYY-MM-DD".

Own regexes first: they are fast, never guess, and cover the layouts scraped articles use
("19 October 2016", "March 15, 2024", "06/28/2021", "2024-03-12T10:00Z").  dateparser is only
asked about short leftovers that carry a "Published:"-style prefix, and only with day, month
and year required, because it will otherwise turn almost any phrase into a date.  Slash dates
are read month-first (the US convention of the wire/web layouts we see) unless that is
impossible ("28/06/2021").
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
MONTH_NAMES = frozenset(_MONTHS)
_MON = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE_PATTERNS = [  # (regex, order of groups)
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])"), "ymd"),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), "mdy"),  # US month-first
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), "dmy"),  # European dotted
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r"\.?,?\s+(\d{4})\b", re.I), "dMy"),
    (re.compile(r"\b" + _MON + r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I), "Mdy"),
]
_DATE_PREFIX = re.compile(
    r"^(?:(first\s+|last\s+)?(published|updated|posted|modified)(?:\s+on)?|status|date|dated|stand)\s*[:\-–]?\s*",
    re.I,
)
# What may sit next to the date on a date line: times, weekdays, zones, punctuation.
_DATE_RESIDUE = re.compile(
    r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?\s?m\.?)?|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
    r"\b(?:mon|tue|wed|thu|fri|sat|sun)\b|"
    r"\b(?:at|on|gmt|utc|cet|cest|est|edt|pst|pdt|bst|et|pt|am|pm|hrs|local time)\b|[^\w]",
    re.I,
)


def date_line(line: str) -> tuple[str, str] | None:
    """(ISO date, kind) if ``line`` is a short line that is essentially a date with an optional
    prefix; kind is "updated" for "Updated:"/"Last updated"/"Modified", else "published"."""
    if len(line) > 80:
        return None
    prefix = _DATE_PREFIX.match(line)
    rest = line[prefix.end():] if prefix else line
    kind = "published"
    if prefix:
        verb, first_last = (prefix.group(2) or "").lower(), (prefix.group(1) or "").lower()
        if verb in ("updated", "modified") or first_last.startswith("last"):
            kind = "updated"
    found = find_date(rest)
    if found:
        iso, s, e = found
        residue = _DATE_RESIDUE.sub("", rest[:s] + " " + rest[e:])
        return (iso, kind) if len(residue) <= 6 else None
    if prefix and re.search(r"\d{4}", rest):
        iso = _dateparser(rest)
        return (iso, kind) if iso else None
    return None


def parse_date(value: str) -> str | None:
    """Any date string we know -> "YYYY-MM-DD" (None when unknown)."""
    value = value.strip()
    found = find_date(value)
    if found:
        return found[0]
    return _dateparser(value) if re.search(r"\d", value) else None


def find_date(s: str) -> tuple[str, int, int] | None:
    """First full date (day, month, year) in ``s``: (ISO, start, end)."""
    for rx, order in _DATE_PATTERNS:
        for m in rx.finditer(s):
            g = dict(zip(order, m.groups()))
            month = _MONTHS.get(g["M"].lower().rstrip(".")) if "M" in g else int(g["m"])
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
