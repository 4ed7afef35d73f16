"""Stories and near-duplicates: ECB+ story clustering, BBC News exact duplicates, Reuters timings.

* **ECB+ story clustering** (topics 1-35, 772 documents; gold cluster = topic x sub-event, 66
  clusters, see ``evaluation.ecbplus_data``): every text runs through the product pipeline
  (``sitroom.pipeline.analyse``) into a temporary store, :func:`sitroom.link.stories.rows_for_stories`
  reads it back with entity and place ids, and :func:`cluster_stories` groups it.  ECB+ has no
  dates, so no time window applies.  B3 (Bagga & Baldwin 1998) and pairwise precision/recall/F1.
  The topics are split: odd topics are the calibration half (the threshold sweep and any tuning
  look only at them), even topics the held-out half; each half is clustered on its own (pooled
  topics, as a user's corpus would be), and all 35 together.  Also: without entity/place
  features, and with sentence embeddings when the optional extra is installed.
* **BBC News near-duplicates** (2,225 articles read by the product's reader): gold pairs are files
  whose texts are identical after whitespace and case normalisation; recall over those pairs, and
  the false pairs among 1,000 random gold non-duplicate pairs (seed 0).  Pairs found beyond the
  gold (near, not exact, copies) are counted too.
* **Timings** on Reuters-21578 (stories in file order, body or else title, no NLP): seconds for
  find_duplicates and cluster_stories at 2,000 / 10,000 / 20,000 documents.

    python -m evaluation.stories [--shared ../shared] [--limit N]
"""

from __future__ import annotations

import argparse
import html
import random
import re
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ECB_THRESHOLDS = (0.08, 0.10, 0.12, 0.15, 0.20, 0.25, 0.30, 0.40)
EMB_THRESHOLDS = (0.35, 0.55)
SIZES = (2_000, 10_000, 20_000)
SAMPLE_PAIRS = 1_000
_REUTERS = re.compile(r"<REUTERS[^>]*>(.*?)</REUTERS>", re.S)
_FIELD = {k: re.compile(rf"<{k}>(.*?)</{k}>", re.S) for k in ("DATE", "TITLE", "BODY")}


# -- metrics ---------------------------------------------------------------------------------------

def _prf(p: float, r: float) -> dict:
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def b_cubed(pred: dict[str, str], gold: dict[str, str]) -> dict:
    """B3 precision/recall/F1 of a clustering (item -> cluster label) against gold."""
    both = Counter((pred[i], gold[i]) for i in gold)
    psize, gsize = Counter(pred[i] for i in gold), Counter(gold.values())
    p = sum(n * n / psize[pc] for (pc, _), n in both.items()) / len(gold)
    r = sum(n * n / gsize[gc] for (_, gc), n in both.items()) / len(gold)
    return _prf(p, r)


def pairwise(pred: dict[str, str], gold: dict[str, str]) -> dict:
    """Precision/recall/F1 over the item pairs placed in one cluster."""
    pairs = lambda counts: sum(n * (n - 1) // 2 for n in counts.values())  # noqa: E731
    tp = pairs(Counter((pred[i], gold[i]) for i in gold))
    np_, ng = pairs(Counter(pred[i] for i in gold)), pairs(Counter(gold.values()))
    return _prf(tp / np_ if np_ else 0.0, tp / ng if ng else 0.0)


# -- ECB+ ------------------------------------------------------------------------------------------

def ecb_rows(shared: Path, limit: int | None = None) -> tuple[list[dict], dict[str, str]]:
    """The ECB+ documents as rows_for_stories gives them after the product pipeline, and the gold
    story of each document id."""
    from evaluation.ecbplus_data import load_ecbplus
    from sitroom.link.stories import rows_for_stories
    from sitroom.pipeline import analyse, build_nlp, document_id
    from sitroom.schema import Article
    from sitroom.settings import Config
    from sitroom.store.database import Store

    docs = load_ecbplus(shared / "eval" / "ecbplus")[:limit]
    gold = {document_id(d.text): d.story for d in docs}
    cfg = Config.load()
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "ecb.duckdb") as store:
        articles = [Article(text=d.text, path=d.name) for d in docs]
        store.write_batch(list(analyse(build_nlp(cfg), articles, cfg)))
        rows = rows_for_stories(store.con)
    return rows, gold


def score_clustering(rows: list[dict], gold: dict[str, str], **kwargs) -> dict:
    from sitroom.link.stories import cluster_stories

    stories = cluster_stories(rows, **kwargs)
    pred = {d: s["id"] for s in stories for d in s["document_ids"]}
    gold = {r["id"]: gold[r["id"]] for r in rows}
    return {"b3": b_cubed(pred, gold), "pairwise": pairwise(pred, gold), "stories": len(stories)}


def topic_half(story: str) -> str:
    """'calibration' for odd ECB+ topics, 'held_out' for even ones (the story label starts with
    the topic number)."""
    return "calibration" if int(re.match(r"\d+", story).group()) % 2 else "held_out"


