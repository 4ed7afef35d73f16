"""Places: recognition, resolution, demonyms, metonymy, regions and the gazetteer cache."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitroom.geo import gazetteer, loose_key, norm_key, skeleton_key
from sitroom.nlp import load_model
from sitroom.stages.places import Demonym, Place, find_places


@pytest.fixture(scope="module")
def nlp():
    return load_model()


@pytest.fixture(scope="module")
def gaz():
    return gazetteer.load()


def run(nlp, text, source=None):
    places, dems = find_places(nlp(text), source)
    for x in [*places, *dems]:
        assert text[x.start:x.end] == x.text
    return places, dems


def by_text(places, surface):
    return [p for p in places if p.text == surface]


def test_paris_is_in_france(nlp):
    places, _ = run(nlp, "Thousands marched through Paris on Saturday against the pension reform.")
    (paris,) = by_text(places, "Paris")
    assert isinstance(paris, Place)
    assert paris.country_code == "FR" and paris.feature == "city"
    assert abs(paris.lat - 48.85) < 0.3 and abs(paris.lon - 2.35) < 0.3
    assert 0 < paris.confidence <= 1


def test_paris_texas_pattern(nlp):
    places, _ = run(nlp, "The fire broke out in a warehouse in Paris, Texas, late on Tuesday.")
    (paris,) = by_text(places, "Paris")
    assert paris.country_code == "US"
    assert abs(paris.lat - 33.66) < 0.3


def test_aleppo_is_the_syrian_city(nlp):
    places, _ = run(nlp, "Government forces shelled eastern districts of Aleppo again overnight.")
    (aleppo,) = by_text(places, "Aleppo")
    assert aleppo.country_code == "SY" and aleppo.feature == "city"
    assert aleppo.place_id == "170063"  # the GeoNames id of the city


def test_raqqa_variants_are_one_place(nlp):
    text = ("Fighters moved from Mosul to Raqqa. Others reached Raqa, and a convoy left Ar-Raqqah "
            "on Friday.")
    places, _ = run(nlp, text)
    ids = {p.place_id for p in places if p.text in ("Raqqa", "Raqa", "Ar-Raqqah")}
    assert len([p for p in places if p.text in ("Raqqa", "Raqa", "Ar-Raqqah")]) == 3
    assert len(ids) == 1 and all(p.country_code == "SY" for p in places if p.place_id in ids)


@pytest.mark.parametrize("variant", ["Deir ez-Zor", "Deir al-Zour", "Dayr az Zawr", "Deir Ezzor"])
def test_deir_ez_zor_variants(gaz, variant):
    cands = gaz.lookup(variant)
    assert cands, variant
    best = max(cands, key=lambda c: c[0].population if c[0].feature == "city" else 0)[0]
    assert best.place_id == "170794"


def test_name_keys():
    assert norm_key("Côte d'Ivoire") == "cote divoire"
    assert loose_key("Ar-Raqqah") == loose_key("Raqqa") == loose_key("Raqa")
    assert skeleton_key("Dayr az Zawr") == skeleton_key("Deir ez-Zor")


def test_demonyms_are_separate(nlp):
    places, dems = run(nlp, "French and Iraqi officials met Syrian refugees in Turkey.")
    assert {d.text for d in dems} >= {"French", "Iraqi", "Syrian"}
    assert all(isinstance(d, Demonym) for d in dems)
    assert {d.text: d.country_code for d in dems}["Iraqi"] == "IQ"
    assert not {p.text for p in places} & {"French", "Iraqi", "Syrian"}
    assert [p.country_code for p in places if p.text == "Turkey"] == ["TR"]


def test_metonymy(nlp):
    places, _ = run(nlp, "Moscow said the sanctions were illegal. Washington warned of further steps. "
                         "She lives in Moscow with her family.")
    flags = [(p.text, p.metonymy) for p in places]
    assert ("Moscow", True) in flags and ("Washington", True) in flags
    assert ("Moscow", False) in flags
    washington = next(p for p in places if p.text == "Washington")
    assert washington.feature == "city"  # the capital, not the state


def test_regions(nlp):
    places, _ = run(nlp, "Jihadist groups are expanding across the Sahel, while the Middle East "
                         "remains volatile.")
    ids = {p.text: p.place_id for p in places}
    assert ids.get("Sahel") == "region:sahel"
    assert ids.get("Middle East") == "region:middle-east"
    assert all(p.feature == "region" for p in places if p.text in ("Sahel", "Middle East"))


def test_source_country_tips_close_calls(nlp):
    text = "Police in London said the road would reopen on Monday."
    uk, _ = run(nlp, text)
    assert by_text(uk, "London")[0].country_code == "GB"


def test_bad_input_does_not_crash(nlp):
    texts = ["", "PARIS — THE MAYOR OF ALEPPO SAID...", "Reading and Nice are nice to read.",
             "Путин прибыл в Москву. 北京", "!!!,,,", ", ".join(["Paris", "Aleppo", "Lyon"] * 300)]
    for t in texts:
        places, dems = run(nlp, t)
        assert isinstance(places, list) and isinstance(dems, list)


def test_gazetteer_loads_from_cache_fast(tmp_path):
    path = gazetteer.gazetteer_path()
    gazetteer.load()  # built (once) by the fixtures or here
    assert path.exists()
    code = ("import time; t=time.perf_counter(); from sitroom.geo import gazetteer as g; gz=g.load(); "
            "n=gz.count(); c=gz.lookup('Aleppo'); print(time.perf_counter()-t, n, g.gazetteer_path().exists())")
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert float(out[0]) < 1.0, out
    assert int(out[1]) > 100_000 and out[2] == "True"
    assert time.perf_counter() - t0 < 10


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["Paris", "Aleppo", "said", "the", "Sahel", ",", "French", "Raqqa", "Moscow",
                                 "in", "Texas", "\n", "ÉLYSÉE", "al-", "Mr", "Georgia", ".", "Tex."]),
                max_size=40),
       st.text(max_size=30))
def test_fuzz_offsets_hold(nlp, words, noise):
    text = " ".join(words) + " " + noise
    places, dems = find_places(nlp(text))
    for x in [*places, *dems]:
        assert text[x.start:x.end] == x.text
    for p in places:
        assert 0 <= p.confidence <= 1 and -90 <= p.lat <= 90 and -180 <= p.lon <= 180
        assert p.feature in ("country", "admin", "city", "region")


def test_a_country_ner_called_a_person_becomes_a_place_entity():
    """Stage interplay: NER tags "Burkina Faso" as PERSON; the places stage resolves it and the
    entity is relabelled as a place with the id that label gives it."""
    from sitroom.pipeline import build_nlp, facts_from_doc, make_doc
    from sitroom.schema import Article
    from sitroom.settings import Config
    from sitroom.stages.entities import entity_id

    nlp = build_nlp(Config())
    text = "Attacks rose in Burkina Faso and Mali last year, officials said."
    article = Article(text=text)
    facts = facts_from_doc(nlp(make_doc(nlp, article)), article, "0" * 16, [])
    burkina = [m for m in facts.mentions if m.text == "Burkina Faso"]
    assert burkina and all(m.label == "GPE" for m in burkina)
    assert burkina[0].entity_id == entity_id("GPE", "Burkina Faso")
    assert facts.entity_names[burkina[0].entity_id] == ("Burkina Faso", "GPE")
    assert any(p.text == "Burkina Faso" and p.country_code == "BF" for p in facts.places)
