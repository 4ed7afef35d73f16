"""Quotations: who said what, with which cue, to which outlet.

Two kinds of quote come out of one parsed Doc:

* **Direct quotes** (``direct=True``): text between quote marks.  Marks are paired by a single
  left-to-right scan per paragraph (linear time, no regex backtracking).  Straight ``"…"``, curly
  ``“…”``, low-high ``„…“``, guillemets ``«…»`` and single ``‘…’`` / ``'…'`` marks are recognised;
  a mark between two letters or digits (``Isis’s``, ``don’t``) or before a decade (``’90s``) is
  an apostrophe.  A double quote still open at the end of a paragraph continues when the next
  paragraph opens with a mark (the newspaper convention for multi-paragraph quotes); the Quote
  then spans from after the first opening mark to before the final closing mark, paragraph break
  included.  ``text``/``start``/``end`` exclude the marks.
* **Reported speech** (``direct=False``): the clausal complement of a speech verb ("X said (that)
  …", "…, X warned") or, for "according to X", the rest of the sentence.

Attribution.  For a direct quote the cue is searched in the text around it, outside quote marks:
first in the same sentence after the closing mark (``"…," he said``), then before the opening
mark (``X said: "…"``), within a bounded window.  Pieces of a quote split around its cue
(``"…," he said, "…"``) and quotes with no cue of their own that share a sentence or a
paragraph run with an attributed quote inherit that attribution.  Short partial quotes inside a
sentence take the sentence's cue; with none, speaker and cue are None.

Speaker resolution from the cue's subject (``nsubj``; the object of "according to"):

1. a named entity mention at the subject's head → its canonical name and entity id;
2. he/she (him/her) → the most recent PERSON who was a subject or speaker before it; they → the
   most recent plural or organisation speaker; it → the most recent organisation;
3. a role noun ("the coordinator", "the mayor", "the EU's counter-terrorism coordinator") → the
   entity whose role (from the entities stage) has that head noun, nearest before; for a definite
   singular role noun with no holder, the most recent person speaker;
4. otherwise the noun phrase as written ("Security experts", "the report"), entity id None.

``speaker_start``/``speaker_end`` always point at the mention in the attributing clause (the
name, the pronoun or the role noun phrase) -- not at the antecedent a pronoun resolves to -- so a
reader sees the words the attribution rests on; ``speaker``/``speaker_entity_id`` carry the
resolution.

Outlet rule (the medium the statement was given to, never the article's own source):

* "told <NP>": the proper name in the object ("told German newspaper Die Welt" → "Die Welt";
  "told AFP"; "told Russia Today").  A bare common noun ("told reporters", "told the newspaper")
  or a person ("told Smith") is not an outlet → None.
* "in an interview with <NP>", "speaking to/with <NP>", "in comments/remarks to <NP>", "said on
  <NP>": the proper name, when it names an organisation or comes with a medium noun
  (newspaper, broadcaster, channel, agency, …).
* "said in a <document noun>" (study, report, article, op-ed, letter, memo, survey, …): the
  publication it appeared in when named ("in an op-ed for The Washington Post"), else the
  document noun itself as written ("said in a study published in July" → "study").
  "in a statement" and "in a speech" are not outlets.

Outlets are given as written ("AFP", "CPA"), without a leading "the" that is not part of the name.
Everything is bounded per quote (windows of at most a few dozen tokens), so run time is linear
in the document length whatever the number of quote marks.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from importlib import resources

from spacy.tokens import Doc, Token

from ..schema import Mention, Quote, Role
from .entities import NOT_ROLES, ROLE_NOUNS

def _lexicon(lang: str = "en") -> dict[str, frozenset[str]]:
    """The cue lexicon of ``data/quote_cues.<lang>.txt``: "[section]" headers, then words."""
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in resources.files("sitroom").joinpath("data", f"quote_cues.{lang}.txt").read_text(
            encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        elif line and current is not None:
            current.update(line.split())
    return {k: frozenset(v) for k, v in sections.items()}


_LEXICON = _lexicon()
#: Lemmas of verbs that introduce speech (and the thoughts/beliefs news attributes like speech).
SPEECH_VERBS = _LEXICON["speech_verbs"]
#: Verbs that are only cues with a clausal complement (too generic as direct-quote cues alone).
CLAUSE_ONLY = _LEXICON["clause_only"]
#: Extra lemmas accepted as reported-speech cues when they take a clausal complement.
CLAUSE_VERBS = _LEXICON["clause_verbs"]
#: Verbs of manner that frame an adjacent direct quote only ("…," Trump barked).
MANNER_VERBS = _LEXICON["manner_verbs"]
#: Verbs that attribute words they govern as a partial quote ("called Trump a “bully”").
GOVERNING_VERBS = SPEECH_VERBS | _LEXICON["governing_verbs"]
MEDIUM_NOUNS = _LEXICON["medium_nouns"]
DOC_NOUNS = _LEXICON["doc_nouns"]
ADDRESS_NOUNS = _LEXICON["address_nouns"]

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
PLURAL_PRONOUNS = frozenset({"they", "them"})
THING_PRONOUNS = frozenset({"it"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})

_WEEKDAYS_MONTHS = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
""".split())

_MARKS = re.compile("[\"“”„‟‘’‚‛'«»‹›]")
_ATTRIBUTE = re.compile(r'[\w:-]+="[^"\n<>]*"')
_PARA_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_DOUBLE = set("\"“”„‟«»")
_SINGLE = set("‘’‚‛'‹›")
#: how many tokens a cue may be from its quote, and the most tokens any frame scan may visit
WINDOW = 40


# -- finding quote spans ------------------------------------------------------------------------

