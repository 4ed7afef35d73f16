"""Numbered schema migrations.  Each runs once, in its own transaction, and is recorded in
``schema_migrations``.  Never edit a migration that has shipped: add the next number.
``tests/test_store.py`` pins the schema these produce."""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "documents_and_facts",
        """
        CREATE TABLE documents (
            id VARCHAR PRIMARY KEY,          -- sha256 of the normalised text, 16 hex digits
            title VARCHAR,
            source VARCHAR,
            author VARCHAR,
            published VARCHAR,               -- ISO date or NULL
            url VARCHAR,
            dateline VARCHAR,
            text VARCHAR NOT NULL,
            word_count INTEGER NOT NULL,
            metadata JSON,
            repairs JSON,
            story_id VARCHAR,
            ingested_at TIMESTAMP NOT NULL
        );
        CREATE TABLE document_paths (
            document_id VARCHAR NOT NULL,
            path VARCHAR NOT NULL,
            first_seen TIMESTAMP NOT NULL,
            PRIMARY KEY (document_id, path)
        );
        CREATE TABLE mentions (
            document_id VARCHAR NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text VARCHAR NOT NULL,
            label VARCHAR NOT NULL,
            entity_id VARCHAR NOT NULL
        );
        CREATE TABLE entities (
            id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            label VARCHAR NOT NULL
        );
        CREATE TABLE entity_aliases (
            entity_id VARCHAR NOT NULL,
            alias VARCHAR NOT NULL,
            origin VARCHAR NOT NULL,         -- mention | acronym | alias-file | surname
            document_id VARCHAR              -- NULL for aliases from the alias file
        );
        CREATE TABLE entity_roles (
            entity_id VARCHAR NOT NULL,
            role VARCHAR NOT NULL,
            document_id VARCHAR NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text VARCHAR NOT NULL
        );
        CREATE TABLE dates (
            document_id VARCHAR NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text VARCHAR NOT NULL,
            value VARCHAR,
            kind VARCHAR NOT NULL
        );
        CREATE TABLE rejections (
            path VARCHAR NOT NULL,
            code VARCHAR NOT NULL,
            reason VARCHAR NOT NULL,
            rejected_at TIMESTAMP NOT NULL
        );
        CREATE INDEX mentions_doc ON mentions(document_id);
        CREATE INDEX mentions_entity ON mentions(entity_id);
        CREATE INDEX dates_doc ON dates(document_id);
        CREATE INDEX roles_entity ON entity_roles(entity_id);
        CREATE INDEX aliases_entity ON entity_aliases(entity_id);
        """,
    ),
]

MIGRATIONS.append((
    2,
    "quotes_and_figures",
    """
    CREATE TABLE quotes (
        document_id VARCHAR NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        speaker VARCHAR,
        speaker_entity_id VARCHAR,
        speaker_start INTEGER,
        speaker_end INTEGER,
        cue VARCHAR,
        cue_start INTEGER,
        cue_end INTEGER,
        outlet VARCHAR,
        direct BOOLEAN NOT NULL,
        statement_id VARCHAR
    );
    CREATE TABLE figures (
        document_id VARCHAR NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        value DOUBLE,
        low DOUBLE,
        high DOUBLE,
        unit VARCHAR,
        subject VARCHAR,
        qualifier VARCHAR,
        kind VARCHAR NOT NULL,
        claim_id VARCHAR
    );
    CREATE INDEX quotes_doc ON quotes(document_id);
    CREATE INDEX quotes_speaker ON quotes(speaker_entity_id);
    CREATE INDEX figures_doc ON figures(document_id);
    """,
))

MIGRATIONS.append((
    3,
    "places",
    """
    CREATE TABLE places (
        id VARCHAR PRIMARY KEY,          -- GeoNames id where there is one, else e.g. "region:sahel"
        name VARCHAR NOT NULL,
        country_code VARCHAR,
        lat DOUBLE,
        lon DOUBLE,
        feature VARCHAR NOT NULL         -- country | admin | city | region
    );
    CREATE TABLE place_mentions (
        document_id VARCHAR NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        place_id VARCHAR NOT NULL,
        confidence DOUBLE NOT NULL,
        metonymy BOOLEAN NOT NULL
    );
    CREATE TABLE demonyms (
        document_id VARCHAR NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        country_code VARCHAR,
        place_id VARCHAR
    );
    CREATE INDEX place_mentions_doc ON place_mentions(document_id);
    CREATE INDEX place_mentions_place ON place_mentions(place_id);
    CREATE INDEX demonyms_doc ON demonyms(document_id);
    """,
))

#: Tables that hold per-document facts: deleting a document deletes its rows in all of them.
FACT_TABLES = ("mentions", "entity_roles", "dates", "entity_aliases", "quotes", "figures", "place_mentions",
               "demonyms", "event_mentions")

