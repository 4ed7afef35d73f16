"""JSON Lines: one article object per line; a bad line is rejected on its own.

Known fields of the wrong type (a number for "published") are moved to metadata with the repair
"ignored-field:KEY" rather than costing the article; an "author" list is joined with ", ".  A
known field longer than ``MAX_FIELD`` characters (a whole page pasted into "title") is dropped
with the repair "dropped-long-field:KEY".  JSON nested deeper than the parser's recursion limit
is a malformed line, and any other error while reading a line costs that line only.
Streams from a binary file object so a large dump never sits in memory whole; the size limit
applies per line (a huge line is skipped without being read into memory).  Text goes through
the same normalisation (control characters, ftfy, NFC, paragraph clean-up) as the file readers,
so the same article gets the same text whichever way it arrives.
"""

from __future__ import annotations

import json
from typing import Iterator, Protocol

from ..errors import InputRejected
from ..schema import Article, Rejection
from .decode import decode, normalise
from .dates import parse_date
from .text import body_text, collapse, dateline, drop_boilerplate, paragraphs_of

FIELDS = ("title", "url", "published", "source", "author")
MAX_FIELD = 2000  # characters; longer than any real title, byline, outlet name or URL


class LineReader(Protocol):
    def readline(self, limit: int = -1, /) -> bytes: ...


def iter_jsonl(stream: LineReader, path: str, max_bytes: int) -> Iterator[Article | Rejection]:
    lineno = 0
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        lineno += 1
        where = f"{path}:{lineno}"
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            size = len(raw) + _skip_line(stream)
            yield Rejection(where, f"jsonl line {lineno}: too large ({size:,} bytes > limit {max_bytes:,})", "too-large")
            continue
        if lineno == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        try:
            yield parse_line(raw, where)
        except InputRejected as exc:
            yield Rejection(where, f"jsonl line {lineno}: {exc.reason}", exc.code)
        except Exception as exc:  # a reader bug costs this line, not the rest of the file
            reason = " ".join(f"jsonl line {lineno}: reader error: {type(exc).__name__}: {exc}".split())[:300]
            yield Rejection(where, reason, "error")


def parse_line(raw: bytes, path: str) -> Article:
    decoded: list[str] = []
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        line, decoded = decode(raw)  # not UTF-8 as JSON requires: guess, and say so
    try:
        obj = json.loads(line.rstrip("\r\n"))  # a cut-off line: "unterminated string", not "control character"
    except ValueError as exc:
        msg = getattr(exc, "msg", str(exc))
        raise InputRejected(f"invalid JSON ({msg})", "malformed") from None
    except RecursionError:
        raise InputRejected("invalid JSON (nested too deeply)", "malformed") from None
    if not isinstance(obj, dict):
        raise InputRejected(f"not a JSON object ({type(obj).__name__})", "malformed")
    if "text" not in obj:
        raise InputRejected("missing 'text' field", "malformed")
    if not isinstance(obj["text"], str):
        raise InputRejected("'text' is not a string", "malformed")
    text, fixed = normalise(obj.pop("text"))
    repairs = decoded + (["mojibake"] if fixed else [])
    lines, dropped = drop_boilerplate([collapse(x) for x in text.split("\n")])
    body, joined = paragraphs_of(lines)
    if joined:
        repairs.append("joined-wrapped-lines")
    if not body:
        raise InputRejected("empty 'text'", "empty")
    fields = {}
    for key in FIELDS:
        value = obj.pop(key, None)
        if key == "author" and isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            value = ", ".join(value)  # "author": ["A", "B"] is common in dumps
        if value is not None and not isinstance(value, str):
            obj[key] = value  # an odd type costs the field, not the article: kept in metadata
            repairs.append(f"ignored-field:{key}")
            value = None
        elif value is not None and len(value) > MAX_FIELD:
            repairs.append(f"dropped-long-field:{key}")
            value = None
        fields[key] = _field(value)
    raw_date = fields["published"]
    if raw_date:
        fields["published"] = parse_date(raw_date)
        if fields["published"] is None:
            obj["published_raw"] = raw_date
            repairs.append("unparsed-date")
    return Article(
        text=body_text(body, repairs), path=path, dateline=dateline(body[0]), metadata=obj,
        repairs=repairs + dropped, **fields,
    )


def _field(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(normalise(value)[0].split())
    return value or None


def _skip_line(stream: LineReader) -> int:
    skipped = 0
    while chunk := stream.readline(1 << 20):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped
