"""Events: who did what to whom, where, when and how many, one sentence at a time.

The stage runs last and never re-parses: it reads the dependency parse spaCy already made and the
facts the earlier stages left on the Doc (entity mentions, places, dates, figures), and joins them
around a *trigger*, a word from ``data/event_triggers.tsv`` ("attacked", "arrest", "talks").

For each trigger it finds
- the PLOVER type and mode (the lexicon's, refined by the words around it: "air strike" is an
  aerial ASSAULT, "Blair attacked the plans" a DISAPPROVE, "workers went on strike" a PROTEST);
- the source and target actors from the parse (subject/agent, object/passive subject, "on",
  "against", "with"), linked to the entity mentions inside them, with a sector
  (``data/actor_sectors.tsv``) and a country (demonyms, places);
- the factuality: negation, modals, future, conditions and governing verbs ("denied killing",
  "may attack", "plans to deploy") make an event negated, hypothetical or future, and such events
  get no ACLED type (ACLED codes what happened);
- the ACLED sub-event type from the PLOVER type, the weapons named and the actors' sectors;
- the place (the closest place in the sentence not inside the source actor; else one from the
  previous sentence), the date (a date of the sentence, else the publication
  date, marked as such) and the magnitudes (dead, injured, arrested, crowd size) from the figures
  stage, so "at least 12" and "dozens" keep their qualifier and range.

Casualty verbs ("killing six soldiers") join the stronger assault trigger of their sentence
rather than making a second event.  A sentence without a trigger, or whose triggers fail their
conditions, yields nothing: the stage never guesses.
"""

from __future__ import annotations

import csv
import functools
import json
import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

from spacy.tokens import Doc, Span, Token

from ..schema import Event

# -- the lexicons (data files) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    lemmas: tuple[str, ...]
    pos: str  # V | N | A
    type: str
    mode: str | None
    acled: str | None
    needs: str | None
    context: str | None
    weight: float


@dataclass
class Lexicon:
    triggers: dict[str, list[Trigger]]  # key lemma -> entries (phrases first, then file order)
    sectors: dict[tuple[str, ...], str]  # word or name (tuple of lower-case words) -> sector
    vocabulary: dict


def _data(name: str) -> str:
    return resources.files("sitroom").joinpath("data", name).read_text(encoding="utf-8")


