"""Numeric figures: value or range, qualifier, unit and what is counted.

Works on the parsed Doc's tokens (no re-tokenising): a figure is an optional qualifier ("at
least", "an estimated"), an optional currency sign, a number (digits, number words, scale words,
fractions, vague counts such as "hundreds"), an optional range partner ("to 8,000", "and 4,000"),
an optional unit word ("euros", "%"), and then the counted noun phrase.  Years, dates, times,
ages, ordinals and reference numbers ("Article 5") are not figures.

Vague counts follow ACLED's convention (dozens -> 12, hundreds -> 100, thousands -> 1000, "a few
hundred" -> 100) with the word kept in ``qualifier`` so a reader sees the figure was vague.
Shares ("one-fifth of", "one in ten", "half the") are percentages; "half a million" is a number.

When the figure has no noun of its own, an explicit "the number of X" / "the total deaths of X"
just before it in the same clause gives the subject.  Casualty kinds come from the verb governing
the counted noun ("three people ... have died"; "two gunmen killed five" counts the gunmen as a
plain count), then from words next to the figure.  Every look-around is bounded, so the stage
stays linear in the document length.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import islice

from spacy.tokens import Doc

from ..schema import Figure

SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
          "trillion": 1_000_000_000_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000,
          "k": 1_000, "tn": 1_000_000_000_000}
#: "a few hundred", "several thousand": the scale word gives the ACLED-style value.
VAGUE_SCALES = {"dozen": 12, "hundred": 100, "thousand": 1_000, "million": 1_000_000}
WORD_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
#: Vague counts: (value, qualifier).  "tens of thousands" etc. are combined below.
VAGUE = {"dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1_000, "millions": 1_000_000,
         "billions": 1_000_000_000, "tens": 10}
FRACTIONS = {"half": 50, "third": 100 / 3, "thirds": 100 / 3, "quarter": 25, "quarters": 25, "fifth": 20,
             "fifths": 20, "sixth": 100 / 6, "tenth": 10, "tenths": 10, "eighth": 12.5}
QUALIFIERS = (
    "an estimated", "as many as", "as few as", "more than", "less than", "fewer than", "at least",
    "at most", "up to", "close to", "upwards of", "in excess of", "nearly", "almost", "about",
    "around", "roughly", "approximately", "some", "over", "under", "only", "just", "estimated",
    "potentially", "barely", "well over", "a total of", "just over", "just under", "well under",
    "slightly more than", "slightly less than", "no fewer than", "no more than", "not more than",
    "a maximum of", "a minimum of", "as much as", "as little as", "at a cost of",
)
_QUAL_WORDS = sorted((q.split() for q in QUALIFIERS), key=len, reverse=True)
CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "us$": "USD", "£": "GBP", "¥": "JPY", "eur": "EUR", "usd": "USD",
                  "gbp": "GBP", "a$": "AUD", "c$": "CAD", "chf": "CHF"}
CURRENCY_WORDS = {"euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "pound": "GBP",
                  "pounds": "GBP", "sterling": "GBP", "yen": "JPY", "dinars": "IQD", "dinar": "IQD",
                  "lira": "TRY", "liras": "TRY", "rubles": "RUB", "roubles": "RUB", "francs": "CHF",
                  "rupiah": "IDR", "rupees": "INR", "rupee": "INR", "yuan": "CNY", "renminbi": "CNY",
                  "riyals": "SAR", "riyal": "SAR", "shekels": "ILS", "shekel": "ILS", "hryvnias": "UAH",
                  "hryvnia": "UAH", "naira": "NGN", "rand": "ZAR", "won": "KRW", "dirhams": "AED",
                  "afghanis": "AFN", "pounds sterling": "GBP"}
#: Words right after a number that make it a clock time ("2200 GMT", "6 pm").
TIME_ZONES = {"gmt", "utc", "bst", "cet", "cest", "est", "edt", "pst", "pdt", "am", "pm", "a.m.", "p.m.", "a.m",
              "p.m", "hrs", "h"}
PERCENT_WORDS = {"%", "percent", "per cent", "pc"}
#: Words before a number that make it a reference, not a quantity.
REFERENCE_WORDS = {"article", "page", "section", "chapter", "resolution", "paragraph", "no", "no.", "number",
                   "item", "flight", "route", "highway", "room", "line", "clause", "annex", "volume",
                   "vol", "vol.", "episode", "season", "level", "phase", "grade", "rule", "division",
                   "brigade", "battalion", "regiment", "corps", "squad", "unit", "district", "zone", "sector",
                   "gate", "platform", "terminal", "channel", "covid", "covid-19", "g7", "g20", "f-16"}
DEATH_WORDS = {"killed", "killing", "kill", "kills", "died", "dead", "deaths", "death", "lives", "fatalities",
               "slain", "executed", "massacred", "perished", "toll", "bodies"}
INJURY_WORDS = {"wounded", "injured", "injuring", "wounding", "hurt", "injuries", "casualties"}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
          "nov", "dec"}
_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_DIGIT_SUFFIX = re.compile(r"^(\d+(?:\.\d+)?)(bn|m|mn|k|tn|%)$", re.I)
_DIGIT_RANGE = re.compile(r"^(\d[\d,]*(?:\.\d+)?)[-–](\d[\d,]*(?:\.\d+)?)$")
_MAX_DIGITS = 18  # longer digit strings are identifiers, not quantities


def _digits_value(s: str) -> float | None:
    s = "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in s)
    if not _DIGITS.match(s) or len(s.replace(",", "").split(".")[0]) > _MAX_DIGITS:
        return None
    return float(s.replace(",", ""))


def _small_word(t: str) -> float | None:
    t = t.lower()
    if t in SMALL:
        return float(SMALL[t])
    if "-" in t:  # twenty-five
        a, _, b = t.partition("-")
        if a in SMALL and b in SMALL and SMALL[a] >= 20 and SMALL[b] < 10:
            return float(SMALL[a] + SMALL[b])
    return None


class _Number:
    __slots__ = ("start", "end", "value", "vague", "fraction", "weak")

    def __init__(self, start: int, end: int, value: float, vague: str | None = None, fraction: bool = False,
                 weak: bool = False):
        self.start, self.end, self.value, self.vague, self.fraction = start, end, value, vague, fraction
        self.weak = weak  # "one soldier": kept only as a casualty figure ("one soldier was killed")


def _read_number(doc: Doc, i: int) -> _Number | None:
    """A number starting at token i: tokens [start, end) and its value."""
    n = len(doc)
    t = doc[i]
    low = t.lower_
    # "tens/hundreds of thousands"
    if low in VAGUE:
        if i + 2 < n and doc[i + 1].lower_ == "of" and doc[i + 2].lower_ in VAGUE and VAGUE[doc[i + 2].lower_] > VAGUE[low]:
            return _Number(i, i + 3, VAGUE[low] * VAGUE[doc[i + 2].lower_], f"{low} of {doc[i + 2].lower_}")
        if low == "tens":
            return None
        return _Number(i, i + 1, VAGUE[low], low)
    if low == "dozen" or (low in ("a", "one") and i + 1 < n and doc[i + 1].lower_ == "dozen"):
        end = i + 1 if low == "dozen" else i + 2
        return _Number(i, end, 12.0)
    # "a few hundred", "several thousand", "a few dozen": vague, kept in the qualifier
    if low in ("several", "few", "a") and i + 1 < n:
        j = i + 2 if low == "a" and doc[i + 1].lower_ == "few" else i + 1 if low != "a" else -1
        if 0 < j < n and doc[j].lower_ in VAGUE_SCALES:
            words = " ".join(t.lower_ for t in doc[i:j + 1])
            return _Number(i, j + 1, float(VAGUE_SCALES[doc[j].lower_]), words)
    # "a hundred", "a thousand", "a million" (not "a million-dollar ...": the hyphen makes it one modifier)
    if low == "a" and i + 1 < n and doc[i + 1].lower_ in WORD_SCALES and not (
            i + 2 < n and doc[i + 2].text == "-" and not doc[i + 1].whitespace_):
        end = i + 2
        value = float(WORD_SCALES[doc[i + 1].lower_])
        while end < n and doc[end].lower_ in WORD_SCALES and WORD_SCALES[doc[end].lower_] > value:
            value *= WORD_SCALES[doc[end].lower_]
            end += 1
        return _Number(i, end, value)
    # "half a million", "a quarter of a million", "three quarters of a billion": plain numbers
    scaled = _fraction_of_scale(doc, i)
    if scaled:
        return scaled
    # fractions: "one-fifth", "a third", "two-thirds", "half" — only as shares ("... of X").
    frac = _read_fraction(doc, i)
    if frac:
        return frac
    m = _DIGIT_SUFFIX.match(t.text)
    if m:
        base = _digits_value(m.group(1))
        if base is None:
            return None
        suffix = m.group(2).lower()
        if suffix == "%":
            return _Number(i, i + 1, base)
        return _Number(i, i + 1, base * SCALES[suffix])
    value = _digits_value(t.text)
    if value is None:
        value = _small_word(t.text)
        if value is None:
            return None
    ratio = _read_ratio(doc, i, value)
    if ratio:
        return ratio
    if low == "one" and not (i + 1 < n and (doc[i + 1].lower_ in SCALES or doc[i + 1].lower_ == "dozen")):
        # "one of the", "one day": idioms, not counts; "one person was killed" is a casualty figure
        if i + 1 < n and t.dep_ == "nummod" and t.head.i == i + 1 and doc[i + 1].tag_ == "NN":
            return _Number(i, i + 1, 1.0, weak=True)
        return None
    end = i + 1
    # scale words: "1.5 million", "two hundred thousand", "$20m", "two dozen"
    while end < n:
        word = doc[end].lower_
        glued = doc[end].idx == doc[end - 1].idx + len(doc[end - 1])
        if glued and word.endswith(".") and word[:-1] in SCALES:
            word = word[:-1]  # "£400m." at the end of a sentence
        if not ((word in SCALES or word == "dozen") and (word not in ("m", "k") or glued)):
            break
        value *= 12 if word == "dozen" else SCALES[word]
        end += 1
        # "two hundred and fifty", "three hundred forty"
        if doc[end - 1].lower_ == "hundred" and end < n:
            k = end + 1 if doc[end].lower_ == "and" else end
            rest = _small_word(doc[k].text) if k < n else None
            if rest is not None and 0 < rest < 100:
                value += rest
                end = k + 1
    return _Number(i, end, value)


def _read_ratio(doc: Doc, i: int, first: float) -> _Number | None:
    """"one in ten", "two in five": a share (first / second), read as a percentage."""
    n = len(doc)
    if not (i + 2 < n and doc[i + 1].lower_ == "in" and 0 < first < 100):
        return None
    second = _digits_value(doc[i + 2].text)
    if second is None:
        second = _small_word(doc[i + 2].text)
    if second is None or not (first < second <= 1000) or doc[i + 2].ent_type_ in ("DATE", "TIME"):
        return None
    if i + 3 < n and (doc[i + 3].lower_ in MONTHS or doc[i + 3].lower_ in ("years", "year", "days", "hours")):
        return None
    return _Number(i, i + 3, round(100 * first / second, 2), fraction=True)


def _fraction_of_scale(doc: Doc, i: int) -> _Number | None:
    n = len(doc)
    j, mult = i, 1.0
    low = doc[i].lower_
    if low in ("a", "one", "two", "three") and i + 1 < n and doc[i + 1].lower_ in FRACTIONS:
        mult = 1.0 if low in ("a", "one") else float(SMALL[low])
        j = i + 1
    word = doc[j].lower_
    if word not in ("half", "quarter", "quarters", "third", "thirds") or (word == "half" and j != i):
        return None
    k = j + 1
    if k < n and doc[k].lower_ == "of":
        k += 1
    if k + 1 < n and doc[k].lower_ == "a" and doc[k + 1].lower_ in WORD_SCALES:
        return _Number(i, k + 2, mult * FRACTIONS[word] / 100 * WORD_SCALES[doc[k + 1].lower_])
    return None


def _read_fraction(doc: Doc, i: int) -> _Number | None:
    n = len(doc)
    t = doc[i]
    low = t.lower_
    j = i
    mult = 1.0
    if low in ("a", "one", "two", "three", "four") and i + 1 < n:
        mult = 1.0 if low in ("a", "one") else float(SMALL[low])
        j = i + 1
        if doc[j].text == "-" and j + 1 < n:
            j += 1
    elif low == "another" and i + 1 < n:
        j = i + 1
    word = doc[j].lower_
    if word == "half" and j == i:
        pass
    elif word not in FRACTIONS or j == i:
        return None
    if word == "half" and low != "half" and low not in ("a", "one"):
        return None
    nxt = doc[j + 1] if j + 1 < n else None
    # a share needs "of" ("one-fifth of the fighters", "half of them"), or "half the population",
    # or a verb right after it ("another third has returned")
    if nxt is None:
        return None
    if nxt.lower_ == "of" or (word == "half" and j == i and nxt.lower_ in ("the", "its", "their", "all")):
        return _Number(i, j + 1, round(mult * FRACTIONS[word], 2), fraction=True)
    if low in ("a", "one", "another", "two", "three", "four") and nxt.pos_ in ("AUX", "VERB") and nxt.tag_ != "VBG":
        return _Number(i, j + 1, round(mult * FRACTIONS[word], 2), fraction=True)
    return None


def _qualifier(doc: Doc, start: int, sent_start: int) -> tuple[int, str | None]:
    for words in _QUAL_WORDS:
        k = len(words)
        if start - k >= sent_start and [doc[start - k + x].lower_ for x in range(k)] == words:
            if words == ["estimated"] and doc[start - 1].tag_ in ("VBD", "VBZ", "VBP"):
                continue  # "the agency estimated 7,000": a verb, not a qualifier
            return start - k, " ".join(words)
    return start, None


def _year_span(a: float, b: float) -> bool:
    return a.is_integer() and b.is_integer() and 1800 <= a <= 2100 and 1800 <= b <= 2100


def _skip_qualifier(doc: Doc, k: int, sent_end: int) -> int:
    """Index after a qualifier starting at token k ("more than", "nearly"), or k."""
    for words in _QUAL_WORDS:
        m = len(words)
        if k + m < sent_end and [doc[k + x].lower_ for x in range(m)] == words:
            return k + m
    return k


def _skip(doc: Doc, num: _Number, sent_start: int) -> bool:
    """Years, dates, times, ages, ordinals and reference numbers are not figures."""
    first, last = doc[num.start], doc[num.end - 1]
    ent = first.ent_type_
    if ent in ("DATE", "TIME", "ORDINAL") and not num.vague and not num.fraction:
        # a count inside a DATE entity is still a count when a plural noun follows ("150 days" stays a date)
        return True
    text = first.text
    if re.fullmatch(r"\d{4}", text) and 1800 <= int(text) <= 2100 and num.end == num.start + 1:
        nxt = doc[num.end] if num.end < len(doc) else None
        if not (nxt is not None and nxt.tag_ == "NNS"):
            return True
    prev = doc[num.start - 1] if num.start > sent_start else None
    nxt_word = doc[num.end].lower_ if num.end < len(doc) else ""
    if (nxt_word in MONTHS or (prev is not None and prev.lower_ in MONTHS)) and not num.vague:
        return True  # "19 October", "March 9"
    if prev is not None and prev.lower_ in REFERENCE_WORDS:
        return True
    if prev is not None and prev.lower_ in ("aged", "age", "ages"):
        return True
    after = " ".join(t.lower_ for t in doc[num.end:num.end + 3])
    if re.match(r"(- ?)?years? ?- ?old|years? old|-year-old", after):
        return True
    if prev is not None and prev.text in ("#", "No", "no."):
        return True
    # "1:30", "06/28", phone numbers, ids glued to letters
    if num.end < len(doc) and doc[num.end].text in (":", "/") and not doc[num.end].whitespace_ and num.end + 1 < len(doc) and doc[num.end + 1].like_num:
        return True
    if prev is not None and prev.text in (":", "/") and not prev.whitespace_:
        return True
    if nxt_word in TIME_ZONES or (nxt_word == "local" and num.end + 1 < len(doc) and doc[num.end + 1].lower_ == "time"):
        return True  # "2200 GMT", "6 pm", "0800 local time"
    # model and reference designations glued to letters: "777-200LR", "MH17", "F-16s"
    nxt_text = doc[num.end].text if num.end < len(doc) else ""
    if nxt_text in ("-", "–") and not doc[num.end].whitespace_ and num.end + 1 < len(doc):
        nxt_text += doc[num.end + 1].text
    if not last.whitespace_ and re.match(r"[-–]?\w*[A-Za-z]", nxt_text) and \
            doc[num.end].lower_ not in SCALES and not re.match(r"[-–]?(year|month|week|day|strong)", nxt_text.lower()):
        return True
    return False


def _subject(doc: Doc, k: int, sent_end: int) -> tuple[str | None, int]:
    """The counted noun phrase starting at token k (adjectives, nouns, possessives), or after
    "of" ("thousands of European nationals").  Returns (lower-cased phrase, last token + 1)."""
    if k + 1 < sent_end and doc[k].is_quote and doc[k + 1].lower_ == "of":  # "'hundreds' of families"
        k += 1
    if k < sent_end and doc[k].lower_ == "of":
        k += 1
        while k < sent_end and (doc[k].pos_ == "DET" or doc[k].tag_ == "PRP$"):  # "500 of its planes"
            k += 1
    words: list[str] = []
    last_noun = -1
    j = k
    while j < sent_end and j - k < 6:
        t = doc[j]
        if t.tag_ == "POS" or t.text in ("’s", "'s"):
            j += 1
            continue
        if words and t.ent_type_ in ("DATE", "TIME") and not doc[j - 1].ent_type_ in ("DATE", "TIME"):
            break  # "five times last year": the date is not part of what is counted
        if t.pos_ in ("ADJ", "NOUN", "PROPN") or (t.text == "-" and words) or (t.pos_ == "VERB" and t.tag_ in ("VBN", "VBG") and t.dep_ == "amod"):
            if t.like_num:
                break
            words.append(t.lower_)
            if t.pos_ in ("NOUN", "PROPN"):
                last_noun = j
            j += 1
            continue
        break
    if last_noun < 0:
        return None, k
    words = words[: last_noun - k + 1 - sum(1 for t in doc[k:last_noun + 1] if t.tag_ == "POS" or t.text in ("’s", "'s"))]
    phrase = re.sub(r"\s*-\s*", "-", " ".join(words)).strip()
    return (phrase or None), last_noun + 1


#: Heads of "the number of X" phrases whose value a later figure gives ("put the number of
#: fighters at 3,000"); the optional word between head and "of" may name the kind ("total deaths of").
NUMBER_HEADS = {"number", "total", "toll", "tally", "count", "estimate"}
_NUMBER_OF_WINDOW = 12
DEATH_LEMMAS = {"die", "kill", "perish", "execute", "massacre", "slay", "behead", "murder", "drown"}
INJURY_LEMMAS = {"wound", "injure", "hurt", "maim"}


def _number_of(doc: Doc, start: int, sent_start: int) -> tuple[str | None, str | None]:
    """For a figure with no noun of its own, the X of a preceding "the number of X" in the same
    clause ("puts the number of foreign fighters who fled at between 3,000 and 4,000").  Looks back
    at most a few tokens and gives up at another number or a clause boundary."""
    lo = max(sent_start, start - _NUMBER_OF_WINDOW)
    for j in range(start - 1, lo - 1, -1):
        t = doc[j]
        if t.like_num or t.text in (";", ":") or t.lower_ in ("but", "while", "whereas") or (
                t.lower_ in ("and", "or") and j > sent_start and doc[j - 1].text == ","):
            return None, None
        if t.lower_ in NUMBER_HEADS and (t.pos_ == "NOUN" or t.lower_ == "total"):
            k = j + 1
            between = None
            if k < start and doc[k].lower_ != "of" and doc[k].pos_ == "NOUN":  # "total deaths of"
                between = doc[k].lower_
                k += 1
            if k < start and doc[k].lower_ == "of":
                subject, _ = _subject(doc, k, start)
                kind = "deaths" if (between in DEATH_WORDS or t.lower_ == "toll") else \
                    "injuries" if between in INJURY_WORDS else None
                return subject, kind
            return None, ("deaths" if t.lower_ == "toll" and doc[j - 1].lower_ in ("death", "casualty") else None)
    return None, None


def _governing_kind(doc: Doc, num_start: int) -> str | None:
    """deaths / injuries from the verb that governs the counted noun ("three people from his city
    ... have died", "militants killed 12 civilians")."""
    tok = doc[num_start]
    noun = tok.head if tok.dep_ in ("nummod", "quantmod", "compound") else tok
    for _ in range(2):
        if noun.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "appos") or noun.head.pos_ in ("VERB", "AUX"):
            break
        noun = noun.head
    verb = noun.head
    if noun.dep_ == "pobj" and verb.dep_ == "agent":  # "killed by 3 gunmen"
        return None
    if verb.pos_ not in ("VERB", "AUX"):
        return None
    if noun.dep_ == "nsubj" and verb.lemma_ in ("kill", "wound", "injure", "execute", "murder", "massacre") and any(
            c.dep_ == "dobj" for c in islice(verb.rights, 8)):
        return "count"  # "five gunmen killed ...": the figure counts the killers
    if verb.lemma_ in DEATH_LEMMAS:
        return "deaths"
    if verb.lemma_ in INJURY_LEMMAS:
        return "injuries"
    return None


