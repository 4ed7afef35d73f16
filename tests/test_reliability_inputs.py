"""Bad inputs through the real CLI (issue 8, item 1): ingest goes on, every bad input is
repaired (the repair recorded) or rejected with a one-line reason, exit code 1, and no partial
document is stored.

Every input is generated here (no binaries in the repository).  ``CASES`` is the table of
docs/reliability.md: ``python tests/test_reliability_inputs.py`` ingests the folder and prints
that table from what the CLI did.  ``SITROOM_FUZZ=1`` (``make fuzz``) makes the single-line file
1 MB of prose; by default it is shorter so ``make test`` stays fast (the spaCy parse of 1 MB of
prose takes about half a minute; the reader's part is checked at 1 MB in every run).
"""

from __future__ import annotations

import base64
import io
import json
import os
import random
import signal
import sys
import tracemalloc
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
from typer.testing import CliRunner

from sitroom.cli import app
from sitroom.pipeline import analyse, build_nlp
from sitroom.read import printable, read_bytes, read_paths
from sitroom.schema import Article
from sitroom.settings import Config
from sitroom.store.database import Store
from sitroom.store.migrations import FACT_TABLES

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import EXAMPLES  # noqa: E402

FULL = os.environ.get("SITROOM_FUZZ") == "1"
ONE_LINE_BYTES = 1_000_000 if FULL else 20_000
HUGE_BYTES = 50 * 1024 * 1024
GOOD = EXAMPLES / "txt" / "2024-03-12_meridian-post_maassen-warning.txt"
GOOD_TITLE = "EU fears return of foreign fighters as ISIS ranks scatter in Syria"
#: Strings that appear only inside <script>/<iframe>/<style>: they must never reach a document.
HIDDEN = ("SCRIPTMARK", "IFRAMEMARK", "STYLEMARK")
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0

runner = CliRunner()


def prose(n: int, seed: int = 0) -> str:
    """``n`` characters of varied news prose on one line (sentences with names, numbers, quotes)."""
    rng = random.Random(seed)
    people = ["Ingrid Maassen", "Nawfal al-Zubaidi", "Hans Bonte", "Julian King", "Amira Haddad"]
    places = ["Brussels", "Baghdad", "al-Qaim", "Mechelen", "Deir al-Zour", "Hajin"]
    out, size = [], 0
    while size < n:
        p, q = rng.choice(people), rng.choice(places)
        s = rng.choice([
            f"{p} said on Tuesday that {rng.randint(2, 9000):,} fighters had crossed near {q}.",
            f'"We will not accept this," {p} told reporters in {q} on {rng.randint(1, 28)} March 2024.',
            f"About {rng.randint(2, 90)} percent of the {rng.randint(100, 999)} families in {q} left last week.",
            f"Officials in {q} expect talks to resume next month, according to {p}.",
        ])
        out.append(s)
        size += len(s) + 1
    return " ".join(out)[:n]


def article(title: str, body: str) -> str:
    return f"{title}\n\nPublished 14 March 2024\n\n{body}\n"


def rand_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("story.txt", article("Zipped story", prose(2000, 7)))
    return buf.getvalue()


HTML_SCRIPTS = (
    "<!doctype html><html><head><title>Border crossings rise</title>"
    "<style>.STYLEMARK{color:red}</style><script>var x = 'SCRIPTMARK';</script></head><body>"
    "<iframe src='https://ads.example/'>IFRAMEMARK</iframe><article><h1>Border crossings rise</h1>"
    f"<p>{prose(600, 11)}</p><script>document.write('SCRIPTMARK')</script><p>{prose(600, 12)}</p>"
    "</article></body></html>"
)
HTML_DEEP = (
    "<html><head><title>Deep page</title></head><body>" + "<div>" * 10_000
    + f"<p>{prose(400, 13)}</p><script>SCRIPTMARK()</script><iframe>IFRAMEMARK</iframe>"
    + "</div>" * 10_000 + "</body></html>"
)


