"""Figures: values, ranges, qualifiers, units, subjects and kinds, on sentences written here."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitroom.stages.figures import find_figures


def figs(model, text):
    out = find_figures(model(text))
    for f in out:
        assert text[f.start:f.end] == f.text
    return out


def one(model, text):
    out = figs(model, text)
    assert len(out) == 1, [(f.text, f.subject) for f in out]
    return out[0]


@pytest.mark.parametrize("text, span, value, low, high, unit, subject, qualifier", [
    ("Officials said about 5,000 foreign fighters had fled.", "about 5,000", 5000, 5000, 5000, None, "foreign fighters", "about"),
    ("Europol counted 4,000 to 6,000 militants in the province.", "4,000 to 6,000", None, 4000, 6000, None, "militants", None),
    ("The agency estimated 7,000-8,000 Syrian recruits.", "7,000-8,000", None, 7000, 8000, None, "syrian recruits", None),
    ("Between 3,000 and 4,000 Iraqi army troops were deployed.", "Between 3,000 and 4,000", None, 3000, 4000, None, "iraqi army troops", None),
    ("The plan costs 13-18 million euros a year.", "13-18 million euros", None, 13e6, 18e6, "EUR", None, None),
    ("The fund holds €12 million.", "€12 million", 12e6, 12e6, 12e6, "EUR", None, None),
    ("Washington pledged $20 million on Monday.", "$20 million", 20e6, 20e6, 20e6, "USD", None, None),
    ("London gave £3.5 million.", "£3.5 million", 3.5e6, 3.5e6, 3.5e6, "GBP", None, None),
    ("Alerts rose by 12% last month.", "12%", 12, 12, 12, "%", None, None),
    ("Alerts rose by 12 per cent last month.", "12 per cent", 12, 12, 12, "%", None, None),
    ("Roughly one-fifth of the group’s fighters came from Europe.", "Roughly one-fifth", 20, 20, 20, "%", "group fighters", "roughly"),
    ("An estimated 2,500 Europeans remain.", "An estimated 2,500", 2500, 2500, 2500, None, "europeans", "an estimated"),
    ("More than 1,300 French nationals travelled.", "More than 1,300", 1300, 1300, 1300, None, "french nationals", "more than"),
    ("Hundreds of families left the camp.", "Hundreds", 100, 100, 100, None, "families", "hundreds"),
    ("Tens of thousands of residents fled.", "Tens of thousands", 10000, 10000, 10000, None, "residents", "tens of thousands"),
    ("A dozen officers were suspended.", "A dozen", 12, 12, 12, None, "officers", None),
    ("Nearly 1.5 million people live there.", "Nearly 1.5 million", 1.5e6, 1.5e6, 1.5e6, None, "people", "nearly"),
    ("Only eight returnees were charged.", "Only eight", 8, 8, 8, None, "returnees", "only"),
    ("Up to 250 soldiers are deployed.", "Up to 250", 250, 250, 250, None, "soldiers", "up to"),
])
def test_figure_forms(model, text, span, value, low, high, unit, subject, qualifier):
    f = one(model, text)
    assert (f.text, f.value, f.low, f.high, f.unit, f.subject, f.qualifier) == (span, value, low, high, unit, subject, qualifier)


def test_casualty_kinds(model):
    out = figs(model, "At least 42 people were killed and dozens were wounded. The bombing claimed 37 lives.")
    kinds = [(f.text, f.kind) for f in out]
    assert kinds == [("At least 42", "deaths"), ("dozens", "injuries"), ("37", "deaths")]


@pytest.mark.parametrize("text", [
    "The group was founded in 2014 and lost Mosul in 2017.",
    "The meeting began at 4:30 a.m. on 12 March 2024.",
    "The suspect, aged 34, was arrested; a 29-year-old was released.",
    "It was the third attack this year.",
    "One of the men said Article 5 applied, as page 3 of Resolution 2254 shows.",
    "No one expected it, and they helped one another.",
])
def test_not_figures(model, text):
    assert figs(model, text) == []


def test_money_and_percent_kinds(model):
    out = figs(model, "They paid €12 million, and 54% agreed.")
    assert [(f.kind, f.unit) for f in out] == [("money", "EUR"), ("percent", "%")]


def test_numbers_in_other_scripts_do_not_crash(model):
    figs(model, "Officials counted ٣٧٠٠ fighters, ३७०० more, and ３７００ others.")


def test_pathological_inputs_are_bounded(model):
    start = time.perf_counter()
    figs(model, "9" * 50_000)
    figs(model, " ".join(["4,000 to"] * 3000))
    figs(model, "word " * 40_000)
    assert time.perf_counter() - start < 60


@settings(max_examples=60, deadline=5000)  # a time bound per document: no catastrophic backtracking
@given(st.lists(st.one_of(st.sampled_from(["4,000", "to", "about", "€", "million", "%", "of", "hundreds",
                                             "one-fifth", "-", "between", "and", "fighters", "killed", "1.5"]),
                          st.text(max_size=6)), max_size=40).map(" ".join))
def test_any_text_never_crashes(model, text):
    for f in find_figures(model(text)):
        assert text[f.start:f.end] == f.text
        assert f.low is None or f.high is None or f.low <= f.high or f.value is None


@pytest.mark.parametrize("text, span, value, low, high, unit, subject, qualifier", [
    ("A few hundred fighters crossed the river.", "A few hundred", 100, 100, 100, None, "fighters", "a few hundred"),
    ("Several thousand refugees reached the camp.", "Several thousand", 1000, 1000, 1000, None, "refugees", "several thousand"),
    ("Aid reached more than a hundred villages.", "more than a hundred", 100, 100, 100, None, "villages", "more than"),
    ("Police detained nearly two dozen suspects.", "nearly two dozen", 24, 24, 24, None, "suspects", "nearly"),
    ("Two hundred and fifty families were evacuated.", "Two hundred and fifty", 250, 250, 250, None, "families", None),
    ("Only one in five refugees has returned.", "Only one in five", 20, 20, 20, "%", "refugees", "only"),
    ("Just over half a million residents need aid.", "Just over half a million", 5e5, 5e5, 5e5, None, "residents", "just over"),
    ("A quarter of a million Sri Lankans were displaced.", "A quarter of a million", 2.5e5, 2.5e5, 2.5e5, None, "sri lankans", None),
    ("Half the population fled.", "Half", 50, 50, 50, "%", "population", None),
    ("The agency said 'hundreds' of families had arrived.", "hundreds", 100, 100, 100, None, "families", "hundreds"),
    ("They face at least three competing estimates.", "at least three", 3, 3, 3, None, "competing estimates", "at least"),
    ("London added £400m.", "£400m", 4e8, 4e8, 4e8, "GBP", None, None),
    ("Jakarta expects up to 30 trillion rupiah in relief.", "up to 30 trillion rupiah", 30e12, 30e12, 30e12, "IDR", None, "up to"),
])
def test_more_figure_forms(model, text, span, value, low, high, unit, subject, qualifier):
    f = one(model, text)
    assert (f.text, f.value, f.low, f.high, f.unit, f.subject, f.qualifier) == (span, value, low, high, unit, subject, qualifier)


def test_range_with_qualifiers_on_both_ends(model):
    f = one(model, "The number of Europeans among them ranges from around 1,100 to more than 1,300.")
    assert (f.text, f.value, f.low, f.high, f.qualifier, f.subject) == (
        "around 1,100 to more than 1,300", None, 1100, 1300, "around", "europeans")


def test_subject_from_the_number_of(model):
    f = one(model, "Europol puts the number of foreign fighters who fled at between 3,000 and 4,000.")
    assert (f.low, f.high, f.subject) == (3000, 4000, "foreign fighters")
    f = one(model, "The raid raised the total deaths of local recruits this year to at least eight.")
    assert (f.value, f.subject, f.kind) == (8, "local recruits", "deaths")
    f = one(model, "The death toll rose to 57, officials said.")
    assert (f.value, f.kind) == (57, "deaths")


def test_casualty_kind_from_the_governing_verb(model):
    out = figs(model, "Police said four climbers from a club near the lake had died on the mountain.")
    assert [(f.value, f.kind) for f in out] == [(4, "deaths")]
    out = figs(model, "Two gunmen killed five police officers on Sunday.")
    assert [(f.value, f.kind) for f in out] == [(2, "count"), (5, "deaths")]
    out = figs(model, "One person was killed and two others were injured.")
    assert [(f.text, f.kind) for f in out] == [("One", "deaths"), ("two", "injuries")]


@pytest.mark.parametrize("text", [
    "The vote was 52-48 in favour.",
    "The fighting in 2014-2016 displaced the town.",
    "The new 777-200LR rolled out at 2200 GMT.",
    "The mayor said one man had called, and one day he would return.",
    "A dozen years ago, in the 1990s, they met at 6 pm local time.",
    "It was the third time in five years, and the 717 was retired.",
])
def test_more_not_figures(model, text):
    out = figs(model, text)
    assert [f for f in out if f.text not in ("A dozen",)] == [], [(f.text, f.value) for f in out]


def test_falling_values_are_not_ranges(model):
    for f in figs(model, "Attacks fell from 40 to 30 last year."):
        assert f.value is not None and f.low == f.high


def test_devset_gold_is_well_formed():
    import json
    from pathlib import Path

    rows = [json.loads(x) for x in (Path(__file__).parent / "gold" / "figures.jsonl").read_text().splitlines() if x.strip()]
    figures = [r for r in rows if not r.get("not_figure")]
    assert len(figures) >= 45 and len(rows) - len(figures) >= 10
    for r in figures:
        assert r["end"] > r["start"]
        if r["value"] is None:
            assert r["low"] < r["high"]
        else:
            assert r["low"] == r["high"] == r["value"]
        assert r["kind"] in ("count", "deaths", "injuries", "money", "percent")


def test_devset_stale_gold_fails_loudly(tmp_path):
    import json

    from evaluation.devset_figures import GOLD, StaleGold, load_gold

    row = json.loads(next(x for x in GOLD.read_text().splitlines() if x.startswith('{"file": "examples/')))
    row["text_sha256"] = "0" * 64
    bad = tmp_path / "figures.jsonl"
    bad.write_text(json.dumps(row) + "\n")
    with pytest.raises(StaleGold, match="no longer matches"):
        load_gold(tmp_path, bad)


def test_devset_without_seeds_skips_them_with_a_note(tmp_path):
    from evaluation.devset_figures import evaluate, markdown

    result = evaluate(tmp_path)  # no corpus/seeds under tmp_path
    assert result["documents"] == 10 and any("skipped" in n for n in result["notes"])
    assert markdown(result).startswith("## Figures (dev set)")
