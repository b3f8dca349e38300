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
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

from bench.corpus import DEFAULT_WORDS, WireStory, generate_corpus, meantime_corpus

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TARGETS = {"e2e_vs_limit": 0.9, "steady_p99_seconds": 1.0, "scaling": 1.8, "rss_gb": 1.5}


def parse_args(argv: list[str]) -> argparse.Namespace:
    from agents.settings import load_settings

    s = load_settings()
    p = argparse.ArgumentParser(prog="wirestream bench", description=__doc__)
    p.add_argument("--stories", type=int, default=600, help="stories in the corpus (600)")
    p.add_argument("--words", default=str(DEFAULT_WORDS),
                   help="body words per story, 50..2000, or 'mixed' (flash to feature)")
    p.add_argument("--corpus", choices=("synthetic", "meantime"), default="synthetic")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--processes", type=int, default=max(1, s.nlp_processes),
                   help="NLP processes: for the limit, offline, and each worker's pool")
    p.add_argument("--batch-size", type=int, default=s.batch_size,
                   help="stories per batch handed to the pool (WIRESTREAM_BATCH_SIZE)")
    p.add_argument("--workers", type=int, default=1, help="worker processes in the group")
    p.add_argument("--scaling", action="store_true",
                   help="also run 2x the workers and report the scaling factor")
    p.add_argument("--partitions", type=int, default=0,
                   help="raw/enriched partitions (default: max(setting, 2 x workers x 2))")
    p.add_argument("--broker", default=None, help="use this broker instead of a temporary one")
    p.add_argument("--steady-rate", type=float, default=None, help="stories/s for the steady run")
    p.add_argument("--steady-fraction", type=float, default=0.5,
                   help="steady rate as a fraction of the measured max (0 skips the run)")
    p.add_argument("--steady-seconds", type=float, default=30.0)
    p.add_argument("--cheap", type=int, default=2000, help="invalid-JSON messages (0 skips)")
    p.add_argument("--no-e2e", action="store_true", help="limit and offline only, no broker")
    p.add_argument("--profile", action="store_true", help="cProfile the offline processes")
    p.add_argument("--quick", action="store_true", help="smoke run: 100 stories, short phases")
    p.add_argument("--output", type=Path, default=RESULTS, help="folder of the JSON results")
    opts = p.parse_args(argv)
    if opts.quick:
        opts.stories, opts.steady_seconds, opts.cheap = min(opts.stories, 100), 10.0, 300
    if opts.words != "mixed" and not opts.words.isdigit():
        p.error("--words takes a number of words or 'mixed'")
    opts.model, opts.max_story_bytes = s.model, s.max_story_bytes
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
    out.put({"start": started, "end": ended, "cpu": cpu, "rss": rss, "stages": stages,
             "failed": failed, "entities": entities, "profile": text})


def run_parallel(
    kind: str, items: list[Any], words: int, opts: argparse.Namespace
) -> dict[str, Any]:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    n = opts.processes
    barrier, out = ctx.Barrier(n), ctx.Queue()
    config = {"model": opts.model, "max_story_bytes": opts.max_story_bytes,
              "profile": opts.profile, "chunk": max(1, math.ceil(opts.batch_size / n))}
    procs = [ctx.Process(target=_share_main, args=(kind, items[i::n], config, barrier, out))
             for i in range(n)]
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
        "stories": len(items), "seconds": wall, "stories_per_s": len(items) / wall,
        "words_per_s": words / wall, "cpu_seconds": sum(p["cpu"] for p in parts),
        "cpu_seconds_per_story": sum(p["cpu"] for p in parts) / len(items),
        "peak_rss_bytes_per_process": max(p["rss"] for p in parts),
        "failed": sum(p["failed"] for p in parts), "entities": sum(p["entities"] for p in parts),
        "stage_ms_per_story": {k: 1000 * v / len(items) for k, v in sorted(stages.items())},
        "profile": [p["profile"] for p in parts if p["profile"]],
    }


# --- end to end -------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float | None]:
    if len(values) < 2:
        return {"p50": values[0] if values else None, "p95": None, "p99": None, "max": None}
    q = quantiles(values, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "p99": q[98], "max": max(values)}


