"""`wirestream eval`: every quality figure in one run, ours beside the off-the-shelf baseline.

Seed story (quotes, timex, entities against its gold), MEANTIME (timex values, entity
mentions), places (country codes on MEANTIME's linked places and the seed's), the quote gold
set, the development corpora read from their fetched mirrors (PolNeAR quotes and speakers,
TBAQ-cleaned time expressions, CoNLL-2003 entities; `--corpora`
or WIRESTREAM_CORPORA, each skipped with a line when absent), and the cost of enrichment
against bare NER.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def cost_ratio(stories: int = 40, words: int = 400) -> dict[str, float]:
    """CPU seconds per 400-word story: bare spaCy NER vs the whole enrichment, same process
    (process CPU time, not wall time: another load on the machine does not move the ratio)."""
    from bench.corpus import generate_corpus
    from pipeline.enrich import Enricher, RawInput
    from pipeline.formats import parse_story

    corpus = generate_corpus(stories, words=words, seed=7)
    enricher = Enricher()
    bodies = [parse_story(story.data).body for story in corpus]
    enricher.model(bodies[:2])  # load and warm the model
    enricher([RawInput(corpus[0].data)])  # warm the gazetteer, language detector
    started = time.process_time()
    for body in bodies:
        enricher.model([body])
    bare = (time.process_time() - started) / stories
    started = time.process_time()
    for story in corpus:
        enricher([RawInput(story.data)])
    full = (time.process_time() - started) / stories
    return {
        "bare_ner_ms": round(bare * 1000, 2),
        "enrichment_ms": round(full * 1000, 2),
        "ratio": round(full / bare, 3),
    }


def _print_seed(results: dict[str, Any]) -> None:
    for story, systems in results.items():
        print(f"\nseed story {story}")
        print(f"  {'task':28}{'wirestream':>26}{'baseline':>26}")
        rows = [
            ("quotes P/R/F1 (30% overlap)", "quotes", None),
            ("quote speaker accuracy", "quotes", "speaker_accuracy"),
            ("timex value P/R/F1", "timex", "value"),
            ("entity mentions P/R/F1", "entities", None),
            ("entities grouped whole", "entities", "entities_whole"),
        ]
        for title, task, key in rows:
            cells = []
            for system in ("wirestream", "baseline"):
                score = systems[system][task]
                if key in ("speaker_accuracy", "entities_whole"):
                    cells.append(str(score[key]))
                    continue
                score = score[key] if key else score
                cells.append(f"{score['precision']:.3f}/{score['recall']:.3f}/{score['f1']:.3f}")
            print(f"  {title:28}{cells[0]:>26}{cells[1]:>26}")


DEVELOPMENT = (
    (
        "polnear",
        "bench.eval_polnear",
        "quotes and speakers on PolNeAR train (840 US political news articles; development set)",
        "networkdynamics/PolNeAR",
    ),
    (
        "tbaq",
        "bench.eval_tbaq",
        "time expressions on TBAQ-cleaned (TimeBank + AQUAINT; development set)",
        "qiangning/StructTempRel-EMNLP17",
    ),
    (
        "conll",
        "bench.eval_conll",
        "entities on CoNLL-2003 eng.testa (Reuters; development set)",
        "allanj/StatNLP-Projects",
    ),
)


def development_corpora(corpora: Path | None, limit: int | None) -> dict[str, Any]:
    """Each development corpus scored and printed, or one line saying it was not found."""
    import importlib

    from bench.corpora.mirror import corpora_root

    found: dict[str, Any] = {}
    for key, module_name, title, repository in DEVELOPMENT:
        module = importlib.import_module(module_name)
        result = module.run(corpora, limit=limit)
        if result is None:
            print(f"\n{title}: skipped, no mirror of {repository} under {corpora_root(corpora)}")
            continue
        print(f"\n{title}")
        print(module.format_report(result))
        found[key] = result
    return found


def _figures_only(report: Any) -> Any:
    """The report without the corpus documents some results keep for error listings."""
    if isinstance(report, dict):
        return {k: _figures_only(v) for k, v in report.items() if k not in ("docs", "errors")}
    if isinstance(report, list):
        return [_figures_only(v) for v in report]
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="wirestream eval",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--skip-cost", action="store_true", help="skip the cost measurement")
    parser.add_argument(
        "--corpora",
        type=Path,
        default=None,
        help="folder of the fetched corpus mirrors (default: $WIRESTREAM_CORPORA, else ../.mirror)",
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="score only the first N documents of each corpus"
    )
    args = parser.parse_args(argv)
    report: dict[str, Any] = {}

    seed_dir, meantime = args.shared / "seed", args.shared / "meantime"
    if seed_dir.is_dir():
        from bench import seed_eval

        report["seed"] = seed_eval.run(seed_dir)
        _print_seed(report["seed"])
    else:
        print(f"seed story not found at {seed_dir}: skipped")

    from bench import eval_timex

    print("\ntime expressions (TempEval-3 style: value needs overlap and the same value)")
    report["timex"] = eval_timex.run(
        meantime if meantime.is_dir() else None, seed_dir if seed_dir.is_dir() else None
    )
    print(eval_timex.format_report(report["timex"]))

    if meantime.is_dir():
        from bench import eval_entities

        print("\nentities on MEANTIME (name mentions in the annotated sentences)")
        report["entities"] = eval_entities.run(meantime)
        print(eval_entities.format_report(report["entities"]))

    from bench import eval_places

    places = eval_places.run(
        meantime if meantime.is_dir() else None, seed_dir if seed_dir.is_dir() else None
    )
    if places:
        print("\nplaces: country codes against MEANTIME's DBpedia links and the seed's gold")
        print(eval_places.format_report(places))
        report["places"] = places
    try:
        from bench import eval_quotes
    except ImportError:
        print("\nquote gold set: not annotated yet (bench/quote_gold)")
    else:
        print(
            "\nquotes on the quote gold set "
            "(bench/quote_gold: 90 MEANTIME articles, airbus, apple, gm)"
        )
        eval_quotes.main([])

    report.update(development_corpora(args.corpora, args.limit))

    if not args.skip_cost:
        report["cost"] = cost_ratio()
        cost = report["cost"]
        print(
            f"\ncost per 400-word story: bare NER {cost['bare_ner_ms']} ms, full enrichment "
            f"{cost['enrichment_ms']} ms, ratio {cost['ratio']} (target <= 1.5)"
        )
    if args.json:
        args.json.write_text(json.dumps(_figures_only(report), indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
