"""`wirestream bench --soak N`: N stories pushed at a steady rate through one worker on a real
broker, and every minute what a long run must keep flat: the worker's memory (its whole process
group), the lifecycle tables and near-duplicate index (/metrics), and consumer lag. Ends with a
verdict on flatness after warm-up. Run by bench.throughput when its arguments hold --soak.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.corpus import DEFAULT_WORDS, generate_corpus
from bench.e2e import PAGE, Session, scrape, temporary_broker

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results"
CHUNK = 200  # stories generated at a time: 50,000 of them never sit in memory at once
TABLES = ("story-published", "story-embargoed", "story-fingerprints")
FLAT_RSS = 0.10  # growth of the worker's RSS after warm-up that still counts as flat
FLAT_ROWS = 0.20  # the same for table rows (they step with each expiry pass)
# and how fast it may still grow at the end (least squares over the last half after warm-up):
# a relative bound alone lets a short run pass a leak that a week would not survive
FLAT_MB_PER_HOUR = 5.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    from agents.settings import load_settings

    s = load_settings()
    p = argparse.ArgumentParser(
        prog="wirestream bench --soak",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--soak", type=int, required=True, metavar="N", help="stories to push")
    p.add_argument("--rate", type=float, default=10.0, help="stories per second pushed")
    p.add_argument("--words", type=int, default=DEFAULT_WORDS, help="body words per story")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--retention-seconds",
        type=float,
        default=600.0,
        help="the worker's WIRESTREAM_RETENTION_DAYS, in seconds: short, so that the run "
        "reaches the steady state a week of traffic reaches at the default",
    )
    p.add_argument(
        "--sweep-seconds",
        type=float,
        default=30.0,
        help="the worker's WIRESTREAM_RETENTION_SWEEP_SECONDS (table sizes are counted then)",
    )
    p.add_argument("--interval", type=float, default=60.0, help="seconds between two reports")
    p.add_argument("--processes", type=int, default=max(1, s.nlp_processes))
    p.add_argument("--batch-size", type=int, default=s.batch_size)
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--broker", default=None, help="use this broker instead of a temporary one")
    p.add_argument(
        "--drain-seconds",
        type=float,
        default=600.0,
        help="longest wait, after the last push, for the last stories to come back",
    )
    p.add_argument("--output", type=Path, default=RESULTS, help="folder of the JSON results")
    p.add_argument(
        "--json",
        action="store_true",
        help="print the result document as JSON on stdout (the reports go to stderr)",
    )
    opts = p.parse_args(argv)
    if opts.soak < 1 or opts.rate <= 0:
        p.error("--soak takes a positive number of stories and --rate a positive rate")
    return opts


@dataclass
class Sample:
    elapsed_s: float
    pushed: int
    enriched: int
    dead_lettered: int
    rss_bytes: int  # the worker's process group: main process, NLP and finishing processes
    processes: int
    rows: dict[str, float] = field(default_factory=dict)  # table -> rows, from /metrics
    near_index: float | None = None
    expired: dict[str, float] = field(default_factory=dict)  # table -> rows expired so far
    lag: float | None = None  # raw + prepared, summed over partitions
    enriched_per_s: float = 0.0  # since the sample before
    main_rss_bytes: int = 0  # the worker's main process alone (tables, stores, index)


def group_rss(pgid: int, only: int | None = None) -> tuple[int, int]:
    """RSS bytes summed over the processes of group `pgid` (or of process `only` in it), and
    how many there are."""
    total = count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or (only is not None and int(entry.name) != only):
            continue
        try:
            stat = Path(entry.path, "stat").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()  # from state on
        if int(fields[2]) == pgid:
            total += int(fields[21]) * PAGE
            count += 1
    return total, count


def take_sample(
    session: Session, started: float, pushed: int, before: Sample | None, base: tuple[int, int]
) -> Sample:
    """Now, counted from the soak's start; `base` is (enriched, dead-lettered) at that start
    (the warm-up stories)."""
    pid = session.procs[0].pid
    rss, processes = group_rss(pid)
    main_rss = group_rss(pid, only=pid)[0]
    try:
        metrics = scrape(f"{session.settings[0].web_url}/metrics")
    except OSError:
        metrics = {}
    with session.lock:
        enriched, dead = len(session.enriched) - base[0], len(session.dead) - base[1]
    sample = Sample(time.monotonic() - started, pushed, enriched, dead, rss, processes)
    sample.main_rss_bytes = main_rss
    for name, value in metrics.items():
        label = name.partition('table="')[2].partition('"')[0]
        if name.startswith("wirestream_table_rows{"):
            sample.rows[label] = value
        elif name.startswith("wirestream_table_rows_expired_total{"):
            sample.expired[label] = value
    sample.near_index = metrics.get("wirestream_near_index_stories")
    lags = [v for k, v in metrics.items() if k.startswith("wirestream_consumer_lag_messages{")]
    sample.lag = sum(lags) if lags else None
    since = before or Sample(0.0, 0, 0, 0, 0, 0)
    if sample.elapsed_s > since.elapsed_s:
        sample.enriched_per_s = (enriched - since.enriched) / (sample.elapsed_s - since.elapsed_s)
    return sample


HEADER = (
    f"{'min':>6} {'pushed':>7} {'enriched':>8} {'/s':>5} {'RSS MB':>7} {'main':>5} "
    f"{'published':>9} {'embargoed':>9} {'fingerpr.':>9} {'near idx':>8} {'expired':>8} "
    f"{'lag':>6}"
)


def row_text(s: Sample) -> str:
    def number(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    rows = [number(s.rows.get(t)) for t in TABLES]
    return (
        f"{s.elapsed_s / 60:6.1f} {s.pushed:7d} {s.enriched:8d} {s.enriched_per_s:5.1f} "
        f"{s.rss_bytes / 2**20:7.0f} {s.main_rss_bytes / 2**20:5.0f} "
        f"{rows[0]:>9} {rows[1]:>9} {rows[2]:>9} "
        f"{number(s.near_index):>8} {number(s.expired.get('story-published')):>8} "
        f"{number(s.lag):>6}"
    )


def verdict(samples: list[Sample], warm_up_s: float) -> dict[str, Any]:
    """Growth from the first sample after warm-up to the end of the run, for RSS and each
    table; flat when RSS grew less than FLAT_RSS, still grows less than FLAT_MB_PER_HOUR at
    the end, and every table grew less than FLAT_ROWS."""
    after = [s for s in samples if s.elapsed_s >= warm_up_s]
    if len(after) < 2:
        return {"flat": None, "reason": "the run ended before warm-up did: make it longer"}
    first, rest, last = after[0], after[1:], after[-1]
    hours = (last.elapsed_s - first.elapsed_s) / 3600
    growth: dict[str, float | None] = {
        "rss": max(s.rss_bytes for s in rest) / first.rss_bytes - 1 if first.rss_bytes else None
    }
    for table in (*TABLES, "near-index"):
        start = first.near_index if table == "near-index" else first.rows.get(table)
        values = [s.near_index if table == "near-index" else s.rows.get(table) for s in rest]
        peak = max((v for v in values if v is not None), default=None)
        growth[table] = None if start is None or peak is None else (peak - start) / max(start, 1)
    table_growth = [g for k, g in growth.items() if k != "rss" and g is not None]
    tail = after[len(after) // 2 :]
    end_slope = _slope([s.elapsed_s / 3600 for s in tail], [s.rss_bytes / 2**20 for s in tail])
    flat = (
        growth["rss"] is not None
        and growth["rss"] < FLAT_RSS
        and end_slope < FLAT_MB_PER_HOUR
        and all(g < FLAT_ROWS for g in table_growth)
    )
    return {
        "flat": flat,
        "from_s": first.elapsed_s,
        "to_s": samples[-1].elapsed_s,
        "growth": growth,
        "rss_mb": {
            "after_warm_up": first.rss_bytes / 2**20,
            "peak": max(s.rss_bytes for s in after) / 2**20,
            "end": samples[-1].rss_bytes / 2**20,
        },
        # MB an hour, from the first sample after warm-up to the last: what a growth is made of
        "rss_mb_per_hour": (last.rss_bytes - first.rss_bytes) / 2**20 / hours,
        "main_rss_mb_per_hour": (last.main_rss_bytes - first.main_rss_bytes) / 2**20 / hours,
        "rss_mb_per_hour_at_end": end_slope,
        "lag_end": samples[-1].lag,
        "lag_peak_after_warm_up": max((s.lag for s in after if s.lag is not None), default=None),
    }


def _slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs (0 with fewer than two distinct xs)."""
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread if spread else 0.0


