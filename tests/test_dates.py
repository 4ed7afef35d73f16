"""The DATE stage on the real model: recognition, spans, and values anchored on the publication date.

Every sentence here is written for the test; the anchor is Wednesday 19 October 2016 (ISO week 42).
"""

from __future__ import annotations

import json
import re
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from sitroom.stages import dates as dates_module
from sitroom.stages.dates import find_dates, normalise

ANCHOR = date(2016, 10, 19)  # a Wednesday


def _schema_value_pattern() -> re.Pattern:
    """DateRef.value must validate against the export schema: read its pattern, do not copy it."""
    schema = json.loads((ROOT / "src" / "sitroom" / "store" / "export-schema.json").read_text())
    found: list[str] = []

    def walk(node):  # noqa: ANN001, ANN202
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str) and "PRESENT_REF" in node["pattern"]:
                found.append(node["pattern"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    assert found, "export schema has no pattern for date values"
    return re.compile(found[0])


VALUE = _schema_value_pattern()


def found(model, text: str, anchor: date | None = ANCHOR) -> dict[str, tuple[str | None, str]]:
    refs = find_dates(model(text), anchor)
    for r in refs:
        assert text[r.start:r.end] == r.text
        assert r.value is None or VALUE.match(r.value), r
    return {r.text: (r.value, r.kind) for r in refs}


# (sentence, expression as found, value with ANCHOR, kind, is the expression absolute?)
CASES = [
    # absolute
    ("The report was published on 19 October 2016 in Brussels.", "19 October 2016", "2016-10-19", "date", True),
    ("The ceasefire was signed on Oct. 3, 2015.", "Oct. 3, 2015", "2015-10-03", "date", True),
    ("The first face-to-face meeting since February 2019 took place.", "February 2019", "2019-02", "date", True),
    ("The attacks of 2015 changed the debate.", "2015", "2015", "date", True),
    ("Deaths have risen since mid-2014.", "mid-2014", "2014", "date", True),
    ("The deal was signed on 06/28/2021.", "06/28/2021", "2021-06-28", "date", True),
    ("The file is dated 2021-06-28.", "2021-06-28", "2021-06-28", "date", True),
    ("Recruitment peaked in the 1990s.", "1990s", "199", "date", True),
    ("Arrivals doubled in summer 2015.", "summer 2015", "2015-SU", "date", True),
    ("Profits rose in the first quarter of 2015.", "the first quarter of 2015", "2015-Q1", "date", True),
    ("Sales slowed in the first half of 2015.", "the first half of 2015", "2015-H1", "date", True),
    ("Such wars marked the 20th century.", "20th century", "19", "date", True),
    # durations and sets
    ("The siege lasted three years.", "three years", "P3Y", "duration", True),
    ("Talks lasted 2 1/2 hours.", "2 1/2 hours", "PT2H30M", "duration", True),
    ("Fighting has intensified over the past two months.", "the past two months", "P2M", "duration", True),
    ("The ministry publishes the figures daily.", "daily", "P1D", "set", True),
    # relative to the publication date
    ("The commissioner told a newspaper on Tuesday that returnees were a threat.", "Tuesday", "2016-10-18",
     "date", False),
    ("Thursday was quiet in the capital.", "Thursday", "2016-10-13", "date", False),
    ("The mayor spoke on Wednesday.", "Wednesday", "2016-10-19", "date", False),
    ("Ministers will meet on Friday to agree a plan.", "Friday", "2016-10-21", "date", False),
    ("The offensive began last November.", "last November", "2015-11", "date", False),
    ("The vote took place in March.", "March", "2016-03", "date", False),
    ("The summit will be held in December.", "December", "2016-12", "date", False),
    ("The siege began on Sept. 12.", "Sept. 12", "2016-09-12", "date", False),
    ("Officials met this week in Brussels.", "this week", "2016-W42", "date", False),
    ("Talks stalled last week.", "last week", "2016-W41", "date", False),
    ("The town fell two weeks ago.", "two weeks ago", "2016-W40", "date", False),
    ("The bridge collapsed three days ago.", "three days ago", "2016-10-16", "date", False),
    ("Raids began yesterday.", "yesterday", "2016-10-18", "date", False),
    ("The court will rule tomorrow.", "tomorrow", "2016-10-20", "date", False),
    ("Funding rose last year.", "last year", "2015", "date", False),
    ("The census is due this year.", "this year", "2016", "date", False),
    ("Elections will be held next year.", "next year", "2017", "date", False),
    ("Exports fell last month.", "last month", "2016-09", "date", False),
    ("The blast hit at 4:30 a.m. local time.", "4:30 a.m. local time", "2016-10-19T04:30", "time", False),
    ("Troops will withdraw at 9 a.m. Tuesday.", "9 a.m. Tuesday", "2016-10-25T09:00", "time", False),
    ("Fighters are now in the city.", "now", "PRESENT_REF", "date", False),
    ("The group has recently lost ground.", "recently", "PAST_REF", "date", False),
    ("It reported a loss for the quarter.", "the quarter", "2016-Q3", "date", False),
    ("Profit fell from $3 million a year earlier.", "a year earlier", "2015", "date", False),
]


@pytest.mark.parametrize("sentence,expr,value,kind,absolute", CASES)
def test_expression_is_found_and_normalised(model, sentence, expr, value, kind, absolute):
    got = found(model, sentence)
    assert expr in got, got
    assert got[expr] == (value, kind)


@pytest.mark.parametrize("sentence,expr,value,kind,absolute", CASES)
def test_without_anchor_only_absolute_expressions_have_values(model, sentence, expr, value, kind, absolute):
    got = found(model, sentence, anchor=None)
    assert expr in got, got
    assert got[expr] == ((value if absolute else None), kind)


@pytest.mark.parametrize("expr,value,kind", [
    ("19 October 2016", "2016-10-19", "date"),
    ("Oct. 19, 2016", "2016-10-19", "date"),
    ("28.06.2021", "2021-06-28", "date"),
    ("February 2019", "2019-02", "date"),
    ("last November", "2015-11", "date"),
    ("early 2015", "2015", "date"),
    ("the end of 1990", "1990", "date"),
    ("the mid-1990s", "199", "date"),
    ("winter 2015", "2015-WI", "date"),
    ("the fourth quarter of 2015", "2015-Q4", "date"),
    ("this week", "2016-W42", "date"),
    ("next week", "2016-W43", "date"),
    ("a month ago", "2016-09", "date"),
    ("a decade ago", "200", "date"),
    ("last summer", "2016-SU", "date"),
    ("the next morning", "2016-10-20", "date"),
    ("tonight", "2016-10-19TNI", "date"),
    ("Christmas Day", "2016-12-25", "date"),
    ("four months", "P4M", "duration"),
    ("a few days", "PXD", "duration"),
    ("decades", "PXDE", "duration"),
    ("every Thursday", "XXXX-WXX-4", "set"),
    ("the near future", "FUTURE_REF", "date"),
])
def test_normalise(expr, value, kind):
    assert normalise(expr, ANCHOR) == (value, kind)
    assert VALUE.match(value)


def test_normalise_is_pure_and_uses_the_tense():
    anchor = date(2024, 3, 12)  # a Tuesday
    assert normalise("last November", anchor) == ("2023-11", "date")
    assert normalise("this week", anchor) == ("2024-W11", "date")
    assert normalise("Friday", anchor) == ("2024-03-08", "date")
    assert normalise("Friday", anchor, tense="future") == ("2024-03-15", "date")
    assert normalise("June", anchor, tense="past") == ("2023-06", "date")
    assert normalise("June", anchor, tense="future") == ("2024-06", "date")


def test_relative_expressions_without_anchor_are_none():
    for expr in ("Tuesday", "last November", "this week", "two weeks ago", "yesterday", "last month", "March",
                 "Sept. 12", "4:30 a.m.", "next year", "now", "the quarter", "a year earlier", "that day"):
        assert normalise(expr, None)[0] is None, expr
    assert normalise("19 October 2016", None) == ("2016-10-19", "date")
    assert normalise("three years", None) == ("P3Y", "duration")


def test_text_that_is_not_a_date_normalises_to_none():
    assert normalise("the mayor of Vilvoorde", ANCHOR) == (None, "date")
    assert normalise("", ANCHOR) == (None, "date")


def test_ages_bare_numbers_and_titles_are_not_dates(model):
    text = ("The 34-year-old suspect, aged 29 at the time, carried 4000 rounds; a man in his 30s "
            "spoke to Russia Today and to ABC's \"This Week\".")
    got = found(model, text)
    assert not any(k in got for k in ("34-year-old", "29", "4000", "30s", "Today", "This Week")), got


def test_the_past_alone_is_not_a_date(model):
    assert "the past" not in found(model, "In the past, the city was calm.")


def test_coordinated_dates_are_split(model):
    assert found(model, "Attacks in February 2019 and 2015 were linked.") == {
        "February 2019": ("2019-02", "date"), "2015": ("2015", "date")}
    got = found(model, "The summit is on April 24 and 25.")
    assert got["April 24"] == ("2017-04-24", "date") and got["25"] == ("2017-04-25", "date")


def test_leading_prepositions_are_trimmed(model):
    text = "On Tuesday, since mid-2014 and until last week, in March and during the 1990s, the group grew."
    got = found(model, text)
    assert {"Tuesday", "mid-2014", "last week", "March", "1990s"} <= set(got), got
    assert not any(k.lower().startswith(("on ", "since ", "until ", "in ", "during ", "the ")) for k in got)


def test_anaphora_resolve_against_the_last_date_mentioned(model):
    got = found(model, "The rebels entered the town on 3 May 2015. The next day, the army withdrew.")
    assert got["The next day"] == ("2015-05-04", "date")


def test_spans_are_sorted_and_disjoint(model):
    text = ("On Tuesday, 18 October 2016, the envoy said that since mid-2014 and until last week the group "
            "had lost ground; talks will resume on Friday at 9 a.m. and again in March.")
    refs = find_dates(model(text), ANCHOR)
    assert len(refs) >= 5
    for a, b in zip(refs, refs[1:]):
        assert a.end <= b.start
    for r in refs:
        assert text[r.start:r.end] == r.text


def test_a_long_line_of_digits_is_fast(model):
    # Structural guarantees: every pattern starts behind a word-boundary guard (a digit run is one
    # candidate position, not 200,000), there is no nested quantifier, and normalise refuses text
    # longer than any date expression.  The bound below is generous; the run takes a fraction of it.
    text = "1" * 200_000 + " on Tuesday"
    model.max_length = max(model.max_length, len(text) + 1)
    doc = model.make_doc(text)
    started = time.perf_counter()
    refs = find_dates(doc, ANCHOR)
    assert time.perf_counter() - started < 2.0
    assert [r.text for r in refs] == ["Tuesday"]
    started = time.perf_counter()
    assert normalise("1" * 200_000, ANCHOR) == (None, "date")
    assert normalise("12/" * 70_000, ANCHOR) == (None, "date")
    assert normalise("2 " * 50, ANCHOR) == (None, "date")
    assert time.perf_counter() - started < 0.5
    assert dates_module._MAX_EXPRESSION <= 200


words = st.sampled_from(["on", "Tuesday", "last", "November", "2016", "mid-2014", "ago", "two", "weeks", "19",
                         "October", ",", "and", "this", "week", "06/28/2021", "the", "1990s", "will", "4:30",
                         "a.m.", "34-year-old", "quarter", "a year earlier", "now", "’s", "\n", "9999", "0000"])
texts = st.one_of(st.text(max_size=120),
                  st.lists(st.one_of(words, st.text(max_size=8)), max_size=30).map(" ".join))


@settings(max_examples=50, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, anchor=st.one_of(st.none(), st.dates()))
def test_any_text_never_crashes_and_offsets_slice_back(model, text, anchor):
    last = 0
    for r in find_dates(model(text), anchor):
        assert text[r.start:r.end] == r.text
        assert r.start >= last and r.end > r.start
        last = r.end
        assert r.value is None or VALUE.match(r.value), r
        assert r.kind in ("date", "time", "duration", "set")
