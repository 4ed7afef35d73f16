"""Claims: figures from many articles that estimate the same quantity, as one record.

"About 5,000 foreign fighters fled" (Atlas Wire), "4,000 to 6,000" (Meridian Post) and "some
7,500" (a think tank via CPA) are one claim with three values that do not agree; "thousands of
civilians displaced" in the same articles is another.  Two figures can be one claim when

* **what they count is the same**: equal unit and kind, and the same head noun after folding
  plurals and a small lexicon of synonyms reporters alternate between (``HEAD_CLASSES``:
  fighters / militants / jihadists; nationals / citizens / "Europeans").  A generic head
  ("people", "lives", or no subject at all) may join any head; one claim never mixes two
  specific heads.  Modifiers are compatible when one set holds the other ("fighters" ~
  "foreign fighters");
* **place and time fit**: the place named nearest the figure in its sentence does not conflict
  (different countries, or towns more than ``PLACE_KM`` apart; a region is compared by distance
  only), and all members lie within ``WINDOW_DAYS`` (one year) of each other.  A figure's time
  is its article's date, or the year its sentence names ("the battle for Baghuz in 2019, when
  hundreds of fighters vanished"), so a 2016 and a 2024 estimate never join;
* **the values are of one order**: every member's plausible range (see ``effective_range``)
  lies within a factor ``VALUE_GAP`` (3) of every other's — "a few hundred" of a group is a
  different quantity from the 5,000 who fled;
* **the evidence is enough** (``_evidence``): sentence similarity (TF-IDF cosine of content
  words) plus fixed ``WEIGHTS`` for a compatible subject, the same town, a compatible named
  place, the same exact value and a shared name must reach ``LINK``.  The weights are round
  numbers chosen so that no single weak signal (the same subject, the same number) links two
  figures alone; on the development set F1 moves between 0.88 and 0.94 over a grid around
  them (``evaluation/devset_links.py``), so they are not tuned to a knife edge.

Pairs are merged strongest evidence first, and every merge checks the place, time, head and
value constraints against the whole cluster through small summaries, so no chain of pairwise
links can join a 2016 estimate to a 2024 one or a Mosul count to a Libya count.

Blocking: candidates share (unit, kind) and a word of their sentences or the same value
(inverted index, at most ``POSTING_CAP`` entries per posting, best ``TOP_K`` verified), so
the pass is near-linear.  Ids are hashes of the earliest member, as for statements.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import duckdb

from .statements import stable_id

WINDOW_DAYS = 366
PLACE_KM = 400.0
REGION_KM = 1500.0
VALUE_GAP = 3.0
SIMILAR = 0.35
LINK = 0.45
WEIGHTS = {"subject": 0.25, "same_place": 0.25, "near_place": 0.15, "same_value": 0.2, "shared_name": 0.1}
POSTING_CAP = 48
TOP_K = 24
#: Sentence words per figure used as blocking keys (its rarest ones, plus the value).
RARE_KEYS = 12

#: Heads reporters use interchangeably for one counted group (singular forms).
HEAD_CLASSES = {
    "fighter": "fighter", "militant": "fighter", "jihadist": "fighter", "jihadi": "fighter",
    "combatant": "fighter", "insurgent": "fighter", "extremist": "fighter", "terrorist": "fighter",
    "national": "national", "citizen": "national", "passport": "national",
    "troop": "troop", "soldier": "troop", "servicemember": "troop",
    "civilian": "civilian", "resident": "civilian", "inhabitant": "civilian",
    "refugee": "refugee", "migrant": "refugee",
    "death": "*", "life": "*", "people": "*", "person": "*", "individual": "*", "victim": "*",
    "casualty": "*", "fatality": "*", "body": "*",
}
_IRREGULAR = {"people": "people", "men": "man", "women": "woman", "children": "child", "lives": "life"}
_STOP = frozenset("""a an the of in on at to for from by with and or but as is are was were be been being has
have had that which who whom this these those it its their they them he she his her we our us i you not no
said says say told according some about around more than less at least up nearly almost over per since after
before during into out will would could may might can also all any each other such only just then there
here one two three four five six seven eight nine ten hundred hundreds thousand thousands million
millions dozen dozens estimated estimate""".split())
_WORD = re.compile(r"[^\W\d_]+")
_NAME = re.compile(r"(?<=\s)[A-Z][^\W\d_]+")  # a capitalised word inside the sentence: a name
_SENT_END = re.compile(r"[.!?][\"'”’»)]*\s+|\n")
_POSSESSIVE = re.compile(r"['’]s\s+[A-Z]")  # "Iraq's Joint Operations Command" names a body
_YEAR = re.compile(r"^(\d{4})")
_SINCE = re.compile(r"\b(since|from|until|till|before)\s+(the\s+)?(end\s+of\s+|mid-?|early\s+|late\s+)?$", re.I)
_PARTITIVE_OF_PRONOUN = re.compile(r"^\s*of\s+(them|those|whom|these)\b", re.I)
_APPROX = ("about", "around", "roughly", "some", "estimated", "approximately", "close to", "potentially")
_LOWER = ("at least", "more than", "over", "upwards of", "in excess of")
_UPPER = ("up to", "fewer than", "less than", "at most", "under", "no more than")
_VAGUE = ("dozens", "hundreds", "thousands", "millions", "few", "several", "tens of")


def rows_for_claims(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every figure with its sentence, its article's date and source, the places the article
    names, the nearest place named in the figure's own sentence, the year that sentence names
    (``sentence_year``) when it names one other than the article's, and the text right after
    the figure (``after``: "of them" there means the subject is not the one before)."""
    figs = _by_doc(con, 'SELECT document_id, start, "end", text, value, low, high, unit, subject, qualifier, kind '
                        'FROM figures QUALIFY row_number() OVER (PARTITION BY document_id, start, "end" '
                        "ORDER BY subject NULLS LAST) = 1 "  # one row per span, as for quotes
                        "ORDER BY document_id, start, \"end\"")
    places = _by_doc(con, 'SELECT m.document_id, m.start, m."end", m.place_id, p.country_code, p.lat, p.lon, '
                          "p.feature FROM place_mentions m JOIN places p ON p.id = m.place_id "
                          "WHERE NOT m.metonymy ORDER BY m.document_id, m.start")
    dates = _by_doc(con, "SELECT document_id, start, value FROM dates WHERE kind = 'date' AND value IS NOT NULL "
                         "ORDER BY document_id, start")
    out: list[dict] = []
    cur = con.execute("SELECT id, text, published, source FROM documents WHERE id IN "
                      "(SELECT DISTINCT document_id FROM figures) ORDER BY id")
    while batch := cur.fetchmany(256):
        for doc_id, text, published, source in batch:
            doc_places = [p for p in places.get(doc_id, []) if not _POSSESSIVE.match(text, p["end"])]
            place_ids = list(dict.fromkeys(p["place_id"] for p in doc_places))
            for f in figs[doc_id]:
                left, right = _sentence_bounds(text, f["start"], f["end"])
                near = [p for p in doc_places if p["start"] >= left and p["end"] <= right]
                place = min(near, key=lambda p: abs(p["start"] - f["start"]), default=None)
                out.append({
                    **f,
                    "sentence": " ".join(text[left:right].split()),
                    "sentence_start": left,
                    "after": text[f["end"]:f["end"] + 20],
                    "published": published,
                    "source": source,
                    "place_ids": place_ids,
                    "place_id": place and place["place_id"],
                    "place": place and {k: place[k] for k in ("place_id", "country_code", "lat", "lon", "feature")},
                    "sentence_year": _sentence_year(text, left, right, dates.get(doc_id, []), published),
                })
    return out


