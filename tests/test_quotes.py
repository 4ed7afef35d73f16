"""Quotations: marks, splits, paragraphs, partial and reported speech, speakers and outlets, on
sentences written here (invented people and outlets)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitroom.stages.aliases import load_aliases
from sitroom.stages.entities import extract_entities
from sitroom.stages.quotes import find_quote_spans, find_quotes


@pytest.fixture(scope="module")
def aliases():
    return load_aliases()


@pytest.fixture(scope="module")
def quotes_of(model, aliases):
    def run(text):
        doc = model(text)
        ents = extract_entities(doc, aliases)
        out = find_quotes(doc, ents.mentions, ents.roles, ents.names)
        for q in out:
            assert text[q.start:q.end] == q.text
            if q.speaker_start is not None:
                assert 0 <= q.speaker_start < q.speaker_end <= len(text)
            if q.cue_start is not None:
                assert text[q.cue_start:q.cue_end] == q.cue
        return out
    return run


def direct(qs):
    return [q for q in qs if q.direct]


def reported(qs):
    return [q for q in qs if not q.direct]


# -- marks --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, inner", [
    ('"The border is closed," Anna Berg said.', "The border is closed,"),
    ("“The border is closed,” Anna Berg said.", "The border is closed,"),
    ("‘The border is closed,’ Anna Berg said.", "The border is closed,"),
    ("'The border is closed,' Anna Berg said.", "The border is closed,"),
    ("«The border is closed», Anna Berg said.", "The border is closed"),
    ("„The border is closed“, Anna Berg said.", "The border is closed"),
])
def test_quote_mark_styles(quotes_of, text, inner):
    qs = direct(quotes_of(text))
    assert [q.text for q in qs] == [inner]
    assert qs[0].speaker == "Anna Berg"
    assert qs[0].cue == "said"


def test_apostrophes_are_not_quote_marks():
    text = "Isis’s fighters don’t return, the ’90s are gone, O'Brien's view is the fighters’ view."
    assert find_quote_spans(text) == []


def test_apostrophes_inside_a_single_quoted_quote(quotes_of):
    text = "‘We don’t know where Isis’s fighters went,’ said Omar Haddad."
    qs = direct(quotes_of(text))
    assert [q.text for q in qs] == ["We don’t know where Isis’s fighters went,"]
    assert qs[0].speaker == "Omar Haddad"


def test_nested_single_quote_stays_inside(quotes_of):
    text = "“They call it ‘the corridor’ now,” Lena Vos said."
    qs = direct(quotes_of(text))
    assert [q.text for q in qs] == ["They call it ‘the corridor’ now,"]


# -- splits, sentences, paragraphs -------------------------------------------------------------

def test_split_quote_both_pieces_attributed(quotes_of):
    text = "Mayor Karel Dams spoke on Friday. “We are ready,” he said, “but we need the names.”"
    qs = direct(quotes_of(text))
    assert [q.text for q in qs] == ["We are ready,", "but we need the names."]
    assert all(q.speaker == "Karel Dams" for q in qs)
    assert all(q.cue == "said" for q in qs)
    assert qs[0].speaker_start == text.index("he said")  # the pronoun is the attributing words


def test_multi_sentence_quote(quotes_of):
    text = '"Some of them have been away for years. They know the routes. They will try," Sara Lind told reporters.'
    qs = direct(quotes_of(text))
    assert len(qs) == 1
    assert qs[0].text.startswith("Some of them") and qs[0].text.endswith("They will try,")
    assert qs[0].speaker == "Sara Lind"
    assert qs[0].outlet is None  # reporters are not a medium


def test_multi_paragraph_quote(quotes_of):
    text = ("Police chief Jonas Meyer described the night to the council.\n\n"
            "“We heard the first blast at six. Nobody knew what it was.\n\n"
            "“By seven the roads were closed,” Meyer said.\n")
    qs = direct(quotes_of(text))
    assert len(qs) == 1
    q = qs[0]
    assert q.text.startswith("We heard the first blast") and q.text.endswith("the roads were closed,")
    assert "\n\n“By seven" in q.text
    assert q.speaker == "Jonas Meyer"


def test_unclosed_mark_does_not_crash_or_swallow(quotes_of):
    text = 'He said "this is open.\n\nA new paragraph with "a real quote." Tom Hale said so.'
    qs = quotes_of(text)
    assert any(q.text == "a real quote." for q in qs)
    assert not any("A new paragraph" in q.text for q in direct(qs))


def test_partial_quotation_inside_reported_speech_is_not_direct(quotes_of):
    """A quoted phrase inside the writer's sentence is part of a paraphrase: not a direct quote."""
    text = ("Senator Ana Ruiz said on Monday that the new tariff was “a gift to smugglers” and would hurt farmers. "
            "She found the minister “very charming” all the same.\n\n"
            "“We will vote against it,” Ruiz told reporters.")
    qs = quotes_of(text)
    assert [q.text for q in direct(qs)] == ["We will vote against it,"]
    assert not any(q.direct and "gift" in q.text for q in qs)
    paraphrase = [q for q in qs if not q.direct and "gift to smugglers" in q.text]
    assert paraphrase and paraphrase[0].speaker == "Ana Ruiz"


