"""`wirestream eval` on TBAQ-cleaned (TempEval-3 training): the timex stage beside the dateparser
baseline, scored as TempEval-3 scores, per sub-corpus (TimeBank, AQUAINT) and pooled. Run:
`python -m bench.eval_tbaq [--corpora DIR] [--errors N] [--limit N]`.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpora.mirror import print_report
from bench.corpora.tbaq import REPOSITORY, SUBCORPORA, TimemlDoc, load_tbaq
from bench.eval_timex import Span, System, dateparser_baseline
from pipeline.timex import find_timex

SYSTEMS = ("wirestream", "baseline")
POOLED = "pooled"
_CONTEXT = 60
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b\.?", re.I)
_DEICTIC = re.compile(r"\b(?:yesterday|today|tomorrow|tonight|now)\b", re.I)
_ANCHORED = re.compile(r"\b(?:ago|earlier|later|before|after|since|from now)\b", re.I)
_RELATIVE = re.compile(r"\b(?:past|last|next|this|coming|previous|recent|current|same)\b", re.I)
_SEASON = re.compile(r"\b(?:spring|summer|autumn|fall|winter)\b", re.I)


@dataclass(frozen=True, slots=True)
class Pairing:
    """Gold and predicted timexes of one document paired one to one: (gold, predicted) pairs,
    gold left unmatched and predictions left unmatched."""

    pairs: tuple[tuple[Span, Span], ...]
    missed: tuple[Span, ...]
    spurious: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Counts:
    """What TempEval-3 figures are computed from; adds across documents."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    strict: int = 0
    value: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.gold + other.gold,
            self.predicted + other.predicted,
            self.matched + other.matched,
            self.strict + other.strict,
            self.value + other.value,
        )


@dataclass(frozen=True, slots=True)
class ErrorCase:
    """One error of a system on one document: kind is missed, spurious, value or extent."""

    kind: str
    category: str
    doc: str
    gold: Span | None
    predicted: Span | None


@dataclass(frozen=True, slots=True)
class Failure:
    """A document on which a system raised, with the shortest piece of text that still raises."""

    doc: str
    error: str
    phrase: str


@dataclass(slots=True)
class _Tally:
    counts: dict[str, Counts] = field(default_factory=dict)
    errors: list[ErrorCase] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    value_shapes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def pair_timex(gold: Iterable[Span], predicted: Iterable[Span]) -> Pairing:
    """Pair each prediction, in order, with the first free overlapping gold timex of the same
    value; then the rest with the first free overlapping gold timex of any value."""
    gold_list, pred_list = list(gold), list(predicted)
    free = list(range(len(gold_list)))
    pairs: list[tuple[int, Span]] = []
    unmatched: list[Span] = []
    for same_value in (True, False):
        for pred in pred_list if same_value else list(unmatched):
            match = next(
                (
                    i
                    for i in free
                    if _overlap(gold_list[i], pred)
                    and (not same_value or gold_list[i].value == pred.value)
                ),
                None,
            )
            if match is None:
                if same_value:
                    unmatched.append(pred)
                continue
            free.remove(match)
            pairs.append((match, pred))
            if not same_value:
                unmatched.remove(pred)
    pairs.sort(key=lambda p: p[0])
    return Pairing(
        tuple((gold_list[i], pred) for i, pred in pairs),
        tuple(gold_list[i] for i in free),
        tuple(unmatched),
    )


def count_pairing(pairing: Pairing) -> Counts:
    matched = len(pairing.pairs)
    return Counts(
        gold=matched + len(pairing.missed),
        predicted=matched + len(pairing.spurious),
        matched=matched,
        strict=sum((g.start, g.end) == (p.start, p.end) for g, p in pairing.pairs),
        value=sum(g.value == p.value for g, p in pairing.pairs),
    )


