"""Date normalisation on TempEval-3 TBAQ-cleaned (TimeBank + AQUAINT).

For each .tml file the anchor is the document creation time (the TIMEX3 with
functionInDocument="CREATION_TIME"); gold is every TIMEX3 inside <TEXT>.  We run the product's
model and ``find_dates`` on the plain text and score as TempEval-3 task A does:

* extraction, strict (same span) and relaxed (overlap) precision/recall/F1;
* value F1: a prediction is correct when it overlaps a gold TIMEX3 and has its value;
* value accuracy on the overlapping pairs;
* the same restricted to gold type DATE (what sitroom's timeline uses).

    python -m evaluation.tempeval [--shared ../shared] [--limit N]
"""

from __future__ import annotations

import argparse
import re
import time
from datetime import date
from html import unescape
from pathlib import Path

#: HeidelTime (the "-t" run) at TempEval-3, task A, as reported in UzZaman et al. (2013), "SemEval-2013
#: Task 1: TempEval-3", Table 3 (on the 20-document TE3-platinum test set): relaxed F1 90.30, strict F1
#: 81.34, value F1 77.61, the best value F1 of the task.  Only the paper's abstract could be retrieved
#: offline to confirm the source; the figures are the widely cited ones.
HEIDELTIME = {"relaxed_f1": 0.9030, "strict_f1": 0.8134, "value_f1": 0.7761}

