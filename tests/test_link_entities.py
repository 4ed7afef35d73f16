"""Entities across documents (sitroom.link.entities) and the ECB+ coreference scorer."""

from __future__ import annotations

import random

import pytest
from conftest import EXAMPLES, SHARED

from evaluation.ecb_entities import b_cubed, ceaf_e, muc, score
from sitroom.link.entities import link_entities, name_key, rows_for_entities


def row(eid: str, name: str, label: str = "PERSON", mentions: int = 1, **extra) -> dict:
    return {"id": eid, "name": name, "label": label, "mentions": mentions, **extra}


def canon(rows: list[dict]) -> dict[str, str]:
    return {r["entity_id"]: r["canonical_id"] for r in link_entities(rows)}


def methods(rows: list[dict]) -> dict[str, str]:
    return {r["entity_id"]: r["method"] for r in link_entities(rows)}


# -- aliases and acronyms ------------------------------------------------------------------------

def test_alias_joins_isis_to_islamic_state():
    rows = [row("E1", "Islamic State", "ORG", 10, aliases=["ISIS", "Daesh"]), row("E2", "ISIS", "ORG", 3),
            row("E3", "Daesh", "NORP", 1), row("E4", "Islamic Jihad", "ORG", 2)]
    c = canon(rows)
    assert c["E2"] == c["E3"] == c["E1"] == "E1"
    assert c["E4"] == "E4"
    assert methods(rows)["E2"] == "alias"


def test_acronym_definition_and_initials():
    rows = [row("E1", "Halden Institute for Security Studies", "ORG", 8, aliases=["HISS"]), row("E2", "HISS", "ORG", 2),
            row("E3", "Syrian Democratic Forces", "ORG", 19), row("E4", "SDF", "ORG", 4)]
    c = canon(rows)
    assert c["E2"] == "E1" and c["E4"] == "E3"
    assert methods(rows)["E4"] == "acronym"


def test_ambiguous_acronym_stays_apart():
    rows = [row("E1", "Agence France-Presse", "ORG", 5), row("E2", "Australian Federal Police", "ORG", 5),
            row("E3", "AFP", "ORG", 9)]
    assert canon(rows)["E3"] == "E3"


# -- partial names -------------------------------------------------------------------------------

def test_surname_joins_the_unique_full_name():
    rows = [row("E1", "Angela Merkel", mentions=4), row("E2", "Merkel", mentions=9), row("E3", "Olaf Scholz")]
    c = canon(rows)
    assert c["E2"] == "E1"  # the full name is canonical although the surname has more mentions
    assert c["E3"] == "E3"
    assert methods(rows)["E2"] == "surname"


def test_two_smiths_keep_a_bare_smith_apart():
    rows = [row("E1", "John Smith", context=["Eacme", "place:1"]), row("E2", "Mary Smith", context=["Ezeta"]),
            row("E3", "Smith", mentions=5, context=["Eother"])]
    c = canon(rows)
    assert len({c["E1"], c["E2"], c["E3"]}) == 3


def test_context_decides_between_two_smiths():
    rows = [row("E1", "John Smith", context=["Eacme", "place:1", "Ebank"]), row("E2", "Mary Smith", context=["Ezeta"]),
            row("E3", "Smith", context=["Eacme", "place:1"]),
            row("Eacme", "Acme Corp", "ORG"), row("Ezeta", "Zeta Group", "ORG"), row("Ebank", "Bank of Nowhere", "ORG")]
    c = canon(rows)
    assert c["E3"] == "E1" and c["E2"] == "E2"


def test_chains_never_join_two_given_names():
    # "Smith" (ORG) and "Smith" (NORP) share a name key; context ties one to each Smith.
    rows = [row("E1", "John Smith", mentions=3), row("E2", "Mary Smith", mentions=3),
            row("E3", "Smith", "ORG", context=["E1", "Eacme"]), row("E4", "Smith", "NORP", context=["E2", "Ezeta"]),
            row("Eacme", "Acme Corp", "ORG"), row("Ezeta", "Zeta Group", "ORG")]
    c = canon(rows)
    assert c["E1"] != c["E2"]
    assert c["E3"] == c["E4"] and c["E3"] in (c["E1"], c["E2"])


