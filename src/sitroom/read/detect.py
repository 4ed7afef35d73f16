"""What kind of input is this?  Extension first, then a cheap look at the bytes.

Kept separate from the readers so that ``count_inputs`` and the folder walker can decide what a
file is without decoding it, and so that binary files are refused before any decoder is asked
to make sense of them (charset detectors will happily "decode" a PNG).
"""

from __future__ import annotations

import os
import re

TEXT_EXT = {".txt", ".text", ".md"}
HTML_EXT = {".html", ".htm"}
JSONL_EXT = {".jsonl", ".ndjson"}
KNOWN_EXT = TEXT_EXT | HTML_EXT | JSONL_EXT
#: What a folder walk picks up (anything else in a folder is skipped silently).
FOLDER_EXT = KNOWN_EXT
#: File names (without extension) a folder walk skips: notes about a corpus, not articles.
NOT_ARTICLES = {"readme", "license", "licence", "changelog", "changes", "contributing", "copying", "authors"}

# Magic numbers of formats people are likely to drop into a news folder by mistake.
MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"%PDF-", "PDF document"),
    (b"\x7fELF", "ELF executable"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"MZ", "Windows executable"),
]


_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body|p|div|article|main|section|h1|title)\b")


def extension(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def in_folder_walk(name: str) -> bool:
    """Whether a folder walk reads this file: a known extension, not hidden, not a README."""
    stem, ext = os.path.splitext(name)
    return not name.startswith(".") and ext.lower() in FOLDER_EXT and stem.lower() not in NOT_ARTICLES


def magic_kind(data: bytes) -> str | None:
    """Name of the binary format ``data`` starts with, or None."""
    for magic, name in MAGIC:
        if data.startswith(magic):
            if magic == b"MZ" and len(data) > 64 and b"\x00" not in data[:64]:
                continue  # a text file that happens to start with "MZ"
            if magic == b"BZh" and not data[3:4].isdigit():
                continue
            return name
    return None


def kind_of(path: str, data: bytes | None = None) -> str:
    """"text", "html" or "jsonl": by extension, else by sniffing the first bytes."""
    ext = extension(path)
    if ext in TEXT_EXT:
        return "text"
    if ext in HTML_EXT:
        return "html"
    if ext in JSONL_EXT:
        return "jsonl"
    return sniff(data or b"")


def sniff(data: bytes) -> str:
    """"jsonl" for a stream of JSON objects with a "text" key, "html" for markup, else "text"."""
    head = data[:4096]
    start = len(head) - len(head.lstrip(b"\xef\xbb\xbf \t\r\n"))
    if data[start : start + 1] == b"{":
        end = data.find(b"\n", start)
        first = data[start : end if end >= 0 else len(data)].rstrip()
        if first.endswith(b"}") and b'"text"' in first:
            return "jsonl"  # stdin carrying JSON lines: clearly not prose
    return sniff_text(data[start : start + 2048].decode("latin-1"))


def sniff_text(text: str) -> str:
    """"html" when the input starts with markup (a doctype, <html>, or a <p>/<div> fragment);
    prose that merely mentions "<html>" further down stays text."""
    head = text[:2048].lstrip("\ufeff \t\r\n").lower()
    return "html" if head.startswith("<") and _HTML_TAG.search(head) else "text"


#: Scripts written without spaces between words: long unspaced runs in them are still prose.
_UNSPACED_SCRIPTS = re.compile(
    "[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
PROSE_SAMPLE = 100_000  # characters looked at: enough to judge, cheap on a 10 MB input
MIN_DISTINCT = 8  # any paragraph of prose in any script uses more different characters than this
MAX_WORD = 40  # longer whitespace-free tokens are blobs (base64, hex, one letter repeated), not words
MIN_WORD_SHARE = 0.05  # below this share of word characters a text is a blob with a caption


def prose_problem(text: str) -> str | None:
    """Why ``text`` is not natural-language text, or None when it may be.

    Decoding succeeds on anything, so a file of one repeated character, a hex dump or a base64 blob
    would be stored as an article, parsed as one giant token and shown as a story.  Three cheap
    tests on a sample, each true of prose in any script: it has letters; it uses more than a handful
    of different characters; and (unless it is written in a script without word spaces, like Chinese
    or Thai) at least 5% of it is words, tokens of at most 40 characters with a letter (a pasted blob
    inside an article keeps the article)."""
    sample = text[:PROSE_SAMPLE]
    if not any(c.isalpha() for c in sample):
        return "not natural-language text (no letters)"
    distinct = {c for c in sample if not c.isspace()}
    if len(sample) >= 100 and len(distinct) < MIN_DISTINCT:
        shown = "".join(sorted(distinct))
        return (f"not natural-language text ({len(text):,} characters, only {len(distinct)} "
                f"different: {shown!r})")
    if len(sample) >= 300 and len(_UNSPACED_SCRIPTS.findall(sample)) * 3 < len(sample):
        words = sum(len(t) for t in sample.split() if len(t) <= MAX_WORD and any(c.isalpha() for c in t))
        if words < MIN_WORD_SHARE * len(sample):
            return (f"not natural-language text (words are {words / len(sample):.1%} of it; the rest is "
                    f"runs of more than {MAX_WORD} characters without a space)")
    return None
