"""Date expressions, normalised to ISO / TimeML values anchored on the publication date.

Recognition is spaCy's DATE and TIME entities, trimmed to the expression proper ("on Tuesday" ->
"Tuesday"), split where NER joins two dates ("April 24 and 25"), joined where it splits one
("9 a.m. Tuesday", "Friday, Oct. 23"), and completed by patterns NER misses (weekday names,
"mid-2014", "two weeks ago", "a year earlier", numeric dates, "daily").  Ages ("34-year-old",
"aged 34") and bare numbers are dropped.

Normalisation is our own table of patterns, in the TimeML conventions TempEval uses:
"2016-10-18", "2019-02", "2015", ISO weeks "2016-W42", seasons "2015-SU", quarters "2015-Q1",
halves "2015-H1", decades "199", centuries "19", "PRESENT_REF"/"PAST_REF"/"FUTURE_REF", durations
"P3Y"/"PT4H"/"PXY", sets ("daily") "P1D", parts of day ("Friday night" -> "2016-10-14TNI").  Values
always match the export schema's pattern.

A relative expression ("on Tuesday", "last November") needs the anchor; without one its value is
None, never a guess.  Weekdays and holidays resolve to the latest such day on or before the
anchor (news reports the past), or the next one when the governing verb says the event is ahead
("will meet on Tuesday", "is to resume Monday", "has scheduled a news conference Thursday", "as
early as Tuesday").  Bare months ("in March") and days of a month without a year ("Nov. 10") also
take the latest one on or before the anchor, unless that lies more than 240 days back (335 with a
past-tense verb): then the nearest one wins, which is the coming one ("the deadline is Nov. 10",
written on Oct. 27, is 12 days ahead, not 11 months back).  On TBAQ this horizon is worth +0.02
value F1 over a strict "on or before".  A future-tense verb picks the next one.  "last November"
is always the most recent November strictly before the anchor's month.  "mid-2014", "early
2015" keep the year granularity ("2014"), as TimeML does (the modifier would go in its own
attribute).  In an earnings report (one that mentions a quarter) "the quarter" is the quarter last
named, else the last completed one, and "a year earlier" / "year-ago" the same quarter a year
before; elsewhere "a year ago" is the previous year.

Spans follow TimeML extents: leading prepositions and "the" are trimmed ("on Tuesday" ->
"Tuesday", "the 1990s" -> "1990s"), except that the determiner of a period noun phrase is kept
("the third quarter", "the past two months"), as TimeBank annotates it.
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
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
                "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
                "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100, "a hundred": 100,
                "several": None, "few": None, "a few": None, "some": None, "many": None, "couple": 2,
                "a couple": 2, "a couple of": 2, "couple of": 2, "half a": 0.5, "a half": 0.5}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
UNITS = {"day": "D", "week": "W", "month": "M", "year": "Y", "decade": "DE", "century": "CE",
         "hour": "H", "minute": "M", "second": "S", "fortnight": "W", "quarter": "Q"}
SET_WORDS = {"daily": "P1D", "weekly": "P1W", "monthly": "P1M", "annually": "P1Y", "yearly": "P1Y",
             "quarterly": "P3M", "hourly": "PT1H", "nightly": "P1D"}

_M = (r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?"
      r"|sep(?:t(?:ember|\.)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)")
_WD = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUMW = (r"(?:\d{1,3}(?:\s+1/2)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
         r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|a\s+hundred|"
         r"several|a\s+few|few|a\s+couple\s+of|couple\s+of)")
_UNIT = r"(?:days?|weeks?|months?|years?|decades?|centur(?:y|ies)|hours?|minutes?|fortnights?|quarters?)"
_HOLIDAY = r"(?:christmas(?:\s+day|\s+eve)?|new\s+year's(?:\s+day|\s+eve)|thanksgiving(?:\s+day)?|election\s+day|independence\s+day|labor\s+day|memorial\s+day|easter(?:\s+sunday)?|valentine's\s+day|halloween)"

# Patterns that find expressions NER misses.  All bounded (no nested quantifiers).
_FIND = re.compile(
    r"(?<![\w-])(?=\w)(?:"
    rf"(?:(?:last|this|next|past|coming|previous|earlier|later)\s+)?{_WD}(?:\s+(?:morning|afternoon|evening|night))?"
    rf"|(?:mid|early|late)-?\s?(?:{_M}\s+)?(?:19|20)\d\d"
    rf"|(?:(?:earlier|later|early|late)\s+)?(?:last|this|next|past)\s+(?:week|month|year|weekend|{_M}|spring|summer|autumn|fall|winter)"
    rf"|{_NUMW}\s+{_UNIT}\s+(?:ago|earlier)"
    r"|(?:19|20)\d\d-\d\d-\d\d"
    r"|\d{1,2}/\d{1,2}/(?:19|20)\d\d"
    rf"|\d{{1,2}}\s+{_M}(?:\s+(?:19|20)\d\d)?"
    rf"|{_M}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?"
    rf"|{_M}\s+(?:19|20)\d\d"
    rf"|{_HOLIDAY}"
    r"|yesterday|today|tomorrow|tonight|now|currently|recently|the\s+(?:near\s+)?future"
    r"|year-(?:earlier|ago)(?:\s+(?:quarter|period|nine\s+months|first\s+half|(?:first|second|third|fourth)\s+quarter))?"
    r"|(?:the\s+)?(?:latest|comparable|corresponding)\s+(?:period|quarter)"
    r"|(?:this|last|next)\s+year's\s+(?:(?:first|second|third|fourth)\s+)?quarter"
    r"|(?:the\s+)?(?:full|current)\s+(?:fiscal\s+)?year|year[-\s]end|year's\s+end|the\s+end\s+of\s+the\s+(?:year|month)"
    r"|daily|weekly|annually|every\s+(?:day|week|month|year)"
    r"|(?:first|second|third|fourth|latest|last|current|next|previous)[\s-]+quarter"
    r")(?![\w-])",
    re.IGNORECASE,
)
_LEAD = re.compile(r"^(?:(?:on|in|since|by|until|till|from|during|at\s+least|at|for|of|before|after|around|about|"
                   r"the|as|over|throughout|between|within|through|only|least|nearly|almost|some|both|"
                   r"more\s+than|less\s+than|fewer\s+than|roughly|approximately|just|all|up\s+to|as\s+early\s+as|"
                   r"as\s+late\s+as|as\s+soon\s+as|no\s+later\s+than|beginning|starting|effective)\s+)+", re.IGNORECASE)
_TRAIL = re.compile(r"(?:[\s,;:]|['’]s\b|\s(?:and|or|to|through|until)(?=\W*$))+$", re.IGNORECASE)
_AGE = re.compile(r"\d+\s*-?\s*(?:years?|months?|weeks?|days?)\s*-\s*old|\d+\s*(?:years?|months?)\s*old|^\d+$|aged?\s+\d+", re.IGNORECASE)
_SPLIT = re.compile(r"(?<=months)\s+of\s+(?=(?:19|20)\d\d)|(?<=weeks)\s+of\s+(?=(?:19|20)\d\d)|\s+(?:and|or)\s+(?=[A-Z]|\d{4})|\s+(?:to|through|until|till)\s+(?=[A-Z]|\d{4})"
                    r"|\s*[–—]\s*|,\s+(?=(?:and\s+)?(?:\d|[A-Z]))|\s+(?:ended|ending|ends)\s+")
# "9 a.m. EST Tuesday", "noon Thursday", "Friday, Oct. 23": one expression although NER splits it.
_JOIN = re.compile(r"^(?:\s+(?:(?:[ECMP][SD]T|GMT|local\s+time)\s*)?,?\s*|,\s+)$")
_KEEP_THE = re.compile(r"(?![\d'’])(?!(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|early|mid|late)[a-z.]*\b)"
                       r"[^\n]{0,40}?\b(?:quarters?|period|months|weeks|days|years|year|week|weekend|half|future|past|end|"
                       r"beginning|middle|hours)\b", re.IGNORECASE)
_NOT_TIME = re.compile(r"^(?:an?\s+quarter|\d0s|quarterly|(?:\d+|a|one)\s+half)$", re.IGNORECASE)
_QUARTER_WORD = re.compile(r"\bquarter\b", re.IGNORECASE)
_YEARISH = re.compile(r"(?:1[5-9]|20)\d\d")
_DIGITS = re.compile(r"\d")
_FUTURE = {"will", "'ll", "shall", "’ll", "wo", "would"}
_AHEAD_LEMMAS = {"plan", "schedule", "set", "expect", "due", "intend", "hope", "go", "prepare", "aim", "propose"}
_AHEAD_WORDS = re.compile(r"\b(?:as\s+(?:early|soon)\s+as|no\s+later\s+than|next|coming|deadline|"
                          r"scheduled|planned|expected|due)\s*$", re.IGNORECASE)


def find_dates(doc: Doc, anchor: date | None) -> list[DateRef]:
    text = doc.text
    spans: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ in ("DATE", "TIME"):
            # NER joins coordinated dates ("February 2019 and 2015"): one span per date.
            start = ent.start_char
            parts = _SPLIT.split(ent.text) if _SPLIT.search(ent.text) else [ent.text]
            for part in parts:
                if not part:
                    continue
                at = text.find(part, start, ent.end_char)
                if at < 0:
                    continue
                s, e = _trim(text, at, at + len(part))
                start = at + len(part)
                if e > s:
                    spans.append((s, e))
    for m in _FIND.finditer(text):
        s, e = _trim(text, m.start(), m.end())
        if e > s:
            spans.append((s, e))
    spans = _join(text, _merge(spans))
    out: list[DateRef] = []
    context = _Context(anchor, text)
    context.parsed = doc.has_annotation("DEP")
    for s, e in spans:
        if text[e - 1] == "." and not re.search(r"(?:\b[a-z]\.[a-z]|\b(?:jan|feb|mar|apr|aug|sept?|oct|nov|dec))\.$",
                                                text[max(s, e - 6):e], re.I):
            e -= 1  # a sentence's full stop, not an abbreviation's ("Oct.", "a.m.")
        expr = text[s:e]
        if e <= s or "\n" in expr or len(expr) > 80:
            continue
        if _AGE.search(expr) and not _YEARISH.search(expr):
            continue
        if _is_age_context(text, s, e):
            continue
        if _NOT_TIME.match(expr) or (expr.lower() in SET_WORDS and re.match(r"\s+[A-Z]", text[e:e + 3])):
            continue  # "a quarter of", "in his 30s", "the Communist Party daily Granma"
        value, kind = context.resolve(doc, expr, s, e)
        if kind == "skip":
            continue
        out.append(DateRef(expr, s, e, value, kind))
    return out


class _Context:
    """Document memory for expressions whose value depends on what the report is about: the
    reporting quarter of an earnings story ("the quarter", "a year earlier")."""

    def __init__(self, anchor: date | None, text: str):
        self.anchor = anchor
        self.text = text  # Doc.text is rebuilt on every access: read it once
        self.talks_quarters = bool(_QUARTER_WORD.search(text))
        self.parsed = False  # set by find_dates: Doc.has_annotation scans the whole doc
        self.quarter: str | None = None

    def resolve(self, doc: Doc, expr: str, s: int, e: int) -> tuple[str | None, str]:
        try:
            value, kind = self._resolve(doc, expr, s, e)
        except (OverflowError, ValueError):
            return None, "date"
        if value is not None and not VALUE_PATTERN.match(value):
            value = None
        return value, kind

    def _resolve(self, doc: Doc, expr: str, s: int, e: int) -> tuple[str | None, str]:
        norm = " ".join(expr.replace("’", "'").split())
        low = _LEAD.sub("", norm).lower()
        if self.anchor is not None and self.quarter is None and self.talks_quarters:
            self.quarter = _last_quarter(self.anchor)
        if self.anchor is not None:
            if low in ("the latest quarter", "latest quarter", "the most recent quarter"):
                return _last_quarter(self.anchor), "date"
            if low in ("the quarter", "quarter", "the latest period", "latest period", "the period", "that quarter",
                       "the same quarter", "the current quarter", "comparable period", "corresponding period"):
                return (self.quarter or _last_quarter(self.anchor)), "date"
            if re.match(r"^(?:a|one)\s+year\s+(?:ago|earlier)$|^(?:the\s+)?year-(?:earlier|ago)(?:\s+(?:quarter|period))?$", low):
                if self.quarter:
                    y, q = self.quarter.split("-Q")
                    return f"{int(y) - 1}-Q{q}", "date"
                return str(self.anchor.year - 1), "date"
            if m := re.match(r"^(?:comparable\s+|corresponding\s+)?year-(?:earlier|ago)\s+(first|second|third|fourth)\s+quarter$", low):
                year = int(self.quarter[:4]) if self.quarter else self.anchor.year
                return f"{year - 1}-Q{_ORD[m[1]]}", "date"
            if m := re.match(r"^(this|last|next)\s+year's\s+(?:(first|second|third|fourth)\s+)?quarter$", low):
                q = _ORD[m[2]] if m[2] else int((self.quarter or _last_quarter(self.anchor))[-1])
                return f"{self.anchor.year + {'this': 0, 'last': -1, 'next': 1}[m[1]]}-Q{q}", "date"
            if re.match(r"^(?:full|current|current\s+fiscal)\s+year$|^year[-\s]end$|^year's\s+end$|^end\s+of\s+the\s+year$", low):
                return str(self.anchor.year), "date"
            if low == "end of the month":
                return f"{self.anchor.year}-{self.anchor.month:02d}", "date"
            if (m := re.match(r"^(?:the\s+)?((?:19|20)\d\d)\s+(?:quarter|period)$", low)) and self.quarter:
                return f"{m[1]}-Q{self.quarter[-1]}", "date"
        value, kind = _checked(norm, self.anchor, _tense(doc, self.text, s, e) if self.parsed else "")
        if value and re.match(r"^\d{4}-Q[1-4]$", value):
            self.quarter = value
        return value, kind


def _last_quarter(anchor: date) -> str:
    idx = anchor.year * 4 + (anchor.month - 1) // 3 - 1
    return f"{idx // 4}-Q{idx % 4 + 1}"


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    m = _LEAD.match(text[s:e])
    if m:
        s += m.end()
        # TimeML keeps the determiner of a period noun phrase: "the third quarter", "the past two
        # months", "the year-earlier period", "the end of 1990" (not "the 1990s", "the Oct. 23").
        if m.group().lower().endswith(("the ", "the\t")) and _KEEP_THE.match(text[s:e]):
            s -= 4
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


_TIMEISH = re.compile(r"(?:\d\s*[ap]\.?m\.?|\bnoon|\bmidnight|\d:\d\d)$", re.I)
_DAYISH = re.compile(rf"^(?:{_WD}|{_M}\s+\d{{1,2}}\b|yesterday|today|tomorrow)", re.I)


def _join(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join "9 a.m. [EST] Tuesday", "Friday, Oct. 23" into one expression."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out:
            ps, pe = out[-1]
            gap = text[pe:s]
            if len(gap) <= 14 and _JOIN.match(gap) and "\n" not in gap:
                left, right = text[ps:pe], text[s:e]
                if (_TIMEISH.search(left) and _DAYISH.match(right)) or \
                        (re.fullmatch(_WD, left, re.I) and re.match(rf"{_M}\s+\d", right, re.I)):
                    out[-1] = (ps, e)
                    continue
        out.append((s, e))
    return out


def _is_age_context(text: str, s: int, e: int) -> bool:
    before = text[max(0, s - 8):s].lower()
    after = text[e:e + 10].lower()
    return bool(re.search(r"aged?\s*$", before) or re.match(r"\s*-?\s*(?:years?\s*-?\s*)?old\b", after))


def _tense(doc: Doc, text: str, start: int, end: int) -> str:
    """"past", "future" or "" (unknown) for the event the date at ``start`` belongs to: it decides
    whether "Friday" or "March" lies before or after the publication date."""
    if _AHEAD_WORDS.search(text[max(0, start - 25):start]):
        return "future"
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return ""
    tok = span.root
    for _ in range(4):
        if tok.pos_ in ("VERB", "AUX") or tok.head.i == tok.i:
            break
        if tok.dep_ not in ("pobj", "prep", "npadvmod", "tmod", "nummod", "compound", "appos", "nmod", "advmod",
                            "dobj", "conj", "attr", "pcomp") and tok.pos_ not in ("ADP",):
            break
        tok = tok.head
    if tok.pos_ not in ("VERB", "AUX"):
        return ""
    aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in aux}
    if words & _FUTURE or tok.lower_ in _FUTURE:
        return "future"
    if tok.lemma_ in _AHEAD_LEMMAS and tok.lemma_ not in ("go", "set") and (
            tok.tag_ in ("VB", "VBP", "VBZ", "VBG") or words & {"has", "have", "is", "are", "'s", "am"}):
        return "future"  # "plans a rally on Saturday", "has scheduled a news conference Thursday"
    if "to" in words and tok.tag_ == "VB":
        head = tok.head
        if head.lemma_ in _AHEAD_LEMMAS or head.lemma_ in ("be", "want", "need", "agree", "decide", "promise",
                                                           "threaten", "vow", "seek", "try", "ask"):
            return "future"
        return "future" if head.tag_ in ("VBP", "VBZ", "MD") else ""
    if tok.lemma_ in _AHEAD_LEMMAS and tok.tag_ in ("VBN", "VBD") and words & {"is", "are", "was", "were", "'s"}:
        return "future"  # "is scheduled Monday", "was set for Tuesday"
    if tok.tag_ in ("VBD",) or any(a.tag_ == "VBD" for a in aux) or (tok.tag_ == "VBN" and words & {"has", "have", "had"}):
        return "past"
    if tok.tag_ in ("VBP", "VBZ") and not words and tok.dep_ in ("ROOT", "conj") \
            and any(c.dep_ == "nsubj" for c in tok.children):
        return "future" if tok.lemma_ not in ("be", "have", "say") else ""  # "they meet separately Monday"
    if tok.tag_ == "VBG" and words & {"is", "are", "'s", "’s", "am"}:
        return "future"  # "is meeting on Friday"
    return ""


def _iso_week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _shift_months(d: date, months: int) -> tuple[int, int]:
    idx = d.year * 12 + (d.month - 1) + months
    return idx // 12, idx % 12 + 1


def _weekday(anchor: date, wd: int, direction: str) -> date:
    if direction == "next":
        return anchor + timedelta(days=(wd - anchor.weekday()) % 7 or 7)
    if direction == "ahead":  # on or after the anchor
        return anchor + timedelta(days=(wd - anchor.weekday()) % 7)
    if direction == "last":
        return anchor - timedelta(days=(anchor.weekday() - wd) % 7 or 7)
    return anchor - timedelta(days=(anchor.weekday() - wd) % 7)


def _num(word: str) -> float | None:
    word = " ".join(word.lower().split())
    if m := re.fullmatch(r"(\d+)\s+1/2", word):
        return int(m[1]) + 0.5
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def _month(s: str) -> int:
    s = s.lower().rstrip(".")
    return MONTHS[s[:4] if s.startswith("sept") else s[:3]]


_ABS_DMY = re.compile(rf"^(?:{_WD},?\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_M}),?\s+((?:1[5-9]|20)\d\d)$", re.I)
_ABS_MDY = re.compile(rf"^(?:{_WD},?\s+)?({_M})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:1[5-9]|20)\d\d)$", re.I)
_ABS_ISO = re.compile(r"^((?:1[5-9]|20)\d\d)-(\d\d)-(\d\d)$")
_ABS_US = re.compile(r"^(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)$")
_MOD = r"(?:early|mid|late|the\s+end\s+of|end\s+of|the\s+beginning\s+of|beginning\s+of|the\s+middle\s+of|middle\s+of)"
_MONTH_YEAR = re.compile(rf"^(?:{_MOD}[\s-]*)?({_M}),?\s+(?:of\s+)?((?:1[5-9]|20)\d\d)$", re.I)
_YEAR = re.compile(rf"^(?:(?:{_MOD}|the\s+year|fiscal|calendar|the\s+fiscal\s+year|fiscal\s+year|the\s+calendar\s+year)[\s-]*)?((?:1[5-9]|20)\d\d)(?:\s+(?:period|fiscal\s+year|financial\s+year))?$", re.I)
_DECADE = re.compile(r"^(?:the\s+)?(?:early\s+|mid-?\s*|late\s+)?((?:1[5-9]|20)\d)0['’]?s$", re.I)
_SHORT_DECADE = re.compile(r"^(?:the\s+)?(?:early\s+|mid-?\s*|late\s+)?['’]([2-9])0s$", re.I)
_CENTURY = re.compile(r"^(?:(?:early|mid|late|the\s+turn\s+of\s+the)[\s-]*)?(\d{1,2})(?:st|nd|rd|th)[\s-]+century$", re.I)
_SEASON = re.compile(rf"^(?:{_MOD}[\s-]*)?(spring|summer|autumn|fall|winter)\s+(?:of\s+)?((?:19|20)\d\d)$", re.I)
_QUARTER = re.compile(r"^(?:(?:the\s+)?(?:fiscal[\s-]+|calendar\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter(?:\s+of)?(?:\s+fiscal)?\s+((?:19|20)\d\d)"
                      r"|((?:19|20)\d\d)(?:'s)?\s+(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter)$", re.I)
_HALF = re.compile(r"^(?:the\s+)?(first|second|last|latter)\s+half(?:\s+of)?\s+((?:19|20)\d\d)$"
                   r"|^(?:the\s+)?first\s+(?:two|2)\s+quarters(?:\s+of)?\s+((?:19|20)\d\d)$", re.I)
_DAY_MONTH = re.compile(rf"^(?:(last|next|this\s+past|this\s+coming)\s+)?(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_M})|({_M})\s+(\d{{1,2}})(?:st|nd|rd|th)?)$", re.I)
_WD_DAY_MONTH = re.compile(rf"^{_WD},?\s+((?:{_M}\s+\d|\d{{1,2}}\s+{_M}).*)$", re.I)
_REL_MONTH = re.compile(rf"^(?:(last|this|next|past|early|mid|late|earlier\s+this|later\s+this|the\s+end\s+of|end\s+of|the\s+beginning\s+of)[\s-]+)?({_M})(?:\s+(this|last|next)\s+year)?$", re.I)
_REL_WEEKDAY = re.compile(rf"^(?:(last|this|next|past|coming|previous|early|late|earlier|later|day|this\s+past|this\s+coming)\s+)?({_WD})(?:\s+(?:morning|afternoon|evening|night))?$", re.I)
_REL_UNIT = re.compile(r"^(?:(?:earlier|later|early|late|mid|the\s+end\s+of|end\s+of|the\s+beginning\s+of|the\s+rest\s+of|"
                       r"the\s+middle\s+of|sometime|some\s+time)[\s-]+)?(?:the\s+)?"
                       r"(last|this|next|past|previous|coming|current|this\s+past|this\s+coming|same)\s+"
                       r"(week|month|year|weekend|quarter|spring|summer|autumn|fall|winter|century|decade)$", re.I)
_SEASON_REL = re.compile(r"^(?:(?:early|late|mid)[\s-]+)?(?:the\s+)?(spring|summer|autumn|fall|winter)$", re.I)
_AGO = re.compile(rf"^(?:(?:about|some|nearly|almost|more\s+than|less\s+than|over|just|only|barely|roughly|around)\s+)?({_NUMW})\s+({_UNIT})\s+(ago|earlier)$", re.I)
_DURATION = re.compile(rf"^(?:the\s+)?(?:(?:past|last|next|first|coming|previous|latest|final|another|additional|"
                       rf"more\s+than|less\s+than|nearly|almost|about|over|some|at\s+least|up\s+to|roughly|around)\s+)*"
                       rf"({_NUMW}|\d+\.\d+)(?:\s+(?:more|additional|full|straight|consecutive|long))?[\s-]+({_UNIT})(?:\s+(?:long|old|running))?$", re.I)
_RANGE_DURATION = re.compile(rf"^(?:the\s+)?(?:(?:next|past|last|first|coming)\s+)?{_NUMW}\s*(?:to|or|-)\s*{_NUMW}[\s-]+({_UNIT})$", re.I)
_VAGUE_DURATION = re.compile(rf"^(?:the\s+)?(?:(?:past|last|next|coming|recent|many|several|few|some|the\s+next\s+few|the\s+past\s+few)\s+)*({_UNIT})$", re.I)
_TIME = re.compile(r"^(?:(?:at|around|about)\s+)?(\d{1,2})(?:[:.](\d\d))?\s*(?:([ap])\.?\s*m\.?|(o'clock))"
                   rf"(?:\s+(?:[ECMP][SD]T|GMT|local\s+time))?(?:,?\s+({_WD}|yesterday|today|tomorrow|{_M}\s+\d{{1,2}}))?"
                   r"(?:\s+(?:morning|afternoon|evening|night))?$", re.I)
_NOON = re.compile(rf"^(noon|midnight|midday)(?:\s+({_WD}|yesterday|today|tomorrow))?$", re.I)
_REL_QUARTER = re.compile(r"^(?:the\s+)?(?:fiscal[\s-]+)?(first|second|third|fourth|1st|2nd|3rd|4th|latest|last|current|next|previous|recent)[\s-]+(?:fiscal[\s-]+)?quarter$", re.I)
_PRESENT = re.compile(r"^(?:now|currently|at present|presently|the present|nowadays|these days|right now|"
                      r"at the moment|at this time|this time|the moment|today's|the current)$", re.I)
_PAST = re.compile(r"^(?:recently|the past|in the past|formerly|previously|once|lately|"
                   r"the recent past|years ago|some time ago|a while ago|long ago|earlier|a few years ago|"
                   r"few years ago|several years ago|some years ago|years earlier|decades ago|months ago|weeks ago|days ago)$", re.I)
_FUTURE_REF = re.compile(r"^(?:the future|the near future|future|near future|the years ahead|the future|some day|someday|"
                         r"a later date|the coming years|coming years|the days ahead|the weeks ahead|the months ahead)$", re.I)
_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_DAYWORDS = {"today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0, "later today": 0,
             "earlier today": 0, "late today": 0, "yesterday": -1, "last night": -1, "late yesterday": -1,
             "earlier yesterday": -1, "later yesterday": -1, "yesterday morning": -1, "yesterday afternoon": -1,
             "yesterday evening": -1, "tomorrow": 1, "tomorrow morning": 1, "tomorrow night": 1,
             "the day before yesterday": -2, "the day after tomorrow": 2, "tomorrow afternoon": 1,
             "tomorrow evening": 1, "this weekend": None}
_SET = re.compile(r"^(?:every|each|per|a)\s+(day|week|month|year|night|morning|quarter)$", re.I)


def normalise(expression: str, anchor: date | None, tense: str = "") -> tuple[str | None, str]:
    """ISO/TimeML value and kind ("date", "time", "duration", "set") of one expression.
    ``tense`` ("past", "future" or "") picks the direction for "Friday", "March", "June 1";
    without it they resolve backwards (on or before the anchor)."""
    if len(expression) > 200:
        return None, "date"
    return _checked(" ".join(expression.replace("’", "'").split()), anchor, tense)


PART_OF_DAY = {"morning": "TMO", "afternoon": "TAF", "evening": "TEV", "night": "TNI", "tonight": "TNI"}
_PART_OF_DAY = re.compile(r"\b(morning|afternoon|evening|night|tonight)$", re.I)


#: The export JSON Schema's pattern for ``DateRef.value``.
def _export_value_pattern() -> re.Pattern[str]:
    """The export JSON Schema's pattern for date values: one definition, read from the schema."""
    import json
    from importlib import resources

    schema = json.loads(resources.files("sitroom.store").joinpath("export-schema.json").read_text(encoding="utf-8"))
    return re.compile(schema["properties"]["documents"]["items"]["properties"]["dates"]["items"]["properties"]
                      ["value"]["pattern"])