def jsonl_feed() -> bytes:
    """One JSON Lines file holding the JSONL cases, one per line (comments: expected outcome)."""
    lines = [
        json.dumps({"title": "Wire: talks resume", "text": prose(900, 21)}),  # 1 stored
        '{"title": "cut off", "text": "unterminated',  # 2 malformed
        json.dumps({"title": "no text here"}),  # 3 missing text
        json.dumps({"text": 42}),  # 4 wrong type
        json.dumps({"text": ["a", "list"]}),  # 5 wrong type
        json.dumps({"text": prose(700, 22), "title": 7, "published": [2024]}),  # 6 repaired
        json.dumps({"text": prose(700, 23), "title": "T" * 1_000_000}),  # 7 1 MB title dropped
        json.dumps({"text": prose(700, 24), "raw_html": "<p>" * 333_334}),  # 8 1 MB extra field kept
        "[" * 100_000 + "]" * 100_000,  # 9 nested too deeply
        "null",  # 10 not an object
        json.dumps({"text": "   \n  "}),  # 11 empty text
    ]
    raw = "\n".join(lines).encode("utf-8") + b"\n"
    cp1252 = json.dumps({"text": "Caf\u00e9 owners in Li\u00e8ge said " + prose(500, 25)}, ensure_ascii=False)
    return raw + cp1252.encode("cp1252") + b"\n"  # 12 not UTF-8: decoded, recorded


def mojibake() -> bytes:
    """Double-encoded: UTF-8 read as cp1252 and saved as UTF-8, twice."""
    text = article("Caf\u00e9 owners in Li\u00e8ge protest", "The caf\u00e9 owners of Li\u00e8ge and G\u00f6ttingen "
                   "marched on Monday, the organisers said. " + prose(400, 31))
    for _ in range(2):
        text = text.encode("utf-8").decode("cp1252", "replace")
    return text.encode("utf-8")


def invalid_utf8() -> bytes:
    body = "Caf\u00e9 owners in Li\u00e8ge and \u00abna\u00efve\u00bb d\u00e9j\u00e0-vu. " + prose(400, 41)
    data = article("Caf\u00e9s reopen in Li\u00e8ge", body).encode("utf-8")
    return data[:200] + b"\xff\xfe" + data[200:300] + b"\xc3\x28" + data[300:]


@dataclass(frozen=True)
class Case:
    """One bad input: its file name (bytes: some are not UTF-8), how to make it, and what the
    ingest must do with it: "stored" (``detail`` is a repair that must be recorded, or ""),
    "rejected" (``detail`` is the code) or "skipped" (not an article file; nothing recorded)."""

    name: bytes
    what: str
    make: Callable[[bytes], None]
    outcome: str
    detail: str = ""


def write(data: bytes | Callable[[], bytes]) -> Callable[[bytes], None]:
    def make(path: bytes) -> None:
        with open(path, "wb") as fh:
            fh.write(data() if callable(data) else data)
    return make


