"""Date expressions, normalised to ISO / TimeML values anchored on the publication date.

Recognition is spaCy's DATE and TIME entities, trimmed to the expression proper ("on Tuesday" ->
"Tuesday") and completed by patterns NER misses (weekday names, "mid-2014", "two weeks ago",
numeric dates).  Normalisation is our own table of patterns, in the TimeML conventions
TempEval uses: "2016-10-18", "2019-02", "2015", ISO weeks "2016-W42", seasons "2015-SU",
quarters "2015-Q1", decades "199", "PRESENT_REF"/"PAST_REF"/"FUTURE_REF", durations "P3Y".

A relative expression ("on Tuesday", "last November") needs the anchor; without one its value is
None, never a guess.  Weekdays and bare months resolve to the latest such day/month on or before
the anchor (news reports the past), or the next one when the sentence is in the future tense
("will meet on Tuesday").  "mid-2014", "early 2015" keep the year granularity ("2014"), as TimeML
does (the modifier would go in a separate attribute).
"""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

from spacy.tokens import Doc

from ..schema import DateRef

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], 1)}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                "thirty": 30, "several": None, "few": None, "couple": 2}
PART_OF_DAY = {"morning": "TMO", "afternoon": "TAF", "evening": "TEV", "night": "TNI", "tonight": "TNI"}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
UNITS = {"day": "D", "week": "W", "month": "M", "year": "Y", "decade": "DE", "century": "CE",
         "hour": "H", "minute": "M", "fortnight": "W"}

_M = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WD = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUMW = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|several|few|couple of)"
_UNIT = r"(?:days?|weeks?|months?|years?|decades?|centur(?:y|ies)|hours?|minutes?|fortnights?)"

# Patterns that find expressions NER misses.  All bounded (no nested quantifiers).
_FIND = re.compile(
    r"(?<![\w-])(?:"
    rf"(?:(?:last|this|next|past|coming|previous)\s+)?{_WD}(?:\s+(?:morning|afternoon|evening|night))?"
    rf"|(?:mid|early|late)-?\s?(?:{_M}\s+)?(?:19|20)\d\d"
    rf"|(?:(?:earlier|later|early|late)\s+)?(?:last|this|next|past)\s+(?:week|month|year|weekend|{_M}|spring|summer|autumn|fall|winter)"
    rf"|{_NUMW}\s+{_UNIT}\s+ago"
    r"|(?:19|20)\d\d-\d\d-\d\d"
    r"|\d{1,2}/\d{1,2}/(?:19|20)\d\d"
    rf"|\d{{1,2}}\s+{_M}(?:\s+(?:19|20)\d\d)?"
    rf"|{_M}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?"
    rf"|{_M}\s+(?:19|20)\d\d"
    r"|yesterday|today|tomorrow|tonight|now|currently|recently"
    r"|(?:the\s+)?(?:first|second|third|fourth|latest|last|current|next|previous)[\s-]+quarter"
    r")(?![\w-])",
    re.IGNORECASE,
)
_LEAD = re.compile(r"^(?:(?:on|in|since|by|until|till|from|during|at\s+least|at|for|of|before|after|around|about|"
                   r"the|a|an|as|over|throughout|between|within|through|only|least|nearly|almost|some|"
                   r"more\s+than|less\s+than|fewer\s+than|roughly|approximately|just|all)\s+)+", re.IGNORECASE)
_TRAIL = re.compile(r"(?:[\s,.;:]|['’]s|\s(?:and|or|to|through|until)(?=\W*$))+$", re.IGNORECASE)
_AGE = re.compile(r"\d+\s*-?\s*years?\s*-?\s*old|^\d+$|aged?\s+\d+", re.IGNORECASE)
_SPLIT = re.compile(r"\s+(?:and|or)\s+(?=[A-Z]|\d{4})|\s+(?:to|through|until|till)\s+(?=[A-Z]|\d{4})"
                    r"|\s*[–—]\s*|,\s+(?=(?:and\s+)?(?:\d|[A-Z]))|\s+(?:ended|ending|ends)\s+")
