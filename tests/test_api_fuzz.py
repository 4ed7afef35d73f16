"""API fuzzing (issue 8, item 5): schemathesis generates requests from the app's own OpenAPI
document (``/openapi.json`` of ``create_app``) and checks every response against it: no 5xx, only
documented status codes and content types, bodies that validate against the response schemas,
and invalid requests rejected.  Requests go through the ASGI interface (no server, no socket).

Bounded for ``make test``: ``SHORT`` random examples per read operation, plus schemathesis's
boundary-value ("coverage") cases, and ``INGEST_SHORT`` real ingests.  ``SITROOM_FUZZ=1`` (``make
fuzz``) runs 500 per operation (``SITROOM_FUZZ_EXAMPLES`` overrides it), a fifth of that for
ingestion, with every phase."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_schema_conformance, status_code_conformance)

from sitroom.pipeline import ingest
from sitroom.settings import Config
from sitroom.store.database import Store
from sitroom.web import create_app
from sitroom.web.security import LOOPBACK_NAMES

from conftest import EXAMPLE_ARTICLES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = ROOT / "examples"
LONG = os.environ.get("SITROOM_FUZZ") == "1"
SHORT, INGEST_SHORT = 15, 4
EXAMPLES = int(os.environ.get("SITROOM_FUZZ_EXAMPLES", 500 if LONG else SHORT))
INGEST_EXAMPLES = max(INGEST_SHORT, EXAMPLES // 5) if LONG else INGEST_SHORT  # each one a real ingest (~1 s)
TOKEN = "fuzz-token-0123456789"
#: schemathesis's ASGI client sends ``Host: testserver``; the apps under test accept it too.
HOSTS = (*LOOPBACK_NAMES, "testserver")
#: What every response must satisfy.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Also for schemathesis's deterministic boundary cases: an invalid one must be refused (this caught
#: ``date_to=0`` read as 1970-01-01).  Random invalid values are not held to it: pydantic reads
#: ``1.0`` as the integer 1 and ``yes`` as true, a leniency we keep.
BOUNDARY_CHECKS = [*CHECKS, negative_data_rejection]
#: Per example, a hang detector rather than a speed test (requests take milliseconds; an ingest ~0.5 s).
READ_SETTINGS = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=10), database=None,
                         suppress_health_check=list(HealthCheck))
INGEST_SETTINGS = settings(max_examples=INGEST_EXAMPLES, deadline=timedelta(seconds=60), database=None,
                           suppress_health_check=list(HealthCheck))


def _spec_app():
    """``create_app`` over an empty sitroom database.  Routes do not depend on data, so this is the
    served document (``test_fuzzed_spec_is_the_served_spec``), known at collection time, which lets
    pytest report one test per operation; requests then go to the apps over real data."""
    folder = tempfile.mkdtemp(prefix="sitroom-spec-")
    try:
        Store(Path(folder) / "spec.duckdb").close()
        return create_app(str(Path(folder) / "spec.duckdb"), allowed_hosts=HOSTS)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the app serves its in-memory snapshot


# JSON Lines bodies are text too (the app reads them like `sitroom ingest -` reads stdin).
schemathesis.serializer.alias("application/x-ndjson", "text/plain")
SPEC_APP = _spec_app()
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", SPEC_APP)
# Ingesting costs ~0.5 s per request: in make test only the random phase, a few examples.
INGEST_SCHEMA = schemathesis.openapi.from_asgi(
    "/openapi.json", SPEC_APP,
    config=schemathesis.Config.from_dict({"phases": {"examples": {"enabled": LONG}, "coverage": {"enabled": LONG}}}))
GETS = SCHEMA.include(method="GET")
INGEST = SCHEMA.include(method="POST", path="/api/ingest")
INGEST_WITH_TOKEN = INGEST_SCHEMA.include(method="POST", path="/api/ingest")


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory) -> str:
    db = str(tmp_path_factory.mktemp("fuzz") / "examples.duckdb")
    report = ingest([str(EXAMPLES_DIR)], Config.load(db=db))
    assert report.new == EXAMPLE_ARTICLES and not report.rejected
    return db


@pytest.fixture(scope="module")
def app(examples_db):
    return create_app(examples_db, allowed_hosts=HOSTS)


@pytest.fixture(scope="module")
def ingest_app(examples_db, tmp_path_factory):
    """Ingestion enabled, over a copy (the requests write to it)."""
    copy = tmp_path_factory.mktemp("fuzz-ingest") / "ingest.duckdb"
    shutil.copy(examples_db, copy)
    return create_app(str(copy), allow_ingest=True, token=TOKEN, allowed_hosts=HOSTS)


@pytest.fixture(scope="module")
def known(examples_db) -> dict[str, list[str]]:
    """Real ids and names per parameter: random strings almost never name a stored record, so
    without these the detail routes and filters would only ever answer 404 or an empty page."""
    with Store(examples_db, read_only=True) as store:
        def col(sql: str) -> list[str]:
            return sorted({r["v"] for r in store.query(sql) if r["v"] is not None})

        entities = col("SELECT id AS v FROM entities") + col("SELECT canonical_id AS v FROM entity_links")
        names = col("SELECT name AS v FROM entities") + col("SELECT alias AS v FROM entity_aliases")
        places = col("SELECT id AS v FROM places")
        stories = col("SELECT id AS v FROM stories")
        return {
            "doc_id": col("SELECT id AS v FROM documents"), "entity_id": entities, "place_id": places,
            "story_id": stories, "story": stories, "entity": entities + names, "speaker": entities + names,
            "place": places + col("SELECT name AS v FROM places"), "source": col("SELECT source AS v FROM documents"),
            "subject": col("SELECT subject AS v FROM claims"), "label": col("SELECT label AS v FROM entities"),
            "q": col("SELECT name AS v FROM entities WHERE label = 'PERSON'") + ["fighters", "border Iraq", "said"],
            "since": ["2024", "2024-03", "2024-03-12", "2026-01-14"],
            "event_id": col("SELECT id AS v FROM events"), "actor": entities + names,
            "country": col("SELECT country_code AS v FROM events"), "acled": col("SELECT acled_event_type AS v FROM events"),
            "date_from": ["2024-03-01", "2024-03-15"], "date_to": ["2024-03-20", "2026-12-31"],
        }


def test_fuzzed_spec_is_the_served_spec(app, ingest_app):
    assert app.openapi() == SPEC_APP.openapi() == ingest_app.openapi()
    operations = {(op.method.upper(), op.path) for op in (r.ok() for r in SCHEMA.get_all_operations())}
    fuzzed = {(op.method.upper(), op.path) for op in (r.ok() for r in (*GETS.get_all_operations(),
                                                                       *INGEST.get_all_operations()))}
    assert operations == fuzzed and len(operations) >= 15


@GETS.parametrize()
@READ_SETTINGS
def test_reads_answer_as_documented(case, app):
    case.call_and_validate(app=app, checks=BOUNDARY_CHECKS if case.meta.phase.name == "coverage" else CHECKS)


@GETS.parametrize()
@GETS.given(data=st.data())
@READ_SETTINGS
def test_reads_of_stored_records_answer_as_documented(case, data, app, known):
    """Valid requests whose ids and filters often name stored records: the full records then go
    through response-schema validation (documents with every fact, entities, claims, …)."""
    if case.meta.generation.mode == GenerationMode.POSITIVE:
        path = case.path_parameters or {}
        for name in sorted(known.keys() & (set(path) | {p.name for p in case.operation.query})):
            if data.draw(st.booleans(), label=f"known {name}"):
                value = data.draw(st.sampled_from(known[name]), label=name)
                if name in path:
                    case.path_parameters[name] = value
                else:
                    case.query = {**(case.query or {}), name: value}
    case.call_and_validate(app=app, checks=CHECKS)


@INGEST.parametrize()
@READ_SETTINGS
def test_ingest_is_refused_when_disabled(case, app):
    response = case.call_and_validate(app=app, checks=CHECKS)
    assert response.status_code == (403 if case.method == "POST" else 405)  # coverage also tries other methods


@INGEST.parametrize()
@READ_SETTINGS
def test_ingest_without_the_token_is_refused(case, ingest_app):
    response = case.call_and_validate(app=ingest_app, checks=CHECKS)
    assert response.status_code == (401 if case.method == "POST" else 405)  # 401 before the body is read


@INGEST_WITH_TOKEN.parametrize()
@INGEST_SETTINGS
def test_ingest_with_the_token_stores_what_it_reports(case, ingest_app):
    response = case.call_and_validate(app=ingest_app, checks=CHECKS, headers={"Authorization": f"Bearer {TOKEN}"})
    if case.meta.generation.mode == GenerationMode.POSITIVE:
        assert response.status_code == 200
    if response.status_code == 200:
        body = response.json()
        assert body["new"] == len(body["document_ids"])
        read = case.operation.schema["/api/documents/{doc_id}"]["GET"]
        for doc_id in body["document_ids"]:  # reported as stored means readable at once
            assert read.Case(path_parameters={"doc_id": doc_id}).call(app=ingest_app).status_code == 200