# -- partial quotes -----------------------------------------------------------------------------

def test_partial_quote_is_part_of_the_reported_clause(quotes_of):
    text = "Security experts warned that the fighters would pose a “serious threat” to Europe."
    qs = quotes_of(text)
    assert not direct(qs)
    clause = [q for q in qs if q.text == "the fighters would pose a “serious threat” to Europe"]
    part = [q for q in qs if q.text == "serious threat"]  # kept beside it: outlets repeat such words
    assert clause and part
    assert {(q.speaker, q.cue) for q in clause + part} == {("Security experts", "warned")}


def test_scare_quotes_are_not_quotes(quotes_of):
    text = "The so-called “caliphate” lost its last town in the spring."
    assert quotes_of(text) == []


def test_partial_quote_after_pronoun_cue(quotes_of):
    text = ("Defence minister Paul Arden visited the base.\n\n"
            "Even a small group would pose “a threat we must prepare for,” he added.")
    qs = quotes_of(text)
    assert not direct(qs)
    q = next(q for q in qs if "a threat we must prepare for" in q.text)
    assert q.speaker == "Paul Arden" and q.cue == "added"


# -- reported speech ----------------------------------------------------------------------------

def test_said_that(quotes_of):
    text = "Mira Sand said that about 300 fighters had crossed the river."
    q = reported(quotes_of(text))[0]
    assert q.text == "about 300 fighters had crossed the river"
    assert q.speaker == "Mira Sand" and q.cue == "said" and not q.direct


def test_warned_without_that(quotes_of):
    text = "Mira Sand warned the crossings would reopen within weeks."
    q = reported(quotes_of(text))[0]
    assert q.text == "the crossings would reopen within weeks"
    assert q.cue == "warned"


def test_cue_after_clause(quotes_of):
    text = "The convoy left the city before dawn, Mira Sand said."
    q = reported(quotes_of(text))[0]
    assert q.text == "The convoy left the city before dawn"
    assert q.speaker == "Mira Sand"


def test_according_to(quotes_of):
    text = "According to Europol, nearly 900 suspects were questioned last year."
    q = reported(quotes_of(text))[0]
    assert q.cue == "According to"
    assert q.speaker == "Europol"
    assert q.text == "nearly 900 suspects were questioned last year"


def test_according_to_at_the_end(quotes_of):
    text = "Nearly 900 suspects were questioned last year, according to Europol."
    q = reported(quotes_of(text))[0]
    assert q.text == "Nearly 900 suspects were questioned last year"
    assert q.speaker == "Europol"