def _by_doc(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, list[dict]]:
    cur = con.execute(sql)
    names = [c[0] for c in cur.description]
    out: dict[str, list[dict]] = defaultdict(list)
    for r in cur.fetchall():
        row = dict(zip(names, r))
        out[row["document_id"]].append(row)
    return out


def _sentence_bounds(text: str, start: int, end: int, limit: int = 600) -> tuple[int, int]:
    """Offsets of the sentence around text[start:end] (same rule as ``queries.sentence_around``)."""
    left = max(0, start - limit)
    for m in _SENT_END.finditer(text, left, start):
        left = m.end()
    m = _SENT_END.search(text, end, min(len(text), end + limit))
    return left, (m.start() + 1 if m else min(len(text), end + limit))


def _sentence_year(text: str, left: int, right: int, dates: list[dict], published: str | None) -> int | None:
    """The year the sentence dates its facts to, when it names one other than the article's:
    "in 2019" counts, "since 2014" (the start of a period still running) does not."""
    own = int(published[:4]) if published and published[:4].isdigit() else None
    for d in dates:
        m = _YEAR.match(str(d["value"]))
        if left <= d["start"] < right and m and int(m.group(1)) != own \
                and not _SINCE.search(text[max(left, d["start"] - 25):d["start"]]):
            return int(m.group(1))
    return None


