"""A golden list of registered names: a refactor cannot silently drop a stage."""

from __future__ import annotations

import json

from spacy.util import registry

from sitroom.pipeline import build_nlp
from sitroom.settings import Config
from sitroom.stages import REGISTERED, register

from conftest import ROOT

GOLDEN = json.loads((ROOT / "tests" / "registry_contents.json").read_text())


def test_registered_factories_match_the_golden_list():
    register()
    ours = sorted(name for name in registry.factories.get_all() if name.startswith("sitroom"))
    assert ours == GOLDEN["factories"] == sorted(REGISTERED)


def test_pipeline_order_and_analysis():
    nlp = build_nlp(Config())
    assert nlp.pipe_names == GOLDEN["pipeline"]
    analysis = nlp.analyze_pipes()
    assert not any(analysis["problems"].values()), analysis["problems"]