def write_huge(path: bytes) -> None:
    line = (prose(4096, 51) + "\n").encode()
    with open(path, "wb") as fh:
        for _ in range(HUGE_BYTES // len(line)):
            fh.write(line)
        fh.write(b"x" * (HUGE_BYTES % len(line)))


def locked(path: bytes) -> None:
    write(article("Locked file", prose(500, 61)).encode())(path)
    os.chmod(path, 0)


def fifo(path: bytes) -> None:
    os.mkfifo(path)


def symlink(target: str) -> Callable[[bytes], None]:
    return lambda path: os.symlink(target, path)


CASES: list[Case] = [
    Case(b"good.txt", "a good article (copy of an example)", write(lambda: GOOD.read_bytes()), "stored"),
    Case(b"empty.txt", "empty file", write(b""), "rejected", "empty"),
    Case(b"whitespace.txt", "whitespace only (spaces, tabs, CR LF, NBSP)",
         write(" \n\t  \r\n\u00a0 \n".encode()), "rejected", "empty"),
    Case(b"png.txt", "PNG image named .txt", write(lambda: b"\x89PNG\r\n\x1a\n" + rand_bytes(4000, 1)),
         "rejected", "binary"),
    Case(b"zip.md", "ZIP archive named .md", write(zip_bytes), "rejected", "binary"),
    Case(b"elf.html", "ELF executable named .html",
         write(lambda: b"\x7fELF\x02\x01\x01\x00" + rand_bytes(4000, 2)), "rejected", "binary"),
    Case(b"photo.png", "PNG image with its own extension", write(lambda: b"\x89PNG\r\n\x1a\n" + rand_bytes(400, 3)),
         "skipped", "not an article extension: the folder walk leaves it (named explicitly, it is rejected)"),
    Case(b"huge.txt", "50 MB text file (limit 10 MB)", write_huge, "rejected", "too-large"),
    Case(b"one-line.txt", f"single line of prose, {ONE_LINE_BYTES:,} bytes",
         write(lambda: prose(ONE_LINE_BYTES, 71).encode()), "stored", "no-title"),
    Case(b"invalid-utf8.txt", "UTF-8 with stray invalid bytes", write(invalid_utf8), "stored",
         "replaced-invalid-utf-8"),
    Case(b"undecodable.txt", "bytes that are no text encoding", write(bytes(range(128, 256)) * 8), "rejected",
         "decode"),
    Case(b"utf16-bom.txt", "UTF-16 with BOM", write(article("UTF-16 report", prose(500, 81)).encode("utf-16")),
         "stored", "encoding:utf-16"),
    Case(b"utf16-cut.txt", "UTF-16 with BOM, cut off in the last character",
         write(article("Cut-off report", prose(500, 84)).encode("utf-16") + b"\x41"), "stored",
         "replaced-invalid-utf-16-le"),
    Case(b"utf16le-nobom.txt", "UTF-16-LE without BOM",
         write(article("UTF-16 LE report", prose(500, 82)).encode("utf-16-le")), "stored", "encoding:utf-16-le"),
    Case(b"utf16be-nobom.txt", "UTF-16-BE without BOM",
         write(article("UTF-16 BE report", prose(500, 83)).encode("utf-16-be")), "stored", "encoding:utf-16-be"),
    Case(b"latin1.txt", "Latin-1 (cp1252) text",
         write(article("Caf\u00e9 owners in Li\u00e8ge", "The caf\u00e9 in Li\u00e8ge closed early. "
                       + prose(300, 91)).encode("latin-1")), "stored", "encoding:cp1252"),
    Case(b"mojibake.txt", "double-encoded mojibake (UTF-8 as cp1252, twice)", write(mojibake), "stored",
         "mojibake"),
    Case(b"scripts.html", "HTML with <script>, <style> and <iframe>", write(HTML_SCRIPTS.encode()), "stored"),
    Case(b"deep.html", "HTML nested 10,000 <div>s deep (script and iframe inside)", write(HTML_DEEP.encode()),
         "stored", "html-fallback"),
    Case(b"feed.jsonl", "JSONL: bad lines (see the JSONL rows)", write(jsonl_feed), "stored"),
    Case(b"locked.txt", "unreadable file (chmod 000)", locked, "stored" if ROOT_USER else "rejected",
         "" if ROOT_USER else "unreadable"),
    Case(b"fifo.txt", "named pipe in the folder", fifo, "rejected", "unreadable"),
    Case(b"loop", "symlink loop: a folder linking to itself", symlink("."), "skipped",
         "the folder is walked once: its files are not read twice"),
    Case(b"self.txt", "symlink loop: a file linking to itself", symlink("self.txt"), "rejected", "unreadable"),
    Case(b"dangling.txt", "symlink to a missing file", symlink("nowhere.txt"), "rejected", "missing"),
    Case(b"one-char.txt", "2 MB of one character, no spaces", write(b"x" * 2_000_000), "rejected", "not-text"),
    Case(b"hexdump.txt", "a hex dump (40,000 characters, no spaces, no words)",
         write(lambda: rand_bytes(20_000, 5).hex().encode()), "rejected", "not-text"),
    Case(b"digits.txt", "numbers only, no letters", write(b"1024 2048 4096\n" * 200), "rejected", "not-text"),
    Case(b"quote-run.txt", "1,000 quote marks in one run (spaCy's tokenizer is quadratic on such runs)",
         write(article("Quote marks", prose(300, 141) + " " + '"' * 1000 + " " + prose(300, 142)).encode()),
         "stored", "split-punctuation-run"),
    Case(b"ogham.txt", "header line with 100,000 Ogham space marks (exotic whitespace)",
         write(("Exotic spaces\n\nBy Jane Doe" + "\u1680" * 100_000 + "x\n\n" + prose(400, 143) + "\n").encode()),
         "stored"),
    Case(b"new\nline.txt", "file name with a newline", write(article("Newline name", prose(500, 101)).encode()),
         "stored"),
    Case(b"bad\xffname.txt", "file name with a non-UTF-8 byte",
         write(article("Odd name", prose(500, 102)).encode()), "stored"),
    Case(b"bad\xffname\nempty.txt", "non-UTF-8 byte and newline in the name of an empty file", write(b""),
         "rejected", "empty"),
]

#: Expected outcome of each line of feed.jsonl: ("stored", repair) or ("rejected", code).
JSONL_LINES = {
    1: ("stored", ""), 2: ("rejected", "malformed"), 3: ("rejected", "malformed"), 4: ("rejected", "malformed"),
    5: ("rejected", "malformed"), 6: ("stored", "ignored-field:title"), 7: ("stored", "dropped-long-field:title"),
    8: ("stored", ""), 9: ("rejected", "malformed"), 10: ("rejected", "malformed"), 11: ("rejected", "empty"),
    12: ("stored", "encoding:cp1252"),
}
JSONL_WHAT = {
    1: "a good line", 2: "malformed JSON (cut off)", 3: "missing 'text'", 4: "'text' is a number",
    5: "'text' is a list", 6: "'title' a number, 'published' a list", 7: "1 MB 'title'",
    8: "1 MB extra field ('raw_html')", 9: "JSON nested 100,000 deep", 10: "'null' (not an object)",
    11: "'text' only whitespace", 12: "line in cp1252, not UTF-8",
}


def build_folder(root: Path) -> bytes:
    """Write every case into ``root/in`` (bytes paths: some names are not UTF-8)."""
    folder = os.path.join(os.fsencode(root), b"in")
    os.mkdir(folder)
    for case in CASES:
        case.make(os.path.join(folder, case.name))
    return folder


def shown(folder: bytes, name: bytes) -> str:
    """The path as sitroom stores and prints it."""
    return printable(os.fsdecode(os.path.join(folder, name)))


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "3000"})


