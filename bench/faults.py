"""Fault runs against a real broker and real worker processes: the worker group SIGKILLed three
times, the broker stopped and later killed under a running worker, a rebalance under load, the
NLP and finishing processes killed. A run is fixed by its seed (stories, fault points) and ends
with an account of every pushed record (bench/wire_load.py). `python -m bench.chaos` runs each
fault N times; tests/integration/test_reliability.py runs each once and asserts on it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.settings import Settings, load_settings
from agents.worker.topics import ensure_topics, topic_specs
from bench.e2e import ROOT, free_port, scrape, worker_env
from bench.wire_load import (
    OutputCounter,
    Pushed,
    Verdict,
    make_stories,
    push_stories,
    uncommitted,
    verify,
)
from deploy.kafka.broker import LocalBroker, port_open

DRAIN_TIMEOUT = 240.0
# Faust reads its group settings from the environment. A SIGKILLed member stays in the group until
# its session times out (Faust's default: 60 s), which is most of the recovery time after a crash;
# 10 s keeps a run within minutes, and the recovery times measured reflect it.
GROUP_ENV = {"BROKER_SESSION_TIMEOUT": "10", "BROKER_HEARTBEAT_INTERVAL": "1"}


class FaultRunFailed(AssertionError):
    """The run could not be completed as planned (a worker died, nothing came out in time)."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise FaultRunFailed(message)


def fault_settings(bootstrap: str, data_dir: Path, kind: str = "chaos") -> Settings:
    """Settings of one run: its own topics, consumer group, web port and state dir, one NLP
    process, the environment's settings for the rest."""
    tag = uuid.uuid4().hex[:8]
    return load_settings().model_copy(
        update={
            "broker": bootstrap,
            "app_id": f"wirestream-{kind}-{tag}",
            "topic_prefix": f"{kind}-{tag}",
            "partitions": 2,
            "web_port": free_port(),
            "data_dir": data_dir,
            "batch_seconds": 0.1,
            "nlp_processes": 1,
        }
    )


