"""Readers: layout parsing, decoding repairs, bad inputs becoming Rejections, folder walking."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from sitroom.errors import InputRejected
from sitroom.read import count_inputs, read_bytes, read_paths
from sitroom.read.decode import decode
from sitroom.read.text import parse_date, parse_text
from sitroom.schema import Article, Rejection

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "seeds"

ARTICLE = """Harbour bridge reopens after repairs

Published 3 May 2023

By Ann Example

LISBON: The harbour bridge reopened on Tuesday after two years of repairs, the city said.

Traffic was light in the   first hours,\tofficials added.
Advertisement
Share this article
The Harbour Gazette
"""


def one(data: bytes | str, path: str = "a.txt") -> Article | Rejection:
    if isinstance(data, str):
        data = data.encode("utf-8")
    items = read_bytes(data, path)
    assert len(items) == 1
    return items[0]


def art(data, path="a.txt") -> Article:
    item = one(data, path)
    assert isinstance(item, Article), item
    return item


def rej(data, path="a.txt") -> Rejection:
    item = one(data, path)
    assert isinstance(item, Rejection), item
    assert "\n" not in item.reason
    return item


# --- plain-text layout ---------------------------------------------------------------------


def test_text_layout():
    a = art(ARTICLE)
    assert a.title == "Harbour bridge reopens after repairs"
    assert a.published == "2023-05-03"
    assert a.author == "Ann Example"
    assert a.dateline == "LISBON"
    assert a.source == "The Harbour Gazette"
    assert a.text == (
        "LISBON: The harbour bridge reopened on Tuesday after two years of repairs, the city said.\n\n"
        "Traffic was light in the first hours, officials added."
    )
    assert "dropped-boilerplate:Advertisement" in a.repairs
    assert "dropped-boilerplate:Share this article" in a.repairs


@pytest.mark.parametrize(
    "line, iso",
    [
        ("Published 19 October 2016", "2016-10-19"),
        ("Status: 06/28/2021 4:30 a.m.", "2021-06-28"),
        ("March 15, 2024", "2024-03-15"),
        ("Updated: March 15, 2024 10:05 GMT", "2024-03-15"),
        ("2024-03-12", "2024-03-12"),
        ("Updated: Tue 12 Mar 2024", "2024-03-12"),
    ],
)
def test_date_lines(line, iso):
    a = parse_text(f"A headline\n\n{line}\n\nThe body paragraph says something.\n")
    assert a.published == iso
    assert line not in a.text


def test_byline_with_studio_line():
    a = parse_text("Headline\n\nA lead paragraph that is long enough to be body text.\n\nFrom Jo Writer,\nXYZ studio Rome\n\nBody.\n")
    assert a.author == "Jo Writer"
    assert a.metadata["byline_extra"] == "XYZ studio Rome"
    assert a.source == "XYZ"  # the outlet of the studio line
    assert a.text == "A lead paragraph that is long enough to be body text.\n\nBody."


@pytest.mark.parametrize("extra, outlet", [("XYZ studio Rome", "XYZ"), ("Nordpost bureau in Cairo", "Nordpost"),
                                           ("AFP", "AFP"), ("Staff Writer", None), ("Baghdad", None)])
def test_outlet_of_byline_line(extra, outlet):
    a = parse_text(f"Headline\n\nBy Jo Writer\n{extra}\n\nTalks resumed in Geneva on Monday, officials said.\n")
    assert a.author == "Jo Writer" and a.source == outlet


def test_contributor_note_gives_author_and_outlet():
    body = "Sanctions have not changed the course of the war, the record of the past year shows."
    note = "Marta Kowal is a political analyst based in Warsaw, exclusively for the online magazine “Vistula Review”"
    a = parse_text(f"Who pays for the war?\n\n{body}\n\n{note}\n")
    assert (a.author, a.source) == ("Marta Kowal", "Vistula Review")
    assert a.text.endswith(note)  # the note stays in the text: offsets and quotes may point into it
    about = parse_text(f"Who pays for the war?\n\n{body}\n\nMarta Kowal is the mayor of the town.\n")
    assert (about.author, about.source) == (None, None)  # a closing sentence about someone in the story


def test_sentences_are_not_bylines_or_sources():
    a = parse_text("Headline\n\nFrom Monday, the rules change for everyone.\nBy the end of the year, prices rose.\nIt ended well.\n")
    assert a.author is None and a.source is None
    assert a.text.count("\n\n") == 2


def test_wire_dateline_and_long_first_line():
    long_line = "x " * 200
    a = parse_text(f"{long_line}\nBAGHDAD, March 9 (Wire) - Something happened.\n")
    assert a.title is None and "no-title" in a.repairs
    assert a.text.startswith("x x")
    b = parse_text("BAGHDAD, March 9 (Wire) - Something happened in the city today, police said.\nMore text.\n")
    assert b.title is None and b.dateline == "BAGHDAD"
    assert b.text.startswith("BAGHDAD, March 9")


def test_header_line_with_separators():
    a = parse_text("Headline\n\nBy Jane Doe | Example Wire | March 3, 2024\n\nBody text here.\n")
    assert (a.author, a.published, a.metadata["byline_extra"]) == ("Jane Doe", "2024-03-03", "Example Wire")
    assert a.text == "Body text here."


def test_published_preferred_over_updated():
    a = parse_text("Headline\n\nUpdated: March 4, 2024\nPublished: March 3, 2024\n\nBody text here.\n")
    assert a.published == "2024-03-03" and a.metadata["updated"] == "2024-03-04"
    assert a.text == "Body text here."


def test_labels_are_not_datelines():
    assert parse_text("Headline\n\nBREAKING: Body text here. Something.\n").dateline is None
    assert parse_text("Headline\n\nWASHINGTON (Wire) — Body text here.\n").dateline == "WASHINGTON"


def test_hard_wrapped_lines_are_joined():
    a = parse_text(
        "Headline here\n\nThe government said on Tuesday that it would\nraise taxes next year, in a move that\n"
        "surprised many analysts in the capital.\n\nA second, shorter paragraph that is also\nwrapped.\n"
    )
    assert a.text == (
        "The government said on Tuesday that it would raise taxes next year, in a move that surprised many "
        "analysts in the capital.\n\nA second, shorter paragraph that is also wrapped."
    )
    assert "joined-wrapped-lines" in a.repairs
    one_per_line = parse_text("Headline\n\nFirst paragraph ends here.\nSecond one too.\nThird.\n")
    assert one_per_line.text.count("\n\n") == 2 and "joined-wrapped-lines" not in one_per_line.repairs


def test_markdown_rules_repeated_title_and_source_label():
    a = art("# Storm hits coast\n\nStorm hits coast\n\n## Damage\n\nRoofs were torn off.\n\n* * *\n\nSource: Coastal Times\n", "a.md")
    assert a.title == "Storm hits coast" and a.source == "Coastal Times"
    assert a.text == "Damage\n\nRoofs were torn off."
    assert "dropped-repeated-title" in a.repairs and "dropped-separator" in a.repairs


def test_boilerplate_only_is_rejected():
    with pytest.raises(InputRejected) as exc:
        parse_text("Title\n\nSource link\nRead more\n")
    assert exc.value.code == "empty"
    assert rej("Title\n\nSource link\nClick here to subscribe\n").reason == "no article text after cleaning"


def test_parse_date_formats():
    assert parse_date("2024-03-12T10:00:00Z") == "2024-03-12"
    assert parse_date("12 March 2024") == "2024-03-12"
    assert parse_date("28/06/2021") == "2021-06-28"  # day-first when month-first is impossible
    assert parse_date("not a date") is None


# --- decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, reason, code",
    [
        (b"", "empty file", "empty"),
        (b"  \n\t\r\n  ", "empty file", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "binary content (PNG image)", "binary"),
        (b"PK\x03\x04\x14\x00" + b"\x00" * 32, "binary content (ZIP archive)", "binary"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 32, "binary content (ELF executable)", "binary"),
        (b"text\x00\x01\x02\x03 with \x00\x00\x00 nuls \xff", "binary content (NUL bytes)", "binary"),
        (bytes(range(128, 256)) * 4, "not valid text in any known encoding", "decode"),
    ],
)
def test_bad_bytes(data, reason, code):
    r = rej(data)
    assert (r.reason, r.code) == (reason, code)


def test_latin1_is_repaired():
    a = art("Titre\n\nLe café est très bon.\n".encode("latin-1"))
    assert a.text == "Le café est très bon."
    assert any(r.startswith("encoding:") for r in a.repairs)


def test_mojibake_fixed_and_recorded():
    a = art("Title\n\nLe cafÃ© est ouvert.\n")
    assert a.text == "Le café est ouvert."
    assert "mojibake" in a.repairs
    clean = art("Title\n\n\u201cQuoted\u201d caf\u00e9 \u2013 fine.\n")
    assert clean.text == "\u201cQuoted\u201d caf\u00e9 \u2013 fine."  # curly quotes kept
    assert clean.repairs == []


@pytest.mark.parametrize("enc", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_encodings(enc):
    a = art("Title\r\nHello wörld, a test.\r\n".encode(enc))
    assert a.title == "Title" and a.text == "Hello wörld, a test."


def test_nul_padding_is_removed_but_nul_rich_data_is_binary():
    a = art(b"Title\n\nBody text.\n" + b"\x00" * 64)
    assert a.text == "Body text." and "removed-nul-bytes" in a.repairs
    assert rej(b"Title\n\n" + b"ab\x00cd" * 50).code == "binary"


def test_mojibake_not_claimed_for_whitespace_only_changes():
    text, repairs = decode("Caf\u00e9\u00a0ok \u201cquoted\u201d.".encode())
    assert repairs == [] and text == "Caf\u00e9\u00a0ok \u201cquoted\u201d."


def test_decode_normalises():
    text, repairs = decode("Cafe\u0301\r\nbell\x07 \x1b[esc\r".encode())
    assert text == "Café\nbell [esc\n" and repairs == []


# --- HTML ----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><title>Big news | The Meridian Post</title>
<meta property="og:site_name" content="The Meridian Post"><meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-03-12T10:00:00Z">
<link rel="canonical" href="https://example.org/big-news">
<script>var tracking = "SCRIPTCODE";</script><style>.x{color:red}</style></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World NAVLINK</a></li></ul></nav>
<article><h1>Big news</h1>
<p>BRUSSELS: European ministers met on Tuesday to discuss the budget for the coming year, officials said.</p>
<p>The talks lasted for several hours and ended without an agreement on the main points of the plan.</p>
<p>Another meeting is planned for next month in Luxembourg, according to a spokesperson.</p></article>
<footer>Copyright 2024 FOOTERTEXT</footer></body></html>"""


