"""Gold event mentions (``tests/gold/events*.jsonl`` and ``tests/gold/event_snippets.jsonl``):
loading, resolving each REF to the article its offsets point into, and the checks that keep the
offsets honest (the SHA-256 of the text, raising :class:`evaluation.gold.StaleGold` on a mismatch).

A gold row (see ``tests/gold/README.md``, section *Events*) names its article by a REF relative to
``../shared``:

* ``eval/bbc-news/bbc/<category>/<NNN>.txt`` and ``corpus/seeds/<name>.txt``: the text is the
  ``Article.text`` that ``sitroom.read.read_paths([path])`` yields for the file;
* ``eval/reuters21578/sgm-data/reut2-NNN.sgm#NEWID=<id>``: the text is
  ``html.unescape(<BODY> content).strip()`` of the ``<REUTERS ... NEWID="id">`` element (the file
  read as Latin-1; the title is not part of the text), published on the element's ``<DATE>``.

The snippet file holds its texts itself: one ``{"id", "text", "published", "events": [rows]}``
object per line, rows with offsets into ``text`` and without ``file``/``text_sha256``/``split``; the
whole file is held out.

No article text is stored in the gold files, only offsets, labels and short names.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evaluation.gold import StaleGold

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
GOLD_DIR = ROOT / "tests" / "gold"
SNIPPETS = GOLD_DIR / "event_snippets.jsonl"

PLOVER_MODES: dict[str, frozenset[str]] = {
    "AGREE": frozenset(),
    "CONSULT": frozenset({"visit", "third-party", "multilateral", "phone"}),
    "SUPPORT": frozenset(),
    "CONCEDE": frozenset(),
    "COOPERATE": frozenset(),
    "AID": frozenset(),
    "RETREAT": frozenset({"withdraw", "release", "disarm", "ceasefire", "access", "resign"}),
    "DEMAND": frozenset({"assist", "change", "yield", "meet"}),
    "DISAPPROVE": frozenset({"disapprove", "investigate", "allege"}),
    "REJECT": frozenset({"assist", "change", "yield", "meet"}),
    "THREATEN": frozenset({"restrict", "arrest", "relations", "expel", "territory", "violence"}),
    "PROTEST": frozenset({"demo", "riot", "strike", "hunger", "boycott", "obstruct", "vandalize"}),
    "MOBILIZE": frozenset({"troops", "weapons", "police", "militia"}),
    "SANCTION": frozenset({"convict", "expel", "withdraw", "discontinue"}),
    "COERCE": frozenset({"seize", "restrict", "censor", "curfew", "martial-law", "arrest", "deport", "withhold",
                         "misinformation", "cyber"}),
    "ASSAULT": frozenset({"abduct", "beat", "torture", "sexual", "targeted", "destroy", "primitive", "firearms",
                          "explosives", "suicide-attack", "aerial", "drone", "heavy-weapons", "crowd-control",
                          "unconventional"}),
}
PLOVER_TYPES = tuple(PLOVER_MODES)
ACLED_TYPES: dict[str, frozenset[str]] = {
    "Battles": frozenset({"Armed clash", "Government regains territory", "Non-state actor overtakes territory"}),
    "Explosions/Remote violence": frozenset({"Chemical weapon", "Air/drone strike", "Suicide bomb",
                                             "Shelling/artillery/missile attack", "Remote explosive/landmine/IED",
                                             "Grenade"}),
    "Violence against civilians": frozenset({"Sexual violence", "Attack", "Abduction/forced disappearance"}),
    "Protests": frozenset({"Peaceful protest", "Protest with intervention", "Excessive force against protesters"}),
    "Riots": frozenset({"Violent demonstration", "Mob violence"}),
    "Strategic developments": frozenset({"Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                                         "Headquarters or base established", "Looting/property destruction",
                                         "Non-violent transfer of territory", "Other"}),
}
FACTUALITY = ("asserted", "negated", "hypothetical", "future")
SECTORS = frozenset({"military", "police", "government", "rebels", "civilians", "protesters", "political_party",
                     "judiciary", "business", "media", "igo", "ngo", "other"})
MAGNITUDES = ("dead", "injured", "arrested", "size")
#: Fields of a row in tests/gold/events*.jsonl, in the order the files write them.
ROW_FIELDS = ("file", "text_sha256", "split", "sentence_start", "sentence_end", "trigger_start", "trigger_end",
              "plover_type", "plover_mode", "factuality", "acled_event_type", "acled_sub_event_type",
              "source_actor", "source_sector", "target_actor", "target_sector", "place", "country_code", "date",
              *MAGNITUDES)
SNIPPET_ROW_FIELDS = tuple(f for f in ROW_FIELDS if f not in ("file", "text_sha256", "split"))
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class GoldDoc:
    """One annotated article (or snippet) and its gold rows."""

    ref: str  # the REF, or "snippets:<id>"
    gold_file: str  # "bbc", "reuters", ... (events_<name>.jsonl) or "snippets"
    split: str  # "dev" | "held-out"
    article: object  # sitroom.schema.Article
    rows: list[dict]


def split_of(ref: str) -> str:
    """The fixed, hash-based split of a document (chosen before any system output was seen)."""
    return "held-out" if int(hashlib.sha256(ref.encode("utf-8")).hexdigest(), 16) % 3 == 0 else "dev"


def gold_files(gold_dir: Path = GOLD_DIR) -> list[Path]:
    return sorted(gold_dir.glob("events*.jsonl"))


def file_label(path: Path) -> str:
    """events_bbc.jsonl -> "bbc"; event_snippets.jsonl -> "snippets"."""
    if path.name == SNIPPETS.name:
        return "snippets"
    stem = path.stem
    return stem.split("_", 1)[1] if "_" in stem else stem


def read_rows(path: Path) -> list[dict]:
    """The rows of one events*.jsonl file, each with ``_line`` (1-based) and ``_gold`` (its file label)."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            row["_line"] = n
            row["_gold"] = file_label(path)
            rows.append(row)
    return rows


