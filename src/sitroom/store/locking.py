"""Opening a DuckDB file that another process may hold for a moment.

DuckDB allows one writing process per file, and while any process has the file open no other
process may open it for writing (and a writer excludes even readers).  ``sitroom serve`` opens the
file read-only only for the copy of each snapshot (web/snapshot.py: tens of milliseconds, about a
second for 20,000 articles); an ingest that starts inside that window used to fail at once with
"Could not set lock on file".  Retrying for a few seconds with backoff turns that race into a
short wait, while a file held by a long writer (another ingest) still fails with DuckDB's own
message once ``timeout_s`` has passed.
"""

from __future__ import annotations

import random
import time

import duckdb

#: Long enough for a snapshot copy of a large database, short enough to report a real conflict.
LOCK_TIMEOUT_S = 10.0


def is_lock_conflict(exc: duckdb.Error) -> bool:
    """Whether ``exc`` says another process holds the file (the only error worth retrying)."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).splitlines()[0].lower()


def connect_with_retry(path: str, read_only: bool = False, timeout_s: float = LOCK_TIMEOUT_S, *,
                       first_wait_s: float = 0.02, max_wait_s: float = 0.5) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect(path, read_only=read_only)``, retried while the file is locked by another
    process, waiting ``first_wait_s`` doubling up to ``max_wait_s`` (with jitter, so two waiting
    processes do not retry in step) until ``timeout_s``; then the last lock error is raised.
    Any other error is raised at once."""
    deadline = time.monotonic() + timeout_s
    wait = first_wait_s
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            remaining = deadline - time.monotonic()
            if not is_lock_conflict(exc) or remaining <= 0:
                raise
        time.sleep(min(remaining, wait * random.uniform(0.5, 1.0)))
        wait = min(wait * 2, max_wait_s)