def test_initial_and_middle_name():
    rows = [row("E1", "Gilles de Kerchove", mentions=3), row("E2", "G. de Kerchove"),
            row("E3", "George W. Bush"), row("E4", "George H. W. Bush"), row("E5", "George Bush")]
    c = canon(rows)
    assert c["E2"] == "E1"
    assert c["E5"] == "E5"  # fits both Bushes: stays apart
    assert c["E3"] != c["E4"]


def test_nested_names():
    rows = [row("E1", "Regina Benjamin", mentions=66), row("E2", "Regina M. Benjamin", mentions=18),
            row("E3", "Ellen DeGeneres", mentions=59, context=["Eoscars"]),
            row("E4", "Comedian Ellen DeGeneres", mentions=8, context=["E3", "Eoscars"]),
            row("E5", "Paul Jones"), row("E6", "John Paul Jones"), row("Eoscars", "Oscars", "EVENT")]
    c = canon(rows)
    assert c["E2"] == "E1" and c["E4"] == "E3"
    assert c["E5"] != c["E6"]  # a leading word dropped needs context


def test_suffixes_nicknames_and_numerals():
    rows = [row("E1", "Arcade Joseph Comeaux Jr.", mentions=7), row("E2", "Comeaux", mentions=5),
            row("E3", "Microsoft", "ORG", 42), row("E4", "Microsoft Corp.", "ORG"),
            row("E5", 'Vincent "The Chin" Gigante', mentions=3), row("E6", "Vincent Gigante", mentions=3),
            row("E7", "World War II", "EVENT"), row("E8", "World War III", "EVENT")]
    c = canon(rows)
    assert c["E2"] == "E1" and c["E4"] == "E3" and c["E5"] == c["E6"]
    assert c["E7"] != c["E8"]


def test_organisation_named_without_its_place():
    rows = [row("E1", "New Orleans Saints", "ORG", 13), row("E2", "Saints", "ORG", 13), row("E3", "New Orleans", "GPE"),
            row("E4", "Iraqi Army", "ORG"), row("E5", "Syrian Army", "ORG"), row("E6", "Army", "ORG"),
            row("E7", "Iraqi", "NORP"), row("E8", "Syrian", "NORP")]
    c = canon(rows)
    assert c["E2"] == "E1" and c["E3"] == "E3"
    assert c["E6"] == "E6"  # two armies fit: no context, no link


def test_mislabelled_names_join_only_with_context():
    rows = [row("E1", "Lindsay Lohan", mentions=28), row("E2", "Lohan", "GPE", 4, context=["E1", "Erehab"]),
            row("E3", "Michael Jordan", mentions=5), row("E4", "Jordan", "GPE", 9, context=["E3"], places=["248816"]),
            row("E5", "Bettie Page", "ORG", 11), row("E6", "Bettie Page", mentions=2),
            row("Erehab", "Rehab Center", "ORG")]
    c = canon(rows)
    assert c["E2"] == "E1"
    assert c["E4"] == "E4"  # resolved to a place: never a person
    assert c["E5"] != c["E6"]  # same name, other label, no shared context


# -- spelling variants ---------------------------------------------------------------------------

def test_transliteration_variants_join():
    rows = [row("E1", "Abu Bakr al-Baghdadi", mentions=5), row("E2", "Abu Bakr Al Baghdadi"),
            row("E3", "Nawfal al-Zubaidi", mentions=2), row("E4", "Nawfal al-Zubaydi"),
            row("E5", "Raqqa", "GPE", 2), row("E6", "Ar-Raqqah", "GPE"), row("E7", "Hezbollah", "ORG", 3),
            row("E8", "Hizbullah", "ORG")]
    c = canon(rows)
    assert c["E2"] == "E1" and c["E4"] == "E3" and c["E6"] == "E5" and c["E8"] == "E7"
    assert name_key("Abu Bakr al-Baghdadi") == name_key("Abu Bakr Al Baghdadi")