@contextmanager
def worker_process(
    command: Sequence[str], env: dict[str, str], log: Path, ready: Callable[[Any], None]
) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m <command>` in a session of its own (so its pool can be killed with it),
    output to `log`; yielded once `ready(process)` returns, stopped (SIGTERM, then SIGKILL) on
    exit. The tests' worker fixture runs its workers through this too."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", *command],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            ready(process)
            yield process
        except BaseException:
            print(log.read_text(errors="replace")[-5000:])
            raise
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def running_worker(settings: Settings, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`wirestream worker` with GROUP_ENV, healthy when yielded."""

    def ready(process: subprocess.Popen[bytes]) -> None:
        wait_until(lambda: healthy(settings, process), 120, "the worker's /health")

    env = {**worker_env(settings), **GROUP_ENV}
    with worker_process(("agents.cli", "worker"), env, log, ready) as process:
        yield process


def healthy(settings: Settings, process: subprocess.Popen[bytes]) -> bool:
    check(process.poll() is None, f"the worker exited with {process.returncode}")
    try:
        with urllib.request.urlopen(f"{settings.web_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def wait_until(
    predicate: Callable[[], bool], timeout: float, what: str, step: float = 0.25
) -> float:
    """Seconds until `predicate` held; FaultRunFailed naming `what` after `timeout`."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise FaultRunFailed(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(step)
    return time.monotonic() - started


def names(settings: Settings) -> dict[str, str]:
    return {role: spec.name for role, spec in topic_specs(settings).items()}


def outputs(settings: Settings) -> OutputCounter:
    topics = names(settings)
    return OutputCounter(settings.broker, [topics["enriched"], topics["dead_letter"]])


def grew_past(counter: OutputCounter, mark: int) -> Callable[[], bool]:
    def grown() -> bool:
        count = counter.count()
        return count is not None and count > mark

    return grown


def metric_total(settings: Settings, name: str) -> float:
    """Sum of every sample of `name` on the worker's /metrics page."""
    samples = scrape(f"{settings.web_url}/metrics")
    return sum(v for k, v in samples.items() if k == name or k.startswith(name + "{"))


def published(settings: Settings) -> float:
    """Events the worker has had acknowledged by Kafka, from its own /metrics."""
    return metric_total(settings, "wirestream_events_published_total")


def published_past(settings: Settings, mark: float) -> Callable[[], bool]:
    return lambda: published(settings) > mark


def group_pids(pgid: int) -> list[int]:
    """Live processes of a process group (the worker and its pool), from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def pool_children(worker_pid: int, name: str) -> list[int]:
    """The worker's pool processes of one kind (multiprocessing spawn children named `name`:
    wirestream-nlp runs the model, wirestream-fin finishes stories after it)."""
    found = []
    for pid in group_pids(worker_pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if b"spawn_main" in cmdline and comm == name:
            found.append(pid)
    return found


def raw_assignment(settings: Settings) -> set[int] | None:
    """Raw-topic partitions the worker at settings.web_port owns, from its /health."""
    raw = names(settings)["raw"]
    try:
        with urllib.request.urlopen(f"{settings.web_url}/health", timeout=5) as response:
            assigned = json.loads(response.read())["assigned"]
    except OSError:
        return None
    return {int(tp.rsplit(":", 1)[1]) for tp in assigned if tp.rsplit(":", 1)[0] == raw}


def restart_broker(broker: LocalBroker, settings: Settings) -> tuple[float, float]:
    """Start the broker again while watching: seconds until it listened, then seconds from
    there until the worker had published something new (its recovery)."""
    before = published(settings)
    failures: list[BaseException] = []

    def start() -> None:
        try:
            broker.start()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            failures.append(exc)

    starter = threading.Thread(target=start)
    starter.start()
    listening = wait_until(
        lambda: port_open(broker.port) or bool(failures), 120, "the broker to listen", step=0.05
    )
    resumed = wait_until(
        published_past(settings, before), 120, "the worker to publish again", step=0.1
    )
    starter.join(timeout=120)
    if failures:
        raise failures[0]
    return listening, resumed


class Drained:
    """True once the group has committed every raw and internal (prepared) record."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.last: dict[str, int] | None = None

    def __call__(self) -> bool:
        topics = names(self.settings)
        try:
            self.last = uncommitted(
                self.settings.broker, self.settings.app_id, [topics["raw"], topics["prepared"]]
            )
        except Exception:  # noqa: BLE001 - the broker may still be coming back
            return False
        return not any(self.last.values())


def settle_and_verify(settings: Settings, pushed: list[Pushed], label: str) -> Verdict:
    """Wait until the group committed everything, then account for every pushed record."""
    topics = names(settings)
    drained = Drained(settings)
    try:
        wait_until(drained, DRAIN_TIMEOUT, f"{label}: the group to commit every record")
    except FaultRunFailed as exc:
        verdict = verify(
            settings.broker, topics["raw"], topics["enriched"], topics["dead_letter"], pushed
        )
        raise FaultRunFailed(f"{exc}; uncommitted {drained.last}; {verdict.summary()}") from exc
    return verify(settings.broker, topics["raw"], topics["enriched"], topics["dead_letter"], pushed)


def shortfalls(verdict: Verdict, pushed: list[Pushed], duplicate_bound: int | None) -> list[str]:
    """What the account breaks of the promise in docs/guarantees.md: every record out once,
    in the right topic, as its own story; duplicates (same event_id) at most `duplicate_bound`."""
    found = []
    if verdict.lost:
        found.append(f"{len(verdict.lost)} lost, first: {verdict.lost[:3]}")
    if verdict.conflicting:
        found.append(f"{len(verdict.conflicting)} with another id: {verdict.conflicting[:5]}")
    if verdict.unexpected:
        found.append(f"{verdict.unexpected} events from no pushed record")
    if verdict.misrouted:
        found.append(
            f"{len(verdict.misrouted)} in the wrong topic (valid stories dead-lettered?), "
            f"first: {verdict.misrouted[:2]}"
        )
    malformed = sum(1 for p in pushed if p.story.malformed)
    expected = (len(pushed) - malformed, malformed)
    if (verdict.enriched, verdict.dead_lettered) != expected:
        found.append(f"enriched, dead-lettered {verdict.enriched, verdict.dead_lettered}")
    if duplicate_bound is not None and verdict.duplicates > duplicate_bound:
        found.append(f"{verdict.duplicates} duplicates, over one batch per fault")
    return found


@dataclass(frozen=True)
class FaultRun:
    """One run of one fault: what was injected, the account, and what was measured."""

    fault: str
    seed: int
    injected: int  # faults injected in the run; each may replay at most one batch
    batch_size: int
    pushed: list[Pushed]
    verdict: Verdict
    seconds: float
    notes: tuple[str, ...]

    @property
    def duplicate_bound(self) -> int:
        return self.injected * self.batch_size

    def shortfalls(self) -> list[str]:
        return shortfalls(self.verdict, self.pushed, self.duplicate_bound)

    def row(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "seed": self.seed,
            "pushed": self.verdict.pushed,
            "enriched": self.verdict.enriched,
            "dead_lettered": self.verdict.dead_lettered,
            "lost": len(self.verdict.lost),
            "duplicates": self.verdict.duplicates,
            "duplicate_bound": self.duplicate_bound,
            "seconds": round(self.seconds, 1),
            "shortfalls": self.shortfalls(),
            "notes": list(self.notes),
        }


class Recorder:
    """What a fault function keeps while it runs: its clock and notes; `result` closes it."""

    def __init__(self, fault: str, seed: int, injected: int, settings: Settings) -> None:
        self.fault, self.seed, self.injected = fault, seed, injected
        self.batch_size = settings.batch_size
        self.started = time.monotonic()
        self.notes: list[str] = []

    def result(self, pushed: list[Pushed], verdict: Verdict) -> FaultRun:
        seconds = time.monotonic() - self.started
        return FaultRun(
            self.fault,
            self.seed,
            self.injected,
            self.batch_size,
            pushed,
            verdict,
            seconds,
            tuple(self.notes),
        )


def load(settings: Settings, label: str, seed: int, stories: int) -> list[Pushed]:
    """The run's topics made, and `stories` wire stories of this label and seed pushed."""
    ensure_topics(settings)
    batch = make_stories(stories, seed=f"{label}{seed}")
    return push_stories(settings.broker, names(settings)["raw"], batch)


def between(rng: random.Random, stories: int, low: float, high: float) -> int:
    """A point between the shares `low` and `high` of the run's stories."""
    return rng.randint(int(stories * low), int(stories * high))


def sigkill_x3(settings: Settings, workdir: Path, seed: int, stories: int = 2000) -> FaultRun:
    """The whole worker process group (worker and pool) SIGKILLed at three points the seed
    picks; a fresh worker takes over from the committed offsets each time."""
    run = Recorder("sigkill", seed, 3, settings)
    pushed = load(settings, "crash", seed, stories)
    rng = random.Random(seed)
    kill_marks = sorted(rng.sample(range(stories // 10, stories * 85 // 100), 3))
    counter = outputs(settings)
    notes, recoveries = run.notes, []
    killed_at, at_kill = 0.0, 0
    try:
        for life, mark in enumerate([*kill_marks, None]):
            with running_worker(settings, workdir / f"worker-{life}.log") as process:
                if life:
                    wait_until(grew_past(counter, at_kill), 120, "output after the restart")
                    recoveries.append(time.monotonic() - killed_at)
                if mark is None:
                    verdict = settle_and_verify(settings, pushed, "sigkill x3")
                    break
                wait_until(grew_past(counter, mark), 180, f"{mark} outputs")
                time.sleep(rng.uniform(0, 1.5))  # land anywhere in a batch
                members = group_pids(process.pid)
                check(len(members) >= 2, f"no pool process beside the worker: {members}")
                os.killpg(process.pid, signal.SIGKILL)
                killed_at, at_kill = time.monotonic(), counter.count() or 0
                process.wait(timeout=10)
                wait_until(lambda: not group_pids(process.pid), 10, "the pool processes to go")
                notes.append(f"kill {life + 1}: {len(members)} processes at {at_kill} outputs")
    finally:
        counter.close()
    check(len(recoveries) == 3, f"{len(recoveries)} recoveries of 3 kills")
    notes.append("recovery (kill to new output): " + ", ".join(f"{s:.1f}s" for s in recoveries))
    return run.result(pushed, verdict)


def pool_kill(settings: Settings, workdir: Path, seed: int, stories: int = 400) -> FaultRun:
    """The NLP process, then the finishing process, SIGKILLed mid-batch at points the seed
    picks; the worker (never restarted) replaces them and redoes the batch story by story."""
    run = Recorder("pool", seed, 2, settings)
    pushed = load(settings, "pool", seed, stories)
    rng = random.Random(seed)
    marks = (between(rng, stories, 0.1, 0.2), between(rng, stories, 0.45, 0.6))
    notes = run.notes
    with running_worker(settings, workdir / "worker.log") as process:
        for mark, kind in zip(marks, ("wirestream-nlp", "wirestream-fin"), strict=True):
            wait_until(published_past(settings, mark), 180, f"{mark} events published")
            time.sleep(rng.uniform(0, 0.5))
            children = pool_children(process.pid, kind)
            check(len(children) == 1, f"{kind} processes: {children}")
            os.kill(children[0], signal.SIGKILL)
            killed = time.monotonic()
            before = published(settings)
            wait_until(
                lambda old=children, kind=kind: pool_children(process.pid, kind) not in ([], old),
                60,
                f"a new {kind} process",
            )
            wait_until(published_past(settings, before), 60, "output after the kill")
            notes.append(
                f"{kind} killed at {before:.0f} events; new output "
                f"{time.monotonic() - killed:.1f}s later"
            )
            check(process.poll() is None, "the worker died with its pool process")
        verdict = settle_and_verify(settings, pushed, "nlp and finishing processes killed")
        check(process.poll() is None, "the worker died")
    return run.result(pushed, verdict)


def broker_bounce(
    broker: LocalBroker, settings: Settings, workdir: Path, seed: int, stories: int = 600
) -> FaultRun:
    """The broker stops (SIGTERM), and later dies (SIGKILL), each for a few seconds, at points
    the seed picks, under a worker that is never restarted; its lag gauge returns to 0."""
    run = Recorder("broker", seed, 2, settings)
    pushed = load(settings, "bounce", seed, stories)
    rng = random.Random(seed)
    marks = (between(rng, stories, 0.125, 0.25), between(rng, stories, 0.45, 2 / 3))
    notes = run.notes
    with running_worker(settings, workdir / "worker.log") as process:
        for fault, mark in zip(("stop", "kill"), marks, strict=True):
            wait_until(published_past(settings, mark), 180, f"{mark} events before the {fault}")
            (broker.stop if fault == "stop" else broker.kill)()
            down = rng.uniform(3, 7)
            time.sleep(down)
            listening, resumed = restart_broker(broker, settings)
            check(process.poll() is None, "the worker died with the broker")
            notes.append(
                f"broker {fault} at {mark} events, down {down:.1f}s: listening "
                f"{listening:.1f}s after the start, the worker published {resumed:.1f}s later"
            )
        verdict = settle_and_verify(settings, pushed, "broker stop + kill")
        lag = wait_until(
            lambda: metric_total(settings, "wirestream_consumer_lag_messages") == 0,
            30,
            "the lag gauge to return to 0",
            step=0.5,
        )
        notes.append(f"lag gauge at 0 {lag:.1f}s after the group had committed everything")
        check(process.poll() is None, "the worker died")
    return run.result(pushed, verdict)


def rebalance(settings: Settings, workdir: Path, seed: int, stories: int = 700) -> FaultRun:
    """Two workers in one group on a 4-partition raw topic; the second stops (SIGTERM) under
    load at a point the seed picks and starts again: its partitions move and come back."""
    settings = settings.model_copy(update={"partitions": 4})
    other = settings.model_copy(update={"web_port": free_port(), "data_dir": workdir / "w2"})
    run = Recorder("rebalance", seed, 2, settings)  # one member leaves, then joins: 2 rebalances
    pushed = load(settings, "reb", seed, stories)
    rng = random.Random(seed)
    mark = between(rng, stories, 0.15, 0.3)
    everything = {0, 1, 2, 3}

    def shared() -> bool:
        mine, theirs = raw_assignment(settings), raw_assignment(other)
        return bool(mine) and bool(theirs) and (mine or set()) | (theirs or set()) == everything

    counter = outputs(settings)
    notes = run.notes
    try:
        with running_worker(settings, workdir / "a.log"):
            with running_worker(other, workdir / "b-1.log"):
                wait_until(shared, 90, "both workers to own raw partitions")
                before = (raw_assignment(settings), raw_assignment(other))
                wait_until(grew_past(counter, mark), 180, f"{mark} outputs")
                time.sleep(rng.uniform(0, 1.5))
                stopped = time.monotonic()
            wait_until(
                lambda: raw_assignment(settings) == everything,
                90,
                "the first worker to own all four partitions",
            )
            notes.append(
                f"assignment {before[0]} / {before[1]}; the second stopped at {mark} outputs; "
                f"all four with the first {time.monotonic() - stopped:.1f}s after the SIGTERM "
                "(graceful stop included)"
            )
            wait_until(
                grew_past(counter, (counter.count() or 0) + 50), 120, "output with one worker"
            )
            with running_worker(other, workdir / "b-2.log"):
                back = wait_until(shared, 90, "partitions to come back")
                notes.append(
                    f"partitions back {back:.1f}s after the restart: "
                    f"{raw_assignment(settings)} / {raw_assignment(other)}"
                )
                verdict = settle_and_verify(settings, pushed, "rebalance")
    finally:
        counter.close()
    return run.result(pushed, verdict)


FAULTS = {
    "sigkill": "worker group SIGKILLed 3x, restarted",
    "broker": "broker stopped, later killed; worker left running",
    "rebalance": "2nd of 2 workers stopped under load, restarted",
    "pool": "NLP process, then finishing process, SIGKILLed",
}


def run_fault(
    fault: str,
    broker: LocalBroker,
    workdir: Path,
    seed: int,
    stories: int | None = None,
) -> FaultRun:
    """One run of `fault` (one of FAULTS) on fresh topics and group against `broker`."""
    workdir.mkdir(parents=True, exist_ok=True)
    settings = fault_settings(broker.bootstrap, workdir / "worker")
    size = {"stories": stories} if stories else {}
    if fault == "sigkill":
        return sigkill_x3(settings, workdir, seed, **size)
    if fault == "broker":
        return broker_bounce(broker, settings, workdir, seed, **size)
    if fault == "rebalance":
        return rebalance(settings, workdir, seed, **size)
    if fault == "pool":
        return pool_kill(settings, workdir, seed, **size)
    raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")