def _rows(text: str) -> list[list[str]]:
    return [r for r in csv.reader((line for line in text.splitlines() if line and not line.startswith("#")),
                                  delimiter="\t")]


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The trigger, sector and vocabulary files shipped in the package (read once per process)."""
    triggers: dict[str, list[Trigger]] = {}
    for lemma, pos, typ, mode, acled, needs, context, weight in _rows(_data("event_triggers.tsv")):
        words = tuple(lemma.split())
        entry = Trigger(words, pos, typ, None if mode == "-" else mode, None if acled == "-" else acled,
                        None if needs == "-" else needs, None if context == "-" else context, float(weight))
        # Verb phrases are keyed on their first word ("open fire"), noun compounds on their head ("air strike").
        key = words[-1] if pos == "N" and len(words) > 1 else words[0]
        triggers.setdefault(key, []).append(entry)
    for entries in triggers.values():
        entries.sort(key=lambda e: -len(e.lemmas))  # the longest phrase is tried first (stable otherwise)
    sectors: dict[tuple[str, ...], str] = {}
    for word, sector in _rows(_data("actor_sectors.tsv")):
        sectors.setdefault(tuple(word.split()), sector)
    vocabulary = json.loads(_data("event_vocabulary.json"))
    return Lexicon(triggers, sectors, vocabulary)


def acled_event_type(sub_type: str | None) -> str | None:
    if sub_type is None:
        return None
    for event_type, subs in load_lexicon().vocabulary["acled"].items():
        if sub_type in subs:
            return event_type
    raise ValueError(f"unknown ACLED sub-event type {sub_type!r}")


# -- word lists the rules read (small, closed classes: code, not data) ---------------------------------

MODALS_HYPOTHETICAL = {"may", "might", "could", "would", "should", "can", "must"}
MODALS_FUTURE = {"will", "shall", "'ll", "wo"}
#: Governing verbs (of an xcomp/ccomp) and what they make of the event below them.
GOVERNORS = {
    "deny": "negated", "fail": "negated", "refuse": "negated", "rule": "negated", "avoid": "negated",
    "reject": "negated", "prevent": "negated", "stop": "negated", "foil": "negated", "thwart": "negated",
    "plan": "future", "intend": "future", "prepare": "future", "aim": "future", "expect": "future",
    "schedule": "future", "decide": "future", "agree": "future", "promise": "future", "pledge": "future",
    "vow": "future", "seek": "future", "want": "future", "hope": "future", "propose": "future",
    "threaten": "hypothetical", "fear": "hypothetical", "warn": "hypothetical", "risk": "hypothetical",
    "consider": "hypothetical", "urge": "hypothetical", "call": "hypothetical", "demand": "hypothetical",
    "ask": "hypothetical", "order": "future", "try": "asserted", "attempt": "asserted", "continue": "asserted",
    "begin": "asserted", "start": "asserted", "resume": "asserted", "claim": "asserted",
}
#: Nouns that make an event noun below them ("the threat of attacks") unreal.
UNREAL_HEADS = {"threat": "hypothetical", "risk": "hypothetical", "fear": "hypothetical", "danger": "hypothetical",
                "plan": "future", "plot": "hypothetical", "prospect": "hypothetical", "possibility": "hypothetical",
                "warning": "hypothetical", "call": "hypothetical", "demand": "hypothetical", "bid": "future",
                "attempt": "asserted", "wave": "asserted", "series": "asserted", "spate": "asserted"}
UNREAL_AMODS = {"possible": "hypothetical", "potential": "hypothetical", "planned": "future", "future": "future",
                "imminent": "future", "proposed": "future", "further": "future", "new": None}
#: Light verbs whose subject performs the event noun they take ("launched an attack").
LIGHT_VERBS = {"launch", "carry", "conduct", "stage", "mount", "claim", "unleash", "perpetrate", "commit",
               "hold", "make", "lead", "organise", "organize", "step", "execute", "begin", "start", "impose",
               "order", "sign", "reach", "strike", "announce", "declare", "call", "hold", "take", "join", "wage"}
VIOLENCE_WORDS = {"kill", "dead", "death", "die", "wound", "injure", "injured", "casualty", "bomb", "gun", "gunfire",
                  "rifle", "weapon", "missile", "rocket", "mortar", "shell", "grenade", "explosive", "artillery",
                  "tank", "troop", "soldier", "militant", "fighter", "blast", "civilian", "hostage", "massacre",
                  "war", "armed", "militia", "insurgent", "rebel", "gunman", "gunmen", "terrorist", "airstrike",
                  "jihadist", "attacker", "ambush", "shoot", "police", "army", "military", "bullet", "knife",
                  "force", "forces", "offensive", "front", "brigade", "battalion", "division", "fighting", "raid",
                  "battle", "guerrilla", "warplane", "bomber", "jet", "navy", "warship", "gunboat", "marine",
                  "commando", "shelling", "frontline", "warfront", "rebellion", "insurgency", "coup"}
#: Causes that are not actors: a sentence whose deaths come from these is a disaster or an accident.
DISASTER_WORDS = {"earthquake", "quake", "storm", "hailstorm", "flood", "flooding", "landslide", "typhoon", "hurricane",
                  "cyclone", "tornado", "lightning", "blaze", "accident", "crash", "collision", "derail", "derailment",
                  "volcano", "eruption", "epidemic", "outbreak", "disease", "virus", "avalanche", "drought", "famine",
                  "boiler", "leak", "factory", "mine", "mudslide", "tsunami", "wind", "heatwave", "fire", "sank",
                  "capsize", "overdose", "cholera", "malaria", "aids", "cancer", "flu", "illness", "dam",
                  "collapse", "burst", "mudflow", "snow", "rain", "heat", "cold", "famine", "gale"}
#: Words that make violence likely deliberate (VIOLENCE_WORDS without the casualty words, which accidents share).
STRIKE_VERBS = {"join", "call", "stage", "hold", "end", "enter", "ballot", "launch", "begin", "continue", "plan",
                "affect", "cause", "hit", "disrupt", "on", "be", "halt", "paralyse", "paralyze", "cripple", "spread",
                "suspend", "extend", "announce", "vote", "start"}
SPORT_WORDS = {"goal", "match", "yard", "penalty", "scored", "score", "striker", "keeper", "bowler", "innings",
               "wicket", "league", "cup", "season", "champion", "championship", "game"}
LABOUR_WORDS = {"worker", "union", "staff", "employee", "pay", "wage", "industrial", "walkout", "picket", "miner",
                "nurse", "teacher", "driver", "docker", "pilot", "seamen", "seaman", "strikers", "labour", "labor"}
BUSINESS_WORDS = {"acquire", "acquisition", "merger", "merge", "buy", "sell", "share", "stake", "dividend", "profit",
                  "earnings", "revenue", "price", "takeover", "shareholder", "stock", "bid", "purchase", "loan",
                  "debt", "tonne", "barrel", "bpd", "crude", "contract", "sale"}
OBJECT_GROUPS: dict[str, set[str]] = {
    "weapon": {"rocket", "missile", "mortar", "shell", "grenade", "bomb", "weapon", "arm", "arms", "explosive",
               "device", "ied", "cache", "round", "munition", "ammunition", "projectile", "mine", "landmine"},
    "territory": {"town", "city", "village", "area", "territory", "region", "base", "airport", "district",
                  "province", "hill", "border", "control", "capital", "stronghold", "neighbourhood", "neighborhood",
                  "island", "port", "outpost", "position", "post", "checkpoint", "camp", "valley", "oilfield",
                  "field", "crossing", "bridge", "road", "highway", "garrison", "fort", "zone", "county", "suburb"},
    "building": {"house", "home", "building", "church", "mosque", "shop", "car", "vehicle", "office", "school",
                 "store", "market", "property", "village", "hut", "temple", "station", "bus", "truck", "warehouse"},
    "prisoner": {"prisoner", "hostage", "detainee", "captive", "inmate", "activist", "journalist", "soldier",
                 "dissident", "national", "citizen", "crew", "sailor", "worker", "man", "woman", "person", "people"},
    "sanction": {"sanction", "embargo", "tariff", "ban", "curfew", "restriction", "fine", "duty", "quota",
                 "penalty", "blockade", "boycott", "levy", "measure"},
    "ties": {"tie", "relation", "contact", "link"},
    "assets": {"asset", "account", "fund", "funds"},
    "forces": {"troop", "soldier", "force", "army", "police", "warship", "tank", "unit", "battalion", "brigade",
               "marine", "paratrooper", "reinforcement", "ship", "jet", "aircraft", "peacekeeper", "officer",
               "carrier", "fleet", "personnel", "division", "plane", "helicopter", "missile"},
    "base": {"base", "headquarters", "camp", "outpost", "checkpoint", "post", "garrison", "office"},
    "accord": {"agreement", "accord", "treaty", "deal", "pact", "ceasefire", "truce", "memorandum", "declaration",
               "protocol", "convention", "charter", "armistice"},
    "state": {"state", "independence", "government", "country", "republic", "sovereignty", "regime"},
    "restriction": {"sanction", "restriction", "ban", "embargo", "curfew", "blockade", "siege", "emergency",
                    "control", "limit", "measure"},
    "aid": {"aid", "assistance", "help", "relief", "food", "weapon", "arm", "arms", "loan", "money", "funding",
            "fund", "supply", "humanitarian", "medicine", "equipment", "support", "shelter", "grant", "credit"},
    "request": {"request", "demand", "application", "call", "appeal", "plea", "bid", "asylum"},
    "protesters": {"protester", "protestor", "demonstrator", "crowd", "rally", "protest", "march", "mob"},
    "missile": {"rock", "stone", "bottle", "brick", "bomb", "grenade", "molotov", "cocktail", "explosive", "acid",
                "tear", "teargas", "projectile", "firebomb", "egg"},
    "road": {"road", "highway", "crossing", "border", "street", "bridge", "railway", "rail", "port", "access",
             "traffic", "entrance", "motorway", "route", "junction", "track", "line"},
    "person": set(),  # any person-like object: see _is_person
    "threatened": set(),  # a threat with a punitive content: see _threat_content
    "taken": set(),  # "took/held hostage"
    "granted": set(),
    "joint": set(),
}
#: Verbs whose subject acts on a protest without taking part ("police broke up the rally").
NOT_PROTESTER_VERBS = {"ban", "end", "condemn", "disperse", "break", "affect", "hit", "cause", "prompt", "spark",
                       "trigger", "crush", "suppress", "outlaw", "declare", "rule", "criticise", "criticize", "call",
                       "provoke", "fuel", "halt", "stop", "prevent", "avert", "cover", "report", "say"}
TIME_WORDS = {"gmt", "am", "pm", "hours", "hour", "night", "morning", "evening", "afternoon", "week", "day", "days",
              "weekend", "dawn", "dusk", "midnight", "noon", "time", "moment", "minutes", "month", "year"}
#: Places of an actor ("the headquarters of the British Army of the Rhine"): the actor is the owner.
FACILITY_WORDS = {"headquarters", "base", "office", "embassy", "home", "house", "residence", "camp", "station",
                  "convoy", "position", "positions", "compound", "barracks", "post", "outpost", "offices", "consulate",
                  "installations", "facility", "facilities", "premises", "bases", "homes", "houses"}
PERSON_PRONOUNS = {"he", "she", "him", "her", "they", "them", "who", "whom"}
THREAT_CONTENT = {"retaliate", "retaliation", "consequence", "action", "attack", "strike", "force", "sanction",
                  "war", "respond", "expel", "cut", "kill", "invade", "invasion", "bomb", "destroy", "arrest",
                  "punish", "punishment", "veto", "quit", "walk", "boycott", "close", "seize", "block", "ban"}
WEAPON_CUES = [  # (sub-event type, mode, cue lemmas): first match wins
    ("Chemical weapon", "unconventional", {"chemical", "chlorine", "sarin", "mustard", "nerve", "toxic", "gas"}),
    ("Suicide bomb", "suicide-attack", {"suicide"}),
    ("Air/drone strike", "aerial", {"airstrike", "air", "warplane", "jet", "drone", "helicopter", "gunship", "aerial",
                                    "aircraft", "bomber", "plane", "airforce"}),
    ("Grenade", "explosives", {"grenade"}),
    ("Shelling/artillery/missile attack", "heavy-weapons", {"shell", "shelling", "artillery", "mortar", "rocket",
                                                             "missile", "howitzer", "bombard", "bombardment",
                                                             "katyusha", "projectile", "barrage", "tank"}),
    ("Remote explosive/landmine/IED", "explosives", {"ied", "roadside", "landmine", "mine", "car", "explosive",
                                                      "device", "booby", "bomb", "bombing", "blast", "explosion",
                                                      "detonate", "explode", "planted", "vbied"}),
]
FIREARM_WORDS = {"gun", "gunfire", "rifle", "bullet", "round", "shoot", "shot", "gunman", "gunmen", "firearm",
                 "pistol", "ak-47", "sniper", "machine-gun", "live"}
BLADE_WORDS = {"knife", "machete", "axe", "sword", "stab", "club", "stone", "stick", "rock"}
INTERVENTION_WORDS = {"tear", "teargas", "cannon", "rubber", "disperse", "baton", "arrest", "detain", "clash",
                      "break", "stun", "pepper", "charge", "beat"}
CASUALTY_WORDS = {"kill", "dead", "death", "die", "wound", "injure", "injured", "casualty", "blast", "hostage",
                  "massacre"}
CIVILIAN_SECTORS = {"civilians", "media", "ngo", "protesters"}
ARMED_SECTORS = {"military", "police", "rebels"}
PRECISION = {"country": "country", "admin": "region", "region": "region"}


_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?|-W\d{2})?$")

# -- per-document context --------------------------------------------------------------------------


@dataclass
class _Actor:
    text: str
    start: int
    end: int
    name: str
    entity_id: str | None
    sector: str | None
    country: str | None
    head: Token
    pronoun: bool = False


@dataclass
class _Found:
    trigger: Trigger
    tokens: list[Token]
    sent: Span
    source: _Actor | None = None
    target: _Actor | None = None
    factuality: str = "asserted"
    mode: str | None = None
    casualty_targets: list[_Actor] = field(default_factory=list)
    merged: list["_Found"] = field(default_factory=list)
    acled_from: str | None = None  # an ACLED hint taken over from a merged trigger ("ceasefire")
    forced: str | None = None  # a factuality the clause structure settles ("called a strike": future)

    @property
    def head(self) -> Token:
        return self.tokens[0]


class _Context:
    def __init__(self, doc: Doc, payload: dict, anchor: date | None, lexicon: Lexicon):
        self.doc = doc
        self.lexicon = lexicon
        self.anchor = anchor
        ents = payload.get("entities") or {}
        self.mentions = sorted(ents.get("mentions", []), key=lambda m: m["start"])
        self.names = {k: tuple(v) for k, v in ents.get("names", {}).items()}
        self.roles: dict[str, list[str]] = {}
        for r in ents.get("roles", []):
            self.roles.setdefault(r["entity_id"], []).append(r["role"].lower())
        self.places = sorted(payload.get("places", []), key=lambda p: p["start"])
        self.demonyms = payload.get("demonyms", [])
        self.dates = [d for d in payload.get("dates", []) if d.get("value") and d.get("kind", "date") == "date"
                      and _ISO_DATE.match(d["value"])]  # not "PRESENT_REF" or other TimeML markers
        self.figures = payload.get("figures", [])
        self.place_by_id = {}

    def mentions_in(self, start: int, end: int) -> list[dict]:
        return [m for m in self.mentions if m["start"] >= start and m["end"] <= end]

    def places_in(self, start: int, end: int) -> list[dict]:
        return [p for p in self.places if p["start"] >= start and p["end"] <= end]


# -- matching triggers ------------------------------------------------------------------------------

_POS = {"V": {"VERB"}, "N": {"NOUN", "PROPN"}, "A": {"VERB", "NOUN", "PROPN"}}


def _lemma(tok: Token) -> str:
    lemma = tok.lemma_.lower()
    if tok.pos_ in ("NOUN", "PROPN") and tok.lower_.endswith("s") and lemma == tok.lower_:
        lemma = lemma[:-1]  # the small model leaves some plurals ("airstrikes", "talks") unlemmatised
    return lemma


def _phrase_tokens(tok: Token, entry: Trigger) -> list[Token] | None:
    """The tokens of a phrase entry around ``tok`` (its key word), or None when it does not match."""
    if len(entry.lemmas) == 1:
        return [tok]
    sent = tok.sent
    if entry.pos == "N" and len(entry.lemmas) > 1:  # a compound ending in tok: "air strike"
        need = entry.lemmas[:-1]
        lo = tok.i - len(need)
        if lo < sent.start:
            return None
        got = [tok.doc[i] for i in range(lo, tok.i)]
        if tuple(_lemma(t) for t in got) == need:
            return [tok, *got]
        return None
    # A verb phrase: the other words follow within a few tokens, in order ("took them into custody").
    out = [tok]
    i = tok.i + 1
    for want in entry.lemmas[1:]:
        while i < min(sent.end, tok.i + 6) and _lemma(tok.doc[i]) != want and tok.doc[i].lower_ != want:
            i += 1
        if i >= min(sent.end, tok.i + 6):
            return None
        out.append(tok.doc[i])
        i += 1
    return out


#: Entity types a trigger word cannot sit inside ("March 23", "the Strike Force", "Hutton Inquiry").
_NOT_INSIDE = {"DATE", "TIME", "PERSON", "GPE", "LOC", "ORG", "FAC", "WORK_OF_ART", "LAW", "PRODUCT", "CARDINAL",
               "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "LANGUAGE"}


def _candidates(tok: Token, lexicon: Lexicon) -> list[tuple[Trigger, list[Token]]]:
    if tok.pos_ not in ("VERB", "NOUN", "PROPN") or tok.ent_type_ in _NOT_INSIDE:
        return []
    keys = dict.fromkeys((_lemma(tok), tok.lower_))  # ordered: a set's order changes with the hash seed
    out = []
    for key in keys:
        for entry in lexicon.triggers.get(key, ()):
            if tok.pos_ not in _POS[entry.pos]:
                continue
            toks = _phrase_tokens(tok, entry)
            if toks is not None:
                out.append((entry, toks))
    out.sort(key=lambda x: -len(x[0].lemmas))
    return out


# -- actors -----------------------------------------------------------------------------------------

def _actor_span(head: Token) -> tuple[int, int]:
    """Token range of the actor phrase: the head with its compounds, modifiers and possessors (no
    determiners, numbers, relative clauses or trailing prepositions), plus "of X" after a group
    word ("members of ISIS")."""
    lo = hi = head.i
    for child in head.lefts:
        if child.dep_ in ("compound", "amod", "poss", "nmod", "npadvmod") or (child.dep_ == "case" and child.i > lo):
            lo = min(lo, child.left_edge.i)
    while lo < head.i and head.doc[lo].pos_ in ("DET", "NUM", "PUNCT", "CCONJ", "ADP"):
        lo += 1
    for child in head.rights:
        if child.dep_ == "prep" and child.lower_ == "of" and head.lemma_.lower() in (
                "member", "fighter", "supporter", "group", "unit", "element", "wing", "militant", "soldier",
                "force", "troop", "officer", "follower", "cell", "leader", "head", "chief", "commander",
                "spokesman", "spokeswoman", "activist", "official"):
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs:
                hi = max(hi, objs[0].right_edge.i)
        elif child.dep_ in ("compound", "flat", "appos") and child.i == hi + 1 and child.pos_ == "PROPN":
            hi = child.i
    while hi > head.i and head.doc[hi].pos_ in ("PUNCT", "ADP", "DET"):
        hi -= 1
    return lo, hi + 1


def _sector_of(words: list[str], lemmas: list[str], head_lemma: str, lexicon: Lexicon) -> str | None:
    sectors = lexicon.sectors
    # Known names first (longest n-gram: "islamic state" before "state"), then the head noun.
    for n in (4, 3, 2):
        for i in range(len(words) - n + 1):
            for seq in (tuple(words[i:i + n]), tuple(lemmas[i:i + n])):
                if seq in sectors:
                    return sectors[seq]
    if (head_lemma,) in sectors:
        return sectors[(head_lemma,)]
    for w, lem in zip(words, lemmas):
        if (w,) in sectors:
            return sectors[(w,)]
        if (lem,) in sectors and lem not in ("state", "people", "man", "force", "officer", "general", "party"):
            return sectors[(lem,)]
    return None


def _make_actor(head: Token, ctx: _Context) -> _Actor | None:
    doc = ctx.doc
    if head.ent_type_ in ("DATE", "TIME", "CARDINAL", "PERCENT", "MONEY", "QUANTITY", "ORDINAL"):
        return None
    if head.pos_ == "PRON" or head.lower_ in PERSON_PRONOUNS:
        if head.lower_ in ("he", "she", "him", "her", "his"):
            prev = [m for m in ctx.mentions if m["end"] <= head.idx and m["label"] == "PERSON"]
            if prev:
                subjects = [m for m in prev[-6:] if _is_subject(m, ctx)]
                m = (subjects or prev)[-1]  # the last person who was a subject, else the last person
                name = ctx.names.get(m["entity_id"], (m["text"],))[0]
                return _Actor(head.text, head.idx, head.idx + len(head), name, m["entity_id"],
                              _role_sector(m["entity_id"], ctx), None, head, pronoun=True)
        return None
    if head.pos_ in ("NUM",) or head.lower_ in ("some", "many", "several", "all", "others", "one", "two", "both",
                                                 "thousands", "hundreds", "dozens", "scores", "tens", "millions",
                                                 "number", "group", "crowd", "crowds"):
        # "two of the soldiers": the noun after "of"
        objs = [c for p in head.children if p.dep_ == "prep" and p.lower_ == "of" for c in p.children
                if c.dep_ == "pobj"]
        if objs:
            head = objs[0]
        elif head.pos_ == "NUM" or head.lower_ in ("thousands", "hundreds", "dozens", "scores", "tens", "millions"):
            return None
    if head.lower_ in FACILITY_WORDS:
        owner = [c for p in head.children if p.dep_ == "prep" and p.lower_ == "of" for c in p.children
                 if c.dep_ == "pobj" and (c.ent_type_ in ("ORG", "GPE", "NORP", "PERSON") or _sector_of(
                     [c.lower_], [_lemma(c)], _lemma(c), ctx.lexicon) in ARMED_SECTORS | {"government", "igo"})]
        if owner:
            head = owner[0]
    if head.dep_ in ("amod", "compound", "nmod") and head.ent_type_ == "NORP":
        # "Israeli airstrike": the actor is the state the demonym names, acting through its forces
        for d in ctx.demonyms:
            if d["start"] <= head.idx < d["end"] and d.get("name"):
                return _Actor(head.text, head.idx, head.idx + len(head), d["name"], None, "state",
                              d.get("country_code"), head)
    lo, hi = _actor_span(head)
    start, end = doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1])
    words = [t.lower_ for t in doc[lo:hi]]
    lemmas = [_lemma(t) for t in doc[lo:hi]]
    mentions = ctx.mentions_in(start, end)
    entity_id = None
    name = doc.text[start:end]
    mention = None
    if mentions:
        # The mention holding the head, else the last one before it ("Iraqi security forces" -> none;
        # "Kurdish Peshmerga fighters" -> Peshmerga).
        holding = [m for m in mentions if m["start"] <= head.idx < m["end"]]
        mention = holding[0] if holding else mentions[-1]
        if mention["label"] not in ("NORP",) or holding:
            entity_id = mention["entity_id"]
            if holding or mention["label"] in ("ORG", "PERSON", "GPE"):
                name = ctx.names.get(entity_id, (mention["text"],))[0] if holding else name
    sector = _sector_of(words, lemmas, _lemma(head), ctx.lexicon)
    if sector is None and mention is not None and holding_is(mention, head):
        label = mention["label"]
        if label == "PERSON":
            sector = _role_sector(mention["entity_id"], ctx)
        elif label == "GPE":
            sector = "government"
        elif label == "NORP" and holding_is(mention, head):
            sector = "civilians"
    country = None
    for d in ctx.demonyms:
        if d["start"] >= start and d["end"] <= end and d.get("country_code"):
            country = d["country_code"]
            break
    if country is None:
        for p in ctx.places_in(start, end):
            if p.get("country_code"):
                country = p["country_code"]
                break
    return _Actor(doc.text[start:end], start, end, name, entity_id, sector, country, head)


def _is_subject(mention: dict, ctx: _Context) -> bool:
    span = ctx.doc.char_span(mention["start"], mention["end"], alignment_mode="expand")
    return span is not None and span.root.dep_ in ("nsubj", "nsubjpass")


def holding_is(mention: dict, head: Token) -> bool:
    return mention["start"] <= head.idx < mention["end"]


def _role_sector(entity_id: str, ctx: _Context) -> str | None:
    for role in ctx.roles.get(entity_id, ()):
        words = role.split()
        sector = _sector_of(words, words, words[-1] if words else "", ctx.lexicon)
        if sector:
            return sector
    return None


def _children(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def _pobj(tok: Token, *preps: str) -> Token | None:
    """The object of the first of ``preps`` (in that order of preference) governed by ``tok``."""
    for want in preps:
        for p in tok.children:
            if p.dep_ in ("prep", "agent") and p.lower_ == want:
                objs = [o for o in _children(p, "pobj") if o.ent_type_ not in ("DATE", "TIME", "CARDINAL")
                        and not o.like_num and o.lower_ not in TIME_WORDS]
                if objs:
                    return objs[0]
    return None


def _subject_of(verb: Token) -> tuple[Token | None, bool]:
    """(subject token, passive?) of a verb, inherited through xcomp/advcl/conj/relcl."""
    seen = 0
    tok = verb
    while tok is not None and seen < 4:
        subj = _children(tok, "nsubj", "csubj")
        if subj:
            return subj[0], False
        passive = _children(tok, "nsubjpass")
        if passive:
            return passive[0], True
        if tok.dep_ == "relcl":
            return tok.head, False
        if tok.dep_ in ("xcomp", "advcl", "conj", "acl", "ccomp") and tok.head is not tok:
            if tok.dep_ == "xcomp":  # object control: "ordered troops to attack"
                objs = _children(tok.head, "dobj")
                if objs:
                    return objs[0], False
            if tok.dep_ == "acl" and tok.tag_ == "VBN":  # "soldiers killed in the attack"
                return None, True
            if tok.dep_ == "acl" and tok.head.dep_ == "pobj" and tok.head.ent_type_ in ("GPE", "LOC", "FAC"):
                tok = tok.head.head.head  # "marched through Khartoum demanding ...": the marchers demand
                seen += 1
                continue
            tok = tok.head
            seen += 1
            continue
        return None, False
    return None, False


def _find_actors(f: _Found, ctx: _Context) -> None:
    t = f.head
    src = tgt = None
    if t.pos_ == "VERB":
        subj, passive_inherited = _subject_of(t)
        agent = _pobj(t, "by")
        passive = bool(_children(t, "nsubjpass", "auxpass")) or t.tag_ == "VBN" and t.dep_ == "acl"
        dobj = _children(t, "dobj")
        if passive:
            tgt = _children(t, "nsubjpass")[0] if _children(t, "nsubjpass") else (t.head if t.dep_ == "acl" else None)
            src = agent
        else:
            src = subj
            if dobj:
                tgt = dobj[0]
            else:
                tgt = _pobj(t, "on", "against", "with", "at", "upon")
        if src is not None and src.i in [x.i for x in f.tokens]:
            src = None
        if src is None and f.trigger.acled == "clash":
            src = _pobj(t, "between")  # "clashes between strikers and replacement workers"
        # "police and protesters clashed": the second conjunct is the other side
        if src is not None and tgt is None and f.trigger.acled == "clash":
            conj = _children(src, "conj")
            if conj:
                tgt = conj[0]
    else:  # a noun trigger
        for c in t.children:
            if c.dep_ == "poss" or (c.dep_ in ("compound", "amod", "nmod") and c.i < t.i and not _is_weapon_mod(c)):
                if _could_be_actor(c, ctx):
                    src = c
                    break
        src = _pobj(t, "by") or src
        if src is None:  # "the strike, called by leftist unions": the caller's agent
            for c in t.children:
                if c.dep_ == "acl" and c.tag_ == "VBN":
                    src = _pobj(c, "by") or src
        between = _pobj(t, "between") if src is None and f.trigger.acled == "clash" else None
        if between is not None:  # "clashes between strikers and replacement workers"
            src = between
            conj = _children(between, "conj")
            tgt = conj[0] if conj else None
        elif f.trigger.type in ("CONSULT", "PROTEST", "AGREE") and src is None:
            src = _pobj(t, "of", "among", "between")  # "a meeting of EC ministers", "a strike of seamen"
            tgt = _pobj(t, "with", "on", "against", "at")
        else:
            tgt = _pobj(t, "on", "against", "of", "with", "at", "upon")
        if src is None and f.trigger.type == "PROTEST" and t.dep_ in ("dobj", "pobj", "attr"):
            # "civil servants were on strike", "farmers held rallies", "workers joined the strike"
            verb = t.head if t.dep_ != "pobj" else t.head.head
            if verb.pos_ in ("VERB", "AUX") and _lemma(verb) not in NOT_PROTESTER_VERBS:
                s_, passive = _subject_of(verb)
                if s_ is not None and not passive and _could_be_actor(s_, ctx) or s_ is not None and \
                        s_.ent_type_ in ("ORG", "NORP", "PERSON"):
                    src = s_
        if src is None and t.dep_ == "pobj" and t.head.lower_ in ("after", "following", "during", "at", "in",
                                                                   "from", "before", "since", "for"):
            verb = t.head.head
            if verb.pos_ in ("VERB", "AUX"):
                s_, passive = _subject_of(verb)  # "Thatcher left Bonn after talks with Kohl"
                if s_ is not None and not passive and (s_.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or
                                                       s_.lower_ in PERSON_PRONOUNS or _could_be_actor(s_, ctx)):
                    src = s_
        if src is None and t.dep_ in ("dobj", "pobj", "nsubjpass", "attr"):
            verb = t.head if t.dep_ != "pobj" else t.head.head
            if verb.pos_ in ("VERB", "AUX") and _lemma(verb) in LIGHT_VERBS | {"be"}:
                s, passive = _subject_of(verb)
                if s is not None and not passive:
                    src = s
                elif passive:
                    src = _pobj(verb, "by")
    phrase = {x.i for x in f.tokens}
    if tgt is not None and _lemma(tgt) in OBJECT_GROUPS["weapon"] | {"gas", "teargas", "bullet", "shot", "salvo"}:
        tgt = _pobj(t, "at", "on", "into", "against", "upon")  # "fired rockets at the base": the base
    if tgt is not None and (tgt.i in phrase or tgt.lower_ == "control"):
        # "opened fire on a bus", "set fire to shops", "seized control of the town"
        tgt = _pobj(tgt, "on", "to", "of", "at", "against") or _pobj(t, "on", "to", "at", "against")
    if tgt is None and len(f.tokens) > 1:
        for extra in f.tokens[1:]:
            tgt = _pobj(extra, "on", "to", "of", "at", "against")
            if tgt is not None:
                break
    if src is not None and src.i in phrase:
        src = None
    if tgt is not None and tgt.dep_ == "pobj" and tgt.head.lower_ == "of" and tgt.lower_ in ("them",):
        tgt = None
    if f.trigger.acled == "intervention":  # "police dispersed protesters": ACLED's actor1 is the protesters
        src, tgt = tgt, src
    f.source = _make_actor(src, ctx) if src is not None else None
    if f.source is not None and f.source.entity_id is None and f.source.sector is None and not f.source.pronoun \
            and not _is_person(f.source.head, ctx) and not _person_suffix(f.source.head):
        f.source = None  # "the move led to riots": an abstract cause is no actor
    f.target = _make_actor(tgt, ctx) if tgt is not None else None
    if f.source and f.target and f.source.start == f.target.start:
        f.target = None


def _person_suffix(tok: Token) -> bool:
    """"right-wingers", "leftists", "Islamists", "hardliners": plural nouns of people."""
    w = tok.lower_
    return tok.tag_ == "NNS" and w.endswith(("ists", "ians", "ers", "ites", "ants", "ents")) and \
        w not in ("others", "papers", "numbers", "members", "matters", "orders", "letters", "centers", "meters")


def _is_weapon_mod(tok: Token) -> bool:
    return _lemma(tok) in {w for _, _, cues in WEAPON_CUES for w in cues} or tok.lower_ in ("deadly", "fatal", "new")


def _could_be_actor(tok: Token, ctx: _Context) -> bool:
    if tok.ent_type_ in ("ORG", "GPE", "NORP", "PERSON") or tok.dep_ == "poss" and tok.lower_ in ("his", "her",
                                                                                                 "their", "its"):
        return True
    return _sector_of([tok.lower_], [_lemma(tok)], _lemma(tok), ctx.lexicon) in (
        "military", "police", "rebels", "government", "protesters", "igo", "civilians", "political_party",
        "judiciary") or _person_suffix(tok)


# -- conditions (the lexicon's "needs") ------------------------------------------------------------

def _object_lemmas(f: _Found) -> list[Token]:
    t = f.head
    out = [c for c in t.children if c.dep_ in ("dobj", "nsubjpass", "attr", "oprd")]
    for p in t.children:
        if p.dep_ in ("prep", "agent"):
            out += _children(p, "pobj")
    for x in list(out):
        out += _children(x, "conj", "compound")
        out += [o for p in x.children if p.dep_ == "prep" and p.lower_ == "of" for o in _children(p, "pobj")]
    if t.dep_ == "acl":
        out.append(t.head)
    for extra in f.tokens[1:]:
        out += [c for c in extra.children if c.dep_ in ("dobj", "pobj")]
    return out


def _is_person(tok: Token, ctx: _Context) -> bool:
    if tok.ent_type_ in ("PERSON", "NORP") or tok.lower_ in PERSON_PRONOUNS:
        return True
    return _sector_of([tok.lower_], [_lemma(tok)], _lemma(tok), ctx.lexicon) in (
        "civilians", "military", "police", "rebels", "protesters", "government", "media", "other", "judiciary")


def _sentence_lemmas(sent: Span) -> set[str]:
    return {_lemma(t) for t in sent} | {t.lower_ for t in sent}


#: PLOVER types that are someone's act of speech or policy: without an actor there is no event.
NEEDS_ACTOR = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "DEMAND", "DISAPPROVE", "REJECT", "THREATEN", "COOPERATE",
               "AID"}


def _needs_ok(f: _Found, ctx: _Context, lemmas: set[str]) -> bool:
    need = f.trigger.needs
    if f.trigger.type in NEEDS_ACTOR and f.source is None and not (
            f.head.pos_ == "VERB" and f.target is not None and _children(f.head, "auxpass")
            and (f.target.entity_id or _is_person(f.target.head, ctx))):
        return False  # a passive with its target keeps an implied agent ("eight protesters have been charged")
    sectors = {a.sector for a in (f.source, f.target) if a is not None}
    if "business" in sectors or "sport" in sectors:
        if f.trigger.type not in ("PROTEST", "COERCE", "SANCTION") or "sport" in sectors:
            return False
    if f.head.pos_ != "VERB" and f.source is None and f.target is None and f.trigger.type not in (
            "ASSAULT", "PROTEST") and len(f.tokens) == 1 and (
            any(c.dep_ == "det" and c.lower_ in ("the", "this", "that", "these", "those") for c in f.head.children)
            or f.head.tag_ == "NNS" and not any(c.dep_ == "det" for c in f.head.children)):
        return False  # "the embargo", "detentions without trial": a state of affairs or a back-reference
    deliberate = lemmas & (VIOLENCE_WORDS - CASUALTY_WORDS)
    if f.trigger.type == "ASSAULT" and lemmas & DISASTER_WORDS and not (sectors & ARMED_SECTORS or deliberate):
        return False  # "the earthquake killed 300", "an explosion at the factory"
    if need is None or need == "casualty":
        return True
    if f.trigger.type == "PROTEST" and f.source is not None and f.source.head.ent_type_ == "GPE":
        f.source = None  # "Brazil's seamen's strike": the country is where, not who
    if need == "crowd":
        # "the administration protested the ruling" is a complaint (DISAPPROVE), not a street protest
        if f.source is not None and f.source.sector in ("government", "igo", "judiciary"):
            return False
        if f.head.pos_ != "VERB" and f.source is None and not (lemmas & {"thousand", "hundred", "street", "rally",
                                                                           "march", "crowd", "police", "square",
                                                                           "violent", "against"}) \
                and not any(p["start"] >= f.sent.start_char and p["end"] <= f.sent.end_char and p.get("feature")
                            != "country" for p in ctx.places):
            return False  # "a form of protest": no one protesting anywhere
        return True
    if need == "meet":
        objs = _object_lemmas(f)
        return not objs and f.head.dep_ not in ("xcomp",) or any(_is_person(o, ctx) or o.ent_type_ in (
            "ORG", "GPE", "NORP", "PERSON") for o in objs)
    if need == "armed":
        if sectors & ARMED_SECTORS or deliberate:
            return True
        tgt = f.target
        if f.head.pos_ == "NOUN" and f.source is not None and f.source.head.ent_type_ in ("GPE", "NORP") and \
                _pobj(f.head, "on", "against") is not None:
            return True  # "the United States' attack on an oil platform": a state's attack is no speech
        return tgt is not None and f.source is not None and (tgt.head.ent_type_ in ("GPE", "LOC", "FAC")
                                    or _lemma(tgt.head) in OBJECT_GROUPS["building"] | OBJECT_GROUPS["territory"])
    if need == "verbal":
        return not (sectors & ARMED_SECTORS or lemmas & VIOLENCE_WORDS) and f.source is not None
    if need == "political":
        if f.trigger.type in ("AGREE", "CONSULT", "AID", "SUPPORT", "REJECT", "DEMAND") and lemmas & BUSINESS_WORDS \
                and not sectors & {"government", "igo", "military", "rebels", "political_party"}:
            return False
        return True
    if need == "labour":
        governing = _lemma(f.head.head) if f.head.dep_ in ("dobj", "nsubj", "pobj", "nsubjpass") else ""
        if f.head.dep_ == "pobj":
            governing = _lemma(f.head.head.head) if f.head.head.lower_ != "on" else "on"
        if governing in STRIKE_VERBS and not (lemmas & SPORT_WORDS):
            return True  # "joined the UK-wide strike", "went on strike", "the strike affected ..."
        return bool(lemmas & LABOUR_WORDS) or any(_lemma(c) in ("general", "national", "nationwide", "hunger",
                                                                  "rail", "transport", "port", "oil", "coal")
                                                   for c in f.head.children)
    if need.startswith("obj:"):
        group = need[4:]
        objs = _object_lemmas(f)
        if group == "person":
            return any(_is_person(o, ctx) for o in objs)
        if group == "warned":  # "warned Iran", "warned of retaliation": a warning to someone, or of something
            after = {_lemma(t) for t in f.sent if t.i > f.head.i}
            direct = [c for c in f.head.children if c.dep_ == "dobj"]
            return bool(after & THREAT_CONTENT) or any(_is_person(o, ctx) or o.ent_type_ in ("GPE", "ORG", "NORP")
                                                       for o in direct)
        if group == "accusation":  # "charges of bombing", "opposition charges that ...": not "bank charges"
            return any(c.dep_ in ("prep", "acl", "relcl") and c.lower_ in ("of", "that", "against") or
                       c.dep_ in ("compound", "amod", "poss") and _could_be_actor(c, ctx) for c in f.head.children) \
                and not lemmas & BUSINESS_WORDS
        if group == "threatened":
            after = {_lemma(t) for t in f.sent if t.i > f.head.i}
            return bool(after & THREAT_CONTENT)
        if group == "taken":
            return _lemma(f.head.head) in ("take", "hold", "seize", "keep")
        if group == "granted":
            return _lemma(f.head.head) in ("grant", "give", "offer")
        if group == "joint":
            return "joint" in lemmas or "military" in lemmas
        if group == "territory":
            if any(o.ent_type_ in ("GPE", "LOC", "FAC") for o in objs):
                return True
        words = OBJECT_GROUPS[group]
        if any(_lemma(o) in words or o.lower_ in words for o in objs):
            return True
        # the object's own compounds ("weapons cache", "arms shipment")
        return any(_lemma(c) in words for o in objs for c in o.children if c.dep_ in ("compound", "amod"))
    return True


# -- factuality --------------------------------------------------------------------------------------

def _factuality(f: _Found) -> str:
    t = f.head
    tok = t
    if t.pos_ != "VERB":
        if any(c.lower_ in ("no", "without") for c in t.children if c.dep_ in ("det", "neg", "prep")):
            return "negated"
        for c in t.children:
            if c.dep_ == "amod" and UNREAL_AMODS.get(c.lower_):
                return UNREAL_AMODS[c.lower_]
        if t.dep_ == "pobj" and t.head.lower_ in ("of", "for") and _lemma(t.head.head) in UNREAL_HEADS:
            val = UNREAL_HEADS[_lemma(t.head.head)]
            if val != "asserted":
                return val
        if t.head.lower_ == "without":
            return "negated"
        tok = t.head if t.dep_ in ("dobj", "nsubj", "nsubjpass", "attr") else t.head.head if t.dep_ == "pobj" else t
        if tok.pos_ not in ("VERB", "AUX"):
            return "asserted"
        if t.dep_ == "pobj" and tok.dep_ not in ("xcomp", "ROOT"):
            # "responding to recent protests" under "denied": the protests themselves happened
            aux = [c for c in tok.children if c.dep_ in ("aux", "neg")]
            if any(c.dep_ == "neg" for c in aux):
                return "negated"
            return "asserted"
        if tok is not t and _lemma(tok) in GOVERNORS and t.dep_ == "dobj" and GOVERNORS[_lemma(tok)] != "asserted" \
                and _lemma(tok) not in ("agree", "claim", "order", "call", "demand", "urge"):
            return GOVERNORS[_lemma(tok)]
    hops = 0
    while tok is not None and hops < 4:
        aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass", "neg", "mark", "advmod")]
        if any(c.dep_ == "neg" or c.lower_ in ("never", "not", "n't") for c in aux):
            return "negated"
        if any(c.lower_ in MODALS_HYPOTHETICAL for c in aux) or any(c.lower_ in ("if", "unless") for c in aux):
            return "hypothetical"
        if any(c.lower_ in MODALS_FUTURE for c in aux):
            return "future"
        if any(c.lower_ == "to" for c in aux) and tok.dep_ in ("xcomp", "advcl") and _lemma(tok.head) == "be" and \
                any(c.lower_ in ("going", "due", "set", "expected", "scheduled") for c in tok.head.children):
            return "future"
        if tok.dep_ in ("xcomp", "ccomp", "advcl", "pcomp") and tok.head is not tok:
            gov = _lemma(tok.head)
            if tok.dep_ == "pcomp" and tok.head.dep_ == "prep":
                gov = _lemma(tok.head.head)
            if gov in GOVERNORS and (tok.dep_ != "ccomp" or gov in ("deny", "fear", "warn", "threaten")):
                val = GOVERNORS[gov]
                if val == "asserted":
                    tok = tok.head
                    hops += 1
                    continue
                return val
            if tok.dep_ == "advcl" and any(c.lower_ in ("if", "unless") for c in tok.children):
                return "hypothetical"
            if tok.dep_ == "xcomp" and gov in ("be",) and any(c.lower_ in ("going", "due", "set", "likely", "poised")
                                                              for c in tok.head.children):
                return "future"
            tok = tok.head
            hops += 1
            continue
        break
    return "asserted"


# -- classification (ACLED sub-type and the PLOVER mode) ------------------------------------------------

def _weapon(lemmas_near: set[str]) -> tuple[str, str] | None:
    for sub, mode, cues in WEAPON_CUES:
        if lemmas_near & cues:
            if sub == "Chemical weapon" and "gas" in lemmas_near & cues and not lemmas_near & {"chemical", "chlorine",
                                                                                               "sarin", "mustard",
                                                                                               "nerve", "toxic"}:
                continue  # tear gas is crowd control, not a chemical weapon
            if sub == "Air/drone strike" and lemmas_near & {"air", "plane", "aircraft"} and not lemmas_near & {
                    "strike", "raid", "airstrike", "bomb", "bombing", "attack", "warplane", "jet", "drone",
                    "helicopter", "gunship", "bombard", "bombardment", "aerial"}:
                continue
            if sub == "Remote explosive/landmine/IED" and lemmas_near & {"car"} and not lemmas_near & {
                    "bomb", "explosive", "blast", "explosion", "device"}:
                continue
            if sub == "Remote explosive/landmine/IED" and lemmas_near & {"mine"} and not lemmas_near & {
                    "land", "landmine", "explode", "blast", "hit", "step", "strike", "roadside", "explosion"}:
                continue
            return sub, mode
    return None


def _classify(f: _Found, lemmas: set[str], dead: bool) -> tuple[str | None, str | None]:
    """(ACLED sub-event type, PLOVER mode) of an asserted event; (None, mode) where ACLED codes none."""
    tr = f.trigger
    mode = f.mode or tr.mode
    hint = tr.acled or f.acled_from
    src = f.source.sector if f.source else None
    targets = [f.target] if f.target else []
    targets += f.casualty_targets
    tgt_sectors = {a.sector for a in targets if a is not None}
    typ = tr.type
    if typ == "ASSAULT":
        weapon = _weapon(lemmas) if hint in ("explosion", "air", "shelling", "strike", "violence", "clash") else None
        if hint == "capture" or hint == "recapture":
            if src in ("military", "government", "police"):
                return "Government regains territory", mode
            if src == "rebels":
                return "Non-state actor overtakes territory", mode
            return ("Government regains territory" if hint == "recapture" else "Non-state actor overtakes territory",
                    mode)
        if hint == "abduct":
            return "Abduction/forced disappearance", "abduct"
        if hint == "sexual":
            return "Sexual violence", "sexual"
        if hint == "loot":
            if src == "protesters":
                return "Violent demonstration", "destroy"
            return "Looting/property destruction", "destroy"
        if hint == "mob" or src == "protesters" and "mob" in lemmas:
            return "Mob violence", mode or "beat"
        if weapon and (hint in ("explosion", "air", "shelling", "strike") or weapon[0] in (
                "Chemical weapon", "Suicide bomb", "Air/drone strike", "Grenade", "Shelling/artillery/missile attack")):
            return weapon[0], ("drone" if weapon[0] == "Air/drone strike" and "drone" in lemmas else weapon[1])
        if hint == "explosion":
            return "Remote explosive/landmine/IED", "explosives"
        if hint == "air":
            return "Air/drone strike", "aerial"
        if "protesters" in tgt_sectors or {"protester", "demonstrator", "protestor"} & lemmas and (
                src in ("police", "military") or (src is None and dead)):
            return "Excessive force against protesters", "crowd-control" if lemmas & INTERVENTION_WORDS else mode
        if src == "protesters":
            return "Violent demonstration", mode
        if hint == "shelling":
            return "Shelling/artillery/missile attack", "heavy-weapons"
        if tgt_sectors & CIVILIAN_SECTORS and not tgt_sectors & ARMED_SECTORS:
            return "Attack", mode
        if hint == "clash" or tgt_sectors & (ARMED_SECTORS | {"government"}) or src in ARMED_SECTORS and not tgt_sectors:
            if hint == "strike":
                return "Air/drone strike", "aerial"
            if not tgt_sectors and src in ARMED_SECTORS and hint != "clash" and dead:
                return "Attack", mode  # an armed group killing people of no stated side
            return "Armed clash", mode or "firearms"
        if f.target is not None and _lemma(f.target.head) in OBJECT_GROUPS["building"]:
            return "Attack", mode
        return "Attack", mode
    if typ == "PROTEST":
        if mode == "riot" or mode == "vandalize" or hint == "loot":
            return ("Violent demonstration" if hint != "loot" or mode == "vandalize" else
                    "Looting/property destruction"), mode
        if dead and lemmas & {"police", "security", "troop", "soldier", "army", "force", "fire", "shoot", "shot"}:
            return "Excessive force against protesters", mode
        if lemmas & INTERVENTION_WORDS - {"clash", "break", "charge"} or {"tear", "gas"} <= lemmas:
            return "Protest with intervention", mode
        if mode == "boycott":
            return None, mode
        return "Peaceful protest", mode
    if typ == "COERCE":
        if hint == "arrest":
            return "Arrests", mode
        if hint == "disrupt":
            return ("Disrupted weapons use" if lemmas & OBJECT_GROUPS["weapon"] else None), mode
        if hint == "intervention":
            return "Protest with intervention", mode
        return None, mode
    if typ == "RETREAT":
        if hint == "agreement" and lemmas & {"agree", "sign", "declare", "announce", "reach", "accept", "broker"}:
            return "Agreement", mode
        if hint == "transfer" and (f.target is not None or lemmas & OBJECT_GROUPS["territory"]) and \
                lemmas & OBJECT_GROUPS["territory"]:
            return "Non-violent transfer of territory", mode
        return None, mode
    if typ == "AGREE":
        if lemmas & {"ceasefire", "truce", "peace", "armistice", "accord"} and src != "business":
            return "Agreement", mode
        return None, mode
    if typ == "MOBILIZE":
        if hint == "base":
            return "Headquarters or base established", mode
        # ACLED records troop deployments and build-ups as a change in the group's activity
        return "Change to group/activity", _mobilize_mode(f, lemmas) or mode
    if typ == "SUPPORT" and hint == "change":
        return "Change to group/activity", mode
    return None, mode


def _mobilize_mode(f: _Found, lemmas: set[str]) -> str | None:
    if lemmas & {"police", "riot"}:
        return "police"
    if lemmas & {"militia", "volunteer"}:
        return "militia"
    if lemmas & {"missile", "weapon", "warhead", "tank", "artillery"} and not lemmas & {"troop", "soldier"}:
        return "weapons"
    return None


# -- place, date, magnitudes --------------------------------------------------------------------------

def _place(f: _Found, ctx: _Context, sent_index: dict[int, Span]) -> tuple[dict | None, str | None]:
    sent = f.sent
    cands = [p for p in ctx.places_in(sent.start_char, sent.end_char)
             if not (f.source and f.source.start <= p["start"] < f.source.end)
             and not (f.target and f.target.start <= p["start"] < f.target.end and _named_actor(f.target, ctx))]
    if not cands:
        prev = sent_index.get(sent.start - 1)
        if prev is not None:
            before = ctx.places_in(prev.start_char, prev.end_char)
            if before:
                p = min(before, key=lambda p: (_feature_rank(p), -p["start"]))
                return p, PRECISION.get(p.get("feature"), "exact")
        return None, None
    trig = f.head

    def score(p: dict) -> tuple:
        tok = ctx.doc.char_span(p["start"], p["end"], alignment_mode="expand")
        dist = 9
        if tok is not None:
            root = tok.root
            a, hops = root, 0
            while a is not a.head and hops < 8:
                if a.i == trig.i or a.i in [x.i for x in f.tokens]:
                    dist = hops
                    break
                a, hops = a.head, hops + 1
        return (dist > 6, _feature_rank(p), dist, abs(p["start"] - trig.idx))

    best = min(cands, key=score)
    return best, PRECISION.get(best.get("feature"), "exact")


def _actor_like(actor: _Actor, ctx: _Context) -> bool:
    head = actor.head
    return bool(actor.entity_id or actor.sector or actor.pronoun or _is_person(head, ctx) or _person_suffix(head)
                or head.ent_type_ in ("GPE", "NORP", "ORG", "PERSON"))


def _named_actor(actor: _Actor, ctx: _Context) -> bool:
    """A person or organisation named in the actor phrase ("Bush", "the White House"): a place
    the gazetteer finds inside it is not where the event happened."""
    return any(m["label"] in ("PERSON", "ORG", "NORP") for m in ctx.mentions_in(actor.start, actor.end))


def _feature_rank(p: dict) -> int:
    return {"country": 3, "region": 2, "admin": 1}.get(p.get("feature"), 0)


def _date(f: _Found, ctx: _Context) -> tuple[dict | None, str | None, str | None]:
    sent = f.sent
    inside = [d for d in ctx.dates if sent.start_char <= d["start"] < sent.end_char]
    if inside:
        d = min(inside, key=lambda d: abs(d["start"] - f.head.idx))
        return d, _precision(d["value"]), "text"
    if ctx.anchor is not None:
        return {"value": ctx.anchor.isoformat(), "start": None, "end": None}, "day", "publication"
    return None, None, None


def _precision(value: str) -> str:
    if "W" in value:
        return "week"
    return {10: "day", 7: "month", 4: "year"}.get(len(value), "day")


def _attach_magnitudes(found: list[_Found], ctx: _Context) -> dict[int, list[dict]]:
    """Figures of each sentence given to the event they count: deaths and injuries to the assault
    (or a protest met with force), people arrested to the arrest, crowd sizes to the protest."""
    out: dict[int, list[dict]] = {id(f): [] for f in found}
    for fig in ctx.figures:
        if fig.get("unit"):
            continue
        here = [f for f in found if f.sent.start_char <= fig["start"] < f.sent.end_char]
        if not here:
            continue
        subject = (fig.get("subject") or "").split()
        kind = None
        owners: list[_Found] = []
        if fig["kind"] == "deaths":
            kind, owners = "dead", [f for f in here if f.trigger.type in ("ASSAULT", "PROTEST")]
        elif fig["kind"] == "injuries":
            kind, owners = "injured", [f for f in here if f.trigger.type in ("ASSAULT", "PROTEST")]
        else:
            arrests = [f for f in here if f.trigger.acled == "arrest"]
            protests = [f for f in here if f.trigger.type == "PROTEST"]
            assaults = [f for f in here if f.trigger.type == "ASSAULT"]
            for f in arrests:
                if f.target and _overlaps(fig, f.target) or _governed_by(fig, f, ctx):
                    kind, owners = "arrested", [f]
                    break
            if kind is None:
                for f in protests:
                    crowdish = subject and subject[-1].rstrip("s") in (
                        "protester", "demonstrator", "people", "supporter", "worker", "student", "marcher",
                        "protestor", "resident", "farmer", "employee", "striker")
                    if crowdish and (f.source is None or _overlaps(fig, f.source) or _governed_by(fig, f, ctx)):
                        kind, owners = "size", [f]
                        break
            if kind is None:
                for f in assaults:
                    for m in [f, *f.merged]:
                        if _lemma(m.head) in ("kill", "killing", "massacre", "slaughter", "execute", "behead") and \
                                m.target and _overlaps(fig, m.target):
                            kind, owners = "dead", [f]
                        elif _lemma(m.head) in ("wound", "injure") and m.target and _overlaps(fig, m.target):
                            kind, owners = "injured", [f]
        if kind is None or not owners:
            continue
        owner = min(owners, key=lambda f: abs(f.head.idx - fig["start"]))
        if any(m["kind"] == kind for m in out[id(owner)]):
            continue
        out[id(owner)].append({"kind": kind, "text": fig["text"], "start": fig["start"], "end": fig["end"],
                               "value": fig.get("value"), "low": fig.get("low"), "high": fig.get("high"),
                               "qualifier": fig.get("qualifier")})
    return out


def _overlaps(fig: dict, actor: _Actor) -> bool:
    return fig["start"] < actor.end and actor.start < fig["end"]


def _governed_by(fig: dict, f: _Found, ctx: _Context) -> bool:
    span = ctx.doc.char_span(fig["start"], fig["end"], alignment_mode="expand")
    if span is None:
        return False
    tok = span.root
    for _ in range(4):
        if tok.i == f.head.i:
            return True
        if tok is tok.head:
            break
        tok = tok.head
    return False


# -- the stage ------------------------------------------------------------------------------------------

def find_events(doc: Doc, payload: dict, anchor: date | None, lexicon: Lexicon | None = None) -> list[Event]:
    """Event mentions of ``doc`` (see the module doc); ``payload`` is ``doc._.sitroom`` with the
    earlier stages' facts."""
    lexicon = lexicon or load_lexicon()
    if not doc.has_annotation("DEP"):
        return []
    ctx = _Context(doc, payload, anchor, lexicon)
    sents = list(doc.sents)
    sent_index = {s.end - 1: s for s in sents}  # previous sentence by its last token
    events: list[Event] = []
    last_assault: Event | None = None
    for sent in sents:
        if len(sent) < 3 or sent.text.rstrip().endswith("?"):
            continue
        lemmas = _sentence_lemmas(sent)
        found: list[_Found] = []
        used: set[int] = set()
        for tok in sent:
            if tok.i in used:
                continue
            for entry, toks in _candidates(tok, lexicon):
                if any(t.i in used for t in toks[1:]):
                    continue
                if tok.lower_ == "march" and tok.text[0].isupper() and tok.i + 1 < len(doc) and (
                        doc[tok.i + 1].like_num or tok.i > 0 and doc[tok.i - 1].like_num):
                    continue  # "March 4", "4 March": the month
                if entry.lemmas == ("fight",) and tok.pos_ == "NOUN" and any(c.lower_ == "the" for c in tok.children):
                    continue  # "the fight against IS": a campaign, not a battle
                if tok.dep_ == "compound" and len(toks) == 1 and tok.head.pos_ in ("NOUN", "PROPN"):
                    continue  # "strike headquarters", "picket line", "attack helicopter": a modifier
                if tok.dep_ == "acl" and tok.tag_ == "VBN" and entry.type not in ("ASSAULT", "COERCE", "SANCTION"):
                    continue  # "a man accused of theft": a description, not a report of the accusation
                f = _Found(entry, toks, sent)
                _find_actors(f, ctx)
                for actor in (f.source, f.target):
                    if actor is not None and actor.sector == "state":
                        actor.sector = "military" if entry.type in ("ASSAULT", "MOBILIZE") else "government"
                if not _needs_ok(f, ctx, lemmas):
                    continue
                used.update(t.i for t in toks)
                found.append(f)
                break
        if not found:
            continue
        found = _merge_assaults(found)
        found = _merge_governed(found)
        mags = _attach_magnitudes(found, ctx)
        if last_assault is not None and all(_casualty_only(f) for f in found) and \
                _same_paragraph(doc.text, last_assault.sentence_end, sent.start_char) and \
                sent.start_char - last_assault.sentence_end < 3:
            # "Militants attacked a police post. Two officers were killed.": the toll is the attack's
            for f in found:
                for m in mags[id(f)]:
                    if last_assault.magnitude(m["kind"]) is None:
                        last_assault.magnitudes.append(m)
            continue
        for f in found:
            if _casualty_only(f) and f.trigger.lemmas == ("die",):
                continue  # "died" alone is no report of violence
            ev = _event(f, ctx, lemmas, mags[id(f)], sent_index)
            events.append(ev)
            if ev.plover_type == "ASSAULT" and ev.factuality == "asserted":
                last_assault = ev
    return events