def test_reported_clause_is_not_duplicated_for_a_direct_quote(quotes_of):
    text = '"We will close the border," Anna Berg said.'
    qs = quotes_of(text)
    assert len(qs) == 1 and qs[0].direct


# -- speakers -----------------------------------------------------------------------------------

def test_organisation_and_publication_speakers(quotes_of):
    qs = reported(quotes_of("Europol said the network had been dismantled. "
                            "The report notes that most recruits were young."))
    assert qs[0].speaker == "Europol" and qs[0].speaker_entity_id
    assert qs[1].speaker == "The report" and qs[1].speaker_entity_id is None


def test_role_noun_resolves_to_role_holder(quotes_of):
    text = ("Hans Peeters, the mayor of Lierbeek, met the families on Monday.\n\n"
            "“We will not abandon them,” the mayor said.")
    q = direct(quotes_of(text))[0]
    assert q.speaker == "Hans Peeters" and q.speaker_entity_id
    assert text[q.speaker_start:q.speaker_end] == "the mayor"


def test_title_role_noun(quotes_of):
    text = ("EU counter-terrorism coordinator Ingrid Solberg spoke in Brussels.\n\n"
            "The coordinator said that the borders had to be watched.")
    q = reported(quotes_of(text))[0]
    assert q.speaker == "Ingrid Solberg"


def test_pronoun_resolves_to_latest_person(quotes_of):
    text = ("Nadia Karim and Omar Haddad met on Monday. Omar Haddad later left.\n\n"
            "“It is over,” she said.")
    q = direct(quotes_of(text))[0]
    # no gender knowledge: the most recent person subject
    assert q.speaker == "Omar Haddad"
    assert text[q.speaker_start:q.speaker_end] == "she"


def test_unresolvable_phrase_speaker(quotes_of):
    q = direct(quotes_of("“Nothing is certain,” a senior diplomat said."))[0]
    assert q.speaker == "a senior diplomat" and q.speaker_entity_id is None


# -- outlets ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, outlet", [
    ("“It will get worse,” Karl Brandt told German newspaper Die Zeitung on Tuesday.", "Die Zeitung"),
    ("Karl Brandt told AFP that it would get worse.", "AFP"),
    ("Karl Brandt told Russia Today that it would get worse.", "Russia Today"),
    ("Karl Brandt said in an interview with the Nordic Press Agency that it would get worse.", "Nordic Press Agency"),
    ("The institute said in a study published in July that 5,000 fighters remained.", "study"),
    ("Karl Brandt told reporters that it would get worse.", None),
    ("“It will get worse,” Karl Brandt said on Tuesday.", None),
])
def test_outlets(quotes_of, text, outlet):
    qs = quotes_of(text)
    assert qs and qs[0].outlet == outlet, [(q.text, q.outlet) for q in qs]


# -- robustness ---------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(list("ab cd.,\n\"“”‘’'«»„") + ["said", " he ", "Anna Berg", "\n\n"])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_random_marks_never_crash(model, aliases, text):
    doc = model(text)
    ents = extract_entities(doc, aliases)
    for q in find_quotes(doc, ents.mentions, ents.roles, ents.names):
        assert text[q.start:q.end] == q.text
        assert q.end > q.start


def test_one_megabyte_paragraph_is_linear(model):
    text = "word " * 200_000  # 1 MB, no punctuation
    doc = model.make_doc(text)
    t = time.perf_counter()
    assert find_quotes(doc, [], [], {}) == []
    assert time.perf_counter() - t < 10


def test_thousands_of_marks_bounded(model):
    text = ('"a ' * 3000) + ("x’ " * 3000) + ('«b» ' * 3000)
    doc = model.make_doc(text)
    t = time.perf_counter()
    out = find_quotes(doc, [], [], {})
    assert time.perf_counter() - t < 10
    for q in out:
        assert text[q.start:q.end] == q.text


