"""ECB+ (Cybulska & Vossen 2014) as sitroom sees it: one plain-text article per XML file, rebuilt
from the pre-tokenised tokens, with the entity markables (HUMAN_PART_*, LOC_*) and their
cross-document chains as character spans into that text.

Gold story clusters are topic x sub-topic: ``N_kecb.xml`` files report one real-world event and
``N_kecbplus.xml`` files a different event of the same type (the hard negatives)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

_NO_SPACE_BEFORE = {".", ",", ";", ":", "!", "?", ")", "]", "}", "'s", "n't", "'re", "'ll", "'ve", "'m", "'d", "%", "''"}
_NO_SPACE_AFTER = {"(", "[", "{", "$", "``"}
_NAME = re.compile(r"^(\d+)_(\d+)(ecbplus|ecb)\.xml$")
ENTITY_PREFIXES = ("HUMAN_PART", "LOC_")


@dataclass
class EcbMention:
    start: int
    end: int
    text: str
    kind: str          # markable tag, e.g. HUMAN_PART_PER, LOC_GEO
    chain: str | None  # cross-document instance id (e.g. "HUM16236184328979740"); None if singleton


@dataclass
class EcbDocument:
    name: str          # "1_10ecb"
    topic: int
    subtopic: str      # "ecb" | "ecbplus"
    text: str
    mentions: list[EcbMention] = field(default_factory=list)

    @property
    def story(self) -> str:
        """The gold story cluster: topic x sub-event."""
        return f"{self.topic}{self.subtopic}"


def _join(tokens: list[tuple[int, int, str]]) -> tuple[str, dict[int, tuple[int, int]]]:
    """Detokenise lightly: sentences on their own lines, no space before closing punctuation.
    Returns the text and t_id -> (start, end)."""
    parts: list[str] = []
    spans: dict[int, tuple[int, int]] = {}
    pos = 0
    last_sentence = None
    prev = ""
    for tid, sentence, word in tokens:
        if last_sentence is None:
            sep = ""
        elif sentence != last_sentence:
            sep = "\n"
        elif word in _NO_SPACE_BEFORE or prev in _NO_SPACE_AFTER:
            sep = ""
        else:
            sep = " "
        parts.append(sep)
        pos += len(sep)
        spans[tid] = (pos, pos + len(word))
        parts.append(word)
        pos += len(word)
        last_sentence, prev = sentence, word
    return "".join(parts), spans


def parse_document(path: Path) -> EcbDocument:
    m = _NAME.match(path.name)
    if not m:
        raise ValueError(f"{path}: not an ECB+ file name")
    root = ET.parse(path).getroot()
    tokens = [(int(t.get("t_id")), int(t.get("sentence")), t.text or "") for t in root.iter("token")]
    text, spans = _join(tokens)
    markables = root.find("Markables")
    anchored: dict[str, tuple[str, list[int]]] = {}
    for mk in markables if markables is not None else []:
        ids = [int(a.get("t_id")) for a in mk.findall("token_anchor")]
        if ids:
            anchored[mk.get("m_id")] = (mk.tag, ids)
    chain_of: dict[str, str] = {}
    relations = root.find("Relations")
    for rel in relations if relations is not None else []:
        if rel.tag != "CROSS_DOC_COREF":
            continue
        note = rel.get("note")
        for src in rel.findall("source"):
            chain_of[src.get("m_id")] = note
    mentions = []
    for m_id, (tag, ids) in anchored.items():
        if not tag.startswith(ENTITY_PREFIXES):
            continue
        start = min(spans[i][0] for i in ids if i in spans)
        end = max(spans[i][1] for i in ids if i in spans)
        mentions.append(EcbMention(start, end, text[start:end], tag, chain_of.get(m_id)))
    mentions.sort(key=lambda x: (x.start, x.end))
    return EcbDocument(path.stem, int(m.group(1)), m.group(3), text, mentions)


def load_ecbplus(root: Path, topics: range | None = range(1, 36)) -> list[EcbDocument]:
    """All documents of the given topics (default 1-35, the issue's evaluation range), sorted."""
    base = root / "ECB+" if (root / "ECB+").is_dir() else root
    docs = []
    for path in sorted(base.glob("*/*.xml")):
        m = _NAME.match(path.name)
        if not m or (topics is not None and int(m.group(1)) not in topics):
            continue
        docs.append(parse_document(path))
    docs.sort(key=lambda d: (d.topic, d.subtopic, int(d.name.split("_")[1].rstrip("ecbplus") or 0)))
    return docs
