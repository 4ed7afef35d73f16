"""Cross-document entity coreference on ECB+ (Cybulska & Vossen 2014), topics 1-35.

The whole corpus is one collection, as a situation room would hold it (not one topic at a time):
every article runs through the product pipeline (``build_nlp`` + the stages, as
:func:`sitroom.pipeline.analyse` runs them), the facts go into a temporary store with
``Store.write_batch``, and :func:`sitroom.link.entities.rows_for_entities` and
:func:`~sitroom.link.entities.link_entities` link them, exactly as ``sitroom link`` would.

**Gold.**  The HUMAN_PART_* and LOC_* markables in the sentences the release lists as fully
annotated (``ECBplus_coreference_sentences.csv``; outside them the annotation is not exhaustive,
and the README asks that evaluations be restricted to them) whose head is a name: the head token (the syntactic
root of the span once leading prepositions and determiners are dropped, so "into Promises
Treatment Center in Los Angeles" has head "Center") is tagged PROPN by the parser and capitalised.
Our system links named mentions only, so pronouns and common nouns ("the actress") are out of
scope.  A markable in no CROSS_DOC_COREF chain is a singleton.

**Matching.**  A predicted mention matches a gold mention when the spans are identical, or when
they overlap and have the same head token; one-to-one, exact matches first, then the largest
overlap.  *Detection recall* = matched / gold named mentions.

**Coreference** is scored on the matched mentions (key = gold chains, response = our ids) with
MUC, B³ and CEAFe (entity-based, φ4), implemented here and checked in tests/test_link_entities.py
against the worked example of Pradhan et al. (2014); CoNLL F1 is their mean.  Three responses:

* *document-local*: each document's entities apart (no cross-document linking at all);
* *name ids*: the stored per-mention ``entity_id`` (the same normalised name joins across documents);
* *linked*: the canonical ids from ``link_entities``.

Known artefact: ECB+ chains are annotated per topic, so the same city named in two topics is two
gold entities; linking it across topics costs precision here although it is right in the world.
A diagnostic row splits our linked clusters by topic to show how much of the precision loss that is
(it is not a system: it uses the gold topic).

    python -m evaluation.ecb_entities [--shared ../shared] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import re
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Hashable, Iterable

from evaluation.ecbplus_data import EcbDocument, load_ecbplus
from sitroom.schema import DocumentFacts

if TYPE_CHECKING:
    from spacy.tokens import Doc

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
BATCH_SIZE = 32
_SKIP_LEADING = {"ADP", "DET", "PUNCT", "CCONJ"}

Mentions = dict[Hashable, Hashable]  # mention -> cluster id


# -- metrics ---------------------------------------------------------------------------------------

def _clusters(assign: Mentions) -> dict[Hashable, list[Hashable]]:
    out: dict[Hashable, list[Hashable]] = defaultdict(list)
    for mention, cluster in assign.items():
        out[cluster].append(mention)
    return out


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _prf(p: float, r: float) -> dict:
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(_f1(p, r), 4)}


def _muc_recall(key: Mentions, response: Mentions) -> float:
    """Vilain et al. 1995: each key entity needs |K| - 1 links; it has |K| - |partition of K by
    the response| of them (a mention the response lacks is a part of its own)."""
    num = den = 0
    for members in _clusters(key).values():
        parts = {response.get(m, ("absent", m)) for m in members}
        num += len(members) - len(parts)
        den += len(members) - 1
    return num / den if den else 0.0


def muc(key: Mentions, response: Mentions) -> dict:
    return _prf(_muc_recall(response, key), _muc_recall(key, response))


def _overlaps(key: Mentions, response: Mentions) -> Counter:
    return Counter((c, response[m]) for m, c in key.items() if m in response)


def b_cubed(key: Mentions, response: Mentions) -> dict:
    """Bagga & Baldwin 1998, mention-averaged; a mention missing from the other side scores 0."""
    if not key or not response:
        return _prf(0.0, 0.0)
    ksize = Counter(key.values())
    rsize = Counter(response.values())
    both = _overlaps(key, response)
    recall = sum(n * n / ksize[k] for (k, _), n in both.items()) / len(key)
    precision = sum(n * n / rsize[r] for (_, r), n in both.items()) / len(response)
    return _prf(precision, recall)


def ceaf_e(key: Mentions, response: Mentions) -> dict:
    """Luo 2005, entity-based: the one-to-one alignment of key and response entities maximising
    the sum of φ4 = 2|K ∩ R| / (|K| + |R|).  Entities that share no mention score 0 whatever the
    alignment, so the optimum is solved per connected component of the overlap graph."""
    from scipy.optimize import linear_sum_assignment

    ksize = Counter(key.values())
    rsize = Counter(response.values())
    if not ksize or not rsize:
        return _prf(0.0, 0.0)
    both = _overlaps(key, response)
    parent: dict[Hashable, Hashable] = {}

    def find(x: Hashable) -> Hashable:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k, r in both:
        parent[find(("k", k))] = find(("r", r))
    components: dict[Hashable, list[tuple[Hashable, Hashable, int]]] = defaultdict(list)
    for (k, r), n in both.items():
        components[find(("k", k))].append((k, r, n))
    total = 0.0
    for edges in components.values():
        ks = sorted({k for k, _, _ in edges}, key=repr)
        rs = sorted({r for _, r, _ in edges}, key=repr)
        ki = {k: i for i, k in enumerate(ks)}
        ri = {r: i for i, r in enumerate(rs)}
        sim = [[0.0] * len(rs) for _ in ks]
        for k, r, n in edges:
            sim[ki[k]][ri[r]] = 2 * n / (ksize[k] + rsize[r])
        rows, cols = linear_sum_assignment(sim, maximize=True)
        total += sum(sim[a][b] for a, b in zip(rows, cols))
    return _prf(total / len(rsize), total / len(ksize))


def score(key: Mentions, response: Mentions) -> dict:
    out = {"muc": muc(key, response), "b3": b_cubed(key, response), "ceafe": ceaf_e(key, response)}
    out["conll_f1"] = round((out["muc"]["f1"] + out["b3"]["f1"] + out["ceafe"]["f1"]) / 3, 4)
    return out


# -- running the pipeline ----------------------------------------------------------------------------

@dataclass
class ParsedDoc:
    name: str
    facts: DocumentFacts
    gold: list[tuple[int, int, str, str, int]]     # named gold mentions: start, end, kind, chain, head
    pred_heads: list[int | None]                   # head token of each facts.mentions item


def annotated_sentences(root: Path) -> set[tuple[str, int]]:
    """(document name, sentence number) pairs the release marks as fully annotated."""
    with open(root / "ECBplus_coreference_sentences.csv", encoding="utf-8", newline="") as f:
        return {(f"{r['Topic']}_{r['File']}", int(r["Sentence Number"])) for r in csv.DictReader(f)}


def line_sentences(root: Path, doc: EcbDocument) -> list[int]:
    """The XML sentence number of each line of ``doc.text`` (the loader puts one sentence a line)."""
    base = root / "ECB+" if (root / "ECB+").is_dir() else root
    raw = (base / str(doc.topic) / f"{doc.name}.xml").read_text(encoding="utf-8")
    numbers = [int(n) for n in re.findall(r'<token\b[^>]*\bsentence="(\d+)"', raw)]
    return [n for i, n in enumerate(numbers) if i == 0 or n != numbers[i - 1]]


def head_token(doc: Doc, start: int, end: int) -> int | None:
    """The syntactic head of a span once leading prepositions, determiners and punctuation are
    dropped ("into Promises Treatment Center in Los Angeles" -> "Center")."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    first = next((t.i for t in span if t.pos_ not in _SKIP_LEADING), None)
    return None if first is None else doc[first:span.end].root.i


