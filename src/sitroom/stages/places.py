"""Place mentions: found, resolved to the gazetteer, with the country and coordinates.

Three steps (docs/places.md has the details and the measured accuracy):

1. **Recognition** (:class:`_Finder`).  State/province abbreviations, datelines ("BANTAM —"),
   spaCy's GPE/LOC/FAC entities, places NER mislabelled (PERSON/ORG) when they name a country, a
   division, a curated region or a city big enough not to be a surname, places and demonyms inside
   longer names ("the Metcalfe County Sheriff's Office", "the Turkish Embassy"), capitalised words NER
   missed, small towns named before ", <division>", and towns after "in"/"from"/... in a country the
   text already names ("in Vilvoorde" that NER calls a person).  Demonyms ("French", "Iraqis") are linked to
   their country but kept apart: they are not places.
2. **Candidates.**  Every gazetteer record under the mention's exact, transliteration-tolerant or
   (last resort) consonant-skeleton key.
3. **Ranking** (:func:`_rank`).  A linear score: log population, feature class, how closely the name
   matched, the "City, Region" pattern (both ways, and carried to the name's other mentions),
   agreement with the other places of the document (their countries, first-level divisions — above
   all those named outright — and distance), and the source's country.  The first round picks each
   mention's best reading alone, the next rounds re-score with the others' readings as context.
   ``confidence`` is the softmax probability of the winner.

Metonymy ("Moscow said", "Washington warned"): a country or capital that is the subject of a
speech or decision verb is flagged; it still resolves to the place.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import islice

from rapidfuzz import fuzz
from spacy.tokens import Doc, Span

from ..geo.gazetteer import Entry, Gazetteer, haversine_km, load, loose_key, norm_key


@dataclass
class Place:
    """A resolved place mention; ``text == article_text[start:end]``."""

    text: str
    start: int
    end: int
    place_id: str  # GeoNames id where there is one, else "region:sahel", "admin1:SY.09", ...
    name: str
    country_code: str | None  # ISO 3166-1 alpha-2
    lat: float
    lon: float
    feature: str  # country | admin | city | region
    confidence: float  # 0..1
    metonymy: bool = False  # "Moscow said": the place stands for its government
    demonym_of: str | None = None  # always None for places; demonyms come back as Demonym


@dataclass
class Demonym:
    """A demonym or national adjective ("French", "Iraqis") and the country (or region) it names."""

    text: str
    start: int
    end: int
    country_code: str | None
    place_id: str
    name: str
    lat: float
    lon: float


#: Verbs whose subject, when a country or capital, stands for its government.
METONYMY_VERBS = set("""
say tell warn announce claim deny accuse demand urge reject insist threaten respond decide agree condemn vow
pledge sanction impose approve refuse expel recognise recognize welcome criticise criticize state argue propose
want seek hope call blame retaliate protest veto sign ratify order summon launch offer promise dismiss confirm
ask push press vote negotiate oppose support back invade annex accuse respond
""".split())

#: AP-style and postal abbreviations of US states and Canadian provinces (matched with the dot).
ABBREVIATIONS = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California", "Colo.": "Colorado",
    "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida", "Ga.": "Georgia", "Ill.": "Illinois",
    "Ind.": "Indiana", "Kan.": "Kansas", "Kans.": "Kansas", "Ky.": "Kentucky", "La.": "Louisiana",
    "Md.": "Maryland", "Mass.": "Massachusetts", "Mich.": "Michigan", "Minn.": "Minnesota",
    "Miss.": "Mississippi", "Mo.": "Missouri", "Mont.": "Montana", "Neb.": "Nebraska", "Nebr.": "Nebraska",
    "Nev.": "Nevada", "N.H.": "New Hampshire", "N.J.": "New Jersey", "N.M.": "New Mexico", "N.Y.": "New York",
    "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma", "Ore.": "Oregon", "Pa.": "Pennsylvania",
    "R.I.": "Rhode Island", "S.C.": "South Carolina", "S.D.": "South Dakota", "Tenn.": "Tennessee",
    "Tex.": "Texas", "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington", "W.Va.": "West Virginia",
    "W. Va.": "West Virginia", "Wis.": "Wisconsin", "Wisc.": "Wisconsin", "Wyo.": "Wyoming", "D.C.": "District of Columbia",
    "B.C.": "British Columbia", "Alta.": "Alberta", "Sask.": "Saskatchewan", "Man.": "Manitoba",
    "Ont.": "Ontario", "Que.": "Quebec", "N.S.": "Nova Scotia", "N.B.": "New Brunswick", "P.E.I.": "Prince Edward Island",
    "Nfld.": "Newfoundland and Labrador",
}
#: Abbreviations that are also ordinary words or titles: only taken after "Place, ".
_AMBIGUOUS_ABBR = {"Del.", "Ga.", "Ill.", "Ind.", "La.", "Man.", "Mass.", "Miss.", "Mo.", "Mont.", "Pa.", "Va.",
                   "Wash.", "Ore.", "Md.", "Kan.", "Neb.", "Ala.", "Tex.", "Vt.", "Que.", "Ont.", "Nev.", "Wis."}
_ABBR_RE = re.compile(r"(?<![\w.])(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
                      + r")(?=[\s,;:)\"'’]|--|$)")
#: The same abbreviations without the dot, and USPS codes, only right after "Place, " and before
#: punctuation ("EDMONTON, Ky (WBKO)", "LOUISVILLE, KY--").
_BARE_ABBR = {a.replace(".", "").replace(" ", ""): n for a, n in ABBREVIATIONS.items() if len(a.replace(".", "")) > 1}
_BARE_ABBR.update({
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho",
    "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "DC": "District of Columbia", "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "ON": "Ontario", "PE": "Prince Edward Island",
    "QC": "Quebec", "SK": "Saskatchewan"})
_BARE_ABBR_RE = re.compile(r"(?<=[A-Za-z]),[ \t]*(" + "|".join(sorted(_BARE_ABBR, key=len, reverse=True))
                           + r")(?=[ \t]*(?:[(,;:]|--|[-–—][ \t]|\n|$))")
#: A dateline: a capitalised name opening the text, a line or a sentence, perhaps with ", Region",
#: then a dash or "(" ("BANTAM —", "LONDON, Ky. (WKYT) -", "Aleppo, Syria -").
_DATELINE_RE = re.compile(r"(?:^|\n|(?<=[.!?\"”]\s))[ \t]*"
                          r"([A-Z][A-Za-z'’.]*[A-Za-z](?:[ \t][A-Z][A-Za-z'’.]*[A-Za-z]){0,3})"  # the name
                          r"(,[ \t]*[A-Z][\w.]*(?:[ \t][A-Z][\w.]*)?)?"  # ", Region"
                          r"[ \t]*(?:\([^)\n]{0,40}\)[ \t]*)?(?:—|–|--|-[ \t]|\()")  # "(AP)", the dash
_DASH = re.compile(r"[-–—]")
_SPACED_DASH = re.compile(r"\s[-–—]\s|[–—]")
#: Entity labels the entity step judges; a name exactly covering one is not looked at again.
_JUDGED_LABELS = {"GPE", "LOC", "FAC", "NORP", "PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "LANGUAGE", "LAW"}
#: Words that make a division explicit ("Metcalfe County"): such a name is a place however small.
_DIVISION_WORD = re.compile(r"\s(?:County|Parish|Borough|District|Province|Governorate|Prefecture|Oblast|"
                            r"Department|Municipality|Region)$", re.I)
_GENERIC_TAIL = re.compile(r"\s+(?:province|governorate|region|city|state|district|town|village|area|"
                           r"prefecture|oblast|county)$", re.I)
_GENERIC_HEAD = re.compile(r"^(?:city of|province of|state of|town of|village of|northern|southern|eastern|"
                           r"western|central|north|south|east|west|greater|downtown|rural|metro)\s+", re.I)
_COMPOUND_TAIL = re.compile(r"-[a-z]+$")
_COMPOUND_TOKEN = re.compile(r"^([A-Z][\w.]*?)-[a-z]+$")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_LEADING_THE = re.compile(r"^the\s+", re.I)
#: Capitalised words that are common English words, titles or months: never matched outside NER.
_COMMON = set("""
i a an the this that these those he she it we they my our your his her its their mr mrs ms dr st mt
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday god christmas easter
reading nice bath mobile university college school hospital church street road avenue park
""".split())

_CALENDAR = set("""january february march april may june july august september october
november december monday tuesday wednesday thursday friday saturday sunday christmas easter""".split())

_PLACE_LABELS = ("GPE", "LOC", "FAC", "NORP")
#: "in Vilvoorde", "from Reading": a capitalised name (up to three words, mid-sentence) after a
#: locative preposition.
_AFTER_PREPOSITION = re.compile(r"(?<![\w-])(?:[Ii]n|[Ff]rom|[Nn]ear|[Oo]utside|[Aa]round|(?<=,\s)of)\s+"
                                r"([A-Z][a-z\u00c0-\u024f'’-]+(?:[ \t][A-Z][a-z\u00c0-\u024f'’-]+){0,2})")
_MAX_MENTIONS = 5000  # a hard cap per document; more than that is a gazetteer dump, not an article
_MAX_NGRAM = 4

# scorer weights (see docs/places.md)
W_POP = 1.0
FEATURE_BONUS = {"country": 4.0, "admin1": 1.5, "admin2": 0.6, "city": 0.0}
CAPITAL_BONUS = 2.5
W_METONYMY = 1.5  # a speech/decision verb's subject is a country or a capital
REGION_BASE = 6.0
REGION_PRIOR = 1.3
MATCH_PENALTY = {0: 0.0, 1: -0.4, 2: -1.0, 3: -2.5}
W_PATTERN = 10.0
W_COUNTRY_CTX = 1.5
W_ADMIN_CTX = 1.5
W_NAMED_ADMIN = 2.5  # the text names the candidate's first-level division ("Missouri")
W_SOURCE = 1.0
NEAR = ((50.0, 1.5), (150.0, 1.0), (400.0, 0.5))
ROUNDS = 2  # context rounds after the first (each re-reads the others' readings of the round before)


@dataclass
class _Mention:
    start: int
    end: int
    text: str
    origin: str  # "ner" (GPE/LOC/FAC), "mislabel", "capitalised", "abbreviation"
    span: Span | None
    cands: list[tuple[Entry, int]]
    container: "_Mention | None" = None  # "City, Region": the mention after the comma
    winner: Entry | None = None
    confidence: float = 0.0
    scores: list[float] | None = None


def _clean(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a leading "the", a possessive, surrounding punctuation and anything past a line break."""
    s = text[start:end]
    if "\n" in s:
        end = start + s.index("\n")
    compound = _COMPOUND_TAIL.search(text[start:end])  # "U.S.-led", "Kentucky-based"
    if compound:
        end = start + compound.start()
    m = _LEADING_THE.match(text[start:end])
    if m:
        start += m.end()
    tail = _POSSESSIVE.search(text[start:end])
    if tail:
        end -= len(tail.group())
    while end > start and not text[end - 1].isalnum() and text[end - 1] != ".":
        end -= 1
    while start < end and not text[start].isalnum():
        start += 1
    # a trailing dot belongs to an abbreviation ("U.S.") but not to a sentence end
    if end > start and text[end - 1] == "." and not re.search(r"(?:^|[.\s])\w\.$", text[start:end]) \
            and text[start:end] not in ABBREVIATIONS:
        end -= 1
    return start, end