MIGRATIONS.append((
    4,
    "cross_document_links",
    """
    -- Written only by the cross-document pass (sitroom.link.run), which rebuilds them in one
    -- transaction; membership lives on the per-document rows (quotes.statement_id,
    -- figures.claim_id, documents.story_id) and in entity_links.
    CREATE TABLE entity_links (
        entity_id VARCHAR PRIMARY KEY,   -- a per-document entity id (mentions.entity_id)
        canonical_id VARCHAR NOT NULL,   -- the cross-document entity it belongs to
        method VARCHAR NOT NULL,         -- self | alias | acronym | surname | fuzzy | place
        score DOUBLE NOT NULL
    );
    CREATE TABLE statements (
        id VARCHAR PRIMARY KEY,
        speaker_entity_id VARCHAR,
        speaker VARCHAR,
        text VARCHAR NOT NULL,
        flags JSON NOT NULL              -- e.g. ["different speakers", "different outlets"]
    );
    CREATE TABLE claims (
        id VARCHAR PRIMARY KEY,
        subject VARCHAR,
        unit VARCHAR,
        kind VARCHAR,
        place_id VARCHAR,
        low DOUBLE,
        high DOUBLE,
        sources INTEGER NOT NULL,
        agree BOOLEAN NOT NULL
    );
    CREATE TABLE stories (
        id VARCHAR PRIMARY KEY,
        title VARCHAR NOT NULL,
        first_published VARCHAR,
        last_published VARCHAR,
        document_count INTEGER NOT NULL
    );
    CREATE TABLE duplicates (
        document_id VARCHAR NOT NULL,
        duplicate_of VARCHAR NOT NULL,   -- the earliest-published (then smallest-id) member of its group
        similarity DOUBLE NOT NULL       -- word-shingle overlap: Jaccard, or containment of the shorter text
    );
    CREATE TABLE link_runs (
        ran_at TIMESTAMP NOT NULL,
        documents INTEGER NOT NULL,
        seconds DOUBLE NOT NULL,
        counts JSON NOT NULL
    );
    CREATE INDEX entity_links_canonical ON entity_links(canonical_id);
    CREATE INDEX quotes_statement ON quotes(statement_id);
    CREATE INDEX figures_claim ON figures(claim_id);
    """,
))

MIGRATIONS.append((
    5,
    "events",
    """
    -- One row per event a sentence reports (stages/events.py); event_id is set by the link pass.
    CREATE TABLE event_mentions (
        document_id VARCHAR NOT NULL,
        id VARCHAR NOT NULL,             -- "<document_id>:<start>:<end>" of the trigger
        start INTEGER NOT NULL,          -- trigger span
        "end" INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        sentence_start INTEGER NOT NULL,
        sentence_end INTEGER NOT NULL,
        plover_type VARCHAR NOT NULL,
        plover_mode VARCHAR,
        plover_context JSON NOT NULL,
        factuality VARCHAR NOT NULL,     -- asserted | negated | hypothetical | future
        acled_event_type VARCHAR,
        acled_sub_event_type VARCHAR,
        source_actor VARCHAR,
        source_entity_id VARCHAR,
        source_sector VARCHAR,
        source_country VARCHAR,
        source_start INTEGER,
        source_end INTEGER,
        target_actor VARCHAR,
        target_entity_id VARCHAR,
        target_sector VARCHAR,
        target_country VARCHAR,
        target_start INTEGER,
        target_end INTEGER,
        place_id VARCHAR,
        place_name VARCHAR,
        country_code VARCHAR,
        geo_precision VARCHAR,           -- exact | region | country
        place_start INTEGER,
        place_end INTEGER,
        date VARCHAR,
        date_start INTEGER,
        date_end INTEGER,
        time_precision VARCHAR,          -- day | week | month | year
        date_source VARCHAR,             -- text | publication
        dead DOUBLE,                     -- the lower bound of each magnitude (ACLED's conservative count)
        injured DOUBLE,
        arrested DOUBLE,
        size DOUBLE,
        magnitudes JSON NOT NULL,        -- [{kind, text, start, end, value, low, high, qualifier}]
        confidence DOUBLE NOT NULL,
        event_id VARCHAR
    );
    -- Written only by the cross-document pass: one row per event however many articles report it.
    CREATE TABLE events (
        id VARCHAR PRIMARY KEY,
        plover_type VARCHAR NOT NULL,
        plover_mode VARCHAR,
        acled_event_type VARCHAR,
        acled_sub_event_type VARCHAR,
        source_actor VARCHAR,
        source_entity_id VARCHAR,
        target_actor VARCHAR,
        target_entity_id VARCHAR,
        place_id VARCHAR,
        country_code VARCHAR,
        date_start VARCHAR,
        date_end VARCHAR,
        dead_low DOUBLE, dead_high DOUBLE,
        injured_low DOUBLE, injured_high DOUBLE,
        arrested_low DOUBLE, arrested_high DOUBLE,
        size_low DOUBLE, size_high DOUBLE,
        reports INTEGER NOT NULL,
        sources INTEGER NOT NULL,
        agree BOOLEAN NOT NULL,          -- every report gives the same magnitudes
        confidence DOUBLE NOT NULL
    );
    CREATE INDEX event_mentions_doc ON event_mentions(document_id);
    CREATE INDEX event_mentions_event ON event_mentions(event_id);
    CREATE INDEX events_type ON events(plover_type);
    """,
))
