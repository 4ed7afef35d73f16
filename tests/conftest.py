"""Shared fixtures: the real spaCy model (loaded once), the seeds folder, a temp database."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
EXAMPLES = ROOT / "examples"
#: Articles in examples/ (the table in examples/README.md): tests that ingest the folder check the count.
EXAMPLE_ARTICLES = 15


@pytest.fixture(scope="session")
def model():
    """The bare spaCy model (no sitroom stages)."""
    from sitroom.nlp import load_model

    return load_model()


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/corpus/seeds not present (the seed articles live outside the repository)")
    return SEEDS


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "test.duckdb")