def test_html_main_text():
    a = art(PAGE, "page.html")
    assert a.text.startswith("BRUSSELS: European ministers")
    assert a.text.count("\n\n") == 2
    for junk in ("SCRIPTCODE", "NAVLINK", "color:red", "FOOTERTEXT"):
        assert junk not in a.text
    assert (a.title, a.author, a.published, a.source) == ("Big news", "Jane Doe", "2024-03-12", "The Meridian Post")
    assert a.url == "https://example.org/big-news" and a.dateline == "BRUSSELS"


def test_html_sniffed_and_fallback():
    a = art("<!doctype html><html><head><title>T</title></head><body><p>Short para.</p></body></html>", "noext")
    assert a.text == "Short para."
    assert rej("<html><body><div></div></body></html>", "x.html").code == "empty"


def test_html_deep_nesting_does_not_crash():
    html = "<html><body>" + "<div>" * 10000 + "<p>Deep text.</p>" + "</div>" * 10000 + "</body></html>"
    a = art(html, "deep.html")  # libxml2 stops at 256 levels; the streaming fallback does not
    assert a.text == "Deep text." and "html-fallback" in a.repairs
    assert isinstance(one("<b>" * 100000, "worse.html"), (Article, Rejection))


def test_html_sniffing():
    assert art("This page mentions <html> in passing.\n\nBody text.\n", "noext").text == "Body text."
    utf16 = "<div><p>Markup sent as UTF-16 without a byte-order mark.</p></div>".encode("utf-16-le")
    a = next(read_paths(["-"], stdin=io.BytesIO(utf16)))
    assert a.text == "Markup sent as UTF-16 without a byte-order mark." and "encoding:utf-16-le" in a.repairs