def _casualty_only(f: _Found) -> bool:
    return f.trigger.type == "ASSAULT" and f.trigger.needs == "casualty" and f.source is None


def _same_paragraph(text: str, a: int, b: int) -> bool:
    return "\n\n" not in text[a:b] and "\n \n" not in text[a:b]


def _merge_assaults(found: list[_Found]) -> list[_Found]:
    """Casualty verbs ("killing six") and triggers inside another assault's clause join it."""
    assaults = [f for f in found if f.trigger.type == "ASSAULT"]
    strong = [f for f in assaults if f.trigger.needs != "casualty"]
    if not strong:  # "riots in which 15 people were killed": the deaths are the riot's
        strong = [f for f in found if f.trigger.type == "PROTEST" and f.trigger.mode == "riot"]
    keep: list[_Found] = []
    for f in found:
        if f.trigger.type == "ASSAULT" and f.trigger.needs == "casualty" and strong:
            host = min(strong, key=lambda s: abs(s.head.i - f.head.i))
            host.merged.append(f)
            if f.target is not None:
                host.casualty_targets.append(f.target)
                if host.target is None:
                    host.target = f.target  # "warplanes killed 22 people in a bombing": the people
            if host.source is None and f.source is not None and f.source.head.i not in [t.i for t in host.tokens]:
                host.source = f.source
            continue
        if f in strong and f is not strong[0] and f.trigger.type == "ASSAULT":
            first = strong[0]
            same_side = f.source is None or first.source is None or f.source.name == first.source.name
            if same_side and _near(first.head, f.head) and f.trigger.acled == first.trigger.acled or \
                    same_side and _ancestor(first.head, f.head) and f.source is None:
                first.merged.append(f)
                if first.target is None and f.target is not None:
                    first.target = f.target
                continue
        keep.append(f)
    return keep


