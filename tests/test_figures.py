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


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["4,000", "to", "about", "€", "million", "%", "of", "hundreds",
                                             "one-fifth", "-", "between", "and", "fighters", "killed", "1.5"]),
                          st.text(max_size=6)), max_size=40).map(" ".join))
def test_any_text_never_crashes(model, text):
    for f in find_figures(model(text)):
        assert text[f.start:f.end] == f.text
        assert f.low is None or f.high is None or f.low <= f.high or f.value is None