def test_near_names_that_are_different_things_stay_apart():
    rows = [row("E1", "John Smith"), row("E2", "Joan Smith"), row("E3", "Michael Obama"), row("E4", "Michelle Obama"),
            row("E5", "G7", "ORG"), row("E6", "G8", "ORG"), row("E7", "Iraqi Army", "ORG"), row("E8", "Iraqi Navy", "ORG"),
            row("E9", "Iran", "GPE"), row("E10", "Iraq", "GPE"), row("E11", "Nigerian", "NORP"),
            row("E12", "Nigerien", "NORP"), row("E13", "Austria", "GPE", places=["2782113"]),
            row("E14", "Australia", "GPE", places=["2077456"])]
    assert all(c == e for e, c in canon(rows).items())


def test_same_place_id_joins_spellings():
    rows = [row("E1", "Deir al-Zour", "GPE", 6, places=["170794"]), row("E2", "Deir ez-Zor", "GPE", 5, places=["170794"])]
    assert canon(rows)["E2"] == "E1"
    assert methods(rows)["E2"] == "place"


def test_labels_must_agree():
    rows = [row("E1", "Jordan", "PERSON", 3), row("E2", "Jordan", "GPE", 7), row("E3", "Michael Jordan", "PERSON", 2),
            row("E4", "Washington", "GPE"), row("E5", "Washington", "ORG")]
    c = canon(rows)
    assert c["E2"] == "E2" and c["E4"] != c["E5"]
    assert c["E1"] == "E3"  # the bare person "Jordan" is the one Jordan person


# -- stability and scale -------------------------------------------------------------------------

def test_ids_stable_under_reordering():
    rows = [row("E1", "Islamic State", "ORG", 10, aliases=["ISIS"]), row("E2", "ISIS", "ORG", 3),
            row("E3", "John Smith", context=["Eacme", "place:1"]), row("E4", "Mary Smith"),
            row("E5", "Smith", context=["Eacme", "place:1"]), row("Eacme", "Acme Corp", "ORG"),
            row("E6", "Abu Bakr al-Baghdadi", mentions=5), row("E7", "Abu Bakr Al Baghdadi"),
            row("E8", "Raqqa", "GPE", 2), row("E9", "Raqa", "GPE", 2), row("E10", "Merkel"), row("E11", "Angela Merkel")]
    expected = link_entities(rows)
    rng = random.Random(7)
    for _ in range(5):
        shuffled = rows[:]
        rng.shuffle(shuffled)
        assert link_entities(shuffled) == expected
    c = {r["entity_id"]: r["canonical_id"] for r in expected}
    assert c["E9"] == "E8"  # equal mentions: the smaller id wins


def test_five_thousand_entities():
    rng = random.Random(1)
    given = ["Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hassan", "Ines", "Jonas", "Karim",
             "Lena", "Marek", "Nadia", "Oskar", "Petra", "Rashid", "Sofia", "Tomas", "Ulla"]
    syll = ["bar", "den", "fol", "gur", "hik", "jat", "kem", "lop", "mus", "nav", "pir", "rod", "sut", "tev",
            "vox", "wen", "yal", "zir"]
    rows = []
    for i in range(5000):
        surname = "".join(rng.choice(syll) for _ in range(3)).capitalize()
        kind = i % 5
        if kind == 4:
            rows.append(row(f"E{i:05d}", surname, "PERSON", rng.randint(1, 9)))
        elif kind == 3:
            rows.append(row(f"E{i:05d}", f"{surname} Institute", "ORG", rng.randint(1, 9)))
        else:
            rows.append(row(f"E{i:05d}", f"{rng.choice(given)} {surname}", "PERSON", rng.randint(1, 9),
                            context=[f"E{rng.randrange(5000):05d}"]))
    out = link_entities(rows)
    assert sorted(r["entity_id"] for r in out) == sorted(r["id"] for r in rows)
    c = {r["entity_id"]: r["canonical_id"] for r in out}
    assert all(c[cid] == cid for cid in c.values())
    names = {r["id"]: r["name"] for r in rows}
    given_of: dict[str, set[str]] = {}
    for eid, cid in c.items():
        parts = names[eid].split()
        if len(parts) == 2 and parts[1] != "Institute":
            given_of.setdefault(cid, set()).add(parts[0])
    assert all(len(g) == 1 for g in given_of.values())  # never two given names in one cluster
    assert any(m["method"] == "surname" for m in out)