VALUE_PATTERN = _export_value_pattern()


def _checked(expr: str, anchor: date | None, tense: str) -> tuple[str | None, str]:
    """``_normalise`` made total: calendar overflow (an anchor in year 1 or 9999) and values outside
    the export pattern (years before 1000) become None rather than an exception or a bad value."""
    try:
        value, kind = _normalise(expr, anchor, tense)
    except (OverflowError, ValueError, KeyError):
        return None, "date"
    # TimeML part of day: "Friday night" -> 2016-10-14TNI, "this morning" -> 2016-10-19TMO.
    part = _PART_OF_DAY.search(expr)
    if part and value and kind == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        value += PART_OF_DAY[part.group(1).lower()]
    if value is not None and not VALUE_PATTERN.match(value):
        value = None
    return value, kind


def _pick(anchor: date, candidates: list[date], tense: str) -> date:
    """The latest candidate on or before the anchor (news reports the past), the earliest after
    it when the verb looks ahead; a candidate too far on the preferred side gives way to the
    nearest one ("has set Nov. 10 as the deadline", written on Oct. 27, is the coming Nov. 10)."""
    before = [c for c in candidates if c <= anchor]
    after = [c for c in candidates if c >= anchor]
    near = min(candidates, key=lambda c: (abs((c - anchor).days), c > anchor))
    if tense == "future" and after:
        choice, horizon = min(after), 300
    elif before:
        choice, horizon = max(before), (335 if tense == "past" else 240)
    else:
        return near
    return choice if abs((choice - anchor).days) <= horizon else near


