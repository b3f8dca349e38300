"""Reliability under faults, against real Kafka and real worker processes: SIGKILLed workers,
a broker stopped or killed mid-stream, a rebalance under load, and an outage long enough to
show back-pressure. Every pushed record must come out enriched or dead-lettered (lost = 0);
duplicates are allowed only as exact re-publications with the same event_id."""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from agents.settings import Settings
from agents.topics import ensure_topics, topic_specs
from deploy.kafka.broker import LocalBroker
from tests.integration.conftest import free_port, metric_value, running_worker
from tests.integration.harness import (
    OutputCounter,
    Pushed,
    Verdict,
    make_stories,
    push_stories,
    uncommitted,
    verify,
)

pytestmark = pytest.mark.integration

SEED = 20261128
DRAIN_TIMEOUT = 240.0
# Faust reads its own settings from the environment. A SIGKILLed member stays in the group until
# its session times out (Faust's default: 60 s), so every crash would cost a minute; 10 s keeps
# the module within minutes and is what the printed recovery times reflect.
SESSION_TIMEOUT_SECONDS = "10"


@pytest.fixture(autouse=True)
def short_group_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKER_SESSION_TIMEOUT", SESSION_TIMEOUT_SECONDS)
    monkeypatch.setenv("BROKER_HEARTBEAT_INTERVAL", "1")


@pytest.fixture(scope="module")
def fault_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """A broker of this module's own, on free ports, that the tests stop and kill."""
    local = LocalBroker(port=free_port(), controller_port=free_port(),
                        state_dir=tmp_path_factory.mktemp("fault-kafka"))
    local.start()
    yield local
    local.stop()


def make_settings(bootstrap: str, tmp_path: Path, partitions: int = 2) -> Settings:
    tag = uuid.uuid4().hex[:8]
    return Settings(
        broker=bootstrap, app_id=f"wirestream-rel-{tag}", topic_prefix=f"rel-{tag}",
        partitions=partitions, web_port=free_port(), data_dir=tmp_path / "worker",
        batch_seconds=0.1, nlp_processes=1,
    )


def second_worker(settings: Settings, tmp_path: Path) -> Settings:
    """Same app id (= consumer group) and topics; its own web port and state dir."""
    return settings.model_copy(update={"web_port": free_port(), "data_dir": tmp_path / "w2"})


def names(settings: Settings) -> dict[str, str]:
    return {role: spec.name for role, spec in topic_specs(settings).items()}


def wait_until(predicate: Callable[[], bool], timeout: float, what: str,
               step: float = 0.25) -> float:
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


def drained(settings: Settings) -> Callable[[], bool]:
    """Every raw and internal record consumed and its offset committed by the group."""
    topics = names(settings)

    def check() -> bool:
        try:
            lag = uncommitted(settings.broker, settings.app_id,
                              [topics["raw"], topics["prepared"]])
        except Exception:  # noqa: BLE001 - broker still coming back
            return False
        check.last = lag  # type: ignore[attr-defined]
        return not any(lag.values())
    return check


def verify_all(settings: Settings, pushed: list[Pushed], label: str) -> Verdict:
    topics = names(settings)
    done = drained(settings)
    try:
        wait_until(done, DRAIN_TIMEOUT, f"{label}: the group to commit every record")
    except AssertionError:
        print(f"[{label}] uncommitted per partition: {getattr(done, 'last', None)}")
        print(verify(settings.broker, topics["raw"], topics["enriched"], topics["dead_letter"],
                     pushed).summary())
        raise
    verdict = verify(settings.broker, topics["raw"], topics["enriched"], topics["dead_letter"],
                     pushed)
    print(f"\n[{label}] {verdict.summary()}")
    assert verdict.lost == (), f"{len(verdict.lost)} lost, first {verdict.lost[:3]}"
    assert verdict.conflicting == (), verdict.conflicting[:5]
    assert verdict.misrouted == (), verdict.misrouted[:5]
    assert verdict.unexpected == 0
    malformed = sum(1 for p in pushed if p.story.malformed)
    assert (verdict.enriched, verdict.dead_lettered) == (len(pushed) - malformed, malformed)
    return verdict


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
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def raw_assignment(settings: Settings) -> set[int]:
    raw = names(settings)["raw"]
    with urllib.request.urlopen(f"{settings.web_url}/health", timeout=5) as response:
        assigned = json.loads(response.read())["assigned"]
    return {int(tp.rsplit(":", 1)[1]) for tp in assigned if tp.rsplit(":", 1)[0] == raw}


