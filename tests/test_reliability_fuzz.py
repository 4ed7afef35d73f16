"""Every extractor is bounded in time per document (issue 8, item 2).

Hypothesis writes article text (news words, names, numbers, quotes) mixed with pathological
runs: digits, quote marks, punctuation, repeated "al-", nested brackets, 10,000-character tokens,
runs of whitespace.  The text goes through the reader as ``sitroom ingest`` would deliver it,
the real spaCy model parses it, and each stage function runs on the doc within a deadline; the
facts it returns must point at their text.  A handful of examples per stage by default (fast
in ``make test``); ``SITROOM_FUZZ=1`` (``make fuzz``) or the "fuzz" Hypothesis profile runs
many more, on longer texts.

The fixes this file pins (each with its test below): the entity stage's candidate merging,
acronym uses, surname resolution and surname search were quadratic in the number of names (a
10 MB article: hours), the date stage trimmed whitespace runs in quadratic time, the reader's
header regex was quadratic on runs of exotic spaces, and spaCy's tokenizer is quadratic on
unbroken runs of punctuation (the reader now breaks them).
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Iterator

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from sitroom.read import read_bytes
from sitroom.schema import Article
from sitroom.stages import entities as ent_stage
from sitroom.stages import register
from sitroom.stages.aliases import load_aliases
from sitroom.stages.dates import find_dates
from sitroom.stages.entities import extract_entities
from sitroom.stages.figures import find_figures
from sitroom.stages.places import find_places
from sitroom.stages.quotes import find_quotes

settings.register_profile("fuzz", max_examples=300, deadline=timedelta(seconds=30))
FUZZ = os.environ.get("SITROOM_FUZZ") == "1" or settings.get_current_profile_name() == "fuzz"
EXAMPLES = 300 if FUZZ else 5
MAX_CHARS = 40_000 if FUZZ else 4_000
#: Per example: the reader, the spaCy parse and one stage.  Typical examples take a tenth of a
#: second; the deadline is far above that so only runaway work (not a busy machine) trips it.
DEADLINE = timedelta(seconds=30 if FUZZ else 15)
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=DEADLINE, derandomize=not FUZZ,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ANCHOR = date(2024, 3, 12)

WORDS = ["the", "said", "on", "Tuesday", "fighters", "border", "minister", "of", "and", "in", "police",
         "Ingrid", "Maassen", "Nawfal", "al-Zubaidi", "Brussels", "Baghdad", "al-Qaim", "Deir", "al-Zour",
         "European", "Union", "(EU)", "Islamic", "State", "(ISIS)", "March", "2024", "last", "week", "ago",
         "5,000", "12", "percent", "about", "between", "4,000", "to", "6,000", "$1.2bn", "told", "reporters",
         "\u201cWe", "will", "return,\u201d", '"They', 'left,"', "she", "added", "mayor", "Mechelen", "Hans",
         "Bonte", "U.S.", "Dr.", "Gen.", "mid-2023", "1990s", "three", "years", "earlier", ".", ",", ";"]
RUNS = ["1", "9,", "\"", "\u201c", "\u201d", "'", ".", "!?", "-", "\u2014", "al-", "(", ")", "[", "]", "{", "$", "%",
        "a", "A", "Al", " ", "\n", "\u1680", "\u00a0", "\t"]


@st.composite
def pathological(draw) -> str:
    """A run of one unit, as long as the size budget allows (10,000-character tokens included),
    or brackets nested as deep."""
    n = draw(st.integers(1, MAX_CHARS // 4))
    kind = draw(st.sampled_from(["run", "nest", "token"]))
    if kind == "nest":
        opener, closer = draw(st.sampled_from([("(", ")"), ("[", "]"), ("\u201c", "\u201d"), ("<", ">")]))
        return opener * n + draw(st.sampled_from(WORDS)) + closer * n
    if kind == "token":
        return draw(st.sampled_from(["x", "Al", "1", "al-"])) * max(1, min(n, 10_000) // 2)
    unit = draw(st.sampled_from(RUNS))
    return unit * max(1, n // len(unit))


SENTENCE = st.lists(st.sampled_from(WORDS), min_size=3, max_size=40).map(" ".join)
TEXT = st.lists(st.one_of(SENTENCE, SENTENCE, pathological()), min_size=1, max_size=8).map(
    lambda parts: "Headline\n\n" + " ".join(parts)[:MAX_CHARS])


@pytest.fixture(scope="module")
def aliases():
    return load_aliases("")


@pytest.fixture(scope="module")
def gazetteer():
    from sitroom.geo.gazetteer import load

    return load()


def parse(model, raw: str) -> Doc:
    """The text as ingest gives it to spaCy: through the reader, then the model."""
    items = read_bytes(raw.encode("utf-8", "surrogatepass"), "fuzz.txt")
    assume(isinstance(items[0], Article))
    register()
    return model(items[0].text)


def assert_spans(text: str, spans) -> None:
    for x in spans:
        assert text[x.start:x.end] == x.text, x


@FUZZ_SETTINGS
@given(raw=TEXT)
def test_entities_bounded(model, aliases, raw):
    doc = parse(model, raw)
    result = extract_entities(doc, aliases, None)
    assert_spans(doc.text, result.mentions)
    assert_spans(doc.text, result.roles)


@FUZZ_SETTINGS
@given(raw=TEXT)
def test_places_bounded(model, gazetteer, raw):
    doc = parse(model, raw)
    places, demonyms = find_places(doc, None, gazetteer=gazetteer)
    assert_spans(doc.text, places)
    assert_spans(doc.text, demonyms)


@FUZZ_SETTINGS
@given(raw=TEXT)
def test_dates_bounded(model, raw):
    doc = parse(model, raw)
    assert_spans(doc.text, find_dates(doc, ANCHOR))


@FUZZ_SETTINGS
@given(raw=TEXT)
def test_figures_bounded(model, raw):
    doc = parse(model, raw)
    assert_spans(doc.text, find_figures(doc))


@FUZZ_SETTINGS
@given(raw=TEXT)
def test_quotes_bounded(model, aliases, raw):
    doc = parse(model, raw)
    ents = extract_entities(doc, aliases, None)
    for q in find_quotes(doc, ents.mentions, ents.roles, ents.names):
        assert doc.text[q.start:q.end] == q.text


# --- the fixes, one test each ---------------------------------------------------------------


@contextmanager
def hang_guard(seconds: int) -> Iterator[None]:
    """Fail, rather than hang, when work that takes a second or less runs away (the old
    quadratic code took minutes to hours on these inputs); not a timing assertion."""
    def expire(signum, frame):
        raise TimeoutError(f"no result after {seconds} s")
    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def crowded_doc(model, n: int) -> Doc:
    """``n`` distinct people, each named in full, by surname and next to a repeated acronym
    definition: thousands of entity candidates without running the parser on megabytes."""
    words, ents = [], []
    for i in range(n):
        words += [f"Ann{i}", f"Lee{i}", "met", "staff", "from", "Halden", "Institute", "(", "HI", ")", "and", f"Lee{i}",
                  "left", "ISIS", "."]
        ents += ["B-PERSON", "I-PERSON", "O", "O", "O", "B-ORG", "I-ORG", "O", "O", "O", "O", "B-PERSON", "O", "B-ORG", "O"]
    return Doc(model.vocab, words=words, spaces=[w not in ("(", "HI", "left") for w in words], ents=ents)


def test_entities_scale_with_many_names(model, aliases):
    """2,000 people and 2,000 definitions of one acronym: every surname resolves to its full name
    and every use of the acronym is one mention.  The old code took 133 s for 500 of them (and
    stored each use of the acronym once per definition: 501,500 mentions); now well under 1 s."""
    doc = crowded_doc(model, 2000)
    with hang_guard(60):
        result = extract_entities(doc, aliases, None)
    spans = [(m.start, m.end) for m in result.mentions]
    assert len(spans) == len(set(spans))  # no span twice
    people = {result.names[m.entity_id][0] for m in result.mentions if m.label == "PERSON"}
    assert len(people) == 2000 and "Ann1999 Lee1999" in people
    uses = [m for m in result.mentions if m.text == "HI"]
    assert len(uses) == 2000 and {result.names[m.entity_id][0] for m in uses} == {"Halden Institute"}


def test_dates_whitespace_run(model):
    """A 40,000-character run of spaces inside a date phrase (a spaCy user's raw text; ingest
    collapses such runs) is skipped in linear time, and ordinary phrases are still read."""
    text = "Prices rose over the past" + " " * 40_000 + "years, but on 3 March 2024 they fell."
    doc = model(text)
    with hang_guard(60):
        found = find_dates(doc, ANCHOR)
    assert [(d.text, d.value) for d in found] == [("3 March 2024", "2024-03-03")]


def test_reader_exotic_space_run():
    """A header line of 200,000 Ogham space marks (not collapsed before) made the header-split
    regex quadratic; now every whitespace but the newline collapses."""
    data = ("Headline\n\nBy Jane Doe" + "\u1680" * 200_000 + "x\n\nThe body of the article.\n").encode()
    with hang_guard(60):
        article = read_bytes(data, "a.txt")[0]
    assert isinstance(article, Article) and "\u1680" not in article.text + (article.author or "")


def test_punctuation_run_is_split_for_the_tokenizer(model):
    """200,000 quote marks in one run: the reader breaks the run every 32 characters (recorded),
    which keeps spaCy's tokenizer linear (unbroken, it would take hours)."""
    lead = "Officials said the talks would resume next week in Geneva. " * 150  # prose: not a "not-text" blob
    data = ("Headline\n\n" + lead + "She said " + '"' * 200_000 + " and left.\n").encode()
    article = read_bytes(data, "a.txt")[0]
    assert "split-punctuation-run" in article.repairs
    assert max(len(w) for w in article.text.split()) == 32
    assert article.text.replace(" ", "").count('"') == 200_000  # nothing lost
    with hang_guard(60):
        doc = model.make_doc(article.text)
    assert len(doc) > 200_000