# -- a real store --------------------------------------------------------------------------------

def test_examples_store(tmp_path):
    from sitroom.pipeline import ingest
    from sitroom.settings import Config
    from sitroom.store.database import Store

    db = str(tmp_path / "ex.duckdb")
    ingest([str(EXAMPLES)], Config.load(db=db))
    with Store(db) as store:
        rows = rows_for_entities(store.con)
        total = store.con.execute("SELECT count(*) FROM mentions").fetchone()[0]
        n_entities = store.con.execute("SELECT count(*) FROM entities").fetchone()[0]
    assert len(rows) == n_entities and sum(r["mentions"] for r in rows) == total
    by_name = {(r["name"], r["label"]): r for r in rows}
    iraq = by_name[("Iraq", "GPE")]
    assert len(iraq["documents"]) > 1 and iraq["places"] and iraq["context"]
    assert any(r["roles"] for r in rows) and any(r["aliases"] for r in rows)
    links = link_entities(rows)
    assert sorted(r["entity_id"] for r in links) == sorted(r["id"] for r in rows)
    c = {r["entity_id"]: r["canonical_id"] for r in links}
    ids = {name: r["id"] for (name, _), r in by_name.items()}
    assert c[ids["Deir ez-Zor"]] == c[ids["Deir al-Zour"]]
    assert c[ids["Raqqa"]] == c[ids["Raqa"]]
    assert c[ids["Iraq"]] != c[ids["Syria"]]
    assert c[ids["Ingrid Maassen"]] == ids["Ingrid Maassen"]


# -- the ECB+ scorer -----------------------------------------------------------------------------

# Pradhan et al. (2014), "Scoring coreference partitions of predicted mentions", worked example:
# key {a b c} {d e f g}; response {a b} {c d} {f g h i}.
KEY = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 2, "g": 2}
RESPONSE = {"a": "x", "b": "x", "c": "y", "d": "y", "f": "z", "g": "z", "h": "z", "i": "z"}


def test_muc_worked_example():
    assert muc(KEY, RESPONSE) == {"p": 0.4, "r": 0.4, "f1": 0.4}


def test_b_cubed_worked_example():
    s = b_cubed(KEY, RESPONSE)
    assert s["r"] == pytest.approx(35 / 84, abs=1e-4) and s["p"] == pytest.approx(0.5, abs=1e-4)


def test_ceaf_e_worked_example():
    s = ceaf_e(KEY, RESPONSE)
    assert s["r"] == pytest.approx(0.65, abs=1e-4) and s["p"] == pytest.approx(1.3 / 3, abs=1e-4)


def test_scores_of_perfect_and_degenerate_responses():
    perfect = score(KEY, dict(KEY))
    assert perfect["conll_f1"] == 1.0
    singletons = {m: m for m in KEY}
    s = score(KEY, singletons)
    assert s["muc"]["r"] == 0.0 and s["b3"]["p"] == 1.0
    assert s["b3"]["r"] == pytest.approx((3 * (1 / 3) + 4 * (1 / 4)) / 7, abs=1e-4)
    one = {m: 0 for m in KEY}
    assert score(KEY, one)["muc"]["r"] == 1.0 and score(KEY, one)["b3"]["r"] == 1.0


def test_ecb_evaluation_on_a_few_documents():
    from evaluation.ecb_entities import evaluate, markdown

    if not (SHARED / "eval" / "ecbplus").is_dir():
        pytest.skip("../shared/eval/ecbplus not present (the ECB+ corpus lives outside the repository)")
    result = evaluate(SHARED, limit=12)
    assert result["documents"] == 12 and result["detection"]["all"]["gold"] > 0
    assert result["detection"]["all"]["recall"] > 0.5
    linked = result["scores"]["linked"]
    assert 0 < linked["b3"]["f1"] <= 1 and linked["conll_f1"] >= result["scores"]["document-local"]["conll_f1"]
    assert "Cross-document entities" in markdown(result)
