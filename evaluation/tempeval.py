"""Date extraction and normalisation on TempEval-3 TBAQ-cleaned (TimeBank + AQUAINT TimeML).

For each .tml file the anchor is the document creation time (the TIMEX3 with
functionInDocument="CREATION_TIME", which sits in <DCT>, outside <TEXT>, and is never gold); the
text is the content of <TEXT> with its tags stripped (their text kept); gold is every TIMEX3 inside
<TEXT>, with its type, value and character offsets in that plain text.  We run the product's model
and ``find_dates`` on the plain text and score as TempEval-3 task A does:

* extraction, strict (same span) and relaxed (any overlap) precision/recall/F1, all TIMEX3 types;
* value F1: a prediction is correct when it overlaps a gold TIMEX3 and has its value;
  P = correct predictions / predictions, R = gold with a correct overlapping prediction / gold;
* value accuracy on the overlapping (matched) pairs;
* the same restricted to gold type DATE: gold of other types is left out, and so are predictions
  that only overlap gold of another type (neither right nor wrong for this view).

    python -m evaluation.tempeval [--shared ../shared] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from datetime import date
from html import unescape
from pathlib import Path

#: HeidelTime at TempEval-3, task A (UzZaman et al., 2013, "SemEval-2013 Task 1: TempEval-3", on the
#: 20-document TE3-platinum test set): the best value F1 of the task.  The figures are the widely
#: cited ones; the paper itself could not be consulted offline.
HEIDELTIME = {"relaxed_f1": 0.9030, "strict_f1": 0.8134, "value_f1": 0.7761}
CORPUS = Path("eval") / "tempeval3" / "TBAQ-cleaned"

_TAG = re.compile(r"<(/?)([A-Za-z0-9_]+)([^>]*?)(/?)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def parse_tml(raw: str) -> tuple[str, str | None, list[dict]]:
    """Plain text of <TEXT>, the creation date (YYYY-MM-DD) and the gold TIMEX3s with offsets."""
    dct = None
    m = re.search(r"<TIMEX3\b[^>]*functionInDocument=\"CREATION_TIME\"[^>]*>", raw)
    if m:
        dct = dict(_ATTR.findall(m.group())).get("value", "")[:10] or None
    body = raw[raw.index("<TEXT>") + len("<TEXT>"):raw.index("</TEXT>")]
    out: list[str] = []
    pos = 0
    last = 0
    gold: list[dict] = []
    open_timex: dict | None = None
    for t in _TAG.finditer(body):
        piece = unescape(body[last:t.start()])
        out.append(piece)
        pos += len(piece)
        last = t.end()
        closing, name, attrs, empty = t.groups()
        if name != "TIMEX3" or empty:  # an empty TIMEX3 (an implicit time) has no text to find
            continue
        if not closing:
            open_timex = {**dict(_ATTR.findall(attrs)), "start": pos}
        elif open_timex is not None:
            open_timex["end"] = pos
            if open_timex.get("functionInDocument") != "CREATION_TIME":
                gold.append(open_timex)
            open_timex = None
    out.append(unescape(body[last:]))
    text = "".join(out)
    for g in gold:
        g["text"] = text[g["start"]:g["end"]]
    return text, dct, gold


def _prf(hit_pred: int, n_pred: int, hit_gold: int, n_gold: int) -> dict:
    p = hit_pred / n_pred if n_pred else 0.0
    r = hit_gold / n_gold if n_gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def _overlap(p, g: dict) -> bool:  # noqa: ANN001 - a DateRef
    return p.start < g["end"] and g["start"] < p.end


def _score(pairs: list[tuple[list[dict], list]], only_type: str | None = None) -> dict:
    n_pred = n_gold = strict_p = strict_g = relaxed_p = relaxed_g = value_p = value_g = 0
    for all_gold, all_preds in pairs:
        gold = [g for g in all_gold if only_type is None or g.get("type") == only_type]
        others = [g for g in all_gold if only_type is not None and g.get("type") != only_type]
        preds = [p for p in all_preds
                 if any(_overlap(p, g) for g in gold) or not any(_overlap(p, g) for g in others)]
        n_gold += len(gold)
        n_pred += len(preds)
        for p in preds:
            hits = [g for g in gold if _overlap(p, g)]
            if hits:
                relaxed_p += 1
                strict_p += any(g["start"] == p.start and g["end"] == p.end for g in hits)
                value_p += any(g.get("value") == p.value for g in hits)
        for g in gold:
            hits = [p for p in preds if _overlap(p, g)]
            if hits:
                relaxed_g += 1
                strict_g += any(g["start"] == p.start and g["end"] == p.end for p in hits)
                value_g += any(p.value == g.get("value") for p in hits)
    return {
        "predicted": n_pred,
        "gold": n_gold,
        "strict": _prf(strict_p, n_pred, strict_g, n_gold),
        "relaxed": _prf(relaxed_p, n_pred, relaxed_g, n_gold),
        "value": _prf(value_p, n_pred, value_g, n_gold),
        "value_accuracy": round(value_g / relaxed_g, 4) if relaxed_g else 0.0,
    }


def evaluate(shared: Path, limit: int | None = None) -> dict:
    """Scores per corpus (AQUAINT, TimeBank) and in total; ``limit`` keeps the first N files."""
    from sitroom.nlp import load_model
    from sitroom.stages.dates import find_dates

    root = Path(shared) / CORPUS
    files = sorted(root.glob("*/*.tml"))
    if not files:
        raise FileNotFoundError(f"no .tml files under {root}")
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
        per.setdefault(corpus, []).append((gold, find_dates(doc, anchor)))
    result: dict = {"files": len(files), "seconds": round(time.perf_counter() - started, 1), "corpora": {},
                    "heideltime": HEIDELTIME}
    for corpus, pairs in sorted(per.items()):
        result["corpora"][corpus] = {"documents": len(pairs), "all": _score(pairs), "date": _score(pairs, "DATE")}
    everything = [pair for pairs in per.values() for pair in pairs]
    result["total"] = {"documents": len(everything), "all": _score(everything), "date": _score(everything, "DATE")}
    return result


def markdown(result: dict) -> str:
    lines = [
        "## Dates (TempEval-3)",
        "",
        f"TempEval-3 TBAQ-cleaned: {result['files']} TimeML news files (TimeBank 1.2 and AQUAINT, 1989-2000), each "
        "anchored on its document creation time; scored on the plain text of `<TEXT>` "
        f"({result['seconds']} s including the spaCy model). *strict*: same span; *relaxed*: any overlap; "
        "*value*: overlaps a gold TIMEX3 and has its normalised value (TempEval-3 task A); *value acc.*: value "
        "accuracy on the overlapping pairs. *all* counts every TIMEX3 type (DATE, TIME, DURATION, SET); "
        "*DATE* restricts the gold to DATE, what the timeline uses.",
        "",
        "| corpus | docs | types | gold | predicted | strict F1 | relaxed P | relaxed R | relaxed F1 | value P "
        "| value R | **value F1** | value acc. |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = list(result["corpora"].items()) + [("**total**", result["total"])]
    for name, r in rows:
        for label, s in (("all", r["all"]), ("DATE", r["date"])):
            lines.append(
                f"| {name} | {r['documents']} | {label} | {s['gold']} | {s['predicted']} | {s['strict']['f1']:.3f} | "
                f"{s['relaxed']['precision']:.3f} | {s['relaxed']['recall']:.3f} | {s['relaxed']['f1']:.3f} | "
                f"{s['value']['precision']:.3f} | {s['value']['recall']:.3f} | **{s['value']['f1']:.3f}** | "
                f"{s['value_accuracy']:.3f} |")
    h = result.get("heideltime", HEIDELTIME)
    lines += [
        "",
        f"| reference | strict F1 | relaxed F1 | value F1 |",
        "|---|---:|---:|---:|",
        f"| sitroom, TBAQ total (all types) | {result['total']['all']['strict']['f1']:.3f} | "
        f"{result['total']['all']['relaxed']['f1']:.3f} | **{result['total']['all']['value']['f1']:.3f}** |",
        f"| HeidelTime at TempEval-3 (UzZaman et al. 2013), TE3-platinum | {h['strict_f1']:.3f} | "
        f"{h['relaxed_f1']:.3f} | {h['value_f1']:.3f} |",
        "",
        "Caveats. HeidelTime's figures are on the 20-document TE3-platinum test set, not on TBAQ, so the two rows "
        "are not a like-for-like comparison. Our rules were developed while looking at these TBAQ files (there is "
        "no held-out split in `shared/`), so the figures are optimistic for unseen text. Spans follow the product "
        "convention, not TimeML's, where they differ: leading prepositions and \"the\" are trimmed (\"1990s\", not "
        "\"the 1990s\"; \"the\" stays in period phrases such as \"the past two months\"), which costs strict F1 "
        "only. Part of the gold is unreachable by design: underspecified "
        "TimeBank values (`1989-WXX`, `1968-XX`, `199X`), values anchored on an event rather than on the "
        "publication date (\"the day before the shooting\"), and a few DCT/weekday inconsistencies in the corpus.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Date extraction and normalisation on TempEval-3 TBAQ-cleaned")
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    ap.add_argument("--limit", type=int, help="only the first N files")
    ap.add_argument("--json", action="store_true", help="print the result as JSON instead of Markdown")
    args = ap.parse_args(argv)
    result = evaluate(args.shared, args.limit)
    print(json.dumps(result, indent=1) if args.json else markdown(result))


if __name__ == "__main__":
    main()