def test_many_quotes_in_a_parsed_document(model, aliases):
    text = "\n\n".join(f"“Point {i} stands,” Anna Berg said. She said “yes” and “no” to it." for i in range(150))
    doc = model(text)
    ents = extract_entities(doc, aliases)
    t = time.perf_counter()
    out = find_quotes(doc, ents.mentions, ents.roles, ents.names)
    assert time.perf_counter() - t < 10
    assert sum(q.direct for q in out) == 300  # "Point i stands" and the "yes" after "said"
    assert sum(not q.direct and q.text == "no" for q in out) == 150  # a partial quote, still attributed


# -- the dev-set evaluation guards its offsets --------------------------------------------------

def test_devset_fails_loudly_on_a_changed_text(tmp_path):
    import json
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from evaluation.devset_quotes import GOLD, StaleGold, load_gold

    SHARED = root.parent / "shared"

    if not (SHARED / "corpus" / "seeds").is_dir():
        pytest.skip("seed articles not present")
    row = json.loads(GOLD.read_text(encoding="utf-8").splitlines()[0])
    row["text_sha256"] = "0" * 64
    bad = tmp_path / "quotes.jsonl"
    bad.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(StaleGold):
        load_gold(SHARED, bad)
    assert load_gold(SHARED)  # the committed gold matches today's reader


# -- framing that the parse gets wrong ------------------------------------------------------------

@pytest.mark.parametrize("text, speaker, cue", [
    # an apposition between the name and the cue
    ("“We were too slow to act on the warnings,” Ilse Morrow, 61, told the Harbour Gazette on Monday.",
     "Ilse Morrow", "told"),
    ("In a statement, her chief of staff, Daniel Okafor, said: “The minister will not resign over this.”",
     "Daniel Okafor", "said"),
    ("“Not our doing, but we welcome it!” Tomas Verhoeven, the head of the Civic Forum, Tweeted on Friday.",
     "Tomas Verhoeven", "Tweeted"),
    # verbs of manner, and "went on"
    ("“Get out of my office,” Senator Hale barked as aides rushed in.", "Hale", "barked"),
    ("“This is a wonderful day for the valley!” beamed Rosa Quintero of Alder Creek.", "Rosa Quintero", "beamed"),
    ("Mayor Lund paused, then leaned forward and boomed: “We will rebuild every bridge.”", "Lund", "boomed"),
    ("“You know, these things happen, right?” Mayor Lund went on, as if nobody had spoken.", "Lund", "went on"),
    # a participle after the clause whose subject speaks
    ("Singer Mara Velde shared the news online last week, writing “It feels great to back someone I trust.”",
     "Mara Velde", "writing"),
    ("When the judge returned, Judge Amos Pike began by saying, “I see no need for a prison term here.”",
     "Amos Pike", "saying"),
])
def test_misparsed_frames_keep_their_speaker(quotes_of, text, speaker, cue):
    qs = direct(quotes_of(text))
    assert len(qs) == 1
    assert qs[0].speaker == speaker
    assert qs[0].cue == cue


def test_name_before_a_colon_speaks_without_a_cue(quotes_of):
    q, = direct(quotes_of("The result did not surprise the pollster Daron Vell: “Late deciders broke for "
                          "the challenger, as they usually do.”"))
    assert q.speaker == "Daron Vell" and q.cue is None
    # a colon after a common noun attributes nothing
    q, = direct(quotes_of("The rule at the checkpoint is simple: “Nobody crosses before noon.”"))
    assert q.speaker is None


def test_manner_verbs_do_not_report_clauses(quotes_of):
    """"laughed that …" is not reported speech: manner verbs frame adjacent quotation marks only."""
    assert reported(quotes_of("The minister laughed that the budget would never pass the chamber.")) == []


def test_markup_attribute_values_are_not_quotations():
    text = ('Supporters replied online.  <tweet id="1234" author="@civicforum" datetime="2016-02-15">'
            '“A fine day for the valley,” the forum wrote</tweet>. Nobody answered.')
    assert [text[s.start:s.end] for s in find_quote_spans(text)] == ["A fine day for the valley,"]