@contextmanager
def hang_guard(seconds: int) -> Iterator[None]:
    """Fail (rather than hang the suite) when a step takes far longer than it ever should; the
    bound is generous, so this is a guard against unbounded work, not a timing assertion."""
    def expire(signum, frame):
        raise TimeoutError(f"no result after {seconds} s")
    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> dict:
    return ingest_all(tmp_path_factory.mktemp("bad-inputs"))


def ingest_all(root: Path) -> dict:
    """ONE ingest of a folder holding every case, through the CLI, and what it stored."""
    folder = build_folder(root)
    db = str(root / "bad.duckdb")
    with hang_guard(600):
        result = invoke("ingest", os.fsdecode(folder), "--db", db, "--batch-size", "4")
        listing = invoke("rejections", "--db", db)
    with Store(db, read_only=True) as store:
        docs = store.query("SELECT * FROM documents")
        paths = store.query("SELECT document_id, path FROM document_paths")
        rejections = store.query("SELECT path, code, reason FROM rejections")
        counts = {t: {r["document_id"]: r["n"] for r in store.query(
            f"SELECT document_id, count(*) AS n FROM {t} GROUP BY ALL")} for t in FACT_TABLES}
        orphans = {t: store.query(f"SELECT count(*) AS n FROM {t} WHERE document_id NOT IN "
                                  "(SELECT id FROM documents)")[0]["n"] for t in FACT_TABLES}
    by_path = {p["path"]: d for p in paths for d in docs if d["id"] == p["document_id"]}
    return {"folder": folder, "db": db, "result": result, "listing": listing, "docs": docs, "by_path": by_path,
            "rejections": {r["path"]: r for r in rejections}, "counts": counts, "orphans": orphans}


def test_ingest_goes_on_and_exit_code_is_1(ingested):
    result = ingested["result"]
    assert result.exit_code == 1, result.output
    good = ingested["by_path"][shown(ingested["folder"], b"good.txt")]
    assert good["title"] == GOOD_TITLE
    rejected = len(ingested["rejections"])
    assert f"{rejected} rejected" in result.stdout
    for path, r in ingested["rejections"].items():
        assert f"rejected: {path}: {r['reason']}" in result.output  # the CLI names each one


@pytest.mark.parametrize("case", [c for c in CASES if c.name != b"feed.jsonl"],  # per line: test_jsonl_lines
                         ids=lambda c: printable(os.fsdecode(c.name)))
def test_each_case(ingested, case):
    path = shown(ingested["folder"], case.name)
    rejection = ingested["rejections"].get(path)
    doc = ingested["by_path"].get(path)
    if case.outcome == "stored":
        assert rejection is None, rejection
        assert doc is not None, f"{path} not stored"
        if case.detail:
            assert any(r.startswith(case.detail) for r in json.loads(doc["repairs"])), doc["repairs"]
    elif case.outcome == "rejected":
        assert doc is None
        assert rejection is not None, f"{path} not rejected"
        assert rejection["code"] == case.detail, rejection
    else:
        assert doc is None and rejection is None
        assert not any(p.startswith(path) for p in [*ingested["rejections"], *ingested["by_path"]])


def test_jsonl_lines(ingested):
    base = shown(ingested["folder"], b"feed.jsonl")
    for n, (outcome, detail) in JSONL_LINES.items():
        where = f"{base}:{n}"
        if outcome == "stored":
            doc = ingested["by_path"][where]
            assert not detail or detail in json.loads(doc["repairs"]), (n, doc["repairs"])
        else:
            assert ingested["rejections"][where]["code"] == detail, n
    long_title = ingested["by_path"][f"{base}:7"]
    assert long_title["title"] is None
    assert len(json.loads(ingested["by_path"][f"{base}:8"]["metadata"])["raw_html"]) == 1_000_002


def test_reasons_are_one_line_and_listed(ingested):
    listing = ingested["listing"]
    assert listing.exit_code == 0
    for path, r in ingested["rejections"].items():
        assert r["reason"] and "\n" not in r["reason"] and len(r["reason"]) <= 300
        assert path.isprintable() and "\n" not in path
        assert path in listing.stdout and r["reason"] in listing.stdout
    huge = ingested["rejections"][shown(ingested["folder"], b"huge.txt")]
    assert huge["reason"] == f"file too large ({HUGE_BYTES:,} bytes > limit 10,000,000)"


def test_repairs_give_clean_text(ingested):
    docs = ingested["by_path"]
    folder = ingested["folder"]
    for name in (b"mojibake.txt", b"latin1.txt", b"invalid-utf8.txt"):
        text = docs[shown(folder, name)]["text"]
        assert "caf\u00e9" in text.lower() and "Li\u00e8ge" in text, name
        assert "\u00c3" not in text, name  # no mojibake left
    assert docs[shown(folder, b"mojibake.txt")]["title"] == "Caf\u00e9 owners in Li\u00e8ge protest"
    for name in (b"utf16-bom.txt", b"utf16le-nobom.txt", b"utf16be-nobom.txt"):
        assert "\x00" not in docs[shown(folder, name)]["text"]
    for d in ingested["docs"]:
        assert not any(marker in d["text"] for marker in HIDDEN), d["title"]
    assert docs[shown(folder, b"one-line.txt")]["text"].count("\n") == 0


def test_no_partial_document(ingested):
    """Every stored document has its text and exactly the facts a fresh analysis of that text
    gives, and no fact points at a document that is not stored."""
    assert ingested["orphans"] == {t: 0 for t in FACT_TABLES}
    cfg = Config.load()
    docs = ingested["docs"]
    for d in docs:
        assert d["text"].strip() and d["word_count"] == len(d["text"].split())
    articles = [Article(text=d["text"], published=d["published"], source=d["source"], url=d["url"])
                for d in docs]
    fresh = {f.doc_id: f for f in analyse(build_nlp(cfg), articles, cfg)}
    assert set(fresh) == {d["id"] for d in docs}
    for doc_id, f in fresh.items():
        want = {"mentions": len(f.mentions), "entity_roles": len(f.roles), "dates": len(f.dates),
                "quotes": len(f.quotes), "figures": len(f.figures), "place_mentions": len(f.places),
                "demonyms": len(f.demonyms)}
        got = {t: ingested["counts"][t].get(doc_id, 0) for t in want}
        assert got == want, doc_id
    good = next(f for f in fresh.values() if f.article.text.startswith("BRUSSELS: The European Union"))
    assert good.mentions and good.quotes and good.figures and good.dates  # the good article has facts