def _kind(doc: Doc, num_start: int, start: int, end: int, subject: str | None, sent) -> str:
    """deaths / injuries / count: the words right after the figure decide first ("dozens
    wounded"), then the ones just before it ("killing 42"), then the governing verb."""
    if subject and subject.split()[-1] in ("lives", "deaths", "dead", "fatalities", "bodies"):
        return "deaths"
    governed = _governing_kind(doc, num_start)
    if governed:
        return governed
    for window in (doc[end:min(sent.end, end + 5)], doc[max(sent.start, start - 2):start]):
        words = {t.lower_ for t in window}
        if words & INJURY_WORDS:
            return "injuries"
        if words & DEATH_WORDS:
            return "deaths"
    return "count"


def find_figures(doc: Doc) -> list[Figure]:
    text = doc.text  # once: Doc.text re-joins every token on each access
    figures: list[Figure] = []
    n = len(doc)
    i = 0
    sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    sent_of = {}
    for s in sents:
        for k in range(s.start, s.end):
            sent_of[k] = s
    while i < n:
        num = _read_number(doc, i)
        if num is None:
            # digit ranges glued in one token: "7,000-8,000"
            m = _DIGIT_RANGE.match(doc[i].text)
            lo_d = _digits_value(m.group(1)) if m else None
            hi_d = _digits_value(m.group(2)) if m else None
            if lo_d is not None and hi_d is not None and lo_d < hi_d and not _year_span(lo_d, hi_d):
                num = _Number(i, i + 1, lo_d)
                num_high = hi_d
            else:  # "52-48" is a score, "2014-2016" a period
                i += 1
                continue
        else:
            num_high = None
        sent = sent_of.get(i, doc[:])
        if _skip(doc, num, sent.start):
            i = num.end
            continue
        start_tok, qualifier = _qualifier(doc, num.start, sent.start)
        if num.vague:
            qualifier = f"{qualifier} {num.vague}" if qualifier else num.vague
        unit: str | None = None
        # currency sign before the number (after any qualifier): "about €12 million"
        if num.start - 1 >= sent.start and doc[num.start - 1].lower_ in CURRENCY_SIGNS:
            unit = CURRENCY_SIGNS[doc[num.start - 1].lower_]
            if start_tok == num.start:
                start_tok, qualifier = _qualifier(doc, num.start - 1, sent.start)
                start_tok = min(start_tok, num.start - 1)
        low_v = high_v = num.value
        end = num.end
        if num_high is not None:
            high_v = num_high
        # ranges: "4,000 to 8,000", "7,000-8,000", "between 3,000 and 4,000", "13-18 million"
        elif end + 1 < n and doc[end].lower_ in ("to", "-", "–", "and", "or") and not num.vague:
            between = start_tok - 1 >= sent.start and doc[start_tok - 1].lower_ in ("between", "from")
            if doc[end].lower_ != "and" or between:
                k = end + 1
                if between:  # "from around 1,100 to more than 1,300"
                    k = _skip_qualifier(doc, k, sent.end)
                if k < n and doc[k].lower_ in CURRENCY_SIGNS:
                    k += 1
                other = _read_number(doc, k) if k < n else None
                if other and not other.vague and not other.fraction:
                    lo2, hi2 = num.value, other.value
                    # the scale of the second applies to the first: "13-18 million"
                    if other.end - other.start > 1 and num.end - num.start == 1 and hi2 > lo2 * 100:
                        scale = other.value / (_digits_value(doc[other.start].text) or _small_word(doc[other.start].text) or other.value)
                        lo2 = num.value * scale
                    if not (lo2 < hi2) or _year_span(lo2, hi2):  # "from 40 to 30" is a fall, not a range
                        if doc[end].text in ("-", "–") and not doc[end - 1].whitespace_ and not doc[end].whitespace_:
                            i = other.end  # "52-48": a score or a vote tally, "2014-2016": a period
                            continue
                        other = None
                if other and not other.vague and not other.fraction:
                    low_v, high_v = lo2, hi2
                    end = other.end
                    if between and doc[start_tok - 1].lower_ == "between":  # "from" stays outside the span
                        start_tok -= 1
                        qualifier = qualifier or None
                elif doc[end].lower_ in ("-", "–"):
                    pass
        # unit after the number: "%", "percent", "euros"
        if end < n and (doc[end].lower_ in PERCENT_WORDS or (doc[end].lower_ == "per" and end + 1 < n and doc[end + 1].lower_ == "cent")):
            unit = "%"
            end += 2 if doc[end].lower_ == "per" else 1
        elif end < n and doc[end].lower_ in CURRENCY_WORDS and unit is None:
            unit = CURRENCY_WORDS[doc[end].lower_]
            end += 1
        if num.fraction:
            unit = "%"
        k_subj = end
        if num.fraction and end < n and doc[end].lower_ in ("the", "its", "their", "all"):
            k_subj = end + 1  # "half the population"
        subject, _ = (None, end) if unit in ("%",) and not num.fraction else _subject(doc, k_subj, sent.end)
        if unit == "%" and end < n and doc[end].lower_ == "of":
            subject, _ = _subject(doc, end, sent.end)
        if unit and unit != "%":
            subject = None  # money: what it pays for is rarely a counted noun ("a $8.7bn drop")
        kind_hint = None
        if subject is None and unit is None and not num.fraction:
            subject, kind_hint = _number_of(doc, start_tok, sent.start)
        kind = "money" if unit and unit != "%" else "percent" if unit == "%" else (
            kind_hint or _kind(doc, num.start, start_tok, end, subject, sent))
        if num.weak and (kind not in ("deaths", "injuries") or start_tok != num.start):
            i = num.end
            continue
        if (subject is None and unit is None and qualifier is None and low_v == high_v and start_tok == num.start
                and start_tok > sent.start and doc[start_tok - 1].lower_ == "the" and kind == "count"):
            i = end  # "the 717", "the 1990 agreement": a designation, not a quantity
            continue
        a, b = doc[start_tok].idx, doc[end - 1].idx + len(doc[end - 1])
        if doc[end - 1].text.endswith(".") and doc[end - 1].lower_[:-1] in SCALES:
            b -= 1  # "£400m." ends a sentence: the full stop is not part of the figure
        is_range = low_v != high_v
        figures.append(Figure(
            text=text[a:b], start=a, end=b,
            value=None if is_range else _clean(num.value if num_high is None else low_v),
            low=_clean(low_v), high=_clean(high_v), unit=unit, subject=subject,
            qualifier=qualifier, kind=kind,
        ))
        i = end
    return figures


def _clean(x: float | None) -> float | None:
    if x is None:
        return None
    return float(round(x, 4))
