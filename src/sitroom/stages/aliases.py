"""The alias table: organisations (and a few countries) whose names vary across outlets.

Loaded from the packaged ``data/aliases.tsv`` plus an optional user file of the same format, so
an analyst can teach sitroom that "Daesh" and "ISIL" are the Islamic State without code.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import UsageError

_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """Key for comparing names: case, accents, punctuation, a leading "the" and "'s" ignored."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = re.sub(r"['’]s\b", "", s)
    s = _SPACE.sub(" ", _PUNCT.sub(" ", s)).strip()
    if s.startswith("the "):
        s = s[4:]
    return s


@dataclass(eq=False)
class AliasTable:
    """alias key -> (canonical name, label); ``exact`` holds case-sensitive surface forms worth
    searching for in raw text (what NER tends to miss)."""

    by_key: dict[str, tuple[str, str]] = field(default_factory=dict)
    surface: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, canonical: str, label: str, aliases: list[str]) -> None:
        for name in [canonical, *aliases]:
            key = normalise_name(name)
            if key:
                self.by_key[key] = (canonical, label)
            # Surface forms are searched case-sensitively; skip ones that are common words.
            if len(name) >= 3 or name.isupper():
                self.surface[name] = (canonical, label)

    def lookup(self, name: str) -> tuple[str, str] | None:
        return self.by_key.get(normalise_name(name))

    @functools.cached_property
    def surface_pattern(self) -> re.Pattern[str] | None:
        """One alternation of every surface form, longest first, matched case-sensitively on
        word boundaries (one pass over the text instead of one search per alias)."""
        if not self.surface:
            return None
        forms = sorted(self.surface, key=len, reverse=True)
        return re.compile(r"(?<![\w\-])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w\-])")


def parse_alias_lines(lines: list[str], origin: str) -> list[tuple[str, str, list[str]]]:
    rows = []
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) < 2 or not parts[0] or not parts[1].isupper():
            raise UsageError(f"{origin}:{n}: expected CANONICAL<TAB>LABEL<TAB>alias..., got {line[:60]!r}")
        rows.append((parts[0], parts[1], [p for p in parts[2:] if p]))
    return rows


@functools.lru_cache(maxsize=8)
def load_aliases(user_file: str = "") -> AliasTable:
    table = AliasTable()
    packaged = resources.files("sitroom").joinpath("data/aliases.tsv").read_text(encoding="utf-8")
    for canonical, label, aliases in parse_alias_lines(packaged.splitlines(), "aliases.tsv"):
        table.add(canonical, label, aliases)
    if user_file:
        path = Path(user_file)
        if not path.is_file():
            raise UsageError(f"alias file {user_file} does not exist")
        lines = path.read_text(encoding="utf-8").splitlines()
        for canonical, label, aliases in parse_alias_lines(lines, str(path)):
            existing = table.lookup(canonical)
            table.add(existing[0] if existing else canonical, label, aliases)
    return table
