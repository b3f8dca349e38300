"""Benchmark of the entities stage on MEANTIME: raw spaCy spans against `group_entities`.

Usage: `python -m bench.eval_entities [MEANTIME_DIR]` (default ../shared/data/meantime).

What is scored, and why (read from the corpus, see `bench.meantime`):
- Gold: PER/ORG/LOC mentions that are proper names: syntactic type NAM or PRE.NAM, plus the
  untyped mentions whose words are all capitalised, less those a title heads ("Prime Minister
  of Canada"). Nominal ("the firm"), pronominal and appositive mentions are left out: neither
  system is meant to find them. Other gold mentions still make a prediction right.
- Only predictions in the annotated region (the first six sentences) count.
- MEANTIME extents keep determiners and titles ("the United States Air Force", "Senator John
  McCain"), spaCy keeps determiners only sometimes, and our layer strips both: exact match
  ignores a leading "the", leading title words and a trailing possessive, on gold and both
  systems alike. Relaxed match counts any overlap of the same class.
- Classes: PERSON -> PER, ORG -> ORG, GPE/LOC/FAC -> LOC (MEANTIME LOC), for both systems.
  Precision counts a prediction right when it matches any gold mention of its class.
  MEANTIME also files nationality words ("American", PRE.NAM) and governments ("White House",
  "EU") under LOC, and writes "Mobile, Alabama" as one mention. Both systems publish
  nationality words as NORP (our layer links each to its country by ISO code, no mention of
  the country), which is not scored: that caps LOC recall for either. Both call "EU" ORG and
  "Mobile, Alabama" two places.
- Figures are given overall and per sub-corpus (airbus, apple, gm), with micro F1 over the
  three classes: a change must not fall below raw spaCy on any of them.

Corpus: NewsReader MEANTIME, English section, (c) 2015 FBK, VU Amsterdam, UPV/EHU, CC BY 4.0;
read from ../shared at run time, never copied here.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from bench.meantime import GoldMention, MeantimeDoc, load_corpus
from pipeline.entities import group_entities
from pipeline.entities.titles import HEADS, strip_title
from pipeline.nlp import LanguageModel, NerSpan

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "meantime"
CLASSES = ("PER", "ORG", "LOC")
MICRO = "micro"
_CLASS_OF = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
_NAME_TYPES = frozenset(("NAM", "PRE.NAM"))
_CONNECTORS = frozenset(("of", "and", "&", "de", "the"))
_PRONOUNS = frozenset("i we you he she it they his her its their our my who which this".split())
_WORD = re.compile(r"[^\W_][\w\-.’']*")

Span = tuple[int, int, str]  # start, end, class


def run(meantime_dir: Path) -> dict[str, Any]:
    """Score both systems. Returns {"documents", "gold": {class: count}, "seconds",
    "spacy" and "entities": {"exact" and "overlap": {class and "micro": {"precision",
    "recall", "f1"}}}, "corpora": {corpus: {"spacy" and "entities": the same}}}."""
    docs = load_corpus(meantime_dir)
    started = time.perf_counter()
    all_spans = LanguageModel()([doc.text for doc in docs])
    ner_seconds = time.perf_counter() - started
    started = time.perf_counter()
    ours = [_from_entities(doc, spans) for doc, spans in zip(docs, all_spans, strict=True)]
    layer_seconds = time.perf_counter() - started
    raw = [_from_spans(spans) for spans in all_spans]
    gold = [_trimmed(doc.text, [g for g in _gold(doc) if g.name_like]) for doc in docs]
    result: dict[str, Any] = {
        "documents": len(docs),
        "gold": {c: sum(1 for spans in gold for s in spans if s[2] == c) for c in CLASSES},
        "seconds": {"ner": round(ner_seconds, 2), "entities": round(layer_seconds, 2)},
    }
    result.update(_systems(docs, {"spacy": raw, "entities": ours}))
    result["corpora"] = {}
    for corpus in sorted({doc.corpus for doc in docs}):
        picked = [i for i, doc in enumerate(docs) if doc.corpus == corpus]
        result["corpora"][corpus] = _systems(
            [docs[i] for i in picked],
            {"spacy": [raw[i] for i in picked], "entities": [ours[i] for i in picked]},
        )
    return result


def _systems(docs: Sequence[MeantimeDoc], systems: dict[str, list[list[Span]]]) -> dict[str, Any]:
    """Exact and overlap scores of each system's spans on these documents."""
    gold = [_trimmed(doc.text, [g for g in _gold(doc) if g.name_like]) for doc in docs]
    anything = [_trimmed(doc.text, _gold(doc)) for doc in docs]
    out: dict[str, Any] = {}
    for name, predicted in systems.items():
        inside = [
            _trimmed(doc.text, _annotated(doc, spans))
            for doc, spans in zip(docs, predicted, strict=True)
        ]
        out[name] = {
            "exact": _score(gold, anything, inside, exact=True),
            "overlap": _score(gold, anything, inside, exact=False),
        }
    return out


class _Gold(NamedTuple):
    start: int
    end: int
    cls: str
    name_like: bool


def _gold(doc: MeantimeDoc) -> list[_Gold]:
    return [
        _Gold(m.start, m.end, _CLASS_OF[m.label], _is_name(m))
        for m in doc.entities
        if m.label in _CLASS_OF
    ]


