"""Statements and claims (cross-document grouping) scored against the project's own development set.

Gold: ``tests/gold/statements.jsonl`` and ``tests/gold/claims.jsonl``, annotated by reading the
articles: the five seeds (``<shared>/corpus/seeds``) and the example articles (``examples/``).
One JSON object per line is one gold group::

    {"group": "maassen-window", "note": "full, trimmed, reworded, reported; ...",
     "members": [{"file": "examples/txt/...", "text_sha256": "...", "start": 286, "end": 422}, ...]}

``file``, ``text_sha256``, ``start`` and ``end`` follow ``tests/gold/figures.jsonl``: the file
relative to ``<shared>/corpus`` (``seeds/...``) or to the repository (``examples/...``, with
``:N`` for line N of a jsonl file), the SHA-256 of the ``Article.text`` the reader yields for it,
and offsets into that text.  Every quote (statements) or figure (claims) a careful reader would
annotate in those articles is a member of exactly one group, most groups being singletons, so
that wrong merges are penalised too.  Quote spans follow the conventions of
``tests/gold/quotes.jsonl`` and figure spans those of ``tests/gold/figures.jsonl`` (their starts
are reused where those files cover the article).

What is one group:

* **statement**: the same utterance of one speaker: verbatim repeats (wire copy and reprint),
  trimmed versions, a partial quote and the reported clause that contains it, wording that
  differs as translations and sub-editing differ ("cannot rule out" / "cannot exclude"), and the
  same words attributed to another speaker (a misattribution is still the same statement; the
  system flags it).  Paraphrases with different wording, and speech reported inside someone
  else's speech, are separate statements.
* **claim**: figures estimating the same quantity (same counted group, place and period),
  whatever their values: "4,000 to 6,000", "about 5,000" and "some 7,500" foreign fighters who
  fled Deir ez-Zor in March 2024 are one claim.  A running total at a later date ("14 suspects"
  on 9 March, "nearly two dozen" on 21 March), equal numbers of different things (two "12%",
  two "13-18 million euros") and the same subject years apart are separate claims.

Scoring: the real pipeline ingests the gold articles into a temporary store (the entity pass
included), then ``group_statements`` / ``group_claims`` run on its rows.  A gold member is
matched to the predicted quote or figure of the same article with the same start (the closest
end when several share it); unmatched members (the extraction stage found a different span) are
counted and left out, as are predicted items no gold member matches.  On the matched members:
pairwise precision/recall/F1 over pairs of members in one group, and B³ precision/recall/F1.

``python -m evaluation.devset_links`` prints the Markdown section (``--errors`` lists wrong
merges and misses).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

from evaluation import gold

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
GOLD = {"statements": ROOT / "tests" / "gold" / "statements.jsonl",
        "claims": ROOT / "tests" / "gold" / "claims.jsonl"}


def load_groups(shared: Path, path: Path) -> tuple[dict[tuple[str, int], tuple[str, int]], dict[str, str], list[str]]:
    """(file, start) -> (group, end), file -> article text, notes.  Hashes and offsets are
    checked by ``gold.load_gold`` (StaleGold when the reader's text changed); members in seed
    files that are absent are dropped with a note."""
    flat: list[dict] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            g = json.loads(line)
            flat += [{**m, "group": g["group"]} for m in g["members"]]
    with tempfile.TemporaryDirectory() as tmp:
        members_file = Path(tmp) / path.name
        members_file.write_text("".join(json.dumps(m) + "\n" for m in flat), encoding="utf-8")
        checked, notes = gold.load_gold(shared, members_file)
    members = {(ref, r["start"]): (r["group"], r["end"]) for ref, (_, rows) in checked.items() for r in rows}
    return members, {ref: text for ref, (text, _) in checked.items()}, notes


def _file_path(ref: str, shared: Path) -> str:
    name = ref.partition(":")[0]
    return str(ROOT / name if name.startswith("examples/") else shared / "corpus" / name)


def _predict(shared: Path, texts: dict[str, str]) -> tuple[list[dict], list[dict], dict[str, str]]:
    """Ingest the gold articles into a temporary store; statements, claims, doc id -> file."""
    from sitroom.link.claims import group_claims, rows_for_claims
    from sitroom.link.statements import group_statements, rows_for_statements
    from sitroom.pipeline import document_id, ingest
    from sitroom.settings import Config
    from sitroom.store.database import Store

    paths = sorted({_file_path(ref, shared) for ref in texts})
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "devset.duckdb")
        ingest(paths, Config.load(db=db))
        with Store(db, read_only=True) as store:
            statements = group_statements(rows_for_statements(store.con))
            claims = group_claims(rows_for_claims(store.con))
    return statements, claims, {document_id(text): ref for ref, text in texts.items()}


def _match(members: dict[tuple[str, int], tuple[str, int]], predicted: list[dict], key: str,
           doc_file: dict[str, str]) -> tuple[dict[tuple[str, int], str], dict[tuple[str, int], str]]:
    """Gold and predicted group of every matched member, keyed by (file, start)."""
    by_start: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
    for group in predicted:
        for item in group[key]:
            ref = doc_file.get(item["document_id"])
            if ref:
                by_start[(ref, item["start"])].append((item["end"], group["id"]))
    gold_of, pred_of = {}, {}
    for member, (group, end) in members.items():
        candidates = by_start.get(member)
        if candidates:
            gold_of[member] = group
            pred_of[member] = min(candidates, key=lambda c: abs(c[0] - end))[1]
    return gold_of, pred_of


def _pairs(assign: dict) -> set[frozenset]:
    groups: dict[str, list] = defaultdict(list)
    for member, g in assign.items():
        groups[g].append(member)
    return {frozenset(p) for ms in groups.values() for p in combinations(sorted(ms), 2)}


def _prf(p: float, r: float) -> dict:
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def score(gold_of: dict, pred_of: dict) -> dict:
    """Pairwise and B³ precision/recall/F1 of the predicted grouping against the gold one."""
    gp, pp = _pairs(gold_of), _pairs(pred_of)
    both = len(gp & pp)
    pairwise = _prf(both / len(pp) if pp else 1.0, both / len(gp) if gp else 1.0)
    pairwise.update({"gold_pairs": len(gp), "predicted_pairs": len(pp), "common_pairs": both})
    g_size, p_size = Counter(gold_of.values()), Counter(pred_of.values())
    common = Counter((gold_of[m], pred_of[m]) for m in gold_of)
    n = len(gold_of) or 1
    b3p = sum(common[(gold_of[m], pred_of[m])] / p_size[pred_of[m]] for m in gold_of) / n
    b3r = sum(common[(gold_of[m], pred_of[m])] / g_size[gold_of[m]] for m in gold_of) / n
    return {"pairwise": pairwise, "b3": _prf(b3p, b3r)}


def _errors(kind: str, gold_of: dict, pred_of: dict, texts: dict[str, str], members: dict) -> list[str]:
    def show(m):
        return f"{m[0]}@{m[1]} {texts[m[0]][m[1]:members[m][1]][:70]!r}"
    gp, pp = _pairs(gold_of), _pairs(pred_of)
    out = [f"{kind} wrong merge: {show(a)} + {show(b)}" for a, b in sorted(sorted(p) for p in pp - gp)]
    out += [f"{kind} missed: {show(a)} + {show(b)} ({gold_of[a]})" for a, b in sorted(sorted(p) for p in gp - pp)]
    return out


def evaluate(shared: Path = DEFAULT_SHARED, limit: int | None = None) -> dict:
    """Both sections; ``limit`` keeps the first N articles (by file name) of the gold."""
    shared = Path(shared)
    loaded = {k: load_groups(shared, p) for k, p in GOLD.items()}
    texts = {ref: t for _, ts, _ in loaded.values() for ref, t in ts.items()}
    if limit:
        keep = set(sorted(texts)[:limit])
        texts = {r: t for r, t in texts.items() if r in keep}
    statements, claims, doc_file = _predict(shared, texts)
    result: dict = {"documents": len(texts), "notes": sorted({n for _, _, ns in loaded.values() for n in ns}),
                    "errors": []}
    for kind, predicted, key in (("statements", statements, "quotes"), ("claims", claims, "figures")):
        members = {m: v for m, v in loaded[kind][0].items() if m[0] in texts}
        gold_of, pred_of = _match(members, predicted, key, doc_file)
        result[kind] = {**score(gold_of, pred_of), "gold_members": len(members), "matched_members": len(gold_of),
                        "gold_groups": len({g for g, _ in members.values()}),
                        "gold_multi_groups": sum(1 for c in Counter(g for g, _ in members.values()).values() if c > 1)}
        result["errors"] += _errors(kind, gold_of, pred_of, texts, members)
    return result


def run(shared: Path = DEFAULT_SHARED) -> dict:
    return evaluate(shared)


def markdown(result: dict) -> str:
    lines = ["## Statements and claims (dev set)", "",
             f"{result['documents']} articles (the seeds and `examples/`), gold groups in "
             "`tests/gold/statements.jsonl` and `tests/gold/claims.jsonl`; scored on the gold members whose quote "
             "or figure the pipeline extracted with the same start.", "",
             "| grouping | gold members (matched) | gold groups (>1 member) | pairwise P | pairwise R | pairwise F1 "
             "| B³ P | B³ R | B³ F1 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for kind in ("statements", "claims"):
        r = result[kind]
        pw, b3 = r["pairwise"], r["b3"]
        lines.append(f"| {kind} | {r['gold_members']} ({r['matched_members']}) | {r['gold_groups']} "
                     f"({r['gold_multi_groups']}) | {pw['precision']:.3f} | {pw['recall']:.3f} | {pw['f1']:.3f} | "
                     f"{b3['precision']:.3f} | {b3['recall']:.3f} | {b3['f1']:.3f} |")
    lines.append("")
    for note in result.get("notes", []):
        lines += [f"Note: {note}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return gold.cli(__doc__, evaluate, markdown, argv)


if __name__ == "__main__":
    raise SystemExit(main())
