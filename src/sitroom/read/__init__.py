"""Readers: paths, folders, stdin -> a stream of ``Article`` or ``Rejection``.

Nothing here raises for a bad input: every problem becomes a one-line ``Rejection`` so a batch
ingest of thousands of files reports the bad ones and keeps going.  Folder walks are sorted
(deterministic ingest order), take only known extensions (.txt .text .md .html .htm .jsonl
.ndjson; no hidden files, no README/LICENSE notes) and track visited directories by (device,
inode) so symlink loops end (a file symlink that loops is rejected as such).  A file named
explicitly is always tried, whatever its extension.  A reader bug costs one input, never the
ingest: ``read_paths`` turns any exception while reading a file into a Rejection (code "error").
Paths are kept as ``str`` (undecodable bytes survive as surrogate escapes, which is what
``os.fsdecode`` gives and what ``open`` accepts); only the copy stored in Article/Rejection is
made printable.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
from typing import BinaryIO, Iterator

from ..errors import InputRejected
from ..schema import Article, Rejection
from .decode import BOMS, decode
from .detect import JSONL_EXT, KNOWN_EXT, extension, in_folder_walk, kind_of, sniff_text
from .html import parse_html
from .jsonl import LineReader, iter_jsonl
from .text import parse_text

__all__ = ["read_paths", "read_bytes", "count_inputs", "printable"]

STDIN = "<stdin>"


def read_paths(
    paths: list[str], *, max_bytes: int = 10_000_000, stdin: BinaryIO | None = None
) -> Iterator[Article | Rejection]:
    """Yield one item per article (per line for JSONL) found under ``paths``, in order."""
    for given in paths:
        given = os.fsdecode(given)
        if given == "-":
            yield from _read_stdin(stdin, max_bytes)
            continue
        for path, error in _walk(given):
            if error:
                yield error
                continue
            try:
                yield from _read_file(path, max_bytes)
            except Exception as exc:  # a reader bug must not stop the whole ingest
                yield Rejection(printable(path), _one_line(f"reader error: {type(exc).__name__}: {exc}"), "error")


def read_bytes(data: bytes, path: str, *, max_bytes: int = 10_000_000) -> list[Article | Rejection]:
    """Read one input already in memory; dispatch by extension, else by sniffing."""
    shown = printable(path)
    try:
        kind = kind_of(path, data)
        if kind == "jsonl":
            return list(iter_jsonl(_jsonl_stream(io.BytesIO(data)), shown, max_bytes))
        if len(data) > max_bytes:
            return [_too_large(shown, len(data), max_bytes)]
        text, repairs = decode(data)
        if extension(path) not in KNOWN_EXT:
            kind = sniff_text(text)  # again after decoding: UTF-16 markup does not sniff as bytes
        article = parse_html(text, shown) if kind == "html" else parse_text(text, shown)
        article.repairs = repairs + article.repairs
        return [article]
    except InputRejected as exc:
        return [Rejection(shown, _one_line(exc.reason), exc.code)]
    except Exception as exc:  # a reader bug must not stop the whole ingest
        return [Rejection(shown, _one_line(f"reader error: {type(exc).__name__}: {exc}"), "error")]


def count_inputs(paths: list[str]) -> int:
    """Cheap estimate of how many items ``read_paths`` yields (for a progress bar); never raises."""
    total = 0
    try:
        for given in paths:
            given = os.fsdecode(given)
            if given == "-":
                continue
            for path, error in _walk(given):
                total += _count_file(path) if not error and extension(path) in JSONL_EXT else 1
    except Exception:
        pass
    return total


def printable(path: str) -> str:
    """A path safe to print and store: undecodable bytes and control characters escaped."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace") if isinstance(path, str) else os.fsdecode(path)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _walk(path: str) -> Iterator[tuple[str, Rejection | None]]:
    """(file path, None) for each file to read, or (path, Rejection) for what cannot be listed."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        kind = "broken symlink" if os.path.islink(path) else "no such file or directory"
        yield path, Rejection(printable(path), kind, "missing")
        return
    except OSError as exc:
        yield path, Rejection(printable(path), _os_reason(exc), "unreadable")
        return
    if not stat.S_ISDIR(st.st_mode):
        yield path, None  # named explicitly: always tried, whatever its extension
        return
    seen: set[tuple[int, int]] = set()
    stack = [path]
    while stack:
        folder = stack.pop()
        try:
            fst = os.stat(folder)
            if (fst.st_dev, fst.st_ino) in seen:
                continue  # symlink loop or a folder linked twice
            seen.add((fst.st_dev, fst.st_ino))
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: os.fsencode(e.name))
        except OSError as exc:
            yield folder, Rejection(printable(folder), _os_reason(exc), "unreadable")
            continue
        subdirs = []
        for entry in entries:
            if entry.name.startswith("."):
                continue  # hidden files and folders
            try:
                is_dir = entry.is_dir()
                is_file = entry.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir:
                subdirs.append(entry.path)
            elif in_folder_walk(entry.name):
                if is_file:
                    yield entry.path, None
                elif not os.path.exists(entry.path):
                    yield entry.path, _dangling(entry.path)
                else:
                    yield entry.path, Rejection(printable(entry.path), "not a regular file", "unreadable")
        stack.extend(reversed(subdirs))
    # Depth-first with files of a folder before its subfolders: the order is stable across runs.


def _read_file(path: str, max_bytes: int) -> Iterator[Article | Rejection]:
    shown = printable(path)
    try:
        with open(path, "rb") as fh:
            if extension(path) in JSONL_EXT:
                yield from iter_jsonl(_jsonl_stream(fh), shown, max_bytes)
                return
            size = _size(fh)
            if size is not None and size > max_bytes:
                yield _too_large(shown, size, max_bytes)
                return
            data = fh.read(max_bytes + 1)  # bounded even for /dev/zero or a growing file
    except FileNotFoundError:
        yield Rejection(shown, "no such file or directory", "missing")
        return
    except OSError as exc:
        yield Rejection(shown, _os_reason(exc), "unreadable")
        return
    if len(data) > max_bytes:
        yield _too_large(shown, len(data), max_bytes, at_least=True)
        return
    yield from read_bytes(data, path, max_bytes=max_bytes)


def _read_stdin(stdin: BinaryIO | None, max_bytes: int) -> Iterator[Article | Rejection]:
    stream = stdin if stdin is not None else sys.stdin.buffer
    try:
        data = stream.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        yield Rejection(STDIN, _one_line(f"cannot read stdin: {exc}"), "unreadable")
        return
    if isinstance(data, str):  # a text stream was passed: be lenient
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > max_bytes and kind_of(STDIN, data) != "jsonl":
        yield _too_large(STDIN, len(data), max_bytes, at_least=True)
        return
    if len(data) > max_bytes:
        data += stream.read()
    yield from read_bytes(data, STDIN, max_bytes=max_bytes)


def _count_file(path: str) -> int:
    n = 0
    try:
        with open(path, "rb") as fh:
            for line in fh:
                if line.strip():
                    n += 1
    except OSError:
        return 1
    return n


def _dangling(path: str) -> Rejection:
    """A folder entry that does not resolve: a symlink to nowhere, or one that loops."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Rejection(printable(path), _os_reason(exc), "unreadable")
    return Rejection(printable(path), "broken symlink", "missing")