def safe_assignment(settings: Settings) -> set[int] | None:
    try:
        return raw_assignment(settings)
    except OSError:
        return None


def test_sigkilled_workers_lose_nothing(settings: Settings, tmp_path: Path) -> None:
    """Three SIGKILLs of the whole worker process group at random points of a 2,000-story run;
    after each a fresh worker takes over from the committed offsets."""
    ensure_topics(settings)
    topics = names(settings)
    pushed = push_stories(settings.broker, topics["raw"], make_stories(2000, seed=f"crash{SEED}"))
    rng = random.Random(SEED)
    kill_marks = sorted(rng.sample(range(200, 1700), 3))
    counter = OutputCounter(settings.broker, [topics["enriched"], topics["dead_letter"]])
    recoveries: list[float] = []
    killed_at: float | None = None
    at_kill = 0
    try:
        for life, mark in enumerate([*kill_marks, None]):
            with running_worker(settings, tmp_path / f"worker-{life}.log") as process:
                if killed_at is not None:
                    wait_until(grew_past(counter, at_kill), 120, "output after the restart")
                    recoveries.append(time.monotonic() - killed_at)
                if mark is None:
                    verdict = verify_all(settings, pushed, "sigkill x3")
                    break
                wait_until(grew_past(counter, mark), 180, f"{mark} outputs")
                time.sleep(rng.uniform(0, 1.5))  # land anywhere in a batch
                members = group_pids(process.pid)
                assert len(members) >= 2, f"no NLP pool process beside the worker: {members}"
                os.killpg(process.pid, signal.SIGKILL)
                killed_at, at_kill = time.monotonic(), counter.count() or 0
                process.wait(timeout=10)
                wait_until(lambda: group_pids(process.pid) == [], 10, "the pool process to go")
                print(f"\nkill {life + 1}: {len(members)} processes at {at_kill} outputs")
    finally:
        counter.close()
    print(f"kill points (outputs): {kill_marks}; recovery to first new output after each kill: "
          + ", ".join(f"{s:.1f}s" for s in recoveries))
    assert len(recoveries) == 3
    assert verdict.duplicates < len(pushed) // 2


def test_worker_rides_out_broker_stop_and_kill(fault_broker: LocalBroker,
                                               tmp_path: Path) -> None:
    """The broker stops (SIGTERM) and later dies (SIGKILL) under a running worker, which is
    never restarted: it resumes by itself, nothing is lost and its lag gauge returns to 0."""
    settings = make_settings(fault_broker.bootstrap, tmp_path)
    ensure_topics(settings)
    topics = names(settings)
    pushed = push_stories(settings.broker, topics["raw"], make_stories(700, seed=f"bounce{SEED}"))
    counter = OutputCounter(settings.broker, [topics["enriched"], topics["dead_letter"]])
    try:
        with running_worker(settings, tmp_path / "worker.log") as process:
            for fault, mark in (("stop", 120), ("kill", 380)):
                wait_until(grew_past(counter, mark), 180, f"{mark} outputs before the {fault}")
                (fault_broker.stop if fault == "stop" else fault_broker.kill)()
                time.sleep(5)
                fault_broker.start()
                back = time.monotonic()
                at_restart = counter.count() or 0
                resumed = wait_until(grew_past(counter, at_restart), 120,
                                     f"output after the broker {fault}")
                assert process.poll() is None, "the worker died with the broker"
                print(f"\nbroker {fault}: first new output {resumed:.1f}s after it was back")
                del back
            verify_all(settings, pushed, "broker stop+kill")
            lag = wait_until(
                lambda: metric_value(settings, "wirestream_consumer_lag_messages") == 0, 30,
                "the lag gauge to return to 0", step=0.5)
            print(f"lag gauge at 0 {lag:.1f}s after the group committed everything")
            assert process.poll() is None
    finally:
        counter.close()