@dataclass
class _Span:
    start: int  # content start (after the opening mark)
    end: int  # content end (before the closing mark)
    open_at: int  # index of the opening mark
    close_at: int  # index of the closing mark (== end when unclosed)
    closed: bool = True


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: blank-line separated, or line separated when the text has
    no blank lines at all."""
    sep = _PARA_BREAK if _PARA_BREAK.search(text) else re.compile(r"\n")
    out = []
    pos = 0
    for m in sep.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _flanks(text: str, i: int) -> tuple[bool, bool, str, str]:
    """(can_open, can_close, previous char, next char) for the mark at ``i``."""
    p = text[i - 1] if i > 0 else ""
    n = text[i + 1] if i + 1 < len(text) else ""
    p_space = p == "" or p.isspace()
    n_space = n == "" or n.isspace()
    can_open = not n_space and (p_space or p in "([{—–-/:;" or p in _DOUBLE or p in _SINGLE)
    can_close = not p_space and (n_space or n in ".,;:!?)]}—–-/…" or n in _DOUBLE or n in _SINGLE)
    return can_open, can_close, p, n


def _is_apostrophe(text: str, i: int, p: str, n: str) -> bool:
    if p.isalnum() and n.isalnum():  # don’t, Isis’s, O'Brien
        return True
    if n.isdigit():  # ’90s, '16
        j = i + 1
        while j < len(text) and j < i + 4 and text[j].isdigit():
            j += 1
        if j < len(text) and text[j] == "s" or j - i - 1 == 2:
            return True
    return False


def _double_spans(text: str, paras: list[tuple[int, int]]) -> list[_Span]:
    spans: list[_Span] = []
    pending: _Span | None = None  # a quote left open at the end of the previous paragraph
    pending_style = ""
    for pa, pb in paras:
        # the straight marks of a markup attribute (<tweet author="@x">) are not quotation marks
        attr = {i for m in _ATTRIBUTE.finditer(text, pa, pb) for i in (m.end() - 1, m.start() + m.group().index('"'))}
        marks = [m.start() for m in _MARKS.finditer(text, pa, pb) if text[m.start()] in _DOUBLE
                 and m.start() not in attr]
        open_at: int | None = None
        style = ""
        first_mark = True
        lead = pa
        while lead < pb and text[lead].isspace():
            lead += 1
        for i in marks:
            ch = text[i]
            can_open, can_close, _, _ = _flanks(text, i)
            if ch in "“„‟":
                kind = "close" if (ch == "“" and style == "„") or (can_close and not can_open) else "open"
                this_style = "„" if ch == "„" else "“"
            elif ch == "”":
                kind = "open" if (can_open and not can_close) else "close"
                this_style = "“"
            elif ch == "«":
                kind, this_style = "open", "«"
            elif ch == "»":
                kind, this_style = "close", "«"
            else:  # straight
                this_style = '"'
                if can_open and not can_close:
                    kind = "open"
                elif can_close and not can_open:
                    kind = "close"
                else:
                    kind = "either"
            # a pending multi-paragraph quote continues if this paragraph opens with a mark
            if first_mark and pending is not None:
                first_mark = False
                if i == lead and kind in ("open", "either") and this_style in (pending_style, '"', "“"):
                    open_at, style = pending.open_at, pending_style
                    pending = None
                    continue
            first_mark = False
            if open_at is None:
                if kind in ("open", "either"):
                    open_at, style = i, this_style
            else:
                same = this_style == style or (style == "„" and ch == "“") or (style == "“" and ch == "”")
                if not same:
                    continue  # a mark of another style inside the quote: nested, ignore
                if kind in ("close", "either"):
                    spans.append(_Span(open_at + 1, i, open_at, i))
                    open_at = None
                elif kind == "open":
                    open_at = i  # the earlier opener was never closed: restart here
        if pending is not None:  # open at the end of the last paragraph, not continued here
            spans.append(_close_unclosed(text, pending, pending.close_at))
            pending = None
        if open_at is not None:
            pending = _Span(open_at + 1, pb, open_at, pb, closed=False)
            pending_style = style
    if pending is not None:
        spans.append(_close_unclosed(text, pending, pending.close_at))
    return [s for s in spans if s.end > s.start and text[s.start:s.end].strip()]


def _close_unclosed(text: str, span: _Span, para_end: int) -> _Span:
    end = para_end
    while end > span.start and text[end - 1].isspace():
        end -= 1
    return _Span(span.start, end, span.open_at, end, closed=False)


def _single_spans(text: str, paras: list[tuple[int, int]], taken: list[_Span]) -> list[_Span]:
    """Single-mark quotes outside double-quoted text (inside it they are nested quotes)."""
    starts = [s.open_at for s in taken]
    spans: list[_Span] = []
    for pa, pb in paras:
        open_at: int | None = None
        style = ""
        weak: int | None = None  # a plural possessive that might be the closer after all
        for m in _MARKS.finditer(text, pa, pb):
            i = m.start()
            ch = text[i]
            if ch not in _SINGLE:
                continue
            k = bisect.bisect_right(starts, i) - 1
            if k >= 0 and taken[k].open_at <= i <= taken[k].close_at:
                continue
            can_open, can_close, p, n = _flanks(text, i)
            if ch in "‘’'" and _is_apostrophe(text, i, p, n):
                continue
            if ch == "‹":
                kind, this_style = "open", "‹"
            elif ch == "›":
                kind, this_style = "close", "‹"
            elif ch in "‘‚‛":
                kind, this_style = ("open" if can_open else "none"), "‘"
            elif ch == "’":
                kind, this_style = ("close" if can_close else "none"), "‘"
            else:  # straight
                this_style = "'"
                kind = "open" if can_open and not can_close else "close" if can_close else "none"
            if kind == "none":
                continue
            if open_at is None:
                if kind == "open":
                    open_at, style, weak = i, this_style, None
                continue
            if this_style != style:
                continue
            if kind == "open":
                open_at, weak = i, None
            else:
                # "the fighters’ families": a possessive, unless nothing better closes the quote
                if p in "sS" and n == " " and i + 2 < pb and text[i + 2].isalnum() and text[i + 2].islower():
                    weak = i
                    continue
                spans.append(_Span(open_at + 1, i, open_at, i))
                open_at, weak = None, None
        if open_at is not None and weak is not None:
            spans.append(_Span(open_at + 1, weak, open_at, weak))
    return [s for s in spans if s.end > s.start and text[s.start:s.end].strip()]


def find_quote_spans(text: str) -> list[_Span]:
    """All direct-quote spans of ``text`` (content offsets, marks excluded), in text order."""
    paras = _paragraphs(text)
    doubles = _double_spans(text, paras)
    singles = _single_spans(text, paras, doubles)
    spans = sorted(doubles + singles, key=lambda s: s.start)
    # trim whitespace inside the marks
    out = []
    for s in spans:
        a, b = s.start, s.end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append(_Span(a, b, s.open_at, s.close_at, s.closed))
    return out


# -- document helpers ---------------------------------------------------------------------------

@dataclass
class _Speaker:
    name: str | None
    entity_id: str | None
    start: int | None
    end: int | None
    label: str = ""  # PERSON, ORG, ... or "" for a plain phrase
    plural: bool = False


@dataclass
class _Attribution:
    speaker: _Speaker
    cue: Token  # the cue verb (or "according")
    cue_start: int
    cue_end: int
    cue_text: str
    outlet: str | None


class _Context:
    """Per-document lookups, built once in linear time."""

    def __init__(self, doc: Doc, mentions: list[Mention], roles: list[Role],
                 names: dict[str, tuple[str, str]], spans: list[_Span]):
        self.doc = doc
        self.text = doc.text
        self.names = names
        self.parsed = doc.has_annotation("DEP")
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.m_starts = [m.start for m in self.mentions]
        self.tok_starts = [t.idx for t in doc]
        # tokens inside direct quotes (content or marks)
        self.in_quote = bytearray(len(doc))
        for s in spans:
            a = self.token_at(s.open_at)
            b = self.token_at(max(s.open_at, s.close_at))
            for i in range(a, b + 1):
                self.in_quote[i] = 1
        # paragraph id per token
        self.paras = _paragraphs(self.text)
        para_starts = [a for a, _ in self.paras]
        self.para_of = [max(0, bisect.bisect_right(para_starts, t.idx) - 1) for t in doc]
        # sentence bounds per token
        self.sent_start = [0] * len(doc)
        self.sent_end = [len(doc)] * len(doc)
        if doc.has_annotation("SENT_START"):
            for sent in doc.sents:
                for i in range(sent.start, sent.end):
                    self.sent_start[i] = sent.start
                    self.sent_end[i] = sent.end
        # roles by head noun
        self.roles_by_head: dict[str, list[Role]] = {}
        for r in roles:
            head = _role_head(r.role)
            if head:
                self.roles_by_head.setdefault(head, []).append(r)
        for lst in self.roles_by_head.values():
            lst.sort(key=lambda r: r.start)
        # people who were subjects (pronoun antecedents), in text order
        self.people: list[tuple[int, _Speaker]] = []
        self.groups: list[tuple[int, _Speaker]] = []  # organisations / plural speakers
        self.personlike: list[tuple[int, _Speaker]] = []  # untagged or ORG-tagged surnames

    def token_at(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.tok_starts, char) - 1)

    def mention_at(self, char: int) -> Mention | None:
        k = bisect.bisect_right(self.m_starts, char) - 1
        if k >= 0 and self.mentions[k].start <= char < self.mentions[k].end:
            return self.mentions[k]
        return None

    def name_of(self, m: Mention) -> str:
        return self.names.get(m.entity_id, (m.entity_key or m.text, m.label))[0]


def _role_head(role: str) -> str:
    if role.startswith("affiliated with"):
        return ""
    core = re.split(r",| of | for | at | in | to ", role)[0].strip()
    words = core.split()
    return _singular(words[-1].lower()) if words else ""


def _singular(word: str) -> str:
    if word in ("spokesmen",):
        return "spokesman"
    if word.endswith("men"):
        return word[:-3] + "man"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _is_role_word(tok: Token) -> bool:
    low = tok.lower_
    if low in NOT_ROLES:
        return False
    return low in ROLE_NOUNS or _singular(low) in ROLE_NOUNS or (
        tok.pos_ == "NOUN" and low.endswith("ist") and len(low) > 5)


def _is_cue(tok: Token, with_clause: bool = False) -> bool:
    if tok.lower_ == "according":
        nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
        return nxt is not None and nxt.lower_ == "to"
    if tok.pos_ not in ("VERB",) and not (tok.pos_ == "AUX" and tok.lemma_ == "say"):
        return False
    lemma = tok.lemma_.lower()
    if lemma in SPEECH_VERBS:
        return with_clause or lemma not in CLAUSE_ONLY or any(c.dep_ == "ccomp" for c in tok.children)
    return with_clause and lemma in CLAUSE_VERBS


def _past_forms(lemmas: frozenset[str]) -> frozenset[str]:
    """Past-tense forms of cue lemmas ("stated", "tweeted", "said"), to catch a cue the tagger
    took for a name or noun ("Stated Stone: “…”").  Past forms only: "report", "claims" and
    "notes" are nouns as often as verbs."""
    forms = {"said", "told", "wrote", "spoke", "declared"}
    for w in lemmas:
        if w.endswith("e"):
            forms.add(w + "d")
        elif w.endswith("y") and w[-2:-1] not in "aeiou":
            forms.add(w[:-1] + "ied")
        else:
            forms.add(w + "ed")
    return frozenset(forms)


_DIRECT_PAST = _past_forms((SPEECH_VERBS - CLAUSE_ONLY) | MANNER_VERBS)


def _frames(tok: Token) -> bool:
    """A cue that may frame a direct quotation next to it: a speech verb, a verb of manner
    ("barked", "beamed"), "went on", or a past speech form the tagger misread."""
    if _is_cue(tok):
        return True
    if tok.pos_ == "VERB":
        lemma = tok.lemma_.lower()
        if lemma in MANNER_VERBS:
            return True
        if lemma == "go" and any(c.dep_ == "prt" and c.lower_ == "on" for c in tok.children):
            return True
    return tok.pos_ in ("PROPN", "NOUN", "ADJ") and tok.lower_ in _DIRECT_PAST


def _cue_span(tok: Token) -> tuple[int, int]:
    if tok.lower_ == "according":
        to = tok.nbor(1)
        return tok.idx, to.idx + len(to)
    end = tok.idx + len(tok)
    for c in tok.children:  # particle: "pointed out"
        if c.dep_ == "prt" and c.i == tok.i + 1:
            end = c.idx + len(c)
    return tok.idx, end


# -- speakers -----------------------------------------------------------------------------------

def _subject(cue: Token, ctx: _Context) -> Token | None:
    if cue.lower_ == "according":
        to = cue.nbor(1)
        objs = [c for c in to.children if c.dep_ == "pobj"] or [c for c in cue.children if c.dep_ == "pobj"]
        return objs[0] if objs else None
    h = cue
    for _ in range(4):
        subs = [c for c in h.children if c.dep_ in ("nsubj", "nsubjpass") and not ctx.in_quote[c.i]]
        if subs:
            s = subs[0]
            if s.i < h.i:
                s = _after_colon(s, h, ctx)
            if s.lower_ in RELATIVE_PRONOUNS and h.dep_ == "relcl":
                return h.head
            return s
        if h.dep_ == "relcl" or h.dep_ == "acl" and h.tag_ in ("VBD", "VBZ", "VBP") \
                and h.head.pos_ in ("PROPN", "NOUN"):
            return h.head  # "…,” Murphy, the head of X, Tweeted": a finite "acl" is a misparse
        if h.dep_ in ("xcomp", "advcl", "conj", "pcomp", "ccomp", "acl") and h.head is not h \
                or h.dep_ == "dep" and h.pos_ == "VERB" and h.head.pos_ == "VERB" \
                or h.dep_ == "prep" and h.pos_ == "ADP" and h.head is not h:  # "began by saying"
            if h.dep_ == "ccomp" and h.head.lemma_.lower() not in ("go", "continue", "have"):
                break
            h = h.head
            continue
        break
    if cue.tag_ == "VBG" and cue.i > 0 and cue.doc[cue.i - 1].text == ",":
        # "X shared the news on Friday, writing “…”": the participle's subject is the clause's
        for k in range(cue.i - 2, max(ctx.sent_start[cue.i], cue.i - WINDOW) - 1, -1):
            t = cue.doc[k]
            if t.pos_ in ("VERB", "AUX") and not ctx.in_quote[k]:
                subs = [c for c in t.children if c.dep_ == "nsubj" and not ctx.in_quote[c.i]]
                if subs:
                    return subs[0]
    return _adjacent_subject(cue, ctx)


def _adjacent_subject(cue: Token, ctx: _Context) -> Token | None:
    """When the parse gives the cue no subject (misparsed inversions: "…, warned Raffaello
    Pantucci"; "…," Black Flags From the Islamic State promised), the noun phrase right before
    the cue, else (not for "tell", whose object is the addressee) right after it."""
    doc = ctx.doc

    def root_of(lo: int, hi: int) -> Token | None:
        nouns = [doc[i] for i in range(lo, hi) if doc[i].pos_ in ("NOUN", "PROPN", "PRON")]
        if not nouns:
            return None
        for t in nouns:
            if not (lo <= t.head.i < hi):
                return t
        return nouns[-1]

    def back(end: int) -> int:
        i = end - 1
        while i >= 0 and end - i <= 8 and not ctx.in_quote[i] and not doc[i].is_punct \
                and doc[i].pos_ not in ("VERB", "AUX", "SPACE"):
            i -= 1
        return i

    i = back(cue.i)
    got = root_of(i + 1, cue.i) if i + 1 < cue.i else None
    if got is not None:
        return got
    if i >= 1 and i == cue.i - 1 and doc[i].text == ",":
        # "…,” Ramos, 58, told AFP" / "her senior adviser, Jake Sullivan, said:": step over one
        # comma-delimited apposition; the name is the phrase before it, or the apposition itself
        # when the phrase before is a role ("her senior adviser") rather than a name
        k = i - 1
        while k >= 1 and i - k <= 15 and doc[k].text not in (",", ".", "!", "?", ";") \
                and not (doc[k].text in ("”", '"', "’") and doc[k - 1].text in (",", ".", "!", "?")):
            k -= 1  # never back past the end of the quotation itself (“…,” X, …, said)
        if k >= 1 and doc[k].text == ",":
            inner = root_of(k + 1, i)
            j = back(k)
            outer = root_of(j + 1, k) if j + 1 < k else None
            if outer is not None and outer.pos_ == "PROPN":
                return outer
            if inner is not None and inner.pos_ == "PROPN":
                return inner
            if outer is not None:
                return outer
    if cue.lemma_.lower() == "tell":
        return None
    j = cue.i + 1
    while j < len(doc) and j - cue.i <= 8 and not ctx.in_quote[j] and not doc[j].is_punct \
            and doc[j].pos_ not in ("VERB", "AUX", "SPACE", "ADP", "SCONJ"):
        j += 1
    if j > cue.i + 1:
        got = root_of(cue.i + 1, j)
        if got is not None and got.pos_ == "PROPN" or got is not None and doc[cue.i + 1].pos_ == "DET":
            return got
    return None


def _after_colon(subj: Token, verb: Token, ctx: _Context) -> Token:
    """"DEIR EZ-ZOR: The Syrian Democratic Forces said": a dateline before a colon is not the
    subject; the root of the words between the colon and the verb is."""
    doc = ctx.doc
    colon = None
    for i in range(subj.i + 1, verb.i):
        if doc[i].text in (":", "—", "–") and not ctx.in_quote[i]:
            colon = i
    if colon is None:
        return subj
    seg = range(colon + 1, verb.i)
    for i in seg:
        t = doc[i]
        if not (colon < t.head.i < verb.i) and t.pos_ in ("NOUN", "PROPN", "PRON"):
            return t
    return subj


def _phrase(tok: Token, ctx: _Context) -> tuple[int, int]:
    """Char span of the noun phrase headed by ``tok`` (no relative clauses or appositions)."""
    left = tok.left_edge
    while left.i < tok.i and (left.is_punct or ctx.in_quote[left.i]):
        left = ctx.doc[left.i + 1]
    right = tok
    for c in tok.rights:
        if c.dep_ == "prep" and c.lower_ in ("of", "at", "from", "for", "in", "with") and c.i == right.i + 1:
            sub = list(c.subtree)
            if len(sub) <= 8 and not any(ctx.in_quote[t.i] for t in sub):
                right = sub[-1]
        elif c.dep_ in ("compound", "flat") and c.i == right.i + 1:
            right = c
    return left.idx, right.idx + len(right)


def _resolve(subj: Token, ctx: _Context) -> _Speaker:
    text = ctx.text
    # 1. a named mention at the head (or an apposition/compound that names a person)
    m = ctx.mention_at(subj.idx)
    if m is None:
        for c in subj.children:
            if c.dep_ in ("appos", "compound", "flat") and c.i > subj.i:
                cm = ctx.mention_at(c.idx)
                if cm is not None and cm.label == "PERSON":
                    m = cm
                    break
    if m is not None and m.label not in ("DATE", "CARDINAL"):
        plural = m.label in ("ORG", "NORP", "GPE")
        return _Speaker(ctx.name_of(m), m.entity_id or None, m.start, m.end, m.label, plural)
    low = subj.lower_
    a, b = subj.idx, subj.idx + len(subj)
    # 2. pronouns
    if low in PERSON_PRONOUNS:
        ante = _latest(ctx.people, a) or _latest(ctx.personlike, a)
        if ante is not None:
            return _Speaker(ante.name, ante.entity_id, a, b, "PERSON")
        return _Speaker(subj.text, None, a, b)
    if low in PLURAL_PRONOUNS or low in THING_PRONOUNS:
        ante = _latest(ctx.groups, a, need_plural=low in PLURAL_PRONOUNS,
                       need_org=low in THING_PRONOUNS)
        if ante is not None:
            return _Speaker(ante.name, ante.entity_id, a, b, ante.label, ante.plural)
        return _Speaker(subj.text, None, a, b, "", low in PLURAL_PRONOUNS)
    pa, pb = _phrase(subj, ctx)
    # a person named inside the phrase ("Turkey's Deputy Prime Minister Numan Kurtulmus")
    k = bisect.bisect_left(ctx.m_starts, pa)
    while k < len(ctx.mentions) and ctx.mentions[k].start < pb:
        pm = ctx.mentions[k]
        if pm.label == "PERSON" and pm.end <= pb:
            return _Speaker(ctx.name_of(pm), pm.entity_id or None, pm.start, pm.end, "PERSON")
        k += 1
    plural = subj.tag_ in ("NNS", "NNPS")
    # 3. role nouns
    if _is_role_word(subj):
        head = _singular(low)
        holders = ctx.roles_by_head.get(head, [])
        definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") or c.dep_ == "poss"
                       for c in subj.children)
        if holders and not plural:
            before = [r for r in holders if r.start < a]
            r = before[-1] if before else holders[0]
            name = ctx.names.get(r.entity_id, (None, ""))
            if name[0]:
                return _Speaker(name[0], r.entity_id, pa, pb, name[1])
        if definite and not plural:
            # the most recent person; in a lede ("the coordinator said ...") the person named next
            ante = _latest(ctx.people, a) or _latest(ctx.personlike, a) or _next(ctx.people, pb)
            if ante is not None:
                return _Speaker(ante.name, ante.entity_id, pa, pb, "PERSON")
    return _Speaker(text[pa:pb], None, pa, pb, "", plural)


def _latest(history: list[tuple[int, _Speaker]], pos: int, need_plural: bool = False,
            need_org: bool = False) -> _Speaker | None:
    k = bisect.bisect_left(history, pos, key=lambda h: h[0]) - 1
    steps = 0
    while k >= 0 and steps < 50:
        sp = history[k][1]
        if need_org and sp.label in ("ORG", "GPE"):
            return sp
        if need_plural and (sp.plural or sp.label in ("ORG", "NORP", "GPE")):
            return sp
        if not need_org and not need_plural:
            return sp
        k -= 1
        steps += 1
    return None


def _next(history: list[tuple[int, _Speaker]], pos: int) -> _Speaker | None:
    k = bisect.bisect_left(history, pos, key=lambda h: h[0])
    return history[k][1] if k < len(history) else None


def _personlike(tok: Token, sp: _Speaker, ctx: _Context) -> bool:
    """A proper-name subject of a speech verb that NER left untagged or tagged ORG ("‘…,’
    Reinholt said"): a person as far as pronouns are concerned, when no PERSON is at hand."""
    if sp.label not in ("", "ORG") or tok.pos_ != "PROPN":
        return False
    name = sp.name or ""
    words = name.split()
    if not words or len(words) > 3 or any(not w[:1].isupper() or w.isupper() for w in words):
        return False
    return _is_cue(tok.head) and tok.head.lemma_.lower() not in CLAUSE_VERBS


def _build_history(ctx: _Context) -> None:
    """Subjects that pronouns can point back to: named persons and organisations in subject
    position (or the object of "according to"), and role nouns resolved to their holders."""
    if not ctx.parsed:
        return
    for tok in ctx.doc:
        if ctx.in_quote[tok.i]:
            continue
        is_subj = tok.dep_ in ("nsubj", "nsubjpass") or (
            tok.dep_ == "pobj" and tok.head.lower_ == "to" and tok.head.i > 0
            and ctx.doc[tok.head.i - 1].lower_ == "according")
        if not is_subj or tok.lower_ in PERSON_PRONOUNS or tok.lower_ in PLURAL_PRONOUNS \
                or tok.lower_ in THING_PRONOUNS or tok.lower_ in RELATIVE_PRONOUNS:
            continue
        sp = _resolve(tok, ctx)
        if sp.entity_id and sp.label == "PERSON":
            ctx.people.append((tok.idx, sp))
        elif _personlike(tok, sp, ctx):
            ctx.personlike.append((tok.idx, sp))
        elif sp.entity_id or sp.plural:
            ctx.groups.append((tok.idx, sp))


# -- outlets ------------------------------------------------------------------------------------

def _name_after(tok_i: int, ctx: _Context, require_medium: bool) -> str | None:
    """The outlet name in the noun phrase starting at token ``tok_i``: skip determiners,
    adjectives and medium nouns, then take a run of capitalised words."""
    doc = ctx.doc
    i = tok_i
    has_medium = False
    limit = min(len(doc), tok_i + 12)
    while i < limit:
        t = doc[i]
        if t.lower_ in ("the", "a", "an") or t.pos_ in ("ADJ", "NUM") and t.text[:1].islower() \
                or t.ent_type_ == "NORP" or t.lower_ in ("'s", "’s"):
            i += 1
            continue
        if t.lower_ in MEDIUM_NOUNS or t.lower_ in ("news", "media", "state-run", "state", "public", "daily"):
            has_medium = has_medium or t.lower_ in MEDIUM_NOUNS
            if t.text[:1].isupper() and t.lower_ not in MEDIUM_NOUNS:
                break
            i += 1
            continue
        break
    while i < limit and doc[i].is_quote and doc[i].text in "\"“«‘'":  # the newspaper “The Guardian”
        i += 1
    j = i
    while j < limit:
        t = doc[j]
        if t.text == "(" and j + 2 < limit and doc[j + 1].text[:1].isupper() and doc[j + 2].text == ")":
            j += 3  # "The (London) Telegraph"
            continue
        if t.text[:1].isupper() and t.lower_ not in _WEEKDAYS_MONTHS and not t.is_punct:
            j += 1
            continue
        if j > i and t.lower_ in ("of", "&", "and", "-") and j + 1 < limit and doc[j + 1].text[:1].isupper():
            j += 1
            continue
        break
    if j == i:
        return None
    a, b = doc[i].idx, doc[j - 1].idx + len(doc[j - 1])
    run = re.sub(r"^\([^)]*\)\s*", "", ctx.text[a:b])
    m = ctx.mention_at(a)
    labels = set()
    k = bisect.bisect_left(ctx.m_starts, a)
    while k < len(ctx.mentions) and ctx.mentions[k].start < b:
        labels.add(ctx.mentions[k].label)
        k += 1
    if not has_medium:
        if require_medium and not (labels & {"ORG", "WORK_OF_ART", "PRODUCT"}):
            return None
        if labels and labels <= {"PERSON", "NORP", "DATE", "TIME", "CARDINAL"}:
            return None
        if labels == {"GPE"} and m is not None and m.start == a and m.end == b:
            return None  # "told Russia" is a country, not an outlet
        if not labels and doc[i].pos_ != "PROPN":
            return None
    if run.lower().startswith("the ") and len(run.split()) > 1:
        inner = ctx.mention_at(a + 4)
        if inner is not None and inner.start == a + 4:
            return inner.text  # "the Continental Press Agency" -> the name as NER trims it
    return run


def _outlet(cue: Token, ctx: _Context, skip: tuple[int, int] | None) -> str | None:
    """The medium addressed, from the words around the cue (see the module docstring)."""
    doc = ctx.doc
    if cue.lower_ == "according":
        # "according to X in the British newspaper “The Guardian”"
        for t in cue.subtree:
            if t.lower_ in ("in", "to") and t.i > cue.i + 1 and t.i + 1 < len(doc):
                got = _name_after(t.i + 1, ctx, require_medium=True)
                if got:
                    return got
        return None

    def usable(t: Token) -> bool:
        return not ctx.in_quote[t.i] and not (skip and skip[0] <= t.idx < skip[1])

    if cue.lemma_.lower() == "tell":
        objs = [c for c in cue.children if c.dep_ in ("dobj", "dative", "iobj") and c.i > cue.i]
        start = cue.i + 1
        if start < len(doc) and usable(doc[start]) and (objs or doc[start].text[:1].isupper()
                                                         or doc[start].lower_ in ("the", "a")):
            got = _name_after(start, ctx, require_medium=False)
            if got:
                return got
    # "in an interview with X", "speaking to X", "in comments to X", "said on X", "in a study"
    lo = max(ctx.sent_start[cue.i], cue.i - WINDOW)
    hi = min(ctx.sent_end[cue.i], cue.i + WINDOW)
    for i in range(lo, hi):
        t = doc[i]
        if not usable(t):
            continue
        low = t.lower_
        if low in ("with", "to") and i > 0 and (doc[i - 1].lower_ in ADDRESS_NOUNS or (
                doc[i - 1].lemma_ in ("speak", "talk") and doc[i - 1].pos_ == "VERB")):
            got = _name_after(i + 1, ctx, require_medium=False)
            if got:
                return got
        if low == "told" and i != cue.i and doc[i].pos_ == "VERB":
            got = _name_after(i + 1, ctx, require_medium=True)
            if got:
                return got
    for c in cue.children:
        if c.dep_ == "prep" and c.lower_ == "on" and usable(c):
            got = _name_after(c.i + 1, ctx, require_medium=True)
            if got:
                return got
        if c.dep_ == "prep" and c.lower_ == "in" and usable(c):
            objs = [o for o in c.children if o.dep_ == "pobj"]
            if objs and objs[0].lower_ in DOC_NOUNS or objs and objs[0].lemma_.lower() in DOC_NOUNS:
                noun = objs[0]
                for p in noun.children:
                    if p.dep_ == "prep" and p.lower_ in ("for", "in", "by") and p.i == noun.i + 1:
                        got = _name_after(p.i + 1, ctx, require_medium=True)
                        if got:
                            return got
                return noun.text
    return None


# -- attribution --------------------------------------------------------------------------------

def _attribution(cue: Token, ctx: _Context, content: tuple[int, int] | None) -> _Attribution | None:
    subj = _subject(cue, ctx)
    if subj is None:
        return None
    if content and content[0] <= subj.idx < content[1] and cue.lower_ != "according":
        return None
    speaker = _resolve(subj, ctx)
    cs, ce = _cue_span(cue)
    if speaker.start is not None and speaker.start <= cs < speaker.end:
        # a cue the tagger read as part of the name ("Stated Stone: “…”"): the name is what follows
        rest = ctx.text[ce:speaker.end]
        a = ce + len(rest) - len(rest.lstrip())
        if a >= speaker.end:
            return None
        speaker = _Speaker(ctx.text[a:speaker.end], None, a, speaker.end, speaker.label)
    return _Attribution(speaker, cue, cs, ce, ctx.text[cs:ce], _outlet(cue, ctx, content))


def _governing_cue(ctx: _Context, first: int, last: int) -> Token | None:
    """A speech or evaluation verb outside the quote that governs it syntactically."""
    doc = ctx.doc
    heads = []
    for i in range(first, min(last + 1, first + 400)):
        h = doc[i].head
        if not (first <= h.i <= last):
            heads.append(h)
    for h in heads[:5]:
        for _ in range(6):
            if ctx.in_quote[h.i]:
                break
            if h.pos_ == "VERB" and h.lemma_.lower() in GOVERNING_VERBS:
                return h
            if h.head is h or h.dep_ in ("relcl",) and h.head.pos_ in ("NOUN", "PROPN"):
                break
            h = h.head
    return None


def _dash_speaker(ctx: _Context, span: _Span) -> _Attribution | None:
    """“…” ― Jorge Ramos: a name right after a dash that follows the closing mark."""
    if not span.closed:
        return None
    text = ctx.text
    j = span.close_at + 1
    while j < len(text) and j < span.close_at + 4 and text[j] in " \u00a0\t":
        j += 1
    if j >= len(text) or text[j] not in "―—–":
        return None
    j += 1
    while j < len(text) and text[j] in " \u00a0\t":
        j += 1
    m = ctx.mention_at(j)
    if m is None or m.start != j or m.label not in ("PERSON", "ORG", "NORP", "GPE"):
        # an untagged name: up to four capitalised words
        mm = re.match(r"(?:[A-Z][\w.'’-]*\s?){1,4}", text[j:j + 80])
        if not mm or not mm.group().strip():
            return None
        a, b = j, j + len(mm.group().rstrip())
        sp = _Speaker(text[a:b], None, a, b)
    else:
        sp = _Speaker(ctx.name_of(m), m.entity_id or None, m.start, m.end, m.label)
    tok = ctx.doc[ctx.token_at(j)]
    return _Attribution(sp, tok, j - 1, j - 1, "", None)


def _colon_speaker(ctx: _Context, span: _Span) -> _Attribution | None:
    """A name right before a colon that opens the quote, with no cue verb: a transcript line
    ("RAMOS: “…”"), a headline ("Trump: ‘I’m …’") or "… surprise pollster Daron Shaw: “…”".
    Only a person's name, a name after a role noun ("pollster X"), or a capitalised name
    starting its paragraph."""
    text = ctx.text
    k = span.open_at
    while k > 0 and text[k - 1] in " \u00a0\t":
        k -= 1
    if k == 0 or text[k - 1] != ":":
        return None
    k -= 1
    m = ctx.mention_at(k - 1) if k > 0 else None
    para_start = ctx.paras[ctx.para_of[ctx.token_at(k)]][0]
    first = ctx.token_at(m.start) if m is not None else 0
    after_role = m is not None and first > 0 and (_is_role_word(ctx.doc[first - 1]) or (
        ctx.doc[first - 1].pos_ == "NOUN" and ctx.doc[first - 1].text.islower()))
    if m is not None and m.end == k and (m.label == "PERSON" or m.start == para_start or after_role):
        sp = _Speaker(ctx.name_of(m), m.entity_id or None, m.start, m.end, m.label)
    else:
        line = text[para_start:k]
        mm = re.fullmatch(r"\s*((?:[A-Z][\w.'’-]*\s?){1,3})", line)
        if not mm:
            return None
        a, b = para_start + mm.start(1), para_start + mm.start(1) + len(mm.group(1).rstrip())
        sp = _Speaker(text[a:b], None, a, b)
    tok = ctx.doc[ctx.token_at(k)]
    return _Attribution(sp, tok, k, k, "", None)


def _frame_cue(ctx: _Context, span: _Span) -> Token | None:
    """The cue of a direct quote: a speech verb that governs it; else one after it in the same
    sentence; else one before it (in the sentence, or ending the previous paragraph with a
    colon)."""
    doc = ctx.doc
    if not ctx.parsed or not len(doc):
        return None
    text = ctx.text
    first = ctx.token_at(span.open_at)
    last = ctx.token_at(max(span.open_at, span.close_at - 1 if not span.closed else span.close_at))
    gov = _governing_cue(ctx, first + 1, last - 1 if span.closed else last)
    if gov is not None and _subject(gov, ctx) is not None:
        return gov
    para = ctx.para_of[first]
    inner = text[span.start:span.end].rstrip()
    ends_sentence = inner[-1:] in (".",) and span.closed
    # after the closing mark
    after: Token | None = None
    i = last + 1
    steps = 0
    while i < len(doc) and steps < WINDOW and ctx.para_of[i] == ctx.para_of[last]:
        t = doc[i]
        steps += 1
        if ctx.in_quote[t.i]:
            break
        if t.text in (".", "!", "?") or t.text == ";":
            break
        if _frames(t):
            after = t
            break
        i += 1
    if after is not None and ends_sentence:
        # "…." He said.  -- only a cue right after the quote, never a new sentence's verb
        if steps > 4 or doc[last + 1].text[:1].isupper() and doc[last + 1].pos_ not in ("PRON", "PROPN"):
            after = None
    # before the opening mark, within the sentence
    before: Token | None = None
    i = first - 1
    steps = 0
    lo = ctx.sent_start[first]
    while i >= 0 and steps < WINDOW and ctx.para_of[i] == para and i >= lo:
        t = doc[i]
        steps += 1
        if not ctx.in_quote[t.i]:
            if _frames(t):
                before = t
                break
            if t.text in (".", "!", "?") and i < first - 1:
                break
        i -= 1
    if before is None and after is None and ctx.para_of[first] > 0:
        # He said:\n\n“…”  -- the cue ends the previous paragraph with a colon
        pa, _ = ctx.paras[ctx.para_of[first]]
        if text[pa:span.open_at].strip() == "":
            k = first - 1
            while k >= 0 and doc[k].is_space:
                k -= 1
            if k >= 0 and doc[k].text == ":":
                i, steps = k - 1, 0
                while i >= 0 and steps < WINDOW and not ctx.in_quote[i] and doc[i].text not in (".", "!", "?"):
                    if _frames(doc[i]):
                        return doc[i]
                    i -= 1
                    steps += 1
    if after is not None and before is not None:
        gap_before = text[before.idx:span.open_at]
        if gap_before.rstrip().endswith(":") or (inner[-1:] not in (",", "?", "!", "—", "–", "-")
                                                 and not text[span.close_at + 1:span.close_at + 3].strip().startswith(",")):
            # "X said: “…” …" or a partial quote inside "X said … “…” …"
            return before
        return after
    return after or before


def find_quotes(doc: Doc, mentions: list[Mention], roles: list[Role],
                names: dict[str, tuple[str, str]]) -> list[Quote]:
    """Direct and reported quotes of ``doc``, attributed (see the module docstring)."""
    text = doc.text
    spans = find_quote_spans(text)
    ctx = _Context(doc, mentions, roles, names, spans)
    _build_history(ctx)
    quotes: list[Quote] = []
    # -- direct quotes
    prev: tuple[_Span, _Attribution | None] | None = None
    attributed: list[tuple[_Span, _Attribution | None]] = []
    for span in spans:
        if _is_name(text, span):
            continue
        cue = _frame_cue(ctx, span)
        att = _attribution(cue, ctx, (span.start, span.end)) if cue is not None else None
        if att is None:
            att = _dash_speaker(ctx, span) or _colon_speaker(ctx, span)
        if att is None and prev is not None:
            att = _inherit(ctx, prev, span)
        attributed.append((span, att))
        prev = (span, att)
    partial = {id(span) for span, _ in attributed if _is_partial(ctx, span)}
    for span, att in attributed:
        if id(span) in partial and att is None:
            continue  # a partial quotation no one is said to speak: a scare quote ("the so-called “X”")
        # a partial quotation stays beside the paraphrase holding it: other outlets repeat such words
        quotes.append(_make(text, span.start, span.end, att, id(span) not in partial))
    # -- reported speech
    if ctx.parsed:
        direct = [(s.open_at, s.close_at + 1) for s in spans if id(s) not in partial]
        d_starts = [a for a, _ in direct]
        for tok in doc:
            if ctx.in_quote[tok.i] or not _is_cue(tok, with_clause=True):
                continue
            content = _reported_clause(tok, ctx)
            if content is None:
                continue
            a, b = content
            if _covered(direct, d_starts, a, b) > 0.5:
                continue
            att = _attribution(tok, ctx, content)
            if att is None and tok.lower_ != "according":
                continue
            quotes.append(_make(text, a, b, att, False))
    quotes.sort(key=lambda q: (q.start, q.end))
    return quotes


#: At most this many words in a capitalised quoted phrase that follows a word: "called it a
#: “Total Disaster”" is part of a sentence, a longer capitalised run is a quotation.
PARTIAL_MAX_WORDS = 6


def _is_partial(ctx: _Context, span: _Span) -> bool:
    """A quoted phrase inside the writer's own sentence, not a quotation of whole words spoken:
    the opening mark follows a word with no punctuation between ("found him to be “very
    charming”", "said the South has “treated me so well.”") and the phrase starts lower-case or
    is short.  A speech verb right before the mark ("he said “We …”") still opens a quotation
    when it starts upper-case."""
    text = ctx.text
    k = span.open_at
    while k > 0 and text[k - 1] in " \t":
        k -= 1
    if k == 0 or not text[k - 1].isalnum():
        return False  # start of a paragraph, or after ":", ",", a dash, a bracket
    inner = text[span.start:span.end].lstrip(" '‘\"“…")
    i = ctx.token_at(span.open_at)
    if i > 0 and _frames(ctx.doc[i - 1]):
        # "he said “We …”", "she said “yes” and …"; but "said ‘hundreds’ of families had …", where
        # the writer's clause runs on through the quoted word, stays partial
        after = re.match(r"\s*([a-z]+)", text[span.close_at + 1:span.close_at + 20]) if span.closed else None
        if not (inner[:1].islower() and after and after.group(1) not in ("and", "or", "but", "then")):
            return False
    return inner[:1].islower() or len(inner.split()) <= PARTIAL_MAX_WORDS


_FUNCTION_WORDS = frozenset({"of", "the", "and", "from", "for", "in", "on", "a", "an", "to", "de", "al",
                             "el", "&", "at", "with", "la", "le", "du", "des", "der", "die", "von"})


def _is_name(text: str, span: _Span) -> bool:
    """A name or title in quote marks (“Islamic State”, “The Guardian”, “New Eastern Outlook”),
    not a quotation: at most six words, all capitalised but for function words, no clause
    punctuation."""
    inner = text[span.start:span.end].strip().rstrip(".")
    words = inner.split()
    if not words or len(words) > 6 or any(ch in inner for ch in ",?!;:"):
        return False
    if not words[0][:1].isupper():
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _FUNCTION_WORDS or w[:1] in "([" for w in words)


def _inherit(ctx: _Context, prev: tuple[_Span, _Attribution | None], span: _Span) -> _Attribution | None:
    """A quote with no cue of its own takes the attribution of the quote just before it when
    they share a sentence ("called it “A” and “B”"), are pieces split around the cue ("“…,” he
    said, “…”"), or the quote fills its own paragraph right after the previous one's."""
    pspan, patt = prev
    if patt is None:
        return None
    doc = ctx.doc
    a = ctx.token_at(pspan.open_at)
    b = ctx.token_at(span.open_at)
    same_para = ctx.para_of[a] == ctx.para_of[b]
    if same_para:
        if ctx.sent_start[b] <= a or pspan.end <= patt.cue_start < span.start:
            return patt
        return None
    # a paragraph that is nothing but this quote, right after the previous quote's paragraph
    pa, pb = ctx.paras[ctx.para_of[b]]
    outside = ctx.text[pa:span.open_at] + ctx.text[span.close_at + 1:pb]
    if ctx.para_of[b] == ctx.para_of[a] + 1 and not re.search(r"\w", outside):
        return patt
    del doc
    return None


def _covered(direct: list[tuple[int, int]], starts: list[int], a: int, b: int) -> float:
    """Share of [a, b) inside direct-quote spans (marks included)."""
    if b <= a:
        return 0.0
    k = bisect.bisect_right(starts, b) - 1
    total = 0
    steps = 0
    while k >= 0 and steps < 200:
        s, e = direct[k]
        if e <= a:
            break
        total += max(0, min(b, e) - max(a, s))
        k -= 1
        steps += 1
    return total / (b - a)


def _reported_clause(cue: Token, ctx: _Context) -> tuple[int, int] | None:
    doc = ctx.doc
    text = ctx.text
    if cue.lower_ == "according":
        sa, sb = ctx.sent_start[cue.i], ctx.sent_end[cue.i]
        phrase = list(cue.subtree)
        pa, pb = phrase[0].i, phrase[-1].i
        left = (sa, pa)  # tokens [sa, pa)
        right = (pb + 1, sb)
        lo, hi = right if right[1] - right[0] >= left[1] - left[0] else left
        return _trim_tokens(ctx, lo, hi)
    comps = [c for c in cue.children if c.dep_ == "ccomp"]
    if not comps:
        return None
    comp = comps[0]
    sub_lo, sub_hi = comp.left_edge.i, comp.right_edge.i
    if sub_lo <= cue.i <= sub_hi:
        return None
    lo = sub_lo
    while lo <= sub_hi and (doc[lo].dep_ == "mark" and doc[lo].lower_ == "that" or doc[lo].is_punct
                            and not doc[lo].is_quote):
        lo += 1
    span = _trim_tokens(ctx, lo, sub_hi + 1)
    if span is None:
        return None
    a, b = span
    if len(text[a:b].split()) < 2:
        return None
    return span


def _trim_tokens(ctx: _Context, lo: int, hi: int) -> tuple[int, int] | None:
    """Char span of tokens [lo, hi) without punctuation at either end (quote marks kept only
    when their partner is inside)."""
    doc = ctx.doc
    while lo < hi and doc[lo].is_punct and not doc[lo].is_quote:
        lo += 1
    while hi > lo and doc[hi - 1].is_punct and not doc[hi - 1].is_quote:
        hi -= 1
    if hi <= lo:
        return None
    a, b = doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1])
    seg = ctx.text[a:b]
    # drop a dangling quote mark at either end
    if seg[:1] in _DOUBLE | _SINGLE and seg.count(seg[0]) + sum(seg.count(c) for c in "”’»") < 2:
        a += 1
    if b > a and ctx.text[b - 1] in _DOUBLE | _SINGLE and sum(ctx.text[a:b].count(c) for c in "\"“„«‘'") == 0:
        b -= 1
    while a < b and (ctx.text[a].isspace() or ctx.text[a] in ",;:"):
        a += 1
    while b > a and (ctx.text[b - 1].isspace() or ctx.text[b - 1] in ",;:"):
        b -= 1
    return (a, b) if b > a else None


def _make(text: str, a: int, b: int, att: _Attribution | None, direct: bool) -> Quote:
    if att is None:
        return Quote(text[a:b], a, b, None, None, None, None, direct)
    sp = att.speaker
    if not att.cue_text:  # attributed without a cue word ("“…” ― Name")
        return Quote(text[a:b], a, b, sp.name, sp.entity_id, None, att.outlet, direct, sp.start, sp.end)
    return Quote(text[a:b], a, b, sp.name, sp.entity_id, att.cue_text, att.outlet, direct,
                 sp.start, sp.end, att.cue_start, att.cue_end)
