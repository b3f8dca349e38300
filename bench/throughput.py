"""`wirestream bench`: one run measures the bare spaCy limit, the offline Enricher and the worker
end to end on a real broker (throughput, latency, memory, scaling, cheap-path CPU), prints them
side by side and writes bench/results/<timestamp>.json. Run by `agents.cli bench`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.corpus import DEFAULT_WORDS, WireStory, generate_corpus, meantime_corpus
from bench.e2e import Session, WarmUpFailed, confined, temporary_broker
from bench.table import render, verdicts

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
STARTS = 4  # fresh worker groups tried before giving up


def parse_args(argv: list[str]) -> argparse.Namespace:
    from agents.settings import load_settings

    s = load_settings()
    p = argparse.ArgumentParser(
        prog="wirestream bench",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--stories", type=int, default=None, help="stories in the corpus (600)")
    p.add_argument(
        "--words",
        default=str(DEFAULT_WORDS),
        help="body words per story, 50..2000, or 'mixed' (flash to feature)",
    )
    p.add_argument("--corpus", choices=("synthetic", "meantime"), default="synthetic")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--processes",
        type=int,
        default=max(1, s.nlp_processes),
        help="NLP processes: for the limit, offline, and each worker's pool",
    )
    p.add_argument(
        "--limit-processes",
        type=int,
        default=None,
        help="bare nlp.pipe processes for the headline limit: one per core the worker may use "
        "(default; the single-process limit is measured too)",
    )
    p.add_argument(
        "--broker-cores",
        default=None,
        metavar="LIST",
        help="e.g. '1': the broker and the bench's own client on these cores, the worker, its "
        "pool and the limit's processes on the others (the broker's share kept off the cores "
        "the worker is measured on)",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=s.batch_size,
        help="stories per batch handed to the pool (WIRESTREAM_BATCH_SIZE)",
    )
    p.add_argument("--workers", type=int, default=1, help="worker processes in the group")
    p.add_argument(
        "--scaling",
        action="store_true",
        help="also run 2x the workers and report the scaling factor",
    )
    p.add_argument(
        "--pinned",
        action="store_true",
        help="with --scaling: also run the burst with each worker and its pool confined to one "
        "core (one worker on core 0, then two on cores 0 and 1): scaling one worker per core",
    )
    p.add_argument(
        "--partitions",
        type=int,
        default=0,
        help="raw/enriched partitions (default: max(setting, 2 x workers x 2))",
    )
    p.add_argument("--broker", default=None, help="use this broker instead of a temporary one")
    p.add_argument("--steady-rate", type=float, default=None, help="stories/s for the steady run")
    p.add_argument(
        "--steady-fraction",
        type=float,
        default=0.8,
        help="steady rate as a fraction of the measured burst rate (0 skips the run)",
    )
    p.add_argument("--steady-seconds", type=float, default=None, help="steady run length (30)")
    p.add_argument(
        "--cheap",
        type=int,
        default=None,
        help="messages per cost run, exact resends and invalid JSON (2000; 0 skips)",
    )
    p.add_argument("--no-e2e", action="store_true", help="limit and offline only, no broker")
    p.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the offline processes and the workers' main processes",
    )
    p.add_argument("--quick", action="store_true", help="smoke run: 100 stories, short phases")
    p.add_argument(
        "--soak",
        type=int,
        metavar="N",
        help="instead: N stories at a steady rate, memory, tables and lag every minute "
        "(bench/soak.py; `--soak N --help` for its options)",
    )
    p.add_argument("--output", type=Path, default=RESULTS, help="folder of the JSON results")
    p.add_argument(
        "--json",
        action="store_true",
        help="print the result document as JSON on stdout instead of the table (still written "
        "to --output)",
    )
    opts = p.parse_args(argv)
    for name, full, quick in (
        ("stories", 600, 100),
        ("steady_seconds", 30.0, 10.0),
        ("cheap", 2000, 300),
    ):
        if getattr(opts, name) is None:
            setattr(opts, name, quick if opts.quick else full)
    allowed = sorted(os.sched_getaffinity(0))
    opts.broker_cpus = opts.worker_cpus = None
    if opts.broker_cores is not None:
        try:
            broker = {int(c) for c in opts.broker_cores.split(",") if c.strip()}
        except ValueError:
            p.error("--broker-cores takes core numbers separated by commas, e.g. 1 or 2,3")
        workers = [c for c in allowed if c not in broker]
        if not broker or not broker <= set(allowed) or not workers:
            p.error(f"--broker-cores must be some, not all, of the cores allowed here: {allowed}")
        opts.broker_cpus, opts.worker_cpus = sorted(broker), workers
    if opts.limit_processes is None:
        opts.limit_processes = len(opts.worker_cpus or allowed)
    if opts.words != "mixed" and not opts.words.isdigit():
        p.error("--words takes a number of words or 'mixed'")
    opts.model, opts.max_story_bytes = s.model, s.max_story_bytes
    opts.output.mkdir(parents=True, exist_ok=True)
    return opts


def load_stories(opts: argparse.Namespace, count: int, start: int = 0) -> list[WireStory]:
    if opts.corpus == "meantime":
        return meantime_corpus(count, start=start)
    words = None if opts.words == "mixed" else int(opts.words)
    return generate_corpus(count, words=words, seed=opts.seed, start=start)


def model_inputs(stories: list[WireStory]) -> list[str]:
    """Exactly the texts the Enricher hands to the model: parsed, then normalised bodies."""
    from pipeline.formats import parse_story
    from pipeline.normalise import normalise

    return [normalise(parse_story(s.data)).body for s in stories]


# --- limit and offline: N spawned processes, each loads the model, all start together -------


def _share_main(kind: str, items: list[Any], opts: dict[str, Any], barrier: Any, out: Any) -> None:
    import cProfile
    import io
    import pstats
    import resource

    from pipeline.enrich import Enriched, Enricher, RawInput
    from pipeline.nlp import LanguageModel, load_model

    stages: dict[str, float] = {}
    failed = entities = 0
    if kind == "limit":
        nlp = load_model(opts["model"])
        list(nlp.pipe(["Warm-up."]))
    else:
        from bench.corpus import generate_story

        enricher = Enricher(LanguageModel(opts["model"]), max_story_bytes=opts["max_story_bytes"])
        enricher([RawInput(generate_story(10**6).data)])  # model, gazetteers, rule tables
    profiler = cProfile.Profile() if opts["profile"] and kind == "offline" else None
    barrier.wait()
    started, cpu = time.monotonic(), time.process_time()
    if profiler:
        profiler.enable()
    if kind == "limit":
        spacy_batch = LanguageModel().batch_size  # the batch size the worker's model pipes with
        entities = sum(len(doc.ents) for doc in nlp.pipe(items, batch_size=spacy_batch))
    else:
        size = opts["chunk"]
        for i in range(0, len(items), size):
            for outcome in enricher([RawInput(data) for data in items[i : i + size]]):
                if isinstance(outcome, Enriched):
                    entities += len(outcome.story.entities)
                    for stage, seconds in outcome.stage_seconds.items():
                        stages[stage] = stages.get(stage, 0.0) + seconds
                else:
                    failed += 1
    ended, cpu = time.monotonic(), time.process_time() - cpu
    text = ""
    if profiler:
        profiler.disable()
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(15)
        text = buffer.getvalue()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out.put(
        {
            "start": started,
            "end": ended,
            "cpu": cpu,
            "rss": rss,
            "stages": stages,
            "failed": failed,
            "entities": entities,
            "profile": text,
        }
    )


def run_parallel(
    kind: str, items: list[Any], words: int, opts: argparse.Namespace, processes: int = 0
) -> dict[str, Any]:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    n = processes or opts.processes
    barrier, out = ctx.Barrier(n), ctx.Queue()
    config = {
        "model": opts.model,
        "max_story_bytes": opts.max_story_bytes,
        "profile": opts.profile,
        "chunk": max(1, math.ceil(opts.batch_size / n)),
    }
    procs = [
        ctx.Process(target=_share_main, args=(kind, items[i::n], config, barrier, out))
        for i in range(n)
    ]
    for proc in procs:
        proc.start()
    parts = [out.get(timeout=3600) for _ in procs]
    for proc in procs:
        proc.join()
    wall = max(p["end"] for p in parts) - min(p["start"] for p in parts)
    stages: dict[str, float] = {}
    for part in parts:
        for stage, seconds in part["stages"].items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    return {
        "processes": n,
        "stories": len(items),
        "seconds": wall,
        "stories_per_s": len(items) / wall,
        "words_per_s": words / wall,
        "cpu_seconds": sum(p["cpu"] for p in parts),
        "cpu_seconds_per_story": sum(p["cpu"] for p in parts) / len(items),
        "peak_rss_bytes_per_process": max(p["rss"] for p in parts),
        "failed": sum(p["failed"] for p in parts),
        "entities": sum(p["entities"] for p in parts),
        "stage_ms_per_story": {k: 1000 * v / len(items) for k, v in sorted(stages.items())},
        "profile": [p["profile"] for p in parts if p["profile"]],
    }


def run_session(
    opts: argparse.Namespace,
    broker: tuple[str, int | None],
    workers: int,
    stories: list[WireStory],
    *,
    steady: bool,
    cheap: bool,
    limit_rate: float,
    cores: Sequence[int | frozenset[int]] | None = None,
) -> dict[str, Any]:
    """Fresh topics and group, `workers` worker processes; burst, then steady and cheap runs."""
    partitions = opts.partitions or max(4, 2 * workers)
    result: dict[str, Any] = {
        "workers": workers,
        "partitions": partitions,
        "failed_starts": [],
        "cores": [sorted(c) if isinstance(c, frozenset) else c for c in cores] if cores else None,
    }
    budget = 120 + 3 * len(stories) / max(limit_rate, 0.1)
    for attempt in range(STARTS):
        session = Session(
            broker[0],
            workers,
            partitions,
            opts.processes,
            opts.batch_size,
            profile=opts.output if opts.profile else None,
            broker_pid=broker[1],
            cores=cores or (),
        )
        try:
            warm = load_stories(opts, 8 * workers * opts.processes, start=10**6 + 1000 * attempt)
            result["startup_seconds"] = session.start(warm)
            burst = session.measure(session.push, stories, budget=budget)
            broken = [r for r in burst["dead_letter_reasons"] if r.startswith("internal_error")]
            if broken or not burst["enriched"]:
                raise WarmUpFailed(
                    f"burst: {burst['enriched']} of {len(stories)} enriched; "
                    f"dead letters: {burst['dead_letter_reasons']}"
                )
            break
        except WarmUpFailed as exc:  # a worker group that dead-letters good copy is broken
            print(f"worker group failed, starting a fresh one: {exc}", file=sys.stderr)
            result["failed_starts"].append(str(exc))
            session.stop()
        except BaseException:
            _print_logs(session)
            session.stop()
            raise
    else:
        raise RuntimeError(f"workers failed {STARTS} times: {result['failed_starts']}")
    try:
        burst["words_per_s"] = sum(s.words for s in stories) / burst["seconds"]
        result["burst"] = burst
        rate = opts.steady_rate or opts.steady_fraction * burst["stories_per_s"]
        if steady and rate > 0:
            count = max(2, int(rate * opts.steady_seconds))
            paced = load_stories(opts, count, start=len(stories))
            result["steady"] = {
                "rate": rate,
                **session.measure(session.push, paced, rate=rate, budget=budget),
            }
        if cheap and opts.cheap:
            result["resend"] = session.resend(stories[0], opts.cheap)
            result["cheap"] = session.cheap_path(opts.cheap)
        result.update(session.observed())
    except BaseException:
        _print_logs(session)
        raise
    finally:
        session.stop()
    result["worker_profiles"] = session.profiles
    return result


def _print_logs(session: Session) -> None:
    for i in range(len(session.procs)):
        log = (session.tmp / f"worker-{i}.log").read_text(errors="replace")
        print(f"--- worker {i} log, last lines:\n{log[-3000:]}", file=sys.stderr)


def run(opts: argparse.Namespace) -> dict[str, Any]:
    from agents.settings import load_settings

    stories = load_stories(opts, opts.stories)
    texts = model_inputs(stories)
    words = sum(len(t.split()) for t in texts)
    report: dict[str, Any] = {
        "command": "wirestream bench " + " ".join(opts.argv),
        "machine": machine(),
        "corpus": {
            "kind": opts.corpus,
            "stories": len(stories),
            "words": words,
            "words_per_story": words / len(stories),
            "seed": opts.seed,
        },
        "processes": opts.processes,
        "finish_processes": load_settings().finish_processes,
        "batch_size": opts.batch_size,
        "model": opts.model,
    }
    report["limit_processes"] = whole = opts.limit_processes
    report["broker_cores"], report["worker_cores"] = opts.broker_cpus, opts.worker_cpus
    if opts.broker_cpus:
        print(f"broker and client on cores {opts.broker_cpus}, the rest on {opts.worker_cpus}")
    print(f"limit: bare nlp.pipe over {len(texts)} bodies in {whole} process(es), one per core...")
    with confined(opts.worker_cpus):
        report["limit"] = limit = run_parallel("limit", texts, words, opts, whole)
        if whole > 1:
            print("limit, one process: bare nlp.pipe in a single process...")
            report["limit_single"] = run_parallel("limit", texts, words, opts, 1)
        print(f"offline: Enricher in {opts.processes} process(es)...")
        report["offline"] = run_parallel("offline", [s.data for s in stories], words, opts)
    if opts.no_e2e:
        return report
    with confined(opts.broker_cpus), temporary_broker(opts.broker) as (bootstrap, broker_pid):
        print(f"end to end: broker {bootstrap}, {opts.workers} worker(s)...")
        rate = limit["stories_per_s"]
        report["e2e"] = run_session(
            opts,
            (bootstrap, broker_pid),
            opts.workers,
            stories,
            steady=True,
            cheap=True,
            limit_rate=rate,
            cores=[frozenset(opts.worker_cpus)] if opts.worker_cpus else None,
        )
        if opts.scaling:
            print(f"scaling: {2 * opts.workers} workers...")
            report["e2e_scaled"] = run_session(
                opts,
                (bootstrap, broker_pid),
                2 * opts.workers,
                stories,
                steady=False,
                cheap=False,
                limit_rate=rate,
            )
        cpus = sorted(os.sched_getaffinity(0))
        if opts.scaling and opts.pinned and len(cpus) >= 2 * opts.workers:
            runs = (("e2e_pinned", opts.workers), ("e2e_pinned_scaled", 2 * opts.workers))
            for key, count in runs:
                print(f"{count} worker(s), each confined to one core of {cpus[:count]}...")
                report[key] = run_session(
                    opts,
                    (bootstrap, broker_pid),
                    count,
                    stories,
                    steady=False,
                    cheap=False,
                    limit_rate=rate,
                    cores=cpus[:count],
                )
    print("limit again: the machine's load may have moved meanwhile...")
    with confined(opts.worker_cpus):
        report["limit_after"] = run_parallel("limit", texts, words, opts, whole)
    return report


def machine() -> dict[str, Any]:
    mem = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": int(mem) / 2**20,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg": loadavg(),
    }


def loadavg() -> str:
    """1-, 5- and 15-minute load: other work on the machine skews every wall-clock figure."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str]) -> int:
    if any(arg == "--soak" or arg.startswith("--soak=") for arg in argv):
        from bench.soak import main as soak_main

        return soak_main(argv)
    opts = parse_args(argv)
    opts.argv = argv
    report = run(opts)
    report["loadavg_after"] = loadavg()
    report["targets"] = verdicts(report)
    opts.output.mkdir(parents=True, exist_ok=True)
    path = opts.output / f"{datetime.now():%Y%m%dT%H%M%S}.json"
    document = json.dumps(report, indent=2, default=str) + "\n"
    path.write_text(document)
    if opts.json:
        sys.stdout.write(document)
        return 0
    for text in [*report["offline"]["profile"], *report.get("e2e", {}).get("worker_profiles", [])]:
        print(text)
    print(render(report))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
