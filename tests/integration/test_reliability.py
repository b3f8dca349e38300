"""Reliability under faults, against real Kafka and real worker processes: SIGKILLed workers,
a broker stopped or killed mid-stream, a rebalance under load, a long outage (back-pressure)
and oversized stories. Every pushed record must come out enriched or dead-lettered (lost = 0);
duplicates are allowed only as exact re-publications with the same event_id."""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka import KafkaProducer

from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from deploy.kafka.broker import LocalBroker, port_open
from tests.integration.conftest import free_port, fresh_settings, metric_value, running_worker
from tests.integration.harness import (
    OutputCounter,
    Pushed,
    Verdict,
    WireStory,
    make_stories,
    push_stories,
    uncommitted,
    verify,
)

pytestmark = pytest.mark.integration

SEED = 20261128
DRAIN_TIMEOUT = 240.0
# Faust reads its settings from the environment too. A SIGKILLed member stays in the group until
# its session times out (Faust's default: 60 s), which is most of the recovery time after a crash;
# 10 s keeps this module within minutes, and the printed recovery times reflect it.
FAUST_ENV = {"BROKER_SESSION_TIMEOUT": "10", "BROKER_HEARTBEAT_INTERVAL": "1"}


@pytest.fixture(autouse=True)
def short_group_session(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAUST_ENV.items():
        monkeypatch.setenv(name, value)  # running_worker passes os.environ to the worker


@pytest.fixture(scope="module")
def fault_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """A broker of this module's own, on free ports, that the tests stop and kill."""
    local = LocalBroker(
        port=free_port(),
        controller_port=free_port(),
        state_dir=tmp_path_factory.mktemp("fault-kafka"),
    )
    local.start()
    yield local
    local.stop()


def make_settings(bootstrap: str, tmp_path: Path) -> Settings:
    return fresh_settings(bootstrap, tmp_path, "rel")


def names(settings: Settings) -> dict[str, str]:
    return {role: spec.name for role, spec in topic_specs(settings).items()}


def outputs(settings: Settings) -> OutputCounter:
    topics = names(settings)
    return OutputCounter(settings.broker, [topics["enriched"], topics["dead_letter"]])


def wait_until(
    predicate: Callable[[], bool], timeout: float, what: str, step: float = 0.25
) -> float:
    """Seconds until `predicate` held; fails the test with `what` after `timeout`."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(step)
    return time.monotonic() - started


def grew_past(counter: OutputCounter, mark: int) -> Callable[[], bool]:
    def check() -> bool:
        count = counter.count()
        return count is not None and count > mark

    return check


def published(settings: Settings) -> float:
    """Events the worker has had acknowledged by Kafka, from its own /metrics."""
    return metric_value(settings, "wirestream_events_published_total")


def published_past(settings: Settings, mark: float) -> Callable[[], bool]:
    return lambda: published(settings) > mark


def restart_broker(broker: LocalBroker, settings: Settings) -> tuple[float, float]:
    """Start the broker again while watching: seconds until it listened, then seconds from
    there until the worker had published something new (its recovery)."""
    before = published(settings)
    failures: list[BaseException] = []

    def start() -> None:
        try:
            broker.start()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
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
    finally:
        verdict = verify(
            settings.broker, topics["raw"], topics["enriched"], topics["dead_letter"], pushed
        )
        print(f"\n[{label}] {verdict.summary()}")
        if drained.last and any(drained.last.values()):
            print(f"[{label}] uncommitted: {drained.last}")
    return verdict


def assert_complete(verdict: Verdict, pushed: list[Pushed]) -> None:
    assert verdict.lost == (), f"{len(verdict.lost)} lost, first: {verdict.lost[:3]}"
    assert verdict.conflicting == (), verdict.conflicting[:5]
    assert verdict.unexpected == 0
    assert verdict.misrouted == (), (
        f"{len(verdict.misrouted)} records ended in the wrong topic (valid stories "
        f"dead-lettered?), first: {verdict.misrouted[:2]}"
    )
    malformed = sum(1 for p in pushed if p.story.malformed)
    assert (verdict.enriched, verdict.dead_lettered) == (len(pushed) - malformed, malformed)


def group_pids(pgid: int) -> list[int]:
    """Live processes of a process group (the worker and its NLP pool), from /proc."""
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


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def raw_assignment(settings: Settings) -> set[int] | None:
    """Raw-topic partitions the worker at settings.web_port owns, from its /health."""
    raw = names(settings)["raw"]
    try:
        with urllib.request.urlopen(f"{settings.web_url}/health", timeout=5) as response:
            assigned = json.loads(response.read())["assigned"]
    except OSError:
        return None
    return {int(tp.rsplit(":", 1)[1]) for tp in assigned if tp.rsplit(":", 1)[0] == raw}


def test_sigkilled_workers_lose_nothing(settings: Settings, tmp_path: Path) -> None:
    """2,000 stories; the whole worker process group (worker + NLP pool) is SIGKILLed at three
    random points and a fresh worker takes over from the committed offsets each time."""
    ensure_topics(settings)
    pushed = push_stories(
        settings.broker, names(settings)["raw"], make_stories(2000, seed=f"crash{SEED}")
    )
    rng = random.Random(SEED)
    kill_marks = sorted(rng.sample(range(200, 1700), 3))
    counter = outputs(settings)
    recoveries: list[float] = []
    killed_at, at_kill = 0.0, 0
    try:
        for life, mark in enumerate([*kill_marks, None]):
            with running_worker(settings, tmp_path / f"worker-{life}.log") as process:
                if life:
                    wait_until(grew_past(counter, at_kill), 120, "output after the restart")
                    recoveries.append(time.monotonic() - killed_at)
                if mark is None:
                    verdict = settle_and_verify(settings, pushed, "sigkill x3")
                    break
                wait_until(grew_past(counter, mark), 180, f"{mark} outputs")
                time.sleep(rng.uniform(0, 1.5))  # land anywhere in a batch
                members = group_pids(process.pid)
                assert len(members) >= 2, f"no NLP pool process beside the worker: {members}"
                os.killpg(process.pid, signal.SIGKILL)
                killed_at, at_kill = time.monotonic(), counter.count() or 0
                process.wait(timeout=10)
                wait_until(lambda: not group_pids(process.pid), 10, "the pool process to go")
                print(f"\nkill {life + 1}: {len(members)} processes killed at {at_kill} outputs")
    finally:
        counter.close()
    print(
        "recovery (kill to first new output): "
        + ", ".join(f"{seconds:.1f}s" for seconds in recoveries)
    )
    assert_complete(verdict, pushed)
    assert len(recoveries) == 3


def pool_children(worker_pid: int, name: str = "wirestream-nlp") -> list[int]:
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


def test_killed_pool_processes_are_replaced_and_their_batches_redone(
    settings: Settings, tmp_path: Path
) -> None:
    """The NLP process, then the finishing process, is SIGKILLed mid-batch: the worker (never
    restarted) replaces them and re-runs that batch story by story; no story is lost or
    dead-lettered."""
    ensure_topics(settings)
    pushed = push_stories(
        settings.broker, names(settings)["raw"], make_stories(400, seed=f"pool{SEED}")
    )
    with running_worker(settings, tmp_path / "worker.log") as process:
        for mark, kind in ((60, "wirestream-nlp"), (200, "wirestream-fin")):
            wait_until(published_past(settings, mark), 180, f"{mark} events published")
            (child,) = pool_children(process.pid, kind)
            os.kill(child, signal.SIGKILL)
            killed = time.monotonic()
            before = published(settings)
            wait_until(
                lambda old=child, kind=kind: pool_children(process.pid, kind) not in ([], [old]),
                60,
                f"a new {kind} process",
            )
            resumed = wait_until(published_past(settings, before), 60, "output after the kill")
            print(
                f"\n{kind} process killed at {before:.0f} events; a new one published "
                f"{time.monotonic() - killed:.1f}s later ({resumed:.1f}s after it appeared)"
            )
            assert process.poll() is None
        verdict = settle_and_verify(settings, pushed, "nlp and finishing processes killed")
        assert process.poll() is None
    assert_complete(verdict, pushed)


def test_worker_rides_out_broker_stop_and_kill(fault_broker: LocalBroker, tmp_path: Path) -> None:
    """The broker stops (SIGTERM), and later dies (SIGKILL), under a running worker that is
    never restarted: it resumes by itself, nothing is lost, its lag gauge returns to 0."""
    settings = make_settings(fault_broker.bootstrap, tmp_path)
    ensure_topics(settings)
    pushed = push_stories(
        settings.broker, names(settings)["raw"], make_stories(600, seed=f"bounce{SEED}")
    )
    with running_worker(settings, tmp_path / "worker.log") as process:
        for fault, mark in (("stop", 100), ("kill", 320)):
            wait_until(published_past(settings, mark), 180, f"{mark} events before the {fault}")
            (fault_broker.stop if fault == "stop" else fault_broker.kill)()
            time.sleep(5)
            listening, resumed = restart_broker(fault_broker, settings)
            assert process.poll() is None, "the worker died with the broker"
            print(
                f"\nbroker {fault}: listening again after {listening:.1f}s; the worker "
                f"published again {resumed:.1f}s later"
            )
        settled = time.monotonic()
        verdict = settle_and_verify(settings, pushed, "broker stop + kill")
        lag = wait_until(
            lambda: metric_value(settings, "wirestream_consumer_lag_messages") == 0,
            30,
            "the lag gauge to return to 0",
            step=0.5,
        )
        print(
            f"lag gauge at 0 {time.monotonic() - settled:.1f}s after the last recovery "
            f"({lag:.1f}s after the group had committed everything)"
        )
        assert process.poll() is None
    assert_complete(verdict, pushed)


def test_rebalance_under_load_moves_partitions_and_loses_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    """Two workers in one group on a 4-partition raw topic; one stops (SIGTERM) under load and
    starts again: its partitions move to the other and come back."""
    settings = settings.model_copy(update={"partitions": 4})
    other = settings.model_copy(update={"web_port": free_port(), "data_dir": tmp_path / "w2"})
    ensure_topics(settings)
    pushed = push_stories(
        settings.broker, names(settings)["raw"], make_stories(700, seed=f"reb{SEED}")
    )
    everything = {0, 1, 2, 3}

    def shared() -> bool:
        mine, theirs = raw_assignment(settings), raw_assignment(other)
        return bool(mine) and bool(theirs) and (mine or set()) | (theirs or set()) == everything

    counter = outputs(settings)
    try:
        with running_worker(settings, tmp_path / "a.log"):
            with running_worker(other, tmp_path / "b-1.log"):
                wait_until(shared, 90, "both workers to own raw partitions")
                before = (raw_assignment(settings), raw_assignment(other))
                wait_until(grew_past(counter, 150), 180, "150 outputs")
                stopped = time.monotonic()
            wait_until(
                lambda: raw_assignment(settings) == everything,
                90,
                "the first worker to own all four partitions",
            )
            print(
                f"\nassignment {before[0]} / {before[1]}; all four with the first worker "
                f"{time.monotonic() - stopped:.1f}s after the SIGTERM (graceful stop included)"
            )
            wait_until(
                grew_past(counter, (counter.count() or 0) + 50), 120, "output with one worker"
            )
            with running_worker(other, tmp_path / "b-2.log"):
                back = wait_until(shared, 90, "partitions to come back")
                print(
                    f"partitions back {back:.1f}s after the restart: "
                    f"{raw_assignment(settings)} / {raw_assignment(other)}"
                )
                verdict = settle_and_verify(settings, pushed, "rebalance")
    finally:
        counter.close()
    assert_complete(verdict, pushed)


def test_outage_back_pressure_keeps_memory_bounded(
    fault_broker: LocalBroker, tmp_path: Path
) -> None:
    """A 25 s broker outage with a backlog and a producer that keeps trying: the worker neither
    dies nor keeps taking in messages, its memory stays flat, and it finishes after."""
    settings = make_settings(fault_broker.bootstrap, tmp_path)
    ensure_topics(settings)
    raw = names(settings)["raw"]
    stories = make_stories(500, seed=f"bp{SEED}")
    pushed = push_stories(settings.broker, raw, stories[:400])
    late: list[Pushed] = []
    producer = KafkaProducer(
        bootstrap_servers=settings.broker,
        acks="all",
        linger_ms=10,
        max_block_ms=2000,
        delivery_timeout_ms=60_000,
        reconnect_backoff_max_ms=1000,
    )

    def keep_producing() -> None:
        for story in stories[400:]:
            try:  # get() outlasts delivery_timeout_ms: every record resolves one way or the other
                meta = producer.send(raw, key=story.key, value=story.data).get(timeout=90)
                late.append(Pushed(story, meta.partition, meta.offset))
            except Exception:  # noqa: BLE001 - not accepted by Kafka: not the pipeline's to lose
                time.sleep(0.2)

    thread = threading.Thread(target=keep_producing, daemon=True)
    try:
        with running_worker(settings, tmp_path / "worker.log") as process:
            wait_until(published_past(settings, 80), 180, "80 events published")
            base = sum(rss_mb(pid) for pid in group_pids(process.pid))
            base_worker = rss_mb(process.pid)
            received = metric_value(settings, "wirestream_stories_received_total")
            fault_broker.stop()
            thread.start()
            peak = peak_worker = 0.0
            for _ in range(25):
                assert process.poll() is None, "the worker died during the outage"
                peak = max(peak, sum(rss_mb(pid) for pid in group_pids(process.pid)))
                peak_worker = max(peak_worker, rss_mb(process.pid))
                time.sleep(1)
            taken_in = metric_value(settings, "wirestream_stories_received_total") - received
            listening, resumed = restart_broker(fault_broker, settings)
            thread.join(timeout=180)
            print(
                f"\nRSS worker {base_worker:.0f} -> peak {peak_worker:.0f} MB, worker + NLP pool "
                f"{base:.0f} -> peak {peak:.0f} MB over a 25 s outage; {taken_in:.0f} stories "
                f"taken in during it (batch size {settings.batch_size}); published again "
                f"{resumed:.1f}s after the broker listened; {len(late)} of 100 stories produced "
                "from the outage on were accepted"
            )
            assert peak - base < 200
            assert taken_in <= 4 * settings.batch_size, "it kept consuming during the outage"
            verdict = settle_and_verify(settings, [*pushed, *late], "outage")
            assert process.poll() is None
    finally:
        producer.close(timeout=10)
    assert_complete(verdict, [*pushed, *late])


def big_story(size: int, limit: int) -> WireStory:
    """French copy (tagged, so it skips the English model) padded to about `size` bytes; over
    `limit` it is expected as a story_too_large dead letter."""
    sentence = (
        "Le conseil municipal a vote mardi un budget de transport revu a la hausse, "
        "malgre les reserves de l'opposition. "
    )
    story_id = f"urn:wirestream:big:{size}"
    body = sentence * (size // len(sentence))
    data = f"id {story_id}\nversion 1\nlanguage fr\n\n{body}\n".encode()
    return WireStory(size, data, story_id, malformed="too_large" if size > limit else None)


def test_big_stories_come_through_and_too_big_ones_go_alone(
    settings: Settings, tmp_path: Path
) -> None:
    """Stories of 300 KB and just under the model's 1,000,000 characters, among ordinary ones,
    come out enriched although their internal record (about 2.3 times their size) and their
    event pass Kafka's default 1 MB limit; one over max_story_bytes is dead-lettered alone, its
    batch-mates unaffected; the worker keeps going."""
    ensure_topics(settings)
    limit = settings.max_story_bytes
    stories = make_stories(40, seed=f"big{SEED}", malformed_share=0.0)
    big = [big_story(size, limit) for size in (300_000, 990_000, limit + 800_000)]
    mixed = [*stories[:10], big[0], *stories[10:20], big[1], *stories[20:30], big[2], *stories[30:]]
    pushed = push_stories(settings.broker, names(settings)["raw"], mixed)
    with running_worker(settings, tmp_path / "worker.log") as process:
        verdict = settle_and_verify(settings, pushed, "big stories")
        assert process.poll() is None
    assert_complete(verdict, pushed)
