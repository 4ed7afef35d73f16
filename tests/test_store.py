"""The store: migrations pin the schema, batches are atomic, writes are idempotent."""

from __future__ import annotations

import pytest

from sitroom.errors import StoreError
from sitroom.schema import Article, DateRef, DocumentFacts, Mention, Rejection
from sitroom.store.database import Store
from sitroom.store.migrations import MIGRATIONS

#: The schema the migrations produce.  Changing it takes a new migration AND an edit here.
PINNED_SCHEMA = {
    "documents": ["id", "title", "source", "author", "published", "url", "dateline", "text",
                  "word_count", "metadata", "repairs", "story_id", "ingested_at"],
    "document_paths": ["document_id", "path", "first_seen"],
    "mentions": ["document_id", "start", "end", "text", "label", "entity_id"],
    "entities": ["id", "name", "label"],
    "entity_aliases": ["entity_id", "alias", "origin", "document_id"],
    "entity_roles": ["entity_id", "role", "document_id", "start", "end", "text"],
    "dates": ["document_id", "start", "end", "text", "value", "kind"],
    "rejections": ["path", "code", "reason", "rejected_at"],
    "quotes": ["document_id", "start", "end", "text", "speaker", "speaker_entity_id", "speaker_start",
               "speaker_end", "cue", "cue_start", "cue_end", "outlet", "direct", "statement_id"],
    "places": ["id", "name", "country_code", "lat", "lon", "feature"],
    "place_mentions": ["document_id", "start", "end", "text", "place_id", "confidence", "metonymy"],
    "demonyms": ["document_id", "start", "end", "text", "country_code", "place_id"],
    "figures": ["document_id", "start", "end", "text", "value", "low", "high", "unit", "subject",
                "qualifier", "kind", "claim_id"],
    "entity_links": ["entity_id", "canonical_id", "method", "score"],
    "statements": ["id", "speaker_entity_id", "speaker", "text", "flags"],
    "claims": ["id", "subject", "unit", "kind", "place_id", "low", "high", "sources", "agree"],
    "stories": ["id", "title", "first_published", "last_published", "document_count"],
    "duplicates": ["document_id", "duplicate_of", "similarity"],
    "link_runs": ["ran_at", "documents", "seconds", "counts"],
    "schema_migrations": ["version", "name", "applied_at"],
    "event_mentions": ["document_id", "id", "start", "end", "text", "sentence_start", "sentence_end",
                       "plover_type", "plover_mode", "plover_context", "factuality", "acled_event_type",
                       "acled_sub_event_type", "source_actor", "source_entity_id", "source_sector", "source_country",
                       "source_start", "source_end", "target_actor", "target_entity_id", "target_sector",
                       "target_country", "target_start", "target_end", "place_id", "place_name", "country_code",
                       "geo_precision", "place_start", "place_end", "date", "date_start", "date_end",
                       "time_precision", "date_source", "dead", "injured", "arrested", "size", "magnitudes",
                       "confidence", "event_id"],
    "events": ["id", "plover_type", "plover_mode", "acled_event_type", "acled_sub_event_type", "source_actor",
               "source_entity_id", "target_actor", "target_entity_id", "place_id", "country_code", "date_start",
               "date_end", "dead_low", "dead_high", "injured_low", "injured_high", "arrested_low", "arrested_high",
               "size_low", "size_high", "reports", "sources", "agree", "confidence"],
}


def facts(doc_id: str, text: str = "Julian King spoke on Tuesday.") -> DocumentFacts:
    return DocumentFacts(
        doc_id=doc_id, article=Article(text=text, path=f"/tmp/{doc_id}.txt", title="T"),
        paths=[f"/tmp/{doc_id}.txt"], word_count=len(text.split()),
        mentions=[Mention("Julian King", 0, 11, "PERSON", "Julian King", "Eabc")],
        entity_names={"Eabc": ("Julian King", "PERSON")},
        dates=[DateRef("Tuesday", 21, 28, None)],
    )


def test_migrations_pin_the_schema(db):
    with Store(db) as store:
        tables = {r["table_name"]: None for r in store.query(
            "SELECT table_name FROM information_schema.tables ORDER BY table_name")}
        got = {t: [r["column_name"] for r in store.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [t])]
            for t in tables}
        assert got == PINNED_SCHEMA
        assert store.schema_version() == MIGRATIONS[-1][0]
    # Re-opening applies nothing twice.
    with Store(db) as store:
        assert store.migrate() == []
        assert store.query("SELECT count(*) AS n FROM schema_migrations")[0]["n"] == len(MIGRATIONS)


def test_migration_versions_are_numbered_in_order():
    versions = [m[0] for m in MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))


def test_write_batch_replaces_a_document_with_all_its_facts(db):
    with Store(db) as store:
        store.write_batch([facts("a" * 16), facts("b" * 16)])
        store.write_batch([facts("a" * 16)])  # --force re-processing
        assert store.counts()["documents"] == 2
        assert store.counts()["mentions"] == 2
        assert store.counts()["entities"] == 1
        assert store.existing_ids(["a" * 16, "c" * 16]) == {"a" * 16}


def test_a_failing_batch_stores_nothing(db):
    bad = facts("c" * 16)
    bad.mentions.append(Mention("x", 0, 1, "PERSON", "x", None))  # NOT NULL violation
    with Store(db) as store:
        with pytest.raises(Exception):
            store.write_batch([facts("d" * 16), bad])
        assert store.counts()["documents"] == 0
        assert store.counts()["mentions"] == 0


def test_paths_and_rejections(db):
    with Store(db) as store:
        store.write_batch([facts("e" * 16)])
        assert store.add_paths([("e" * 16, "/other/copy.txt"), ("e" * 16, "/tmp/" + "e" * 16 + ".txt")]) == 1
        store.add_rejections([Rejection("/x.png", "binary content (PNG image)", "binary")])
        assert store.query("SELECT code FROM rejections")[0]["code"] == "binary"


def test_read_only_open_of_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "nope.duckdb", read_only=True)


def test_a_non_duckdb_file_is_a_clear_error(tmp_path):
    p = tmp_path / "notes.duckdb"
    p.write_text("hello")
    with pytest.raises(StoreError):
        Store(p)
