"""Gold files of our own dev sets (tests/gold/*.jsonl): offsets into the text sitroom's reader
yields, checked by a SHA-256 of that text so a reader change can never silently shift them."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"


class StaleGold(RuntimeError):
    """The reader's text no longer matches the text the gold offsets were made on."""


def _path(ref: str, shared: Path) -> Path:
    name = ref.partition(":")[0]
    return ROOT / name if name.startswith("examples/") else shared / "corpus" / name


def _article_text(ref: str, shared: Path) -> str:
    from sitroom.read import read_paths
    from sitroom.schema import Article

    line = ref.partition(":")[2]
    items = list(read_paths([str(_path(ref, shared))]))
    index = int(line) - 1 if line else 0
    if index >= len(items) or not isinstance(items[index], Article):
        raise StaleGold(f"{ref}: the reader no longer yields an article here")
    return items[index].text


def load_gold(shared: Path, gold_path: Path) -> tuple[dict[str, tuple[str, list[dict]]], list[str]]:
    """(file -> (article text, gold rows), notes).  Seed files that are absent are skipped with a
    note; a hash mismatch raises StaleGold."""
    by_file: dict[str, list[dict]] = defaultdict(list)
    for n, line in enumerate(gold_path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            row["_line"] = n
            by_file[row["file"]].append(row)
    out: dict[str, tuple[str, list[dict]]] = {}
    notes: list[str] = []
    skipped = 0
    for ref, rows in by_file.items():
        if not _path(ref, shared).exists():
            if ref.startswith("seeds/"):
                skipped += len(rows)
                continue
            raise StaleGold(f"{ref}: file not found")
        text = _article_text(ref, shared)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        for row in rows:
            if row["text_sha256"] != digest:
                raise StaleGold(
                    f"{gold_path.name}:{row['_line']}: text_sha256 of {ref} no longer matches the reader's "
                    f"Article.text ({digest[:12]}… != {row['text_sha256'][:12]}…); the reader changed the "
                    f"text, so re-check the offsets of every {ref} item")
            if not (0 <= row["start"] < row["end"] <= len(text)):
                raise StaleGold(f"{gold_path.name}:{row['_line']}: offsets outside the text of {ref}")
        out[ref] = (text, rows)
    if skipped:
        notes.append(f"Seed articles not found under {shared / 'corpus' / 'seeds'}: {skipped} seed items skipped.")
    return out, notes


def cli(doc: str, evaluate, markdown, argv: list[str] | None = None) -> int:
    """`python -m evaluation.devset_*`: print the section; --errors lists the mismatches."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--errors", action="store_true", help="list the mismatches")
    args = ap.parse_args(argv)
    result = evaluate(args.shared, args.limit)
    sys.stdout.write(markdown(result))
    if args.errors:
        sys.stdout.write("\n".join(result["errors"]) + "\n")
    return 0
