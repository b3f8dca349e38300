"""Reliability under faults, against real Kafka and real worker processes: SIGKILLed workers,
killed pool processes, a broker stopped or killed mid-stream, a rebalance under load, a long
outage (back-pressure) and oversized stories. Every pushed record must come out enriched or
dead-lettered (lost = 0), and a duplicate must be an exact re-publication (same event_id), at
most one batch (Settings.batch_size) of them per fault injected. The four fault runs live in
bench/faults.py, where `python -m bench.chaos` repeats them with other seeds."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaProducer

from agents.settings import Settings
from agents.worker.topics import ensure_topics
from bench.faults import (
    FaultRun,
    broker_bounce,
    group_pids,
    names,
    pool_kill,
    published_past,
    rebalance,
    restart_broker,
    running_worker,
    settle_and_verify,
    shortfalls,
    sigkill_x3,
    wait_until,
)
from deploy.kafka.broker import LocalBroker
from tests.integration.conftest import free_port, fresh_settings, metric_value
from tests.integration.harness import Pushed, Verdict, WireStory, make_stories, push_stories

pytestmark = pytest.mark.integration

SEED = 20261128
__all__ = ["group_pids"]  # tests/integration/test_children_die.py reads the group through here


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


def assert_complete(
    verdict: Verdict, pushed: list[Pushed], duplicate_bound: int | None, label: str
) -> None:
    print(f"\n[{label}] {verdict.summary()}")
    assert shortfalls(verdict, pushed, duplicate_bound) == []


def assert_within_guarantees(run: FaultRun, settings: Settings) -> None:
    """Nothing lost, misrouted or altered, and at most one batch of duplicates per fault."""
    print(f"\n[{run.fault}, seed {run.seed}, {run.seconds:.0f}s] {run.verdict.summary()}")
    for note in run.notes:
        print(note)
    assert run.duplicate_bound == run.injected * settings.batch_size
    assert run.verdict.duplicates <= run.duplicate_bound, (
        f"{run.verdict.duplicates} duplicates after {run.injected} faults, batch size "
        f"{settings.batch_size}"
    )
    assert run.shortfalls() == []


def test_sigkilled_workers_lose_nothing(settings: Settings, tmp_path: Path) -> None:
    """2,000 stories; the whole worker process group (worker + pool) is SIGKILLed at three
    random points and a fresh worker takes over from the committed offsets each time."""
    run = sigkill_x3(settings, tmp_path, SEED)
    assert run.injected == 3
    assert_within_guarantees(run, settings)


def test_killed_pool_processes_are_replaced_and_their_batches_redone(
    settings: Settings, tmp_path: Path
) -> None:
    """The NLP process, then the finishing process, is SIGKILLed mid-batch: the worker (never
    restarted) replaces them and re-runs that batch story by story; no story is lost or
    dead-lettered."""
    run = pool_kill(settings, tmp_path, SEED)
    assert run.injected == 2
    assert_within_guarantees(run, settings)


def test_worker_rides_out_broker_stop_and_kill(fault_broker: LocalBroker, tmp_path: Path) -> None:
    """The broker stops (SIGTERM), and later dies (SIGKILL), under a running worker that is
    never restarted: it resumes by itself, nothing is lost, its lag gauge returns to 0."""
    settings = make_settings(fault_broker.bootstrap, tmp_path)
    run = broker_bounce(fault_broker, settings, tmp_path, SEED)
    assert run.injected == 2
    assert_within_guarantees(run, settings)


def test_rebalance_under_load_moves_partitions_and_loses_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    """Two workers in one group on a 4-partition raw topic; one stops (SIGTERM) under load and
    starts again: its partitions move to the other and come back."""
    run = rebalance(settings, tmp_path, SEED)
    assert run.injected == 2
    assert_within_guarantees(run, settings)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


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
    assert_complete(verdict, [*pushed, *late], settings.batch_size, "outage")  # one fault


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
    assert_complete(verdict, pushed, 0, "big stories")  # no fault: no replay