def _feature_key(e: Entry) -> str:
    if e.feature == "admin":
        return "admin1" if e.code == "ADM1" else "admin2"
    return e.feature


def _prune(cands: list[tuple[Entry, int]]) -> list[tuple[Entry, int]]:
    """A division named after its own main city ("Aleppo" governorate, "Paris" département) yields to
    the city: news means the city."""
    cities = [e for e, _ in cands if e.feature == "city"]
    out = []
    for e, k in cands:
        if e.feature == "admin":
            twin = next((c for c in cities if c.country_code == e.country_code
                         and loose_key(c.name) == loose_key(e.name)
                         and c.population >= 0.3 * max(e.population, 1)
                         and (c.admin1 == e.admin1)), None)
            if twin is not None:
                continue
        out.append((e, k))
    return out


def _base_score(e: Entry, kind: int) -> float:
    fk = _feature_key(e)
    if fk == "region":
        s = REGION_BASE + REGION_PRIOR * (e.prior or 0.0)
    else:
        s = W_POP * math.log10(e.population + 1) + FEATURE_BONUS.get(fk, 0.0)
        if e.code == "PPLC":
            s += CAPITAL_BONUS
    return s + MATCH_PENALTY.get(kind, -3.0)


#: A consonant-skeleton match must still look like the place's main name ("Deir ez-Zor" vs "Dayr az
#: Zawr" scores 67 on the loose keys; "Bundeswehr" vs "Bandar Seri Begawan" 44).
SKELETON_MIN_RATIO = 60


