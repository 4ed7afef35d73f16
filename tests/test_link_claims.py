"""Claims: figures estimating the same quantity grouped across articles (sitroom.link.claims)."""

from __future__ import annotations

import math
import random

import pytest

from sitroom.link.claims import effective_range, group_claims, head_and_modifiers, rows_for_claims

from conftest import EXAMPLES

MOSUL = {"place_id": "99072", "country_code": "IQ", "lat": 36.34, "lon": 43.13, "feature": "city"}
LIBYA = {"place_id": "2215636", "country_code": "LY", "lat": 28.0, "lon": 17.0, "feature": "country"}


def figure(doc: str, start: int, low: float, high: float | None = None, subject: str | None = "fighters",
           sentence: str = "", published: str | None = "2016-10-19", place: dict | None = MOSUL,
           qualifier: str | None = None, kind: str = "count", unit: str | None = None,
           source: str | None = "", year: int | None = None) -> dict:
    high = low if high is None else high
    return {"document_id": doc, "start": start, "end": start + 5, "text": f"{low:g}-{high:g}",
            "value": low if low == high else None, "low": low, "high": high, "unit": unit, "subject": subject,
            "qualifier": qualifier, "kind": kind, "sentence": sentence or f"In Mosul there are {subject}.",
            "sentence_start": start, "published": published, "source": f"outlet {doc}" if source == "" else source,
            "place_ids": [place["place_id"]] if place else [], "place_id": place and place["place_id"],
            "place": place, "sentence_year": year}


def members(claims: list[dict]) -> list[set[tuple[str, int]]]:
    return sorted(({(f["document_id"], f["start"]) for f in c["figures"]} for c in claims), key=sorted)


def test_two_estimates_of_one_quantity_are_one_claim_that_disagrees():
    rows = [figure("a", 10, 4000, 8000, "militants",
                   "These experts say that 4,000 to 8,000 militants are in the ranks inside Mosul."),
            figure("b", 20, 9000, subject="isis jihadists", qualifier="potentially", published="2016-10-25",
                   sentence="There are potentially 9,000 ISIS jihadists sitting in Mosul at the moment.")]
    [claim] = group_claims(rows)
    assert (claim["low"], claim["high"], claim["agree"], claim["sources"]) == (4000, 9000, False, 2)
    assert claim["place_id"] == "99072" and claim["kind"] == "count"


def test_overlapping_estimates_agree():
    rows = [figure("a", 10, 4000, 6000, "foreign fighters"),
            figure("b", 20, 5000, subject="foreign fighters", qualifier="about")]
    [claim] = group_claims(rows)
    assert claim["agree"] is True


def test_fighters_and_civilians_stay_apart():
    rows = [figure("a", 10, 5000, subject="fighters", sentence="About 5,000 fighters fled Mosul."),
            figure("b", 20, 5000, subject="civilians", sentence="About 5,000 civilians fled Mosul.")]
    assert len(group_claims(rows)) == 2


def test_same_subject_years_apart_or_far_apart_stays_apart():
    rows = [figure("a", 10, 5000, published="2016-10-19"),
            figure("b", 20, 5000, published="2024-03-12"),
            figure("c", 30, 5000, published="2016-10-20", year=2014),
            figure("d", 40, 5000, published="2016-10-21", place=LIBYA,
                   sentence="In Libya there are fighters.")]
    assert len(group_claims(rows)) == 4


def test_values_of_another_order_stay_apart_and_undated_figures_need_a_town():
    rows = [figure("a", 10, 5000), figure("b", 20, 100, qualifier="a few hundred"),
            figure("c", 30, 5000, published=None, place=None, sentence="Some fighters are said to exist.")]
    assert len(group_claims(rows)) == 3


