"""The event gold files (tests/gold/events*.jsonl, tests/gold/event_snippets.jsonl) are well-formed
and their offsets still point into the texts they were made on."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, SHARED
from evaluation import event_gold
from evaluation.gold import StaleGold

GOLD_FILES = event_gold.gold_files()


def test_there_are_event_gold_files():
    assert any(p.name == "events_bbc.jsonl" for p in GOLD_FILES)


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.name)
def test_rows_are_well_formed(path):
    rows = event_gold.read_rows(path)
    assert rows, f"{path.name} is empty"
    problems = [f"{path.name}:{r['_line']}: {msg}" for r in rows for msg in event_gold.row_problems(r)]
    assert not problems, "\n".join(problems[:50])


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.name)
def test_one_hash_per_document(path):
    """All rows of one REF carry the same text_sha256 (they were made on one text)."""
    seen: dict[str, str] = {}
    for r in event_gold.read_rows(path):
        assert seen.setdefault(r["file"], r["text_sha256"]) == r["text_sha256"], f"{path.name}:{r['_line']}"


def test_no_article_text_in_gold():
    """Rows hold offsets, labels and short names only: no string field is sentence-sized."""
    for path in GOLD_FILES:
        for r in event_gold.read_rows(path):
            for k, v in r.items():
                if isinstance(v, str) and k not in ("file", "text_sha256"):
                    assert len(v) <= 80, f"{path.name}:{r['_line']}: {k} looks like copied text"


def test_snippet_rows_are_well_formed():
    if not event_gold.SNIPPETS.exists():
        pytest.skip(f"{event_gold.SNIPPETS.name} not written yet")
    problems, ids = [], set()
    for obj in event_gold.read_snippets():
        assert obj["id"] not in ids, f"duplicate snippet id {obj['id']!r}"
        ids.add(obj["id"])
        assert isinstance(obj.get("text"), str) and obj["text"], f"line {obj['_line']}: no text"
        for r in obj.get("events", []):
            problems += [f"line {obj['_line']}: {msg}" for msg in event_gold.row_problems(r, obj["text"], snippet=True)]
    assert not problems, "\n".join(problems[:50])


def test_split_rule_and_reuters_date():
    assert event_gold.split_of("corpus/seeds/000_cd9676a7cd29aac4.txt") == "held-out"
    assert event_gold.split_of("corpus/seeds/002_8f3537a4be9e0a08.txt") == "dev"
    assert event_gold.reuters_date("26-FEB-1987 15:01:11.79") == "1987-02-26"
    assert event_gold.reuters_date(" 5-MAR-1987 09:00:00.00") == "1987-03-05"


def test_row_problems_catches_bad_rows():
    good = event_gold.read_rows(ROOT / "tests" / "gold" / "events_bbc.jsonl")[0]
    assert event_gold.row_problems(good) == []
    for change in ({"plover_type": "ATTACK"}, {"plover_mode": "nonsense"}, {"acled_sub_event_type": "Attack",
                   "acled_event_type": "Battles"}, {"split": "held-out" if good["split"] == "dev" else "dev"},
                   {"trigger_end": good["sentence_end"] + 1}, {"source_sector": "army"}, {"date": "19 October"}):
        assert event_gold.row_problems({**good, **change}), change


def _need_shared():
    if not (SHARED / "eval").is_dir() and not (SHARED / "corpus").is_dir():
        pytest.skip("../shared not present: the annotated articles live outside the repository, "
                    "so the text_sha256 of each REF cannot be checked")


def test_every_ref_still_hashes_to_its_text():
    _need_shared()
    docs, notes = event_gold.load_events(SHARED, snippets=None)  # raises StaleGold on any mismatch
    assert docs
    for d in docs:
        for r in d.rows:
            trigger = d.article.text[r["trigger_start"]:r["trigger_end"]]
            assert trigger.strip() == trigger and trigger, f"{d.ref}@{r['trigger_start']}"
            sentence = d.article.text[r["sentence_start"]:r["sentence_end"]]
            assert sentence.strip() == sentence, f"{d.ref}@{r['sentence_start']}: sentence span has outer spaces"


def test_stale_hash_raises(tmp_path):
    _need_shared()
    rows = event_gold.read_rows(ROOT / "tests" / "gold" / "events_bbc.jsonl")
    row = next(r for r in rows if (SHARED / r["file"].split("/", 1)[0]).is_dir())
    bad = {k: v for k, v in row.items() if not k.startswith("_")}
    bad["text_sha256"] = "0" * 64
    (tmp_path / "events_x.jsonl").write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(StaleGold):
        event_gold.load_events(SHARED, gold_dir=tmp_path, snippets=None)
