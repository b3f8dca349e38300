"""End to end for `wirestream bench`: a broker (temporary or given), worker processes on fresh
topics and group, and what is measured on them: results on the output topics, /proc (RSS, CPU)
and /metrics. Driven by bench.throughput.
"""

from __future__ import annotations

import io
import json
import os
import pstats
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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from statistics import quantiles
from typing import Any

from bench.corpus import WireStory

ROOT = Path(__file__).resolve().parents[1]


def percentiles(values: list[float]) -> dict[str, float | None]:
    if len(values) < 2:
        return {"p50": values[0] if values else None, "p95": None, "p99": None, "max": None}
    q = quantiles(values, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "p99": q[98], "max": max(values)}


PAGE, TICK = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")


@contextmanager
def temporary_broker(bootstrap: str | None) -> Iterator[tuple[str, int | None]]:
    """The broker given, or a LocalBroker on free ports in a temporary folder, stopped after;
    with the broker's pid when it is ours."""
    if bootstrap:
        yield bootstrap, None
        return
    from deploy.kafka.broker import LocalBroker

    with tempfile.TemporaryDirectory(prefix="wirestream-bench-kafka-") as state:
        broker = LocalBroker(port=free_port(), controller_port=free_port(), state_dir=Path(state))
        broker.start()
        try:
            yield broker.bootstrap, broker.pid()
        finally:
            broker.stop()


@contextmanager
def confined(cpus: Iterable[int] | None) -> Iterator[None]:
    """This process (and what it starts meanwhile: they inherit it) on `cpus` only; None
    leaves it where it is."""
    if cpus is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, set(cpus))
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proc_rows() -> dict[int, tuple[int, float, int, str]]:
    """pid -> (parent pid, CPU seconds, RSS bytes, name) of every process, from /proc."""
    table = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_bytes()
            except OSError:
                continue
            end = stat.rindex(b")")
            name = stat[stat.index(b"(") + 1 : end].decode("utf-8", "replace")
            f = stat[end + 2 :].split()  # fields after "pid (comm)", from state
            cpu = (int(f[11]) + int(f[12])) / TICK
            table[int(entry.name)] = (int(f[1]), cpu, int(f[21]) * PAGE, name)
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
    return {
        name: float(value)
        for name, _, value in (
            line.rpartition(" ") for line in text.splitlines() if line.startswith("wirestream_")
        )
    }


class WarmUpFailed(RuntimeError):
    """Workers started but did not enrich the warm-up stories."""