# --- the rewritten entity helpers give what the quadratic ones gave ----------------------------


def reference_overlay(base, extra, keep_existing=False):
    """The quadratic originals, kept here as the specification."""
    if not extra:
        return sorted(base, key=lambda c: c.start)
    out = []
    if keep_existing:
        taken = sorted(base, key=lambda c: c.start)
        for c in sorted(extra, key=lambda c: c.start):
            if not any(c.start < t.end and t.start < c.end for t in taken):
                taken.append(c)
        return sorted(taken, key=lambda c: c.start)
    for c in base:
        if not any(c.start < e.end and e.start < c.end for e in extra):
            out.append(c)
    out.extend(extra)
    return sorted(out, key=lambda c: c.start)


def reference_overlay_longer(base, extra):
    out = list(base)
    for c in extra:
        clash = [b for b in out if c.start < b.end and b.start < c.end]
        if all(c.end - c.start >= b.end - b.start for b in clash):
            out = [b for b in out if b not in clash] + [c]
    return sorted(out, key=lambda c: c.start)


CANDS = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12), st.sampled_from(["PERSON", "ORG", "GPE"]),
                           st.sampled_from(["", "A", "B"])), max_size=25).map(
    lambda xs: [ent_stage._Cand(s, s + n, label, canon) for s, n, label, canon in xs])