def evaluate_ecb(rows: list[dict], gold: dict[str, str]) -> dict:
    from sitroom.link.stories import THRESHOLDS

    bare = [{**r, "entities": [], "places": []} for r in rows]
    halves = {h: [r for r in rows if topic_half(gold[r["id"]]) == h] for h in ("calibration", "held_out")}
    out: dict = {"documents": len(rows), "gold_stories": len(set(gold.values())),
                 "threshold": THRESHOLDS["tfidf"], "tfidf": score_clustering(rows, gold),
                 **{h: {"documents": len(rs), "gold_stories": len({gold[r["id"]] for r in rs}),
                        **score_clustering(rs, gold)} for h, rs in halves.items()},
                 "text_only": score_clustering(bare, gold),
                 "sweep": {str(t): score_clustering(halves["calibration"], gold, threshold=t)["b3"]["f1"]
                           for t in ECB_THRESHOLDS}}
    try:
        started = time.perf_counter()
        out["embeddings"] = score_clustering(rows, gold, method="embeddings")
        out["embeddings"]["seconds"] = round(time.perf_counter() - started, 1)
        out["embeddings_threshold"] = THRESHOLDS["embeddings"]
        out["embeddings_sweep"] = {str(t): score_clustering(rows, gold, method="embeddings", threshold=t)["b3"]["f1"]
                                   for t in EMB_THRESHOLDS}
    except ImportError as exc:
        out["embeddings"] = {"skipped": str(exc)}
    return out


# -- BBC near-duplicates ---------------------------------------------------------------------------

def bbc_docs(shared: Path, limit: int | None = None) -> list[dict]:
    from sitroom.read import read_paths
    from sitroom.schema import Article

    root = shared / "eval" / "bbc-news" / "bbc"
    paths = sorted(str(p) for p in root.glob("*/*.txt"))[:limit]
    return [{"id": str(Path(a.path).relative_to(root)), "title": a.title, "text": a.text, "published": a.published}
            for a in read_paths(paths) if isinstance(a, Article)]


def evaluate_bbc(shared: Path, limit: int | None = None) -> dict:
    from sitroom.link.stories import find_duplicates

    root = shared / "eval" / "bbc-news" / "bbc"
    docs = bbc_docs(shared, limit)
    by_text: dict[str, list[str]] = {}
    for d in docs:
        raw = (root / d["id"]).read_bytes().decode("latin-1")
        by_text.setdefault(" ".join(raw.split()).casefold(), []).append(d["id"])
    gold_group = {i: g[0] for g in by_text.values() for i in g}
    gold_pairs = [(g[a], g[b]) for g in by_text.values() for a in range(len(g)) for b in range(a + 1, len(g))]

    started = time.perf_counter()
    dups = find_duplicates(docs)
    seconds = time.perf_counter() - started
    group = {d["id"]: d["id"] for d in docs}
    group.update({doc: rep for doc, rep, _ in dups})
    found = sum(group[a] == group[b] for a, b in gold_pairs)

    rng = random.Random(0)
    ids = [d["id"] for d in docs]
    sample: set[tuple[str, str]] = set()
    while len(ids) > 1 and len(sample) < SAMPLE_PAIRS:
        a, b = sorted(rng.sample(ids, 2))
        if gold_group[a] != gold_group[b]:
            sample.add((a, b))
    false_pairs = sum(group[a] == group[b] for a, b in sample)
    beyond = [(doc, rep, sim) for doc, rep, sim in dups if gold_group[doc] != gold_group[rep]]
    return {"documents": len(docs), "gold_pairs": len(gold_pairs), "found": found,
            "recall": round(found / len(gold_pairs), 4) if gold_pairs else None,
            "sample_pairs": len(sample), "false_pairs": false_pairs, "near_not_exact": len(beyond),
            "near_not_exact_examples": [list(x) for x in beyond[:5]], "seconds": round(seconds, 2)}


# -- Reuters timings -------------------------------------------------------------------------------

def reuters_docs(shared: Path, n: int) -> list[dict]:
    """The first ``n`` Reuters-21578 stories (body, else title) as story rows without NLP."""
    docs: list[dict] = []
    for path in sorted((shared / "eval" / "reuters21578" / "sgm-data").glob("reut2-*.sgm")):
        for raw in _REUTERS.findall(path.read_bytes().decode("latin-1")):
            got = {k: html.unescape(m.group(1)).strip() if (m := rx.search(raw)) else "" for k, rx in _FIELD.items()}
            try:
                published = datetime.strptime(got["DATE"].split()[0], "%d-%b-%Y").date().isoformat()
            except (ValueError, IndexError):
                published = None
            docs.append({"id": f"reuters-{len(docs) + 1}", "title": got["TITLE"], "text": got["BODY"] or got["TITLE"],
                         "published": published, "entities": [], "places": []})
            if len(docs) == n:
                return docs
    return docs


