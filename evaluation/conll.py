"""Named-entity recognition on CoNLL-2003 dev (eng.testa) and its CoNLL++ copy.

Each document's tokens are joined with single spaces (sentences with newlines) and run through the
same spaCy model the product uses, whole documents at a time (``nlp.pipe``).  Predicted spans are
mapped back to CoNLL tokens by character overlap and scored at entity level with conlleval
semantics: a prediction is correct when its type and both boundaries match a gold entity.
spaCy's OntoNotes labels are mapped to CoNLL's four:

    PERSON -> PER; ORG -> ORG; GPE, LOC, FAC -> LOC;
    NORP, EVENT, WORK_OF_ART, LAW, LANGUAGE, PRODUCT -> MISC;
    DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL, CARDINAL -> dropped.

Gold tags may be IOB1 (eng.testa: B- only between adjacent same-type entities) or IOB2
(conllpp_dev.txt); both decode to the same spans.

    python -m evaluation.conll [--shared ../shared] [--limit N]
"""

from __future__ import annotations

import argparse
import bisect
import time
from pathlib import Path

LABEL_MAP = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
}
DROPPED = ("DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL")
TYPES = ("PER", "ORG", "LOC", "MISC")
CORE = ("PER", "ORG", "LOC")
#: File name -> label, in report order.  CoNLL++ dev is the original testa with IOB2 tags (its
#: corrections are to the test split); it is reported when present.
FILES = {"eng.testa": "CoNLL-2003 dev (eng.testa)", "conllpp_dev.txt": "CoNLL++ dev (conllpp_dev.txt)"}
BATCH_SIZE = 32

Sentence = list[tuple[str, str]]  # (token, NER tag)
Document = list[Sentence]
Span = tuple[int, int, str]  # (first token, token after the last, type), token indices within the document


# ---------------------------------------------------------------------------------------------- reading
def read_conll(path: Path) -> list[Document]:
    """Documents -> sentences -> (token, NER tag).

    ``-DOCSTART-`` lines separate documents wherever they are (the eng.* copy has the first one at
    the end of the file); blank lines separate sentences; the NER tag is the last column.
    """
    docs: list[Document] = [[]]
    sent: Sentence = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("-DOCSTART-"):
            if sent:
                docs[-1].append(sent)
                sent = []
            docs.append([])
        elif not line.strip():
            if sent:
                docs[-1].append(sent)
                sent = []
        else:
            parts = line.split()
            sent.append((parts[0], parts[-1]))
    return [d for d in docs if d]


def tag_scheme(docs: list[Document]) -> str:
    """'IOB2' when entities open with B-, 'IOB1' when they open with I- (B- only between same-type neighbours)."""
    b_at_start = i_at_start = 0
    for doc in docs:
        for sent in doc:
            prev = "O"
            for _, tag in sent:
                if tag != "O":
                    starts = prev == "O" or prev[2:] != tag[2:]
                    if starts and tag.startswith("B-"):
                        b_at_start += 1
                    elif starts and tag.startswith("I-"):
                        i_at_start += 1
                prev = tag
    return "IOB2" if b_at_start > i_at_start else "IOB1"


