"""Date expressions, normalised to ISO / TimeML values anchored on the publication date.

Recognition
    spaCy's DATE and TIME entities, split where NER joins coordinated dates ("1994, 1995 and
    1997", "April 24 and 25") and trimmed to the expression proper ("on Tuesday" -> "Tuesday",
    "the 1990s" -> "1990s"; the determiner of a period phrase stays, as in TimeML: "the past two
    months", "the third quarter"), plus our own patterns for what NER misses (weekday names,
    "mid-2014", "two weeks ago", numeric dates, "9 a.m. EST Tuesday", "the quarter", holidays,
    "daily", spelled-out years in transcripts, ...).  Ages ("34-year-old", "in his 30s"), bare
    numbers, titles ("This Week", "60 Minutes"), and expressions we cannot read ("the
    past") are dropped.  Every ``DateRef`` satisfies ``doc.text[start:end] == ref.text`` and
    outputs never overlap.

Normalisation (TimeML / TempEval-3 conventions; values match the export schema's pattern)
    "19 October 2016" -> "2016-10-19", "February 2019" -> "2019-02", "2015" -> "2015",
    "the 1990s" -> "199", "the 20th century" -> "19", "summer 2015" -> "2015-SU",
    "the first quarter of 2015" -> "2015-Q1", "the first half of 2015" -> "2015-H1",
    "this week" -> "2016-W42", "three years" -> "P3Y" (kind "duration"; quarters count as three
    months), "daily" -> "P1D" (kind "set"), "4:30 a.m." -> "2016-10-19T04:30" (kind "time"),
    "now" -> "PRESENT_REF", "recently" -> "PAST_REF", "the near future" -> "FUTURE_REF".

    Granularity is kept, never invented: "mid-2014", "early 2015", "the end of 1990" are the year
    ("2014"), as in TimeML where the part of the year would go in a separate ``mod`` attribute;
    "early March" is "YYYY-03".  "Friday night" is the Friday (TimeBank mostly annotates so, and a
    timeline wants the day); the deictic "tonight", "this morning", "last night" keep TimeML's
    part of day ("2016-10-19TNI").

Anchoring
    Relative expressions resolve against ``anchor`` (the publication date).  Without an anchor
    their value is None, never a guess, and that includes "now"/"recently" (PRESENT_REF and
    PAST_REF are relative to the time of writing); absolute expressions still normalise, and so do
    durations and sets ("three years" is P3Y whenever it was written).

    * A weekday is the latest such day on or before the anchor (news reports the past), unless
      the governing verb looks ahead ("will meet on Friday", "is to resume trading Tuesday",
      "plans to leave Thursday", "leaves Thursday", "as soon as Tuesday", "until Tuesday"); then
      the next one.  The tense comes from the dependency parse: only a verb the date hangs on
      counts (directly, through a preposition, or through the noun it modifies: "for a mission in
      December"); a capitalised "verb" mid-sentence is a misparsed name and is ignored.
    * "March 5" without a year: the nearest March 5, a distance against the verb's tense counting
      double (an unknown tense counts a later date 1.5 times).  "March": on or before the anchor's month for a past-tense verb, after it for a
      future/present one, else the nearest (a later one counting 1.5 times).
    * "last November" is the most recent November strictly before the anchor's month; "this
      week"/"last week" are ISO weeks; "two weeks ago" is the ISO week two weeks back, "two days
      ago" the day, "a month ago" the month, "a year ago" the year.
    * Anaphoric expressions ("that day", "the following year", "two days later") resolve against
      the last date the article mentioned before them (the anchor when none).
    * Business reporting: "the quarter" / "the latest period" is the completed quarter the article
      last named (else the last completed quarter); "a year earlier" / "the year-ago quarter" after
      such a quarter is that quarter a year back ("1988-Q3"), else the previous year.

Speed: candidates come from NER plus a fixed set of precompiled, bounded regexes (no nested
quantifiers; every pattern starts behind a word-boundary guard, so a line of a million digits is
scanned in linear time and matches nothing); normalisation is memoised; dateparser is only a
cached last resort for absolute expressions our table does not read.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from spacy.tokens import Doc

from ..schema import DateRef

# --------------------------------------------------------------------------------------------
# vocabulary

_MONTH_LIST = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december"]
MONTHS = {m: i for i, m in enumerate(_MONTH_LIST, 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                         "sunday"])}
PART_OF_DAY = {"morning": "TMO", "afternoon": "TAF", "evening": "TEV", "night": "TNI"}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
             "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
             "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
             "twenty-first": 21, "twenty first": 21, "final": 4, "last": 4}
_SMALL = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_VAGUE = {"few", "a few", "several", "many", "some", "a number of", "numerous", "dozens of", "hundreds of",
          "the few", "the several"}
# unit -> (TimeML letter, is a time-of-day unit: PT...)
_UNIT = {"second": ("S", True), "minute": ("M", True), "hour": ("H", True), "day": ("D", False),
         "night": ("D", False), "week": ("W", False), "fortnight": ("W", False), "month": ("M", False),
         "quarter": ("Q", False), "year": ("Y", False), "decade": ("DE", False), "century": ("CE", False),
         "weekend": ("WE", False)}

#: The export schema's pattern for ``DateRef.value`` (src/sitroom/store/export-schema.json).
VALUE_PATTERN = re.compile(r"^(\d{4}(-(\d{2}(-\d{2}(T(\d{2}:\d{2}|MO|AF|EV|NI))?)?|W\d{2}(-WE)?|Q[1-4]|H[12]|SP|SU|"
                           r"FA|WI))?|\d{2,3}|P.*|PRESENT_REF|PAST_REF|FUTURE_REF|XXXX.*)$")

# --------------------------------------------------------------------------------------------
# regex fragments for finding (case-insensitive; capitalised words under (?-i:...))

_MON_FULL = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_MON = rf"(?-i:{_MON_FULL}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?)"
_WDAY = r"(?-i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?:1[5-9]\d\d|20\d\d)(?!\d)"
_NW = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
       r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)")
_NUM = (rf"(?:\d{{1,4}}(?:\.\d+)?(?:\s+1/2)?(?!\d)|{_NW}(?:[\s-]{_NW})?(?:\s+(?:and\s+a\s+)?half)?|"
        r"a\s+(?:few|couple\s+of|dozen|hundred|thousand)|a\s+couple|couple\s+of|several|few|many|a|an)")
_UNITS = r"(?:minutes?|hours?|days?|nights?|weeks?|fortnights?|months?|years?|decades?|centur(?:y|ies))"
_POD = r"(?:morning|afternoon|evening|night)"
_QUANT = (r"(?:(?:almost|nearly|about|around|approximately|roughly|some|more\s+than|less\s+than|fewer\s+than|"
          r"at\s+least|at\s+most|up\s+to|no\s+more\s+than|over|only|just|barely|fully|another|an\s+additional)\s+)")
_TZ = r"(?:local\s+time|(?-i:[A-Z][SD]T|GMT|UTC|CET|CEST|BST))"
_CLOCK = (r"(?:\d{1,2}(?::[0-5]\d)?\s*(?:a\.m\.?|p\.m\.?|(?-i:am|pm|AM|PM))(?![\w])|(?:[01]?\d|2[0-3]):[0-5]\d(?![\d:])"
          r"|(?:[01]\d|2[0-3])[0-5]\d\s+(?-i:GMT|UTC)|noon|midnight|midday|\d{1,2}\s+o'clock)")
_DAYREF = rf"(?:{_WDAY}(?:\s+{_POD})?|{_MON}\s+{_DAY}(?:,?\s+{_YEAR})?|today|yesterday|tomorrow|tonight)"
_SPELLED_YEAR = (r"nineteen[\s-](?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
                 r"nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:one|two|three|"
                 r"four|five|six|seven|eight|nine))?(?![\w-])")
_HOLIDAY = (r"(?-i:Christmas(?:\s+(?:Day|Eve))?|New\s+Year's\s+(?:Day|Eve)|Thanksgiving(?:\s+Day)?|"
            r"Easter(?:\s+(?:Sunday|Monday|week))?|Good\s+Friday|Election\s+Day|Independence\s+Day|"
            r"Labor\s+Day|Memorial\s+Day|Halloween|Valentine's\s+Day|Boxing\s+Day|Bastille\s+Day|"
            r"Armistice\s+Day|Veterans\s+Day)")

_B = r"(?<![\w-])"  # start guard: not inside a word or a hyphenated compound
_E = r"(?![\w])"

#: Patterns that find expressions (NER finds most; these add what it misses).  A named group
#: ``x`` marks the expression inside a match whose other words are only context.
_FIND = [re.compile(p, re.IGNORECASE) for p in [
    # dates with a day: "Monday, Oct. 26, 1989", "19 October 2016", "Oct. 23"
    rf"{_B}(?:{_WDAY},?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MON}(?:,?\s+{_YEAR})?",
    rf"{_B}(?:{_WDAY},?\s+)?{_MON}\s+{_DAY}(?:,?\s+{_YEAR})?",
    rf"{_B}(?:1[5-9]|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d-])",
    rf"{_B}\d{{1,2}}[/.]\d{{1,2}}[/.](?:\d{{4}}|\d\d)(?![\d/.]\d)",
    rf"{_B}the\s+week\s+of\s+{_MON}\s+{_DAY}",
    # month + year, month + relative year, bare month after a cue word
    rf"{_B}(?:(?:early|mid|late)[\s-]+)?{_MON},?\s+(?:of\s+)?(?:{_YEAR}|{_SPELLED_YEAR}|'\d\d(?!\d))",
    rf"{_B}{_MON}\s+(?:this|last|next)\s+year{_E}",
    rf"{_B}(?:in|since|by|until|till|from|during|through|before|after|early|late|mid|last|this|next|of|that|"
    rf"each|every|between|and|or|to)[\s-]+(?P<x>(?:(?:early|late)\s+)?(?-i:{_MON_FULL})){_E}(?!\s+\d)"
    r"(?!\s+(?-i:[A-Z]))",
    # years
    rf"{_B}(?:mid|early|late)-?\s?{_YEAR}",
    rf"{_B}(?:fiscal|calendar|financial)\s+(?:year\s+)?(?:{_YEAR}|'?\d\d(?!\d))",
    rf"{_B}(?:in|since|by|until|till|from|during|through|before|after|of|to|around|between|and|or)\s+"
    rf"(?P<x>{_YEAR})(?=\s*(?:[.,;:)'\"”’?!]|$|\s+(?:and|or|to|when|after|before|until|as|that|the|with|at|in|"
    r"on|but|because|for|was|is|were|had|have|has|he|she|they|it|we|I|from|by|through|while)\b))",
    rf"{_B}(?:the\s+)?year\s+(?:{_YEAR}|two\s+thousand)",
    rf"{_B}{_SPELLED_YEAR}",
    # decades and centuries
    rf"{_B}(?:(?:early|mid|late)[\s-]+)?(?:1[5-9]|20)\d0['’]?s{_E}",
    rf"{_B}(?:(?:early|mid|late)[\s-]+)?['’]\d0s{_E}",
    rf"{_B}the\s+(?:(?:early|mid|late)[\s-]+)?(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|"
    r"nineties)" + _E,
    rf"{_B}(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|"
    rf"twentieth|twenty[\s-]first)[\s-]+century{_E}",
    rf"{_B}(?:this|last|next|the\s+(?:past|last|previous|current|next))\s+century{_E}",
    # relative units: "last week", "earlier this month", "this past weekend"
    rf"{_B}(?:(?:early|late|earlier|later|mid)[\s-]+)?(?:last|this|next|coming|previous|current|past|this\s+past|"
    rf"this\s+coming)\s+(?:week|month|year|weekend|quarter|decade|spring|summer|autumn|fall|winter){_E}",
    rf"{_B}(?:earlier|later)\s+(?:this|that)\s+(?:week|month|year|morning|afternoon|evening|day){_E}",
    rf"{_B}(?:the\s+)?(?:full|fiscal|current|current\s+fiscal|latest\s+fiscal|calendar)\s+year{_E}(?!-)",
    # weekdays
    rf"{_B}(?:(?:early|late|earlier|later)\s+(?:on\s+)?)?(?:(?:last|this|next|past|coming|previous|this\s+past|"
    rf"this\s+coming)\s+)?{_WDAY}(?:\s+{_POD})?(?:,?\s+{_MON}\s+{_DAY}(?:,?\s+{_YEAR})?)?{_E}",
    # today & co
    rf"{_B}(?:(?:early|late|earlier|later)\s+)?(?:yesterday|today|tomorrow|tonight)(?:\s+{_POD})?{_E}",
    rf"{_B}(?:last|tomorrow)\s+night{_E}|{_B}this\s+(?:morning|afternoon|evening){_E}",
    rf"{_B}mid-?\s?(?:morning|afternoon|day){_E}(?:\s+(?:today|yesterday|tomorrow|{_WDAY}){_E})?",
    # "two weeks ago", "a year earlier", "year-ago"
    rf"{_B}{_QUANT}?{_NUM}[\s-]+(?:more\s+)?{_UNITS}\s+(?:or\s+so\s+)?(?:ago|earlier|later|from\s+now|hence){_E}",
    rf"{_B}(?:years|months|weeks|days|decades)\s+(?:ago|earlier|later){_E}",
    rf"{_B}(?:a\s+)?(?:year|month|week)[\s-](?:earlier|ago){_E}(?![\s-]+(?:than|before))",
    # business periods
    rf"{_B}(?:(?:this|last|next)\s+year's\s+|(?:its|the|this|that)\s+)?(?:(?:{_YEAR}|fiscal|calendar|year-ago|"
    r"year-earlier|comparable|same|latest|current|previous|first|second|third|fourth|final|1st|2nd|3rd|4th)"
    rf"[\s-]+){{0,3}}(?:quarter|half){_E}(?!-)(?:\s+of\s+(?:fiscal\s+)?(?:{_YEAR}|the\s+year|this\s+year|"
    r"last\s+year|next\s+year))?",
    rf"{_B}(?:the\s+)?(?:first|last|second)\s+(?:two|three)\s+quarters\s+of\s+(?:fiscal\s+)?{_YEAR}",
    rf"{_B}(?:fourth|third|second|first)-quarter{_E}",
    rf"{_B}the\s+(?:{_YEAR}|year-ago|year-earlier|latest|comparable|corresponding|same)\s+(?:(?:year-ago|"
    r"year-earlier|comparable|fiscal)\s+)?period(?:\s+(?:a\s+year\s+(?:ago|earlier)|last\s+year))?" + _E,
    # seasons
    rf"{_B}(?:(?:early|late|mid)[\s-]+)?(?:spring|summer|autumn|fall|winter)\s+(?:of\s+)?(?:{_YEAR}|"
    rf"{_SPELLED_YEAR})",
    rf"{_B}(?:in|during|since|by|until|through|last|this|next|past|the|early|late)\s+(?:(?:early|late)\s+)?"
    r"(?:spring|summer|autumn|winter)" + _E + r"(?!\s+(?:of\s+)?(?-i:[A-Z]))",
    # clock times, alone or with their day: "9 a.m. EST Tuesday", "noon Saturday"
    rf"{_B}(?:around\s+)?{_CLOCK}(?:\s+{_TZ})?(?:\s*\(\s*\d{{3,4}}\s+(?-i:GMT|UTC)\s*\))?(?:,?\s+(?:on\s+)?{_DAYREF})?",
    rf"{_B}\d{{1,2}}\s+in\s+the\s+(?:morning|afternoon|evening){_E}",
    rf"{_B}(?:\d{{1,2}}/\d{{1,2}}/\d{{4}}|(?:1[5-9]|20)\d\d-\d\d-\d\d|{_MON}\s+{_DAY},?\s+{_YEAR}|"
    rf"{_DAY}\s+{_MON}\s+{_YEAR}),?"
    rf"\s+(?:at\s+)?\d{{1,2}}(?::[0-5]\d)\s*(?:a\.m\.?|p\.m\.?|(?-i:am|pm|AM|PM))?(?![\w:])",
    # symbolic references
    rf"{_B}(?:right\s+)?now{_E}(?!-)|{_B}(?:currently|nowadays|recently|lately){_E}",
    rf"{_B}(?:at\s+present|these\s+days){_E}",
    rf"{_B}the\s+(?:(?:near|foreseeable|distant|immediate)\s+)?future{_E}(?!-)",
    rf"{_B}(?:in|over|for)\s+(?P<x>the\s+(?:near|short|long)\s+term){_E}(?!-)",
    rf"{_B}recent\s+(?:years|months|weeks|days|decades){_E}",
    rf"{_B}the\s+(?:years|months|weeks|days)\s+ahead{_E}",
    # durations NER misses
    rf"{_B}{_QUANT}?(?:the\s+(?:past|last|next|first|final|previous|coming|following)\s+)?{_NUM}[\s-]+"
    rf"(?:(?:more|additional|full|straight|consecutive|trading|business|working)\s+)?{_UNITS}(?:[\s-]long)?{_E}"
    r"(?![\s-]+old)(?!-)",
    rf"{_B}(?:for|within|in|over|after|lasting|took|take|takes)\s+(?P<x>(?:years|months|weeks|days|decades|"
    rf"hours)){_E}(?!\s+(?:ago|old|of\s+age|later|earlier|before))",
    # sets
    rf"{_B}(?-i:daily|weekly|monthly|hourly|nightly){_E}(?!-)",
    rf"{_B}(?:every|each)\s+(?:other\s+)?(?:(?:{_NUM})\s+)?(?:{_UNITS}|{_WDAY}|(?-i:{_MON_FULL})|{_POD}|"
    r"spring|summer|autumn|winter)" + _E,
    rf"{_B}(?-i:Mondays|Tuesdays|Wednesdays|Thursdays|Fridays|Saturdays|Sundays){_E}",
    # holidays
    rf"{_B}{_HOLIDAY}(?:\s+{_YEAR})?{_E}",
    # anaphoric: "that day", "the following year", "the day before"
    rf"{_B}(?:(?:earlier|later)\s+)?(?:that|the\s+same|the\s+following|the\s+previous|the\s+preceding|the\s+prior)"
    rf"\s+(?:day|morning|afternoon|evening|night|week|weekend|month|year){_E}",
    rf"{_B}the\s+next\s+(?:day|morning|afternoon|evening|night){_E}",
    rf"{_B}the\s+(?:day|night)\s+(?:before|after){_E}(?!\s+(?:the|a|an|his|her|their|its|last|next|[A-Z]))",
    # ends of periods
    rf"{_B}(?:the\s+)?(?:end|beginning|start|middle|turn)\s+of\s+(?:the|this|next|last)\s+(?:year|month|week|"
    rf"quarter|decade|century){_E}",
    rf"{_B}(?:year|month|quarter)[\s-]end{_E}|{_B}year's\s+end{_E}",
]]

# --------------------------------------------------------------------------------------------
# trimming, splitting, filtering

_LEAD = re.compile(
    r"(?:(?:on|in|at(?!\s+(?:least|most)\b)|since|by|until|till|from|during|of|for|before|after|through|"
    r"throughout|within|between|"
    r"and|or|to|as\s+of|as\s+early\s+as|as\s+soon\s+as|as\s+late\s+as|as\s+recently\s+as|starting|beginning|"
    r"effective|into|the|both|either|a\s+(?=(?:\d|week\s+of|day\s+of))|"
    r"around(?=\s+(?:the\s+)?(?:[a-z]+\s+)?(?:week|month|"
    r"year|time))|all|up\s+until|shortly\s+(?:before|after)|just\s+(?:before|after)|over(?=\s+the\b)|only|just|even|"
    r"also|again|still)\s+)+", re.IGNORECASE)
_TRAIL = re.compile(r"(?:[\s,;:!?'\"“”‘’()\[\]]|['’]s(?=\W*$)|\s(?:and|or|to|through|until|the|of)(?=\W*$))+$",
                    re.IGNORECASE)
_ABBREV_END = re.compile(r"(?:\b(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)|[ap]\.m|\b[a-z])\.$", re.I)
_SPLIT = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|to|through|until|till|nor)\s+|\s*[–—]\s*|\s+-\s+"
                    r"|(?<=\d)-(?=(?:1[5-9]|20)\d\d\b)|\s+(?:ended|ending|ends)\s+|\s+of\s+(?=(?:1[5-9]|20)\d\d\b)",
                    re.IGNORECASE)
_AGE_IN = re.compile(r"\d+\s*-?\s*(?:years?|months?|weeks?|days?)\s*-?\s*old|\bold\b|\baged?\b", re.IGNORECASE)
_AGE_AFTER = re.compile(r"[\s-]*(?:(?:years?|months?|weeks?|days?)[\s-]*)?old\b|[\s-]*of\s+age\b", re.IGNORECASE)
_AGE_BEFORE = re.compile(r"(?:\baged?|\bage\s+of)\s*$", re.IGNORECASE)
_AGE_DECADE = re.compile(r"\b(?:his|her|their|my|your|our)(?:\s+(?:early|mid|late))?[\s-]*$", re.IGNORECASE)
_KEEP_THE = re.compile(r"(?i:past|last|next|first|final|coming|following|previous|preceding|same|latest|current|"
                       r"year-ago|year-earlier|comparable|corresponding|(?:\w+[\s-]+){0,3}(?:quarters?|half|period|"
                       r"weekend|future|near\s+term|short\s+term|long\s+term)\b)")
_TITLE = re.compile(r"(?:[A-Z][a-z]+|\d+)(?:\s+[A-Z][a-z]+)+")
_OWN_QUARTER = re.compile(r"(?:first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+(?:fiscal[\s-]+)?quarter", re.I)
_SHIFTED = re.compile(r"ago|earlier|last\s+year|year's|previous|prior|\b(?:1[5-9]|20)\d\d\b", re.I)
_RATE_BEFORE = re.compile(r"(?:\d|%|\b(?:times|once|twice|[a-z]+s))\s*$", re.IGNORECASE)
_YEAR_ENDED = re.compile(r"\s+(?:that\s+|which\s+)?(?:ended|ending|ends|through)\b", re.I)


def find_dates(doc: Doc, anchor: date | None) -> list[DateRef]:
    """Date expressions in ``doc`` with their values anchored on ``anchor`` (see the module doc)."""
    text = doc.text  # Doc.text is rebuilt on every access: read it once
    out: list[DateRef] = []
    ctx = _Context(anchor, has_dep=doc.has_annotation("DEP"))  # has_annotation scans the doc: once
    for pieces in _candidates(doc, text):
        for ref in _resolve_group(doc, text, pieces, anchor, ctx):
            if out and ref.start < out[-1].end:
                continue
            if ref.value is not None and not VALUE_PATTERN.match(ref.value):
                ref.value = None
            out.append(ref)
            ctx.note(ref)
    return out


@dataclass
class _Context:
    """What the article has said so far: the reference for anaphora and business periods."""

    anchor: date | None
    has_dep: bool = False
    ref_day: date | None = None
    ref_year: int | None = None
    quarter: str | None = None
    quarter_at: int = -10**9

    def __post_init__(self) -> None:
        self.ref_day = self.anchor
        self.ref_year = self.anchor.year if self.anchor else None

    def key(self, at: int) -> tuple:
        q = self.quarter if at - self.quarter_at < 2500 else None
        return (self.ref_day, self.ref_year, q)

    def note(self, ref: DateRef) -> None:
        v = ref.value or ""
        if m := re.match(r"(\d{4})-(\d\d)-(\d\d)", v):
            d = _date(int(m[1]), int(m[2]), int(m[3]))
            if d:
                self.ref_day, self.ref_year = d, d.year
        elif m := re.fullmatch(r"(\d{4})(?:-(?:\d\d|Q\d|H\d|SU|SP|FA|WI|W\d\d))?", v):
            self.ref_year = int(m[1])
        if (re.fullmatch(r"\d{4}-Q\d", v) and self.anchor is not None and _OWN_QUARTER.search(ref.text)
                and not _SHIFTED.search(ref.text) and int(v[:4]) >= self.anchor.year - (self.anchor.month <= 3)
                and _quarter_ended(v, self.anchor)):
            self.quarter, self.quarter_at = v, ref.end


#: Longest span a candidate is read from.  Real expressions are under 40 characters (BBC news,
#: TimeBank); only runs of whitespace or punctuation make longer spans, and trimming such a run
#: (_TRAIL, _SPLIT) takes time quadratic in its length.
_MAX_SPAN = 240


def _candidates(doc: Doc, text: str) -> list[list[tuple[int, int]]]:
    """Groups of candidate spans: each group is a union of overlapping candidates, kept as its
    pieces so that a union which cannot be read falls back on them."""
    cands: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ not in ("DATE", "TIME") or ent.end_char - ent.start_char > _MAX_SPAN:
            continue
        s, e = _trim(text, ent.start_char, ent.end_char)
        if 0 < e - s <= 120:
            cands.append((s, e))
    for rx in _FIND:
        for m in rx.finditer(text):
            s, e = m.span("x") if "x" in rx.groupindex and m.group("x") else m.span()
            if e - s > _MAX_SPAN:
                continue
            s, e = _trim(text, s, e)
            if e > s:
                cands.append((s, e))
    cands.sort(key=lambda c: (c[0], -c[1]))
    groups: list[list[tuple[int, int]]] = []
    end = -1
    for s, e in cands:
        if groups and s < end:
            groups[-1].append((s, e))
            end = max(end, e)
        else:
            groups.append([(s, e)])
            end = e
    return groups


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    for _ in range(3):
        before = (s, e)
        m = _LEAD.match(text, s, e)
        if m and m.end() > s:
            s = m.end()
        m = _TRAIL.search(text, s, e)
        if m:
            e = m.start()
        while s < e and not (text[s].isalnum() or text[s] in "'’"):
            s += 1
        if (s, e) == before:
            break
    # TimeML keeps the determiner of a period noun phrase: "the past two months", "the third quarter"
    if s >= 4 and text[s - 4:s].lower() == "the " and e > s and _KEEP_THE.match(text, s, e):
        s -= 4
    # a sentence's full stop is not part of the expression, an abbreviation's is ("Oct.", "a.m.")
    if e > s and text[e - 1] == "." and not _ABBREV_END.search(text, max(s, e - 6), e):
        e -= 1
    if e > s and e < len(text) and text[e] == "." and re.search(r"[ap]\.m$", text[max(s, e - 3):e], re.I):
        e += 1
    return s, e


def _resolve_group(doc: Doc, text: str, pieces: list[tuple[int, int]], anchor: date | None,
                   ctx: _Context) -> list[DateRef]:
    s = min(p[0] for p in pieces)
    e = max(p[1] for p in pieces)
    if len(pieces) > 12 or e - s > 300:  # a long chain of overlapping matches: greedy, in linear time
        out_: list[DateRef] = []
        for ps, pe in pieces:
            if out_ and ps < out_[-1].end:
                continue
            found = _read(doc, text, ps, pe, anchor, ctx)
            if found is not None:
                out_.append(found)
        return out_
    whole = _read(doc, text, s, e, anchor, ctx)
    if whole is not None:
        return [whole]
    # the union is not one expression: pieces that merely overlap, or coordinated dates
    out: list[DateRef] = []
    failed: list[tuple[int, int]] = []
    for ps, pe in sorted(set(pieces), key=lambda p: (-(p[1] - p[0]), p[0])):
        if any(ps < r.end and r.start < pe for r in out):
            failed.append((ps, pe))
            continue
        found = _read(doc, text, ps, pe, anchor, ctx)
        if found is not None:
            out.append(found)
        else:
            failed.append((ps, pe))
    for ps, pe in failed:
        for r in _split(doc, text, ps, pe, anchor, ctx):
            if not any(r.start < o.end and o.start < r.end for o in out):
                out.append(r)
    return sorted(out, key=lambda r: r.start)


def _split(doc: Doc, text: str, s: int, e: int, anchor: date | None, ctx: _Context) -> list[DateRef]:
    bounds = []
    at = s
    for m in _SPLIT.finditer(text, s, e):
        bounds.append((at, m.start()))
        at = m.end()
    if not bounds:
        return []
    bounds.append((at, e))
    joined: list[tuple[int, int]] = []
    for ps, pe in bounds:  # "June 30, 1990" is one date, "1994, 1995" two
        if joined and re.fullmatch(r"(?:1[5-9]|20)\d\d", text[ps:pe].strip()) and re.search(
                rf"{_MON}\s+{_DAY}\s*$", text[joined[-1][0]:joined[-1][1]]):
            joined[-1] = (joined[-1][0], pe)
        else:
            joined.append((ps, pe))
    out: list[DateRef] = []
    prev_month: str | None = None
    for ps, pe in joined:
        ps, pe = _trim(text, ps, pe)
        if pe <= ps:
            continue
        ref = _read(doc, text, ps, pe, anchor, ctx)
        if ref is None and prev_month and re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", text[ps:pe]):
            # "April 24 and 25": the second day shares the month
            tense = _tense(doc, ps, text, ctx.has_dep)
            value, kind = _normalise_ctx(f"{prev_month} {text[ps:pe]}", anchor, tense, ctx.key(ps))
            ref = DateRef(text[ps:pe], ps, pe, value, kind) if kind != "skip" else None
        if ref is not None:
            out.append(ref)
            m = re.match(rf"{_MON}(?=\s+\d)", ref.text)
            prev_month = m.group() if m else None
    return out


def _read(doc: Doc, text: str, s: int, e: int, anchor: date | None, ctx: _Context) -> DateRef | None:
    expr = text[s:e]
    if not expr or len(expr) > 100 or "\n\n" in expr:
        return None
    if _is_age(text, s, e, expr):
        return None
    if re.fullmatch(r"\d+(?:[.,]\d+)*", expr) and not re.fullmatch(r"1[5-9]\d\d|20\d\d", expr):
        return None  # a bare number
    if _is_title(text, s, e, expr) or expr.lower() in _NOT_DATES:
        return None
    if re.fullmatch(r"(?i:an?|one|per)\s+(?:day|night|week|month|year)", expr) and _RATE_BEFORE.search(
            text, max(0, s - 30), s):
        return None  # "$35 a night", "four flights a week": a rate, not a time
    if re.fullmatch(r"(?i:one|some)\s*day", expr) and re.search(r"(?i:\b(?:will|would|could|may|might|can|shall)"
                                                              r"\s+)$", text[max(0, s - 12):s]):
        return DateRef(expr, s, e, "FUTURE_REF" if anchor else None, "date")  # "Islam will one day be ..."
    if re.fullmatch(r"(?i:(?:the\s+)?(?:full\s+|fiscal\s+|current\s+fiscal\s+)?year)", expr) and _YEAR_ENDED.match(
            text, e):
        return DateRef(expr, s, e, "P1Y", "duration")  # "the year ended Sept. 30": a twelve-month period
    value, kind = _normalise_ctx(expr, anchor, _tense(doc, s, text, ctx.has_dep), ctx.key(s))
    if kind == "skip":
        return None
    return DateRef(expr, s, e, value, kind)


def _is_age(text: str, s: int, e: int, expr: str) -> bool:
    if _AGE_IN.search(expr):
        return True
    if _AGE_AFTER.match(text, e, min(len(text), e + 16)):
        return True
    if _AGE_BEFORE.search(text, max(0, s - 12), s):
        return True
    # "in his 30s", "her early twenties"
    decade = re.fullmatch(r"(?i:(?:early|mid|late)?[\s-]*(?:\d0['’]?s|twenties|thirties|forties|fifties|sixties|"
                          r"seventies|eighties|nineties))", expr)
    return bool(decade) and bool(_AGE_DECADE.search(text, max(0, s - 16), s))


def _is_title(text: str, s: int, e: int, expr: str) -> bool:
    """A Title Cased name in quotes or mid-sentence ("This Week", "60 Minutes") is a title."""
    if re.fullmatch(r"(?-i:Today|Tonight|Tomorrow|Now|Yesterday)", expr) and re.search(
            r"(?-i:[A-Z][A-Za-z]+)\s+$", text[max(0, s - 20):s]):
        return True  # "Russia Today", "VOA Today": a name
    if not _TITLE.fullmatch(expr) or re.search(rf"{_MON}|{_WDAY}|{_HOLIDAY}", expr):
        return False
    before = text[max(0, s - 3):s]
    after = text[e:e + 2]
    quoted = bool(re.search(r"[\"“'‘]\s*$", before)) or after[:1] in ("\"", "”", "'", "’")
    sentence_start = not before.strip() or before.rstrip()[-1:] in ".!?"
    return quoted or not sentence_start


# --------------------------------------------------------------------------------------------
# tense: which way does "Friday" / "March" point?

_FUTURE_AUX = {"will", "'ll", "’ll", "shall", "wo", "would"}
_MODALS = {"may", "should", "must", "can", "ca"}  # "could", "might": as often about the past
_PLAN_VERBS = {"plan", "expect", "schedule", "intend", "hope", "aim", "prepare", "want", "seek", "promise",
               "threaten", "agree", "propose", "decide", "vow", "pledge", "set", "due", "likely", "go", "try",
               "arrange", "ask", "urge", "order", "invite"}
_PRESENT_BE = {"is", "are", "am", "'s", "'re", "’s", "’re"}
_PAST_BE = {"was", "were"}
_FUTURE_CUE = re.compile(r"(?:as\s+(?:soon|early)\s+as|no\s+later\s+than|effective|starting|scheduled\s+for|"
                         r"set\s+for|planned\s+for|expected|(?:postponed|delayed|deferred|adjourned|extended|put\s+off)"
                         r"\s+(?:\w+\s+){0,3}(?:until|till|to)|(?-i:[a-z]\w*)\s+(?:until|till))\s+(?:on\s+)?$",
                         re.IGNORECASE)
_WEAK_FUTURE_CUE = re.compile(r"\b(?:until|till|by)\s+$", re.IGNORECASE)
_ACL_AHEAD = {"schedule", "plan", "expect", "due", "slate", "propose"}
_DATE_WORDS = {"morning", "afternoon", "evening", "night", "week", "month", "year", "day", "last", "next", "this",
               "early", "late", "ago", "earlier", "later", "a.m.", "p.m.", "noon", "midnight"}


def _tense(doc: Doc, char: int, text: str | None = None, has_dep: bool | None = None) -> str:
    """"past", "future", "present" or "" for the verb that governs the expression at ``char``.

    Only a verb the expression hangs on (directly, or through a preposition) counts: in "the
    Wednesday ruling" or "warnings from Moscow on Thursday" the date modifies a noun and the
    tense is unknown ("")."""
    if text is not None and _FUTURE_CUE.search(text, max(0, char - 40), char):
        return "future"
    if has_dep is None:
        has_dep = doc.has_annotation("DEP")
    verb = _governing_tense(doc, char, text) if has_dep else ""
    if verb != "past" and text is not None and _WEAK_FUTURE_CUE.search(text, max(0, char - 8), char):
        return "future"  # "by August", "until Tuesday" (unless told in the past: "until Tuesday, they had ...")
    return verb


def _governing_tense(doc: Doc, char: int, text: str | None) -> str:
    span = doc.char_span(char, min(len(text or doc.text), char + 1), alignment_mode="expand")
    if span is None or not len(span):
        return ""
    tok = span[0]
    for _ in range(4):  # climb out of the expression itself ("Tuesday" in "last Tuesday")
        head = tok.head
        if head.i == tok.i or head.i < span[0].i - 3 or head.pos_ in ("VERB", "AUX", "ADP"):
            break
        if head.ent_type_ in ("DATE", "TIME") or head.like_num or head.lower_ in _DATE_WORDS:
            tok = head
        else:
            break
    head = tok.head
    for _ in range(2):  # "for a mission in December" -> the verb "a mission" hangs on
        if head.pos_ == "ADP" and head.head.i != head.i:
            head = head.head
        if head.pos_ in ("NOUN", "PROPN") and tok.dep_ in ("pobj", "npadvmod") and head.dep_ in ("pobj", "dobj") \
                and head.head.i != head.i:
            tok, head = head, head.head
            continue
        break
    if head.i == tok.i or head.pos_ not in ("VERB", "AUX"):
        return ""
    if head.text[:1].isupper() and not head.is_sent_start:
        return ""  # a capitalised "verb" mid-sentence is a misparsed name ("Die Welt")
    return _verb_tense(head)


def _verb_tense(tok) -> str:  # noqa: ANN001 - a spaCy Token
    aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in aux}
    if words & _FUTURE_AUX or tok.lower_ in _FUTURE_AUX:
        return "future"
    if words & _MODALS:
        return "future"
    if "going" in words or (tok.head.lower_ == "going" and "to" in words):
        return "future"
    if tok.tag_ == "VBD" or any(a.tag_ == "VBD" for a in aux):
        return "past"
    if tok.tag_ == "VBN":
        if words & {"has", "have", "had", "'ve"}:
            return "past"
        if words & _PRESENT_BE:
            return "present"
        if tok.dep_ == "acl":  # "the year ended Jan. 31"
            return "future" if tok.lemma_ in _ACL_AHEAD else "past"
        return ""
    if tok.tag_ == "VB":
        if "to" in words:
            # "plans to meet Friday": ahead, unless the plan itself is reported in the past
            governor = tok.head
            if governor.i != tok.i and governor.pos_ in ("VERB", "AUX", "ADJ"):
                outer = _verb_tense(governor) if governor.pos_ != "ADJ" else ""
                if governor.lemma_ in _PLAN_VERBS and not (governor.tag_ == "VBD" or any(
                        c.dep_ in ("aux", "auxpass") and c.tag_ == "VBD" for c in governor.children)):
                    return "future"  # "plans to", "set to resume", "is expected to" (not "was scheduled to")
                return "future" if outer in ("", "present", "future") else ""
            return "future"
        if "did" in words:
            return "past"
        return "present"
    if tok.tag_ == "VBG":
        if words & _PRESENT_BE:
            return "future"
        if words & _PAST_BE:
            return "past"
        return ""
    if tok.tag_ in ("VBZ", "VBP"):
        if tok.lemma_ in ("say", "tell", "report", "announce", "add", "claim", "insist", "warn"):
            return "past"
        return "present"
    return ""


# --------------------------------------------------------------------------------------------
# normalisation

def normalise(expression: str, anchor: date | None, tense: str = "") -> tuple[str | None, str]:
    """ISO/TimeML value and kind ("date", "time", "duration", "set") of one expression.

    ``tense`` ("past", "future", "present" or "") picks the direction for "Friday", "March",
    "June 1".  Relative expressions give (None, kind) without an anchor; text that is not a date
    expression gives (None, "date")."""
    value, kind = _normalise_ctx(expression, anchor, tense, (anchor, anchor.year if anchor else None, None))
    return (value, "date") if kind == "skip" else (value, kind)


def _normalise_ctx(expression: str, anchor: date | None, tense: str, ctx: tuple) -> tuple[str | None, str]:
    if len(expression) > _MAX_EXPRESSION:
        return None, "skip"  # no date expression is this long: never hand a paragraph to the regexes
    e = " ".join(expression.replace("’", "'").replace("‘", "'").replace("–", "-").split()).lower()
    try:
        return _normalise(e, anchor, tense, ctx)
    except (OverflowError, ValueError):  # a date out of range ("year 9999 + 1")
        return None, "date"


_MAX_EXPRESSION = 120
_Q_MOD = re.compile(r"^(?:almost|nearly|about|around|approximately|roughly|some|more than|less than|fewer than|"
                    r"at least|at most|up to|no more than|no less than|well over|over|only|just|barely|fully|"
                    r"close to|an estimated|all)\s+")
_P_MOD = re.compile(r"^(?:the\s+)?(?:(?:very\s+)?(?:early|earlier|late|later|mid|middle|end|beginning|start|turn|"
                    r"close|dawn)(?:\s+(?:part\s+)?of)?|mid-|the\s+(?:early|late)\s+(?:part|days|hours)\s+of|"
                    r"(?:the\s+)?(?:early|late|wee)\s+hours\s+of|sometime|some\s+time|until|in)[\s-]+")
_SUFFIX = re.compile(r"\s+(?:or so|or later|or earlier|or sooner|and beyond|alone|at the latest|at the earliest|"
                     r"or two|or more|and counting|so far|to date|on)$")
_SPELLED = re.compile(r"\bnineteen[\s-]([a-z]+)(?:[\s-]([a-z]+))?\b|\b(?:the\s+)?year\s+two\s+thousand\b")


def _spelled_years(e: str) -> str:
    def repl(m: re.Match) -> str:
        if m.group(1) is None:
            return "2000"
        tens = _TENS.get(m.group(1)) or _SMALL.get(m.group(1))
        if tens is None or tens < 10:
            return m.group()
        unit = 0
        if m.group(2):
            if m.group(2) not in _SMALL or tens < 20 or _SMALL[m.group(2)] > 9:
                return m.group()
            unit = _SMALL[m.group(2)]
        return str(1900 + tens + unit)
    return _SPELLED.sub(repl, e) if ("nineteen" in e or "two thousand" in e) else e


_Rm = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
       r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_Rwd = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_Ry = r"((?:1[0-9]|20)\d\d)"
_Rd = r"([12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_Rpod = r"(morning|afternoon|evening|night)"

_ISO = re.compile(rf"^{_Ry}-(\d\d)-(\d\d)$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.])(\d{1,2})\2(\d{4}|\d\d)$")
_DMY = re.compile(rf"^(?:{_Rwd},?\s+)?(?:the\s+)?{_Rd}\s+(?:of\s+)?{_Rm},?\s+{_Ry}$")
_MDY = re.compile(rf"^(?:{_Rwd},?\s+)?{_Rm}\s+{_Rd},?\s+{_Ry}$")
_MONTH_YEAR = re.compile(rf"^{_Rm},?\s+(?:of\s+)?(?:{_Ry}|'(\d\d))$")
_MONTH_RELYEAR = re.compile(rf"^{_Rm}\s+(this|last|next)\s+year$")
_YEAR_ONLY = re.compile(rf"^(?:(?:the\s+)?(?:fiscal|calendar|financial)\s+(?:year\s+)?|(?:the\s+)?year\s+)?"
                        rf"(?:{_Ry}|'(\d\d))$")
_DECADE = re.compile(r"^((?:1[0-9]|20)\d)0'?s$|^'(\d)0s$|^(twenties|thirties|forties|fifties|sixties|seventies|"
                     r"eighties|nineties)$")
_CENTURY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)[\s-]+century$|^([a-z]+(?:[\s-]first)?)[\s-]+century$")
_SEASON_YEAR = re.compile(rf"^(spring|summer|autumn|fall|winter)\s+(?:of\s+)?{_Ry}$")
_QUARTER_YEAR = re.compile(rf"^(?:(?:its|this|that)\s+)?(?:fiscal\s+)?(?:{_Ry}\s+)?(?:(?:fiscal|calendar)[\s-]+)?"
                           rf"(first|second|third|fourth|1st|2nd|3rd|4th|final|last)[\s-]+(?:(?:fiscal|calendar)"
                           rf"[\s-]+)?(quarter|half)(?:\s+of\s+(?:fiscal\s+)?(?:{_Ry}|(the|this|last|next)\s+year))?$")
_QUARTERS_OF = re.compile(rf"^(first|last|second)\s+(two|three)\s+quarters\s+of\s+(?:fiscal\s+)?{_Ry}$")
_YEAR_QUARTER = re.compile(r"^(this|last|next)\s+year's\s+(?:(first|second|third|fourth|1st|2nd|3rd|4th)\s+)?"
                           r"(quarter|half)$")
_PERIOD = re.compile(rf"^(?:(?:its|this|that)\s+)?(?:{_Ry}|year-ago|year-earlier|year ago|year earlier|comparable|"
                     r"corresponding|same|latest|current|previous|prior|recent|fiscal)?(?:\s+(?:year-ago|year-earlier|"
                     r"comparable|fiscal))?\s*(quarter|period)(?:\s+(a year ago|a year earlier|last year))?$")
_REL_QUARTER = re.compile(r"^(?:(?:its|this|that)\s+)?(?:(?:fiscal|calendar)[\s-]+)?(first|second|third|fourth|1st|2nd|"
                          r"3rd|4th|latest|last|"
                          r"current|next|previous|final|recent)[\s-]+(?:(?:fiscal|calendar)[\s-]+)?(quarter|half)$")
_DAY_MONTH = re.compile(rf"^(?:{_Rwd},?\s+)?(?:{_Rd}\s+(?:of\s+)?{_Rm}|{_Rm}\s+{_Rd})$")
_REL_MONTH = re.compile(rf"^(?:(last|this|next|past|that)\s+)?{_Rm}$")
_REL_WEEKDAY = re.compile(rf"^(?:(last|this|next|past|coming|previous|this past|this coming)\s+)?{_Rwd}"
                          rf"(?:\s+{_Rpod})?$")
_REL_UNIT = re.compile(r"^(last|this|next|past|previous|coming|current|this past|this coming)\s+"
                       r"(week|month|year|weekend|quarter|decade|century|spring|summer|autumn|fall|winter)$")
_AGO = re.compile(r"^(.+?)[\s-]+(?:more\s+)?(second|minute|hour|day|night|week|fortnight|month|year|decade|"
                  r"centur(?:y|ie))s?\s+(?:or so\s+)?(ago|earlier|later|from now|hence|before|after)$")
_ADJ_AGO = re.compile(r"^(?:a\s+)?(year|month|week)[\s-](earlier|ago)$")
_DURATION = re.compile(r"^(?:(past|last|next|first|final|previous|coming|following|recent|initial|remaining|ahead)\s+)?"
                       r"(.*?)[\s-]*(?:(?:more|additional|full|straight|consecutive|trading|business|working|"
                       r"calendar|long|short)\s+)?(second|minute|hour|day|night|week|fortnight|month|quarter|year|"
                       r"decade|centur(?:y|ie))s?(?:[\s-]long)?$")
_BARE_UNITS = re.compile(r"^(seconds|minutes|hours|days|nights|weeks|months|quarters|years|decades|centuries)$")
_CLOCK_RX = re.compile(r"^(?:around\s+)?(?:(\d{1,2})(?::(\d\d))?\s*([ap])\.?\s*m\.?|(\d{1,2}):(\d\d)|([01]\d|2[0-3])"
                       r"([0-5]\d)(?=\s+(?:gmt|utc))|(noon|midnight|midday)|(\d{1,2})\s+o'clock|(\d{1,2})\s+in\s+the\s+"
                       r"(morning|afternoon|evening))(?:\s+(?:local\s+time|[a-z][sd]t|gmt|utc|cet|cest|bst))?"
                       r"(?:\s*\(\s*\d{3,4}\s+(?:gmt|utc)\s*\))?(?:,?\s+(?:on\s+)?(.+))?$")
_PRESENT = re.compile(r"^(?:now|right now|just now|currently|at present|presently|the present|nowadays|these days|"
                      r"at the moment|at this time|the moment)$")
_PAST = re.compile(r"^(?:recently|lately|formerly|previously|in the past|the recent past|some time ago|"
                   r"a while ago|long ago|years ago|months ago|weeks ago|days ago|decades ago|a few years ago|"
                   r"several years ago|many years ago|a few months ago|several months ago|a few weeks ago|"
                   r"several weeks ago|a few days ago|several days ago)$")
_FUTURE_REF = re.compile(r"^(?:(?:the )?(?:near |foreseeable |distant |immediate )?future|soon|"
                         r"(?:the )?(?:near|short|long) term|a later date)$")
_HAS_CLOCK = re.compile(r"(?<!\d)\d{1,2}\s*[ap]\.?\s*m\b|(?<!\d)\d{1,2}:\d\d|\bnoon\b|\bmidnight\b|\bmidday\b|"
                        r"o'clock|(?<!\d)\d{1,2}\s+in\s+the\s|(?<!\d)\d{4}\s+(?:gmt|utc)")
_DATE_CLOCK = re.compile(r"^(.+?\d),?\s+(?:at\s+)?(\d{1,2}(?::\d\d)\s*(?:[ap]\.?\s*m\.?)?)$")
_SET_WORDS = {"daily": "P1D", "weekly": "P1W", "monthly": "P1M", "hourly": "PT1H", "nightly": "P1D"}
#: Adverbs NER sometimes labels DATE that are mostly rates of money or adjectives ("quarterly dividend").
_NOT_DATES = {"quarterly", "annually", "yearly", "annual", "previously", "formerly", "presently"}
_EVERY = re.compile(r"^(?:every|each)\s+(?:other\s+)?(?:(.+?)\s+)?([a-z]+?)s?$")
_TODAY = re.compile(r"^(yesterday|today|tomorrow|tonight|last night|tomorrow night|this morning|this afternoon|"
                    r"this evening)(?:\s+(morning|afternoon|evening|night))?$")
_ANAPHOR = re.compile(r"^(?:the\s+)?(that|same|following|next|previous|preceding|prior)\s+"
                      r"(day|morning|afternoon|evening|night|week|weekend|month|year)$|^(?:the )?(day|night) "
                      r"(before|after)$")
_NOT_ANAPHOR = {("next", "week"), ("next", "month"), ("next", "year"), ("next", "weekend"), ("previous", "week"),
                ("previous", "month"), ("previous", "year")}
_REL_SEASON = re.compile(r"^(?:(last|this|next|past|the)\s+)?(spring|summer|autumn|fall|winter)$")
_HOLIDAY_RX = re.compile(r"^(christmas(?: day| eve)?|new year's (?:day|eve)|thanksgiving(?: day)?|easter(?: sunday| "
                         r"monday| week)?|good friday|election day|independence day|labor day|memorial day|"
                         r"halloween|valentine's day|boxing day|bastille day|armistice day|veterans day)(?:\s+"
                         rf"{_Ry})?$")
_WEEK_OF = re.compile(r"^(?:the\s+)?week\s+of\s+(.+)$")
_END_OF_UNIT = re.compile(r"^(year|month|quarter)[\s-]end$|^year's end$")


def _month(word: str) -> int:
    w = word.rstrip(".")
    return MONTHS[w[:4]] if w.startswith("sept") else MONTHS[w[:3]]


def _year2(yy: str, anchor: date | None) -> int | None:
    """A two-digit year, in the century that puts it at most ten years after the anchor."""
    if anchor is None:
        return None
    full = anchor.year // 100 * 100 + int(yy)
    return full - 100 if full > anchor.year + 10 else full


@functools.lru_cache(maxsize=65536)
def _normalise(e: str, anchor: date | None, tense: str, ctx: tuple) -> tuple[str | None, str]:
    ref_day, ref_year, quarter = ctx
    raw = e
    e = e.strip(" ,.;:!?\"'()")
    if (m := _ANAPHOR.match(re.sub(r"^(?:earlier|later)\s+", "", e))) is not None and (m[1], m[2]) not in _NOT_ANAPHOR:
        return _anaphor(m, anchor, ref_day, ref_year)
    e = re.sub(r"^the\s+", "", e)
    e = _spelled_years(e)
    # symbolic references and sets first: they contain words the modifiers below would eat
    for rx, ref in ((_PRESENT, "PRESENT_REF"), (_PAST, "PAST_REF"), (_FUTURE_REF, "FUTURE_REF")):
        if rx.match(e):  # relative to the publication time, like any deictic expression
            return (ref if anchor is not None else None), "date"
    if e in _SET_WORDS:
        return _SET_WORDS[e], "set"
    if m := _EVERY.match(e):
        return _set_value(m[1], m[2]), "set"
    if m := re.fullmatch(r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s", e):
        return f"XXXX-WXX-{WEEKDAYS[m[1]] + 1}", "set"
    bare = re.sub(r"^(?:early|earlier|late|later)\s+", "", e)
    if _TODAY.match(bare):
        return _relative(bare, anchor, tense, ref_day, ref_year, quarter)
    # clock times, possibly with their day
    if _HAS_CLOCK.search(e) and (m := _CLOCK_RX.match(e)) is not None:
        return _time_value(m, anchor, tense, ctx)
    if (m := _DATE_CLOCK.match(e)) is not None:  # "06/28/2021 4:30 a.m.", "2021-06-28 16:30"
        day = _parse_iso(_normalise(m[1], anchor, tense, ctx)[0])
        clock = _CLOCK_RX.match(m[2])
        if day is not None and clock is not None:
            value, kind = _time_value(clock, day, tense, ctx)
            return value, kind
    if m := re.fullmatch(r"mid-?\s?(morning|afternoon|day)(?:\s+(.+))?", e):
        day_value, _ = _normalise(m[2] or "today", anchor, tense, ctx)
        day = _parse_iso(day_value)
        if anchor is None or day is None:
            return None, "time"
        return day.isoformat() + ("T12:00" if m[1] == "day" else PART_OF_DAY[m[1]]), "time"
    # modifiers that keep the granularity ("mid-2014" -> "2014", "late yesterday" -> yesterday)
    for _ in range(3):
        before = e
        e = _Q_MOD.sub("", e)
        e = _SUFFIX.sub("", e)
        e = _P_MOD.sub("", e)
        e = re.sub(r"^the\s+", "", e).strip(" ,")
        if e == before:
            break
    if not e:
        return None, "skip"
    if m := _END_OF_UNIT.match(e):
        return _relative_unit("this", m[1] or "year", anchor, tense)
    # ---- absolute -------------------------------------------------------------------------
    if m := _ISO.match(e):
        return _valid(int(m[1]), int(m[2]), int(m[3])), "date"
    if m := _NUMERIC.match(e):
        a, b = int(m[1]), int(m[3])
        y = int(m[4]) if len(m[4]) == 4 else _year2(m[4], anchor)
        if y is None:
            return None, "date"
        if m[2] == ".":
            a, b = b, a  # 28.06.2021: day.month.year
        if a > 12 >= b:
            a, b = b, a  # 28/06/2021: day/month/year
        return _valid(y, a, b), "date"
    if m := _DMY.match(e):
        return _valid(int(m[4]), _month(m[3]), int(m[2])), "date"
    if m := _MDY.match(e):
        return _valid(int(m[4]), _month(m[2]), int(m[3])), "date"
    if m := _MONTH_YEAR.match(e):
        y = int(m[2]) if m[2] else _year2(m[3], anchor)
        return (f"{y}-{_month(m[1]):02d}" if y else None), "date"
    if m := _YEAR_ONLY.match(e):
        y = int(m[1]) if m[1] else _year2(m[2], anchor)
        if y is None or not 1000 <= y <= 2199:
            return None, "date"
        return str(y), "date"
    if m := _DECADE.match(e):
        if m[1]:
            return m[1], "date"
        if m[2]:
            y = _year2(m[2] + "0", anchor)
            return (str(y)[:3] if y else None), "date"
        word = {"twenties": "twenty", "thirties": "thirty", "forties": "forty", "fifties": "fifty",
                "sixties": "sixty", "seventies": "seventy", "eighties": "eighty", "nineties": "ninety"}[m[3]]
        return str(190 + _TENS[word] // 10), "date"
    if (m := _CENTURY.match(e)) and (n := int(m[1]) if m[1] else _ORDINALS.get(m[2].replace("-", " "))):
        return f"{n - 1:02d}", "date"
    if m := _SEASON_YEAR.match(e):
        return f"{m[2]}-{SEASONS[m[1]]}", "date"
    if m := _QUARTER_YEAR.match(e):
        year = m[1] or m[4]
        if year is None and m[5]:
            if anchor is None:
                return None, "date"
            year = anchor.year + {"the": 0, "this": 0, "last": -1, "next": 1}[m[5]]
        if year is not None:
            return _quarter_value(int(year), m[2], m[3]), "date"
    if m := _QUARTERS_OF.match(e):
        if m[2] == "two":
            return f"{m[3]}-H{1 if m[1] == 'first' else 2}", "date"
        return "P9M", "duration"
    if m := _HOLIDAY_RX.match(e):
        return _holiday(m[1], int(m[2]) if m[2] else None, anchor, tense), "date"
    if m := _WEEK_OF.match(e):
        inner, _ = _normalise(m[1], anchor, tense, ctx)
        d = _parse_iso(inner)
        return (_iso_week(d) if d else None), "date"
    # ---- durations: "three years", "the past two months", "a few days", "decades" -----------
    if m := _BARE_UNITS.match(e):
        return _duration(None, m[1][:-1] if m[1] != "centuries" else "century"), "duration"
    if m := re.fullmatch(r"recent (years|months|weeks|days|decades)|(years|months|weeks|days) ahead", e):
        return _duration(None, (m[1] or m[2])[:-1]), "duration"
    if _AGO.match(e) is None and (m := _DURATION.match(e)) is not None:
        lead, amount, unit = m[1], m[2], m[3]
        unit = "century" if unit.startswith("centur") else unit
        n = _amount(amount) if not re.fullmatch(r"(?:1[5-9]|20)\d\d", amount) else False
        if amount == "":
            n = None if re.search(r"s(?:[\s-]long)?$", e) else 1.0  # "the first hours" / "the past year"
        if n is not False and not (lead is None and amount in ("", "the")):
            if amount == "" and lead is not None:
                if n is None:
                    return _duration(None, unit), "duration"
                if lead not in ("last", "next", "coming", "previous") or unit in ("hour", "minute", "second"):
                    return _duration(1, unit), "duration"
                # "last week", "next year": dates, below
            elif amount != "":
                return _duration(n, unit), "duration"
    # ---- relative: need the anchor ------------------------------------------------------------
    rel = _relative(e, anchor, tense, ref_day, ref_year, quarter)
    if rel is not None:
        return rel
    return _fallback(raw, anchor)


def _relative(e: str, anchor: date | None, tense: str, ref_day: date | None, ref_year: int | None,
              quarter: str | None) -> tuple[str | None, str] | None:
    """Value of an expression that needs the anchor (None when it is not one of them)."""
    if m := _TODAY.match(e):
        if anchor is None:
            return None, "date"
        word, pod = m[1], m[2]
        shift = {"yesterday": -1, "today": 0, "tomorrow": 1, "tonight": 0, "last night": -1, "tomorrow night": 1,
                 "this morning": 0, "this afternoon": 0, "this evening": 0}[word]
        if word in ("tonight", "last night", "tomorrow night"):
            pod = "night"
        elif word.startswith("this "):
            pod = word.split()[1]
        return (anchor + timedelta(days=shift)).isoformat() + (PART_OF_DAY[pod] if pod else ""), "date"
    if m := _DAY_MONTH.match(e):
        if anchor is None:
            return None, "date"
        wd = m[1]
        day, mon = (int(m[2]), _month(m[3])) if m[2] else (int(m[5]), _month(m[4]))
        options = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := _date(y, mon, day))]
        if wd:  # "Monday, Oct. 26": the year in which Oct. 26 is a Monday
            options = [d for d in options if d.weekday() == WEEKDAYS[wd]] or options
        if not options:
            return None, "date"
        return _nearest(anchor, options, tense).isoformat(), "date"
    if m := _MONTH_RELYEAR.match(e):
        if anchor is None:
            return None, "date"
        return f"{anchor.year + {'this': 0, 'last': -1, 'next': 1}[m[2]]}-{_month(m[1]):02d}", "date"
    if m := _REL_MONTH.match(e):
        if anchor is None:
            return None, "date"
        which, mon = (m[1] or ""), _month(m[2])
        if which == "next":
            return _month_after(anchor, mon), "date"
        if which in ("last", "past"):
            return _month_before(anchor, mon, strictly=True), "date"
        if which == "this":
            return f"{anchor.year}-{mon:02d}", "date"
        if which == "that" and ref_year:
            return f"{ref_year}-{mon:02d}", "date"
        if mon == anchor.month:
            return f"{anchor.year}-{mon:02d}", "date"
        if tense in ("future", "present"):
            return _month_after(anchor, mon), "date"
        if tense == "past":
            return _month_before(anchor, mon, strictly=False), "date"
        options = [date(y, mon, 15) for y in (anchor.year - 1, anchor.year, anchor.year + 1)]
        best = _nearest(date(anchor.year, anchor.month, 15), options, tense)
        return f"{best.year}-{best.month:02d}", "date"
    if m := _REL_WEEKDAY.match(e):
        if anchor is None:
            return None, "date"
        which, wd = (m[1] or ""), WEEKDAYS[m[2]]
        if which in ("next", "coming", "this coming"):
            when = _weekday(anchor, wd, "next")
        elif which in ("last", "past", "previous", "this past"):
            when = _weekday(anchor, wd, "last")
        elif tense in ("future", "present") or (which == "this" and wd >= anchor.weekday()):
            when = _weekday(anchor, wd, "on-or-after")
        else:
            when = _weekday(anchor, wd, "on-or-before")
        return when.isoformat(), "date"  # "Friday night": the Friday
    if m := _REL_UNIT.match(e):
        if anchor is None:
            return None, "date"
        return _relative_unit(m[1], m[2], anchor, tense)
    if m := _AGO.match(e):
        return _ago(m[1], m[2], m[3], anchor, ref_day, quarter)
    if m := _ADJ_AGO.match(e):
        return _ago("a", m[1], m[2], anchor, ref_day, quarter)
    if m := _YEAR_QUARTER.match(e):
        if anchor is None:
            return None, "date"
        year = anchor.year + {"this": 0, "last": -1, "next": 1}[m[1]]
        if m[2]:
            return _quarter_value(year, m[2], m[3]), "date"
        if m[3] == "quarter":
            q = quarter or _last_quarter(anchor, tense)
            return f"{year}-{q[5:]}", "date"
        return str(year), "date"
    if m := _PERIOD.match(e):
        if anchor is None:
            return None, "date"
        year_word, kind, after = m[1], m[2], m[3]
        ago = bool(re.search(r"year[- ](?:ago|earlier)", e)) or after is not None
        q = quarter or _last_quarter(anchor, tense)
        if year_word:
            return (f"{year_word}-{q[5:]}" if (quarter or kind == "quarter") else year_word), "date"
        if ago:
            return f"{int(q[:4]) - 1}-{q[5:]}", "date"
        if kind == "period" and not re.search(r"latest|current|recent|same|comparable|corresponding", e):
            return None, "skip"
        return q, "date"
    if m := _REL_QUARTER.match(e):
        if anchor is None:
            return None, "date"
        return _relative_quarter(m[1], m[2], anchor, tense, quarter), "date"
    if m := _REL_SEASON.match(e):
        if anchor is None:
            return None, "date"
        which = {"": "the", "the": "the", "past": "last"}.get(m[1] or "", m[1])
        return _season(which, SEASONS[m[2]], anchor, tense), "date"
    if e in ("weekend", "week-end"):
        if anchor is None:
            return None, "date"
        return _relative_unit("this", "weekend", anchor, tense)
    if e in ("quarter", "latest quarter", "period", "latest period"):
        if anchor is None:
            return None, "date"
        return quarter or _last_quarter(anchor, tense), "date"
    if e == "month":
        return (f"{anchor.year}-{anchor.month:02d}" if anchor else None), "date"
    if e in ("year", "current year", "current fiscal year", "latest fiscal year", "fiscal year", "full year",
             "calendar year", "current calendar year"):
        if anchor is None:
            return None, "date"
        return str(anchor.year - (e == "latest fiscal year")), "date"
    return None


def _anaphor(m: re.Match, anchor: date | None, ref_day: date | None,
             ref_year: int | None) -> tuple[str | None, str]:
    """"that day", "the following year", "the day before": against the last date mentioned."""
    if anchor is None:
        return None, "date"
    base = ref_day or anchor
    if m[3]:
        return (base + timedelta(days=-1 if m[4] == "before" else 1)).isoformat(), "date"
    which, unit = m[1], m[2]
    step = {"that": 0, "same": 0, "following": 1, "next": 1, "previous": -1, "preceding": -1, "prior": -1}[which]
    if unit in ("day", "morning", "afternoon", "evening", "night"):
        return (base + timedelta(days=step)).isoformat(), "date"
    if unit in ("week", "weekend"):
        return _iso_week(base + timedelta(weeks=step)) + ("-WE" if unit == "weekend" else ""), "date"
    if unit == "month":
        y, mo = _shift_months(base, step)
        return f"{y}-{mo:02d}", "date"
    return str((ref_year or base.year) + step), "date"


def _fallback(e: str, anchor: date | None) -> tuple[str | None, str]:
    """Last resort for absolute expressions our table does not read: dateparser, strictly, and
    only when the text names a month and a four-digit year (nothing is filled in from the anchor)."""
    if len(e) > 40 or not re.search(r"\b(?:1[5-9]|20)\d\d\b", e) or not re.search(
            r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", e):
        return None, "skip"
    parsed = _dateparser(e)
    return (parsed, "date") if parsed else (None, "skip")


@functools.lru_cache(maxsize=4096)
def _dateparser(e: str) -> str | None:
    try:
        import dateparser
    except ImportError:  # pragma: no cover - dateparser is a dependency
        return None
    try:
        when = dateparser.parse(e, languages=["en"], settings={
            "STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": datetime(2000, 1, 1), "RETURN_AS_TIMEZONE_AWARE": False})
    except Exception:  # noqa: BLE001 - a parser failure means "not a date"
        return None
    return when.date().isoformat() if when else None


# --------------------------------------------------------------------------------------------
# helpers

def _amount(s: str) -> float | None | bool:
    """Number of units: a float, None when vague ("several"), False when ``s`` is not a number."""
    s = s.strip().replace("-", " ")
    if s in ("", "the"):
        return None
    if s in ("a", "an", "one", "a single", "a full", "the full", "the first", "the entire", "an entire", "another",
             "an additional", "an extra", "a further", "one more", "one full", "a whole"):
        return 1.0
    if s in _VAGUE:
        return None
    if s in ("a couple", "couple", "a couple of", "couple of"):
        return 2.0
    if s in ("a half", "half a", "half an"):
        return 0.5
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)(?:\s+1/2)?", s):
        return float(m[1]) + (0.5 if "1/2" in s else 0)
    if re.fullmatch(r"(?:a|an|one) and a half", s):
        return 1.5
    words = s.split()
    half = 0.0
    if words[-3:] == ["and", "a", "half"]:
        half, words = 0.5, words[:-3]
    total = 0
    for i, w in enumerate(words):
        if w in _SMALL:
            total += _SMALL[w]
        elif w in _TENS:
            total += _TENS[w]
        elif w == "hundred":
            total = max(total, 1) * 100
        elif w == "thousand":
            total = max(total, 1) * 1000
        elif w in ("a", "an") and i == 0 and len(words) > 1 and words[1] in ("hundred", "thousand"):
            continue
        elif w == "and" and total:
            continue
        else:
            return False
    return float(total) + half if words else False


def _duration(n: float | None, unit: str) -> str:
    unit = "century" if unit.startswith("centur") else unit.rstrip("s")
    letter, is_time = _UNIT.get(unit, ("Y", False))
    if letter == "Q":  # ISO 8601 has no quarters: three months each
        return _duration(None if n is None else n * 3, "month")
    prefix = "PT" if is_time else "P"
    if n is None:
        return f"{prefix}X{letter}"
    if unit == "fortnight":
        n *= 2
    if unit == "decade":
        n, letter = n * 10, "Y"
    elif unit == "century":
        n, letter = n * 100, "Y"
    elif unit == "weekend":
        n, letter = n * 2, "D"
    if float(n).is_integer():
        return f"{prefix}{int(n)}{letter}"
    whole, frac = int(n), n - int(n)
    lower = {"Y": (12, "M"), "M": (30, "D"), "W": (7, "D"), "D": (24, "H"), "H": (60, "M"), "S": None}.get(letter)
    if lower and float(frac * lower[0]).is_integer():
        sub = int(frac * lower[0])
        if letter == "D":  # days and hours: P1DT12H
            return f"P{whole}DT{sub}H" if whole else f"PT{sub}H"
        return f"{prefix}{whole}{letter}{sub}{lower[1]}" if whole else f"{prefix}{sub}{lower[1]}"
    return f"{prefix}{n:g}{letter}"


def _set_value(amount: str | None, unit: str) -> str:
    if unit in WEEKDAYS:
        return f"XXXX-WXX-{WEEKDAYS[unit] + 1}"
    if unit in MONTHS and len(unit) > 3:
        return f"XXXX-{MONTHS[unit]:02d}"
    if unit in SEASONS:
        return f"XXXX-{SEASONS[unit]}"
    if unit in PART_OF_DAY:
        return f"XXXX-XX-XX{PART_OF_DAY[unit]}"
    n = _amount(amount) if amount else 1.0
    return _duration(1.0 if n is False else n, "century" if unit.startswith("centur") else unit)


def _time_value(m: re.Match, anchor: date | None, tense: str, ctx: tuple) -> tuple[str | None, str]:
    if m[1]:
        hour, minute = int(m[1]) % 12 + (12 if m[3] == "p" else 0), int(m[2] or 0)
    elif m[4]:
        hour, minute = int(m[4]), int(m[5])
    elif m[6]:
        hour, minute = int(m[6]), int(m[7])
    elif m[8]:
        hour, minute = {"noon": (12, 0), "midday": (12, 0), "midnight": (24, 0)}[m[8]]
    elif m[9]:
        hour, minute = int(m[9]), 0
    else:
        hour, minute = int(m[10]) % 12 + (12 if m[11] in ("afternoon", "evening") else 0), 0
    if hour > 24 or minute > 59:
        return None, "skip"
    day: date | None = anchor
    if m[12]:
        value, kind = _normalise(m[12], anchor, tense, ctx)
        day = _parse_iso(value)
        if day is None:
            return (None, "skip") if kind == "skip" else (None, "time")
    if day is None:
        return None, "time"
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}", "time"


def _quarter_value(year: int, which: str, kind: str) -> str:
    n = _ORDINALS.get(which, 4)
    if kind == "half":
        return f"{year}-H{1 if n == 1 else 2}"
    return f"{year}-Q{min(n, 4)}"


def _quarter_ended(value: str, anchor: date) -> bool:
    return (int(value[:4]), int(value[6])) < (anchor.year, (anchor.month - 1) // 3 + 1)


def _last_quarter(anchor: date, tense: str) -> str:
    """The quarter a report is about: the current one for the future, else the last completed."""
    idx = anchor.year * 4 + (anchor.month - 1) // 3 - (tense != "future")
    return f"{idx // 4}-Q{idx % 4 + 1}"


def _relative_quarter(which: str, kind: str, anchor: date, tense: str, quarter: str | None) -> str:
    current = (anchor.month - 1) // 3 + 1
    if kind == "half":
        h = 1 if anchor.month <= 6 else 2
        if which in _ORDINALS and which not in ("last", "final"):
            n = 1 if _ORDINALS[which] == 1 else 2
            return f"{anchor.year if (n <= h or tense == 'future') else anchor.year - 1}-H{n}"
        step = {"latest": -1, "last": -1, "previous": -1, "recent": -1, "current": 0, "next": 1, "final": 0}[which]
        idx = anchor.year * 2 + h - 1 + step
        return f"{idx // 2}-H{idx % 2 + 1}"
    if which in ("latest", "recent"):
        return quarter or _last_quarter(anchor, tense)
    if which in _ORDINALS and which != "last":
        q = min(_ORDINALS[which], 4)
        if quarter and which != "final":  # "the third quarter" after "1988-Q3": the same fiscal year
            return f"{quarter[:4]}-Q{q}"
        if q <= current:
            year = anchor.year
        else:
            year = anchor.year if tense == "future" or (q == current + 1 and tense != "past") else anchor.year - 1
        return f"{year}-Q{q}"
    step = {"last": -1, "previous": -1, "current": 0, "next": 1}[which]
    idx = anchor.year * 4 + current - 1 + step
    return f"{idx // 4}-Q{idx % 4 + 1}"


def _relative_unit(which: str, unit: str, anchor: date | None, tense: str) -> tuple[str | None, str]:
    if anchor is None:
        return None, "date"
    which = " ".join(which.split())
    step = {"last": -1, "past": -1, "previous": -1, "this": 0, "current": 0, "next": 1, "coming": 1,
            "this past": -1, "this coming": 1}[which]
    if unit in SEASONS:
        return _season({-1: "last", 0: "this", 1: "next"}[step], SEASONS[unit], anchor, tense), "date"
    if unit == "week":
        return _iso_week(anchor + timedelta(weeks=step)), "date"
    if unit == "weekend":
        wd = anchor.weekday()
        if step < 0 or (step == 0 and tense != "future" and wd < 5):
            sat = anchor - timedelta(days=(wd - 5) % 7 + (7 if step < 0 and wd >= 5 else 0))
        else:
            sat = anchor + timedelta(days=(5 - wd) % 7 if wd < 5 else -(wd - 5))
            if step > 0:
                sat += timedelta(days=7) if wd >= 5 else timedelta(0)
        return _iso_week(sat) + "-WE", "date"
    if unit == "month":
        y, mo = _shift_months(anchor, step)
        return f"{y}-{mo:02d}", "date"
    if unit == "quarter":
        idx = anchor.year * 4 + (anchor.month - 1) // 3 + step
        return f"{idx // 4}-Q{idx % 4 + 1}", "date"
    if unit == "decade":
        return str(anchor.year // 10 + step), "date"
    if unit == "century":
        return f"{anchor.year // 100 + step:02d}", "date"
    return str(anchor.year + step), "date"


def _ago(amount: str, unit: str, direction: str, anchor: date | None, ref_day: date | None,
         quarter: str | None) -> tuple[str | None, str]:
    unit = "century" if unit.startswith("centur") else unit
    n = _amount(amount)
    if n is False or direction in ("before", "after"):
        return None, "skip"  # "two days before the vote": anchored on an event we do not resolve
    if anchor is None:
        return None, "date"
    sign = 1 if direction in ("later", "from now", "hence") else -1
    if n is None:
        return ("PAST_REF" if sign < 0 else "FUTURE_REF"), "date"
    # "a year earlier" after a reported quarter: that quarter a year before (TimeBank convention)
    if unit == "year" and direction in ("earlier", "ago") and quarter and n == 1:
        return f"{int(quarter[:4]) - 1}-{quarter[5:]}", "date"
    base = anchor if direction in ("ago", "from now", "hence") else (ref_day or anchor)
    k = int(n) if float(n).is_integer() else n
    if unit in ("day", "night"):
        return (base + timedelta(days=sign * k)).isoformat(), "date"
    if unit in ("week", "fortnight"):
        return _iso_week(base + timedelta(weeks=sign * k * (2 if unit == "fortnight" else 1))), "date"
    if unit == "month":
        y, mo = _shift_months(base, int(sign * k))
        return f"{y}-{mo:02d}", "date"
    if unit == "year":
        if isinstance(k, float):
            y, mo = _shift_months(base, int(sign * k * 12))
            return f"{y}-{mo:02d}", "date"
        return str(base.year + sign * k), "date"
    if unit == "decade":
        return str(base.year + sign * int(k) * 10)[:3], "date"
    if unit == "century":
        return f"{(base.year + sign * int(k) * 100) // 100:02d}", "date"
    # hours and minutes: the day they fall on
    when = datetime(base.year, base.month, base.day, 12) + sign * k * {
        "hour": timedelta(hours=1), "minute": timedelta(minutes=1), "second": timedelta(seconds=1)}[unit]
    return when.date().isoformat(), "date"


def _holiday(name: str, year: int | None, anchor: date | None, tense: str) -> str | None:
    def on(y: int) -> date | None:
        if name.startswith("christmas"):
            return date(y, 12, 24 if name.endswith("eve") else 25)
        if name.startswith("new year's"):
            return date(y, 12, 31) if name.endswith("eve") else date(y, 1, 1)
        if name.startswith("thanksgiving"):  # fourth Thursday of November (US)
            first = date(y, 11, 1)
            return first + timedelta(days=(3 - first.weekday()) % 7 + 21)
        if name.startswith("easter") or name == "good friday":
            return _easter(y) + timedelta(days={"easter monday": 1, "good friday": -2}.get(name, 0))
        if name == "election day":  # the Tuesday after the first Monday of November (US)
            first = date(y, 11, 1)
            return first + timedelta(days=(0 - first.weekday()) % 7 + 1)
        if name == "labor day":
            first = date(y, 9, 1)
            return first + timedelta(days=(0 - first.weekday()) % 7)
        if name == "memorial day":
            last = date(y, 5, 31)
            return last - timedelta(days=last.weekday())
        fixed = {"independence day": (7, 4), "halloween": (10, 31), "valentine's day": (2, 14),
                 "boxing day": (12, 26), "bastille day": (7, 14), "armistice day": (11, 11),
                 "veterans day": (11, 11)}
        return date(y, *fixed[name]) if name in fixed else None

    if year is None:
        if anchor is None:
            return None
        options = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := on(y))]
        if not options:
            return None
        day = _nearest(anchor, options, tense)
    else:
        day = on(year)
        if day is None:
            return None
    return _iso_week(day) if name == "easter week" else day.isoformat()


def _easter(y: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    return date(y, (h + l_ - 7 * m + 114) // 31, (h + l_ - 7 * m + 114) % 31 + 1)


def _season(which: str, code: str, anchor: date, tense: str) -> str:
    """"last/this/next/the summer" as "YYYY-SU"; winter YYYY is the one ending in February YYYY."""
    month = anchor.month
    if code == "WI":
        in_it, ended = month in (12, 1, 2), 3 <= month < 12
        current = anchor.year + 1 if month == 12 else anchor.year
        upcoming = current if in_it else anchor.year + 1
        nxt = current + 1 if in_it else anchor.year + 1
    else:
        first = {"SP": 3, "SU": 6, "FA": 9}[code]
        in_it, ended = first <= month < first + 3, month >= first + 3
        current = anchor.year
        upcoming = anchor.year if month < first + 3 else anchor.year + 1
        nxt = anchor.year if month < first else anchor.year + 1
    last = anchor.year if ended else current - 1
    if which == "this":
        year = current if (in_it or not ended) else (anchor.year if code != "WI" else upcoming)
    elif which == "next":
        year = nxt
    elif which == "last":
        year = last
    else:  # "the summer": the one we are in, else the nearest in the direction of the tense
        year = current if in_it else (upcoming if tense in ("future", "present") else last)
    return f"{year}-{code}"


def _nearest(anchor: date, candidates: list[date], tense: str) -> date:
    """The candidate nearest the anchor, a distance against the verb's tense counting double
    (and a later date counting 1.5 times when the tense is unknown: news reports the past)."""
    def cost(c: date) -> float:
        days = (c - anchor).days
        against = (days > 0 and tense == "past") or (days < 0 and tense in ("future", "present"))
        factor = 2.0 if against else (1.5 if days > 0 and tense == "" else 1.0)
        return abs(days) * factor
    return min(candidates, key=lambda c: (cost(c), c > anchor))


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
    return f"{anchor.year if month > anchor.month else anchor.year + 1}-{month:02d}"


def _weekday(anchor: date, wd: int, direction: str) -> date:
    if direction == "next":
        return anchor + timedelta(days=(wd - anchor.weekday()) % 7 or 7)
    if direction == "last":
        return anchor - timedelta(days=(anchor.weekday() - wd) % 7 or 7)
    if direction == "on-or-after":
        return anchor + timedelta(days=(wd - anchor.weekday()) % 7)
    return anchor - timedelta(days=(anchor.weekday() - wd) % 7)


def _parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)", value)
    return _date(int(m[1]), int(m[2]), int(m[3])) if m else None


def _date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _valid(y: int, m: int, d: int) -> str | None:
    day = _date(y, m, d)
    return day.isoformat() if day else None