def time_reuters(shared: Path, sizes: tuple[int, ...] = SIZES) -> list[dict]:
    from sitroom.link.stories import cluster_stories, find_duplicates

    out = []
    for n in sizes:
        docs = reuters_docs(shared, n)
        started = time.perf_counter()
        dups = find_duplicates(docs)
        mid = time.perf_counter()
        stories = cluster_stories(docs, dups)
        done = time.perf_counter()
        out.append({"documents": len(docs), "duplicates": len(dups), "stories": len(stories),
                    "largest_story": max(len(s["document_ids"]) for s in stories),
                    "duplicates_s": round(mid - started, 2), "stories_s": round(done - mid, 2)})
    return out


# -- entry points ----------------------------------------------------------------------------------

def evaluate(shared: Path, limit: int | None = None) -> dict:
    result: dict = {}
    if (shared / "eval" / "ecbplus").is_dir():
        result["ecbplus"] = evaluate_ecb(*ecb_rows(shared, limit))
    if (shared / "eval" / "bbc-news" / "bbc").is_dir():
        result["bbc"] = evaluate_bbc(shared, limit)
    if (shared / "eval" / "reuters21578" / "sgm-data").is_dir():
        result["timings"] = time_reuters(shared, tuple(min(n, limit) for n in SIZES[:1]) if limit else SIZES)
    return result


def run(shared: Path) -> dict:
    """The full evaluation (the interface the issue names; ``evaluate`` adds ``limit`` for make eval)."""
    return evaluate(shared)


def _row(name: str, r: dict) -> str:
    return (f"| {name} | {r['b3']['p']:.3f} | {r['b3']['r']:.3f} | **{r['b3']['f1']:.3f}** | "
            f"{r['pairwise']['p']:.3f} | {r['pairwise']['r']:.3f} | {r['pairwise']['f1']:.3f} | {r['stories']} |")


def markdown(result: dict) -> str:
    lines = ["## Stories and near-duplicates", ""]
    if e := result.get("ecbplus"):
        lines += [f"Story clustering on ECB+ topics 1-35 ({e['documents']} documents, {e['gold_stories']} gold "
                  "stories = topic x sub-event: each topic holds two different events of one kind, the "
                  "hard negatives; no dates, so no time window). Entities and places from the product "
                  "pipeline. Odd topics are the calibration half: the threshold and the local-strength "
                  "rule were chosen on them alone. Even topics are held out. Each half is clustered "
                  "on its own, its topics pooled. Target: B3 F1 >= 0.90 on unseen topics. Caveat: the earlier "
                  "threshold (0.12) was chosen on all 35 topics, so the even half has been seen before; no "
                  "second public story-clustering set is within reach here.", "",
                  "| documents | method | B3 P | B3 R | B3 F1 | pair P | pair R | pair F1 | stories |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for half, label in (("calibration", "calibration (odd topics)"), ("held_out", "**held out (even topics)**")):
            if half in e:
                lines.append(f"| {label}, {e[half]['documents']} docs, {e[half]['gold_stories']} stories "
                             + _row(f"TF-IDF + entities/places ({e['threshold']})", e[half]))
        lines += [f"| all 35 topics, {e['documents']} docs "
                  + _row(f"TF-IDF + entities/places ({e['threshold']})", e["tfidf"]),
                  "| all 35 topics " + _row("TF-IDF text only", e["text_only"])]
        emb = e.get("embeddings", {})
        if "b3" in emb:
            lines.append("| all 35 topics " + _row(f"MiniLM embeddings + entities/places (threshold {e['embeddings_threshold']})", emb))
        lines += ["", "B3 F1 on the calibration half by threshold (TF-IDF + entities/places): "
                  + ", ".join(f"{t}: {f:.3f}" for t, f in e["sweep"].items()) + "."]
        if "b3" in emb:
            lines += ["", "B3 F1 by threshold (embeddings): "
                      + ", ".join(f"{t}: {f:.3f}" for t, f in e["embeddings_sweep"].items())
                      + f". Embedding the corpus took {emb['seconds']} s."]
        elif emb:
            lines += ["", f"Embeddings not measured: {emb['skipped']}"]
        lines.append("")
    if b := result.get("bbc"):
        lines += [f"Near-duplicates on BBC News ({b['documents']} articles): {b['found']} of {b['gold_pairs']} "
                  f"exact-duplicate pairs found (recall {b['recall']}); {b['false_pairs']} false pairs among "
                  f"{b['sample_pairs']} random non-duplicate pairs (seed 0); {b['near_not_exact']} further "
                  f"documents joined to a near (not identical) copy; {b['seconds']} s.", ""]
    if t := result.get("timings"):
        lines += ["Full recompute on Reuters-21578 (no NLP; one process):", "",
                  "| documents | duplicates | stories | largest story | find_duplicates s | cluster_stories s |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {r['documents']:,} | {r['duplicates']:,} | {r['stories']:,} | {r['largest_story']} | "
                  f"{r['duplicates_s']} | {r['stories_s']} |" for r in t]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    if not (args.shared / "eval").is_dir():
        print(f"evaluation data absent: {args.shared / 'eval'} does not exist")
        return 0
    print(markdown(evaluate(args.shared, args.limit)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
