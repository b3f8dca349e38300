"""Reader of TBAQ-cleaned (TempEval-3 training: TimeBank and AQUAINT, TimeML) for `bench.eval_tbaq`.

Each TEXT element becomes plain text, whitespace cleaned as our normaliser cleans a body, with the
exact offsets of its TIMEX3s; the document creation time (DCT) is kept apart from the gold.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from bench.corpora.mirror import Mirror, locate

REPOSITORY = "qiangning/StructTempRel-EMNLP17"
FOLDER = "data/TempEval3/Training/TBAQ-cleaned"
SUBCORPORA = ("TimeBank", "AQUAINT")
CREATION_TIME = "CREATION_TIME"

_WORD = re.compile(r"\S+")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


@dataclass(frozen=True, slots=True)
class GoldTimex:
    """One annotated TIMEX3: offsets into `TimemlDoc.text`, TimeML type and value."""

    start: int
    end: int
    type: str
    value: str
    text: str


@dataclass(frozen=True, slots=True)
class TimemlDoc:
    """The TEXT of one TimeML file and its gold timexes, DCT excluded.

    `dct` is the DCT's value (the story's date for `find_timex`); `dct_span` is its place in
    `text` when the DCT timex sits inside TEXT (predictions there are not scored), else None.
    """

    name: str
    subcorpus: str
    text: str
    dct: str | None
    dct_span: tuple[int, int] | None
    timex: tuple[GoldTimex, ...]


class _Flat:
    """Plain text of an element tree, with the raw offsets of each TIMEX3 in it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.timex: list[tuple[Element, int, int]] = []

    def add(self, piece: str | None) -> None:
        if piece:
            self.parts.append(piece)
            self.length += len(piece)

    def walk(self, node: Element) -> None:
        start = self.length
        self.add(node.text)
        for child in node:
            self.walk(child)
            self.add(child.tail)
        if node.tag == "TIMEX3":
            self.timex.append((node, start, self.length))


def clean_whitespace(raw: str) -> tuple[str, list[int]]:
    """`raw` with words joined by one space, or by one blank line where `raw` has a blank line,
    and the raw offset of each character of the result (separators take the gap's start)."""
    chars: list[str] = []
    where: list[int] = []
    previous_end: int | None = None
    for word in _WORD.finditer(raw):
        if previous_end is not None:
            gap = raw[previous_end : word.start()]
            separator = "\n\n" if _BLANK_LINE.search(gap) else " "
            chars.append(separator)
            where.extend([previous_end] * len(separator))
        chars.append(word.group())
        where.extend(range(word.start(), word.end()))
        previous_end = word.end()
    return "".join(chars), where


def _to_clean(where: list[int], raw: str, start: int, end: int) -> tuple[int, int]:
    """Clean offsets of raw[start:end], its surrounding whitespace trimmed first."""
    piece = raw[start:end]
    start += len(piece) - len(piece.lstrip())
    end -= len(piece) - len(piece.rstrip())
    return bisect_left(where, start), bisect_left(where, max(start, end))


def parse_timeml(data: bytes | str, name: str = "", subcorpus: str = "") -> TimemlDoc:
    """One TimeML document: the TEXT element's plain text, its gold TIMEX3s and the DCT."""
    root = ElementTree.fromstring(data)
    text_node = root.find(".//TEXT")
    if text_node is None:
        raise ValueError(f"{name or 'document'} has no TEXT element")
    flat = _Flat()
    flat.walk(text_node)
    raw = "".join(flat.parts)
    text, where = clean_whitespace(raw)
    dct_node = next(
        (t for t in root.iter("TIMEX3") if t.get("functionInDocument") == CREATION_TIME), None
    )
    dct = (dct_node.get("value") or None) if dct_node is not None else None
    dct_span: tuple[int, int] | None = None
    gold: list[GoldTimex] = []
    for node, raw_start, raw_end in sorted(flat.timex, key=lambda t: (t[1], t[2])):
        start, end = _to_clean(where, raw, raw_start, raw_end)
        if node is dct_node:
            dct_span = (start, end)
            continue
        kind, value = node.get("type", ""), node.get("value", "")
        gold.append(GoldTimex(start, end, kind, value, text[start:end]))
    return TimemlDoc(name, subcorpus, text, dct, dct_span, tuple(gold))


def read_tbaq(mirror: Mirror, limit: int | None = None) -> list[TimemlDoc]:
    """Every .tml file of TimeBank then AQUAINT (the first `limit` of each, if given)."""
    docs: list[TimemlDoc] = []
    for subcorpus in SUBCORPORA:
        paths = [p for p in mirror.list(f"{FOLDER}/{subcorpus}") if p.endswith(".tml")]
        for path, data in mirror.read_many(paths[:limit]):
            docs.append(parse_timeml(data, path.rsplit("/", 1)[-1], subcorpus))
    return docs


def load_tbaq(corpora: Path | None = None, limit: int | None = None) -> list[TimemlDoc] | None:
    """The corpus from its mirror under `corpora`, or None when the mirror is not there."""
    mirror = locate(REPOSITORY, corpora)
    return read_tbaq(mirror.holding(FOLDER), limit) if mirror is not None else None
