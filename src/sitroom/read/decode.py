"""Bytes -> clean Unicode text, recording every repair.

Order matters: BOMs first (UTF-16/32 are full of NUL bytes), then refuse binary content (magic
numbers, NULs) before any charset guesser sees it; NULs in alternating positions mean UTF-16
without BOM, and a rare stray NUL or trailing NUL padding in UTF-8 text is removed and
recorded.  Then strict UTF-8 (nearly always right), then UTF-8 with a few broken bytes (a
truncated download, one bad byte pasted in: valid multi-byte characters clearly outnumber the
broken ones, so it is UTF-8 and the broken bytes become U+FFFD, recorded), then a
Western-European shortcut (charset-normalizer guesses exotic code pages for short Latin-1 text),
then charset-normalizer.  UTF-16/32 with a cut-off last character are kept the same way.
ftfy only runs its encoding fixes, so "mojibake" in ``repairs`` means characters really
changed, not quotes being straightened.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import ftfy

from ..errors import InputRejected
from .detect import magic_kind

BOMS = [  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CP1252_PLAUSIBLE = re.compile(r"[\u00c0-\u00ff\u2018-\u201e\u2013\u2014\u2026\u20ac\u00a0-\u00bf]")


def decode(data: bytes) -> tuple[str, list[str]]:
    """Decode and normalise ``data``; raise InputRejected for empty/binary/undecodable input."""
    if not data:
        raise InputRejected("empty file", "empty")
    repairs: list[str] = []
    text, encoding = _decode_raw(data, repairs)
    if encoding != "utf-8":
        repairs.insert(0, f"encoding:{encoding}")
    text, fixed = normalise(text)
    if fixed:
        repairs.append("mojibake")
    if not text.strip():
        raise InputRejected("empty file", "empty")
    return text, repairs


def normalise(text: str) -> tuple[str, bool]:
    """Newlines to \\n, ftfy encoding fixes, control characters out, NFC.  Returns (text,
    whether ftfy changed characters: differences in whitespace or Unicode normalisation alone
    are not mojibake)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    fixed = ftfy.fix_text(text, FTFY_CONFIG)
    changed = fixed != text and _nfc(fixed).split() != _nfc(text).split()
    fixed = _CONTROL.sub("", fixed)
    return unicodedata.normalize("NFC", fixed), changed


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _decode_raw(data: bytes, repairs: list[str]) -> tuple[str, str]:
    for bom, enc in BOMS:
        if data.startswith(bom):
            text = _few_errors(data[len(bom) :], enc, repairs)
            if text is None:
                raise InputRejected(f"not valid {enc} despite its byte-order mark", "decode")
            return text, enc
    kind = magic_kind(data)
    if kind:
        raise InputRejected(f"binary content ({kind})", "binary")
    if b"\x00" in data:
        enc = _utf16_guess(data)
        if enc is None:
            text = _stray_nuls(data)
            if text is None:
                raise InputRejected("binary content (NUL bytes)", "binary")
            repairs.append("removed-nul-bytes")
            return text, "utf-8"
        text = _few_errors(data, enc, repairs)
        if text is None:
            raise InputRejected("binary content (NUL bytes)", "binary")
        return text, enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = _mostly_utf8(data)
    if text is not None:
        repairs.append("replaced-invalid-utf-8")
        return text, "utf-8"
    western = _cp1252_guess(data)
    if western is not None:
        return western, "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputRejected("not valid text in any known encoding", "decode")
    return str(best), best.encoding


def _few_errors(data: bytes, enc: str, repairs: list[str]) -> str | None:
    """``data`` decoded as ``enc`` when at most one character in a thousand (and at least the
    cut-off last one) is broken; the broken ones become U+FFFD and the repair is recorded."""
    try:
        return data.decode(enc)
    except UnicodeDecodeError:
        pass
    text = data.decode(enc, "replace")
    if text.count("\ufffd") > 1 + len(text) // 1000:
        return None
    repairs.append(f"replaced-invalid-{enc}")
    return text


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes: valid multi-byte characters outnumber broken sequences at
    least three to one.  Latin-1 text read as UTF-8 has (almost) no valid multi-byte sequences,
    so it does not pass and goes on to the code-page guessers."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    return text if 0 < bad and 3 * bad <= good else None


def _stray_nuls(data: bytes) -> str | None:
    """UTF-8 text with NUL padding at the end (a crashed writer) or a rare stray NUL: keep it.
    Binary data has NULs everywhere (random bytes: one in 256), so the bar is one per 1000
    bytes outside trailing padding, and the rest must be strict UTF-8."""
    body = data.rstrip(b"\x00")
    if body.count(0) * 1000 > len(body):
        return None
    try:
        return body.replace(b"\x00", b"").decode("utf-8")
    except UnicodeDecodeError:
        return None


def _utf16_guess(data: bytes) -> str | None:
    """UTF-16 without BOM: mostly-ASCII text puts NULs in every other byte."""
    sample = data[:8192]
    half = len(sample) // 2
    if half < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _cp1252_guess(data: bytes) -> str | None:
    """Latin-script text in cp1252/latin-1: accented letters sit alone between ASCII letters.
    (Cyrillic or Greek code pages decoded as cp1252 give long runs of accented letters.)"""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    runs = re.findall(r"[^\x00-\x7f]+", text)
    if not runs:
        return None
    chars = "".join(runs)
    plausible = len(_CP1252_PLAUSIBLE.findall(chars))
    if plausible >= 0.95 * len(chars) and len(chars) / len(runs) <= 1.6:
        return text
    return None