# --- end to end: a broker, worker processes, and what is measured on them ---------------------

PAGE, TICK = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")


@contextmanager
def temporary_broker(bootstrap: str | None) -> Iterator[str]:
    """The broker given, or a LocalBroker on free ports in a temporary folder, stopped after."""
    if bootstrap:
        yield bootstrap
        return
    from deploy.kafka.broker import LocalBroker

    with tempfile.TemporaryDirectory(prefix="wirestream-bench-kafka-") as state:
        broker = LocalBroker(port=free_port(), controller_port=free_port(), state_dir=Path(state))
        broker.start()
        try:
            yield broker.bootstrap
        finally:
            broker.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proc_table() -> dict[int, tuple[int, float, int]]:
    """pid -> (parent pid, CPU seconds, RSS bytes) of every process, read from /proc."""
    table = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_bytes()
            except OSError:
                continue
            f = stat[stat.rindex(b")") + 2 :].split()  # fields after "pid (comm)", from state
            cpu = (int(f[11]) + int(f[12])) / TICK
            table[int(entry.name)] = (int(f[1]), cpu, int(f[21]) * PAGE)
    return table


def worker_env(settings: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
    for name, value in settings.model_dump().items():
        if value is not None:
            secret = getattr(value, "get_secret_value", None)
            env[f"WIRESTREAM_{name.upper()}"] = str(secret() if secret else value)
    return env


def scrape(url: str) -> dict[str, float]:
    """Every wirestream_* sample on a /metrics page, keyed by name with labels."""
    with urllib.request.urlopen(url, timeout=2) as response:
        text = response.read().decode()
    return {name: float(value) for name, _, value in
            (line.rpartition(" ") for line in text.splitlines() if line.startswith("wirestream_"))}


class Session:
    """One consumer group on fresh topics: its workers, a producer, and three watcher threads
    (enriched/dead-letter collector, /proc sampler every 100 ms, /metrics scraper every 1 s)."""

    def __init__(self, bootstrap: str, workers: int, partitions: int, processes: int,
                 batch_size: int) -> None:
        from agents.settings import load_settings

        tag = uuid.uuid4().hex[:8]
        self.tmp = Path(tempfile.mkdtemp(prefix=f"wirestream-bench-{tag}-"))
        base = load_settings().model_copy(update={
            "broker": bootstrap, "app_id": f"wirestream-bench-{tag}", "partitions": partitions,
            "topic_prefix": f"bench-{tag}", "nlp_processes": processes, "batch_size": batch_size})
        self.settings = [base.model_copy(update={"web_port": free_port(),
                                                 "data_dir": self.tmp / f"worker-{i}"})
                         for i in range(workers)]
        self.partitions = partitions
        self.procs: list[subprocess.Popen[bytes]] = []
        self.sent: dict[str, tuple[float, tuple[int, int]]] = {}  # id -> raw timestamp, offset
        self.enriched: dict[str, float] = {}  # id -> enriched record's timestamp
        self.dead: dict[tuple[int, int], float] = {}  # raw (partition, offset) -> timestamp
        self.peak = [{"tree": 0, "main": 0, "pool_process": 0} for _ in range(workers)]
        self.cpu: dict[int, float] = {}  # pid -> CPU seconds, for every process of every tree
        self.lag: list[float] = []
        self.lock, self.stopping = threading.Lock(), threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self, warm: list[WireStory]) -> float:
        """Start the workers; ready once every raw partition is assigned and warm-up stories
        sent to every partition came back enriched (so every NLP pool has its model)."""
        from kafka import KafkaProducer

        from agents.topics import ensure_topics, topic_specs

        started = time.monotonic()
        ensure_topics(self.settings[0])
        specs = topic_specs(self.settings[0])
        self.raw, self.out, self.dead_topic = (
            specs[role].name for role in ("raw", "enriched", "dead_letter"))
        self.producer = KafkaProducer(bootstrap_servers=self.settings[0].broker.split(","),
                                      acks="all", linger_ms=5, max_request_size=16 * 2**20)
        for i, settings in enumerate(self.settings):
            with (self.tmp / f"worker-{i}.log").open("wb") as log:
                self.procs.append(subprocess.Popen(
                    [sys.executable, "-m", "agents.cli", "worker"], cwd=ROOT, stdout=log,
                    stderr=subprocess.STDOUT, env=worker_env(settings), start_new_session=True))
        for target in (self._collect, self._sample, self._scrape):
            self.threads.append(threading.Thread(target=target, daemon=True))
            self.threads[-1].start()
        deadline = time.monotonic() + 180
        while self._assigned() < min(self.partitions, len(self.procs)):
            self._check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError("workers did not get their partitions within 180 s")
            time.sleep(0.5)
        if self.push(warm, budget=120, partitioned=True)["missing"]:
            raise TimeoutError("warm-up stories did not come back within 120 s")
        return time.monotonic() - started

    def _assigned(self) -> int:
        """Workers owning raw partitions, or 0 until every raw partition is owned."""
        owned: list[set[str]] = []
        for settings in self.settings:
            try:
                with urllib.request.urlopen(f"{settings.web_url}/health", timeout=2) as response:
                    assigned = json.loads(response.read())["assigned"]
            except (OSError, ValueError, KeyError):
                return 0
            owned.append({a for a in assigned if a.rpartition(":")[0] == self.raw})
        every = set().union(*owned)
        return sum(bool(o) for o in owned) if len(every) == self.partitions else 0

    def _check_alive(self) -> None:
        for i, proc in enumerate(self.procs):
            if proc.poll() is not None:
                raise RuntimeError(f"worker {i} exited with {proc.returncode}")

    def push(self, stories: list[WireStory], *, budget: float, rate: float | None = None,
             partitioned: bool = False) -> dict[str, Any]:
        """Send stories (as fast as possible, or paced at `rate`/s); wait for every result."""
        futures, started = [], time.time()
        for i, story in enumerate(stories):
            if rate and (delay := started + i / rate - time.time()) > 0:
                time.sleep(delay)
            futures.append((story.story_id, self.producer.send(
                self.raw, key=story.story_id.encode(), value=story.data,
                partition=i % self.partitions if partitioned else None)))
        self.producer.flush()
        for story_id, future in futures:
            meta = future.get(timeout=60)
            with self.lock:
                self.sent[story_id] = (meta.timestamp / 1000, (meta.partition, meta.offset))
        ids = [story_id for story_id, _ in futures]
        missing = self._wait(lambda: [i for i in ids if not self._arrived(i)], budget)
        with self.lock:
            done = [i for i in ids if i in self.enriched]
            latency = [self.enriched[i] - self.sent[i][0] for i in done]
            first = min(self.sent[i][0] for i in ids)
            last = max([self.enriched[i] for i in done] or [first + 1e-3])
        return {"stories": len(ids), "enriched": len(done), "missing": len(missing),
                "dead_lettered": len(ids) - len(done) - len(missing), "seconds": last - first,
                "stories_per_s": len(done) / (last - first), "latency_s": percentiles(latency)}

    def _arrived(self, story_id: str) -> bool:
        with self.lock:
            return story_id in self.enriched or self.sent[story_id][1] in self.dead

    def _wait(self, pending: Any, budget: float) -> list[Any]:
        deadline = time.monotonic() + budget
        while (left := pending()) and time.monotonic() < deadline:
            self._check_alive()
            time.sleep(0.05)
        return list(left)

    def cheap_path(self, count: int) -> dict[str, Any]:
        """Worker CPU per message that is dead-lettered at once (invalid JSON), idle CPU
        subtracted: what a resend would cost if dedup dropped it as early as parsing."""
        cpu, clock = self.tree_cpu(), time.monotonic()
        time.sleep(3)
        idle = (self.tree_cpu() - cpu) / (time.monotonic() - clock)
        cpu, clock, first = self.tree_cpu(), time.monotonic(), time.time()
        futures = [self.producer.send(self.raw, value=b'{"body": "cut off at ' + b"%d" % i)
                   for i in range(count)]
        self.producer.flush()
        offsets = [(meta.partition, meta.offset) for meta in (f.get(timeout=60) for f in futures)]
        missing = self._wait(lambda: [o for o in offsets if o not in self.dead], 300)
        elapsed = time.monotonic() - clock
        used = self.tree_cpu() - cpu - idle * elapsed
        with self.lock:
            last = max([self.dead[o] for o in offsets if o in self.dead] or [first])
        return {"messages": count, "missing": len(missing), "idle_cpu_s_per_s": idle,
                "cpu_ms_per_message": 1000 * used / count,
                "messages_per_s": (count - len(missing)) / max(last - first, 1e-3)}

    def _collect(self) -> None:
        from kafka import KafkaConsumer, TopicPartition

        consumer = KafkaConsumer(bootstrap_servers=self.settings[0].broker.split(","),
                                 group_id=None, enable_auto_commit=False,
                                 auto_offset_reset="earliest")
        consumer.assign([TopicPartition(self.out, p) for p in range(self.partitions)]
                        + [TopicPartition(self.dead_topic, 0)])
        while not self.stopping.is_set():
            for tp, records in consumer.poll(timeout_ms=100).items():
                for record in records:
                    stamp = record.timestamp / 1000
                    if tp.topic == self.out:
                        with self.lock:
                            self.enriched[record.key.decode()] = stamp
                        continue
                    source = json.loads(record.value).get("source") or {}
                    with self.lock:
                        self.dead[(source.get("partition"), source.get("offset"))] = stamp
        consumer.close()

    def _sample(self) -> None:
        while not self.stopping.wait(0.1):
            self.tree_cpu()

    def tree_cpu(self) -> float:
        """Sample /proc: update peak RSS of each worker's tree; return CPU seconds of all trees."""
        table = proc_table()
        children: dict[int, list[int]] = {}
        for pid, (parent, _, _) in table.items():
            children.setdefault(parent, []).append(pid)
        with self.lock:
            for index, proc in enumerate(self.procs):
                tree, todo = [], [proc.pid]
                while todo:
                    pid = todo.pop()
                    if pid in table:
                        tree.append(pid)
                        todo.extend(children.get(pid, ()))
                        self.cpu[pid] = table[pid][1]
                peak = self.peak[index]
                peak["tree"] = max(peak["tree"], sum(table[p][2] for p in tree))
                peak["main"] = max(peak["main"], table[tree[0]][2] if tree else 0)
                peak["pool_process"] = max([peak["pool_process"], *(table[p][2] for p in tree[1:])])
            return sum(self.cpu.values())

    def _scrape(self) -> None:
        while not self.stopping.wait(1.0):
            for settings in self.settings:
                try:
                    value = scrape(f"{settings.web_url}/metrics")
                except OSError:
                    continue
                if "wirestream_event_loop_lag_seconds" in value:
                    self.lag.append(value["wirestream_event_loop_lag_seconds"])

    def observed(self) -> dict[str, Any]:
        """What the workers say about themselves: stage times, batch sizes, loop lag; and RSS."""
        totals: dict[str, float] = {}
        for settings in self.settings:
            for name, value in scrape(f"{settings.web_url}/metrics").items():
                totals[name] = totals.get(name, 0.0) + value
        stages = {}
        for name, value in totals.items():
            if name.startswith("wirestream_stage_seconds_sum{"):
                stage = name.split('"')[1]
                count = totals.get(f'wirestream_stage_seconds_count{{stage="{stage}"}}', 0.0)
                stages[stage] = 1000 * value / count if count else None
        batches = totals.get("wirestream_batch_size_stories_count", 0.0)
        return {"stage_ms_per_story": dict(sorted(stages.items())),
                "mean_batch": totals.get("wirestream_batch_size_stories_sum", 0.0) / batches
                if batches else None,
                "event_loop_lag_s": {"max": max(self.lag), "median": sorted(self.lag)[
                    len(self.lag) // 2]} if self.lag else None,
                "peak_rss_bytes": self.peak}

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=10)
        if hasattr(self, "producer"):
            self.producer.close(timeout=10)
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            with suppress(ProcessLookupError):  # pool processes left behind by a hard stop
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_session(
    opts: argparse.Namespace, bootstrap: str, workers: int, stories: list[WireStory],
    *, steady: bool, cheap: bool, limit_rate: float,
) -> dict[str, Any]:
    """Fresh topics and group, `workers` worker processes; burst, then steady and cheap runs."""
    partitions = opts.partitions or max(4, 2 * workers)
    session = Session(bootstrap, workers, partitions, opts.processes, opts.batch_size)
    result: dict[str, Any] = {"workers": workers, "partitions": partitions}
    try:
        result["startup_seconds"] = session.start(load_stories(opts, 4 * workers * opts.processes,
                                                               start=10**6))
        budget = 120 + 3 * len(stories) / max(limit_rate, 0.1)
        cpu_before = session.tree_cpu()
        burst = session.push(stories, budget=budget)
        burst["cpu_seconds_per_story"] = (session.tree_cpu() - cpu_before) / len(stories)
        burst["words_per_s"] = sum(s.words for s in stories) / burst["seconds"]
        result["burst"] = burst
        if steady:
            rate = opts.steady_rate or opts.steady_fraction * burst["stories_per_s"]
            count = max(2, int(rate * opts.steady_seconds))
            paced = load_stories(opts, count, start=len(stories))
            result["steady"] = {"rate": rate, **session.push(paced, rate=rate, budget=budget)}
        if cheap and opts.cheap:
            result["cheap"] = session.cheap_path(opts.cheap)
        result.update(session.observed())
    except BaseException:
        for i in range(len(session.procs)):
            log = (session.tmp / f"worker-{i}.log").read_text(errors="replace")
            print(f"--- worker {i} log, last lines:\n{log[-3000:]}", file=sys.stderr)
        raise
    finally:
        session.stop()
    return result


def run(opts: argparse.Namespace) -> dict[str, Any]:
    stories = load_stories(opts, opts.stories)
    texts = model_inputs(stories)
    words = sum(len(t.split()) for t in texts)
    report: dict[str, Any] = {
        "command": "wirestream bench " + " ".join(opts.argv), "machine": machine(),
        "corpus": {"kind": opts.corpus, "stories": len(stories), "words": words,
                   "words_per_story": words / len(stories), "seed": opts.seed},
        "processes": opts.processes, "batch_size": opts.batch_size, "model": opts.model,
    }
    print(f"limit: bare nlp.pipe over {len(texts)} bodies in {opts.processes} process(es)...")
    report["limit"] = limit = run_parallel("limit", texts, words, opts)
    print("offline: Enricher in the same processes...")
    report["offline"] = run_parallel("offline", [s.data for s in stories], words, opts)
    if opts.no_e2e:
        return report
    with temporary_broker(opts.broker) as bootstrap:
        print(f"end to end: broker {bootstrap}, {opts.workers} worker(s)...")
        rate = limit["stories_per_s"]
        report["e2e"] = run_session(opts, bootstrap, opts.workers, stories, steady=True,
                                    cheap=True, limit_rate=rate)
        if opts.scaling:
            print(f"scaling: {2 * opts.workers} workers...")
            report["e2e_scaled"] = run_session(opts, bootstrap, 2 * opts.workers, stories,
                                               steady=False, cheap=False, limit_rate=rate)
    return report


# --- the table -------------------------------------------------------------------------------


def verdicts(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target with the measured value and whether it was met (None: not measured)."""
    e2e, scaled = report.get("e2e", {}), report.get("e2e_scaled", {})
    limit = report["limit"]["stories_per_s"]
    burst = e2e.get("burst", {}).get("stories_per_s")
    p99 = e2e.get("steady", {}).get("latency_s", {}).get("p99")
    scaling = scaled["burst"]["stories_per_s"] / burst if scaled and burst else None
    rss = max((p["tree"] for p in e2e.get("peak_rss_bytes", [])), default=None)
    measured = {"e2e_vs_limit": burst / limit if burst else None, "steady_p99_seconds": p99,
                "scaling": scaling, "rss_gb": rss / 1e9 if rss else None}
    return {name: {"target": TARGETS[name], "measured": value, "met": None if value is None
                   else (value <= TARGETS[name]) == (name in ("steady_p99_seconds", "rss_gb"))}
            for name, value in measured.items()}


def _row(name: str, run: dict[str, Any], limit: float, latency: bool, memory: str) -> str:
    lat = run.get("latency_s", {}) if latency else {}
    cells = [f"{lat[k]:7.2f}" if lat.get(k) is not None else "      -"
             for k in ("p50", "p95", "p99")]
    words = f"{run['words_per_s']:8.0f}" if "words_per_s" in run else "       -"
    cpu = run.get("cpu_seconds_per_story")
    return (f"{name:<32}{run['stories_per_s']:8.2f}{words}{run['stories_per_s'] / limit:8.2f}"
            f"{f'{1000 * cpu:8.0f}' if cpu else '       -'} {' '.join(cells)}  {memory}")


def render(report: dict[str, Any]) -> str:
    corpus, m = report["corpus"], report["machine"]
    limit, offline = report["limit"], report["offline"]
    rate = limit["stories_per_s"]
    lines = [
        f"wirestream bench: {corpus['stories']} {corpus['kind']} stories, "
        f"{corpus['words_per_story']:.0f} words each on average; {report['processes']} NLP "
        f"process(es), batch {report['batch_size']}, {report['model']}",
        f"machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']:.1f} GiB, "
        f"Python {m['python']}; load average {m['loadavg']} before, "
        f"{report.get('loadavg_after', '?')} after",
        "",
        f"{'run':<32}{'story/s':>8}{'words/s':>8}{'x limit':>8}{'CPU ms':>8} {'p50 s':>7} "
        f"{'p95 s':>7} {'p99 s':>7}  peak RSS",
        _row("limit: bare nlp.pipe", limit, rate, False,
             f"{limit['peak_rss_bytes_per_process'] / 1e9:.2f} GB/process"),
        _row("offline: Enricher", offline, rate, False,
             f"{offline['peak_rss_bytes_per_process'] / 1e9:.2f} GB/process"),
    ]
    for key in ("e2e", "e2e_scaled"):
        e2e = report.get(key)
        if not e2e:
            continue
        peaks = ", ".join(f"{p['tree'] / 1e9:.2f}" for p in e2e["peak_rss_bytes"])
        name = f"e2e: {e2e['workers']} worker(s), burst"
        lines.append(_row(name, e2e["burst"], rate, True, f"{peaks} GB/worker tree"))
        if "steady" in e2e:
            steady = e2e["steady"]
            name = f"steady: {steady['rate']:.1f}/s for {steady['stories'] / steady['rate']:.0f} s"
            lines.append(_row(name, steady, rate, True, ""))
    e2e = report.get("e2e")
    if e2e:
        cheap, lag = e2e.get("cheap"), e2e.get("event_loop_lag_s")
        if cheap:
            lines.append(
                f"cheap path (invalid JSON, dead-lettered): {cheap['messages_per_s']:.0f} msg/s, "
                f"{cheap['cpu_ms_per_message']:.2f} ms worker CPU/msg vs "
                f"{1000 * e2e['burst']['cpu_seconds_per_story']:.0f} ms per enriched story")
        if lag:
            lines.append(f"event-loop lag: max {lag['max'] * 1000:.1f} ms, median "
                         f"{lag['median'] * 1000:.1f} ms; mean batch {e2e['mean_batch'] or 0:.1f}")
        lines.append(_stages("stage ms/story, e2e:", e2e["stage_ms_per_story"]))
    lines.append(_stages("stage ms/story, offline:", offline["stage_ms_per_story"]))
    lines += ["", "targets:"]
    for name, v in report["targets"].items():
        shown = "not measured" if v["measured"] is None else f"{v['measured']:.2f}"
        verdict = {None: "", True: "met", False: "MISSED"}[v["met"]]
        lines.append(f"  {name:<20} target {v['target']:<5} measured {shown:<13} {verdict}")
    return "\n".join(lines)


def _stages(title: str, stages: dict[str, float | None]) -> str:
    return f"{title} " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items() if v is not None)


def machine() -> dict[str, Any]:
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "memory_gib": int(mem) / 2**20,
            "python": platform.python_version(), "platform": platform.platform(),
            "loadavg": loadavg()}


def loadavg() -> str:
    """1-, 5- and 15-minute load: other work on the machine skews every wall-clock figure."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str]) -> int:
    opts = parse_args(argv)
    opts.argv = argv
    report = run(opts)
    report["loadavg_after"] = loadavg()
    report["targets"] = verdicts(report)
    opts.output.mkdir(parents=True, exist_ok=True)
    path = opts.output / f"{datetime.now():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(render(report))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