_REPORTING = {"say", "tell", "report", "announce", "add", "state", "note", "confirm", "disclose", "tell"}
_FUTURE = {"will", "'ll", "shall", "’ll"}


def find_dates(doc: Doc, anchor: date | None) -> list[DateRef]:
    text = doc.text
    spans: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ in ("DATE", "TIME"):
            # NER joins coordinated dates ("February 2019 and 2015"): one span per date.
            start = ent.start_char
            for part in _SPLIT.split(ent.text) if _SPLIT.search(ent.text) else [ent.text]:
                at = text.find(part, start, ent.end_char)
                if at < 0 or not part:
                    continue
                s, e = _trim(text, at, at + len(part))
                start = at + len(part)
                if e > s:
                    spans.append((s, e))
    for m in _FIND.finditer(text):
        spans.append((m.start(), m.end()))
    spans = _merge(spans)
    out: list[DateRef] = []
    for s, e in spans:
        if text[e - 1] == "." and len(re.findall(r"\w+$", text[s:e - 1])[0] if re.search(r"\w+$", text[s:e - 1]) else "") > 4:
            e -= 1  # a sentence's full stop, not an abbreviation's ("Oct.")
        expr = text[s:e]
        if "\n" in expr or len(expr) > 80:
            continue
        if _AGE.search(expr) and not re.search(r"(?:19|20)\d\d", expr):
            if not re.search(_UNIT, expr, re.I):
                continue
            if re.search(r"old|aged?", expr, re.I):
                continue
        if _is_age_context(text, s, e):
            continue
        value, kind = normalise(expr, anchor, _tense(doc, s))
        if value is None and kind == "skip":
            continue
        out.append(DateRef(expr, s, e, value, kind))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    m = _LEAD.match(text[s:e])
    if m:
        s += m.end()
    m = _TRAIL.search(text[s:e])
    if m:
        e -= len(m.group())
    while s < e and not text[s].isalnum():
        s += 1
    return s, e


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping candidates become one span (the union), so NER and patterns never duplicate."""
    spans.sort()
    out: list[list[int]] = []
    for s, e in spans:
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _is_age_context(text: str, s: int, e: int) -> bool:
    before = text[max(0, s - 8):s].lower()
    after = text[e:e + 10].lower()
    return bool(re.search(r"aged?\s*$", before) or re.match(r"\s*-?\s*(?:years?\s*-?\s*)?old\b", after))


def _tense(doc: Doc, char: int) -> str:
    """"past", "future" or "" (unknown/present) of the verb governing the date at ``char``:
    it decides whether "Friday" or "March" lies before or after the publication date."""
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    if span is None or not len(span) or not doc.has_annotation("DEP"):
        return ""
    tok = span[0]
    for _ in range(5):
        if tok.pos_ in ("VERB", "AUX") or tok.head is tok:
            break
        tok = tok.head
    if tok.pos_ not in ("VERB", "AUX") or tok.lemma_ in _REPORTING:
        return ""  # "said ... Dec. 7": the report's tense says nothing about the date
    aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in aux}
    if words & _FUTURE or (tok.lower_ in _FUTURE):
        return "future"
    if tok.tag_ == "VBD" or any(a.tag_ == "VBD" for a in aux) or (tok.tag_ == "VBN" and words & {"has", "have", "had"}):
        return "past"
    if tok.tag_ == "VBG" and words & {"is", "are", "'s", "’s"}:
        return "future"  # "is meeting on Friday"
    return ""


def _iso_week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _shift_months(d: date, months: int) -> tuple[int, int]:
    idx = d.year * 12 + (d.month - 1) + months
    return idx // 12, idx % 12 + 1


def _month_before(anchor: date, month: int, strictly: bool) -> str:
    year = anchor.year if (month < anchor.month or (month == anchor.month and not strictly)) else anchor.year - 1
    return f"{year}-{month:02d}"


def _month_after(anchor: date, month: int) -> str:
    year = anchor.year if month > anchor.month else anchor.year + 1
    return f"{year}-{month:02d}"


def _weekday(anchor: date, wd: int, direction: str) -> date:
    if direction == "next":
        delta = (wd - anchor.weekday()) % 7 or 7
        return anchor + timedelta(days=delta)
    if direction == "last":
        delta = (anchor.weekday() - wd) % 7 or 7
        return anchor - timedelta(days=delta)
    delta = (anchor.weekday() - wd) % 7
    return anchor - timedelta(days=delta)


def _num(word: str) -> int | None:
    word = word.lower().replace("couple of", "couple")
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


_ABS_DMY = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_M}),?\s+((?:19|20)\d\d)$", re.I)
_ABS_MDY = re.compile(rf"^({_M})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)$", re.I)
_ABS_ISO = re.compile(r"^((?:19|20)\d\d)-(\d\d)-(\d\d)$")
_ABS_US = re.compile(r"^(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)$")
_MONTH_YEAR = re.compile(rf"^(?:(?:early|mid|late|the\s+end\s+of|end\s+of|the\s+beginning\s+of)[\s-]*)?({_M}),?\s+(?:of\s+)?((?:19|20)\d\d)$", re.I)
_YEAR = re.compile(r"^(?:(?:early|mid|late|the\s+end\s+of|end\s+of|the\s+beginning\s+of|the\s+year|fiscal|calendar)[\s-]*)?((?:1[5-9]|20)\d\d)$", re.I)
_DECADE = re.compile(r"^(?:the\s+)?(?:early\s+|mid-?\s*|late\s+)?((?:1[5-9]|20)\d)0['’]?s$", re.I)
_SEASON = re.compile(r"^(?:(?:early|mid|late)[\s-]*)?(spring|summer|autumn|fall|winter)\s+(?:of\s+)?((?:19|20)\d\d)$", re.I)
_QUARTER = re.compile(r"^(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+of)?\s+((?:19|20)\d\d)$", re.I)
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_M})$|^({_M})\s+(\d{{1,2}})(?:st|nd|rd|th)?$", re.I)
_REL_MONTH = re.compile(rf"^(?:(last|this|next|past|early|mid|late)[\s-]+)?({_M})$", re.I)
_REL_WEEKDAY = re.compile(rf"^(?:(last|this|next|past|coming|previous)\s+)?({_WD})(?:\s+(morning|afternoon|evening|night))?$", re.I)
_REL_UNIT = re.compile(r"^(?:(?:earlier|later|early|late|mid|the\s+end\s+of|end\s+of|the\s+beginning\s+of)[\s-]+)?(?:the\s+)?"
                       r"(last|this|next|past|previous|coming|current|this\s+past)\s+"
                       r"(week|month|year|weekend|quarter|spring|summer|autumn|fall|winter)$", re.I)
_AGO = re.compile(rf"^({_NUMW})\s+({_UNIT})\s+ago$", re.I)
_DURATION = re.compile(rf"^(?:the\s+)?(?:(?:past|last|next|first|coming|previous)\s+)?({_NUMW}|\d+|\d+\.\d+)[\s-]+({_UNIT})(?:\s+(?:long|old))?$", re.I)
_TIME = re.compile(r"^(?:(?:at|around|about)\s+)?(\d{1,2})(?::(\d\d))?\s*([ap])\.?\s*m\.?(?:\s+\w+)?$", re.I)
_REL_QUARTER = re.compile(r"^(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th|latest|last|current|next|previous)[\s-]+quarter$", re.I)
_PRESENT = re.compile(r"^(?:now|currently|at present|presently|the present|nowadays|these days|right now|"
                      r"at the moment|at this time|this time|the moment)$", re.I)
_PAST = re.compile(r"^(?:recently|the past|in the past|formerly|previously|earlier|once|lately|"
                   r"recent years|recent months|recent weeks|recent days|the recent past|years ago|"
                   r"some time ago|a while ago|long ago)$", re.I)
_FUTURE_REF = re.compile(r"^(?:the future|the coming years|the near future|soon|the years ahead|the coming months|"
                         r"the coming weeks|the coming days|future)$", re.I)
_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def normalise(expression: str, anchor: date | None, tense: str = "") -> tuple[str | None, str]:
    """ISO/TimeML value and kind ("date", "time", "duration", "set") of one expression.
    ``tense`` ("past", "future" or "") picks the direction for "Friday", "March", "June 1"."""
    return _normalise(" ".join(expression.replace("’", "'").split()), anchor, tense)


def _nearest(anchor: date, candidates: list[date], tense: str) -> date:
    if tense == "past":
        before = [c for c in candidates if c <= anchor]
        if before:
            return max(before)
    if tense == "future":
        after = [c for c in candidates if c >= anchor]
        if after:
            return min(after)
    return min(candidates, key=lambda c: (abs((c - anchor).days), c > anchor))


@functools.lru_cache(maxsize=65536)
def _normalise(expr: str, anchor: date | None, tense: str) -> tuple[str | None, str]:
    future = tense == "future"
    e = _LEAD.sub("", expr).strip(" ,.;:")
    low = e.lower()
    month = lambda s: MONTHS[s.lower().rstrip(".")[:4] if s.lower().rstrip(".").startswith("sept") else s.lower().rstrip(".")[:3]]  # noqa: E731

    if m := _ABS_ISO.match(e):
        return _valid(int(m[1]), int(m[2]), int(m[3])), "date"
    if m := _ABS_DMY.match(e):
        return _valid(int(m[3]), month(m[2]), int(m[1])), "date"
    if m := _ABS_MDY.match(e):
        return _valid(int(m[3]), month(m[1]), int(m[2])), "date"
    if m := _ABS_US.match(e):
        return _valid(int(m[3]), int(m[1]), int(m[2])), "date"
    if m := _MONTH_YEAR.match(e):
        return f"{int(m[2])}-{month(m[1]):02d}", "date"
    if m := _YEAR.match(e):
        return m[1], "date"
    if m := _DECADE.match(e):
        return m[1], "date"
    if m := _SEASON.match(e):
        return f"{m[2]}-{SEASONS[m[1].lower()]}", "date"
    if m := _QUARTER.match(e):
        return f"{m[2]}-Q{_ORD[m[1].lower()]}", "date"
    if m := _REL_QUARTER.match(e):
        if anchor is None:
            return None, "date"
        which = m[1].lower()
        current = (anchor.month - 1) // 3 + 1
        if which in _ORD:
            q = _ORD[which]
            year = anchor.year if (q <= current or future) else anchor.year - 1
        else:
            step = {"latest": -1, "last": -1, "previous": -1, "current": 0, "next": 1}[which]
            idx = anchor.year * 4 + current - 1 + step
            year, q = idx // 4, idx % 4 + 1
        return f"{year}-Q{q}", "date"
    if _PRESENT.match(e):
        return "PRESENT_REF", "date"
    if _PAST.match(e):
        return "PAST_REF", "date"
    if _FUTURE_REF.match(e):
        return "FUTURE_REF", "date"
    if m := _TIME.match(e):
        if anchor is None:
            return None, "time"
        hour = int(m[1]) % 12 + (12 if m[3].lower() == "p" else 0)
        return f"{anchor.isoformat()}T{hour:02d}:{int(m[2] or 0):02d}", "time"
    if m := _DURATION.match(e):
        n = _num(m[1]) if not re.match(r"^\d+\.\d+$", m[1]) else float(m[1])
        unit = m[2].lower().rstrip("s").replace("centurie", "century")
        code = UNITS.get(unit, "Y")
        amount = "X" if n is None else (int(n) if float(n).is_integer() else n)
        if unit == "fortnight" and n is not None:
            amount = int(n) * 2
        if code in ("DE", "CE") and isinstance(amount, int):
            amount, code = amount * (10 if code == "DE" else 100), "Y"
        prefix = "PT" if unit in ("hour", "minute") else "P"
        return f"{prefix}{amount}{code}", "duration"
    # -- relative: need the anchor ------------------------------------------------------------
    relative = (_DAY_MONTH.match(e) or _REL_MONTH.match(e) or _REL_WEEKDAY.match(e) or _REL_UNIT.match(e)
                or _AGO.match(e) or low in ("yesterday", "today", "tomorrow", "tonight", "this morning",
                                            "this afternoon", "this evening", "last night"))
    if not relative:
        return None, "skip" if not re.search(r"\d", e) else "date"
    if anchor is None:
        return None, "date"
    if low in ("today",):
        return anchor.isoformat(), "date"
    if low in ("tonight", "this morning", "this afternoon", "this evening"):
        return anchor.isoformat() + PART_OF_DAY[low.split()[-1]], "date"
    if low == "last night":
        return (anchor - timedelta(days=1)).isoformat() + "TNI", "date"
    if low == "yesterday":
        return (anchor - timedelta(days=1)).isoformat(), "date"
    if low == "tomorrow":
        return (anchor + timedelta(days=1)).isoformat(), "date"
    if m := _DAY_MONTH.match(e):
        day = int(m[1] or m[4])
        mon = month(m[2] or m[3])
        options = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := _date(y, mon, day))]
        return (_nearest(anchor, options, tense).isoformat() if options else None), "date"
    if m := _REL_MONTH.match(e):
        which, mon = (m[1] or "").lower(), month(m[2])
        if which == "next" or (future and which in ("", "this")):
            return _month_after(anchor, mon) if which == "next" or mon != anchor.month else f"{anchor.year}-{mon:02d}", "date"
        if which in ("last", "past"):
            return _month_before(anchor, mon, strictly=True), "date"
        if which == "this":
            return f"{anchor.year}-{mon:02d}", "date"
        options = [date(y, mon, 15) for y in (anchor.year - 1, anchor.year, anchor.year + 1)]
        mid = date(anchor.year, anchor.month, 15)
        best = _nearest(mid, options, tense)
        return f"{best.year}-{best.month:02d}", "date"
    if m := _REL_WEEKDAY.match(e):
        which, wd = (m[1] or "").lower(), WEEKDAYS[m[2].lower()]
        if which in ("next", "coming"):
            when = _weekday(anchor, wd, "next")
        elif which in ("last", "past", "previous"):
            when = _weekday(anchor, wd, "last")
        else:  # "Tuesday": the nearest one in the direction of the tense (past when unknown)
            options = [anchor + timedelta(days=k) for k in range(-6, 7) if (anchor + timedelta(days=k)).weekday() == wd]
            when = _nearest(anchor, options, tense or ("future" if future else "past"))
        day = when.isoformat()
        return (day + PART_OF_DAY[m[3].lower()] if m[3] else day), "date"
    if m := _REL_UNIT.match(e):
        which, unit = m[1].lower(), m[2].lower()
        step = {"last": -1, "past": -1, "previous": -1, "this": 0, "current": 0, "next": 1, "coming": 1,
                "this past": -1}[" ".join(which.split())]
        if unit in SEASONS:
            year = anchor.year + step if which != "this past" else anchor.year
            return f"{year}-{SEASONS[unit]}", "date"
        if unit in ("week", "weekend"):
            return _iso_week(anchor + timedelta(weeks=step)) + ("-WE" if unit == "weekend" else ""), "date"
        if unit == "month":
            y, mo = _shift_months(anchor, step)
            return f"{y}-{mo:02d}", "date"
        if unit == "quarter":
            q = (anchor.month - 1) // 3 + step
            y = anchor.year + q // 4
            return f"{y}-Q{q % 4 + 1}", "date"
        return str(anchor.year + step), "date"
    if m := _AGO.match(e):
        n = _num(m[1])
        unit = m[2].lower().rstrip("s")
        if n is None:
            return "PAST_REF", "date"
        if unit == "day":
            return (anchor - timedelta(days=n)).isoformat(), "date"
        if unit in ("week", "fortnight"):
            return _iso_week(anchor - timedelta(weeks=n * (2 if unit == "fortnight" else 1))), "date"
        if unit == "month":
            y, mo = _shift_months(anchor, -n)
            return f"{y}-{mo:02d}", "date"
        if unit == "year":
            return str(anchor.year - n), "date"
        if unit == "decade":
            return str(anchor.year - 10 * n)[:3], "date"
        return "PAST_REF", "date"
    return None, "date"


def _date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None