def _is_name(mention: GoldMention) -> bool:
    """NAM and PRE.NAM mentions, and untyped ones written all in capitalised words; neither
    when a title heads the mention ("Prime Minister of Canada", "Chrysler Chief Executive")."""
    head = _WORD.findall(re.split(r" of |,|\(", mention.text)[0])
    if head and head[-1].lower() in HEADS:
        return False
    if mention.syntactic_type in _NAME_TYPES:
        return True
    if mention.syntactic_type:
        return False
    words = _WORD.findall(mention.text)
    if words and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    content = [w for w in words if w.lower() not in _CONNECTORS]
    if not content or any(w.lower() in _PRONOUNS for w in content):
        return False
    return all(w[:1].isupper() or w[:1].isdigit() for w in content) and not all(
        w[:1].isdigit() for w in content
    )


def _from_spans(spans: Sequence[NerSpan]) -> list[Span]:
    return [(s.start, s.end, _CLASS_OF[s.label]) for s in spans if s.label in _CLASS_OF]


def _from_entities(doc: MeantimeDoc, spans: Sequence[NerSpan]) -> list[Span]:
    return [
        (m.start, m.end, _CLASS_OF[e.label])
        for e in group_entities(doc.text, spans)
        if e.label in _CLASS_OF
        for m in e.mentions
    ]


def _annotated(doc: MeantimeDoc, spans: list[Span]) -> list[Span]:
    limit = doc.annotated_end if doc.annotated_end is not None else len(doc.text)
    return [span for span in spans if span[0] < limit]


def _trimmed(text: str, spans: Iterable[tuple[int, int, str] | _Gold]) -> list[Span]:
    """Spans without a leading "the", title or honorific, or a trailing possessive, which
    the two schemes treat differently ("the Senator John McCain's" -> "John McCain")."""
    out: list[Span] = []
    for start, end, cls, *_ in spans:
        if text[start : start + 4].lower() == "the " and end - start > 4:
            start += 4
        title, cut = strip_title(text[start:end]) if cls == "PER" else ("", 0)
        if title and text[start + cut : start + cut + 1].isupper():
            start += cut
        if text[start:end].endswith(("'s", "’s")) and end - start > 2:
            end -= 2
        out.append((start, end, cls))
    return out


def _score(
    gold: list[list[Span]], anything: list[list[Span]], predicted: list[list[Span]], exact: bool
) -> dict[str, dict[str, float]]:
    def same(a: Span, b: Span) -> bool:
        if a[2] != b[2]:
            return False
        return a[:2] == b[:2] if exact else a[0] < b[1] and b[0] < a[1]

    scores: dict[str, dict[str, float]] = {}
    totals = [0, 0, 0, 0]
    for cls in CLASSES:
        found = right = total_gold = total_pred = 0
        for doc_gold, doc_any, doc_pred in zip(gold, anything, predicted, strict=True):
            cls_gold = [g for g in doc_gold if g[2] == cls]
            cls_pred = [p for p in doc_pred if p[2] == cls]
            total_gold += len(cls_gold)
            total_pred += len(cls_pred)
            found += sum(1 for g in cls_gold if any(same(g, p) for p in cls_pred))
            right += sum(1 for p in cls_pred if any(same(g, p) for g in doc_any))
        scores[cls] = _prf(found, right, total_gold, total_pred)
        totals = [
            a + b for a, b in zip(totals, (found, right, total_gold, total_pred), strict=True)
        ]
    scores[MICRO] = _prf(*totals)
    return scores


def _prf(found: int, right: int, total_gold: int, total_pred: int) -> dict[str, float]:
    precision = right / total_pred if total_pred else 0.0
    recall = found / total_gold if total_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(100 * precision, 1),
        "recall": round(100 * recall, 1),
        "f1": round(100 * f1, 1),
    }


def format_report(result: dict[str, Any]) -> str:
    lines = [
        f"MEANTIME English, {result['documents']} articles; gold name mentions {result['gold']}",
        f"{'':8}{'':10}" + "".join(f"{s:>22}" for s in ("spacy sm P/R/F1", "entities P/R/F1")),
    ]
    for mode in ("exact", "overlap"):
        for cls in (*CLASSES, MICRO):
            cells = []
            for name in ("spacy", "entities"):
                s = result[name][mode][cls]
                cells.append(f"{s['precision']:6.1f}{s['recall']:6.1f}{s['f1']:6.1f}")
            lines.append(f"{mode:8}{cls:10}" + "".join(f"{c:>22}" for c in cells))
    lines.append(
        "per corpus, F1 spacy / entities: " + " ".join(f"{c:>13}" for c in (*CLASSES, MICRO))
    )
    for corpus, systems in result.get("corpora", {}).items():
        for mode in ("exact", "overlap"):
            cells = [
                f"{systems['spacy'][mode][c]['f1']:5.1f} /{systems['entities'][mode][c]['f1']:5.1f}"
                for c in (*CLASSES, MICRO)
            ]
            lines.append(f"  {corpus:8}{mode:24}" + " ".join(f"{c:>13}" for c in cells))
    lines.append(f"seconds: {result['seconds']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(args[0]) if args else DEFAULT_DIR
    if not root.is_dir():
        print(f"MEANTIME not found at {root}: pass its folder (shared/data/meantime)")
        return 2
    print(format_report(run(root)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
