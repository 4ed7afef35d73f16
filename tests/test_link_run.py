"""The cross-document pass over a real store: every fact linked, ids stable, export valid, CLI."""

from __future__ import annotations

import shutil

import jsonschema
import pytest
from typer.testing import CliRunner

from sitroom.cli import app
from sitroom.link.run import link
from sitroom.store.database import Store
from sitroom.store.export import build_export, export_schema

from conftest import EXAMPLES

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def linked_db(tmp_path_factory) -> str:
    db = str(tmp_path_factory.mktemp("link") / "examples.duckdb")
    result = invoke("ingest", str(EXAMPLES), "--db", db, "-q")
    assert result.exit_code == 0, result.output
    assert "linked:" in result.stdout
    return db


def link_ids(store: Store) -> dict[str, list]:
    return {
        "quotes": store.query("SELECT document_id, start, statement_id FROM quotes ORDER BY ALL"),
        "figures": store.query("SELECT document_id, start, claim_id FROM figures ORDER BY ALL"),
        "stories": store.query("SELECT id, story_id FROM documents ORDER BY ALL"),
        "entities": store.query("SELECT entity_id, canonical_id FROM entity_links ORDER BY ALL"),
    }


def test_every_fact_is_linked_and_the_export_is_valid(linked_db):
    with Store(linked_db, read_only=True) as store:
        data = build_export(store)
        assert store.query("SELECT count(*) AS n FROM quotes WHERE statement_id IS NULL")[0]["n"] == 0
        assert store.query("SELECT count(*) AS n FROM figures WHERE claim_id IS NULL")[0]["n"] == 0
        assert store.query("SELECT count(*) AS n FROM documents WHERE story_id IS NULL")[0]["n"] == 0
        assert store.query("SELECT count(*) AS n FROM link_runs")[0]["n"] == 1
    jsonschema.validate(data, export_schema())
    docs = {d["id"]: d for d in data["documents"]}
    # Membership in the top-level sections matches the ids on the per-document facts.
    for s in data["statements"]:
        for q in s["quotes"]:
            assert any(x["start"] == q["start"] and x["statement_id"] == s["id"] for x in docs[q["document_id"]]["quotes"])
    for c in data["claims"]:
        assert c["low"] == min(f["low"] for f in c["figures"]) and c["high"] == max(f["high"] for f in c["figures"])
    story_docs = [d for s in data["stories"] for d in s["document_ids"]]
    assert sorted(story_docs) == sorted(docs)
    # Mention entity ids are the cross-document ids listed at the top level.
    entity_ids = {e["id"] for e in data["entities"]}
    assert all(m["entity_id"] in entity_ids for d in data["documents"] for m in d["entities"])
    assert len(entity_ids) == len(data["entities"])


def test_relinking_keeps_every_id(linked_db, tmp_path):
    copy = str(tmp_path / "copy.duckdb")
    shutil.copy(linked_db, copy)
    with Store(copy) as store:
        before = link_ids(store)
        link(store)
        assert link_ids(store) == before
        assert store.query("SELECT count(*) AS n FROM link_runs")[0]["n"] == 2


def test_adding_an_unrelated_article_keeps_existing_ids(linked_db, tmp_path):
    copy = str(tmp_path / "copy.duckdb")
    shutil.copy(linked_db, copy)
    with Store(copy) as store:
        before = link_ids(store)
    other = tmp_path / "harvest.txt"
    other.write_text("Harvest festival draws record crowds\n\nThe annual apple harvest festival in the "
                     "village of Lindenbrook drew about 12,000 visitors on Saturday, organisers said. "
                     "\"We have never seen so many families,\" said festival chair Ruth Calloway.\n",
                     encoding="utf-8")
    assert invoke("ingest", str(other), "--db", copy, "-q").exit_code == 0
    with Store(copy) as store:
        after = link_ids(store)
    for key in ("quotes", "figures", "stories"):
        kept = [r for r in after[key] if r in before[key]]
        assert len(kept) == len(before[key]), key


def test_an_ingest_with_nothing_new_does_not_relink(linked_db, tmp_path):
    copy = str(tmp_path / "copy.duckdb")
    shutil.copy(linked_db, copy)
    result = invoke("ingest", str(EXAMPLES), "--db", copy, "-q")
    assert "linked:" not in result.stdout
    with Store(copy, read_only=True) as store:
        assert store.query("SELECT count(*) AS n FROM link_runs")[0]["n"] == 1


@pytest.mark.parametrize("command", [
    ["entities"], ["entities", "--label", "PERSON"], ["statements", "--all"], ["claims", "--all"],
    ["stories"], ["timeline"], ["timeline", "--since", "2024-03-10"],
])
def test_cross_document_commands_print_their_sections(linked_db, command):
    result = invoke(*command, "--db", linked_db)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()
    assert not result.stdout.startswith("no ")


def test_link_command_reports_counts(linked_db, tmp_path):
    copy = str(tmp_path / "copy.duckdb")
    shutil.copy(linked_db, copy)
    result = invoke("link", "--db", copy)
    assert result.exit_code == 0, result.output
    assert "stories" in result.stdout and "claims" in result.stdout


def test_timeline_is_in_date_order_with_sources(linked_db):
    from sitroom.store import queries

    with Store(linked_db, read_only=True) as store:
        items = queries.timeline(store)
    assert items and [i["date"] for i in items] == sorted(i["date"] for i in items)
    assert {"event", "statement", "figure"} <= {i["kind"] for i in items}
    assert all(i["sources"] for i in items)


def test_an_empty_database_links_to_nothing(db):
    with Store(db) as store:
        result = link(store)
    assert result["stories"] == 0 and result["statements"] == 0


def test_a_span_stored_twice_is_linked_once(db):
    """The quote stage can report one span twice (two speaker readings): ids must stay unique and
    both rows get the statement."""
    with Store(db) as store:
        store.con.execute("INSERT INTO documents (id, text, word_count, ingested_at) "
                          "VALUES ('d1', 'He said \"we will win\" today, 12 of them.', 8, now())")
        for speaker in ("A", "B"):
            store.con.execute('INSERT INTO quotes (document_id, start, "end", text, speaker, direct) '
                              "VALUES ('d1', 9, 20, 'we will win', ?, true)", [speaker])
            store.con.execute('INSERT INTO figures (document_id, start, "end", text, value, low, high, kind) '
                              "VALUES ('d1', 29, 31, '12', 12, 12, 12, 'count')")
        result = link(store)
        assert result["statements"] == 1 and result["claims"] == 1
        assert len({r["statement_id"] for r in store.query("SELECT statement_id FROM quotes")}) == 1
        assert store.query("SELECT count(*) AS n FROM figures WHERE claim_id IS NULL")[0]["n"] == 0