def soak(opts: argparse.Namespace, say: Any) -> dict[str, Any]:
    retention_days = opts.retention_seconds / 86400
    duration = opts.soak / opts.rate
    # tables fill for one retention, then step with each pass: warm-up covers both
    warm_up = max(0.25 * duration, opts.retention_seconds + 2 * opts.sweep_seconds)
    report: dict[str, Any] = {
        "command": "wirestream bench " + " ".join(opts.argv),
        "stories": opts.soak,
        "rate": opts.rate,
        "words": opts.words,
        "retention_seconds": opts.retention_seconds,
        "sweep_seconds": opts.sweep_seconds,
        "warm_up_s": warm_up,
        "started": datetime.now().isoformat(timespec="seconds"),
        "loadavg_before": _loadavg(),
    }
    with temporary_broker(opts.broker) as (bootstrap, broker_pid):
        session = Session(
            bootstrap, 1, opts.partitions, opts.processes, opts.batch_size, broker_pid=broker_pid
        )
        session.settings = [
            s.model_copy(
                update={
                    "retention_days": retention_days,
                    "retention_sweep_seconds": opts.sweep_seconds,
                }
            )
            for s in session.settings
        ]
        try:
            warm = generate_corpus(8 * opts.processes, words=opts.words, seed=opts.seed + 1)
            report["startup_seconds"] = session.start(warm)
            say(
                f"soak: {opts.soak} stories at {opts.rate}/s (~{duration / 60:.0f} min), "
                f"retention {opts.retention_seconds:.0f} s, warm-up {warm_up / 60:.1f} min"
            )
            say(HEADER)
            samples = _push(session, opts, say)
        except BaseException:
            log = (session.tmp / "worker-0.log").read_text(errors="replace")
            print(f"--- worker log, last lines:\n{log[-3000:]}", file=sys.stderr)
            raise
        finally:
            session.stop()
    report["samples"] = [asdict(s) for s in samples]
    report["verdict"] = verdict(samples, warm_up)
    report["loadavg_after"] = _loadavg()
    return report