# --- targeted single-file checks ---------------------------------------------------------------


def test_binary_files_named_explicitly(tmp_path):
    """Files named on the command line are tried whatever their extension: binary ones are
    rejected by their magic number."""
    files = {"photo.png": b"\x89PNG\r\n\x1a\n" + rand_bytes(2000, 4), "archive.zip": zip_bytes(),
             "program": b"\x7fELF\x02\x01\x01\x00" + rand_bytes(2000, 5)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    db = str(tmp_path / "x.duckdb")
    result = invoke("ingest", *(str(tmp_path / n) for n in files), "--db", db, "-q")
    assert result.exit_code == 1
    with Store(db, read_only=True) as store:
        rows = {Path(r["path"]).name: r for r in store.query("SELECT * FROM rejections")}
        assert store.query("SELECT count(*) AS n FROM documents")[0]["n"] == 0
    assert {n: r["reason"] for n, r in rows.items()} == {
        "photo.png": "binary content (PNG image)", "archive.zip": "binary content (ZIP archive)",
        "program": "binary content (ELF executable)"}


def test_huge_file_is_never_read(tmp_path):
    """The 50 MB file is refused from its size: memory stays far below the file's size, and
    the same holds for a 50 MB single JSONL line (skipped in chunks) and for stdin."""
    huge = tmp_path / "huge.txt"
    write_huge(os.fsencode(huge))
    line = tmp_path / "huge.jsonl"
    with open(line, "wb") as fh:
        fh.write(b'{"text": "')
        for _ in range(50):
            fh.write(b"y" * (1 << 20))
        fh.write(b'"}\n{"text": "small line after the huge one"}\n')
    tracemalloc.start()
    try:
        items = list(read_paths([str(huge), str(line)]))
        with open(huge, "rb") as fh:
            items += list(read_paths(["-"], stdin=fh))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [type(i).__name__ for i in items] == ["Rejection", "Rejection", "Article", "Rejection"]
    assert [getattr(i, "code", None) for i in items] == ["too-large", "too-large", None, "too-large"]
    assert items[1].reason == f"jsonl line 1: too large ({50 * (1 << 20) + 13:,} bytes > limit 10,000,000)"
    assert items[3].reason.startswith("file too large (at least 10,000,001 bytes")
    assert peak < 3 * 10_000_000  # at most a limit's worth per copy, never the 50 MB


def test_one_megabyte_single_line_reader():
    """1 MB of prose on one line: accepted as one paragraph (the reader's line regexes run on
    it), with the size recorded intact."""
    text = prose(1_000_000, 111)
    with hang_guard(120):
        items = read_bytes(text.encode(), "line.txt")
    assert len(items) == 1 and isinstance(items[0], Article)
    assert items[0].text == text and "no-title" in items[0].repairs


@pytest.mark.skipif(ROOT_USER, reason="running as root: chmod 000 does not block reads, so the file is read")
def test_unreadable_file_via_cli(tmp_path):
    f = tmp_path / "locked.txt"
    locked(os.fsencode(f))
    db = str(tmp_path / "x.duckdb")
    result = invoke("ingest", str(f), "--db", db, "-q")
    assert result.exit_code == 1 and "permission denied" in result.output


def test_symlink_loops_end(tmp_path):
    """A folder linking to itself is walked once; files linking to each other are rejected."""
    (tmp_path / "a.txt").write_text(article("Only article", prose(300, 121)))
    os.symlink(".", tmp_path / "again")
    os.symlink("y.txt", tmp_path / "x.txt")
    os.symlink("x.txt", tmp_path / "y.txt")
    with hang_guard(60):
        items = list(read_paths([str(tmp_path)]))
    assert [type(i).__name__ for i in items] == ["Article", "Rejection", "Rejection"]
    assert {i.reason for i in items[1:]} == {"symlink loop (too many levels of symbolic links)"}


def test_utf16_jsonl_is_streamed(tmp_path):
    """A UTF-16 JSONL dump is re-encoded line by line; a bad line costs only itself."""
    f = tmp_path / "dump.jsonl"
    lines = [json.dumps({"text": "First line of the dump."}), "{broken", json.dumps({"text": "Third line."})]
    f.write_bytes("\n".join(lines).encode("utf-16"))
    items = list(read_paths([str(f)]))
    assert [getattr(i, "text", None) for i in items] == ["First line of the dump.", None, "Third line."]
    assert items[1].code == "malformed" and items[2].path.endswith("dump.jsonl:3")


def test_reader_error_costs_one_file(tmp_path, monkeypatch):
    """Whatever a reader raises, the ingest goes on with the next file."""
    import sitroom.read as read

    (tmp_path / "a.txt").write_text(article("First", prose(300, 131)))
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "A line."}) + "\n")
    (tmp_path / "c.txt").write_text(article("Third", prose(300, 132)))
    real = read.iter_jsonl

    def broken(stream, path, max_bytes):
        yield from real(stream, path, max_bytes)
        raise MemoryError("simulated")

    monkeypatch.setattr(read, "iter_jsonl", broken)
    items = list(read_paths([str(tmp_path)]))
    assert [type(i).__name__ for i in items] == ["Article", "Article", "Rejection", "Article"]
    assert items[2].code == "error" and items[2].reason == "reader error: MemoryError: simulated"