#: Verbs whose complement event is their content, not a second event ("threatened to kill",
#: "agreed to withdraw", "called for a ceasefire", "refused to release"): PLOVER codes the verb.
ABSORBING = {"THREATEN", "AGREE", "DEMAND", "REJECT"}
THREAT_MODES = {"ASSAULT": "violence", "COERCE": "restrict", "SANCTION": "restrict", "MOBILIZE": "violence",
                "RETREAT": "territory"}
#: Event nouns that name the object of a verb of the same family ("signed a ceasefire agreement",
#: "imposed sanctions", "held a rally").
SAME_FAMILY = {("AGREE", "AGREE"), ("AGREE", "RETREAT"), ("SANCTION", "SANCTION"), ("COERCE", "ASSAULT"),
               ("PROTEST", "PROTEST"), ("CONSULT", "CONSULT"), ("MOBILIZE", "MOBILIZE"), ("DEMAND", "DEMAND"),
               ("REJECT", "REJECT"), ("DISAPPROVE", "DISAPPROVE"), ("SUPPORT", "SUPPORT"), ("AID", "AID"),
               ("RETREAT", "RETREAT"), ("THREATEN", "THREATEN"), ("CONCEDE", "CONCEDE"), ("COOPERATE", "COOPERATE")}


def _merge_governed(found: list[_Found]) -> list[_Found]:
    """A trigger inside another's clause that is its content or its object joins it: the
    complement of an absorbing verb, an event noun of the same family, or a purpose clause of the
    same type ("met Bush to discuss Iraq")."""
    gone: set[int] = set()
    for a in found:
        for b in found:
            if a is b or id(a) in gone or id(b) in gone or not _ancestor(a.head, b.head):
                continue
            direct = b.head.head.i == a.head.i or b.head.head.head.i == a.head.i
            absorb = a.trigger.type in ABSORBING and a.head.pos_ == "VERB" and b.head.dep_ in (
                "xcomp", "ccomp", "dobj", "pobj", "advcl") and a.trigger.type != b.trigger.type
            family = (a.trigger.type, b.trigger.type) in SAME_FAMILY and direct and (
                b.head.pos_ in ("NOUN", "PROPN") or a.trigger.type == b.trigger.type and b.head.dep_ in ("advcl", "xcomp"))
            if not (absorb or family):
                continue
            if absorb and _lemma(a.head) in ("call", "plan") and b.trigger.type == "PROTEST" and b.head.dep_ == "dobj":
                # "unions called a general strike for Wednesday": the strike is the event, still to come
                gone.add(id(a))
                b.source = b.source or a.source
                b.forced = "future"
                continue
            gone.add(id(b))
            a.merged.append(b)
            if a.target is None or (a.target.head.i in [t.i for t in b.tokens]):
                a.target = b.target
            if a.source is None:
                a.source = b.source
            if absorb and a.trigger.type == "THREATEN" and a.mode is None:
                a.mode = THREAT_MODES.get(b.trigger.type) or ("arrest" if b.trigger.mode == "arrest" else None)
            if b.trigger.acled and not a.trigger.acled and not absorb:
                a.acled_from = b.trigger.acled
    return [f for f in found if id(f) not in gone]


