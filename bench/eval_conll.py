"""`wirestream eval` on CoNLL-2003 English: our entity mentions beside the raw spaCy spans of the
same model run, span-and-class F1 over PER, ORG and LOC (exact, then any overlap). Run:
`python -m bench.eval_conll [--corpora DIR] [--train] [--errors N] [--limit N]`.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from bench.corpora.conll import REPOSITORY, ConllDoc, load_conll
from bench.corpora.mirror import print_report
from bench.eval_entities import CLASSES, Span, _from_entities, _from_spans
from bench.eval_tbaq import marked_context
from pipeline.nlp import LanguageModel, NerSpan

# The language model: texts in, raw NER spans per text out (`LanguageModel` or a fake).
Model = Callable[[Sequence[str]], list[list[NerSpan]]]
SYSTEMS = ("wirestream", "baseline")
MICRO = "micro"
MISC = "MISC"
BATCH = 64
_DATELINE = re.compile(r"[^\n]{1,60} \d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class ErrorCase:
    """One error on one document. kind: missed, class, extent, class+extent or spurious;
    line: "dateline" ("LONDON 1996-08-30"), "capitals" (a headline, a table in capitals) or ""."""

    kind: str
    category: str
    doc: str
    gold: Span | None
    predicted: Span | None
    line: str


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _matches(gold: list[Span], predicted: list[Span], exact: bool) -> int:
    """How many gold spans pair one to one with a prediction of their class."""
    if exact:
        return len(set(gold) & set(predicted))
    free = sorted(set(predicted))
    hits = 0
    for g in sorted(set(gold)):
        found = next((p for p in free if p[2] == g[2] and _overlap(g, p)), None)
        if found is not None:
            free.remove(found)
            hits += 1
    return hits


def score_names(
    gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]], exact: bool = True
) -> dict[str, dict[str, float]]:
    """{class and "micro": {"gold", "predicted", "correct", "precision", "recall", "f1"}} over
    documents. Spans carry `bench.eval_entities` classes (PERSON -> PER, ORG -> ORG, GPE/LOC/FAC
    -> LOC); others, gold MISC among them, are ignored; duplicate predictions count once."""
    totals = {cls: Counter[str]() for cls in (*CLASSES, MICRO)}
    for doc_gold, doc_pred in zip(gold, predicted, strict=True):
        for cls in CLASSES:
            g = sorted({s for s in doc_gold if s[2] == cls})
            p = sorted({s for s in doc_pred if s[2] == cls})
            counts = Counter(gold=len(g), predicted=len(p), correct=_matches(g, p, exact))
            totals[cls].update(counts)
            totals[MICRO].update(counts)
    return {cls: _prf(counts) for cls, counts in totals.items()}


def _prf(counts: Counter[str]) -> dict[str, float]:
    correct, gold, predicted = counts["correct"], counts["gold"], counts["predicted"]
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "gold": gold,
        "predicted": predicted,
        "correct": correct,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def gold_spans(doc: ConllDoc) -> list[Span]:
    return [(c.start, c.end, c.cls) for c in doc.chunks if c.cls in CLASSES]


def analyse(doc: ConllDoc, predicted: Sequence[Span]) -> list[ErrorCase]:
    """Each gold name not found exactly, by what came nearest, and each prediction that touches
    no gold name (on a MISC name or on nothing)."""
    gold = gold_spans(doc)
    pred = sorted({p for p in predicted if p[2] in CLASSES})
    exact = set(gold) & set(pred)
    cases = [_gold_error(doc, g, pred) for g in gold if g not in exact]
    misc = [(c.start, c.end, c.cls) for c in doc.chunks if c.cls == MISC]
    for p in pred:
        if p in exact or any(_overlap(g, p) for g in gold):
            continue
        on = "MISC" if any(_overlap(m, p) for m in misc) else "O"
        cases.append(ErrorCase("spurious", f"{p[2]} on {on}", doc.name, None, p, _line(doc, p)))
    return cases


def _gold_error(doc: ConllDoc, gold: Span, pred: list[Span]) -> ErrorCase:
    near = [p for p in pred if _overlap(gold, p)]
    same_span = [p for p in near if p[:2] == gold[:2]]
    same_class = [p for p in near if p[2] == gold[2]]
    line = _line(doc, gold)
    if same_span:
        found = same_span[0]
        return ErrorCase("class", f"{gold[2]} as {found[2]}", doc.name, gold, found, line)
    if same_class:
        relation = _relation(gold, same_class[0])
        return ErrorCase("extent", f"{gold[2]} {relation}", doc.name, gold, same_class[0], line)
    if near:
        found = near[0]
        return ErrorCase("class+extent", f"{gold[2]} as {found[2]}", doc.name, gold, found, line)
    return ErrorCase("missed", gold[2], doc.name, gold, None, line)


def _relation(gold: Span, pred: Span) -> str:
    if gold[0] <= pred[0] and pred[1] <= gold[1]:
        return "truncated"
    if pred[0] <= gold[0] and gold[1] <= pred[1]:
        return "extended"
    return "shifted"


def _sentence(doc: ConllDoc, span: Span) -> tuple[int, int]:
    return next((s for s in doc.sentences if s[0] <= span[0] < s[1]), (0, len(doc.text)))


def _line(doc: ConllDoc, span: Span) -> str:
    """What the span's sentence is: a dateline, a line in capitals (no lower-case letter), or
    running text ("")."""
    start, end = _sentence(doc, span)
    sentence = doc.text[start:end]
    if _DATELINE.fullmatch(sentence):
        return "dateline"
    if not any(ch.islower() for ch in sentence) and sum(ch.isupper() for ch in sentence) > 1:
        return "capitals"
    return ""


def difference(text: str, gold: Span, pred: Span) -> str:
    """The words one extent has and the other lacks: "+Mr" ours adds, "-Jr" ours drops."""

    def sign(pos: int) -> str:
        in_gold, in_pred = gold[0] <= pos < gold[1], pred[0] <= pos < pred[1]
        return "" if in_gold == in_pred else "+" if in_pred else "-"

    words: list[str] = []
    for mark, stretch in groupby(range(min(gold[0], pred[0]), max(gold[1], pred[1])), key=sign):
        if mark:
            words += [mark + word for word in "".join(text[pos] for pos in stretch).split()]
    return " ".join(words)


def _predict(
    model: Model, docs: list[ConllDoc], seconds: dict[str, float]
) -> dict[str, list[list[Span]]]:
    """Both systems' spans for every document, from one batched run of the model."""
    started = time.perf_counter()
    spans = model([doc.text for doc in docs])
    seconds["ner"] = seconds.get("ner", 0.0) + time.perf_counter() - started
    started = time.perf_counter()
    # `_from_entities` is typed for a MEANTIME document but reads only its `.text`
    ours = [
        _from_entities(doc, doc_spans)  # type: ignore[arg-type]
        for doc, doc_spans in zip(docs, spans, strict=True)
    ]
    seconds["entities"] = seconds.get("entities", 0.0) + time.perf_counter() - started
    return {"wirestream": ours, "baseline": [_from_spans(s) for s in spans]}


