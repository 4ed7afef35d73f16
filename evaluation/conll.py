"""Named-entity recognition on CoNLL-2003 dev (eng.testa) and its CoNLL++ relabelling.

Each document's tokens are joined with single spaces (sentences with newlines) and run through the
same spaCy model the product uses, as whole documents.  Predicted spans are mapped back to CoNLL
tokens by character overlap and scored at entity level with conlleval semantics (type and both
boundaries must match).  spaCy's OntoNotes labels are mapped to CoNLL's four:

    PERSON -> PER; ORG -> ORG; GPE, LOC, FAC -> LOC;
    NORP, EVENT, WORK_OF_ART, LAW, LANGUAGE, PRODUCT -> MISC; numbers and dates dropped.

    python -m evaluation.conll [--shared ../shared] [--limit N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

LABEL_MAP = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "NORP": "MISC",
             "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC", "PRODUCT": "MISC"}
TYPES = ("PER", "ORG", "LOC", "MISC")
FILES = {"eng.testa": "CoNLL-2003 dev (eng.testa)", "conllpp_dev.txt": "CoNLL++ dev (corrected labels)"}


def read_conll(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Documents -> sentences -> (token, NER tag)."""
    docs: list[list[list[tuple[str, str]]]] = []
    sent: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("-DOCSTART-"):
            if sent:
                docs[-1].append(sent) if docs else docs.append([sent])
                sent = []
            docs.append([])
            continue
        if not line.strip():
            if sent:
                if not docs:
                    docs.append([])
                docs[-1].append(sent)
                sent = []
            continue
        parts = line.split()
        sent.append((parts[0], parts[-1]))
    return [d for d in docs if d]


def gold_spans(tags: list[str]) -> set[tuple[int, int, str]]:
    """Entity spans (token start, end, type) from IOB1 or IOB2 tags."""
    spans = set()
    start, kind = None, None
    for i, tag in enumerate(tags + ["O"]):
        prefix, _, t = tag.partition("-")
        begins = prefix == "B" or (prefix == "I" and t != kind)
        if start is not None and (tag == "O" or begins):
            spans.add((start, i, kind))
            start, kind = None, None
        if tag != "O" and (begins or start is None):
            start, kind = i, t
    return spans


def _prf(tp: int, pred: int, gold: int) -> dict:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "tp": tp, "predicted": pred, "gold": gold}


def score_file(nlp, path: Path, limit: int | None) -> dict:
    docs = read_conll(path)[:limit] if limit else read_conll(path)
    texts, offsets, tags = [], [], []
    for doc in docs:
        parts, offs, tg = [], [], []
        pos = 0
        for s_i, sent in enumerate(doc):
            for t_i, (tok, tag) in enumerate(sent):
                if t_i:
                    parts.append(" ")
                    pos += 1
                offs.append((pos, pos + len(tok)))
                parts.append(tok)
                pos += len(tok)
                tg.append(tag)
            parts.append("\n")
            pos += 1
        texts.append("".join(parts))
        offsets.append(offs)
        tags.append(tg)
    tp = {t: 0 for t in TYPES}
    pred = {t: 0 for t in TYPES}
    gold = {t: 0 for t in TYPES}
    for parsed, offs, tg in zip(nlp.pipe(texts, batch_size=32), offsets, tags):
        g = gold_spans(tg)
        p = set()
        for ent in parsed.ents:
            kind = LABEL_MAP.get(ent.label_)
            if not kind:
                continue
            toks = [i for i, (a, b) in enumerate(offs) if a < ent.end_char and ent.start_char < b]
            if toks:
                p.add((toks[0], toks[-1] + 1, kind))
        for t in TYPES:
            gt = {x for x in g if x[2] == t}
            pt = {x for x in p if x[2] == t}
            tp[t] += len(gt & pt)
            pred[t] += len(pt)
            gold[t] += len(gt)
    result = {"documents": len(docs), "sentences": sum(len(d) for d in docs),
              "per_type": {t: _prf(tp[t], pred[t], gold[t]) for t in TYPES}}
    result["micro"] = _prf(sum(tp.values()), sum(pred.values()), sum(gold.values()))
    core = ("PER", "ORG", "LOC")
    result["micro_without_misc"] = _prf(sum(tp[t] for t in core), sum(pred[t] for t in core), sum(gold[t] for t in core))
    return result


def evaluate(shared: Path, limit: int | None = None) -> dict:
    from sitroom.nlp import load_model

    nlp = load_model()
    started = time.perf_counter()
    out = {"model": f"{nlp.meta['lang']}_{nlp.meta['name']} {nlp.meta['version']}",
           "model_ents_f_ontonotes": nlp.meta.get("performance", {}).get("ents_f"), "files": {}}
    for name in FILES:
        path = shared / "eval" / "conll2003" / name
        if path.exists():
            out["files"][name] = score_file(nlp, path, limit)
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def markdown(result: dict) -> str:
    lines = ["## Named entities (CoNLL-2003 dev)", "",
             f"Model {result['model']}, the product's own pipeline run over whole documents; {result['seconds']} s. "
             "Entity-level exact match (conlleval). Labels mapped: PERSON→PER; ORG→ORG; GPE, LOC, FAC→LOC; "
             "NORP, EVENT, WORK_OF_ART, LAW, LANGUAGE, PRODUCT→MISC; number and date labels dropped.", ""]
    for name, r in result["files"].items():
        lines += [f"**{FILES[name]}** — {r['documents']} documents, {r['sentences']} sentences, "
                  f"{r['micro']['gold']} gold entities", "",
                  "| type | precision | recall | F1 | gold |", "|---|---:|---:|---:|---:|"]
        for t, s in r["per_type"].items():
            lines.append(f"| {t} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['gold']} |")
        m, c = r["micro"], r["micro_without_misc"]
        lines += [f"| **micro, all four** | {m['precision']:.3f} | {m['recall']:.3f} | **{m['f1']:.3f}** | {m['gold']} |",
                  f"| micro, PER/ORG/LOC only | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['gold']} |", ""]
    if result.get("model_ents_f_ontonotes"):
        lines.append(f"For reference, the model's own NER F1 on OntoNotes 5 (its meta.json): "
                     f"{result['model_ents_f_ontonotes']:.3f}. CoNLL is out of domain for an OntoNotes model "
                     "(1996 Reuters, sports tables, all-capital headlines) and MISC maps imperfectly "
                     "(OntoNotes has no MISC; CoNLL MISC includes nationalities and events).")
    return "\n".join(lines)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="NER on CoNLL-2003 dev")
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    ap.add_argument("--limit", type=int)
    args = ap.parse_args()
    print(markdown(evaluate(args.shared, args.limit)))