def _near(a: Token, b: Token) -> bool:
    return _ancestor(a, b) or _ancestor(b, a)


def _ancestor(a: Token, b: Token) -> bool:
    tok, hops = b, 0
    while tok is not tok.head and hops < 3:
        tok = tok.head
        hops += 1
        if tok.i == a.i:
            return True
    return False


def _event(f: _Found, ctx: _Context, lemmas: set[str], mags: list[dict], sent_index: dict[int, Span]) -> Event:
    f.factuality = f.forced or _factuality(f)
    dead = any(m["kind"] == "dead" for m in mags) or bool(lemmas & {"kill", "dead", "die", "death"})
    sub, mode = _classify(f, lemmas, dead) if f.factuality == "asserted" else (None, f.mode or f.trigger.mode)
    plover_type = f.trigger.type
    if plover_type == "PROTEST" and f.source is not None and f.source.sector in (None, "civilians", "other"):
        f.source.sector = "protesters"  # whoever protests or strikes is, for this event, a protester
    if plover_type == "ASSAULT" and f.source is not None and f.source.sector == "protesters" and \
            f.trigger.acled not in ("abduct", "mob") and f.source.head.lower_ not in ("mob", "mobs"):
        plover_type, mode = "PROTEST", "riot"  # violence by demonstrators is PROTEST's riot mode (PLOVER)
    if f.trigger.type == "ASSAULT" and mode in (None, "heavy-weapons") and sub not in (
            "Shelling/artillery/missile attack", "Air/drone strike") and lemmas & FIREARM_WORDS:
        mode = "firearms"
    elif f.trigger.type == "ASSAULT" and mode is None and lemmas & BLADE_WORDS:
        mode = "primitive"
    if f.factuality != "asserted" and f.trigger.type == "ASSAULT":
        weapon = _weapon(lemmas)
        mode = weapon[1] if weapon else mode
    place, precision = _place(f, ctx, sent_index)
    dref, time_precision, date_source = _date(f, ctx)
    toks = sorted(f.tokens, key=lambda t: t.i)
    if toks[-1].i - toks[0].i <= 3:
        start, end = toks[0].idx, toks[-1].idx + len(toks[-1])
    else:
        start, end = f.head.idx, f.head.idx + len(f.head)
    src, tgt = f.source, f.target
    if tgt is not None and not _actor_like(tgt, ctx):
        # "blocked roads", "criticised the measures", "captured large amounts": no one acted upon;
        # the object still shaped the ACLED type above (a building attacked is an Attack)
        tgt = next((a for a in f.casualty_targets if _actor_like(a, ctx)), None)
    confidence = f.trigger.weight + 0.08 * (src is not None) + 0.04 * (tgt is not None) + 0.04 * (place is not None)
    if f.factuality != "asserted":
        confidence -= 0.1
    context = [f.trigger.context] if f.trigger.context else []
    if lemmas & {"terrorist", "terrorism", "terror", "jihadist", "jihadi"} and "terrorism" not in context:
        context.append("terrorism")
    return Event(
        text=ctx.doc.text[start:end], start=start, end=end,
        sentence_start=f.sent.start_char, sentence_end=f.sent.end_char,
        plover_type=plover_type, plover_mode=mode, plover_context=context, factuality=f.factuality,
        acled_event_type=acled_event_type(sub), acled_sub_event_type=sub,
        source_actor=src.name if src else None, source_entity_id=src.entity_id if src else None,
        source_sector=_public_sector(src), source_country=src.country if src else None,
        source_start=src.start if src else None, source_end=src.end if src else None,
        target_actor=tgt.name if tgt else None, target_entity_id=tgt.entity_id if tgt else None,
        target_sector=_public_sector(tgt), target_country=tgt.country if tgt else None,
        target_start=tgt.start if tgt else None, target_end=tgt.end if tgt else None,
        place_id=place["place_id"] if place else None, place_name=place["name"] if place else None,
        country_code=place.get("country_code") if place else None, geo_precision=precision,
        place_start=place["start"] if place else None, place_end=place["end"] if place else None,
        date=dref["value"] if dref else None, date_start=dref.get("start") if dref else None,
        date_end=dref.get("end") if dref else None, time_precision=time_precision, date_source=date_source,
        magnitudes=mags, confidence=round(max(0.05, min(0.99, confidence)), 3),
    )


def _public_sector(actor: _Actor | None) -> str | None:
    if actor is None or actor.sector is None:
        return None
    return "other" if actor.sector == "sport" else actor.sector