def doc_text(doc: Document) -> tuple[str, list[tuple[int, int]]]:
    """Tokens joined by spaces, sentences by newlines; the (start, end) character offsets of each token."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    for s_i, sent in enumerate(doc):
        if s_i:
            parts.append("\n")
            pos += 1
        for t_i, (tok, _) in enumerate(sent):
            if t_i:
                parts.append(" ")
                pos += 1
            offsets.append((pos, pos + len(tok)))
            parts.append(tok)
            pos += len(tok)
    return "".join(parts), offsets


def gold_spans(tags: list[str]) -> set[Span]:
    """Entity spans from IOB1 or IOB2 tags (conlleval: an I- after O or another type starts an entity)."""
    spans: set[Span] = set()
    start, kind = None, None
    for i, tag in enumerate(tags + ["O"]):
        prefix, _, t = tag.partition("-")
        begins = tag != "O" and (prefix == "B" or t != kind)
        if start is not None and (tag == "O" or begins):
            spans.add((start, i, kind))
            start, kind = None, None
        if begins:
            start, kind = i, t
    return spans


def doc_gold(doc: Document) -> set[Span]:
    """Gold spans of a document; decoded sentence by sentence so no entity crosses a sentence break."""
    spans: set[Span] = set()
    base = 0
    for sent in doc:
        spans |= {(a + base, b + base, k) for a, b, k in gold_spans([tag for _, tag in sent])}
        base += len(sent)
    return spans


# ---------------------------------------------------------------------------------------------- predicting
def predict(nlp, texts: list[str], offsets: list[list[tuple[int, int]]]) -> list[set[Span]]:
    """Run the model over whole documents; map each kept entity to the CoNLL tokens it overlaps.

    The whole pipeline runs, as in the product: no component is switched off.  Even though this
    model's ``ner`` has its own tok2vec, the parser's sentence boundaries constrain it (no entity
    crosses one), so a ner-only run gives different entities (17 on eng.testa).
    """
    out: list[set[Span]] = []
    for parsed, offs in zip(nlp.pipe(texts, batch_size=BATCH_SIZE), offsets):
        starts = [a for a, _ in offs]
        ends = [b for _, b in offs]
        spans: set[Span] = set()
        for ent in parsed.ents:
            kind = LABEL_MAP.get(ent.label_)
            if kind is None:
                continue
            first = bisect.bisect_right(ends, ent.start_char)       # first token ending after the start
            last = bisect.bisect_left(starts, ent.end_char)         # tokens starting before the end
            if first < last:
                spans.add((first, last, kind))
        out.append(spans)
    return out


# ---------------------------------------------------------------------------------------------- scoring
def _prf(tp: int, pred: int, gold: int) -> dict:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": tp, "predicted": pred, "gold": gold}


def score(golds: list[set[Span]], preds: list[set[Span]]) -> dict:
    tp = dict.fromkeys(TYPES, 0)
    n_pred = dict.fromkeys(TYPES, 0)
    n_gold = dict.fromkeys(TYPES, 0)
    other_type = dict.fromkeys(TYPES, 0)  # gold entities predicted with the right boundaries, wrong type
    for g, p in zip(golds, preds):
        p_bounds = {(a, b) for a, b, _ in p}
        for span in g:
            n_gold[span[2]] = n_gold.get(span[2], 0) + 1
        for span in p:
            n_pred[span[2]] += 1
        for span in g & p:
            tp[span[2]] += 1
        for a, b, k in g - p:
            if (a, b) in p_bounds and k in other_type:
                other_type[k] += 1
    unknown = sorted(set(n_gold) - set(TYPES))
    if unknown:
        raise ValueError(f"unexpected gold entity types {unknown}")

    def micro(types: tuple[str, ...]) -> dict:
        return _prf(sum(tp[t] for t in types), sum(n_pred[t] for t in types), sum(n_gold[t] for t in types))

    return {"per_type": {t: {**_prf(tp[t], n_pred[t], n_gold[t]), "span_right_type_wrong": other_type[t]}
                         for t in TYPES},
            "micro": micro(TYPES), "micro_per_org_loc": micro(CORE)}


# ---------------------------------------------------------------------------------------------- entry points
def evaluate(shared: Path, limit: int | None = None) -> dict:
    """Score the model on every file of FILES present under shared/eval/conll2003 (first ``limit`` documents)."""
    from sitroom.nlp import load_model

    started = time.perf_counter()
    nlp = load_model()
    meta = nlp.meta
    result: dict = {
        "model": f"{meta.get('lang')}_{meta.get('name')} {meta.get('version')}",
        "model_ents_f_ontonotes": (meta.get("performance") or {}).get("ents_f"),
        "label_map": LABEL_MAP, "dropped": list(DROPPED), "limit": limit,
        "pipeline": list(nlp.pipe_names), "files": {},
    }
    cache: dict[tuple, tuple[list[set[Span]], float]] = {}  # token sequence -> predictions, seconds
    seen: dict[str, tuple[tuple, list[set[Span]]]] = {}  # file -> (token sequence, gold spans)
    for name in FILES:
        path = shared / "eval" / "conll2003" / name
        if not path.exists():
            continue
        docs = read_conll(path)
        if limit:
            docs = docs[:limit]
        key = tuple(tuple(tok for sent in d for tok, _ in sent) for d in docs)
        if key in cache:  # same tokens as an earlier file (testa vs CoNLL++ dev): reuse the predictions
            preds, model_seconds = cache[key]
            reused = True
        else:
            texts, offsets = zip(*(doc_text(d) for d in docs)) if docs else ((), ())
            t0 = time.perf_counter()
            preds = predict(nlp, list(texts), list(offsets))
            model_seconds = time.perf_counter() - t0
            cache[key] = (preds, model_seconds)
            reused = False
        golds = [doc_gold(d) for d in docs]
        same_gold = next((other for other, (k, g) in seen.items() if k == key and g == golds), None)
        seen[name] = (key, golds)
        scored = score(golds, preds)
        result["files"][name] = {
            "label": FILES[name], "tag_scheme": tag_scheme(docs),
            "documents": len(docs), "sentences": sum(len(d) for d in docs),
            "tokens": sum(len(s) for d in docs for s in d), "gold_entities": scored["micro"]["gold"],
            "model_seconds": round(model_seconds, 1), "predictions_reused": reused,
            "same_gold_as": same_gold, **scored,
        }
    # Headline numbers at the top level, addressable as dotted paths (file names contain dots): eng.testa.
    dev = result["files"].get("eng.testa") or next(iter(result["files"].values()), None)
    if dev:
        result["micro_f1"] = dev["micro"]["f1"]
        result["micro_per_org_loc_f1"] = dev["micro_per_org_loc"]["f1"]
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def _row(label: str, s: dict, bold: bool = False, extra: str | None = None) -> str:
    f1 = f"**{s['f1']:.3f}**" if bold else f"{s['f1']:.3f}"
    row = f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {f1} | {s['tp']:,} | {s['predicted']:,} | {s['gold']:,} |"
    return row if extra is None else f"{row} {extra} |"


def markdown(result: dict) -> str:
    lines = ["## Named entities (CoNLL-2003 dev)", ""]
    files = result.get("files") or {}
    if not files:
        return "\n".join(lines + ["No CoNLL-2003 dev file found under `eval/conll2003`.", ""])
    lines += [
        f"Model `{result['model']}`, the product's own pipeline, run over whole documents (tokens joined "
        "with spaces, sentences with newlines); predicted entities are mapped to the CoNLL tokens whose "
        "characters they overlap. Scoring is conlleval's: entity level, a prediction counts only when its "
        f"type and both boundaries match. Wall time {result['seconds']} s in all (model load included)"
        + (f"; every component ran ({', '.join(result['pipeline'])}), as in the product." if result.get("pipeline")
           else "."),
        "",
        "Label mapping from spaCy's OntoNotes labels: PERSON → PER; ORG → ORG; GPE, LOC, FAC → LOC; "
        "NORP, EVENT, WORK_OF_ART, LAW, LANGUAGE, PRODUCT → MISC; "
        f"{', '.join(result.get('dropped', DROPPED))} → dropped.",
        "",
    ]
    for name, r in files.items():
        if r.get("same_gold_as") in files:
            lines += [
                f"**{r['label']}** — same {r['tokens']:,} tokens and the same {r['gold_entities']:,} gold entities "
                f"as {files[r['same_gold_as']]['label']} once decoded (it has {r['tag_scheme']} tags; CoNLL++ "
                "corrected only the test split), so the same scores (micro F1 "
                f"{r['micro']['f1']:.3f}).", ""]
            continue
        how = "same tokens as above, predictions reused" if r.get("predictions_reused") else \
            f"model {r['model_seconds']} s, {r['tokens'] / max(r['model_seconds'], 1e-9):,.0f} tokens/s"
        lines += [
            f"**{r['label']}** — {r['documents']} documents, {r['sentences']:,} sentences, {r['tokens']:,} tokens, "
            f"{r['gold_entities']:,} gold entities ({r['tag_scheme']} tags; {how}).",
            "",
            "| type | precision | recall | F1 | correct | predicted | gold | gold span found, other type |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [_row(t, s, extra=f"{s.get('span_right_type_wrong', 0):,}") for t, s in r["per_type"].items()]
        lines += [_row("**micro, all four**", r["micro"], bold=True,
                       extra=f"{sum(s.get('span_right_type_wrong', 0) for s in r['per_type'].values()):,}"), ""]
    lines += [
        "PER/ORG/LOC only (MISC left out of both gold and predictions, since OntoNotes has no MISC and the "
        "mapping above covers it only in part):",
        "",
        "| file | precision | recall | F1 | correct | predicted | gold |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_row(r["label"], r["micro_per_org_loc"]) for r in files.values() if r.get("same_gold_as") not in files]
    lines.append("")
    if result.get("model_ents_f_ontonotes") is not None:
        lines.append(
            f"For reference, spaCy's published NER F1 for this model on OntoNotes 5 (its own 18 labels, "
            f"from `meta.json`): {result['model_ents_f_ontonotes']:.3f}. CoNLL-2003 is out of domain for it "
            "(1996 Reuters wire with sports results tables and all-capital headlines), and the label sets differ.")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="NER accuracy on CoNLL-2003 dev")
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    ap.add_argument("--limit", type=int, help="only the first N documents")
    args = ap.parse_args(argv)
    print(markdown(evaluate(args.shared, args.limit)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
