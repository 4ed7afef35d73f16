"""The DATE stage: recognition on the real model, normalisation anchored on the publication date."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitroom.stages.dates import find_dates, normalise

#: The export JSON Schema's pattern for DateRef.value.
VALUE = re.compile(r"^(\d{4}(-(\d{2}(-\d{2}(T\d{2}:\d{2})?)?|W\d{2}|Q[1-4]|H[12]|SP|SU|FA|WI))?|\d{2,3}|P.*"
                   r"|PRESENT_REF|PAST_REF|FUTURE_REF|XXXX.*)$")
ANCHOR = date(2016, 10, 19)  # a Wednesday, ISO week 2016-W42

# (sentence, expression as it must be found, value with ANCHOR, kind, absolute?)
CASES = [
    ("The talks began on 19 October 2016 in Brussels.", "19 October 2016", "2016-10-19", "date", True),
    ("Sales fell in February 2019, the report says.", "February 2019", "2019-02", "date", True),
    ("He left the group in 2015.", "2015", "2015", "date", True),
    ("Oil prices peaked in mid-2014.", "mid-2014", "2014", "date", True),
    ("The ISO date was 2021-06-28.", "2021-06-28", "2021-06-28", "date", True),
    ("The form was signed on 06/28/2021 in Paris.", "06/28/2021", "2021-06-28", "date", True),
    ("The crisis of the 1990s changed the party.", "1990s", "199", "date", True),
    ("The festival was held in summer 2015.", "summer 2015", "2015-SU", "date", True),
    ("Profits rose in the first quarter of 2015.", "the first quarter of 2015", "2015-Q1", "date", True),
    ("He served three years in prison.", "three years", "P3Y", "duration", True),
    ("The mayor met the envoy on Tuesday.", "Tuesday", "2016-10-18", "date", False),
    ("Thursday was quiet in the capital.", "Thursday", "2016-10-13", "date", False),
    ("The ministers will meet on Friday.", "Friday", "2016-10-21", "date", False),
    ("He arrived in Mosul last November.", "last November", "2015-11", "date", False),
    ("Talks resumed this week.", "this week", "2016-W42", "date", False),
    ("Talks stalled last week.", "last week", "2016-W41", "date", False),
    ("He resigned two weeks ago.", "two weeks ago", "2016-W40", "date", False),
    ("The police said yesterday that the suspect fled.", "yesterday", "2016-10-18", "date", False),
    ("The court rules today.", "today", "2016-10-19", "date", False),
    ("The court will rule tomorrow.", "tomorrow", "2016-10-20", "date", False),
    ("Growth slowed last year.", "last year", "2015", "date", False),
    ("The census is due this year.", "this year", "2016", "date", False),
    ("The census will be held next year.", "next year", "2017", "date", False),
    ("Exports fell last month.", "last month", "2016-09", "date", False),
    ("The vote took place in March.", "March", "2016-03", "date", False),
    ("The blast hit at 4:30 a.m. local time.", "4:30 a.m.", "2016-10-19T04:30", "time", False),
]


@pytest.mark.parametrize("sentence,expr,value,kind,absolute", CASES)
def test_expression_found_and_normalised(model, sentence, expr, value, kind, absolute):
    doc = model(sentence)
    refs = find_dates(doc, ANCHOR)
    found = {r.text: r for r in refs}
    assert expr in found, [r.text for r in refs]
    ref = found[expr]
    assert sentence[ref.start:ref.end] == expr
    assert (ref.value, ref.kind) == (value, kind)
    assert VALUE.match(ref.value)


@pytest.mark.parametrize("sentence,expr,value,kind,absolute", CASES)
def test_without_anchor_relative_values_are_none(model, sentence, expr, value, kind, absolute):
    refs = {r.text: r for r in find_dates(model(sentence), None)}
    assert expr in refs
    assert refs[expr].value == (value if absolute else None)


@pytest.mark.parametrize("expr,value,kind", [
    ("19 October 2016", "2016-10-19", "date"),
    ("Oct. 19, 2016", "2016-10-19", "date"),
    ("February 2019", "2019-02", "date"),
    ("last November", "2015-11", "date"),
    ("March", "2016-03", "date"),
    ("November", "2016-11", "date"),  # a month just ahead of the anchor is the coming one
    ("this week", "2016-W42", "date"),
    ("now", "PRESENT_REF", "date"),
    ("currently", "PRESENT_REF", "date"),
    ("recently", "PAST_REF", "date"),
    ("the 1990s", "199", "date"),
    ("three years", "P3Y", "duration"),
    ("four months", "P4M", "duration"),
    ("winter 2015", "2015-WI", "date"),
    ("the fourth quarter of 2015", "2015-Q4", "date"),
    ("the first half of 2015", "2015-H1", "date"),
])
def test_normalise(expr, value, kind):
    assert normalise(expr, ANCHOR) == (value, kind)
    assert VALUE.match(value)


def test_normalise_relative_without_anchor_is_none():
    for expr in ("Tuesday", "last November", "this week", "two weeks ago", "yesterday", "last month", "March",
                 "4:30 a.m.", "next year"):
        assert normalise(expr, None)[0] is None, expr
    assert normalise("19 October 2016", None) == ("2016-10-19", "date")


def test_non_dates_are_dropped(model):
    text = "A 34-year-old man was arrested with 4000 rifles and 12 trucks; the man, aged 34, wept."
    refs = find_dates(model(text), ANCHOR)
    assert not any(r.text in ("34", "4000", "12", "34-year-old") for r in refs), refs


def test_spans_sorted_disjoint_and_slice_back(model):
    text = ("On Tuesday, 18 October 2016, the envoy said that since mid-2014 and until last week the group "
            "had lost ground; talks will resume on Friday at 9 a.m. and again in March.")
    refs = find_dates(model(text), ANCHOR)
    assert refs
    for a, b in zip(refs, refs[1:]):
        assert a.end <= b.start
    for r in refs:
        assert text[r.start:r.end] == r.text
        assert r.value is None or VALUE.match(r.value)
        assert not r.text.lower().startswith(("on ", "since ", "the ", "in ", "until "))


def test_digit_line_is_fast(model):
    text = "7" * 200_000
    model.max_length = max(model.max_length, len(text) + 1)
    doc = model.make_doc(text)  # tokenizer only: the point is find_dates's regexes
    started = time.perf_counter()
    find_dates(doc, ANCHOR)
    assert time.perf_counter() - started < 2.0
    many = model.make_doc("Talks resumed on Monday, 19 October, " * 5_000)  # 10,000 dates: linear, not quadratic
    started = time.perf_counter()
    assert len(find_dates(many, ANCHOR)) == 10_000
    assert time.perf_counter() - started < 5.0
    started = time.perf_counter()
    normalise("1" * 200_000, ANCHOR)
    normalise("12/" * 70_000, ANCHOR)
    assert time.perf_counter() - started < 2.0


words = st.sampled_from(["on", "Tuesday", "last", "week", "19", "October", "2016", "mid-2014", "ago", "two",
                         "years", "the", "1990s", "said", "will", "4:30", "a.m.", "06/28/2021", "-", ",", "\n",
                         "34-year-old", "summer", "quarter", "now", "’s", "Q1", "9999"])
texts = st.one_of(st.text(max_size=200), st.lists(st.one_of(words, st.text(max_size=6)), max_size=40).map(" ".join))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, anchor=st.one_of(st.none(), st.dates()))
def test_any_text_never_crashes_and_slices_back(model, text, anchor):
    refs = find_dates(model(text), anchor)
    last = 0
    for r in refs:
        assert text[r.start:r.end] == r.text
        assert r.start >= last and r.end > r.start
        last = r.end
        assert r.value is None or VALUE.match(r.value), r