# -- what is counted -----------------------------------------------------------------------------

def _singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "is", "us")) and len(word) > 3:
        return word[:-1]
    return word


def head_and_modifiers(subject: str | None, sentence: str = "") -> tuple[str, frozenset[str]]:
    """("fighter", {"foreign"}) for "foreign fighters"; a capitalised plural head in the
    sentence is a nationality ("Europeans" -> ("national", {"european"})); "*" = generic."""
    words = _WORD.findall((subject or "").lower().replace("'s", ""))
    if not words:
        return "*", frozenset()
    head = _singular(words[-1])
    mods = {_singular(w) for w in words[:-1] if w not in _STOP}
    if head not in HEAD_CLASSES:
        m = re.search(rf"\b{re.escape(words[-1].capitalize())}\b", sentence)
        if m and m.start() > 0:  # "Europeans" mid-sentence: a nationality, not a sentence start
            mods.add(head)
            head = "national"
    return HEAD_CLASSES.get(head, head), frozenset(mods)


def effective_range(f: dict) -> tuple[float, float]:
    """The values a figure allows: "about" ±10 %, "at least" unbounded above, "up to" from 0,
    "nearly" the last 10 % below, vague counts ("hundreds") up to ten times the number."""
    lo, hi = f.get("low"), f.get("high")
    if lo is None or hi is None:
        lo = hi = f.get("value")
    if lo is None:
        return (-math.inf, math.inf)
    q = (f.get("qualifier") or "").lower()
    if any(v in q for v in _VAGUE):
        return lo, hi * 10
    if any(q.startswith(v) for v in _LOWER):
        return lo, math.inf
    if any(q.startswith(v) for v in _UPPER):
        return 0.0, hi
    if q.startswith(("nearly", "almost")):
        return hi * 0.9, hi
    if any(v in q for v in _APPROX):
        return lo * 0.9, hi * 1.1
    return lo, hi


def _distance_km(a: dict, b: dict) -> float:
    if None in (a.get("lat"), a.get("lon"), b.get("lat"), b.get("lon")):
        return 0.0
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dl = math.radians(b["lon"] - a["lon"])
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, c)))


def places_compatible(a: dict | None, b: dict | None) -> bool:
    """Unknown fits anything; different countries conflict; within a country a country-level
    mention fits any place in it and two towns must be within PLACE_KM; regions (no country)
    must be within REGION_KM."""
    if not a or not b or a["place_id"] == b["place_id"]:
        return True
    ca, cb = a.get("country_code"), b.get("country_code")
    if ca and cb:
        if ca != cb:
            return False
        return "country" in (a["feature"], b["feature"]) or _distance_km(a, b) <= PLACE_KM
    return _distance_km(a, b) <= REGION_KM


# -- grouping ------------------------------------------------------------------------------------

@dataclass
class _Item:
    row: dict
    head: str
    mods: frozenset[str]
    day: float | None
    lo: float
    hi: float
    crowded: bool = False
    tokens: dict[str, float] = field(default_factory=dict)
    names: frozenset[str] = frozenset()


@dataclass
class _Cluster:
    members: list[int]
    first_day: float | None
    last_day: float | None
    max_lo: float
    min_hi: float
    places: dict[str, dict]
    heads: set[str]


def _day(row: dict) -> float | None:
    if row.get("sentence_year"):
        return row["sentence_year"] * 365.25 + 182
    p = row.get("published") or ""
    if not p[:4].isdigit():
        return None
    month = int(p[5:7]) if p[5:7].isdigit() else 6
    day = int(p[8:10]) if p[8:10].isdigit() else 15
    return int(p[:4]) * 365.25 + (month - 1) * 30.44 + day


def _inherit_subjects(rows: list[dict]) -> list[dict]:
    """An elided noun takes the subject of the figure before it in the same sentence and unit
    ("between 3,000 and 4,000 fighters; Iraqi commanders say about 5,000"), but not across
    "of them" ("7,500 fighters ..., more than 1,300 of them European nationals") and not for
    shares ("one third of X ..., another third" are two parts of X)."""
    out, last = [], {}
    for r in sorted(rows, key=lambda r: (r["document_id"], r["start"])):
        key = (r["document_id"], r.get("sentence_start"), r.get("unit"), r.get("kind"))
        if (not r.get("subject") and key in last and r.get("sentence_start") is not None
                and r.get("kind") != "percent"):
            if not _PARTITIVE_OF_PRONOUN.match(r.get("after") or ""):
                r = {**r, "subject": last[key]}
        if r.get("subject"):
            last[key] = r["subject"]
        out.append(r)
    return out


