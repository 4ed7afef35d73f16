"""Accuracy gate: each pinned score may not drop more than 2 points below its baseline.

Baselines live in evaluation/baseline.json; lowering one is an explicit, reviewed edit of that
file.  The scores are computed here, live, on the evaluation sets in ../shared (skipped when it is
absent).
"""

from __future__ import annotations

import functools
import importlib
import json

import pytest

from conftest import ROOT, SHARED

BASELINE = json.loads((ROOT / "evaluation" / "baseline.json").read_text())
TOLERANCE = BASELINE["tolerance"]


def _get(result: dict, path: str) -> float:
    for key in path.split("."):
        result = result[key]
    return float(result)


@functools.cache
def _evaluate(module_name: str, limit: int | None) -> dict:
    """One run per evaluation module, shared by every score pinned on it."""
    return importlib.import_module(f"evaluation.{module_name}").evaluate(SHARED, limit)


@pytest.mark.parametrize("name", sorted(BASELINE["scores"]))
def test_score_does_not_drop_below_baseline(name):
    spec = BASELINE["scores"][name]
    if not (SHARED / "eval").is_dir() or not (SHARED / "corpus").is_dir():
        pytest.skip("../shared (evaluation sets) not present")
    result = _evaluate(spec["module"], spec.get("limit"))
    got = _get(result, spec["path"])
    assert got >= spec["baseline"] - TOLERANCE, (
        f"{name}: {got:.3f} is more than {TOLERANCE:.2f} below the pinned baseline {spec['baseline']:.3f}")
