"""Figure extraction scored against the project's own development set.

Gold: ``tests/gold/figures.jsonl`` (see ``tests/gold/README.md``), one figure per line with offsets
into the ``Article.text`` the reader yields for the seed articles (``<shared>/corpus/seeds``) and
the example articles (``examples/``), plus ``not_figure`` items (years, dates, ages, ordinals,
durations, idioms) that must not be reported.  Every line carries the SHA-256 of that text; if the
reader changes the text the offsets are stale and this evaluation stops with ``StaleGold`` instead
of scoring against shifted spans.

Scores (predicted figures and gold figures are paired one-to-one; a pair needs overlapping spans):

* **value/range + subject** (the headline): the pair also has equal value, low and high and the
  same subject.
* **span + value**: overlapping spans and equal value/low/high, whatever the subject.
* **subject / unit / qualifier / kind accuracy**: over the span+value pairs.
* **false positives on not_figure items**: predictions overlapping a negative item.

Numbers are equal within a relative tolerance of 1e-3 (a third is 33.33 or 33.3333).  Subjects
are compared after lower-casing, making apostrophes plain and collapsing spaces around hyphens;
``None`` equals only ``None``.  Precision counts every figure the stage reports in the annotated
articles (the gold is exhaustive for them), so an unannotated prediction is a false positive.

``python -m evaluation.devset_figures`` prints the Markdown section (``--errors`` lists misses).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

from evaluation import gold
from evaluation.gold import StaleGold  # noqa: F401  (re-exported for tests)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
GOLD = ROOT / "tests" / "gold" / "figures.jsonl"


def load_gold(shared: Path, gold_path: Path = GOLD):
    return gold.load_gold(shared, gold_path)


def norm_subject(s: str | None) -> str | None:
    if s is None:
        return None
    s = s.replace("’", "'").replace("'s ", " ").lower()
    s = re.sub(r"\s*-\s*", "-", s)
    return re.sub(r"\s+", " ", s).strip() or None


def _num_eq(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-6)


def same_value(pred, gold: dict) -> bool:
    return (_num_eq(pred.value, gold["value"]) and _num_eq(pred.low, gold["low"])
            and _num_eq(pred.high, gold["high"]))


def _ov(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _pair(preds: list, golds: list[dict], ok) -> list[tuple[object, dict]]:
    """Greedy one-to-one pairing of overlapping (pred, gold) that satisfy ``ok``, largest overlap first."""
    cands = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            ov = _ov(p.start, p.end, g["start"], g["end"])
            if ov and ok(p, g):
                cands.append((-ov, i, j))
    cands.sort()
    used_p, used_g, pairs = set(), set(), []
    for _, i, j in cands:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((preds[i], golds[j]))
    return pairs


def _prf(tp: int, n_p: int, n_r: int) -> dict:
    p = tp / n_p if n_p else 0.0
    r = tp / n_r if n_r else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp,
            "predicted": n_p, "gold": n_r}


def _fmt(f) -> str:
    return f"{f.text!r} v={f.value} {f.low}-{f.high} unit={f.unit} subj={f.subject!r} q={f.qualifier!r} kind={f.kind}"


def _gfmt(g: dict, text: str) -> str:
    return (f"{text[g['start']:g['end']]!r}@{g['start']} v={g['value']} {g['low']}-{g['high']} unit={g['unit']} "
            f"subj={g['subject']!r} q={g['qualifier']!r} kind={g['kind']}")


def evaluate(shared: Path = DEFAULT_SHARED, limit: int | None = None) -> dict:
    from sitroom.nlp import load_model
    from sitroom.stages.figures import find_figures

    gold, notes = load_gold(Path(shared))
    refs = sorted(gold)[:limit] if limit else sorted(gold)
    nlp = load_model()
    c: dict[str, int] = defaultdict(int)
    errors: list[str] = []
    texts = [gold[r][0] for r in refs]
    for ref, doc in zip(refs, nlp.pipe(texts, batch_size=8)):
        text, rows = gold[ref]
        preds = find_figures(doc)
        golds = [g for g in rows if not g.get("not_figure")]
        negs = [g for g in rows if g.get("not_figure")]
        c["pred"] += len(preds)
        c["gold"] += len(golds)
        c["neg"] += len(negs)
        full = _pair(preds, golds, lambda p, g: same_value(p, g)
                     and norm_subject(p.subject) == norm_subject(g["subject"]))
        value = _pair(preds, golds, same_value)
        c["tp_full"] += len(full)
        c["tp_value"] += len(value)
        for p, g in value:
            c["subj_ok"] += norm_subject(p.subject) == norm_subject(g["subject"])
            c["unit_ok"] += p.unit == g["unit"]
            c["qual_ok"] += (p.qualifier or None) == (g["qualifier"] or None)
            c["kind_ok"] += p.kind == g["kind"]
            if norm_subject(p.subject) != norm_subject(g["subject"]):
                errors.append(f"{ref} subject: gold {_gfmt(g, text)} | got {_fmt(p)}")
            elif p.unit != g["unit"] or (p.qualifier or None) != (g["qualifier"] or None) or p.kind != g["kind"]:
                errors.append(f"{ref} unit/qualifier/kind: gold {_gfmt(g, text)} | got {_fmt(p)}")
        matched_g = {id(g) for _, g in value}
        matched_p = {id(p) for p, _ in value}
        for g in golds:
            if id(g) not in matched_g:
                over = [p for p in preds if _ov(p.start, p.end, g["start"], g["end"])]
                errors.append(f"{ref} missed: gold {_gfmt(g, text)} | overlapping: "
                              f"{'; '.join(_fmt(p) for p in over) or 'none'}")
        for p in preds:
            hit_neg = any(_ov(p.start, p.end, g["start"], g["end"]) for g in negs)
            c["neg_fp"] += hit_neg
            if id(p) not in matched_p and not any(_ov(p.start, p.end, g["start"], g["end"]) for g in golds):
                errors.append(f"{ref} {'not_figure' if hit_neg else 'extra'}: got {_fmt(p)} @{p.start}")
    nv = c["tp_value"]
    acc = lambda k: round(c[k] / nv, 4) if nv else 0.0  # noqa: E731
    return {
        "documents": len(refs),
        "notes": notes,
        "value_subject": _prf(c["tp_full"], c["pred"], c["gold"]),
        "span_value": _prf(c["tp_value"], c["pred"], c["gold"]),
        "subject_accuracy": acc("subj_ok"),
        "unit_accuracy": acc("unit_ok"),
        "qualifier_accuracy": acc("qual_ok"),
        "kind_accuracy": acc("kind_ok"),
        "value_matched": nv,
        "not_figure_items": c["neg"],
        "not_figure_false_positives": c["neg_fp"],
        "errors": errors,
    }


def markdown(result: dict) -> str:
    vs, sv = result["value_subject"], result["span_value"]
    lines = [
        "## Figures (dev set)", "",
        f"{result['documents']} articles, {vs['gold']} gold figures and {result['not_figure_items']} "
        "not-figure items, annotated in `tests/gold/figures.jsonl`.", "",
        "| measure | precision | recall | F1 | predicted | gold |",
        "|---|---|---|---|---|---|",
        f"| value/range + subject | {vs['precision']:.3f} | {vs['recall']:.3f} | {vs['f1']:.3f} | "
        f"{vs['predicted']} | {vs['gold']} |",
        f"| span + value | {sv['precision']:.3f} | {sv['recall']:.3f} | {sv['f1']:.3f} | "
        f"{sv['predicted']} | {sv['gold']} |",
        "",
        f"On the {result['value_matched']} span+value matches: subject accuracy {result['subject_accuracy']:.3f}, "
        f"unit accuracy {result['unit_accuracy']:.3f}, qualifier accuracy {result['qualifier_accuracy']:.3f}, "
        f"kind accuracy {result['kind_accuracy']:.3f}.", "",
        f"False positives on not-figure items (years, dates, ages, durations, ordinals, idioms): "
        f"{result['not_figure_false_positives']} of {result['not_figure_items']}.", "",
    ]
    for note in result.get("notes", []):
        lines += [f"Note: {note}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return gold.cli(__doc__, evaluate, markdown, argv)


if __name__ == "__main__":
    raise SystemExit(main())
