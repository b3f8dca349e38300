"""Reader of the MEANTIME corpus (CAT XML) into plain text with gold entity and timex spans.

Benchmarks only: nothing in the pipeline imports it. Corpus credit: NewsReader MEANTIME, English
section, (c) 2015 Fondazione Bruno Kessler, VU University Amsterdam, Universidad del Pais Vasco,
licensed CC BY 4.0 (see LICENSE.txt beside the corpus). The corpus is read from ../shared at run
time and never copied into this repository.

Text: the corpus stores tokens (each with a sentence number), not the original text. We join
tokens with one space, except that no space goes before closing punctuation and clitics (`,` `.`
`)` `'s` `n't` ...) or after opening ones (`(` `$` `US$` `` `` ``), and straight double quotes
alternate between opening and closing. The corpus marks no line breaks, but every article opens
with its headline (sentence 0) and its dateline (sentence 1): each becomes its own paragraph
(followed by "\n\n"); the body sentences are joined by single spaces. Token texts are kept
verbatim (`` `` `` and `''` stay as the corpus has them), so every gold span is text[start:end].

Gold annotation covers only the first sentences of each article (headline, dateline and the
first four body sentences, i.e. sentences 0-5). `MeantimeDoc.annotated_end` is the offset where
that region ends: an evaluation must ignore predictions that start at or after it.

Entities: each ENTITY_MENTION takes the type of the ENTITY it REFERS_TO, mapped to our labels by
`LABELS` (PER->PERSON, ORG->ORG, LOC->GPE, PRO->PRODUCT; FIN and MIX have no counterpart and
keep their corpus names so an evaluator can drop them). MEANTIME LOC covers countries and
cities as well as other places: evaluators should treat our GPE and LOC as one class. Mentions
that refer to no entity are skipped. `GoldMention.syntactic_type` keeps the corpus value (NAM,
PRE.NAM, NOM, PRO, APP, ...) so an evaluator can keep proper-name mentions only.

Timex: every TIMEX3 with token anchors, except the document creation time (DCT), which is
`MeantimeDoc.dct` and whose span in the dateline is `MeantimeDoc.dct_span` (TempEval scores the
DCT separately, so evaluators should ignore predictions overlapping it). Two articles mark no
CREATION_TIME; there the TIMEX3 inside the dateline is taken as the DCT. A DCT written
DD-MM-YYYY in the corpus is normalised to ISO YYYY-MM-DD.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

LABELS: dict[str, str] = {
    "PER": "PERSON",
    "ORG": "ORG",
    "LOC": "GPE",
    "PRO": "PRODUCT",
    "FIN": "FIN",
    "MIX": "MIX",
}
ANNOTATED_SENTENCES = 6  # sentences 0..5 carry gold annotation (checked on all 90 articles)
HEADLINE_SENTENCES = 2  # headline and dateline each stand as a paragraph

_NO_SPACE_BEFORE = frozenset(
    {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "''", "\u201d", "\u2019", "...", "n't"}
)
_CLITICS = frozenset({"'s", "'ve", "'re", "'ll", "'d", "'m"})
_NO_SPACE_AFTER = frozenset(
    {"(", "[", "{", "$", "US$", "CA$", "AU$", "\u00a3", "\u20ac", "#", "``", "\u201c", "\u2018"}
)
_DMY = re.compile(r"(\d{2})-(\d{2})-(\d{4})")


@dataclass(frozen=True)
class GoldMention:
    """A gold entity mention: its text, offsets into `MeantimeDoc.text`, and our label."""

    text: str
    start: int
    end: int
    label: str
    syntactic_type: str = ""


@dataclass(frozen=True)
class GoldTimex:
    """A gold TIMEX3 anchored in the text (the DCT excluded)."""

    text: str
    start: int
    end: int
    type: str
    value: str


@dataclass(frozen=True)
class MeantimeDoc:
    """One article: rebuilt text, its creation date, and its gold annotations."""

    doc_id: str
    dct: str
    text: str
    entities: tuple[GoldMention, ...]
    timex: tuple[GoldTimex, ...]
    dct_span: tuple[int, int] | None = None
    annotated_end: int | None = None
    corpus: str = ""


def load_corpus(root: Path) -> list[MeantimeDoc]:
    """Read every `corpus_*/*.xml` under `root`, ordered by corpus then file name."""
    if not root.is_dir():
        raise FileNotFoundError(f"MEANTIME corpus folder not found: {root}")
    files = sorted(root.glob("corpus_*/*.xml"), key=lambda p: (p.parent.name, p.name))
    return [load_document(path) for path in files]


def load_document(path: Path) -> MeantimeDoc:
    """Read one CAT XML article."""
    root = ElementTree.parse(path).getroot()
    text, spans, sentence_of = _rebuild_text(root.iter("token"))
    annotated_end = max(
        (end for t_id, (_, end) in spans.items() if sentence_of[t_id] < ANNOTATED_SENTENCES),
        default=0,
    )
    markables = root.find("Markables")
    if markables is None:
        markables = root.makeelement("Markables", {})
    dct_elem = _creation_time(markables, sentence_of)
    dct_span: tuple[int, int] | None = None
    if dct_elem is not None:
        dct_span = _span(dct_elem, spans)
    timex = tuple(
        GoldTimex(text[s:e], s, e, elem.get("type", ""), elem.get("value", ""))
        for elem in markables.findall("TIMEX3")
        if elem is not dct_elem and (span := _span(elem, spans)) is not None
        for s, e in [span]
    )
    return MeantimeDoc(
        doc_id=root.get("doc_id", path.stem),
        dct=_iso_date(dct_elem.get("value", "")) if dct_elem is not None else "",
        text=text,
        entities=_entity_mentions(root, markables, spans, text),
        timex=tuple(sorted(timex, key=lambda t: (t.start, t.end))),
        dct_span=dct_span,
        annotated_end=annotated_end,
        corpus=path.parent.name.removeprefix("corpus_"),
    )


def _rebuild_text(
    tokens: Iterable[Element],
) -> tuple[str, dict[str, tuple[int, int]], dict[str, int]]:
    parts: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    sentence_of: dict[str, int] = {}
    pos = 0
    previous: str | None = None
    prev_sentence = 0
    quote_open = False
    for token in tokens:
        word = token.text or ""
        sentence = int(token.get("sentence", "0"))
        closes_quote = word == '"' and quote_open
        if previous is not None:
            if sentence != prev_sentence and prev_sentence < HEADLINE_SENTENCES:
                sep = "\n\n"
            elif (
                word in _NO_SPACE_BEFORE
                or word.lower() in _CLITICS
                or closes_quote
                or previous in _NO_SPACE_AFTER
                or (previous == '"' and quote_open)
            ):
                sep = ""
            else:
                sep = " "
            parts.append(sep)
            pos += len(sep)
        if word == '"':
            quote_open = not quote_open
        t_id = token.get("t_id", "")
        spans[t_id] = (pos, pos + len(word))
        sentence_of[t_id] = sentence
        parts.append(word)
        pos += len(word)
        previous, prev_sentence = word, sentence
    return "".join(parts), spans, sentence_of


def _span(elem: Element, spans: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    anchored = [spans[a.get("t_id", "")] for a in elem.findall("token_anchor")]
    if not anchored:
        return None
    return min(s for s, _ in anchored), max(e for _, e in anchored)


def _creation_time(markables: Element, sentence_of: dict[str, int]) -> Element | None:
    timexes = markables.findall("TIMEX3")
    for elem in timexes:
        if elem.get("functionInDocument") == "CREATION_TIME":
            return elem
    for elem in timexes:  # no DCT marked: the timex that makes up the dateline
        anchors = [a.get("t_id", "") for a in elem.findall("token_anchor")]
        if anchors and all(sentence_of.get(t) == HEADLINE_SENTENCES - 1 for t in anchors):
            return elem
    return None


def _iso_date(value: str) -> str:
    match = _DMY.fullmatch(value)
    return f"{match[3]}-{match[2]}-{match[1]}" if match else value


def _entity_mentions(
    root: Element, markables: Element, spans: dict[str, tuple[int, int]], text: str
) -> tuple[GoldMention, ...]:
    entity_type = {e.get("m_id", ""): e.get("ent_type", "") for e in markables.findall("ENTITY")}
    refers: dict[str, str] = {}
    for link in root.iter("REFERS_TO"):
        targets = [t.get("m_id", "") for t in link.findall("target")]
        target = next((t for t in targets if t in entity_type), None)
        if target is not None:
            for source in link.findall("source"):
                refers.setdefault(source.get("m_id", ""), target)
    mentions = []
    for elem in markables.findall("ENTITY_MENTION"):
        target = refers.get(elem.get("m_id", ""))
        span = _span(elem, spans)
        if target is None or span is None:
            continue
        kind = entity_type[target]
        start, end = span
        mentions.append(
            GoldMention(
                text[start:end],
                start,
                end,
                LABELS.get(kind, kind),
                elem.get("syntactic_type") or "",
            )
        )
    return tuple(sorted(mentions, key=lambda m: (m.start, m.end, m.label)))