# --- JSONL ---------------------------------------------------------------------------------


def test_jsonl_lines():
    lines = [
        json.dumps({"text": "BAGHDAD, March 9 (Wire) - A thing happened.", "title": "T", "published": "12 March 2024", "lang": "en"}),
        "",
        '{"text": "no closing brace"',
        json.dumps({"title": "no text"}),
        json.dumps({"text": 5}),
        json.dumps({"text": "Le cafÃ© \u0007ok.", "published": "2024-03-12T10:00:00Z"}),
        json.dumps({"text": "x", "author": ["A B", "C D"], "published": 1710237600}),
        "[1, 2]",
    ]
    items = read_bytes("\n".join(lines).encode(), "f.jsonl")
    assert [type(i).__name__ for i in items] == ["Article", "Rejection", "Rejection", "Rejection", "Article", "Article", "Rejection"]
    first, bad, missing, wrong, fixed, author, notobj = items
    assert first.path == "f.jsonl:1" and first.published == "2024-03-12" and first.dateline == "BAGHDAD"
    assert first.metadata == {"lang": "en"} and first.title == "T"
    assert bad.path == "f.jsonl:3" and bad.reason.startswith("jsonl line 3: invalid JSON (")
    assert missing.reason == "jsonl line 4: missing 'text' field"
    assert wrong.reason == "jsonl line 5: 'text' is not a string"
    assert fixed.text == "Le café ok." and "mojibake" in fixed.repairs and fixed.published == "2024-03-12"
    assert author.author == "A B, C D" and author.published is None and author.path == "f.jsonl:7"
    assert author.metadata == {"published": 1710237600} and "ignored-field:published" in author.repairs
    assert notobj.code == "malformed" and notobj.reason == "jsonl line 8: not a JSON object (list)"


