"""The event stage: sentences of our own through the real model and pipeline, and the
cross-document pass on a real store."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitroom.link.run import link
from sitroom.pipeline import analyse, build_nlp
from sitroom.schema import Article
from sitroom.settings import Config
from sitroom.stages.events import acled_event_type, load_lexicon
from sitroom.store.database import Store


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(Config())


def events_of(nlp, text: str, published: str | None = "2021-05-14"):
    (facts,) = list(analyse(nlp, [Article(text=text, published=published)], Config()))
    for e in facts.events:  # the contract every event keeps
        assert text[e.start:e.end] == e.text
        assert e.sentence_start <= e.start < e.end <= e.sentence_end
        for side in ("source", "target", "place", "date"):
            s, t = getattr(e, f"{side}_start"), getattr(e, f"{side}_end")
            assert (s is None) == (t is None)
        for m in e.magnitudes:
            assert text[m["start"]:m["end"]] == m["text"]
        assert e.date is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?|-W\d{2})?", e.date), e.date
    return facts.events


def only(events, plover_type):
    got = [e for e in events if e.plover_type == plover_type]
    assert len(got) == 1, [(e.text, e.plover_type) for e in events]
    return got[0]


def test_the_issue_example_gives_two_events(nlp):
    text = ("On Tuesday ISIS fighters attacked a checkpoint near Kirkuk, killing six soldiers; police later "
            "arrested two suspects in Erbil.")
    events = events_of(nlp, text, "2016-10-20")
    assert [e.plover_type for e in events] == ["ASSAULT", "COERCE"]
    attack, arrest = events
    assert attack.source_actor == "ISIS fighters" and attack.source_sector == "rebels"
    assert attack.place_name == "Kirkuk" and attack.country_code == "IQ" and attack.geo_precision == "exact"
    assert attack.date == "2016-10-18" and attack.date_source == "text" and attack.time_precision == "day"
    assert attack.magnitude("dead")["low"] == 6 and attack.acled_event_type == "Battles"
    assert arrest.acled_sub_event_type == "Arrests" and arrest.magnitude("arrested")["low"] == 2
    assert arrest.place_name == "Erbil" and arrest.source_sector == "police"


@pytest.mark.parametrize("text, plover, sub", [
    ("An Israeli airstrike on a house in Gaza City killed five civilians.", "ASSAULT", "Air/drone strike"),
    ("A suicide bomber blew himself up at a market in Kabul, killing at least 20 people.", "ASSAULT", "Suicide bomb"),
    ("Russian forces shelled residential areas of Kharkiv overnight.", "ASSAULT", "Shelling/artillery/missile attack"),
    ("A roadside bomb exploded near a military convoy in Helmand province.", "ASSAULT",
     "Remote explosive/landmine/IED"),
    ("Government forces recaptured the town of Palmyra.", "ASSAULT", "Government regains territory"),
    ("Unidentified gunmen abducted a local chief in Kaduna state.", "ASSAULT", "Abduction/forced disappearance"),
    ("Five people were killed when gunmen opened fire on a bus in Zamfara.", "ASSAULT", "Attack"),
    ("Nigerian troops clashed with Boko Haram fighters near Maiduguri.", "ASSAULT", "Armed clash"),
    ("Thousands of protesters marched through Khartoum on Sunday.", "PROTEST", "Peaceful protest"),
    ("Police fired tear gas to disperse hundreds of demonstrators in Nairobi.", "PROTEST",
     "Protest with intervention"),
    ("A mob lynched a man in Port-au-Prince.", "ASSAULT", "Mob violence"),
    ("Soldiers defused an explosive device planted on the road to Gao.", "COERCE", "Disrupted weapons use"),
    ("The two sides signed a ceasefire agreement in Juba on Monday.", "AGREE", "Agreement"),
    ("The foreign minister condemned the decision.", "DISAPPROVE", None),
    ("The European Union imposed sanctions on Belarusian officials.", "SANCTION", None),
])
def test_types(nlp, text, plover, sub):
    e = only(events_of(nlp, text), plover)
    assert e.factuality == "asserted"
    assert e.acled_sub_event_type == sub
    assert e.acled_event_type == acled_event_type(sub)


@pytest.mark.parametrize("text, plover, factuality", [
    ("The president denied that the army had killed civilians.", "ASSAULT", "negated"),
    ("Rebels may attack the capital in the coming days.", "ASSAULT", "hypothetical"),
    ("The United States will deploy 3,000 additional troops to Poland.", "MOBILIZE", "future"),
    ("Police did not arrest anyone at the rally.", "COERCE", "negated"),
])
def test_what_did_not_happen_is_not_coded_as_happened(nlp, text, plover, factuality):
    e = only(events_of(nlp, text), plover)
    assert e.factuality == factuality
    assert e.acled_event_type is None and e.acled_sub_event_type is None


def test_a_threat_is_one_threaten_event_with_its_content_as_mode(nlp):
    events = events_of(nlp, "The militants threatened to kill the hostages unless a ransom was paid.")
    assert [e.plover_type for e in events] == ["THREATEN"]
    assert events[0].plover_mode == "violence" and events[0].target_actor == "hostages"


def test_magnitudes_keep_qualifier_and_vague_counts(nlp):
    e = only(events_of(nlp, "Dozens of people were wounded and at least 12 killed when a car bomb exploded in "
                            "Baghdad."), "ASSAULT")
    dead, injured = e.magnitude("dead"), e.magnitude("injured")
    assert dead["low"] == 12 and dead["qualifier"] == "at least"
    assert injured["low"] == 12 and injured["qualifier"] == "dozens"


def test_a_toll_in_the_next_sentence_is_the_attacks(nlp):
    events = events_of(nlp, "On 3 March 2021, Al Shabaab militants attacked a police post in Mogadishu. Two police "
                            "officers were killed and three injured.")
    assert len(events) == 1 and events[0].date == "2021-03-03"
    assert events[0].magnitude("dead")["low"] == 2 and events[0].magnitude("injured")["low"] == 3


def test_disasters_are_not_assaults(nlp):
    assert events_of(nlp, "The earthquake killed at least 300 people in the north of the country.") == []
    assert events_of(nlp, "A huge explosion in a flax factory in Harbin killed 45 workers.") == []


def test_publication_date_stands_in_and_says_so(nlp):
    e = only(events_of(nlp, "Police arrested four men in Lyon.", "2019-03-02"), "COERCE")
    assert e.date == "2019-03-02" and e.date_source == "publication"
    e = only(events_of(nlp, "Police arrested four men in Lyon.", None), "COERCE")
    assert e.date is None and e.date_source is None


@pytest.mark.parametrize("text", [
    "Shares in the company rose 4% after it agreed to buy its rival.",
    "Chelsea beat Arsenal 2-1 and their attack looked sharp.",
    "The weather was mild and the markets were calm.",
    "",
    "!!!",
])
def test_no_event_no_guess(nlp, text):
    assert events_of(nlp, text) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["police", "arrested", "attacked", "the", "killing", "12", "protesters", "in",
                                 "Kirkuk", "not", "may", "will", "dozens", ",", ".", "of", "by", "were", "strike",
                                 "talks", "on", "Monday", "threatened", "to", "condemned", "\n\n"]), max_size=40))
def test_random_word_salad_never_crashes_and_offsets_hold(nlp, words):
    events_of(nlp, " ".join(words))


def test_lexicon_uses_the_vocabularies():
    lex = load_lexicon()
    plover = lex.vocabulary["plover_types"]
    assert len(plover) == 16 and sum(len(v) for v in lex.vocabulary["acled"].values()) == 25
    for entries in lex.triggers.values():
        for t in entries:
            assert t.type in plover
            assert t.mode is None or t.mode in plover[t.type]["modes"], t
            assert t.context is None or t.context in lex.vocabulary["plover_contexts"], t


def test_reports_of_one_attack_become_one_event_with_a_disputed_toll(tmp_path, nlp):
    docs = [
        Article(text="Militants attacked an army checkpoint near Tal Afar on Monday, killing at least 12 soldiers. "
                     "Police later arrested three suspects in Mosul.", source="Atlas Wire", published="2024-03-05",
                title="a"),
        Article(text="Nine soldiers were killed on Monday when Islamic State gunmen attacked a checkpoint outside "
                     "Tal Afar.", source="Meridian Post", published="2024-03-05", title="b"),
        Article(text="Gunmen attacked a checkpoint near Kandahar on Monday, killing two policemen.",
                source="Kabul Times", published="2024-03-05", title="c"),
    ]
    db = str(tmp_path / "e.duckdb")
    with Store(db) as store:
        store.write_batch(list(analyse(nlp, docs, Config())))
        counts = link(store)
        assert counts["events"] == 3
        rows = store.query("SELECT * FROM events WHERE plover_type = 'ASSAULT' ORDER BY reports DESC")
        tal_afar, kandahar = rows
        assert tal_afar["reports"] == 2 and tal_afar["sources"] == 2
        assert (tal_afar["dead_low"], tal_afar["dead_high"]) == (9, 12) and tal_afar["agree"] is False
        assert kandahar["reports"] == 1 and kandahar["country_code"] == "AF"
        claim = store.query("SELECT c.* FROM claims c JOIN figures f ON f.claim_id = c.id "
                            "WHERE f.text = 'Nine'")[0]
        assert claim["subject"].startswith("dead in") and claim["sources"] == 2 and claim["agree"] is False
        mentions = store.query("SELECT event_id, magnitudes FROM event_mentions WHERE plover_type = 'ASSAULT'")
        assert len({m["event_id"] for m in mentions}) == 2
        assert all(json.loads(m["magnitudes"]) for m in mentions)