def test_rebalance_under_load_moves_partitions_and_loses_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    """Two workers in one group on a 4-partition raw topic; one stops (SIGTERM) under load and
    starts again: its partitions move to the other and come back."""
    settings = settings.model_copy(update={"partitions": 4})
    other = second_worker(settings, tmp_path)
    ensure_topics(settings)
    topics = names(settings)
    pushed = push_stories(settings.broker, topics["raw"], make_stories(900, seed=f"reb{SEED}"))
    counter = OutputCounter(settings.broker, [topics["enriched"], topics["dead_letter"]])
    everything = {0, 1, 2, 3}

    def split_between_both() -> bool:
        mine, theirs = safe_assignment(settings), safe_assignment(other)
        return bool(mine) and bool(theirs) and mine | theirs == everything  # type: ignore[operator]

    try:
        with ExitStack() as stack:
            stack.enter_context(running_worker(settings, tmp_path / "a.log"))
            with running_worker(other, tmp_path / "b-1.log"):
                wait_until(split_between_both, 90, "both workers to own raw partitions")
                before = (raw_assignment(settings), raw_assignment(other))
                wait_until(grew_past(counter, 150), 180, "150 outputs")
            stopped = time.monotonic()
            moved = wait_until(lambda: safe_assignment(settings) == everything, 90,
                               "the first worker to take all four partitions")
            print(f"\nassignment {before}; all moved to the first worker "
                  f"{moved + time.monotonic() - stopped - moved:.1f}s after the SIGTERM")
            mark = counter.count() or 0
            wait_until(grew_past(counter, mark + 50), 120, "output with one worker")
            with running_worker(other, tmp_path / "b-2.log"):
                back = wait_until(split_between_both, 90, "partitions to come back")
                print(f"partitions came back {back:.1f}s after the restart: "
                      f"{raw_assignment(settings)} / {raw_assignment(other)}")
                verify_all(settings, pushed, "rebalance")
    finally:
        counter.close()


def test_outage_back_pressure_keeps_memory_bounded(fault_broker: LocalBroker,
                                                   tmp_path: Path) -> None:
    """A 25 s broker outage while a producer keeps trying: the worker neither dies nor buffers
    without bound, and it finishes the backlog once the broker is back."""
    settings = make_settings(fault_broker.bootstrap, tmp_path)
    ensure_topics(settings)
    topics = names(settings)
    stories = make_stories(900, seed=f"bp{SEED}")
    pushed = push_stories(settings.broker, topics["raw"], stories[:600])
    counter = OutputCounter(settings.broker, [topics["enriched"], topics["dead_letter"]])
    late: list[Pushed] = []
    stop_producing = threading.Event()

    def keep_producing() -> None:
        from kafka import KafkaProducer

        producer = KafkaProducer(bootstrap_servers=settings.broker, acks="all",
                                 max_block_ms=2000, request_timeout_ms=5000,
                                 delivery_timeout_ms=60000, linger_ms=10)
        for story in stories[600:]:
            if stop_producing.is_set():
                break
            try:
                meta = producer.send(topics["raw"], key=story.key, value=story.data).get(60)
                late.append(Pushed(story, meta.partition, meta.offset))
            except Exception:  # noqa: BLE001 - the broker is down: try the next one
                time.sleep(0.2)
        producer.close(timeout=10)

    try:
        with running_worker(settings, tmp_path / "worker.log") as process:
            wait_until(grew_past(counter, 100), 180, "100 outputs")
            base = rss_mb(process.pid)
            received = metric_value(settings, "wirestream_stories_received_total")
            producer = threading.Thread(target=keep_producing, daemon=True)
            fault_broker.stop()
            producer.start()
            peak, outage_started = base, time.monotonic()
            while time.monotonic() - outage_started < 25:
                assert process.poll() is None, "the worker died during the outage"
                peak = max(peak, rss_mb(process.pid))
                time.sleep(1)
            during = metric_value(settings, "wirestream_stories_received_total") - received
            fault_broker.start()
            back = time.monotonic()
            resumed = wait_until(grew_past(counter, counter.count() or 0), 120,
                                 "output after the outage")
            stop_producing.set()
            producer.join(timeout=90)
            print(f"\nworker RSS {base:.0f} MB before, peak {peak:.0f} MB during a 25 s outage; "
                  f"{during:.0f} stories handled during it; output resumed {resumed:.1f}s "
                  f"after the broker was back; {len(late)} sent by the producer meanwhile")
            del back
            assert peak - base < 200
            assert process.poll() is None
            verify_all(settings, [*pushed, *late], "outage")
    finally:
        counter.close()
