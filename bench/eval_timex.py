"""Benchmark of the timex stage on MEANTIME and the seed story, beside a dateparser baseline.

Run: `python -m bench.eval_timex [--meantime DIR] [--seed DIR]`. Scores follow TempEval-3:
extent is relaxed (any character overlap) and "value" needs an overlapping extent AND the
identical TIMEX3 value, so value F1 = extent F1 x value accuracy. Gold and predicted timexes are
paired one to one (value-equal pairs first, then any overlapping pair), so one long prediction
cannot cover several gold spans.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from bench.meantime import MeantimeDoc, load_corpus
from pipeline.timex import find_timex

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEFAULT_MEANTIME = SHARED / "meantime"
DEFAULT_SEED = SHARED / "seed"


class Span(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def value(self) -> str: ...


# A system reads (text, ISO date of the story) and returns its timexes.
System = Callable[[str, str | None], Sequence[Span]]


def score_timex(gold: Iterable[Span], predicted: Iterable[Span]) -> dict[str, Any]:
    """Counts and precision/recall/F1 of extent (relaxed) and of value, for one or many docs."""
    gold_list, pred_list = list(gold), list(predicted)
    free = set(range(len(gold_list)))
    value_hits = extent_hits = 0
    unmatched = []
    for same_value in (True, False):
        for pred in pred_list if same_value else unmatched:
            match = next(
                (
                    i
                    for i in sorted(free)
                    if gold_list[i].start < pred.end
                    and pred.start < gold_list[i].end
                    and (not same_value or gold_list[i].value == pred.value)
                ),
                None,
            )
            if match is None:
                if same_value:
                    unmatched.append(pred)
                continue
            free.discard(match)
            extent_hits += 1
            value_hits += same_value
    return {
        "gold": len(gold_list),
        "predicted": len(pred_list),
        "extent": _prf(extent_hits, len(pred_list), len(gold_list)),
        "value": _prf(value_hits, len(pred_list), len(gold_list)),
        # TempEval-3: value F1 = extent F1 x value accuracy (the share of matched with the value)
        "value_accuracy": value_hits / extent_hits if extent_hits else 0.0,
    }


def _prf(hits: int, predicted: int, gold: int) -> dict[str, float]:
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def ours(text: str, published: str | None) -> Sequence[Span]:
    return find_timex(text, published)


def score_meantime(docs: Sequence[MeantimeDoc], system: System) -> dict[str, Any]:
    """Score on every document, keeping only predictions inside its annotated sentences."""
    gold: list[Span] = []
    predicted: list[Span] = []
    for number, doc in enumerate(docs):
        offset = number * 1_000_000  # keeps documents apart in one pooled score
        limit = doc.annotated_end if doc.annotated_end is not None else len(doc.text)
        dct = doc.dct_span or (-1, -1)
        for timex in system(doc.text, doc.dct or None):
            if timex.start < limit and not (timex.start < dct[1] and dct[0] < timex.end):
                predicted.append(_Shifted(timex.start + offset, timex.end + offset, timex.value))
        gold += [_Shifted(g.start + offset, g.end + offset, g.value) for g in doc.timex]
    return score_timex(gold, predicted)


def score_seed(seed_dir: Path, system: System) -> dict[str, Any] | None:
    """Score on every *.gold.json of the seed folder, or None when there is none."""
    gold: list[Span] = []
    predicted: list[Span] = []
    files = sorted(seed_dir.glob("*.gold.json")) if seed_dir.is_dir() else []
    for number, path in enumerate(files):
        data = json.loads(path.read_text(encoding="utf-8"))
        offset = number * 1_000_000
        gold += [
            _Shifted(t["start"] + offset, t["end"] + offset, t["value"]) for t in data["timex"]
        ]
        predicted += [
            _Shifted(t.start + offset, t.end + offset, t.value)
            for t in system(data["text"], data.get("dct"))
        ]
    return score_timex(gold, predicted) if files else None


class _Shifted:
    __slots__ = ("start", "end", "value")

    def __init__(self, start: int, end: int, value: str) -> None:
        self.start, self.end, self.value = start, end, value


def dateparser_baseline() -> System | None:
    """spaCy DATE/TIME entities valued by dateparser, or None if dateparser is not installed."""
    try:
        from dateparser.date import DateDataParser
    except ImportError:
        return None
    from pipeline.nlp import LanguageModel

    model = LanguageModel()

    def system(text: str, published: str | None) -> Sequence[Span]:
        base = datetime.fromisoformat(published[:10]) if published else datetime(2000, 1, 1)
        settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
        parser = DateDataParser(languages=["en"], settings=settings)
        spans = [s for s in model([text])[0] if s.label in ("DATE", "TIME")]
        return [_Shifted(s.start, s.end, _dateparser_value(parser, s.text)) for s in spans]

    return system


def _dateparser_value(parser: Any, text: str) -> str:
    try:
        data = parser.get_date_data(text)
    except Exception:  # dateparser raises assorted errors on odd strings: no value then
        return ""
    moment, period = data.date_obj, data.period
    if moment is None:
        return ""
    if period == "year":
        return f"{moment.year:04d}"
    if period == "month":
        return f"{moment.year:04d}-{moment.month:02d}"
    if period == "week":
        iso_year, week, _ = moment.isocalendar()
        return f"{iso_year:04d}-W{week:02d}"
    if period == "time":
        return moment.strftime("%Y-%m-%dT%H:%M")
    return moment.date().isoformat()


def run(meantime_dir: Path | None, seed_dir: Path | None) -> dict[str, Any]:
    """All figures: {"meantime": {"ours", "baseline"}, "seed": {...}}; None where no data."""
    baseline = dateparser_baseline()
    systems: dict[str, System | None] = {"ours": ours, "baseline": baseline}
    result: dict[str, Any] = {"baseline_available": baseline is not None}
    docs = load_corpus(meantime_dir) if meantime_dir is not None and meantime_dir.is_dir() else []
    result["meantime"] = {
        name: score_meantime(docs, system) if docs and system else None
        for name, system in systems.items()
    }
    result["seed"] = {
        name: score_seed(seed_dir, system) if seed_dir is not None and system else None
        for name, system in systems.items()
    }
    return result


def format_report(result: dict[str, Any]) -> str:
    lines = [
        f"{'corpus':10} {'system':9} {'gold':>5} {'pred':>5}  "
        f"{'extent P/R/F1':>17}  {'value P/R/F1':>17}  {'value acc':>9}"
    ]
    for corpus in ("meantime", "seed"):
        for name, scores in result[corpus].items():
            if scores is None:
                reason = "baseline not available" if name == "baseline" else "no data"
                lines.append(f"{corpus:10} {name:9} {reason}")
                continue
            cells = [
                "/".join(
                    f"{scores[kind][m]:.3f}"[1:] if scores[kind][m] < 1 else "1.00"
                    for m in ("precision", "recall", "f1")
                )
                for kind in ("extent", "value")
            ]
            lines.append(
                f"{corpus:10} {name:9} {scores['gold']:5d} {scores['predicted']:5d}  "
                f"{cells[0]:>17}  {cells[1]:>17}  {scores['value_accuracy']:9.3f}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_timex", description=__doc__)
    parser.add_argument("--meantime", type=Path, default=DEFAULT_MEANTIME)
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    print(format_report(run(args.meantime, args.seed)))


if __name__ == "__main__":
    main()