@functools.lru_cache(maxsize=65536)
def _normalise(expr: str, anchor: date | None, tense: str) -> tuple[str | None, str]:
    future = tense == "future"
    e = _LEAD.sub("", expr).strip(" ,.;:")
    if e.lower().startswith(("a ", "an ")) and not re.match(r"^an?\s+(?:year|week|month|day|decade|few|couple|century|hundred|quarter|half)\b", e, re.I):
        e = e.split(" ", 1)[1]
    low = e.lower()
    if not e:
        return None, "skip"

    if m := _ABS_ISO.match(e):
        return _valid(int(m[1]), int(m[2]), int(m[3])), "date"
    if m := _ABS_DMY.match(e):
        return _valid(int(m[3]), _month(m[2]), int(m[1])), "date"
    if m := _ABS_MDY.match(e):
        return _valid(int(m[3]), _month(m[1]), int(m[2])), "date"
    if m := _ABS_US.match(e):
        return _valid(int(m[3]), int(m[1]), int(m[2])), "date"
    if m := _MONTH_YEAR.match(e):
        return f"{int(m[2])}-{_month(m[1]):02d}", "date"
    if m := _YEAR.match(e):
        return m[1], "date"
    if m := _DECADE.match(e):
        return m[1], "date"
    if m := _SHORT_DECADE.match(e):
        return f"19{m[1]}", "date"
    if m := _CENTURY.match(e):
        n = int(m[1])
        return (f"{n - 1:02d}" if 1 < n <= 21 else None), "date"
    if m := _SEASON.match(e):
        return f"{m[2]}-{SEASONS[m[1].lower()]}", "date"
    if m := _QUARTER.match(e):
        year, q = (m[2], m[1]) if m[1] else (m[3], m[4])
        return f"{year}-Q{_ORD[q.lower()]}", "date"
    if m := _HALF.match(e):
        if m[3]:
            return f"{m[3]}-H1", "date"
        return f"{m[2]}-H{1 if m[1].lower() == 'first' else 2}", "date"
    if low == "quarterly":
        return None, "skip"  # "a quarterly dividend": an adjective, not a time
    if low in SET_WORDS:
        return SET_WORDS[low], "set"
    if m := _SET.match(e):
        unit = m[1].lower()
        return {"night": "P1D", "morning": "P1D", "quarter": "P3M"}.get(unit, f"P1{UNITS.get(unit, 'D')}"), "set"
    if _PRESENT.match(e):
        return "PRESENT_REF", "date"
    if _PAST.match(e):
        return "PAST_REF", "date"
    if _FUTURE_REF.match(e):
        return "FUTURE_REF", "date"
    if m := _TIME.match(e):
        if anchor is None:
            return None, "time"
        hour = int(m[1])
        if m[3]:
            hour = hour % 12 + (12 if m[3].lower() == "p" else 0)
        if hour > 23 or int(m[2] or 0) > 59:
            return None, "time"
        day = _day_of(m[5], anchor, tense) if m[5] else anchor
        if day is None:
            return None, "time"
        return f"{day.isoformat()}T{hour:02d}:{int(m[2] or 0):02d}", "time"
    if m := _NOON.match(e):
        if anchor is None:
            return None, "time"
        day = _day_of(m[2], anchor, tense) if m[2] else anchor
        hour = "00" if m[1].lower() == "midnight" else "12"
        return (f"{day.isoformat()}T{hour}:00" if day else None), "time"
    if low == "one day" and future:
        return "FUTURE_REF", "date"  # "Islam will one day be ..."
    if m := _DURATION.match(e):
        return _duration(m[1], m[2]), "duration"
    if m := _RANGE_DURATION.match(e):  # "12 to 18 months": TimeML leaves the amount open
        return _duration("few", m[1]), "duration"
    if m := _VAGUE_DURATION.match(e):
        if low.startswith(("recent", "the past", "past", "the last", "last")) and low.endswith("s"):
            return _duration("few", m[1]), "duration"
        if low.endswith("s") and low == m[1].lower():
            return _duration("few", m[1]), "duration"
    # -- relative: need the anchor ------------------------------------------------------------
    relative = (_DAY_MONTH.match(e) or _REL_MONTH.match(e) or _REL_WEEKDAY.match(e) or _REL_UNIT.match(e)
                or _AGO.match(e) or low in _DAYWORDS or _WD_DAY_MONTH.match(e) or _SEASON_REL.match(e)
                or _REL_QUARTER.match(e) or re.fullmatch(_HOLIDAY, low) or low.startswith("week of "))
    if not relative:
        if _DIGITS.search(e):
            return None, "date"
        return None, "skip"
    if anchor is None:
        return None, "date"
    if low in _DAYWORDS:
        shift = _DAYWORDS[low]
        if shift is None:
            return _iso_week(anchor), "date"
        return (anchor + timedelta(days=shift)).isoformat(), "date"
    if low.startswith("week of "):
        value, _ = _normalise(e[8:], anchor, tense)
        try:
            return _iso_week(date.fromisoformat(value)), "date"
        except (TypeError, ValueError):
            return None, "date"
    if m := _DAY_MONTH.match(e):
        day, mon = int(m[2] or m[5]), _month(m[3] or m[4])
        which = (m[1] or "").lower()
        options = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := _date(y, mon, day))]
        if not options:
            return None, "date"
        if which in ("last", "this past"):
            tense = "past"
        elif which in ("next", "this coming"):
            tense = "future"
        return _pick(anchor, options, tense).isoformat(), "date"
    if m := _WD_DAY_MONTH.match(e):  # "Friday, Oct. 23": the date decides
        return _normalise(m[1], anchor, tense)
    if m := _REL_MONTH.match(e):
        which, mon = (m[1] or "").lower(), _month(m[2])
        if m[3]:
            return f"{anchor.year + {'this': 0, 'last': -1, 'next': 1}[m[3].lower()]}-{mon:02d}", "date"
        if which == "next":
            year = anchor.year if mon > anchor.month else anchor.year + 1
        elif which in ("last", "past"):
            year = anchor.year if mon < anchor.month else anchor.year - 1
        elif which.startswith(("this", "earlier this", "later this")):
            year = anchor.year
        else:
            options = [date(y, mon, 15) for y in (anchor.year - 1, anchor.year, anchor.year + 1)]
            best = _pick(date(anchor.year, anchor.month, 15), options, tense)
            year = best.year
        return f"{year}-{mon:02d}", "date"
    if m := _REL_WEEKDAY.match(e):
        which, wd = (m[1] or "").lower(), WEEKDAYS[m[2].lower()]
        if which in ("next", "coming", "this coming"):
            direction = "next"
        elif which in ("last", "past", "previous", "this past"):
            direction = "last"
        elif future:
            direction = "ahead"
        else:
            direction = "on-or-before"
        return _weekday(anchor, wd, direction).isoformat(), "date"
    if m := _REL_UNIT.match(e):
        which, unit = m[1].lower(), m[2].lower()
        step = {"last": -1, "past": -1, "previous": -1, "this past": -1, "this": 0, "current": 0, "same": 0,
                "next": 1, "coming": 1, "this coming": 1}[which]
        if unit in ("week", "weekend"):
            return _iso_week(anchor + timedelta(weeks=step)), "date"
        if unit == "month":
            y, mo = _shift_months(anchor, step)
            return f"{y}-{mo:02d}", "date"
        if unit == "quarter":
            idx = anchor.year * 4 + (anchor.month - 1) // 3 + step
            return f"{idx // 4}-Q{idx % 4 + 1}", "date"
        if unit in SEASONS:
            return _season(anchor, unit, step, explicit=which == "this"), "date"
        if unit in ("decade", "century") and which in ("last", "past", "next", "coming"):
            return ("P10Y" if unit == "decade" else "P100Y"), "duration"  # "over the past decade"
        if unit == "decade":
            return str(anchor.year // 10 + step), "date"
        if unit == "century":
            return f"{anchor.year // 100 + step:02d}", "date"
        return str(anchor.year + step), "date"
    if m := _SEASON_REL.match(e):
        return _season(anchor, m[1].lower(), 0 if not future else 1), "date"
    if m := _REL_QUARTER.match(e):
        which = m[1].lower()
        current = (anchor.month - 1) // 3 + 1
        if which in _ORD:
            q = _ORD[which]
            year = anchor.year if (q <= current or future) else anchor.year - 1
            return f"{year}-Q{q}", "date"
        step = {"latest": -1, "last": -1, "previous": -1, "recent": -1, "current": 0, "next": 1}[which]
        idx = anchor.year * 4 + current - 1 + step
        return f"{idx // 4}-Q{idx % 4 + 1}", "date"
    if m := _AGO.match(e):
        n = _num(m[1])
        unit = m[2].lower().rstrip("s").replace("centurie", "century")
        if n is None or n != int(n):
            return "PAST_REF", "date"
        n = int(n)
        if unit == "day":
            return (anchor - timedelta(days=n)).isoformat(), "date"
        if unit in ("week", "fortnight"):
            return _iso_week(anchor - timedelta(weeks=n * (2 if unit == "fortnight" else 1))), "date"
        if unit == "month":
            y, mo = _shift_months(anchor, -n)
            return f"{y}-{mo:02d}", "date"
        if unit == "quarter":
            idx = anchor.year * 4 + (anchor.month - 1) // 3 - n
            return f"{idx // 4}-Q{idx % 4 + 1}", "date"
        if unit == "year":
            return str(anchor.year - n), "date"
        if unit == "decade":
            return str(anchor.year - 10 * n), "date"
        if unit == "century":
            return f"{(anchor.year - 100 * n) // 100:02d}", "date"
        return (anchor.isoformat(), "date") if unit in ("hour", "minute") else ("PAST_REF", "date")
    if re.fullmatch(_HOLIDAY, low):
        return _holiday(low, anchor, tense), "date"
    return None, "date"


def _duration(amount: str, unit: str) -> str:
    n = _num(amount) if not re.match(r"^\d+\.\d+$", amount) else float(amount)
    unit = unit.lower().rstrip("s").replace("centurie", "century")
    code = UNITS.get(unit, "Y")
    time_unit = unit in ("hour", "minute", "second")
    prefix = "PT" if time_unit else "P"
    if n is None:
        return f"{prefix}X{code}"
    if unit == "fortnight":
        n *= 2
    if unit == "decade":
        n, code = n * 10, "Y"
    if unit == "century":
        n, code = n * 100, "Y"
    if n != int(n):
        whole = int(n)
        half = {"Y": (6, "M"), "M": (15, "D"), "W": (3.5, "D"), "D": (12, "H"), "H": (30, "M")}.get(code)
        if half and half[0] == int(half[0]):
            sep = "T" if code == "D" else ""
            return f"{prefix}{whole}{code}{sep}{half[0]}{half[1]}" if whole else f"{prefix}{sep}{half[0]}{half[1]}".replace("PT", "PT")
        return f"{prefix}{n}{code}"
    return f"{prefix}{int(n)}{code}"


def _season(anchor: date, name: str, step: int, explicit: bool = False) -> str:
    code = SEASONS[name]
    start_month = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[code]
    year = anchor.year + step
    if step == 0 and not explicit and code != "WI" and anchor.month < start_month:
        year -= 1  # "the summer" in March: last summer
    if step == -1 and code != "WI" and anchor.month >= start_month + 3:
        year += 1  # "last summer" in October: this year's summer
    return f"{year}-{code}"


def _holiday(name: str, anchor: date, tense: str) -> str | None:
    def on(year: int) -> date | None:
        if name.startswith("christmas"):
            return date(year, 12, 24 if name.endswith("eve") else 25)
        if name.startswith("new year"):
            return date(year, 12, 31) if name.endswith("eve") else date(year, 1, 1)
        if name.startswith("thanksgiving"):
            first = date(year, 11, 1)
            return first + timedelta(days=(3 - first.weekday()) % 7 + 21)
        if name.startswith("election"):
            first = date(year, 11, 2)
            return first + timedelta(days=(1 - first.weekday()) % 7)
        if name.startswith("independence"):
            return date(year, 7, 4)
        if name.startswith("labor"):
            first = date(year, 9, 1)
            return first + timedelta(days=(0 - first.weekday()) % 7)
        if name.startswith("memorial"):
            last = date(year, 5, 31)
            return last - timedelta(days=last.weekday())
        if name.startswith("valentine"):
            return date(year, 2, 14)
        if name.startswith("halloween"):
            return date(year, 10, 31)
        if name.startswith("easter"):
            a, b, c = year % 19, year // 100, year % 100
            d, e_ = b // 4, b % 4
            f = (b + 8) // 25
            g = (b - f + 1) // 3
            h = (19 * a + b - d - g + 15) % 30
            i, k = c // 4, c % 4
            lt = (32 + 2 * e_ + 2 * i - h - k) % 7
            m = (a + 11 * h + 22 * lt) // 451
            month = (h + lt - 7 * m + 114) // 31
            return date(year, month, (h + lt - 7 * m + 114) % 31 + 1)
        return None

    options = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := on(y))]
    if not options:
        return None
    if tense == "future":
        after = [d for d in options if d >= anchor]
        return min(after).isoformat()
    before = [d for d in options if d <= anchor]
    return max(before).isoformat()


def _day_of(word: str, anchor: date, tense: str) -> date | None:
    low = word.lower()
    if low in _DAYWORDS and _DAYWORDS[low] is not None:
        return anchor + timedelta(days=_DAYWORDS[low])
    if low in WEEKDAYS:
        return _weekday(anchor, WEEKDAYS[low], "ahead" if tense == "future" else "on-or-before")
    value, _ = _normalise(word, anchor, tense)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


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
