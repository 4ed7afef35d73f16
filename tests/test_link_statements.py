"""Statements: quotes of the same words grouped across articles (sitroom.link.statements)."""

from __future__ import annotations

import random

import pytest

from sitroom.link.statements import group_statements, rows_for_statements

from conftest import EXAMPLES

FULL = ("We cannot rule out that some of these fighters will try to return to Europe. "
        "The window for them is open now, and we intend to close it,")


def quote(doc: str, start: int, text: str, speaker: str | None = "Ingrid Maassen", entity: str | None = "E1",
          outlet: str | None = None, published: str | None = "2024-03-12", source: str | None = None) -> dict:
    return {"document_id": doc, "start": start, "end": start + len(text), "text": text, "speaker": speaker,
            "speaker_entity_id": entity, "cue": "said", "outlet": outlet, "direct": True,
            "source": source or f"outlet of {doc}", "published": published, "title": None}


def by_doc(statements: list[dict]) -> dict[tuple[str, int], str]:
    return {(q["document_id"], q["start"]): s["id"] for s in statements for q in s["quotes"]}


def test_trimmed_and_reworded_quotes_are_one_statement_with_the_fullest_text():
    rows = [quote("meridian", 286, FULL),
            quote("europa", 529, "We cannot rule out that some of these fighters will try to return to Europe,",
                  published="2024-03-13"),
            quote("lowlands", 381, "We cannot exclude that some of these fighters will try to return to Europe. "
                  "The window is open now, and we intend to close it,", published="2024-03-26"),
            quote("meridian", 900, "We are not talking about an invasion,")]
    statements = group_statements(rows)
    assert len(statements) == 2
    main = next(s for s in statements if len(s["quotes"]) == 3)
    assert main["text"] == FULL
    assert [q["document_id"] for q in main["quotes"]] == ["meridian", "europa", "lowlands"]
    assert main["flags"] == [] and main["speaker_entity_id"] == "E1"


def test_same_words_from_different_speakers_are_flagged():
    rows = [quote("europa", 529, "We cannot rule out that some of these fighters will try to return to Europe,"),
            quote("cpa", 1634, "We cannot rule out that some of these fighters will try to return to Europe,",
                  speaker="Marta Kowalczyk", entity="E2", published="2024-03-21")]
    [statement] = group_statements(rows)
    assert statement["flags"] == ["different speakers"]


def test_pronoun_and_role_speakers_do_not_raise_the_flag_but_other_outlets_do():
    rows = [quote("a", 10, "We learned more from the television than from the security services.",
                  outlet="Der Morgenbote"),
            quote("b", 20, "We learned more from television than from the security services.", speaker="he",
                  entity=None, outlet="Radio Dijle")]
    [statement] = group_statements(rows)
    assert statement["flags"] == ["different outlets"]
    assert statement["speaker"] == "Ingrid Maassen"


def test_different_words_and_embedded_speech_stay_apart():
    rows = [quote("a", 0, "We cannot rule out that some cells will try to strike again in the towns we have freed,",
                  speaker="Siyamend Derik", entity="E3"),
            quote("b", 0, "We cannot rule out that some of these fighters will try to return to Europe,"),
            # "two diplomats said ..., where authorities say they have detained suspects"
            quote("c", 0, "governments pressed for data with Iraq, where authorities say they have already "
                  "detained a number of suspects", speaker="two diplomats", entity=None),
            quote("c", 40, "they have already detained a number of suspects", speaker="authorities", entity=None),
            # a one-word scare quote proves nothing across articles
            quote("d", 5, "hundreds", speaker=None, entity=None),
            quote("e", 5, "hundreds", speaker=None, entity=None),
            quote("f", 5, "hundreds", speaker="he", entity=None),
            quote("g", 5, "hundreds", speaker="he", entity=None)]
    assert len(group_statements(rows)) == 8


def test_nested_partial_quote_joins_its_reported_clause():
    rows = [quote("w", 381, 'the fighters were "moving in small groups, at night, often on foot" towards the border',
                  speaker="Nawfal al-Zubaidi", entity="E9"),
            quote("w", 400, "moving in small groups", speaker="Nawfal al-Zubaidi", entity="E9")]
    assert len(group_statements(rows)) == 1


def test_every_quote_in_exactly_one_statement_and_ids_stable():
    rows = [quote("meridian", 286, FULL), quote("europa", 529, FULL[:76], published="2024-03-13"),
            quote("other", 3, "A completely different remark about border checks and budgets.")]
    first = group_statements(rows)
    assert sorted(len(s["quotes"]) for s in first) == [1, 2]
    shuffled = group_statements(list(reversed(rows)))
    assert by_doc(first) == by_doc(shuffled)
    more = rows + [quote("later", 7, "An unrelated statement on an unrelated day, long enough to count.",
                         published="2025-01-01")]
    again = by_doc(group_statements(more))
    assert all(again[k] == v for k, v in by_doc(first).items())


def test_a_speaker_quoted_ten_thousand_times_completes():
    rng = random.Random(7)
    vocab = [f"word{i}" for i in range(2000)] + ["we", "are", "the", "will", "not"] * 40
    rows = [quote(f"d{i}", i % 5, " ".join(rng.choice(vocab) for _ in range(rng.randint(3, 25))))
            for i in range(10_000)]
    rows.append(quote("copy", 0, rows[17]["text"]))
    rows += [quote(f"dup{i}", 0, "The border is closed and every kilometre is watched.") for i in range(2_000)]
    statements = group_statements(rows)
    assert sum(len(s["quotes"]) for s in statements) == len(rows)
    grouped = by_doc(statements)
    assert grouped[("copy", 0)] == grouped[("d17", 17 % 5)]
    assert len({grouped[(f"dup{i}", 0)] for i in range(2_000)}) == 1


@pytest.fixture(scope="module")
def example_store(tmp_path_factory):
    from sitroom.pipeline import ingest
    from sitroom.settings import Config
    from sitroom.store.database import Store

    db = str(tmp_path_factory.mktemp("links") / "examples.duckdb")
    ingest([str(EXAMPLES)], Config.load(db=db))
    with Store(db, read_only=True) as store:
        yield store


def test_example_articles_give_the_cross_source_statements(example_store):
    rows = rows_for_statements(example_store.con)
    assert rows and {"source", "published", "title", "speaker_entity_id"} <= set(rows[0])
    statements = group_statements(rows)
    assert sum(len(s["quotes"]) for s in statements) == len(rows)
    window = next(s for s in statements if "try to return to Europe" in s["text"] and len(s["quotes"]) > 2)
    assert len({q["source"] for q in window["quotes"]}) >= 4
    assert "different speakers" in window["flags"]
    no_names = next(s for s in statements if "no names, no numbers, nothing" in s["text"])
    assert "different outlets" in no_names["flags"]
    assert group_statements(rows_for_statements(example_store.con))[0]["id"] == statements[0]["id"]