@settings(max_examples=400 if FUZZ else 100, deadline=None, derandomize=not FUZZ)
@given(base=CANDS, extra=CANDS, keep=st.booleans())
def test_overlay_matches_reference(base, extra, keep):
    got = ent_stage._overlay(base, extra, keep_existing=keep)
    assert [id(c) for c in got] == [id(c) for c in reference_overlay(base, extra, keep_existing=keep)]


@settings(max_examples=400 if FUZZ else 100, deadline=None, derandomize=not FUZZ)
@given(base=CANDS, extra=CANDS)
def test_overlay_longer_matches_reference(base, extra):
    got = ent_stage._overlay_longer(base, extra)
    assert [id(c) for c in got] == [id(c) for c in reference_overlay_longer(base, extra)]


def reference_resolve_people(cands, text):
    full = [(c.start, text[c.start:c.end], [t.lower() for t in text[c.start:c.end].split()]) for c in cands
            if c.label == "PERSON" and not c.canonical and len(text[c.start:c.end].split()) >= 2]
    for c in cands:
        if c.canonical:
            continue
        toks = [t.lower() for t in text[c.start:c.end].split()]
        best = None
        for start, name, ftoks in full:
            if len(toks) < len(ftoks) and ftoks[-len(toks):] == toks and ftoks != toks:
                if best is None or (start <= c.start and (best[0] > c.start or start > best[0])):
                    best = (start, name)
        if best and c.label in ("PERSON", "ORG"):
            c.canonical, c.label, c.origin = best[1], "PERSON", "surname"


NAMES = ["Ann Lee", "Tom Lee", "Ann de Lee", "Gilles de Kerchove", "Lee", "de Kerchove", "Kerchove", "De Kerchove",
         "Mr Lee", "al-Zubaidi", "Nawfal al-Zubaidi", "Zubaidi", "Lee Ann", "Ann"]


@settings(max_examples=300 if FUZZ else 80, deadline=None, derandomize=not FUZZ)
@given(picks=st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(["PERSON", "ORG", "GPE"])),
                      min_size=1, max_size=12),
       glue=st.lists(st.sampled_from([" said ", ". ", " and ", "-", " (", ", "]), min_size=12, max_size=12))
def test_people_and_surnames_match_reference(picks, glue):
    """_resolve_people and _missed_surnames against direct re-implementations of their rules."""
    text, cands = "", []
    for (name, label), sep in zip(picks, glue):
        cands.append(ent_stage._Cand(len(text), len(text) + len(name), label))
        text += name + sep
    expected = [dataclasses.replace(c) for c in cands]
    reference_resolve_people(expected, text)
    ent_stage._resolve_people(cands, text, None)
    assert cands == expected
    found = ent_stage._missed_surnames(cands, text)
    names = {c.canonical or text[c.start:c.end] for c in cands if c.label == "PERSON"}
    want = []
    for name in names:
        sur = ent_stage._surname(name)
        if len(name.split()) < 2 or len(sur) < 3:
            continue
        first = min(c.start for c in cands if (c.canonical or text[c.start:c.end]) == name)
        pattern = re.escape(sur) if not sur[0].islower() else f"[{sur[0]}{sur[0].upper()}]" + re.escape(sur[1:])
        want += [(m.start(), m.end(), name) for m in re.finditer(rf"(?<![\w\-]){pattern}(?![\w\-])", text)
                 if m.start() > first]
    assert sorted((c.start, c.end, c.canonical) for c in found) == sorted(want)