def test_jsonl_limit_is_per_line(tmp_path):
    f = tmp_path / "big.jsonl"
    f.write_text(json.dumps({"text": "y" * 500}) + "\n" + json.dumps({"text": "small"}) + "\n")
    items = list(read_paths([str(f)], max_bytes=100))
    assert isinstance(items[0], Rejection) and items[0].code == "too-large" and "limit" in items[0].reason
    assert isinstance(items[1], Article) and items[1].text == "small" and items[1].path.endswith("big.jsonl:2")


# --- paths, folders, stdin -----------------------------------------------------------------


def test_stdin():
    items = list(read_paths(["-"], stdin=io.BytesIO(b"Title\n\nBody from a pipe.\n")))
    assert len(items) == 1 and items[0].path == "<stdin>" and items[0].text == "Body from a pipe."
    html = list(read_paths(["-"], stdin=io.BytesIO(PAGE.encode())))
    assert html[0].title == "Big news"


def test_folder_recursion_and_symlink_loop(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text("Title A\n\nBody A.\n")
    (tmp_path / "b" / "c.htm").write_text("<html><head><title>Title C</title></head><body><article><p>Body C is a paragraph long enough for an extractor to keep it as the main text.</p></article></body></html>")
    (tmp_path / "b" / "README.md").write_text("About these files\n\nNot an article.\n")
    (tmp_path / "b" / "notes.md").write_text("# Notes\n\nBody D.\n")
    (tmp_path / "b" / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "b" / "d.jsonl").write_text('{"text": "one"}\n\n{"text": "two"}\n')
    (tmp_path / "b" / "skip.csv").write_text("a,b\n")
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nNo.\n")
    (tmp_path / "b" / "loop").symlink_to(tmp_path, target_is_directory=True)
    items = list(read_paths([str(tmp_path)]))
    assert [i.text for i in items] == ["Body A.", "Body C is a paragraph long enough for an extractor to keep it as the main text.", "one", "two", "Body D."]
    assert items[0].path == str(tmp_path / "a.txt")
    assert items[3].path == str(tmp_path / "b" / "d.jsonl") + ":3"
    assert items[4].title == "Notes"
    assert count_inputs([str(tmp_path)]) == 5
    assert [i.text for i in read_paths([str(tmp_path)])] == [i.text for i in items]  # deterministic


def test_missing_unreadable_and_odd_names(tmp_path):
    missing = list(read_paths([str(tmp_path / "nope.txt")]))
    assert missing[0].code == "missing"
    odd = os.path.join(os.fsencode(tmp_path), b"bad\xffname\nx.txt")
    with open(odd, "wb") as fh:
        fh.write(b"Title\n\nBody.\n")
    items = list(read_paths([str(tmp_path)]))
    assert len(items) == 1 and items[0].text == "Body."
    assert items[0].path.isprintable()
    items[0].path.encode("utf-8")  # storable
    explicit = tmp_path / "named.csv"
    explicit.write_text("Title\n\nNamed explicitly.\n")
    assert next(read_paths([str(explicit)])).text == "Named explicitly."
    if os.geteuid() != 0:
        locked = tmp_path / "locked.txt"
        locked.write_text("x")
        locked.chmod(0)
        assert next(read_paths([str(locked)])).code == "unreadable"


def test_too_large(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("Title\n\n" + "word " * 100)
    r = next(read_paths([str(f)], max_bytes=50))
    assert r.code == "too-large" and str(f.stat().st_size) in r.reason.replace(",", "")
    assert read_bytes(b"x" * 100, "a.txt", max_bytes=10)[0].code == "too-large"


def test_count_inputs(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.ndjson").write_text('{"text": "1"}\n\n{"text": "2"}\n{"text": "3"}')
    assert count_inputs([str(tmp_path), "-", str(tmp_path / "missing.txt")]) == 5
    assert count_inputs([]) == 0


# --- seeds (read at run time from ../shared; never copied into the repository) -------------


def test_seeds():
    if not SEEDS.is_dir():
        pytest.skip("../shared/corpus/seeds not present")
    items = {Path(i.path).name[:3]: i for i in read_paths([str(SEEDS)])}
    assert len(items) == 5 and all(isinstance(i, Article) for i in items.values())
    assert items["000"].published == "2016-10-19"
    assert items["004"].published == "2021-06-28" and items["004"].author == "Tilmann Kleinjung"
    assert items["003"].source == "Daily Star" and items["003"].dateline
    assert "dropped-boilerplate:Source link" in items["004"].repairs
    assert "Source link" not in items["004"].text
    for a in items.values():
        assert not (a.title and a.text.startswith(a.title))
        assert "\n\n\n" not in a.text
