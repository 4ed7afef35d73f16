"""Formatting helpers shared by the sections and the templates: dates, numbers, evidence."""

from __future__ import annotations

import re

from ..store.queries import sentence_around

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_CURRENCY = {"EUR": "€", "USD": "$", "GBP": "£"}
_WEEK = re.compile(r"^\d{4}-W\d{2}")
_ISO_DAY = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-\d{2})?)?$")


def day(value: str | None) -> str:
    """'2024-03-12' → '12 Mar 2024' (month and year alone stay as coarse as they were; an ISO
    week '2024-W10' → 'week of 4 Mar 2024'; other TimeML values are shown as they are)."""
    if not value:
        return "undated"
    if _WEEK.match(value):
        from ..store.events import day_of

        monday = day_of(value)[0]
        return f"week of {day(monday)}" if monday else value
    if not _ISO_DAY.match(value):
        return value
    parts = value[:10].split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return value


def span(first: str | None, last: str | None) -> str:
    if not first:
        return "undated"
    return day(first) if not last or last == first else f"{day(first)} – {day(last)}"


def number(x: float | None) -> str:
    if x is None:
        return "?"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.3g} million" if x % 1e5 == 0 else f"{x:,.0f}"
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


def amount(low: float | None, high: float | None, unit: str | None) -> str:
    """A value or range with its unit: '€12 million', '3,000–7,500', '12%'."""
    if low is not None and high is not None and low != high and min(low, high) >= 1e6 \
            and low % 1e5 == 0 and high % 1e5 == 0:
        text = f"{low / 1e6:,.3g}–{high / 1e6:,.3g} million"
    else:
        text = number(low) if low == high else f"{number(low)}–{number(high)}"
    if unit == "%":
        return text + "%"
    if unit in _CURRENCY:
        return _CURRENCY[unit] + text
    return f"{text} {unit}" if unit else text


def evidence(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The sentence around text[start:end], split into (before, fact, after).

    Sentinel characters mark the fact so ``sentence_around`` (which normalises whitespace) finds
    the same boundaries it finds for the CLI and the fact can still be located exactly."""
    if not text or start >= len(text):
        return "", "", ""
    marked = f"{text[:start]}\x00{text[start:end]}\x01{text[end:]}"
    sentence = sentence_around(marked, start, end + 2)
    before, _, rest = sentence.partition("\x00")
    fact, _, after = rest.partition("\x01")
    return before, fact, after
