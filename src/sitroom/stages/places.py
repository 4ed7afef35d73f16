"""Place mentions: found, resolved to the gazetteer, with the country and coordinates.

Three steps (docs/places.md has the details and the measured accuracy):

1. **Recognition.**  spaCy's GPE/LOC/FAC entities, plus capitalised words NER missed or mislabelled
   (PERSON/ORG) when they name a country, a first-level division, a curated region or a city big
   enough not to be a surname; US/Canadian postal abbreviations after a comma ("Paris, Tex.").
   Demonyms ("French", "Iraqis") are linked to their country but kept apart: they are not places.
2. **Candidates.**  Every gazetteer record under the mention's exact, transliteration-tolerant or
   (last resort) consonant-skeleton key.
3. **Ranking.**  A linear score: log population, feature class (country > region > admin1 > city),
   how closely the name matched, the "City, Region" pattern, agreement with the other places of the
   document (their countries, first-level divisions and distance), and the source's country.  Two
   rounds: the first picks each mention's best reading alone, the second re-scores with the others'
   readings as context.  ``confidence`` is the softmax probability of the winner.

Metonymy ("Moscow said", "Washington warned"): a country or capital that is the subject of a
speech or decision verb is flagged; it still resolves to the place.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from ..geo.gazetteer import Entry, Gazetteer, haversine_km, load, norm_key


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
                      + r")(?=[\s,;:)\"'’]|$)")
_GENERIC_TAIL = re.compile(r"\s+(?:province|governorate|region|city|state|district|town|village|area|"
                           r"prefecture|oblast|county)$", re.I)
_GENERIC_HEAD = re.compile(r"^(?:city of|province of|state of|town of|village of|northern|southern|eastern|"
                           r"western|central|north|south|east|west|greater|downtown|rural|metro)\s+", re.I)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_LEADING_THE = re.compile(r"^the\s+", re.I)
#: Capitalised words that are common English words, titles or months: never matched outside NER.
_COMMON = set("""
i a an the this that these those he she it we they my our your his her its their mr mrs ms dr st mt
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday god christmas easter
reading nice bath mobile university college school hospital church street road avenue park
""".split())

_PLACE_LABELS = ("GPE", "LOC", "FAC", "NORP")
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
W_PATTERN = 5.0
W_COUNTRY_CTX = 1.5
W_ADMIN_CTX = 1.5
W_SOURCE = 1.0
NEAR = ((50.0, 1.5), (150.0, 1.0), (400.0, 0.5))


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
            twin = next((c for c in cities if c.country_code == e.country_code and norm_key(c.name) == norm_key(e.name)
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
        out.append((e, k))
    return out


def _strong(cands: list[tuple[Entry, int]], min_city_pop: int, max_kind: int = 0) -> bool:
    """A name outside NER's place labels counts as a place only when it is a country (any of its
    names), a division or region by its main name, or a big city by its main name."""
    for e, k in cands:
        fk = _feature_key(e)
        if fk == "country" and k <= 1:
            return True
        if fk == "admin1" and k <= max_kind:
            return True
        if fk == "region" and e.prior >= 2 and k <= 1:
            return True
        if fk == "city" and k <= max_kind and e.population >= min_city_pop:
            return True
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
    gaz = gazetteer or load()
    text = doc.text
    source_country = (source_country or "").upper() or None
    mentions: list[_Mention] = []
    demonyms: list[Demonym] = []
    taken = bytearray(len(text) + 1)  # characters already inside a place or demonym

    def free(a: int, b: int) -> bool:
        return not any(taken[a:b])

    def take(a: int, b: int) -> None:
        taken[a:b] = b"\x01" * (b - a)

    def add_demonym(a: int, b: int, hit) -> None:
        code, e = hit
        cc = code if len(code) == 2 else e.country_code
        demonyms.append(Demonym(text[a:b], a, b, cc, e.place_id, e.name, e.lat, e.lon))
        take(a, b)

    def candidates(surface: str) -> list[tuple[Entry, int]]:
        c = gaz.lookup(surface)
        if not c:
            alt = _GENERIC_HEAD.sub("", _GENERIC_TAIL.sub("", surface))
            if alt and alt != surface:
                c = gaz.lookup(alt)
        return _filter(surface, _prune(c))

    pending: list = []  # mislabelled names too weak alone: kept if the document names the place
    person_words = set()  # words of multi-word person names: "Georgia" of "Georgia Smith" is a person
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent.text.split()) > 1:
            person_words.update(w.lower() for w in ent.text.split())

    def inner(ent: Span) -> None:
        """Places inside a longer name: "Kentucky State Police", "CBC Toronto", "Far North Queensland"."""
        j = ent.start
        while j < ent.end:
            done = False
            for n in range(min(3, ent.end - j), 0, -1):
                sub = doc[j:j + n]
                if (sub.start == ent.start and sub.end == ent.end) or not sub[0].text[:1].isupper() \
                        or not sub[-1].text[:1].isupper() or sub[0].lower_ in _COMMON:
                    continue
                a, b = sub.start_char, sub.end_char
                if not free(a, b):
                    continue
                cands = _filter(text[a:b], _prune(gaz.lookup(text[a:b], fuzzy=False)))
                if _strong(cands, 100_000):
                    mentions.append(_Mention(a, b, text[a:b], "inner", sub, cands))
                    take(a, b)
                    j += n
                    done = True
                    break
            if not done:
                j += 1

    # 0. state and province abbreviations NER tagged ("Mo.", "B.C.")
    # 1. NER's places, and its mislabelled ones
    for ent in doc.ents:
        if len(mentions) >= _MAX_MENTIONS:
            break
        a, b = _clean(text, ent.start_char, ent.end_char)
        if b - a < 2 or not text[a].isupper() and not text[a].isdigit():
            continue
        surface = text[a:b]
        if surface in ABBREVIATIONS:
            continue  # step 3 reads it
        if ent.label_ == "NORP":
            hit = gaz.demonym(surface) or next((gaz.demonym(w) for w in surface.split() if gaz.demonym(w)), None)
            if hit and free(a, b):
                add_demonym(a, b, hit)
                continue
        if ent.label_ in ("GPE", "LOC", "FAC"):
            cands = candidates(surface)
            if not any(k <= 1 for _, k in cands) and (hit := gaz.demonym(surface)):
                add_demonym(a, b, hit)
                continue
            if ent.label_ == "FAC":
                cands = [(e, k) for e, k in cands if k == 0 and (e.feature != "city" or e.population >= 1000)]
            if cands and free(a, b):
                mentions.append(_Mention(a, b, surface, "ner", ent, cands))
                take(a, b)
            elif not cands:
                inner(ent)
        elif ent.label_ in ("PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "NORP", "LANGUAGE"):
            if surface.lower() in _COMMON:
                continue
            cands = candidates(surface)
            is_person_word = ent.label_ == "PERSON" and (len(surface.split()) > 1 or surface.lower() in person_words) \
                and not any(k == 0 and e.feature in ("country", "region") for e, k in cands)  # "Burkina Faso"
            if not is_person_word and _strong(cands, 100_000) and free(a, b):
                mentions.append(_Mention(a, b, surface, "mislabel", ent, cands))
                take(a, b)
            else:
                if not is_person_word and cands:
                    pending.append((a, b, surface, ent, cands))
                if ent.label_ not in ("PERSON",) and len(ent) > 1:
                    inner(ent)

    # a variant spelling of a place the document already names ("Raqa" after "Raqqa") is that place
    known = {e.row for m in mentions for e, k in m.cands[:3] if k <= 1}
    for a, b, surface, ent, cands in pending:
        if free(a, b) and any(e.row in known for e, _k in cands):
            mentions.append(_Mention(a, b, surface, "variant", ent, [c for c in cands if c[0].row in known]))
            take(a, b)

    # 2. capitalised words NER did not tag as places (longest n-gram first); an n-gram may swallow
    #    a PERSON/ORG fragment ("Dayr" of "Dayr az Zawr") but never splits an entity
    toks = list(doc)
    ent_of = {}
    for ent in doc.ents:
        for k in range(ent.start, ent.end):
            ent_of[k] = ent
    i = 0
    while i < len(toks) and len(mentions) < _MAX_MENTIONS:
        t = toks[i]
        if not t.text[:1].isupper() or t.lower_ in _COMMON or not t.is_alpha or not free(t.idx, t.idx + len(t)) \
                or (i in ent_of and ent_of[i].label_ in _PLACE_LABELS) or (i in ent_of and ent_of[i].start != i):
            i += 1
            continue
        matched = False
        for n in range(min(_MAX_NGRAM, len(toks) - i), 0, -1):
            span = doc[i:i + n]
            if not span[-1].text[:1].isupper() or span[-1].lower_ in _COMMON:
                continue
            inner = {id(ent_of[k]): ent_of[k] for k in range(i, i + n) if k in ent_of}
            if any(e.start < i or e.end > i + n or e.label_ in _PLACE_LABELS for e in inner.values()):
                continue
            if len(inner) == 1 and next(iter(inner.values())).start == i and next(iter(inner.values())).end == i + n:
                continue  # exactly an entity: step 1 judged it
            a, b = span.start_char, span.end_char
            if not free(a, b):
                continue
            surface = text[a:b]
            hit = gaz.demonym(surface) if n <= 2 and not inner else None
            if hit and span[-1].pos_ in ("ADJ", "PROPN", "NOUN"):
                add_demonym(a, b, hit)
                i += n
                matched = True
                break
            cands = candidates(surface)
            min_pop = 20_000 if n > 1 and " " in surface else 300_000 if t.is_sent_start or inner else 100_000
            if cands and _strong(cands, min_pop, 1 if min_pop == 20_000 else 0):
                mentions.append(_Mention(a, b, surface, "capitalised", span, cands))
                take(a, b)
                i += n
                matched = True
                break
        if not matched:
            i += 1

    # 3. state and province abbreviations ("Paris, Tex.", "Edmonton, Alta.")
    for m in _ABBR_RE.finditer(text):
        a, b = m.start(1), m.end(1)
        if not free(a, b):
            continue
        abbr = m.group(1)
        after_comma = re.search(r"\w,\s*$", text[max(0, a - 3):a]) is not None
        if re.search(r"\d\s*$", text[max(0, a - 3):a]):
            continue  # "500 B.C."
        if abbr in _AMBIGUOUS_ABBR and not after_comma:
            continue
        cands = [(e, 0) for e, _ in gaz.lookup(ABBREVIATIONS[abbr], fuzzy=False) if e.code == "ADM1"]
        if cands:
            mentions.append(_Mention(a, b, abbr, "abbreviation", None, cands[:2]))
            take(a, b)

    mentions.sort(key=lambda m: m.start)
    _link_containers(mentions, text)
    _rank(mentions, source_country)

    places = []
    for m in mentions:
        e = m.winner
        if e is None or m.text.lower() in DIRECTION_WORDS:
            continue
        places.append(Place(m.text, m.start, m.end, e.place_id, e.name, e.country_code, round(e.lat, 5),
                            round(e.lon, 5), e.feature, round(m.confidence, 3), _is_metonymy(m.span, e)))
    demonyms.sort(key=lambda d: d.start)
    return places, demonyms


def _link_containers(mentions: list[_Mention], text: str) -> None:
    """"Paris, Texas": the mention right after a comma is the first one's container."""
    for x, y in zip(mentions, mentions[1:]):
        gap = text[x.end:y.start]
        if re.fullmatch(r"\s*,\s*", gap):
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
    if not mentions:
        return
    # one sense per discourse: mentions with the same name share a reading (unless a "City, Region"
    # pattern says otherwise for that mention)
    groups: dict[str, list[_Mention]] = defaultdict(list)
    for m in mentions:
        groups[norm_key(m.text)].append(m)
    base = {id(m): [_base_score(e, k) + (W_METONYMY if _is_metonymy(m.span, e) else 0.0) for e, k in m.cands]
            for m in mentions}

    def pattern_bonus(m: _Mention, e: Entry) -> float:
        c = m.container
        if c is None or not c.cands:
            return 0.0
        return W_PATTERN if any(_inside(e, ce) for ce, k in c.cands[:5] if k <= 2) else 0.0

    def pick(m: _Mention, scores: list[float]) -> None:
        best = max(range(len(scores)), key=scores.__getitem__)
        m.winner = m.cands[best][0]
        top = scores[best]
        z = sum(math.exp(s - top) for s in scores)
        m.confidence = 1.0 / z
        m.scores = scores

    # round 1: each mention alone (with its own "City, Region" pattern and the source country)
    for m in mentions:
        scores = [b + pattern_bonus(m, e) + (W_SOURCE if source_country and e.country_code == source_country else 0)
                  for (e, _), b in zip(m.cands, base[id(m)])]
        pick(m, scores)

    for _round in range(2):
        # context from the other names' current readings, weighted by their confidence
        ctx_cc: dict[str, Counter] = {}
        ctx_adm: dict[str, Counter] = {}
        points: dict[str, list[tuple[float, float]]] = {}
        all_cc: Counter = Counter()
        all_adm: Counter = Counter()
        for key, ms in groups.items():
            cc_c, adm_c, pts = Counter(), Counter(), []
            for m in ms:
                e = m.winner
                if e is None:
                    continue
                w = 0.5 + 0.5 * m.confidence
                for cc in (e.members.split(",") if _feature_key(e) == "region" else [e.country_code]):
                    if cc:
                        cc_c[cc] += w if _feature_key(e) != "region" else 0.5 * w
                if e.admin1:
                    adm_c[e.admin1] += w
                if e.feature in ("city", "admin") and e.code != "ADM1":
                    pts.append((e.lat, e.lon))
            ctx_cc[key], ctx_adm[key], points[key] = cc_c, adm_c, pts
            all_cc.update(cc_c)
            all_adm.update(adm_c)
        for key, ms in groups.items():
            cc_c = all_cc - ctx_cc[key]
            adm_c = all_adm - ctx_adm[key]
            pts = [p for k2, ps in points.items() if k2 != key for p in ps][:200]
            shared: list[float] | None = None
            for m in ms:
                scores = []
                for (e, _k), b in zip(m.cands, base[id(m)]):
                    s = b + pattern_bonus(m, e)
                    if source_country and e.country_code == source_country:
                        s += W_SOURCE
                    fk = _feature_key(e)
                    if e.country_code and cc_c.get(e.country_code, 0) > 0 and fk != "country":
                        s += W_COUNTRY_CTX * min(1.0, 0.5 + 0.5 * cc_c[e.country_code])
                    elif fk == "country" and cc_c.get(e.country_code or "", 0) > 0:
                        s += 0.5
                    if e.admin1 and fk != "admin1" and adm_c.get(e.admin1, 0) > 0:
                        s += W_ADMIN_CTX * min(1.0, 0.5 + 0.5 * adm_c[e.admin1])
                    if fk in ("city", "admin2", "admin1") and pts:
                        d = min(haversine_km(e.lat, e.lon, la, lo) for la, lo in pts)
                        for limit, bonus in NEAR:
                            if d < limit:
                                s += bonus
                                break
                    scores.append(s)
                if m.container is None and [e.row for e, _ in m.cands] == [e.row for e, _ in ms[0].cands]:
                    # same name, same reading: sum the evidence over the group's mentions
                    shared = scores if shared is None else [x + y for x, y in zip(shared, scores)]
                pick(m, scores)
            if shared is not None and len(ms) > 1:
                same = [m for m in ms if m.container is None
                        and [e.row for e, _ in m.cands] == [e.row for e, _ in ms[0].cands]]
                avg = [s / len(same) for s in shared]
                for m in same:
                    if True:
                        pick(m, avg)


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