def read_snippets(path: Path = SNIPPETS) -> list[dict]:
    """The snippet objects, each with ``_line``; their rows get ``_line`` and ``_gold`` too."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            obj = json.loads(line)
            obj["_line"] = n
            for row in obj.get("events", []):
                row["_line"] = n
                row["_gold"] = "snippets"
            out.append(obj)
    return out


# ---- resolving REFs

_REUTERS_REF = re.compile(r"(?P<path>eval/reuters21578/sgm-data/[^#]+\.sgm)#NEWID=(?P<id>\d+)$")
_REUTERS_EL = re.compile(r'<REUTERS\b[^>]*\bNEWID="(\d+)"[^>]*>(.*?)</REUTERS>', re.S)
_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                                        "NOV", "DEC"), 1)}


def reuters_date(raw: str) -> str | None:
    """'26-FEB-1987 15:01:11.79' -> '1987-02-26'."""
    m = re.search(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})", raw or "")
    if not m or m.group(2).upper() not in _MONTHS:
        return None
    return f"{int(m.group(3)):04d}-{_MONTHS[m.group(2).upper()]:02d}-{int(m.group(1)):02d}"


@lru_cache(maxsize=32)
def _reuters_file(path: str) -> dict[str, str]:
    raw = Path(path).read_text(encoding="latin-1")
    return {m.group(1): m.group(2) for m in _REUTERS_EL.finditer(raw)}


def _tag(element: str, tag: str) -> str | None:
    m = re.search(rf"<{tag}>(.*?)</{tag}>", element, re.S)
    return m.group(1) if m else None


def ref_path(ref: str, shared: Path) -> Path:
    m = _REUTERS_REF.match(ref)
    return Path(shared) / (m.group("path") if m else ref)


def resolve(ref: str, shared: Path = DEFAULT_SHARED):
    """The Article a REF names (text, published, title, source); StaleGold when it no longer exists."""
    from sitroom.schema import Article

    shared = Path(shared)
    m = _REUTERS_REF.match(ref)
    if m:
        elements = _reuters_file(str(shared / m.group("path")))
        element = elements.get(m.group("id"))
        body = _tag(element, "BODY") if element is not None else None
        if body is None:
            raise StaleGold(f"{ref}: no REUTERS element with that NEWID and a BODY")
        title = _tag(element, "TITLE")
        return Article(text=html.unescape(body).strip(), path=ref,
                       title=html.unescape(title).strip() if title else None, source="Reuters",
                       published=reuters_date(_tag(element, "DATE") or ""))
    if ref.startswith(("eval/bbc-news/", "corpus/seeds/")):
        from sitroom.read import read_paths

        items = list(read_paths([str(shared / ref)]))
        if len(items) != 1 or not isinstance(items[0], Article):
            raise StaleGold(f"{ref}: the reader no longer yields exactly one article for this file")
        return items[0]
    raise StaleGold(f"{ref}: unknown REF form (expected eval/bbc-news/..., corpus/seeds/... or ...sgm#NEWID=n)")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---- well-formedness

def _check_magnitude(value, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, dict) or set(value) != {"low", "high", "qualifier"}:
        return [f"{name} must be null or {{low, high, qualifier}}"]
    low, high = value["low"], value["high"]
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (low, high)) or low > high:
        return [f"{name}: low/high must be numbers with low <= high"]
    if value["qualifier"] is not None and not isinstance(value["qualifier"], str):
        return [f"{name}: qualifier must be a string or null"]
    return []


def row_problems(row: dict, text: str | None = None, snippet: bool = False) -> list[str]:
    """What is wrong with one gold row (empty when it is well-formed)."""
    fields = SNIPPET_ROW_FIELDS if snippet else ROW_FIELDS
    problems = []
    have = {k for k in row if not k.startswith("_")}
    if missing := [f for f in fields if f not in have]:
        problems.append(f"missing fields {missing}")
    if extra := sorted(have - set(ROW_FIELDS)):
        problems.append(f"unknown fields {extra}")
    if problems:
        return problems
    ptype, mode = row["plover_type"], row["plover_mode"]
    if ptype not in PLOVER_MODES:
        problems.append(f"plover_type {ptype!r} is not one of the 16 PLOVER types")
    elif mode is not None and mode not in PLOVER_MODES[ptype]:
        problems.append(f"plover_mode {mode!r} is not a mode of {ptype}")
    if row["factuality"] not in FACTUALITY:
        problems.append(f"factuality {row['factuality']!r}")
    et, sub = row["acled_event_type"], row["acled_sub_event_type"]
    if (et is None) != (sub is None):
        problems.append("acled_event_type and acled_sub_event_type must both be set or both null")
    elif et is not None:
        if et not in ACLED_TYPES:
            problems.append(f"acled_event_type {et!r} is not an ACLED spelling")
        elif sub not in ACLED_TYPES[et]:
            problems.append(f"acled_sub_event_type {sub!r} is not a sub-event type of {et!r}")
        if row["factuality"] != "asserted":
            problems.append("non-asserted events have no ACLED type")
    for side in ("source", "target"):
        actor, sector = row[f"{side}_actor"], row[f"{side}_sector"]
        if actor is not None and (not isinstance(actor, str) or not actor.strip()):
            problems.append(f"{side}_actor must be a non-empty string or null")
        if sector is not None and sector not in SECTORS:
            problems.append(f"{side}_sector {sector!r}")
    cc = row["country_code"]
    if cc is not None and not (isinstance(cc, str) and re.fullmatch(r"[A-Z]{2}", cc)):
        problems.append(f"country_code {cc!r} is not ISO alpha-2")
    if row["date"] is not None and not (isinstance(row["date"], str) and _DATE.match(row["date"])):
        problems.append(f"date {row['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    for name in MAGNITUDES:
        problems += _check_magnitude(row[name], name)
    offs = [row[k] for k in ("sentence_start", "trigger_start", "trigger_end", "sentence_end")]
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in offs):
        problems.append("offsets must be integers")
    else:
        ss, ts, te, se = offs
        if not (0 <= ss <= ts < te <= se):
            problems.append("offsets must satisfy sentence_start <= trigger_start < trigger_end <= sentence_end")
        if text is not None and se > len(text):
            problems.append(f"sentence_end {se} is past the end of the text ({len(text)})")
        if text is not None and text[ts:te] != text[ts:te].strip():
            problems.append("trigger span starts or ends with whitespace")
    if not snippet:
        if row["split"] != split_of(row["file"]):
            problems.append(f"split {row['split']!r} breaks the hash rule (expected {split_of(row['file'])!r})")
        if not (isinstance(row["text_sha256"], str) and re.fullmatch(r"[0-9a-f]{64}", row["text_sha256"])):
            problems.append("text_sha256 is not a hex SHA-256")
    return problems


# ---- loading

def _absent_root(ref: str, shared: Path) -> bool:
    """True when the whole data folder of a REF (../shared/corpus or ../shared/eval) is missing."""
    top = ref.split("/", 1)[0]
    return not (Path(shared) / top).is_dir()


def load_events(shared: Path = DEFAULT_SHARED, gold_dir: Path = GOLD_DIR,
                snippets: Path | None = SNIPPETS) -> tuple[list[GoldDoc], list[str]]:
    """Every annotated document with its rows, and notes.  Documents whose data folder
    (``../shared/corpus``, ``../shared/eval``) is absent are skipped with a note; a missing file
    inside a present folder, an offset outside the text or a hash mismatch raises StaleGold."""
    shared = Path(shared)
    docs: list[GoldDoc] = []
    notes: list[str] = []
    for path in gold_files(gold_dir):
        by_ref: dict[str, list[dict]] = {}
        for row in read_rows(path):
            by_ref.setdefault(row["file"], []).append(row)
        skipped: dict[str, int] = {}
        for ref, rows in by_ref.items():
            if _absent_root(ref, shared):
                top = ref.split("/", 1)[0]
                skipped[top] = skipped.get(top, 0) + len(rows)
                continue
            if not ref_path(ref, shared).exists():
                raise StaleGold(f"{path.name}:{rows[0]['_line']}: {ref}: file not found under {shared}")
            article = resolve(ref, shared)
            digest = text_sha256(article.text)
            for row in rows:
                if row["text_sha256"] != digest:
                    raise StaleGold(
                        f"{path.name}:{row['_line']}: text_sha256 of {ref} no longer matches the article text "
                        f"({digest[:12]}… != {row['text_sha256'][:12]}…); the reader (or the REF's source) changed "
                        f"the text, so re-check the offsets of every {ref} row")
                if not (0 <= row["sentence_start"] <= row["trigger_start"] < row["trigger_end"]
                        <= row["sentence_end"] <= len(article.text)):
                    raise StaleGold(f"{path.name}:{row['_line']}: offsets outside the text of {ref}")
            docs.append(GoldDoc(ref, file_label(path), rows[0]["split"], article, rows))
        for top, n in sorted(skipped.items()):
            what = "seed articles" if top == "corpus" else "evaluation articles"
            notes.append(f"{path.name}: {what} not found under {shared / top}: {n} gold events skipped.")
    if snippets is not None and Path(snippets).exists():
        from sitroom.schema import Article

        for obj in read_snippets(Path(snippets)):
            text = obj["text"]
            for row in obj.get("events", []):
                if not (0 <= row["sentence_start"] <= row["trigger_start"] < row["trigger_end"]
                        <= row["sentence_end"] <= len(text)):
                    raise StaleGold(f"{Path(snippets).name}:{obj['_line']}: offsets outside the snippet text")
            article = Article(text=text, published=obj.get("published"), title=None, source=None,
                              path=f"snippets:{obj['id']}")
            docs.append(GoldDoc(f"snippets:{obj['id']}", "snippets", "held-out", article, obj.get("events", [])))
    elif snippets is not None:
        notes.append(f"{Path(snippets).name} not present: no snippet set scored.")
    return docs, notes