def _push(session: Session, opts: argparse.Namespace, say: Any) -> list[Sample]:
    """Push at `opts.rate`, a report every `opts.interval` s, then wait for the stragglers."""
    producer, started = session.producer, time.monotonic()
    with session.lock:
        base = len(session.enriched), len(session.dead)
    samples: list[Sample] = []
    next_report = started + opts.interval
    pushed = 0
    unchecked: list[Any] = []  # sends of the chunk before: a refused one fails the run

    def report() -> None:
        before = samples[-1] if samples else None
        samples.append(take_sample(session, started, pushed, before, base))
        say(row_text(samples[-1]))

    for first in range(0, opts.soak, CHUNK):
        count = min(CHUNK, opts.soak - first)
        checked, unchecked = unchecked, []
        for future in checked:
            future.get(timeout=60)
        for story in generate_corpus(count, words=opts.words, seed=opts.seed, start=first):
            delay = started + pushed / opts.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            unchecked.append(
                producer.send(session.raw, key=story.story_id.encode(), value=story.data)
            )
            pushed += 1
            if time.monotonic() >= next_report:
                session._check_alive()  # noqa: SLF001 - the Session's own liveness check
                report()
                next_report += opts.interval
    producer.flush()
    for future in unchecked:
        future.get(timeout=60)
    deadline = time.monotonic() + opts.drain_seconds
    while time.monotonic() < deadline:
        with session.lock:
            done = len(session.enriched) + len(session.dead) - sum(base) >= pushed
        if done:
            break
        if time.monotonic() >= next_report:
            report()
            next_report += opts.interval
        time.sleep(0.5)
    report()
    return samples


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def render(report: dict[str, Any]) -> str:
    v = report["verdict"]
    if v.get("flat") is None:
        return f"verdict: {v['reason']}"
    growth = ", ".join(
        f"{name} {'-' if g is None else f'{100 * g:+.1f}%'}" for name, g in v["growth"].items()
    )
    last = report["samples"][-1]
    return (
        f"after warm-up ({v['from_s'] / 60:.1f} to {v['to_s'] / 60:.1f} min): {growth}; "
        f"RSS {v['rss_mb']['after_warm_up']:.0f} -> peak {v['rss_mb']['peak']:.0f} MB "
        f"({v['rss_mb_per_hour']:+.1f} MB/h, main process {v['main_rss_mb_per_hour']:+.1f}); "
        f"lag at the end {last['lag']}; {last['enriched']} of {last['pushed']} enriched, "
        f"{last['dead_lettered']} dead-lettered\n"
        f"verdict: {'FLAT' if v['flat'] else 'NOT FLAT'} (RSS under +{100 * FLAT_RSS:.0f}% and "
        f"growing under {FLAT_MB_PER_HOUR:.0f} MB/h at the end, now "
        f"{v['rss_mb_per_hour_at_end']:+.1f}; tables under +{100 * FLAT_ROWS:.0f}%)"
    )


def main(argv: list[str]) -> int:
    opts = parse_args(argv)
    opts.argv = argv
    # a long run is often stopped with kill: stop the worker and the broker on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = sys.stderr if opts.json else sys.stdout

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    report = soak(opts, say)
    opts.output.mkdir(parents=True, exist_ok=True)
    path = opts.output / f"soak-{datetime.now():%Y%m%dT%H%M%S}.json"
    document = json.dumps(report, indent=2, default=str) + "\n"
    path.write_text(document)
    if opts.json:
        sys.stdout.write(document)
    say(render(report))
    say(f"results: {path}")
    return 1 if report["verdict"].get("flat") is False else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