def parse_corpus(docs: list[EcbDocument], root: Path) -> list[ParsedDoc]:
    """Run the product pipeline over the articles; keep the facts, the head tokens and the named
    gold mentions of the annotated sentences."""
    from sitroom.pipeline import build_nlp, document_id, facts_from_doc, make_doc
    from sitroom.schema import Article
    from sitroom.settings import Config

    nlp = build_nlp(Config.load())
    annotated = annotated_sentences(root)
    pairs = ((make_doc(nlp, Article(text=d.text, path=d.name)), d) for d in docs)
    out = []
    for doc, d in nlp.pipe(pairs, as_tuples=True, batch_size=BATCH_SIZE):
        facts = facts_from_doc(doc, Article(text=d.text, path=d.name), document_id(d.text), [d.name])
        gold = []
        lines = line_sentences(root, d)
        for m in d.mentions:
            if (d.name, lines[d.text.count("\n", 0, m.start)]) not in annotated:
                continue
            h = head_token(doc, m.start, m.end)
            if h is not None and doc[h].pos_ == "PROPN" and doc[h].text[:1].isupper():
                gold.append((m.start, m.end, m.kind, m.chain or f"singleton:{d.name}:{m.start}:{m.end}", h))
        out.append(ParsedDoc(d.name, facts, gold, [head_token(doc, p.start, p.end) for p in facts.mentions]))
    return out


