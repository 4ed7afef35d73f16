"""Event coding (PLOVER + ACLED) scored against the project's own event dev sets.

Gold: every ``tests/gold/events*.jsonl`` (BBC articles with the five seeds, Reuters stories) and
``tests/gold/event_snippets.jsonl`` (short texts, held out as a whole); see ``tests/gold/README.md``,
section *Events*, and ``evaluation/event_gold.py``.  The articles are read from ``../shared`` and
checked against each row's ``text_sha256`` (``StaleGold`` on a mismatch).  The gold is exhaustive
inside each annotated document, so every event the system reports there counts for precision.

``sitroom.pipeline.analyse`` runs over the gold documents; predicted events (``DocumentFacts.events``,
whatever their factuality) are paired one-to-one with gold rows, greedily: first pairs whose trigger
spans overlap (largest overlap first), then, among the rest, a prediction whose trigger lies inside
the gold sentence and has the same ``plover_type`` (nearest trigger first).  Scores, for all
documents, per split (dev / held-out) and per gold file (bbc, reuters, snippets):

* **detection** precision / recall / F1 of that pairing;
* over the matched pairs: ``plover_type`` accuracy, ``plover_mode`` accuracy (pairs whose gold has a
  mode), factuality accuracy; ACLED sub-event-type weighted F1 (scikit-learn's ``average="weighted"``,
  over the pairs where either side has an ACLED type, null counted as the class "none") and ACLED
  event-type accuracy over the same pairs;
* actors: a side is right when both are null or the names match (case-insensitive after
  normalising, one contains the other, or rapidfuzz ``token_set_ratio`` >= 85); "actors" = source
  and target both right; source, target and the two sectors also separately;
* place: names match as for actors, or, when the gold place is a country, equal ``country_code``;
  country accuracy (``country_code`` equal, null = null) separately;
* date: exact ISO string equality (null = null), and the same month (first seven characters);
* dead / injured / arrested: ``low`` and ``high`` equal, over the pairs where gold or system has
  one of these three magnitudes (there a field null on both sides counts as right); the number of
  such pairs is reported.

A *snippet classification* view scores each snippet with exactly one gold event by the system's
most confident event in it: its ``plover_type`` and ``acled_sub_event_type`` against the gold
(accuracy and weighted F1; no prediction = class "none", wrong).

Until the event stage exists (``DocumentFacts`` has no ``events``) the result says so
(``"status": "no event stage"``) with the gold counts.  Error lines carry offsets and labels only;
``python -m evaluation.devset_events --errors`` prints them with the trigger words.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from evaluation import event_gold
from evaluation.devset_figures import _prf  # one P/R/F1 helper for the dev-set scorers
from evaluation.gold import StaleGold  # noqa: F401  (re-exported for tests)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
NO_STAGE = "no event stage"
_FIELDS = ("plover_type", "plover_mode", "factuality", "acled_event_type", "acled_sub_event_type")


# ---- small helpers

def _norm(name) -> str | None:
    if name is None:
        return None
    s = str(name).replace("’", "'").replace("‘", "'").lower()
    s = re.sub(r"'s\b", "", s)
    s = re.sub(r"[^\w' -]+", " ", s).replace("-", " ")
    s = re.sub(r"^(?:the|a|an|these|those|this|its|their|his|her) ", "", s.strip())
    s = re.sub(r"\s+", " ", s).strip()
    return s or None


def same_name(gold, pred) -> bool:
    """Both null, or the normalised names are equal, one contains the other, or token_set_ratio >= 85."""
    g, p = _norm(gold), _norm(pred)
    if g is None or p is None:
        return g is None and p is None
    if g == p or f" {g} " in f" {p} " or f" {p} " in f" {g} ":
        return True
    from rapidfuzz import fuzz

    return fuzz.token_set_ratio(g, p) >= 85


_COUNTRY_ALIASES = {"uk": "GB", "britain": "GB", "great britain": "GB", "england": "GB", "us": "US", "usa": "US",
                    "america": "US", "united states": "US", "ivory coast": "CI", "russia": "RU", "turkey": "TR",
                    "iran": "IR", "syria": "SY", "palestine": "PS", "south korea": "KR", "north korea": "KP",
                    "vietnam": "VN", "laos": "LA", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
                    "moldova": "MD", "czech republic": "CZ", "taiwan": "TW", "burma": "MM", "holland": "NL"}


def country_of_name(name: str | None) -> str | None:
    """ISO alpha-2 code when ``name`` is a country name, else None."""
    key = _norm(name)
    if not key:
        return None
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    try:
        import pycountry

        return pycountry.countries.lookup(name.strip()).alpha_2
    except (LookupError, ImportError, AttributeError):
        return None


def _magnitude(pred, kind: str) -> tuple | None:
    for m in getattr(pred, "magnitudes", None) or []:
        if (m.get("kind") if isinstance(m, dict) else getattr(m, "kind", None)) == kind:
            get = m.get if isinstance(m, dict) else (lambda k, _m=m: getattr(_m, k, None))
            return (get("low"), get("high"))
    return None


def _gold_magnitude(row: dict, kind: str) -> tuple | None:
    v = row.get(kind)
    return (v["low"], v["high"]) if v else None


def _num_eq(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def _mag_eq(g, p) -> bool:
    if g is None or p is None:
        return g is None and p is None
    return _num_eq(g[0], p[0]) and _num_eq(g[1], p[1])


def _date(value) -> str | None:
    if value is None or value == "":
        return None
    return str(value)[:10]


def weighted_f1(y_true: list[str], y_pred: list[str]) -> float:
    """sklearn.metrics.f1_score(y_true, y_pred, average="weighted") (own code when sklearn is absent)."""
    if not y_true:
        return 0.0
    try:
        from sklearn.metrics import f1_score

        return float(f1_score(y_true, y_pred, average="weighted", zero_division=0))
    except ImportError:
        pass
    support = Counter(y_true)
    total = 0.0
    for label in set(y_true) | set(y_pred):
        tp = sum(1 for t, p in zip(y_true, y_pred) if t == label and p == label)
        n_pred = sum(1 for p in y_pred if p == label)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / support[label] if support[label] else 0.0
        f = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        total += f * support[label]
    return total / len(y_true)


def _ov(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def match(preds: list, golds: list[dict]) -> list[tuple[object, dict]]:
    """One-to-one greedy pairing: overlapping triggers first (largest overlap), then same sentence
    (the predicted trigger starts inside the gold sentence) and same plover_type (nearest first)."""
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs: list[tuple[object, dict]] = []
    cands = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            ov = _ov(p.start, p.end, g["trigger_start"], g["trigger_end"])
            if ov:
                cands.append((-ov, i, j))
    for _, i, j in sorted(cands):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((preds[i], golds[j]))
    cands = []
    for i, p in enumerate(preds):
        if i in used_p:
            continue
        for j, g in enumerate(golds):
            if j in used_g:
                continue
            if g["sentence_start"] <= p.start < g["sentence_end"] and p.plover_type == g["plover_type"]:
                cands.append((abs(p.start - g["trigger_start"]), i, j))
    for _, i, j in sorted(cands):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((preds[i], golds[j]))
    return pairs


def _acc(ok: int, n: int) -> float | None:
    return round(ok / n, 4) if n else None


def _place_right(pred, g: dict) -> bool:
    pname = getattr(pred, "place_name", None)
    if same_name(g["place"], pname):
        return True
    if g["place"] is not None and g["country_code"] is not None and country_of_name(g["place"]) == g["country_code"]:
        return getattr(pred, "country_code", None) == g["country_code"]
    return False


def score_pairs(pairs: list[tuple[object, dict]], n_pred: int, n_gold: int) -> dict:
    """The detection and attribute scores of one group of documents."""
    c: Counter = Counter()
    acled_true: list[str] = []
    acled_pred: list[str] = []
    for p, g in pairs:
        c["type"] += p.plover_type == g["plover_type"]
        if g["plover_mode"] is not None:
            c["mode_n"] += 1
            c["mode"] += getattr(p, "plover_mode", None) == g["plover_mode"]
        c["fact"] += getattr(p, "factuality", None) == g["factuality"]
        psub, gsub = getattr(p, "acled_sub_event_type", None), g["acled_sub_event_type"]
        if psub is not None or gsub is not None:
            acled_true.append(gsub or "none")
            acled_pred.append(psub or "none")
            c["acled_type"] += (getattr(p, "acled_event_type", None) or None) == (g["acled_event_type"] or None)
        src = same_name(g["source_actor"], getattr(p, "source_actor", None))
        tgt = same_name(g["target_actor"], getattr(p, "target_actor", None))
        c["source"] += src
        c["target"] += tgt
        c["actors"] += src and tgt
        c["source_sector"] += getattr(p, "source_sector", None) == g["source_sector"]
        c["target_sector"] += getattr(p, "target_sector", None) == g["target_sector"]
        c["sectors"] += (getattr(p, "source_sector", None) == g["source_sector"]
                         and getattr(p, "target_sector", None) == g["target_sector"])
        c["place"] += _place_right(p, g)
        c["country"] += getattr(p, "country_code", None) == g["country_code"]
        pd, gd = _date(getattr(p, "date", None)), g["date"]
        c["date"] += pd == gd
        c["month"] += (pd or "")[:7] == (gd or "")[:7]
        mags = {k: (_gold_magnitude(g, k), _magnitude(p, k)) for k in ("dead", "injured", "arrested")}
        if any(gv is not None or pv is not None for gv, pv in mags.values()):
            c["mag_n"] += 1
            for k, (gv, pv) in mags.items():
                c[k] += _mag_eq(gv, pv)
                c[f"{k}_valued"] += gv is not None or pv is not None
    n = len(pairs)
    return {
        "detection": _prf(n, n_pred, n_gold),
        "matched": n,
        "plover_type_accuracy": _acc(c["type"], n),
        "plover_mode_accuracy": _acc(c["mode"], c["mode_n"]),
        "plover_mode_pairs": c["mode_n"],
        "factuality_accuracy": _acc(c["fact"], n),
        "acled_sub_event_weighted_f1": round(weighted_f1(acled_true, acled_pred), 4) if acled_true else None,
        "acled_event_type_accuracy": _acc(c["acled_type"], len(acled_true)),
        "acled_pairs": len(acled_true),
        "actor_accuracy": _acc(c["actors"], n),
        "source_accuracy": _acc(c["source"], n),
        "target_accuracy": _acc(c["target"], n),
        "source_sector_accuracy": _acc(c["source_sector"], n),
        "target_sector_accuracy": _acc(c["target_sector"], n),
        "sector_accuracy": _acc(c["sectors"], n),
        "place_accuracy": _acc(c["place"], n),
        "country_accuracy": _acc(c["country"], n),
        "date_accuracy": _acc(c["date"], n),
        "date_month_accuracy": _acc(c["month"], n),
        "magnitude_pairs": c["mag_n"],
        "dead_accuracy": _acc(c["dead"], c["mag_n"]),
        "injured_accuracy": _acc(c["injured"], c["mag_n"]),
        "arrested_accuracy": _acc(c["arrested"], c["mag_n"]),
        "magnitude_valued_pairs": {k: c[f"{k}_valued"] for k in ("dead", "injured", "arrested")},
    }


def snippet_classification(docs_preds: list[tuple[event_gold.GoldDoc, list]]) -> dict:
    """Per snippet with exactly one gold event: the most confident predicted event against it."""
    t_true, t_pred, a_true, a_pred = [], [], [], []
    for doc, preds in docs_preds:
        if doc.gold_file != "snippets" or len(doc.rows) != 1:
            continue
        g = doc.rows[0]
        top = max(preds, key=lambda e: getattr(e, "confidence", 0.0) or 0.0) if preds else None
        t_true.append(g["plover_type"])
        t_pred.append(top.plover_type if top is not None and top.plover_type else "none")
        a_true.append(g["acled_sub_event_type"] or "none")
        a_pred.append((getattr(top, "acled_sub_event_type", None) if top is not None else None) or "none")
    n = len(t_true)
    return {
        "snippets": n,
        "plover_type_accuracy": _acc(sum(a == b for a, b in zip(t_true, t_pred)), n),
        "plover_type_weighted_f1": round(weighted_f1(t_true, t_pred), 4) if n else None,
        "acled_sub_event_accuracy": _acc(sum(a == b for a, b in zip(a_true, a_pred)), n),
        "acled_sub_event_weighted_f1": round(weighted_f1(a_true, a_pred), 4) if n else None,
    }


def _groups(doc: event_gold.GoldDoc) -> list[str]:
    return ["all", doc.split, doc.gold_file]


def _has_event_stage() -> bool:
    from sitroom.schema import DocumentFacts

    return "events" in {f.name for f in dataclasses.fields(DocumentFacts)}


def _glabel(g: dict) -> str:
    acled = g["acled_sub_event_type"] or "-"
    return (f"{g['plover_type']}/{g['plover_mode'] or '-'} {g['factuality']} acled={acled} "
            f"src={g['source_actor']!r} tgt={g['target_actor']!r} place={g['place']!r} date={g['date']}")


def _plabel(p) -> str:
    acled = getattr(p, "acled_sub_event_type", None) or "-"
    return (f"{p.plover_type}/{getattr(p, 'plover_mode', None) or '-'} {getattr(p, 'factuality', None)} "
            f"acled={acled} src={getattr(p, 'source_actor', None)!r} tgt={getattr(p, 'target_actor', None)!r} "
            f"place={getattr(p, 'place_name', None)!r} date={_date(getattr(p, 'date', None))}")


def _errors(doc: event_gold.GoldDoc, preds: list, pairs: list, with_text: bool) -> list[str]:
    text = doc.article.text
    say = (lambda s, e: f" {text[s:e]!r}") if with_text else (lambda s, e: "")
    out = []
    matched_g = {id(g) for _, g in pairs}
    matched_p = {id(p) for p, _ in pairs}
    for g in doc.rows:
        if id(g) not in matched_g:
            out.append(f"{doc.ref}@{g['trigger_start']}-{g['trigger_end']}{say(g['trigger_start'], g['trigger_end'])} "
                       f"missed: gold {_glabel(g)}")
    for p in preds:
        if id(p) not in matched_p:
            out.append(f"{doc.ref}@{p.start}-{p.end}{say(p.start, p.end)} extra: got {_plabel(p)}")
    for p, g in pairs:
        wrong = [f for f in ("plover_type", "plover_mode", "factuality", "acled_sub_event_type")
                 if (getattr(p, f, None) or None) != (g[f] or None)]
        if not same_name(g["source_actor"], getattr(p, "source_actor", None)) or not same_name(
                g["target_actor"], getattr(p, "target_actor", None)):
            wrong.append("actors")
        if not _place_right(p, g):
            wrong.append("place")
        if _date(getattr(p, "date", None)) != g["date"]:
            wrong.append("date")
        if wrong:
            out.append(f"{doc.ref}@{g['trigger_start']}-{g['trigger_end']}{say(g['trigger_start'], g['trigger_end'])} "
                       f"{','.join(wrong)}: gold {_glabel(g)} | got {_plabel(p)}")
    return out


def evaluate(shared: Path = DEFAULT_SHARED, limit: int | None = None, *, with_text: bool = False) -> dict:
    docs, notes = event_gold.load_events(Path(shared))
    docs.sort(key=lambda d: (d.gold_file, d.ref))
    if limit:
        docs = docs[:limit]
    gold_counts: dict[str, dict[str, int]] = defaultdict(lambda: {"documents": 0, "gold_events": 0})
    for d in docs:
        for grp in _groups(d):
            gold_counts[grp]["documents"] += 1
            gold_counts[grp]["gold_events"] += len(d.rows)
    base = {"documents": len(docs), "notes": notes, "gold": dict(gold_counts)}
    if not docs:
        return {**base, "status": "ok", "groups": {}, "snippet_classification": {}, "errors": []}
    if not _has_event_stage():
        return {**base, "status": NO_STAGE, "errors": [],
                "notes": notes + ["sitroom has no event stage yet (DocumentFacts has no `events`): nothing scored."]}

    from sitroom.pipeline import analyse, build_nlp
    from sitroom.settings import Config

    cfg = Config()
    nlp = build_nlp(cfg)
    facts = list(analyse(nlp, [d.article for d in docs], cfg))
    per_group: dict[str, dict] = defaultdict(lambda: {"pairs": [], "pred": 0, "gold": 0})
    errors: list[str] = []
    docs_preds = []
    for doc, f in zip(docs, facts):
        preds = list(getattr(f, "events", None) or [])
        pairs = match(preds, doc.rows)
        docs_preds.append((doc, preds))
        for grp in _groups(doc):
            per_group[grp]["pairs"] += pairs
            per_group[grp]["pred"] += len(preds)
            per_group[grp]["gold"] += len(doc.rows)
        errors += _errors(doc, preds, pairs, with_text)
    order = ["all", "dev", "held-out"] + sorted(k for k in per_group if k not in ("all", "dev", "held-out"))
    groups = {k: score_pairs(per_group[k]["pairs"], per_group[k]["pred"], per_group[k]["gold"])
              for k in order if k in per_group}
    return {**base, "status": "ok", "groups": groups, "snippet_classification": snippet_classification(docs_preds),
            "errors": errors}


def _f(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def markdown(result: dict) -> str:
    gold = result.get("gold", {})
    files = ", ".join(f"{k} {v['gold_events']} in {v['documents']} documents" for k, v in gold.items()
                      if k not in ("all", "dev", "held-out"))
    allg = gold.get("all", {"documents": 0, "gold_events": 0})
    lines = ["## Events (dev set)", "",
             f"{allg['documents']} documents, {allg['gold_events']} gold event mentions "
             f"(`tests/gold/events*.jsonl`, `tests/gold/event_snippets.jsonl`: {files or 'none'}); "
             f"dev {gold.get('dev', {}).get('gold_events', 0)}, "
             f"held-out {gold.get('held-out', {}).get('gold_events', 0)}.",
             ""]
    if result.get("status") == "ok" and not result.get("groups"):
        lines += ["Nothing to score: no gold documents were found.", ""]
    elif result.get("status") != "ok":
        lines += [f"**Not scored: {result.get('status', NO_STAGE)}.** The event stage does not exist yet "
                  "(`DocumentFacts` has no `events`).", ""]
    else:
        lines += ["| documents | P | R | F1 | predicted | gold | type acc | mode acc | factuality | ACLED sub wF1 "
                  "| ACLED type acc | actors | place | date |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, g in result["groups"].items():
            d = g["detection"]
            lines.append(f"| {name} | {d['precision']:.3f} | {d['recall']:.3f} | {d['f1']:.3f} | {d['predicted']} | "
                         f"{d['gold']} | {_f(g['plover_type_accuracy'])} | {_f(g['plover_mode_accuracy'])} | "
                         f"{_f(g['factuality_accuracy'])} | {_f(g['acled_sub_event_weighted_f1'])} | "
                         f"{_f(g['acled_event_type_accuracy'])} | {_f(g['actor_accuracy'])} | "
                         f"{_f(g['place_accuracy'])} | {_f(g['date_accuracy'])} |")
        lines += ["", "| documents | matched | source | target | source sector | target sector | country "
                  "| same month | magnitude pairs | dead | injured | arrested |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, g in result["groups"].items():
            lines.append(f"| {name} | {g['matched']} | {_f(g['source_accuracy'])} | {_f(g['target_accuracy'])} | "
                         f"{_f(g['source_sector_accuracy'])} | {_f(g['target_sector_accuracy'])} | "
                         f"{_f(g['country_accuracy'])} | {_f(g['date_month_accuracy'])} | {g['magnitude_pairs']} | "
                         f"{_f(g['dead_accuracy'])} | {_f(g['injured_accuracy'])} | {_f(g['arrested_accuracy'])} |")
        sc = result.get("snippet_classification") or {}
        if sc.get("snippets"):
            lines += ["", f"Snippet classification ({sc['snippets']} single-event snippets, most confident "
                      f"prediction): PLOVER type accuracy {_f(sc['plover_type_accuracy'])}, weighted F1 "
                      f"{_f(sc['plover_type_weighted_f1'])}; ACLED sub-event accuracy "
                      f"{_f(sc['acled_sub_event_accuracy'])}, weighted F1 {_f(sc['acled_sub_event_weighted_f1'])}."]
        lines += ["", "Matching: overlapping triggers, else same sentence and same PLOVER type (one-to-one). "
                  "Attribute scores are over matched pairs; mode over pairs whose gold has a mode; ACLED over pairs "
                  "where either side has an ACLED type (null = \"none\")."]
    lines.append("")
    for note in result.get("notes", []):
        lines += [f"Note: {note}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--errors", action="store_true", help="list the mismatches (with the trigger words)")
    args = ap.parse_args(argv)
    result = evaluate(args.shared, args.limit, with_text=args.errors)
    sys.stdout.write(markdown(result))
    if args.errors and result["errors"]:
        sys.stdout.write("\n".join(result["errors"]) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