def _jsonl_stream(fh: BinaryIO) -> LineReader:
    """The file itself when it is UTF-8 (JSON's encoding); a UTF-16/32 file (known by its BOM) is
    re-encoded line by line as it is read, so a large one is never held in memory whole."""
    head = fh.read(4)
    fh.seek(0)
    for bom, enc in BOMS:
        if enc != "utf-8" and head.startswith(bom):
            fh.seek(len(bom))
            return _Utf8Lines(io.TextIOWrapper(fh, encoding=enc, errors="replace", newline=""))
    return fh


class _Utf8Lines:
    """``readline(limit)`` over a text stream, giving UTF-8 bytes: what ``iter_jsonl`` reads."""

    def __init__(self, text: io.TextIOWrapper):
        self.text = text

    def readline(self, limit: int = -1) -> bytes:
        return self.text.readline(limit).encode("utf-8", "surrogatepass")


def _size(fh) -> int | None:
    st = os.fstat(fh.fileno())
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _too_large(path: str, size: int, limit: int, at_least: bool = False) -> Rejection:
    more = "at least " if at_least else ""
    return Rejection(path, f"file too large ({more}{size:,} bytes > limit {limit:,})", "too-large")


def _os_reason(exc: OSError) -> str:
    reason = _one_line(exc.strerror or type(exc).__name__).lower()
    return f"symlink loop ({reason})" if exc.errno == errno.ELOOP else reason


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:300]