def match(doc: ParsedDoc) -> list[tuple[int, int]]:
    """(gold index, predicted mention index) pairs: exact spans first, then same head + overlap."""
    preds = doc.facts.mentions
    exact = {(p.start, p.end): j for j, p in enumerate(preds)}
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for gi, (s, e, *_rest) in enumerate(doc.gold):
        j = exact.get((s, e))
        if j is not None and j not in used:
            pairs[gi] = j
            used.add(j)
    for gi, (s, e, _kind, _chain, head) in enumerate(doc.gold):
        if gi in pairs:
            continue
        cands = [(min(e, p.end) - max(s, p.start), -j, j) for j, p in enumerate(preds)
                 if j not in used and doc.pred_heads[j] == head and p.start < e and s < p.end]
        if cands:
            j = max(cands)[2]
            pairs[gi] = j
            used.add(j)
    return sorted(pairs.items())


def link_ids(parsed: list[ParsedDoc]) -> tuple[dict[str, str], float]:
    """entity id -> canonical id through a temporary store, and the seconds linking took."""
    from sitroom.link.entities import link_entities, rows_for_entities
    from sitroom.store.database import Store

    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "ecb.duckdb") as store:
        for i in range(0, len(parsed), 64):
            store.write_batch([p.facts for p in parsed[i:i + 64]])
        started = time.perf_counter()
        links = link_entities(rows_for_entities(store.con))
        seconds = time.perf_counter() - started
    return {r["entity_id"]: r["canonical_id"] for r in links}, seconds


def _systems(parsed: list[ParsedDoc], canonical: dict[str, str]) -> tuple[Mentions, dict[str, Mentions], dict]:
    key: Mentions = {}
    responses: dict[str, Mentions] = {"document-local": {}, "name ids": {}, "linked": {}, "linked per topic": {}}
    gold_by_kind: Counter = Counter()
    found_by_kind: Counter = Counter()
    for doc in parsed:
        for g in doc.gold:
            gold_by_kind[g[2].split("_")[0]] += 1
        for gi, pj in match(doc):
            s, e, kind, chain, _ = doc.gold[gi]
            found_by_kind[kind.split("_")[0]] += 1
            mention = (doc.name, s, e)
            eid = doc.facts.mentions[pj].entity_id
            key[mention] = chain
            responses["document-local"][mention] = (doc.name, eid)
            responses["name ids"][mention] = eid
            responses["linked"][mention] = canonical.get(eid, eid)
            responses["linked per topic"][mention] = (doc.name.split("_")[0], canonical.get(eid, eid))
    detection = {kind: {"gold": gold_by_kind[kind], "matched": found_by_kind[kind],
                        "recall": round(found_by_kind[kind] / gold_by_kind[kind], 4) if gold_by_kind[kind] else 0.0}
                 for kind in sorted(gold_by_kind)}
    total_gold = sum(gold_by_kind.values())
    detection["all"] = {"gold": total_gold, "matched": len(key),
                        "recall": round(len(key) / total_gold, 4) if total_gold else 0.0}
    return key, responses, detection


def evaluate(shared: Path = DEFAULT_SHARED, limit: int | None = None) -> dict:
    root = shared / "eval" / "ecbplus"
    if not root.is_dir():
        return {"missing": f"{root} not found"}
    started = time.perf_counter()
    docs = load_ecbplus(root)
    if limit:
        docs = docs[:limit]
    parsed = parse_corpus(docs, root)
    canonical, link_seconds = link_ids(parsed)
    key, responses, detection = _systems(parsed, canonical)
    chains = _clusters(key)
    docs_of = {c: {m[0] for m in ms} for c, ms in chains.items()}
    return {
        "documents": len(docs),
        "topics": len({d.topic for d in docs}),
        "gold_mentions": sum(len(d.mentions) for d in docs),
        "detection": detection,
        "key_entities": len(chains),
        "cross_document_entities": sum(len(v) > 1 for v in docs_of.values()),
        "entity_ids": len(canonical),
        "canonical_ids": len(set(canonical.values())),
        "scores": {name: score(key, resp) for name, resp in responses.items()},
        "link_seconds": round(link_seconds, 2),
        "seconds": round(time.perf_counter() - started, 1),
    }


def run(shared: Path = DEFAULT_SHARED) -> dict:
    """The whole corpus (the honest setting: all topics at once)."""
    return evaluate(shared)


def _row(name: str, s: dict) -> str:
    return (f"| {name} | {s['muc']['f1']:.3f} | {s['b3']['p']:.3f} | {s['b3']['r']:.3f} | {s['b3']['f1']:.3f} | "
            f"{s['ceafe']['f1']:.3f} | **{s['conll_f1']:.3f}** |")


def markdown(result: dict) -> str:
    lines = ["## Cross-document entities (ECB+)", ""]
    if "missing" in result:
        return "\n".join(lines + [f"*Not run: {result['missing']}.*", ""])
    det = result["detection"]
    lines += [
        f"ECB+ topics 1-35 as one collection ({result['documents']} articles, {result['topics']} topics): the "
        "articles run through the pipeline into a temporary store and `link_entities` links them. Gold = "
        "HUMAN_PART_* / LOC_* markables in the sentences the release lists as fully annotated, whose head is a "
        "proper noun (our system links named mentions only); a "
        "predicted mention matches a gold one when the spans are equal or overlap with the same head token "
        "(one-to-one). Coreference is scored on the matched mentions; metrics implemented in "
        "`evaluation/ecb_entities.py` and checked against Pradhan et al. 2014's worked example. "
        "`python -m evaluation.ecb_entities`.", "",
        f"Mention detection recall: **{det['all']['recall']:.3f}** ({det['all']['matched']:,} of "
        f"{det['all']['gold']:,} named gold mentions; "
        + ", ".join(f"{k} {v['recall']:.3f}" for k, v in det.items() if k != "all")
        + f"). Matched mentions form {result['key_entities']:,} gold entities, "
        f"{result['cross_document_entities']:,} of them in more than one article.", "",
        "| response | MUC F1 | B³ P | B³ R | B³ F1 | CEAFe F1 | CoNLL F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    labels = {"document-local": "document-local ids (no cross-document linking)",
              "name ids": "per-document ids (same name = same id): baseline",
              "linked": "`link_entities` canonical ids",
              "linked per topic": "*diagnostic:* the same ids split by ECB+ topic"}
    for name, s in result["scores"].items():
        lines.append(_row(labels.get(name, name), s))
    lines += ["", f"Linking {result['entity_ids']:,} entity ids into {result['canonical_ids']:,} canonical ids "
              f"took {result['link_seconds']} s (rows_for_entities + link_entities). Gold chains are per topic, "
              "so a place or organisation named in two topics counts as two entities here; the diagnostic row "
              "(our clusters split by the gold topic) shows how much of the precision loss that artefact is.", ""]
    return "\n".join(lines)


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    print(markdown(evaluate(args.shared, args.limit)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