def _prf(hits: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def figures(counts: Counts) -> dict[str, float]:
    """TempEval-3 figures: extent P/R/F1 (relaxed: any overlap, one to one), strict extent
    P/R/F1 (matched with identical offsets), value accuracy (share of matched with the gold
    value) and value F1 = extent F1 x value accuracy."""
    precision, recall, f1 = _prf(counts.matched, counts.predicted, counts.gold)
    strict = _prf(counts.strict, counts.predicted, counts.gold)
    accuracy = counts.value / counts.matched if counts.matched else 0.0
    return {
        "extent_precision": precision,
        "extent_recall": recall,
        "extent_f1": f1,
        "strict_precision": strict[0],
        "strict_recall": strict[1],
        "strict_f1": strict[2],
        "value_accuracy": accuracy,
        "value_f1": f1 * accuracy,
    }


def timex_kind(text: str, kind: str, value: str) -> str:
    """A coarse class of a time expression, for counting errors: set, duration, weekday, ..."""
    if kind == "SET":
        return "set"
    if value.endswith("_REF"):
        return "now / recently / future (_REF)"
    if kind == "DURATION" or value.startswith("P"):
        return "duration"
    if "FY" in value or "fiscal" in text.lower():
        return "fiscal year"
    if re.search(r"-(?:Q[1-4X]|H[12X])\b", value):
        return "quarter / half"
    if _WEEKDAY.search(text):
        return "weekday"
    if _DEICTIC.search(text):
        return "yesterday / today / tomorrow"
    if kind == "TIME" or "T" in value:
        return "time of day"
    if _ANCHORED.search(text):
        return "anchored (ago, earlier, later)"
    if _RELATIVE.search(text):
        return "relative (last week, this year)"
    if _SEASON.search(text):
        return "season"
    if _MONTH.search(text):
        return "calendar date / month"
    if re.fullmatch(r"\d{4}", value):
        return "year"
    return "other date"


def value_shape(value: str) -> str:
    return re.sub(r"\d", "9", value) or "(none)"


def analyse(doc: TimemlDoc, pairing: Pairing) -> list[ErrorCase]:
    """Every error of one document: missed and spurious timexes, wrong values, wrong extents
    (value errors take precedence over extent errors on the same pair)."""

    def kind_of(span: Span) -> str:
        return timex_kind(doc.text[span.start : span.end], getattr(span, "type", ""), span.value)

    cases = [ErrorCase("missed", kind_of(g), doc.name, g, None) for g in pairing.missed]
    cases += [ErrorCase("spurious", kind_of(p), doc.name, None, p) for p in pairing.spurious]
    for g, p in pairing.pairs:
        if g.value != p.value:
            cases.append(ErrorCase("value", kind_of(g), doc.name, g, p))
        elif (g.start, g.end) != (p.start, p.end):
            cases.append(ErrorCase("extent", _extent_relation(g, p), doc.name, g, p))
    return cases


def _extent_relation(gold: Span, pred: Span) -> str:
    if pred.start <= gold.start and gold.end <= pred.end:
        return "ours longer"
    if gold.start <= pred.start and pred.end <= gold.end:
        return "ours shorter"
    return "shifted"


def ours(text: str, published: str | None) -> Sequence[Span]:
    return find_timex(text, published)


def predict(system: System, doc: TimemlDoc) -> list[Span]:
    """The system's timexes on the document, less any inside the DCT."""
    spans = system(doc.text, doc.dct)
    if doc.dct_span is None:
        return list(spans)
    dct_start, dct_end = doc.dct_span
    return [s for s in spans if not (s.start < dct_end and dct_start < s.end)]


def failing_phrase(system: System, text: str, published: str | None) -> str:
    """The first paragraph, then sentence, of `text` on which `system` still raises."""
    piece = text
    for parts in (lambda t: t.split("\n\n"), _SENTENCE.split):
        piece = next((part for part in parts(piece) if _raises(system, part, published)), piece)
    return piece


def _raises(system: System, text: str, published: str | None) -> bool:
    try:
        system(text, published)
    except Exception:
        return True
    return False


def _score_system(system: System, docs: Sequence[TimemlDoc]) -> _Tally:
    tally = _Tally(counts={name: Counts() for name in (*SUBCORPORA, POOLED)})
    started = time.perf_counter()
    for doc in docs:
        try:
            predicted = predict(system, doc)
        except Exception as exc:  # a stage bug is data here: record it, score the doc as empty
            phrase = failing_phrase(system, doc.text, doc.dct)
            tally.failures.append(Failure(doc.name, f"{type(exc).__name__}: {exc}", phrase))
            predicted = []
        pairing = pair_timex(doc.timex, predicted)
        counts = count_pairing(pairing)
        tally.counts[doc.subcorpus] += counts
        tally.counts[POOLED] += counts
        tally.errors += analyse(doc, pairing)
        tally.value_shapes.update(
            f"{value_shape(g.value)} -> {value_shape(p.value)}"
            for g, p in pairing.pairs
            if g.value != p.value
        )
    tally.seconds = time.perf_counter() - started
    return tally


def run(
    corpora: Path | None = None,
    limit: int | None = None,
    systems: dict[str, System | None] | None = None,
) -> dict[str, Any] | None:
    """Score the systems (default: ours and the dateparser baseline) on the corpus, the first
    `limit` documents of each sub-corpus, or None when its mirror is absent. Returns
    {"documents": {sub-corpus: n}, "systems": {name: {"counts", "figures": {sub-corpus or
    "pooled": ...}, "errors", "failures", "value_shapes"} or None}, "seconds", "docs"}."""
    started = time.perf_counter()
    docs = load_tbaq(corpora, limit)
    if docs is None:
        return None
    seconds = {"read": time.perf_counter() - started}
    result: dict[str, Any] = {
        "documents": {sub: sum(d.subcorpus == sub for d in docs) for sub in SUBCORPORA},
        "systems": {},
        "seconds": seconds,
        "docs": {d.name: d for d in docs},
    }
    if systems is None:  # the baseline loads its spaCy model on first use: timed with it
        systems = {"wirestream": ours, "baseline": dateparser_baseline()}
    for name, system in systems.items():
        if system is None:
            result["systems"][name] = None
            continue
        tally = _score_system(system, docs)
        seconds[name] = tally.seconds
        result["systems"][name] = {
            "counts": tally.counts,
            "figures": {sub: figures(c) for sub, c in tally.counts.items()},
            "errors": tally.errors,
            "failures": tally.failures,
            "value_shapes": tally.value_shapes,
        }
    return result


def _ratio(value: float) -> str:
    return f"{value:.3f}"[1:] if value < 1 else "1.00"


def _cells(scores: dict[str, Any] | None, sub: str) -> list[str]:
    if scores is None:
        return ["not available"] * 5
    c: Counts = scores["counts"][sub]
    f = scores["figures"][sub]
    extent = "/".join(_ratio(f[k]) for k in ("extent_precision", "extent_recall", "extent_f1"))
    return [
        f"{c.gold} / {c.predicted}",
        f"{extent} ({c.matched})",
        f"{_ratio(f['strict_f1'])} ({c.strict})",
        f"{_ratio(f['value_accuracy'])} ({c.value}/{c.matched})",
        _ratio(f["value_f1"]),
    ]


def format_report(result: dict[str, Any]) -> str:
    """The table (figure, wirestream, baseline), timings, failures and error counts."""
    docs = ", ".join(f"{sub} {n} documents" for sub, n in result["documents"].items())
    lines = [f"TBAQ-cleaned (TempEval-3 training): {docs}"]
    lines.append(f"{'figure':34}{'wirestream':>26}{'baseline (dateparser)':>26}")
    titles = (
        "gold / predicted",
        "extent P/R/F1 (matched)",
        "strict extent F1",
        "value accuracy",
        "value F1",
    )
    systems = result["systems"]
    for sub in (*SUBCORPORA, POOLED):
        columns = [_cells(systems.get(name), sub) for name in SYSTEMS]
        for row, title in enumerate(titles):
            lines.append(f"{sub + ' ' + title:34}{columns[0][row]:>26}{columns[1][row]:>26}")
    lines.append("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result["seconds"].items()))
    for name in SYSTEMS:
        scores = systems.get(name)
        if scores is None:
            continue
        lines.append(f"{name} raised on {len(scores['failures'])} documents")
        lines += [f"  {f.doc}: {f.error} on {f.phrase[:120]!r}" for f in scores["failures"]]
    lines += _error_table(systems)
    return "\n".join(lines)


def _error_table(systems: dict[str, Any]) -> list[str]:
    tallies = {
        name: Counter((e.kind, e.category) for e in scores["errors"])
        for name, scores in systems.items()
        if scores is not None
    }
    if "wirestream" not in tallies:
        return []
    keys = sorted(set().union(*tallies.values()), key=lambda k: (-tallies["wirestream"][k], k))
    lines = [f"{'errors (pooled)':44}{'wirestream':>16}{'baseline':>16}"]
    for kind, category in keys:
        cells = [str(tallies[n][(kind, category)]) if n in tallies else "-" for n in SYSTEMS]
        lines.append(f"  {kind:9}{category:33}{cells[0]:>16}{cells[1]:>16}")
    shapes = systems["wirestream"]["value_shapes"].most_common(12)
    listed = ", ".join(f"{shape} {n}" for shape, n in shapes)
    lines.append(f"wirestream wrong values, gold -> ours: {listed}")
    return lines


def format_errors(result: dict[str, Any], per_kind: int, system: str = "wirestream") -> str:
    """Up to `per_kind` examples of each error kind and category, with context."""
    scores = result["systems"].get(system)
    if scores is None or per_kind <= 0:
        return ""
    docs: dict[str, TimemlDoc] = result["docs"]
    shown: Counter[tuple[str, str]] = Counter()
    lines = [f"examples of {system} errors ([gold] {{ours}}):"]
    for case in scores["errors"]:
        key = (case.kind, case.category)
        if shown[key] >= per_kind:
            continue
        shown[key] += 1
        doc = docs[case.doc]
        gold = f"{case.gold.value}" if case.gold else "-"
        pred = f"{case.predicted.value}" if case.predicted else "-"
        lines.append(
            f"{case.kind:8} {case.category:32} gold {gold:14} ours {pred:14} "
            f"{marked_context(doc.text, _bounds(case.gold), _bounds(case.predicted))}"
            f"  ({doc.name}, DCT {doc.dct})"
        )
    return "\n".join(lines)


def _bounds(span: Span | None) -> tuple[int, int] | None:
    return (span.start, span.end) if span is not None else None


def marked_context(
    text: str, gold: tuple[int, int] | None, ours: tuple[int, int] | None, width: int = _CONTEXT
) -> str:
    """`width` characters either side of the two spans, gold marked [ ] and ours { }, on one
    line (paragraph breaks shown as " | ")."""
    spans = [s for s in (gold, ours) if s is not None]
    lo = max(0, min(s[0] for s in spans) - width)
    hi = min(len(text), max(s[1] for s in spans) + width)
    marks: list[tuple[int, int, str]] = []
    for span, opening, closing in ((gold, "[", "]"), (ours, "{", "}")):
        if span is not None:
            marks += [(span[0], 1, opening), (span[1], 0, closing)]
    out, pos = [], lo
    for offset, _, mark in sorted(marks):
        out += [text[pos:offset], mark]
        pos = offset
    out.append(text[pos:hi])
    return "".join(out).replace("\n\n", " | ").replace("\n", " ")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_tbaq", description=__doc__)
    parser.add_argument("--corpora", type=Path, help="folder of the corpus mirrors")
    parser.add_argument(
        "--errors", type=int, default=0, metavar="N", help="print N examples of each error kind"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="first N documents of each part")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(args.corpora, args.limit)
    return print_report(
        "TBAQ-cleaned", REPOSITORY, result, format_report, format_errors, args.errors, started
    )


if __name__ == "__main__":
    raise SystemExit(main())