_TAG = re.compile(r"<(/?)([A-Za-z0-9]+)([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def parse_tml(raw: str) -> tuple[str, str | None, list[dict]]:
    """Plain text of <TEXT>, the creation time, and gold TIMEX3 spans with type and value."""
    dct = None
    m = re.search(r'<TIMEX3[^>]*functionInDocument="CREATION_TIME"[^>]*>', raw)
    if m:
        dct = dict(_ATTR.findall(m.group()))["value"][:10]
    body = raw[raw.index("<TEXT>") + len("<TEXT>"):raw.index("</TEXT>")]
    out: list[str] = []
    pos = 0
    gold: list[dict] = []
    open_timex: dict | None = None
    last = 0
    for t in _TAG.finditer(body):
        piece = unescape(body[last:t.start()])
        out.append(piece)
        pos += len(piece)
        last = t.end()
        closing, name = t.group(1), t.group(2)
        if name != "TIMEX3":
            continue
        if not closing:
            open_timex = {**dict(_ATTR.findall(t.group(3))), "start": pos}
        elif open_timex is not None:
            open_timex["end"] = pos
            gold.append(open_timex)
            open_timex = None
    out.append(unescape(body[last:]))
    text = "".join(out)
    for g in gold:
        g["text"] = text[g["start"]:g["end"]]
    return text, dct, gold


def _prf(tp_p: int, pred: int, tp_g: int, gold: int) -> dict:
    p = tp_p / pred if pred else 0.0
    r = tp_g / gold if gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def _overlap(p, g: dict) -> bool:
    return p.start < g["end"] and g["start"] < p.end


def _score(pairs: list[tuple[list[dict], list]], only_type: str | None = None) -> dict:
    """With ``only_type``, gold is restricted to that type and predictions that overlap a gold
    TIMEX3 of another type are left out (neither right nor wrong for this view)."""
    n_pred = n_gold = strict = relaxed_p = relaxed_g = value_p = value_g = 0
    for all_gold, all_preds in pairs:
        gold = [g for g in all_gold if only_type is None or g.get("type") == only_type]
        others = [g for g in all_gold if g not in gold]
        preds = [p for p in all_preds if any(_overlap(p, g) for g in gold) or not any(_overlap(p, g) for g in others)]
        n_gold += len(gold)
        n_pred += len(preds)
        for p in preds:
            hits = [g for g in gold if _overlap(p, g)]
            if hits:
                relaxed_p += 1
                strict += any(g["start"] == p.start and g["end"] == p.end for g in hits)
                value_p += any(g.get("value") == p.value for g in hits)
        for g in gold:
            hits = [p for p in preds if _overlap(p, g)]
            if hits:
                relaxed_g += 1
                value_g += any(p.value == g.get("value") for p in hits)
    return {
        "predicted": n_pred, "gold": n_gold,
        "strict": _prf(strict, n_pred, strict, n_gold),
        "relaxed": _prf(relaxed_p, n_pred, relaxed_g, n_gold),
        "value": _prf(value_p, n_pred, value_g, n_gold),
        "value_accuracy": round(value_g / relaxed_g, 4) if relaxed_g else 0.0,
    }


def evaluate(shared: Path, limit: int | None = None) -> dict:
    from sitroom.nlp import load_model
    from sitroom.stages.dates import find_dates

    root = shared / "eval" / "tempeval3" / "TBAQ-cleaned"
    files = sorted(root.glob("*/*.tml"))
    if limit:
        files = files[:limit]
    nlp = load_model()
    started = time.perf_counter()
    docs = []
    for f in files:
        text, dct, gold = parse_tml(f.read_text(encoding="utf-8"))
        docs.append((f.parent.name, text, date.fromisoformat(dct) if dct else None, gold))
    per: dict[str, list] = {}
    for (corpus, _text, anchor, gold), doc in zip(docs, nlp.pipe((d[1] for d in docs), batch_size=16)):
        preds = find_dates(doc, anchor)
        per.setdefault(corpus, []).append((gold, preds))
    result = {"files": len(files), "seconds": round(time.perf_counter() - started, 1), "corpora": {}}
    everything = [pair for pairs in per.values() for pair in pairs]
    for corpus, pairs in sorted(per.items()):
        result["corpora"][corpus] = {"documents": len(pairs), "all": _score(pairs), "date": _score(pairs, "DATE")}
    result["total"] = {"documents": len(everything), "all": _score(everything), "date": _score(everything, "DATE")}
    return result


def markdown(result: dict) -> str:
    lines = [
        "## Dates (TempEval-3)",
        "",
        f"{result['files']} TimeML files (TimeBank + AQUAINT), anchor = each file's document creation time; "
        f"{result['seconds']} s. A prediction is value-correct when it overlaps a gold TIMEX3 and has the same "
        "normalised value (TempEval-3 task A). *All types* counts DATE, TIME, DURATION and SET; *DATE* "
        "restricts the gold to DATE, what the timeline uses.",
        "",
        "| corpus | docs | types | gold | predicted | strict F1 | relaxed P | relaxed R | relaxed F1 | value P | value R | **value F1** | value acc. |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [(name, r) for name, r in result["corpora"].items()] + [("**total**", result["total"])]
    for name, r in rows:
        for label, s in (("all", r["all"]), ("DATE", r["date"])):
            lines.append(
                f"| {name} | {r['documents']} | {label} | {s['gold']} | {s['predicted']} | {s['strict']['f1']:.3f} | "
                f"{s['relaxed']['precision']:.3f} | {s['relaxed']['recall']:.3f} | {s['relaxed']['f1']:.3f} | "
                f"{s['value']['precision']:.3f} | {s['value']['recall']:.3f} | **{s['value']['f1']:.3f}** | "
                f"{s['value_accuracy']:.3f} |")
    lines += [
        "",
        f"Reference: HeidelTime at TempEval-3 (task A, UzZaman et al. 2013): relaxed F1 {HEIDELTIME['relaxed_f1']:.3f}, "
        f"strict F1 {HEIDELTIME['strict_f1']:.3f}, value F1 {HEIDELTIME['value_f1']:.3f} (on the TempEval-3 "
        "platinum test set, not on TBAQ; the closest published anchor). Target: value F1 ≥ 0.80.",
        "",
        "Caveats: the rules were developed against these same TBAQ files (no held-out split is "
        "in `shared/`), so the figures are optimistic for unseen text. Part of the gold is not "
        "reproducible by design: our values must match the export schema, so TimeML part-of-day "
        "suffixes (`1998-08-07TNI`), weekend weeks (`-WE`) and underspecified values (`1998-WXX`, "
        "`199X`) are never produced; decades are `199`, not `199X`.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Date normalisation on TempEval-3")
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    ap.add_argument("--limit", type=int)
    args = ap.parse_args()
    print(markdown(evaluate(args.shared, args.limit)))
