"""Hostile input against a real worker on a real broker: 500+ malformed messages (tests/poison.py)
mixed with valid stories of every format and one 10 MB story. Every bad message must land in the
dead-letter topic with the reason triage gives offline, every good one must come out enriched,
nothing may be lost, and the worker must still be alive and within its memory at the end."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from schemas import DEAD_LETTER, ENRICHED_STORY, schema_errors
from tests import poison
from tests.integration.conftest import running_worker

pytestmark = pytest.mark.integration

HOSTILE = 800
VALID = 50
RSS_LIMIT_MB = 1536
DEADLINE_SECONDS = 180
Source = tuple[int, int]  # (partition, offset) of a raw message


def build_corpus() -> list[tuple[poison.Message, poison.Expected]]:
    """Hostile messages with a valid story after every sixteenth, and the 10 MB story; each with
    its offline verdict. Readable copy the lifecycle would hold or kill, or whose story id an
    earlier message already took, is left out: it would rightly produce no enriched story."""
    hostile = poison.hostile_messages(HOSTILE, seed=3)
    valid = poison.valid_stories(VALID, tag="poison")
    step = HOSTILE // VALID
    messages = [poison.huge_story(10 * 1024 * 1024)]
    for n in range(VALID):
        messages += [*hostile[n * step : (n + 1) * step], valid[n]]
    messages += hostile[VALID * step :]
    corpus, ids = [], set()
    for message in messages:
        verdict = poison.expect(message)
        if verdict.good and (verdict.decision != "enrich" or verdict.story_id in ids):
            continue
        ids.add(verdict.story_id)
        corpus.append((message, verdict))
    return corpus


def group_rss_mb(pgid: int) -> float:
    """Resident memory of every process in the worker's process group (it and its NLP pool)."""
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return total_kb / 1024