def test_figures_of_one_sentence_join_only_through_their_subjects():
    s = "Europol speaks of between 3,000 and 4,000 fighters; Iraqi commanders say about 5,000."
    shares = "Only one in twenty militants return, while one in ten militants come on leave."
    rows = [figure("a", 10, 3000, 4000, sentence=s), figure("a", 60, 5000, subject=None, sentence=s),
            figure("b", 0, 5, subject="militants", kind="percent", unit="%", sentence=shares),
            figure("b", 40, 10, subject="militants", kind="percent", unit="%", sentence=shares)]
    for r in rows:
        r["sentence_start"] = 0
    assert members(group_claims(rows)) == [{("a", 10), ("a", 60)}, {("b", 0)}, {("b", 40)}]


def test_sources_count_articles_without_a_source_separately():
    rows = [figure("a", 10, 42, source=None), figure("b", 10, 42, source=None),
            figure("c", 10, 42, source="Atlas Wire"), figure("d", 10, 42, source="Atlas Wire")]
    [claim] = group_claims(rows)
    assert claim["sources"] == 3


def test_every_figure_in_one_claim_and_ids_stable_under_reordering():
    rows = [figure("a", 10, 4000, 8000), figure("b", 20, 9000, published="2016-10-25"),
            figure("c", 5, 30000, subject="troops", sentence="30,000 Iraqi army troops face them."),
            figure("d", 7, 12, kind="percent", unit="%", subject=None, sentence="A 12% rise in alerts.")]
    first = group_claims(rows)
    assert sum(len(c["figures"]) for c in first) == len(rows)
    again = group_claims(list(reversed(rows)))
    assert sorted((c["id"], len(c["figures"])) for c in first) == sorted((c["id"], len(c["figures"])) for c in again)


def test_effective_ranges_and_heads():
    assert effective_range({"low": 42, "high": 42, "qualifier": "at least"}) == (42, math.inf)
    assert effective_range({"low": 100, "high": 100, "qualifier": "hundreds"}) == (100, 1000)
    assert effective_range({"low": 24, "high": 24, "qualifier": "nearly"}) == pytest.approx((21.6, 24))
    assert head_and_modifiers("isis jihadists") == ("fighter", frozenset({"isis"}))
    assert head_and_modifiers("europeans", "An estimated 2,500 Europeans belong to it.") == \
        ("national", frozenset({"european"}))
    assert head_and_modifiers("lives")[0] == head_and_modifiers(None)[0] == "*"


def test_twenty_thousand_figures_complete():
    rng = random.Random(3)
    words = [f"w{i}" for i in range(3000)]
    rows = [figure(f"d{i // 4}", i % 4 * 100, rng.choice([12, 100, 1000, 5000]) * rng.choice([1, 2]),
                   subject=rng.choice(["fighters", "civilians", "troops", None]),
                   sentence=" ".join(rng.choice(words) for _ in range(20)), place=None,
                   published=f"2024-{1 + i % 12:02d}-01")
            for i in range(20_000)]
    claims = group_claims(rows)
    assert sum(len(c["figures"]) for c in claims) == len(rows)


@pytest.fixture(scope="module")
def example_store(tmp_path_factory):
    from sitroom.pipeline import ingest
    from sitroom.settings import Config
    from sitroom.store.database import Store

    db = str(tmp_path_factory.mktemp("links") / "examples.duckdb")
    ingest([str(EXAMPLES)], Config.load(db=db))
    with Store(db, read_only=True) as store:
        yield store


def test_example_articles_give_the_disputed_fighter_count(example_store):
    rows = rows_for_claims(example_store.con)
    assert {"sentence", "published", "source", "place_ids", "place_id"} <= set(rows[0])
    claims = group_claims(rows)
    assert sum(len(c["figures"]) for c in claims) == len(rows)
    fled = max((c for c in claims if c["subject"] and "fighters" in c["subject"]), key=lambda c: len(c["figures"]))
    assert fled["sources"] >= 4 and fled["agree"] is False and fled["low"] <= 4000 and fled["high"] >= 7500
    twelve = [c for c in claims if c["unit"] == "%" and c["low"] == 12]
    assert len(twelve) == 2  # a rise in alerts and a share of women: two quantities