def test_stdin_binary_and_base64_blob():
    """Binary data piped in is rejected; a long base64 blob inside an article is kept as text, but
    a blob with only a caption is not an article."""
    png = list(read_paths(["-"], stdin=io.BytesIO(b"\x89PNG\r\n\x1a\n" + rand_bytes(100, 6))))
    assert [(r.code, r.reason) for r in png] == [("binary", "binary content (PNG image)")]
    blob = base64.b64encode(rand_bytes(30_000, 7)).decode()
    body = f"{prose(1500, 8)} An image was pasted: {blob} and text goes on. {prose(1500, 9)}"
    a = read_bytes(article("Blob", body).encode(), "b.txt")[0]
    assert isinstance(a, Article) and blob in a.text
    bare = read_bytes(article("Blob", f"An image was pasted: {blob} and text goes on.").encode(), "c.txt")[0]
    assert bare.code == "not-text" and "without a space" in bare.reason


def test_text_in_scripts_without_word_spaces_is_prose():
    """Chinese and Thai are written without spaces between words: no "not-text" rejection."""
    zh = "外交部发言人周二表示，双方将于下月在北京举行新一轮会谈，讨论边境安全与难民问题。" * 40
    th = "โฆษกกระทรวงการต่างประเทศกล่าวเมื่อวันอังคารว่าทั้งสองฝ่ายจะพบกันที่กรุงเทพฯในเดือนหน้า" * 40
    for name, body in (("zh.txt", zh), ("th.txt", th)):
        assert isinstance(read_bytes(article("Talks", body).encode(), name)[0], Article), name


def outcome_rows(data: dict) -> list[tuple[str, str, str]]:
    """(input, outcome, code or repairs: reason) per case, from an ingest's results."""
    rows = []
    for case in CASES:
        path = shown(data["folder"], case.name)
        if case.name == b"feed.jsonl":
            for n, what in JSONL_WHAT.items():
                rows.append((f"JSONL: {what}", *_outcome(data, f"{path}:{n}", "")))
            continue
        rows.append((case.what, *_outcome(data, path, case.detail)))
    return rows


def _outcome(data: dict, path: str, note: str) -> tuple[str, str]:
    if path in data["rejections"]:
        r = data["rejections"][path]
        return "rejected", f"`{r['code']}`: {r['reason']}"
    if path in data["by_path"]:
        repairs = [r for r in json.loads(data["by_path"][path]["repairs"]) if not r.startswith("dropped-boilerplate")]
        return "stored", ", ".join(f"`{r}`" for r in repairs) or "(no repair)"
    return "skipped", note


if __name__ == "__main__":  # prints the table of docs/reliability.md
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        results = ingest_all(Path(tmp))
        print("| input | outcome | code: reason / repairs recorded |\n| --- | --- | --- |")
        for what, outcome, detail in outcome_rows(results):
            print(f"| {what} | {outcome} | {detail} |")