@contextmanager
def rss_sampler(pgid: int) -> Iterator[dict[str, float]]:
    figures = {"peak_mb": 0.0, "samples": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            figures["peak_mb"] = max(figures["peak_mb"], group_rss_mb(pgid))
            figures["samples"] += 1
            stop.wait(0.25)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield figures
    finally:
        stop.set()
        thread.join()


def push(settings: Settings, messages: list[poison.Message]) -> list[Source]:
    producer = KafkaProducer(
        bootstrap_servers=settings.broker,
        acks="all",
        linger_ms=5,
        max_request_size=16 * 1024 * 1024,
    )
    raw = topic_specs(settings)["raw"].name
    try:
        futures = [producer.send(raw, m.data, headers=m.headers) for m in messages]
        producer.flush()
        return [(meta.partition, meta.offset) for meta in (f.get(timeout=60) for f in futures)]
    finally:
        producer.close()


def collect(settings: Settings, wanted: int, deadline: float) -> dict[str, list[dict[str, Any]]]:
    """Enriched and dead-letter events until `wanted` arrived or the deadline passed."""
    specs = topic_specs(settings)
    consumer = KafkaConsumer(
        bootstrap_servers=settings.broker,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        consumer_timeout_ms=1000,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    roles = {specs[r].name: r for r in ("enriched", "dead_letter")}
    consumer.assign(
        [
            TopicPartition(specs[role].name, p)
            for role in roles.values()
            for p in range(specs[role].partitions)
        ]
    )
    events: dict[str, list[dict[str, Any]]] = {"enriched": [], "dead_letter": []}
    try:
        while time.monotonic() < deadline and sum(map(len, events.values())) < wanted:
            for record in consumer:
                events[roles[record.topic]].append(orjson.loads(record.value))
        return events
    finally:
        consumer.close()


def source_of(event: dict[str, Any]) -> Source:
    return event["source"]["partition"], event["source"]["offset"]


def test_hostile_messages_are_dead_lettered_with_reasons_and_the_worker_survives(
    settings: Settings, tmp_path: Path
) -> None:
    corpus = build_corpus()
    bad = [(m, v) for m, v in corpus if not v.good]
    good = [(m, v) for m, v in corpus if v.good]
    assert len(bad) >= 500 and len(good) >= VALID
    ensure_topics(settings)
    with running_worker(settings, tmp_path / "worker.log") as worker:
        with rss_sampler(worker.pid) as rss:
            started = time.monotonic()
            sources = push(settings, [m for m, _ in corpus])
            events = collect(settings, len(corpus), started + DEADLINE_SECONDS)
            elapsed = time.monotonic() - started
            time.sleep(2)  # anything extra (a duplicate, a late retry) would show by now
            events = collect(settings, len(corpus) + 1, time.monotonic() + 5)
        alive = worker.poll() is None
        with urllib.request.urlopen(f"{settings.web_url}/health", timeout=5) as response:
            healthy = response.status == 200

    expected = dict(zip(sources, corpus, strict=True))
    letters = {source_of(e): e for e in events["dead_letter"]}
    stories = {source_of(e): e for e in events["enriched"]}
    seen = Counter(source_of(e) for e in events["dead_letter"] + events["enriched"])
    lost = [expected[s][0].kind for s in expected if s not in seen]
    by_code = Counter(e["error_code"] for e in events["dead_letter"])
    print(
        f"\npushed {len(corpus)} ({len(bad)} expected bad, {len(good)} expected good, "
        f"{sum(len(m.data) for m, _ in corpus) / 1e6:.1f} MB), enriched {len(stories)}, "
        f"dead-lettered {len(letters)}, lost {len(lost)}, elapsed {elapsed:.1f}s, "
        f"peak RSS {rss['peak_mb']:.0f} MB ({rss['samples']:.0f} samples)\n"
        f"dead letters by code: {dict(sorted(by_code.items()))}"
    )
    assert alive and healthy, "the worker did not survive the hostile input"
    assert lost == [], f"{len(lost)} messages produced nothing: {Counter(lost)}"
    assert [s for s, n in seen.items() if n > 1] == [], "a message came out twice"
    assert set(seen) <= set(expected), "an event answers no pushed message"
    for source, (message, verdict) in expected.items():
        if verdict.good:
            event = stories.get(source)
            assert event is not None, (message.kind, letters.get(source, {}).get("message"))
            assert event["kind"] == "story" and event["story_id"] == verdict.story_id
            assert schema_errors(ENRICHED_STORY, event) == [], message.kind
            body = event["body"]
            spans = [m for e in event["entities"] for m in e["mentions"]]
            for span in spans + event["quotes"] + event["timex"]:
                assert body[span["start"] : span["end"]] == span["text"], message.kind
        else:
            letter = letters.get(source)
            assert letter is not None, (message.kind, verdict.code)
            assert letter["error_code"] == verdict.code, (message.kind, letter["message"])
            assert letter["message"].strip() and letter["original_size_bytes"] == len(message.data)
            assert schema_errors(DEAD_LETTER, letter) == [], message.kind
    assert rss["peak_mb"] < RSS_LIMIT_MB


def test_a_valid_story_of_a_megabyte_does_not_take_its_batch_down(
    settings: Settings, tmp_path: Path
) -> None:
    """A 1 MB story is under the 5 MB limit; the small stories sent with it (same partition,
    same batch) must come out enriched whatever becomes of it."""
    big = poison.huge_story(1024 * 1024)
    small = poison.valid_stories(6, tag="beside-big")
    ensure_topics(settings)
    with running_worker(settings, tmp_path / "worker.log"):
        producer = KafkaProducer(
            bootstrap_servers=settings.broker, acks="all", max_request_size=16 * 1024 * 1024
        )
        raw = topic_specs(settings)["raw"].name
        futures = [producer.send(raw, m.data, key=b"one-partition") for m in [big, *small]]
        sources = [(meta.partition, meta.offset) for meta in (f.get(timeout=60) for f in futures)]
        producer.close()
        events = collect(settings, len(sources), time.monotonic() + 60)
    letters = {source_of(e): e["error_code"] for e in events["dead_letter"]}
    stories = {source_of(e) for e in events["enriched"]}
    print(
        f"\nbig story: {letters.get(sources[0], 'enriched' if sources[0] in stories else '?')}"
        f"; small ones dead-lettered: {[letters.get(s) for s in sources[1:]]}"
    )
    assert sources[0] in stories or letters.get(sources[0]) == "story_too_long"
    assert all(source in stories for source in sources[1:])
