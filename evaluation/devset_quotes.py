"""Quote extraction scored against the project's own development set.

Gold: ``tests/gold/quotes.jsonl`` (see ``tests/gold/README.md``), one quote per line with offsets
into the ``Article.text`` the reader yields for the seed articles (``<shared>/corpus/seeds``) and
the example articles (``examples/``).  Every line carries the SHA-256 of that text; if the reader
changes the text, the offsets are stale and this evaluation stops with an error instead of
scoring against shifted spans.

Scores:

* **direct + speaker**: predicted direct quotes against gold direct quotes only, matched by
  content overlap (each direct prediction to the gold direct quote it overlaps most, each gold
  direct quote to the direct prediction that overlaps it most); a match counts when the speakers
  agree.
* **all quotes (content)**: every prediction against every gold quote, by overlap only.
* **speaker accuracy** / **outlet accuracy**: over gold quotes matched by some prediction.

Speakers agree when their normalised forms (lower case, typographic apostrophes made plain,
leading determiners dropped) are equal or one contains the other as whole words ("the report"
vs "the HISS report"); both None also agrees.  Outlets compare the same way.

``python -m evaluation.devset_quotes`` prints the Markdown section.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from evaluation import gold
from evaluation.gold import StaleGold  # noqa: F401  (re-exported for tests)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
GOLD = ROOT / "tests" / "gold" / "quotes.jsonl"


def _norm(name: str | None) -> str | None:
    if name is None:
        return None
    s = name.replace("’", "'").lower()
    s = re.sub(r"[^\w' ]+", " ", s)
    s = re.sub(r"^(?:the|a|an|these|those|this|its|their) ", "", s.strip())
    return re.sub(r"\s+", " ", s).strip()


def same_name(a: str | None, b: str | None) -> bool:
    na, nb = _norm(a), _norm(b)
    if na is None or nb is None:
        return na is None and nb is None
    if not na or not nb:
        return na == nb
    return na == nb or f" {na} " in f" {nb} " or f" {nb} " in f" {na} "


def load_gold(shared: Path, gold_path: Path = GOLD) -> dict[str, tuple[str, list[dict]]]:
    """file -> (article text, gold quotes); raises StaleGold on a hash mismatch."""
    return gold.load_gold(shared, gold_path)[0]


def _ov(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _best(item_span: tuple[int, int], others: list, span_of) -> object | None:
    best, best_ov = None, 0
    for o in others:
        ov = _ov(*item_span, *span_of(o))
        if ov > best_ov:
            best, best_ov = o, ov
    return best


def _prf(tp_p: int, n_p: int, tp_r: int, n_r: int) -> dict:
    p = tp_p / n_p if n_p else 0.0
    r = tp_r / n_r if n_r else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "predicted": n_p, "gold": n_r}


def evaluate(shared: Path = DEFAULT_SHARED, limit: int | None = None) -> dict:
    from sitroom.nlp import load_model
    from sitroom.stages.aliases import load_aliases
    from sitroom.stages.entities import extract_entities
    from sitroom.stages.quotes import find_quotes

    gold = load_gold(Path(shared))
    refs = sorted(gold)[:limit] if limit else sorted(gold)
    nlp = load_model()
    aliases = load_aliases()
    c = defaultdict(int)
    errors = []
    texts = [gold[r][0] for r in refs]
    for ref, doc in zip(refs, nlp.pipe(texts, batch_size=8)):
        text, rows = gold[ref]
        ents = extract_entities(doc, aliases)
        preds = find_quotes(doc, ents.mentions, ents.roles, ents.names)
        gspan = lambda g: (g["start"], g["end"])  # noqa: E731
        pspan = lambda q: (q.start, q.end)  # noqa: E731
        pdirect = [q for q in preds if q.direct]
        reported = [gspan(g) for g in rows if not g["direct"]]
        # a gold "direct" quote lying inside a gold reported clause is a partial quotation
        # (issue 14): the product marks it direct=False, so it is not scored as direct here
        gdirect = [g for g in rows if g["direct"]
                   and not any(a <= g["start"] and g["end"] <= b for a, b in reported)]
        for q in pdirect:
            c["d_np"] += 1
            g = _best(pspan(q), gdirect, gspan)
            if g is not None and same_name(q.speaker, g["speaker"]):
                c["d_tpp"] += 1
            elif g is None:
                errors.append(f"{ref} extra direct {q.start}-{q.end} speaker={q.speaker!r}")
        for g in gdirect:
            c["d_nr"] += 1
            q = _best(gspan(g), pdirect, pspan)
            if q is not None and same_name(q.speaker, g["speaker"]):
                c["d_tpr"] += 1
            else:
                errors.append(f"{ref} direct {g['start']}-{g['end']} gold={g['speaker']!r} "
                              f"got={getattr(q, 'speaker', 'MISSING')!r}")
        for q in preds:
            c["a_np"] += 1
            c["a_tpp"] += _best(pspan(q), rows, gspan) is not None
        for g in rows:
            c["a_nr"] += 1
            q = _best(gspan(g), preds, pspan)
            if q is None:
                if not g["direct"]:
                    errors.append(f"{ref} missed indirect {g['start']}-{g['end']} ({g['speaker']!r})")
                continue
            c["a_tpr"] += 1
            c["matched"] += 1
            c["spk_ok"] += same_name(q.speaker, g["speaker"])
            c["out_ok"] += same_name(q.outlet, g["outlet"])
            if not same_name(q.outlet, g["outlet"]):
                errors.append(f"{ref} outlet {g['start']}-{g['end']} gold={g['outlet']!r} got={q.outlet!r}")
            if not g["direct"] and not same_name(q.speaker, g["speaker"]):
                errors.append(f"{ref} indirect {g['start']}-{g['end']} gold={g['speaker']!r} got={q.speaker!r}")
    return {
        "documents": len(refs),
        "direct_speaker": _prf(c["d_tpp"], c["d_np"], c["d_tpr"], c["d_nr"]),
        "all_content": _prf(c["a_tpp"], c["a_np"], c["a_tpr"], c["a_nr"]),
        "speaker_accuracy": round(c["spk_ok"] / c["matched"], 4) if c["matched"] else 0.0,
        "outlet_accuracy": round(c["out_ok"] / c["matched"], 4) if c["matched"] else 0.0,
        "matched": c["matched"],
        "errors": errors,
    }


def markdown(result: dict) -> str:
    d, a = result["direct_speaker"], result["all_content"]
    return "\n".join([
        "## Quotes (dev set)", "",
        f"{result['documents']} articles, {a['gold']} gold quotes ({d['gold']} direct), "
        "annotated in `tests/gold/quotes.jsonl`.", "",
        "| measure | precision | recall | F1 | predicted | gold |",
        "|---|---|---|---|---|---|",
        f"| direct quotes, correct speaker | {d['precision']:.3f} | {d['recall']:.3f} | {d['f1']:.3f} | "
        f"{d['predicted']} | {d['gold']} |",
        f"| all quotes, content overlap | {a['precision']:.3f} | {a['recall']:.3f} | {a['f1']:.3f} | "
        f"{a['predicted']} | {a['gold']} |",
        "",
        f"Speaker accuracy {result['speaker_accuracy']:.3f}, outlet accuracy {result['outlet_accuracy']:.3f} "
        f"(on {result['matched']} matched gold quotes).", "",
    ])


def main(argv: list[str] | None = None) -> int:
    return gold.cli(__doc__, evaluate, markdown, argv)


if __name__ == "__main__":
    raise SystemExit(main())