def _filter(surface: str, cands: list[tuple[Entry, int]]) -> list[tuple[Entry, int]]:
    """Drop readings too weak to trust: short names ("BA", "Mo") only by a main name or as a country or
    region; transliteration/skeleton matches only for places of some size."""
    key = norm_key(surface).replace(" ", "")
    if len(key) < 2:
        return []
    out = []
    for e, k in cands:
        if len(key) <= 3 and k > 0 and e.feature not in ("country", "region"):
            continue
        if k >= 2 and e.feature == "city" and e.population < 10_000:
            continue
        if k == 3 and (e.feature == "admin" or _GENERIC_TAIL.search(surface)):
            continue  # "Puge county" is not "Page County" by consonants
        if k == 3 and fuzz.ratio(loose_key(surface), loose_key(e.name)) < SKELETON_MIN_RATIO:
            continue  # a skeleton shared with some alternate name only: "Bundeswehr" is not Bandar Seri Begawan
        out.append((e, k))
    return out


def _strong(cands: list[tuple[Entry, int]], min_city_pop: int, max_kind: int = 0, surface: str = "") -> bool:
    """A name outside NER's place labels counts as a place only when it is a country (any of its
    names), a division or region by its main name, a big city by its main name, or a second-level
    division named with its division word ("Metcalfe County")."""
    explicit = bool(_DIVISION_WORD.search(surface))
    for e, k in cands:
        fk = _feature_key(e)
        if fk == "country" and k <= 1:
            return True
        if fk == "admin1" and k <= max_kind:
            return True
        if fk == "admin2" and k == 0 and explicit:
            return True
        if fk == "region" and e.prior >= 2 and k <= 1:
            return True
        spelling = k == 1 and loose_key(surface) == loose_key(e.name)
        if fk == "city" and e.population >= min_city_pop and (k <= max_kind or spelling):
            return True  # by a spelling of its main name too ("Raqqa" for "Ar Raqqah")
    return False


def _is_metonymy(span: Span | None, e: Entry) -> bool:
    if span is None or not (e.feature == "country" or e.code == "PPLC"):
        return False
    root = span.root
    if root.dep_ not in ("nsubj", "nsubjpass"):
        return False
    head = root.head
    return head.lemma_.lower() in METONYMY_VERBS and head.pos_ in ("VERB", "AUX")