def run(
    corpora: Path | None = None,
    train: bool = False,
    limit: int | None = None,
    model: Model | None = None,
) -> dict[str, Any] | None:
    """Score both systems on eng.testa (and eng.train with `train`; the first `limit` documents
    of each) with `model` (default the pipeline's `LanguageModel`), or None when the mirror is
    absent. Returns {"files": {file: {"documents", "tokens", "gold", "systems": {name:
    {"exact", "overlap", "errors"}}}}, "seconds", "docs"}."""
    started = time.perf_counter()
    files = load_conll(corpora, ("eng.testa", "eng.train") if train else ("eng.testa",))
    if files is None:
        return None
    seconds = {"read": time.perf_counter() - started}
    result: dict[str, Any] = {"files": {}, "seconds": seconds, "docs": {}}
    model = model or LanguageModel(batch_size=BATCH)
    started = time.perf_counter()
    model(["Warm-up."])  # loads the model, so that "ner" times the run alone
    seconds["model_load"] = time.perf_counter() - started
    for name, docs in files.items():
        docs = docs[:limit]
        predicted = _predict(model, docs, seconds)
        gold = [gold_spans(doc) for doc in docs]
        result["docs"].update((doc.name, doc) for doc in docs)
        result["files"][name] = {
            "documents": len(docs),
            "tokens": sum(doc.tokens for doc in docs),
            "gold": {cls: sum(s[2] == cls for g in gold for s in g) for cls in CLASSES},
            "systems": {
                system: {
                    "exact": score_names(gold, spans, exact=True),
                    "overlap": score_names(gold, spans, exact=False),
                    "errors": [e for d, p in zip(docs, spans, strict=True) for e in analyse(d, p)],
                }
                for system, spans in predicted.items()
            },
        }
    return result