def _features(items: list[_Item]) -> None:
    """TF-IDF vector of each sentence's content words, and the names it holds."""
    docs = [Counter(w for w in _WORD.findall(it.row.get("sentence", "").lower()) if w not in _STOP and len(w) > 2)
            for it in items]
    df = Counter(w for d in docs for w in d)
    n = len(items)
    for it, d in zip(items, docs):
        it.names = frozenset(w.lower() for w in _NAME.findall(it.row.get("sentence", ""))) - _STOP
        vec = {w: c * math.log((n + 1) / (df[w] + 0.5)) for w, c in d.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        it.tokens = {w: v / norm for w, v in vec.items()}


def _cosine(a: _Item, b: _Item) -> float:
    small, big = (a.tokens, b.tokens) if len(a.tokens) <= len(b.tokens) else (b.tokens, a.tokens)
    return sum(v * big.get(w, 0.0) for w, v in small.items())


def _evidence(a: _Item, b: _Item) -> float:
    """0 when the pair must not link, else the strength of the link (orders the merges).

    Two figures of one sentence share their sentence, so only their subjects speak: counts
    with the same (possibly inherited) subject link, shares never do ("one in twenty militants
    ..., one in ten militants" are two quantities).  Otherwise the evidence adds up: sentence
    cosine, plus ``WEIGHTS`` for a compatible subject, the same town (or a compatible named
    place), the same exact value and a shared name (a capitalised word inside both sentences:
    "Hajin", "Europol") beyond the subject; ``LINK`` is needed.  The sentence says nothing about
    a figure without a subject of its own when it holds another figure of the same unit and kind
    (``crowded``: which one is it about?).  A pair with an undated figure escapes the time
    window, so it also needs the same town or alike sentences."""
    if a.head != b.head and "*" not in (a.head, b.head):
        return 0.0
    subject_ok = a.head == b.head != "*" and (a.mods <= b.mods or b.mods <= a.mods)
    ra, rb = a.row, b.row
    if ra["document_id"] == rb["document_id"] and ra.get("sentence_start") == rb.get("sentence_start"):
        return 1.0 if subject_ok and ra.get("kind") != "percent" else 0.0
    sim = 0.0 if a.crowded or b.crowded else _cosine(a, b)
    pa, pb = ra.get("place"), rb.get("place")
    same_place = bool(pa and pb and pa["place_id"] == pb["place_id"] and pa["feature"] not in ("country", "region"))
    near_place = bool(pa and pb and not same_place and places_compatible(pa, pb))
    subject_words = a.mods | b.mods | {a.head, b.head}
    shared = any(_singular(w) not in subject_words for w in a.names & b.names)
    same_value = (ra.get("low"), ra.get("high")) == (rb.get("low"), rb.get("high"))
    score = (sim + WEIGHTS["subject"] * subject_ok + WEIGHTS["same_place"] * same_place
             + WEIGHTS["near_place"] * near_place + WEIGHTS["same_value"] * same_value
             + WEIGHTS["shared_name"] * shared)
    if (a.day is None or b.day is None) and not (same_place or sim >= SIMILAR):
        return 0.0
    return score if score >= LINK - 1e-9 else 0.0


def _fits(c: _Cluster, d: _Cluster) -> bool:
    days = [x for x in (c.first_day, c.last_day, d.first_day, d.last_day) if x is not None]
    if days and max(days) - min(days) > WINDOW_DAYS:
        return False
    lo, hi = max(c.max_lo, d.max_lo), min(c.min_hi, d.min_hi)
    if lo > 0 and hi > 0 and lo / hi > VALUE_GAP:
        return False
    if len((c.heads | d.heads) - {"*"}) > 1:
        return False
    return all(places_compatible(p, q) for p in c.places.values() for q in d.places.values())


def _candidates(items: list[_Item]) -> dict[tuple[int, int], float]:
    """Pairs sharing (unit, kind) and a rare sentence word or the value, with their evidence."""
    postings: dict[tuple, list[int]] = defaultdict(list)
    keys: list[list[tuple]] = []
    for i, it in enumerate(items):
        block = (it.row.get("unit"), it.row.get("kind"))
        ks = [(block, "w", w) for w in it.tokens] + [(block, "v", it.row.get("low"), it.row.get("high"))]
        keys.append(ks)
        for k in ks:
            postings[k].append(i)
    pairs: dict[tuple[int, int], float] = {}
    for i, ks in enumerate(keys):
        # The value and the item's rarest sentence words: common words only add work, not evidence.
        rare = [ks[-1], *sorted(ks[:-1], key=lambda k: (len(postings[k]), k))[:RARE_KEYS]]
        shared: Counter[int] = Counter()
        for k in rare:
            for j in postings[k][:POSTING_CAP]:
                if j != i:
                    shared[j] += 1
        for j, _ in heapq.nsmallest(TOP_K, shared.items(), key=lambda kv: (-kv[1], kv[0])):  # ties: stable order
            pair = (min(i, j), max(i, j))
            if pair not in pairs:
                pairs[pair] = _evidence(items[i], items[j])
    return {p: e for p, e in pairs.items() if e > 0}


def _order(r: dict) -> tuple:
    return (r.get("published") is None, r.get("published") or "", r["document_id"], r["start"], r["end"])


def _claim(members: list[dict]) -> dict:
    members = sorted(members, key=_order)
    subjects = Counter(m["subject"] for m in members if m.get("subject"))
    places = Counter(m["place_id"] for m in members if m.get("place_id"))
    ranges = [effective_range(m) for m in members]
    lows = [m["low"] if m.get("low") is not None else m.get("value") for m in members]
    highs = [m["high"] if m.get("high") is not None else m.get("value") for m in members]
    lows, highs = [x for x in lows if x is not None], [x for x in highs if x is not None]
    return {
        "id": stable_id("C", members[0]),
        "subject": subjects.most_common(1)[0][0] if subjects else None,
        "unit": members[0].get("unit"),
        "kind": members[0].get("kind"),
        "place_id": places.most_common(1)[0][0] if places else None,
        "low": min(lows) if lows else None,
        "high": max(highs) if highs else None,
        "sources": len({m.get("source") or f"document:{m['document_id']}" for m in members}),
        "agree": max(r[0] for r in ranges) <= min(r[1] for r in ranges),
        "figures": [{"document_id": m["document_id"], "start": m["start"], "end": m["end"],
                     "low": m.get("low"), "high": m.get("high"), "text": m.get("text")} for m in members],
    }


def group_claims(rows: list[dict]) -> list[dict]:
    """Every figure in exactly one claim, ordered by first appearance."""
    rows = sorted(_inherit_subjects(rows), key=_order)
    items = []
    for r in rows:
        head, mods = head_and_modifiers(r.get("subject"), r.get("sentence", ""))
        lo, hi = effective_range(r)
        items.append(_Item(r, head, mods, _day(r), lo, hi))
    _features(items)
    per_sentence = Counter((it.row["document_id"], it.row.get("sentence_start"), it.row.get("unit"),
                            it.row.get("kind")) for it in items)
    for it in items:
        it.crowded = it.head == "*" and per_sentence[(it.row["document_id"], it.row.get("sentence_start"),
                                                      it.row.get("unit"), it.row.get("kind"))] > 1
    clusters = {i: _Cluster([i], it.day, it.day, it.lo, it.hi,
                            {it.row["place"]["place_id"]: it.row["place"]} if it.row.get("place") else {},
                            {it.head}) for i, it in enumerate(items)}
    owner = list(range(len(items)))
    for (i, j), _ in sorted(_candidates(items).items(), key=lambda kv: (-kv[1], kv[0])):
        ci, cj = owner[i], owner[j]
        if ci == cj or not _fits(clusters[ci], clusters[cj]):
            continue
        keep, gone = (ci, cj) if ci < cj else (cj, ci)
        a, b = clusters[keep], clusters.pop(gone)
        days = [x for x in (a.first_day, a.last_day, b.first_day, b.last_day) if x is not None]
        a.first_day, a.last_day = (min(days), max(days)) if days else (None, None)
        a.max_lo, a.min_hi = max(a.max_lo, b.max_lo), min(a.min_hi, b.min_hi)
        a.places.update(b.places)
        a.heads |= b.heads
        a.members += b.members
        for m in b.members:
            owner[m] = keep
    return [_claim([items[m].row for m in c.members]) for _, c in sorted(clusters.items())]
