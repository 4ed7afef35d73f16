"""Named-entity mentions, resolved within one document, with aliases and roles.

spaCy's NER gives the spans.  On top of it this stage:

* trims spans to the name proper ("the EU's" -> "EU");
* reads acronym definitions ("Islamic State of Iraq and the Levant (ISIL)") and the alias file;
* resolves short forms to the full name used in the same article ("de Kerchove" -> "Gilles de
  Kerchove", "King" -> "Julian King") and finds the surname mentions NER missed;
* reads roles from titles before a name ("EU security commissioner Julian King"), appositions
  ("Hans Bonte, the mayor of Vilvoorde"), copulas ("X is an independent researcher") and
  affiliations ("Nate Rosenblatt of the New America Foundation").

Entity ids hash the label group and the normalised canonical name, so they are stable across runs
and the same name in two articles gets the same id (cross-document merging refines this later).
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice

from spacy.tokens import Doc, Span, Token

from ..schema import Alias, Mention, Role
from .aliases import AliasTable, normalise_name

#: spaCy labels that name actors, places and things; numbers and dates have their own stages.
ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
_GROUP = {"PERSON": "per", "ORG": "org", "GPE": "loc", "LOC": "loc", "FAC": "loc", "NORP": "norp"}

#: Head nouns that make a noun phrase a role (plus nouns ending in -ist, e.g. "specialist").
ROLE_NOUNS = set("""
minister commissioner coordinator mayor president spokesman spokeswoman spokesperson director member
expert researcher analyst general chief head leader official secretary ambassador envoy governor
chancellor senator lawmaker mp journalist correspondent editor professor commander colonel prosecutor
judge deputy chairman chair chairwoman counsellor councillor adviser advisor representative delegate
diplomat officer agent inspector attorney founder ceo executive manager king queen prince emir sheikh
cleric imam scholar fellow lecturer historian author reporter columnist economist strategist
premier consul lieutenant major sergeant captain admiral marshal pope bishop rabbi commissar
administrator superintendent sheriff governor-general vice-president president-elect coordinator
counterterrorism spokesmen officials ministers experts analysts researchers leaders commanders
""".split())

_ACRONYM = re.compile(r"\(([A-Z][A-Za-z&.\-]{1,11})\)")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_TITLE_WORDS = {"mr", "mrs", "ms", "dr", "prof", "gen", "maj", "brig", "col", "lt", "sgt", "capt", "sen", "rep",
                "gov", "president", "general", "brigadier", "major", "colonel", "minister", "sheikh",
                "lieutenant", "captain", "sir", "dame", "lord", "judge", "mayor", "commissioner"}
_TITLE = re.compile(r"^(?:(?:" + "|".join(sorted(_TITLE_WORDS, key=len, reverse=True)) + r")\.?\s+)+(?=[A-Z])", re.I)
_PARTICLES = {"de", "van", "von", "der", "den", "al", "el", "bin", "ibn", "da", "di", "du", "la", "le", "del"}


def entity_id(label: str, canonical: str) -> str:
    """Stable id: the same label group and normalised name always give the same id."""
    key = f"{_GROUP.get(label, 'misc')}:{normalise_name(canonical)}"
    return "E" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


@dataclass
class EntityResult:
    mentions: list[Mention] = field(default_factory=list)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # entity id -> (name, label)
    aliases: list[Alias] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)


@dataclass
class _Cand:
    start: int
    end: int
    label: str
    canonical: str = ""
    origin: str = "mention"


def extract_entities(doc: Doc, aliases: AliasTable, source: str | None = None) -> EntityResult:
    """``source`` is the article's outlet: mentions of it ("Atlas Wire", "Atlas") are that
    organisation, whatever label NER gave them."""
    text = doc.text
    cands = [_trim(text, ent) for ent in doc.ents if ent.label_ in ENTITY_LABELS]
    cands = [c for c in cands if c is not None]
    acronyms = _acronym_definitions(doc, cands)
    cands = _overlay(cands, [c for pair in acronyms for c in pair])
    _apply_aliases(cands, text, aliases)
    cands = _overlay_longer(cands, _surface_alias_hits(text, cands, aliases))
    _resolve_people(cands, text, doc)
    cands = _overlay(cands, _missed_surnames(cands, text), keep_existing=True)

    # Group into entities: canonical names decide identity; the majority label wins.
    by_canon: dict[str, list[_Cand]] = {}
    _apply_source(cands, text, source)
    for c in cands:
        canon = " ".join((c.canonical or text[c.start:c.end]).split())
        c.canonical = canon
        by_canon.setdefault(f"{_GROUP.get(c.label, 'misc')}:{normalise_name(canon)}", []).append(c)
    result = EntityResult()
    for group in by_canon.values():
        labels = Counter(c.label for c in group)
        label = max(labels, key=lambda lab: (labels[lab], -[c.label for c in group].index(lab)))
        # The name as usually written: not a dateline's capitals ("BRUSSELS" -> "Brussels").
        canon = next((c.canonical for c in group if not c.canonical.isupper()), group[0].canonical)
        eid = entity_id(label, canon)
        result.names[eid] = (canon, label)
        seen_alias = {normalise_name(canon)}
        for c in group:
            surface = text[c.start:c.end]
            result.mentions.append(Mention(surface, c.start, c.end, label, canon, eid))
            if normalise_name(surface) not in seen_alias:
                seen_alias.add(normalise_name(surface))
                result.aliases.append(Alias(eid, surface, c.origin))
    result.mentions.sort(key=lambda m: (m.start, m.end))
    result.roles = _roles(doc, result.mentions)
    return result


# -- spans --------------------------------------------------------------------------------------

def _trim(text: str, ent: Span) -> _Cand | None:
    """Drop a leading "the" or title, a trailing possessive, and anything past a line break, so
    the span is the name itself."""
    s = ent.text
    start, end = ent.start_char, ent.end_char
    if "\n" in s:  # a name never spans paragraphs: keep the first line's part
        end = start + s.index("\n")
    m = _LEADING_THE.match(s)
    if m and ent.label_ not in ("WORK_OF_ART", "LAW", "EVENT"):
        start += m.end()
    if ent.label_ == "PERSON":
        t = _TITLE.match(text[start:end])
        if t:
            start += t.end()
    tail = _POSSESSIVE.search(text[start:end])
    if tail:
        end -= len(tail.group())
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in ".)":
        end -= 1
    while start < end and not text[start].isalnum():
        start += 1
    if end - start < 2 and not text[start:end].isupper():
        return None
    if ent.label_ == "PERSON" and text[start:end].rstrip(".").lower() in _TITLE_WORDS:
        return None  # "Brig" of "Brig. Gen."
    return _Cand(start, end, ent.label_)


class _Spans:
    """Spans added in order of start, with a running maximum of their ends: "does this span
    overlap any of them?" is one binary search, so merging the thousands of candidates of a long
    article costs n log n, not n²."""

    def __init__(self, spans: list[_Cand]):
        self.starts: list[int] = []
        self.reach: list[int] = []
        for c in spans:
            self.add(c)

    def add(self, c: _Cand) -> None:
        self.starts.append(c.start)
        self.reach.append(max(c.end, self.reach[-1]) if self.reach else c.end)

    def overlaps(self, c: _Cand) -> bool:
        i = bisect_left(self.starts, c.end)  # the spans that start before c ends
        return i > 0 and self.reach[i - 1] > c.start


def _overlay(base: list[_Cand], extra: list[_Cand], keep_existing: bool = False) -> list[_Cand]:
    """Merge candidate lists without overlaps.  ``extra`` wins over overlapping ``base`` spans
    unless ``keep_existing`` (then extra only fills gaps)."""
    if not extra:
        return sorted(base, key=lambda c: c.start)
    if keep_existing:
        taken = sorted(base, key=lambda c: c.start)
        fixed, added = _Spans(taken), _Spans([])
        for c in sorted(extra, key=lambda c: c.start):
            if not fixed.overlaps(c) and not added.overlaps(c):
                taken.append(c)
                added.add(c)
        return sorted(taken, key=lambda c: c.start)
    winners = _Spans(sorted(extra, key=lambda c: c.start))
    out = [c for c in base if not winners.overlaps(c)]
    out.extend(extra)
    return sorted(out, key=lambda c: c.start)


def _overlay_longer(base: list[_Cand], extra: list[_Cand]) -> list[_Cand]:
    """Add ``extra`` spans that are at least as long as every base span they overlap (an alias-file
    hit "Islamic State of Iraq and the Levant" replaces NER's "Islamic State of Iraq" + "Levant").

    The spans are kept sorted by (start, arrival); a span can only overlap those starting at most
    the longest span's length before it, so each extra looks at its neighbours, not at all."""
    live = sorted(((c.start, i, c) for i, c in enumerate(base)), key=lambda x: x[:2])
    longest = max((c.end - c.start for c in base), default=0)
    for j, c in enumerate(extra, start=len(base)):
        lo = bisect_left(live, (c.start - longest,))
        hi = bisect_left(live, (c.end,))
        clash = [k for k in range(lo, hi) if live[k][2].end > c.start]
        if all(c.end - c.start >= live[k][2].end - live[k][2].start for k in clash):
            for k in reversed(clash):
                del live[k]
            live.insert(bisect_left(live, (c.start, j)), (c.start, j, c))
            longest = max(longest, c.end - c.start)
    return [c for _, _, c in live]


def _initials_match(acronym: str, long_form: str) -> bool:
    """"ISIL" matches "Islamic State of Iraq and the Levant"; "Europol" matches "European
    ... Police ..."-like portmanteaus: the letters appear in order, the first one first."""
    letters = [ch.lower() for ch in acronym if ch.isalpha()]
    words = [w for w in re.split(r"[\s\-]+", long_form) if w]
    if not letters or not words or letters[0] != words[0][0].lower():
        return False
    initials = "".join(w[0].lower() for w in words if w[0].isupper())
    if "".join(letters) == initials or "".join(letters) in initials:
        return True
    # subsequence of the whole long form (portmanteau acronyms such as Europol)
    it = iter(long_form.lower())
    return all(ch in it for ch in letters)


def _acronym_definitions(doc: Doc, cands: list[_Cand]) -> list[tuple[_Cand, _Cand]]:
    """"Long Name (ACR)": returns (long form, acronym) candidate pairs with one canonical."""
    text = doc.text
    pairs = []
    for m in _ACRONYM.finditer(text):
        acr = m.group(1).rstrip(".")
        open_at = m.start()
        # Long form: the capitalised words (and linking words) just before the parenthesis.
        before = text[max(0, open_at - 120):open_at].rstrip()
        words = re.findall(r"[\w'’.\-]+", before)
        chosen: list[str] = []
        for w in reversed(words):
            if w[0].isupper() or (chosen and w.lower() in {"of", "the", "and", "for", "in", "on", "de", "al", "&"}):
                chosen.insert(0, w)
                if len(chosen) > 12:
                    break
            else:
                break
        while chosen and not chosen[0][0].isupper():
            chosen.pop(0)
        if not chosen:
            continue
        if chosen[0] in ("The",):
            chosen.pop(0)
        # The shortest suffix of the phrase whose initials fit the acronym.
        long_form = None
        for i in range(len(chosen)):
            cand = " ".join(chosen[i:])
            if chosen[i][0].isupper() and _initials_match(acr, cand):
                long_form = cand
                break
        if not long_form:
            continue
        lf_end = open_at - (len(text[:open_at]) - len(text[:open_at].rstrip()))
        lf_start = _find_phrase_start(text, lf_end, long_form)
        if lf_start is None:
            continue
        label = "ORG"
        for c in cands:
            if c.start < lf_end and lf_start < c.end and c.label in ("ORG", "GPE", "NORP", "FAC", "LOC"):
                label = c.label
                break
        canonical = text[lf_start:lf_end]
        pairs.append((_Cand(lf_start, lf_end, label, canonical, "mention"),
                      _Cand(m.start(1), m.start(1) + len(acr), label, canonical, "acronym")))
    # Later uses of each defined acronym (NER often misses or mislabels them), each span once per
    # meaning: scanning again for every repeated definition made the same candidates again and
    # again (definitions x uses of them: quadratic in a long article).
    emitted = {(a.start, a.label, a.canonical) for _, a in pairs}
    scanned: set[tuple[str, str, str]] = set()
    more = []
    for long_c, acr_c in pairs:
        acr = text[acr_c.start:acr_c.end]
        if (acr, long_c.label, long_c.canonical) in scanned:
            continue
        scanned.add((acr, long_c.label, long_c.canonical))
        for hit in re.finditer(rf"(?<![\w-]){re.escape(acr)}(?![\w-])", text):
            if (hit.start(), long_c.label, long_c.canonical) not in emitted:
                emitted.add((hit.start(), long_c.label, long_c.canonical))
                more.append((long_c, _Cand(hit.start(), hit.end(), long_c.label, long_c.canonical, "acronym")))
    return pairs + more


def _find_phrase_start(text: str, end: int, phrase: str) -> int | None:
    """Start offset of ``phrase``'s words ending at ``end``, allowing any spacing between words."""
    pattern = r"\s+".join(re.escape(w) for w in phrase.split()) + r"\s*$"
    m = re.search(pattern, text[max(0, end - len(phrase) * 2 - 10):end])
    if not m:
        return None
    return max(0, end - len(phrase) * 2 - 10) + m.start()


def _apply_source(cands: list[_Cand], text: str, source: str | None) -> None:
    if not source:
        return
    key = normalise_name(source)
    for c in cands:
        name = normalise_name(text[c.start:c.end])
        if name and (name == key or key.startswith(name + " ")) and c.label in ("PERSON", "ORG", "GPE", "NORP", "FAC", "WORK_OF_ART", "PRODUCT"):
            c.label, c.canonical, c.origin = "ORG", source, "mention"


def _apply_aliases(cands: list[_Cand], text: str, aliases: AliasTable) -> None:
    for c in cands:
        if c.canonical:
            continue
        hit = aliases.lookup(text[c.start:c.end])
        if hit:
            c.canonical, c.label = hit
            c.origin = "alias-file" if normalise_name(hit[0]) != normalise_name(text[c.start:c.end]) else "mention"


def _surface_alias_hits(text: str, cands: list[_Cand], aliases: AliasTable) -> list[_Cand]:
    """Exact, case-sensitive hits of alias-file names that NER did not tag (longest first)."""
    pattern = aliases.surface_pattern
    if pattern is None:
        return []
    found = []
    for m in pattern.finditer(text):
        canonical, label = aliases.surface[m.group()]
        found.append(_Cand(m.start(), m.end(), label, canonical, "alias-file"))
    return found


# -- people -------------------------------------------------------------------------------------

def _name_tokens(name: str) -> list[str]:
    return [t for t in re.split(r"\s+", name.strip()) if t]


def _resolve_people(cands: list[_Cand], text: str, doc: Doc) -> None:
    """Short person mentions take the full name used elsewhere in the article: the most recent
    full name ending in the mention's words before it, else the first one after it.  Full names
    are indexed by their word suffixes (sorted by start), so a mention costs a lookup and a
    binary search, not a pass over every full name."""
    by_suffix: dict[tuple[str, ...], list[tuple[int, str]]] = {}  # cands are sorted by start
    for c in cands:
        if c.label == "PERSON" and not c.canonical:
            toks = _name_tokens(text[c.start:c.end])
            if len(toks) >= 2:
                low = tuple(t.lower() for t in toks)
                for k in range(1, len(low)):
                    by_suffix.setdefault(low[-k:], []).append((c.start, text[c.start:c.end]))
    starts = {key: [s for s, _ in names] for key, names in by_suffix.items()}
    for c in cands:
        if c.canonical:
            continue
        key = tuple(t.lower() for t in _name_tokens(text[c.start:c.end]))
        names = by_suffix.get(key)
        if not names or c.label not in ("PERSON", "ORG"):
            continue
        at = starts[key]
        i = bisect_right(at, c.start)
        best = names[bisect_left(at, at[i - 1])] if i else names[0]
        c.canonical = best[1]
        c.label = "PERSON"
        c.origin = "surname"


def _surname(name: str) -> str:
    """"Gilles de Kerchove" -> "de Kerchove"; "Julian King" -> "King"."""
    toks = _name_tokens(name)
    i = len(toks) - 1
    while i > 1 and toks[i - 1].lower() in _PARTICLES:
        i -= 1
    return " ".join(toks[i:])


def _missed_surnames(cands: list[_Cand], text: str) -> list[_Cand]:
    """Surname-only mentions of a person named in full earlier, which NER did not tag."""
    found = []
    names = {c.canonical or text[c.start:c.end] for c in cands if c.label == "PERSON"}
    first: dict[str, int] = {}  # where each name is first used (one pass, not one per name)
    for c in cands:
        key = c.canonical or text[c.start:c.end]
        first[key] = min(c.start, first.get(key, c.start))
    surnames = {name: _surname(name) for name in names if len(_name_tokens(name)) >= 2}
    hits = _surname_hits(text, {sur for sur in surnames.values() if len(sur) >= 3})
    for name in names:
        sur = surnames.get(name, "")
        for start in hits.get(sur, ()):
            if start > first[name]:
                found.append(_Cand(start, start + len(sur), "PERSON", name, "surname"))
    return found


_WORD_START = re.compile(r"(?<![\w\-])\w+")


def _surname_hits(text: str, surnames: set[str]) -> dict[str, list[int]]:
    """Where each surname stands as a word of its own (not inside a longer word or a hyphenated
    name); a lower-case particle may be capitalised ("de Kerchove", "De Kerchove").  One pass
    over the text's words finds them all: a regex scan per surname is surnames x text, hours for
    a long article naming thousands of people.  Like a regex scan, a surname's hits never
    overlap each other."""
    by_word: dict[str, list[tuple[str, str]]] = {}  # first word of a spelling -> (spelling, surname)
    hits: dict[str, list[int]] = {}
    for sur in surnames:
        hits[sur] = []
        if not re.match(r"\w", sur):  # no word to index it by (rare): scan for it
            pattern = rf"(?<![\w\-]){re.escape(sur)}(?![\w\-])"
            hits[sur] = [m.start() for m in re.finditer(pattern, text)]
            continue
        spellings = {sur} | ({c + sur[1:] for c in sur[0].upper()} if sur[0].islower() else set())
        for spelling in spellings:
            by_word.setdefault(re.match(r"\w+", spelling).group(), []).append((spelling, sur))
    ends = dict.fromkeys(surnames, 0)
    for m in _WORD_START.finditer(text):
        for spelling, sur in by_word.get(m.group(), ()):
            start, end = m.start(), m.start() + len(spelling)
            if start >= ends[sur] and text.startswith(spelling, start) and not (
                    end < len(text) and (text[end].isalnum() or text[end] in "_-")):
                hits[sur].append(start)
                ends[sur] = end
    return hits


# -- roles --------------------------------------------------------------------------------------

#: "-ist" nouns that describe allegiance, not a public role; never recorded as roles.
NOT_ROLES = {"terrorist", "islamist", "jihadist", "extremist", "militant", "activist", "separatist"}


def _is_role_noun(tok: Token) -> bool:
    low = tok.lower_
    if low in NOT_ROLES:
        return False
    return low in ROLE_NOUNS or (tok.pos_ == "NOUN" and low.endswith("ist") and len(low) > 5)


def _role_text(tokens: list[Token]) -> str:
    """The role as written, on one line, with typographic apostrophes made plain."""
    raw = "".join(t.text_with_ws for t in tokens)  # never doc.text: that re-joins the whole article
    return " ".join(raw.replace("’", "'").split())


def _roles(doc: Doc, mentions: list[Mention]) -> list[Role]:
    roles: list[Role] = []
    text = doc.text
    for m in mentions:
        if m.label != "PERSON":
            continue
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            continue
        # 1. Title before the name: "EU's security commissioner Julian King".
        i = span.start - 1
        if i >= 0 and _is_role_noun(doc[i]):
            j = i
            seen_capital = doc[i].text[:1].isupper()
            while j - 1 >= 0:
                prev = doc[j - 1]
                if prev.pos_ in ("PROPN", "NOUN", "ADJ") or prev.tag_ == "POS" or prev.text in ("’s", "'s", "-"):
                    if prev.ent_type_ == "PERSON" or prev.text in ('"', "“", "”"):
                        break
                    # "Moscow ally Syrian President X": a lower-case noun left of a capitalised
                    # title word starts another phrase.
                    if seen_capital and prev.text[:1].islower() and prev.tag_ != "POS" and prev.text not in ("’s", "'s", "-"):
                        break
                    seen_capital = seen_capital or prev.text[:1].isupper()
                    j -= 1
                else:
                    break
            toks = list(doc[j:i + 1])
            roles.append(Role(m.entity_id, _role_text(toks), toks[0].idx, toks[-1].idx + len(toks[-1]),
                              text[toks[0].idx:toks[-1].idx + len(toks[-1])]))
        head = span.root
        for child in head.children:
            # 2. Apposition: "Hans Bonte, the mayor of Vilvoorde".
            if child.dep_ == "appos" and child.i > span.end - 1 and _is_role_noun(child):
                toks = [t for t in child.subtree if t.i > span.end - 1]
                while toks and (toks[0].dep_ == "det" or toks[0].is_punct):
                    toks.pop(0)
                # stop at a comma or bracket that closes the apposition
                cut = next((k for k, t in enumerate(toks) if k > 0 and t.text in (",", "(", ")", ";")), len(toks))
                toks = toks[:cut]
                while toks and toks[-1].is_punct:
                    toks.pop()
                if toks:
                    a, b = toks[0].idx, toks[-1].idx + len(toks[-1])
                    roles.append(Role(m.entity_id, _role_text(toks), a, b, text[a:b]))
            # 3. Affiliation: "Nate Rosenblatt of the New America Foundation".
            if child.dep_ == "prep" and child.lower_ in ("of", "at", "from") and child.i == span.end:
                objs = [t for t in child.children if t.dep_ == "pobj" and t.ent_type_ == "ORG"]
                if objs:
                    toks = [t for t in objs[0].subtree if t.dep_ != "det" or t.i > objs[0].i]
                    toks = [t for t in toks if not (t.i == toks[0].i and t.lower_ == "the")]
                    if toks:
                        a, b = toks[0].idx, toks[-1].idx + len(toks[-1])
                        roles.append(Role(m.entity_id, "affiliated with " + _role_text(toks), a, b, text[a:b]))
        # 4. Copula: "Jean Périer is an independent researcher and analyst".
        if head.dep_ == "nsubj" and head.head.lemma_ == "be":
            for attr in head.head.children:
                if attr.dep_ == "attr" and _is_role_noun(attr):
                    toks = [t for t in attr.subtree if not (t.dep_ == "det" and t.head == attr)]
                    cut = next((k for k, t in enumerate(toks) if t.text in (",", ";") and k > 0), len(toks))
                    toks = toks[:cut]
                    while toks and toks[-1].is_punct:
                        toks.pop()
                    if toks:
                        a, b = toks[0].idx, toks[-1].idx + len(toks[-1])
                        roles.append(Role(m.entity_id, _role_text(toks), a, b, text[a:b]))
    roles += _delayed_identification(doc, mentions)
    # one role text per entity and span
    seen = set()
    unique = []
    for r in roles:
        key = (r.entity_id, r.start, r.end)
        if key not in seen and r.role:
            seen.add(key)
            unique.append(r)
    return unique


#: How many opening sentences may hold a wire lead's unnamed speaker (see _delayed_identification).
LEAD_SENTENCES = 6


def _delayed_identification(doc: Doc, mentions: list[Mention]) -> list[Role]:
    """The wire lead that names a role first and the person in the next sentence: "... the EU's
    counterterrorism coordinator said Thursday. In an interview, Gilles de Kerchove also warned ...".
    The role is the singular definite subject ("the"/possessive) of a clause in a sentence naming no
    person; the person is the first one named in the next sentence, as a subject, not named before.
    Only the opening sentences are looked at: that is where news style delays the name."""
    if not doc.has_annotation("DEP"):
        return []  # no parse (a bare tokenizer): no subjects to read, no sentences
    sents = list(islice(doc.sents, LEAD_SENTENCES + 1))
    people = [m for m in mentions if m.label == "PERSON"]
    roles: list[Role] = []
    for sent, nxt in zip(sents, sents[1:]):
        if any(sent.start_char <= m.start < sent.end_char for m in people):
            continue
        subject = next((t for t in sent if t.dep_ in ("nsubj", "nsubjpass") and t.tag_ == "NN"
                        and _is_role_noun(t) and t.head.pos_ in ("VERB", "AUX")
                        and any(c.dep_ in ("det", "poss") for c in t.children)), None)
        if subject is None:
            continue
        named = next((m for m in people if nxt.start_char <= m.start < nxt.end_char), None)
        if named is None or any(p.entity_id == named.entity_id and p.start < named.start for p in people):
            continue
        span = doc.char_span(named.start, named.end, alignment_mode="expand")
        if span is None or span.root.dep_ not in ("nsubj", "nsubjpass"):
            continue
        toks = [t for t in subject.subtree if t.i <= subject.i]
        while toks and toks[0].dep_ == "det":  # "the" of "the EU's coordinator" hangs on "EU"
            toks.pop(0)
        if toks:
            a, b = toks[0].idx, toks[-1].idx + len(toks[-1])
            roles.append(Role(named.entity_id, _role_text(toks), a, b, doc.text[a:b]))
    return roles