def _cell(score: dict[str, float]) -> str:
    prf = "/".join(
        f"{score[k]:.3f}"[1:] if score[k] < 1 else "1.00" for k in ("precision", "recall", "f1")
    )
    return f"{prf} ({score['correct']}/{score['gold']}/{score['predicted']})"


def format_report(result: dict[str, Any]) -> str:
    """Per file: exact P/R/F1 per class and micro, overlap micro, then error counts."""
    lines: list[str] = []
    for name, part in result["files"].items():
        gold = ", ".join(f"{cls} {n}" for cls, n in part["gold"].items())
        size = f"{part['documents']} documents, {part['tokens']} tokens"
        lines.append(f"CoNLL-2003 {name}: {size}; gold {gold}")
        lines.append(f"{'figure (correct/gold/pred)':30}{'wirestream':>36}{'baseline':>36}")
        rows = [("exact", cls) for cls in (*CLASSES, MICRO)] + [("overlap", MICRO)]
        for mode, cls in rows:
            cells = [_cell(part["systems"][s][mode][cls]) for s in SYSTEMS]
            lines.append(f"{mode + ' ' + cls + ' P/R/F1':30}{cells[0]:>36}{cells[1]:>36}")
        lines += _error_table(part["systems"], result["docs"])
    lines.append("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result["seconds"].items()))
    return "\n".join(lines)


def _error_table(systems: dict[str, Any], docs: dict[str, ConllDoc]) -> list[str]:
    tallies = {s: Counter((e.kind, e.category) for e in systems[s]["errors"]) for s in SYSTEMS}
    ours = systems["wirestream"]["errors"]
    capitals = Counter((e.kind, e.category) for e in ours if e.line == "capitals")
    datelines = Counter((e.kind, e.category) for e in ours if e.line == "dateline")
    keys = sorted(set().union(*tallies.values()), key=lambda k: (-tallies["wirestream"][k], k))
    lines = [f"{'errors':30}{'wirestream (capitals/dateline)':>36}{'baseline':>36}"]
    for key in keys:
        count = f"{tallies['wirestream'][key]} ({capitals[key]}/{datelines[key]})"
        lines.append(f"  {key[0]:13}{key[1]:15}{count:>36}{tallies['baseline'][key]:>36}")
    lines.append("wirestream, most frequent texts per error:")
    for key in keys[:10]:
        texts = Counter(_text(docs[e.doc], e) for e in ours if (e.kind, e.category) == key)
        listed = ", ".join(f"{t} {n}" for t, n in texts.most_common(5))
        lines.append(f"  {key[0]} {key[1]}: {listed}")
    return lines


def _text(doc: ConllDoc, case: ErrorCase) -> str:
    if case.kind == "extent":
        assert case.gold is not None and case.predicted is not None
        return f"[{difference(doc.text, case.gold, case.predicted)}]"
    span = case.gold or case.predicted
    assert span is not None
    return doc.text[span[0] : span[1]]


def format_errors(result: dict[str, Any], per_kind: int, system: str = "wirestream") -> str:
    """Up to `per_kind` examples of each error kind and category, with context."""
    lines = [f"examples of {system} errors ([gold] {{ours}}):"]
    docs: dict[str, ConllDoc] = result["docs"]
    for part in result["files"].values():
        shown: Counter[tuple[str, str]] = Counter()
        for case in part["systems"][system]["errors"]:
            key = (case.kind, case.category)
            if shown[key] >= per_kind:
                continue
            shown[key] += 1
            gold, ours = _bounds(case.gold), _bounds(case.predicted)
            context = marked_context(docs[case.doc].text, gold, ours)
            lines.append(f"{case.kind:12} {case.category:14} {context}  ({case.doc})")
    return "\n".join(lines)


def _bounds(span: Span | None) -> tuple[int, int] | None:
    return (span[0], span[1]) if span is not None else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_conll", description=__doc__)
    parser.add_argument("--corpora", type=Path, help="folder of the corpus mirrors")
    parser.add_argument("--train", action="store_true", help="score eng.train as well")
    parser.add_argument(
        "--errors", type=int, default=0, metavar="N", help="print N examples of each error kind"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="first N documents of each file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(args.corpora, args.train, args.limit)
    return print_report(
        "CoNLL-2003", REPOSITORY, result, format_report, format_errors, args.errors, started
    )


if __name__ == "__main__":
    raise SystemExit(main())