class Session:
    """One consumer group on fresh topics: its workers, a producer, and three watcher threads
    (enriched/dead-letter collector, /proc sampler every 100 ms, /metrics scraper every 1 s)."""

    def __init__(
        self,
        bootstrap: str,
        workers: int,
        partitions: int,
        processes: int,
        batch_size: int,
        profile: Path | None = None,
        broker_pid: int | None = None,
        cores: Sequence[int | frozenset[int]] = (),
    ) -> None:
        from agents.settings import load_settings

        tag = self.tag = uuid.uuid4().hex[:8]
        self.tmp = Path(tempfile.mkdtemp(prefix=f"wirestream-bench-{tag}-"))
        base = load_settings().model_copy(
            update={
                "broker": bootstrap,
                "app_id": f"wirestream-bench-{tag}",
                "partitions": partitions,
                "topic_prefix": f"bench-{tag}",
                "nlp_processes": processes,
                "batch_size": batch_size,
            }
        )
        self.settings = [
            base.model_copy(update={"web_port": free_port(), "data_dir": self.tmp / f"worker-{i}"})
            for i in range(workers)
        ]
        self.partitions = partitions
        self.procs: list[subprocess.Popen[bytes]] = []
        self.sent: dict[str, tuple[float, tuple[int, int]]] = {}  # id -> raw timestamp, offset
        self.enriched: dict[str, float] = {}  # id -> enriched record's timestamp
        self.enriched_records = 0
        self.dead: dict[tuple[int, int], float] = {}  # raw (partition, offset) -> timestamp
        self.reasons: dict[tuple[int, int], str] = {}  # raw (partition, offset) -> why
        self.peak = [{"tree": 0, "main": 0, "pool_process": 0} for _ in range(workers)]
        self.cpu: dict[int, tuple[str, float]] = {}  # pid -> (main, nlp or fin, CPU seconds)
        self.lag: list[float] = []
        self.lock, self.stopping = threading.Lock(), threading.Event()
        self.threads: list[threading.Thread] = []
        self.profile, self.profiles = profile, list[str]()
        self.broker_pid = broker_pid
        # worker i and its pool run on cores[i] only (a core or a set of them), when given
        self.cores = list(cores)

    def start(self, warm: list[WireStory]) -> float:
        """Start the workers; ready once every raw partition is assigned and warm-up stories
        sent to every partition came back enriched (so every NLP pool has its model)."""
        from kafka import KafkaProducer

        from agents.worker.topics import ensure_topics, topic_specs

        started = time.monotonic()
        ensure_topics(self.settings[0])
        specs = topic_specs(self.settings[0])
        self.raw, self.out, self.dead_topic = (
            specs[role].name for role in ("raw", "enriched", "dead_letter")
        )
        self.producer = KafkaProducer(
            bootstrap_servers=self.settings[0].broker.split(","),
            acks="all",
            linger_ms=5,
            max_request_size=16 * 2**20,
        )
        for i, settings in enumerate(self.settings):
            profiler = ["-m", "cProfile", "-o", str(self.tmp / f"worker-{i}.prof")]
            command = [sys.executable, *(profiler if self.profile else []), "-m", "agents.cli"]
            with (self.tmp / f"worker-{i}.log").open("wb") as log:
                self.procs.append(
                    subprocess.Popen(
                        [*command, "worker"],
                        cwd=ROOT,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        env=worker_env(settings),
                        start_new_session=True,
                    )
                )
            if self.cores:  # before the worker spawns its pool: the pool inherits it
                core = self.cores[i % len(self.cores)]
                allowed = core if isinstance(core, frozenset) else {core}
                os.sched_setaffinity(self.procs[-1].pid, allowed)
        for target in (self._collect, self._sample, self._scrape):
            self.threads.append(threading.Thread(target=target, daemon=True))
            self.threads[-1].start()
        deadline = time.monotonic() + 180
        while self._assigned() < min(self.partitions, len(self.procs)):
            self._check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError("workers did not get their partitions within 180 s")
            time.sleep(0.5)
        for half in (warm[::2], warm[1::2]):  # two rounds: the second runs on warm tables
            result = self.push(half, budget=120, partitioned=True)
            if result["enriched"] < len(half):
                raise WarmUpFailed(
                    f"{result['enriched']} of {len(half)} warm-up stories came "
                    f"back enriched; dead letters: {result['dead_letter_reasons']}"
                )
            time.sleep(2)
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

    def push(
        self,
        stories: list[WireStory],
        *,
        budget: float,
        rate: float | None = None,
        partitioned: bool = False,
    ) -> dict[str, Any]:
        """Send stories (as fast as possible, or paced at `rate`/s); wait for every result."""
        futures, started = [], time.time()
        for i, story in enumerate(stories):
            if rate and (delay := started + i / rate - time.time()) > 0:
                time.sleep(delay)
            futures.append(
                (
                    story.story_id,
                    self.producer.send(
                        self.raw,
                        key=story.story_id.encode(),
                        value=story.data,
                        partition=i % self.partitions if partitioned else None,
                    ),
                )
            )
        self.producer.flush()
        for story_id, future in futures:
            meta = future.get(timeout=60)
            with self.lock:
                self.sent[story_id] = (meta.timestamp / 1000, (meta.partition, meta.offset))
        ids = [story_id for story_id, _ in futures]
        missing = self._wait(lambda: [x for x in ids if not self._arrived(x)], budget)
        with self.lock:
            done = [x for x in ids if x in self.enriched]
            latency = [self.enriched[x] - self.sent[x][0] for x in done]
            first = min(self.sent[x][0] for x in ids)
            last = max([self.enriched[x] for x in done] or [first + 1e-3])
            reasons: dict[str, int] = {}
            for story_id in ids:
                where = self.sent[story_id][1]
                if story_id not in self.enriched and where in self.reasons:
                    reasons[self.reasons[where]] = reasons.get(self.reasons[where], 0) + 1
        return {
            "stories": len(ids),
            "enriched": len(done),
            "missing": len(missing),
            "dead_lettered": sum(reasons.values()),
            "dead_letter_reasons": reasons,
            "seconds": last - first,
            "stories_per_s": len(done) / (last - first),
            "latency_s": percentiles(latency),
        }

    def _arrived(self, story_id: str) -> bool:
        with self.lock:
            return story_id in self.enriched or self.sent[story_id][1] in self.dead

    def _wait(self, pending: Any, budget: float, every: float = 0.05) -> list[Any]:
        deadline = time.monotonic() + budget
        while (left := pending()) and time.monotonic() < deadline:
            self._check_alive()
            time.sleep(every)
        return list(left)

    def cheap_path(self, count: int) -> dict[str, Any]:
        """Worker CPU per message dead-lettered at once (invalid JSON): the cheapest way
        through the worker, for comparison with a resend and with a full enrichment."""
        payloads = [(None, b'{"body": "cut off at ' + b"%d" % i) for i in range(count)]
        offsets: list[tuple[int, int]] = []
        return self._cost(
            payloads, offsets, lambda: [o for o in offsets if o not in self.dead], self.dead
        )

    def resend(self, story: WireStory, count: int) -> dict[str, Any]:
        """Worker CPU per exact resend of a published story (dropped before NLP and counted
        in wirestream_duplicates_dropped_total); `supported` is False when nothing counts them."""
        name = "wirestream_duplicates_dropped_total"
        before, enriched = self.totals().get(name), self.enriched_records
        if before is None:
            return {"supported": False}
        payloads = [(story.story_id.encode(), story.data)] * count
        result = self._cost(
            payloads,
            [],
            lambda: range(int(count - (self.totals().get(name, 0.0) - before))),
            {},
            every=0.5,
        )
        result["re_enriched"] = self.enriched_records - enriched
        return {"supported": True, **result}

    def _cost(
        self,
        payloads: Sequence[tuple[bytes | None, bytes]],
        offsets: list[tuple[int, int]],
        pending: Any,
        outcome: dict[tuple[int, int], float],
        every: float = 0.05,
    ) -> dict[str, Any]:
        """Send `payloads`, wait until `pending()` is empty; CPU per message, idle subtracted."""
        cpu, clock = sum(self.tree_cpu()), time.monotonic()
        time.sleep(3)
        idle = (sum(self.tree_cpu()) - cpu) / (time.monotonic() - clock)
        cpu, clock, first = sum(self.tree_cpu()), time.monotonic(), time.time()
        futures = [self.producer.send(self.raw, key=key, value=value) for key, value in payloads]
        self.producer.flush()
        offsets += [(meta.partition, meta.offset) for meta in (f.get(timeout=60) for f in futures)]
        missing = self._wait(pending, 300, every)
        elapsed, used = time.monotonic() - clock, sum(self.tree_cpu()) - cpu
        with self.lock:
            last = max([outcome[o] for o in offsets if o in outcome] or [time.time()])
        count = len(payloads)
        return {
            "messages": count,
            "missing": len(missing),
            "idle_cpu_s_per_s": idle,
            "cpu_ms_per_message": 1000 * (used - idle * elapsed) / count,
            "messages_per_s": (count - len(missing)) / max(last - first, 1e-3),
        }

    def _collect(self) -> None:
        from kafka import KafkaConsumer, TopicPartition

        consumer = KafkaConsumer(
            bootstrap_servers=self.settings[0].broker.split(","),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # the instrument shares the cores with what it measures: kafka-python checks CRCs
            # in pure Python, which cost more CPU per enriched record than the rest of it
            check_crcs=False,
        )
        consumer.assign(
            [TopicPartition(self.out, p) for p in range(self.partitions)]
            + [TopicPartition(self.dead_topic, 0)]
        )
        while not self.stopping.is_set():
            for tp, records in consumer.poll(timeout_ms=100).items():
                for record in records:
                    stamp = record.timestamp / 1000
                    if tp.topic == self.out:
                        with self.lock:
                            self.enriched[record.key.decode()] = stamp
                            self.enriched_records += 1
                        continue
                    event = json.loads(record.value)
                    source = event.get("source") or {}
                    where = (source.get("partition"), source.get("offset"))
                    if source.get("topic") not in (None, self.raw):  # a later hop's offsets
                        where = (source.get("topic"), where)
                    with self.lock:
                        self.dead[where] = stamp  # type: ignore[index]
                        self.reasons[where] = (  # type: ignore[index]
                            f"{event.get('error_code')} at {event.get('stage')}: "
                            f"{str(event.get('message'))[:200]}"
                        )
        consumer.close()

    def _sample(self) -> None:
        while not self.stopping.wait(0.1):
            self.tree_cpu()

    def tree_cpu(self) -> tuple[float, float]:
        """Sample /proc: update each worker tree's peak RSS; return CPU seconds used so far by
        the worker main processes and by their children (the NLP pools)."""
        table = proc_rows()
        children: dict[int, list[int]] = {}
        for pid, (parent, *_) in table.items():
            children.setdefault(parent, []).append(pid)
        with self.lock:
            for index, proc in enumerate(self.procs):
                tree, todo = [], [proc.pid]
                while todo:
                    pid = todo.pop()
                    if pid in table:
                        tree.append(pid)
                        todo.extend(children.get(pid, ()))
                        name = table[pid][3].removeprefix("wirestream-")
                        role = "main" if pid == proc.pid else name
                        self.cpu[pid] = (role, table[pid][1])
                peak = self.peak[index]
                peak["tree"] = max(peak["tree"], sum(table[p][2] for p in tree))
                peak["main"] = max(peak["main"], table[tree[0]][2] if tree else 0)
                peak["pool_process"] = max([peak["pool_process"], *(table[p][2] for p in tree[1:])])
            return (
                sum(cpu for role, cpu in self.cpu.values() if role == "main"),
                sum(cpu for role, cpu in self.cpu.values() if role != "main"),
            )

    def finishing_cpu(self) -> float:
        """CPU seconds of the finishing processes (named wirestream-fin) so far: the part of
        the pools' CPU that is not the model's."""
        with self.lock:
            return sum(cpu for role, cpu in self.cpu.values() if role == "fin")

    def _scrape(self) -> None:
        while not self.stopping.wait(1.0):
            for settings in self.settings:
                try:
                    value = scrape(f"{settings.web_url}/metrics")
                except OSError:
                    continue
                if "wirestream_event_loop_lag_seconds" in value:
                    self.lag.append(value["wirestream_event_loop_lag_seconds"])

    def totals(self) -> dict[str, float]:
        """Every wirestream_* sample summed over the workers' /metrics pages."""
        totals: dict[str, float] = {}
        for settings in self.settings:
            for name, value in scrape(f"{settings.web_url}/metrics").items():
                totals[name] = totals.get(name, 0.0) + value
        return totals

    def measure(self, phase: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Run `phase(*args, **kwargs)` (a push); add what the workers did meanwhile: CPU split
        between main processes and NLP pools, pool busy share, batch sizes, time per stage."""
        from bench.kafka_records import RecordCounter, per_story

        marks = (f"bench-{self.tag}", f"wirestream-bench-{self.tag}")
        counter = RecordCounter(self.settings[0].broker, marks)
        records = counter.snapshot()
        (main, pool), before = self.tree_cpu(), self.totals()
        finishing = self.finishing_cpu()
        broker, client = self._broker_cpu(), sum(os.times()[:2])
        result: dict[str, Any] = phase(*args, **kwargs)
        (main_after, pool_after), after = self.tree_cpu(), self.totals()
        finishing = self.finishing_cpu() - finishing
        broker, client = self._broker_cpu() - broker, sum(os.times()[:2]) - client
        result["kafka_records_per_story"] = per_story(
            records, counter.snapshot(), result["stories"], marks
        )
        counter.close()
        delta = {k: v - before.get(k, 0.0) for k, v in after.items()}
        n, pools = result["stories"], len(self.procs) * self.settings[0].nlp_processes
        stages = {}
        for name, value in delta.items():
            if name.startswith("wirestream_stage_seconds_sum{") and value:
                stage = name.split('"')[1]
                stages[stage] = 1000 * value / delta[name.replace("_sum{", "_count{")]
        batches = delta.get("wirestream_batch_size_stories_count", 0.0)
        result.update(
            {
                "cpu_seconds_per_story": (main_after - main + pool_after - pool) / n,
                "main_cpu_ms_per_story": 1000 * (main_after - main) / n,
                "pool_cpu_ms_per_story": 1000 * (pool_after - pool) / n,
                "finish_cpu_ms_per_story": 1000 * finishing / n,
                # the NLP processes' share of their cores: finishing processes left out
                "pool_busy_share": (pool_after - pool - finishing) / (result["seconds"] * pools),
                "broker_cpu_ms_per_story": 1000 * broker / n if self.broker_pid else None,
                "client_cpu_ms_per_story": 1000 * client / n,
                "mean_batch": delta.get("wirestream_batch_size_stories_sum", 0.0) / batches
                if batches
                else None,
                "stage_ms_per_story": dict(sorted(stages.items())),
            }
        )
        return result

    def _broker_cpu(self) -> float:
        if self.broker_pid is None:
            return 0.0
        return proc_rows().get(self.broker_pid, (0, 0.0, 0, ""))[1]

    def observed(self) -> dict[str, Any]:
        """Event-loop lag seen on /metrics over the session, and each worker tree's peak RSS."""
        lag = sorted(self.lag)
        return {
            "event_loop_lag_s": {"max": lag[-1], "median": lag[len(lag) // 2]} if lag else None,
            "peak_rss_bytes": self.peak,
        }

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
        for path in sorted(self.tmp.glob("worker-*.prof")):
            kept = shutil.copy(path, self.profile / f"{self.tmp.name}-{path.name}")  # type: ignore[operator]
            buffer = io.StringIO()
            stats = pstats.Stats(str(path), stream=buffer).sort_stats("tottime")
            stats.print_stats(20)
            stats.sort_stats("cumulative").print_stats(r"/(agents|pipeline|schemas)/", 20)
            self.profiles.append(f"worker main-thread profile, kept in {kept}\n{buffer.getvalue()}")
        shutil.rmtree(self.tmp, ignore_errors=True)