#: A compass word alone ("the West", "Western" governments) is a political bloc or an adjective,
#: not the province of Cameroon or Sri Lanka that shares the name.
DIRECTION_WORDS = {"west", "western", "east", "eastern", "north", "northern", "south", "southern", "central",
                   "northeast", "northwest", "southeast", "southwest"}


def find_places(doc: Doc, source_country: str | None = None, gazetteer: Gazetteer | None = None
                ) -> tuple[list[Place], list[Demonym]]:
    """Places and demonyms in ``doc``; ``source_country`` (ISO alpha-2) is the outlet's country
    when known and tips close calls towards it."""
    finder = _Finder(doc, gazetteer or load())
    mentions, demonyms = finder.run()
    _link_containers(mentions, doc.text)
    _rank(mentions, (source_country or "").upper() or None)
    places = []
    for m in mentions:
        e = m.winner
        if e is None or m.text.lower() in DIRECTION_WORDS:
            continue
        places.append(Place(m.text, m.start, m.end, e.place_id, e.name, e.country_code, round(e.lat, 5),
                            round(e.lon, 5), e.feature, round(m.confidence, 3), _is_metonymy(m.span, e)))
    return places, demonyms


class _Finder:
    """The recognition steps over one document.  They run in order of reliability and share one
    map of the characters already claimed, so a later, weaker step never overrides an earlier one."""

    def __init__(self, doc: Doc, gaz: Gazetteer):
        self.doc, self.gaz, self.text = doc, gaz, doc.text
        self.toks = list(doc)
        self.ents = list(doc.ents)
        self.mentions: list[_Mention] = []
        self.demonyms: list[Demonym] = []
        self.taken = bytearray(len(self.text) + 1)
        self.known: set[int] = set()  # gazetteer rows the document may already name (for variant spellings)
        self.named: set[int] = set()  # the most likely reading of each name found so far
        self.pending: list = []  # mislabelled names too weak alone: kept if the document names the place
        # words of multi-word person names: "Georgia" of "Georgia Smith" is a person
        self.person_words = {w.lower() for ent in self.ents if ent.label_ == "PERSON" and len(ent.text.split()) > 1
                             for w in ent.text.split()}

    def run(self) -> tuple[list[_Mention], list[Demonym]]:
        self.abbreviations()
        self.datelines()
        self.entities()
        self.variants()
        self.capitalised()
        self.before_containers()
        self.after_prepositions()
        self.again()
        self.mentions.sort(key=lambda m: m.start)
        self.demonyms.sort(key=lambda d: d.start)
        return self.mentions, self.demonyms

    # -- bookkeeping
    def free(self, a: int, b: int) -> bool:
        return not any(self.taken[a:b])

    def full(self) -> bool:
        return len(self.mentions) >= _MAX_MENTIONS

    def add(self, a: int, b: int, origin: str, span: Span | None, cands: list[tuple[Entry, int]]) -> None:
        self.mentions.append(_Mention(a, b, self.text[a:b], origin, span, cands))
        self.known.update(e.row for e, k in cands[:3] if k <= 1)
        self.named.add(cands[0][0].row)
        self.taken[a:b] = b"\x01" * (b - a)

    def add_demonym(self, a: int, b: int, hit: tuple[str, Entry]) -> None:
        code, e = hit
        cc = code if len(code) == 2 else e.country_code
        self.demonyms.append(Demonym(self.text[a:b], a, b, cc, e.place_id, e.name, e.lat, e.lon))
        self.taken[a:b] = b"\x01" * (b - a)

    def candidates(self, surface: str, fuzzy: bool = True) -> list[tuple[Entry, int]]:
        c = self.gaz.lookup(surface, fuzzy=fuzzy)
        if not c:
            alt = _GENERIC_HEAD.sub("", _GENERIC_TAIL.sub("", surface))
            if alt and alt != surface:
                c = self.gaz.lookup(alt, fuzzy=fuzzy)
        return _filter(surface, _prune(c))

    # -- the steps
    def abbreviations(self) -> None:
        """US state and Canadian province abbreviations: "Paris, Tex.", "Edmonton, Alta.", and after
        "Place, " also without the dot or as postal codes ("EDMONTON, Ky (WBKO)", "LOUISVILLE, KY--").
        First, so that "Man." of "Churchill, Man." is Manitoba, not the Isle of Man."""
        for m in _ABBR_RE.finditer(self.text):
            a, b = m.start(1), m.end(1)
            abbr = m.group(1)
            after_comma = re.search(r"\w,\s*$", self.text[max(0, a - 3):a]) is not None
            if re.search(r"\d\s*$", self.text[max(0, a - 3):a]) or (abbr in _AMBIGUOUS_ABBR and not after_comma):
                continue  # "500 B.C."; "Miss." as a title
            self._abbreviation(a, b, ABBREVIATIONS[abbr])
        for m in _BARE_ABBR_RE.finditer(self.text):
            self._abbreviation(m.start(1), m.end(1), _BARE_ABBR[m.group(1)])

    def _abbreviation(self, a: int, b: int, full_name: str) -> None:
        if not self.free(a, b) or self.full():
            return
        found = self.gaz.lookup(full_name, fuzzy=False)
        # the division; failing that its best-known reading ("D.C.": the capital)
        cands = [(e, 0) for e, _ in found if e.code == "ADM1"][:2] or [(e, 0) for e, k in found[:1] if k <= 1]
        if cands:
            self.add(a, b, "abbreviation", None, cands)

    def datelines(self) -> None:
        """A capitalised place name opening an article, line or sentence and followed by a dash or
        "(" ("BANTAM —", "LONDON, Ky. (WKYT) -"): the dateline names a place even when NER, blind to
        capitals, does not.  A small town counts when the dateline names its region or the text
        names it again."""
        for m in _DATELINE_RE.finditer(self.text):
            a, b = m.start(1), m.end(1)
            if not self.free(a, b) or self.full():
                continue
            surface = self.text[a:b]
            line_start = not self.text[max(0, a - 200):a].strip(" \t").rpartition("\n")[2].strip()
            if not (surface.isupper() or line_start):
                continue
            cands = [(e, k) for e, k in self.candidates(surface, fuzzy=False) if k <= 1 and e.feature != "region"]
            if not cands:
                continue
            again = len(re.findall(r"\b" + re.escape(surface.title()) + r"\b", self.text)) > 0
            if m.group(2) or again or any(e.population >= 10_000 or e.feature != "city" for e, _ in cands):
                self.add(a, b, "dateline", None, cands)

    def entities(self) -> None:
        """NER's places (GPE, LOC, FAC), its demonyms (NORP), and the places it mislabelled."""
        text = self.text
        for ent in self.ents:
            if self.full():
                break
            a, b = _clean(text, ent.start_char, ent.end_char)
            if b - a < 2 or not text[a].isupper() and not text[a].isdigit() or not self.free(a, b):
                continue
            surface = text[a:b]
            if ent.label_ == "NORP" and not _DASH.search(surface):
                hit = self.gaz.demonym(surface) or next(
                    (h for w in surface.split() if (h := self.gaz.demonym(w))), None)
                if hit:
                    self.add_demonym(a, b, hit)
                    continue
            if ent.label_ in ("GPE", "LOC", "FAC"):
                cands = self.candidates(surface)
                if not any(k <= 1 for _, k in cands) and (hit := self.gaz.demonym(surface)):
                    self.add_demonym(a, b, hit)
                    continue
                if ent.label_ == "FAC":
                    cands = [(e, k) for e, k in cands if k == 0 and (e.feature != "city" or e.population >= 1000)]
                if cands:
                    self.add(a, b, "ner", ent, cands)
                else:
                    self.inner(ent)
            elif ent.label_ in ("PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "NORP", "LANGUAGE", "LAW"):
                if surface.lower() in _COMMON:
                    continue
                cands = self.candidates(surface)
                is_person = ent.label_ == "PERSON" \
                    and (len(surface.split()) > 1 or surface.lower() in self.person_words) \
                    and not any(k == 0 and _feature_key(e) in ("country", "region", "admin1")  # "Burkina Faso",
                                for e, k in cands)  # "Tamil Nadu": persons to NER
                if not is_person and _strong(cands, 100_000, surface=surface):
                    self.add(a, b, "mislabel", ent, cands)
                    continue
                if not is_person and cands:
                    self.pending.append((a, b, ent, cands))
                if len(ent) > 1 and (ent.label_ != "PERSON" or _SPACED_DASH.search(surface)):
                    self.inner(ent)  # "Trump - Wisconsin" is a PERSON to NER

    def inner(self, ent: Span) -> None:
        """Places and demonyms inside a longer name: "Kentucky State Police", "CBC Toronto", "the
        Turkish Embassy", "Metcalfe County Sheriff's Office", "Turkish-Russian"."""
        doc, text = self.doc, self.text
        j = ent.start
        while j < ent.end:
            step = 1
            for n in range(min(3, ent.end - j), 0, -1):
                sub = doc[j:j + n]
                if (sub.start == ent.start and sub.end == ent.end) or not sub[0].text[:1].isupper() \
                        or not sub[-1].text[:1].isupper() or sub[0].lower_ in _COMMON:
                    continue
                a, b = sub.start_char, sub.end_char
                if not self.free(a, b):
                    continue
                hit = self.gaz.demonym(text[a:b]) if n <= 2 and sub[-1].lower_ not in DIRECTION_WORDS else None
                if hit and len(hit[0]) == 2:  # a country's, not a region's ("Southern")
                    self.add_demonym(a, b, hit)
                    step = n
                    break
                cands = _filter(text[a:b], _prune(self.gaz.lookup(text[a:b], fuzzy=False)))
                if _strong(cands, 100_000, surface=text[a:b]) or any(e.row in self.named for e, k in cands if k == 0):
                    self.add(a, b, "inner", sub, cands)
                    step = n
                    break
            j += step

    def variants(self) -> None:
        """A variant spelling of a place the document already names ("Raqa" after "Raqqa") is that place."""
        for a, b, ent, cands in self.pending:
            if self.free(a, b) and any(e.row in self.known for e, _k in cands):
                self.add(a, b, "variant", ent, [c for c in cands if c[0].row in self.known])

    def capitalised(self) -> None:
        """Capitalised words NER did not tag as places (longest n-gram first); an n-gram may swallow
        a PERSON/ORG fragment ("Dayr" of "Dayr az Zawr") but never splits an entity."""
        doc, text, toks = self.doc, self.text, self.toks
        ent_of = {}
        for ent in self.ents:
            for k in range(ent.start, ent.end):
                ent_of[k] = ent
        i = 0
        while i < len(toks) and not self.full():
            t = toks[i]
            compound = _COMPOUND_TOKEN.match(t.text)  # "U.S.-led", "Kentucky-based" as one token
            if compound and i not in ent_of and self.free(t.idx, t.idx + len(t)):
                a, b = t.idx, t.idx + compound.end(1)
                cands = self.candidates(text[a:b], fuzzy=False)
                if _strong(cands, 100_000):
                    self.add(a, b, "capitalised", doc[i:i + 1], cands)
                i += 1
                continue
            if not t.text[:1].isupper() or t.lower_ in _COMMON or not t.is_alpha \
                    or not self.free(t.idx, t.idx + len(t)) \
                    or (i in ent_of and ent_of[i].label_ in _PLACE_LABELS) or (i in ent_of and ent_of[i].start != i):
                i += 1
                continue
            step = 1
            for n in range(min(_MAX_NGRAM, len(toks) - i), 0, -1):
                span = doc[i:i + n]
                if not span[-1].text[:1].isupper() or span[-1].lower_ in _COMMON:
                    continue
                inside = {id(ent_of[k]): ent_of[k] for k in range(i, i + n) if k in ent_of}
                if any(e.start < i or e.end > i + n or e.label_ in _PLACE_LABELS for e in inside.values()):
                    continue
                if len(inside) == 1 and (e := next(iter(inside.values()))).start == i and e.end == i + n \
                        and e.label_ in _JUDGED_LABELS:
                    continue  # exactly an entity step 1 judged
                a, b = span.start_char, span.end_char
                if not self.free(a, b):
                    continue
                surface = text[a:b]
                hit = self.gaz.demonym(surface) if n <= 2 and not inside else None
                if hit and span[-1].pos_ in ("ADJ", "PROPN", "NOUN"):
                    self.add_demonym(a, b, hit)
                    step = n
                    break
                cands = self.candidates(surface)
                min_pop = 20_000 if n > 1 and " " in surface else 300_000 if t.is_sent_start or inside else 100_000
                if cands and _strong(cands, min_pop, 1 if min_pop == 20_000 else 0, surface=surface):
                    self.add(a, b, "capitalised", span, cands)
                    step = n
                    break
            i += step

    def before_containers(self) -> None:
        """"Churchill, Man.", "Holliday, Missouri": a capitalised name right before ", <division or
        country>" is a place when the gazetteer has one by that name inside it, however small."""
        doc, text = self.doc, self.text
        by_end = {t.idx + len(t): t.i for t in self.toks}
        person = {k: ent for ent in self.ents if ent.label_ == "PERSON" for k in range(ent.start, ent.end)}
        for m in list(self.mentions):
            if self.full():
                break
            tops = [e for e, k in m.cands[:2] if _feature_key(e) in ("admin1", "country") and k <= 1]
            comma = re.search(r"(\w)(,\s*)$", text[max(0, m.start - 4):m.start])
            if not tops or comma is None:
                continue
            end = m.start - len(comma.group(2))
            last = by_end.get(end)
            if last is None:
                continue
            for n in (3, 2, 1):
                first = last - n + 1
                if first < 0 or any(not (doc[k].text[:1].isupper() or doc[k].text in ("-", "'"))
                                    for k in range(first, last + 1)):
                    continue
                # a person's name only when NER's PERSON is exactly this name ("Klamath Falls, Oregon")
                whole_person = first in person and person[first].start == first and person[first].end == last + 1
                if any(k in person for k in range(first, last + 1)) and not whole_person:
                    continue
                a = doc[first].idx
                if not self.free(a, end) or not doc[first].text[:1].isupper():
                    continue
                every = self.candidates(text[a:end], fuzzy=False)
                cands = [(e, k) for e, k in every if k <= 1 and any(_inside(e, c) for c in tops)]
                if cands and not _strong([c for c in every if c not in cands], 100_000):
                    # (a name with a prominent reading elsewhere is more likely a list: "Russia, U.S. ...")
                    self.add(a, end, "before-container", doc[first:last + 1], cands)
                    break

    def after_prepositions(self) -> None:
        """"in Vilvoorde", "from Reading": a capitalised name after a locative preposition, however
        small the town and whatever NER called it (a lone PERSON, ORG or nothing; common words like
        "Reading" too), is a place when the gazetteer has it in a country the document already names
        (the outlet's country is not used yet): the country is the evidence that a town is meant,
        not a surname."""
        if not self.mentions:
            return
        countries = {m.cands[0][0].country_code for m in self.mentions if m.cands}
        multi_person = {k for ent in self.ents if ent.label_ == "PERSON" and len(ent) > 1
                        for k in range(ent.start_char, ent.end_char)}
        for m in _AFTER_PREPOSITION.finditer(self.text):
            if self.full():
                break
            a = m.start(1)
            words = m.group(1).split()
            for n in range(len(words), 0, -1):
                b = a + len(" ".join(words[:n]))
                b = _clean(self.text, a, b)[1]
                if b <= a or not self.free(a, b) or a in multi_person or words[0].lower() in _CALENDAR:
                    continue
                cands = [(e, k) for e, k in self.candidates(self.text[a:b], fuzzy=False)
                         if k <= 1 and e.country_code in countries and e.feature in ("city", "admin")
                         and (e.feature == "admin" or e.population >= 1000)]
                if cands:
                    self.add(a, b, "after-preposition", None, cands)
                    break

    def again(self) -> None:
        """One sense per discourse: a name the document already uses for a place is that place
        wherever else it stands ("State of Tamil Nadu" ... "Tamil Nadu said"), unless it is part of
        a longer person's name there or a word of some person's name ("Jordan" of "Michael Jordan")."""
        seen: dict[str, _Mention] = {}
        for m in self.mentions:
            if m.text[:1].isupper() and len(m.text) > 2 and m.text.lower() not in self.person_words \
                    and m.text.lower() not in _COMMON:
                seen.setdefault(m.text, m)
        if not seen:
            return
        person = [(ent.start_char, ent.end_char) for ent in self.ents if ent.label_ == "PERSON"]
        pattern = re.compile(r"(?<![\w.-])(" + "|".join(re.escape(t) for t in sorted(seen, key=len, reverse=True))
                             + r")(?![\w-])")
        for hit in pattern.finditer(self.text):
            a, b = hit.span()
            if self.full():
                break
            if not self.free(a, b) or any(pa <= a and b <= pb and (pa, pb) != (a, b) for pa, pb in person):
                continue
            first = seen[hit.group(1)]
            self.add(a, b, "again", self.doc.char_span(a, b), first.cands)


def _link_containers(mentions: list[_Mention], text: str) -> None:
    """"Paris, Texas": the mention right after a comma is the first one's container — unless the
    first names a country ("Russia, U.S. officials said" is a list)."""
    for x, y in zip(mentions, mentions[1:]):
        gap = text[x.end:y.start]
        if re.fullmatch(r"\s*,\s*", gap) and not any(e.feature == "country" and k <= 1 for e, k in x.cands):
            x.container = y


def _inside(e: Entry, container: Entry) -> bool:
    fk = _feature_key(container)
    if fk == "country":
        return e.country_code == container.country_code and e.place_id != container.place_id
    if fk == "admin1":
        return e.admin1 == container.admin1 and e.place_id != container.place_id
    if fk == "region":
        return bool(e.country_code) and e.country_code in container.members.split(",")
    if fk == "admin2":
        return e.feature == "city" and e.admin1 == container.admin1 and \
            haversine_km(e.lat, e.lon, container.lat, container.lon) < 80
    return False


def _rank(mentions: list[_Mention], source_country: str | None) -> None:
    """Pick each mention's reading: round 1 scores every name alone, rounds 2 and 3 add what the
    document's other names currently read as (never a name's own mentions)."""
    if not mentions:
        return
    # one sense per discourse: mentions with the same name share a reading (unless a "City, Region"
    # pattern says otherwise for that mention)
    groups: dict[str, list[_Mention]] = defaultdict(list)
    for m in mentions:
        groups[norm_key(m.text)].append(m)
    contained: dict[int, list[_Mention]] = defaultdict(list)  # container -> the names it contains
    for m in mentions:
        if m.container is not None:
            contained[id(m.container)].append(m)
    base = {id(m): [_base_score(e, k) + (W_METONYMY if _is_metonymy(m.span, e) else 0.0)
                    + (W_SOURCE if source_country and e.country_code == source_country else 0.0)
                    + _pattern_bonus(m, e, contained.get(id(m), [])) for e, k in m.cands]
            for m in mentions}
    for m in mentions:
        _pick(m, base[id(m)])
    for _round in range(ROUNDS):
        ctx = {key: _Context.of(ms) for key, ms in groups.items()}
        total = _Context.total(ctx.values())
        for key, ms in groups.items():
            others = total.without(ctx[key])
            anchor = {m.winner.row for m in ms if m.container is not None and m.winner is not None
                      and _pattern_bonus(m, m.winner, []) > 0}
            first_rows = [e.row for e, _ in ms[0].cands]
            same = [m for m in ms if m.container is None and [e.row for e, _ in m.cands] == first_rows]
            for m in ms:
                rival = any(e.feature == "country" for e, _k in m.cands)
                scores = [b + others.bonus(e, rival) + (W_PATTERN if m.container is None and anchor == {e.row} else 0.0)
                          for (e, _k), b in zip(m.cands, base[id(m)])]
                _pick(m, scores)
            if len(same) > 1:  # same name, same candidates: one reading, from the evidence of all of them
                avg = [sum(col) / len(same) for col in zip(*(m.scores for m in same))]
                for m in same:
                    _pick(m, avg)


def _pattern_bonus(m: _Mention, e: Entry, inner: list[_Mention]) -> float:
    """"Paris, Texas": a reading of "Paris" inside a reading of "Texas" gets W_PATTERN, and a reading
    of "Texas" (or "Georgia" of "Atlanta, Georgia") that contains a reading of the name before the
    comma gets half of it."""
    s = 0.0
    c = m.container
    if c is not None and any(_inside(e, ce) for ce, k in c.cands[:5] if k <= 2):
        s += W_PATTERN
    if any(_inside(xe, e) for x in inner for xe, k in x.cands[:5] if k <= 1):
        s += W_PATTERN / 2
    return s


def _pick(m: _Mention, scores: list[float]) -> None:
    best = max(range(len(scores)), key=scores.__getitem__)
    m.winner = m.cands[best][0]
    top = scores[best]
    m.confidence = 1.0 / sum(math.exp(s - top) for s in scores)
    m.scores = scores


@dataclass
class _Context:
    """What a set of names currently reads as: countries, first-level divisions (those named
    outright apart) and points, each weighted by the reading's confidence."""

    countries: Counter
    divisions: Counter
    named: Counter  # divisions the text names ("Missouri"), not merely implied by a town
    points: Counter  # (lat, lon) of city and second-level readings

    @classmethod
    def of(cls, ms: list[_Mention]) -> "_Context":
        ctx = cls(Counter(), Counter(), Counter(), Counter())
        for m in ms:
            e = m.winner
            if e is None:
                continue
            w = 0.5 + 0.5 * m.confidence
            fk = _feature_key(e)
            for cc in (e.members.split(",") if fk == "region" else [e.country_code]):
                if cc:
                    ctx.countries[cc] += 0.5 * w if fk == "region" else w
            if e.admin1:
                ctx.divisions[e.admin1] += w
                if fk == "admin1":
                    ctx.named[e.admin1] += w
            if e.feature in ("city", "admin") and e.code != "ADM1":
                ctx.points[(e.lat, e.lon)] += 1
        return ctx

    @classmethod
    def total(cls, parts) -> "_Context":
        out = cls(Counter(), Counter(), Counter(), Counter())
        for p in parts:
            out.add(p, 1.0)
        return out

    def _fields(self) -> tuple[Counter, Counter, Counter, Counter]:
        return self.countries, self.divisions, self.named, self.points

    def add(self, other: "_Context", sign: float) -> None:
        for mine, theirs in zip(self._fields(), other._fields()):
            for k, v in theirs.items():
                mine[k] += sign * v

    def without(self, own: "_Context") -> "_Context":
        """This context less ``own`` (float residues of added-and-removed weights count as none)."""
        def minus(a: Counter, b: Counter) -> Counter:
            return Counter({k: v - b.get(k, 0) for k, v in a.items() if v - b.get(k, 0) > 1e-6})

        return _Context(*(minus(a, b) for a, b in zip(self._fields(), own._fields())))

    def bonus(self, e: Entry, country_rival: bool = False) -> float:
        """The context score of reading ``e``; ``country_rival``: the name also reads as a country
        ("Georgia"), when a division of a country the text is about counts double."""
        s = 0.0
        fk = _feature_key(e)
        cc = self.countries.get(e.country_code or "", 0)
        if cc > 0:
            weight = 2.0 if country_rival and fk == "admin1" else 1.0
            s += 0.5 if fk == "country" else weight * W_COUNTRY_CTX * min(1.0, 0.5 + 0.5 * cc)
        if e.admin1 and fk != "admin1" and self.divisions.get(e.admin1, 0) > 0:
            s += max(W_ADMIN_CTX * min(1.0, 0.5 + 0.5 * self.divisions[e.admin1]),
                     W_NAMED_ADMIN if self.named.get(e.admin1, 0) > 0 else 0.0)
        if fk in ("city", "admin2", "admin1") and self.points:
            d = min(haversine_km(e.lat, e.lon, la, lo) for la, lo in islice(self.points, 200))
            s += next((bonus for limit, bonus in NEAR if d < limit), 0.0)
        return s


_NOT_COUNTRIES = {"com", "org", "net", "edu", "gov", "info", "biz", "tv", "io", "co", "me", "ly", "fm", "us"}


def source_country_of(url_or_domain: str | None) -> str | None:
    """Country of an outlet from its country-code TLD ("https://www.cbc.ca/news" -> "CA");
    None for generic domains (.com, .org, and .us/.tv/.io, which are used as generic)."""
    if not url_or_domain:
        return None
    host = url_or_domain.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    tld = host.strip().lower().rstrip(".").rsplit(".", 1)[-1]
    if tld == "uk":
        return "GB"
    if len(tld) == 2 and tld.isalpha() and tld not in _NOT_COUNTRIES:
        return tld.upper()
    return None

