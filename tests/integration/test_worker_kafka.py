"""One story from raw topic to enriched topic through a real broker and a real worker process."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest
from kafka import KafkaConsumer, KafkaProducer

from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from schemas import DEAD_LETTER, ENRICHED_STORY, schema_errors
from tests.integration.conftest import metric_value, running_worker

pytestmark = pytest.mark.integration


def consume(settings: Settings, role: str, count: int, timeout: float = 60.0) -> list[dict]:
    consumer = KafkaConsumer(
        topic_specs(settings)[role].name,
        bootstrap_servers=settings.broker,
        auto_offset_reset="earliest",
        consumer_timeout_ms=int(timeout * 1000),
        group_id=None,
    )
    events = []
    try:
        for record in consumer:
            events.append(orjson.loads(record.value))
            if len(events) >= count:
                break
    finally:
        consumer.close()
    return events


def test_a_wire_story_comes_out_enriched_and_garbage_goes_to_dead_letters(
    settings: Settings, wire_story: Path, wire_story_expected: dict, tmp_path: Path
) -> None:
    ensure_topics(settings)
    producer = KafkaProducer(bootstrap_servers=settings.broker)
    raw = topic_specs(settings)["raw"].name
    with running_worker(settings, tmp_path / "worker.log"):
        producer.send(raw, wire_story.read_bytes()).get(timeout=30)
        producer.send(raw, b"\x00\x01\x02 binary garbage \xff").get(timeout=30)
        producer.flush()

        (enriched,) = consume(settings, "enriched", 1)
        (dead,) = consume(settings, "dead_letter", 1)

        assert schema_errors(ENRICHED_STORY, enriched) == []
        assert enriched["dates"]["published"] == wire_story_expected["dct"]
        assert enriched["body"] == wire_story_expected["text"]
        persons = {e["name"] for e in enriched["entities"] if e["label"] == "PERSON"}
        for surname in wire_story_expected["person_surnames"]:
            assert any(surname in name for name in persons), (surname, persons)
        for entity in enriched["entities"]:
            for mention in entity["mentions"]:
                assert enriched["body"][mention["start"] : mention["end"]] == mention["text"]

        assert schema_errors(DEAD_LETTER, dead) == []
        assert dead["error_code"] == "invalid_encoding"
        assert dead["source"]["topic"] == raw

        # the worker is still alive and its counters moved
        deadline = time.monotonic() + 10
        while metric_value(settings, "wirestream_stories_enriched_total") < 1:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert metric_value(settings, "wirestream_dead_letters_total") == 1
        assert metric_value(settings, "wirestream_stories_received_total") == 2
        producer.send(raw, b'{"body": "Second story after the bad one, from Oslo."}').get(30)
        assert len(consume(settings, "enriched", 2)) == 2


def test_metrics_count_every_pushed_story_once_and_lag_returns_to_zero(
    settings: Settings, tmp_path: Path
) -> None:
    from pipeline.testing import seed_text

    ensure_topics(settings)
    producer = KafkaProducer(bootstrap_servers=settings.broker)
    raw = topic_specs(settings)["raw"].name
    body = "Snow closed the mountain pass above Andermatt on Tuesday, police said."
    messages = [
        seed_text("urn:m:1", body),
        seed_text("urn:m:1", body),  # exact resend: received, then dropped before NLP
        seed_text("urn:m:2", body + " It reopened at noon."),
        b'{"body": 42}',  # dead-lettered
        seed_text("urn:m:3", "Ferries to Gotland ran on time, the operator said."),
    ]
    with running_worker(settings, tmp_path / "worker.log"):
        for message in messages:
            producer.send(raw, message, key=b"one").get(timeout=30)
        consume(settings, "enriched", 3)
        deadline = time.monotonic() + 30
        while (
            metric_value(settings, "wirestream_stories_received_total") < len(messages)
            or metric_value(settings, "wirestream_consumer_lag_messages") > 0
        ):
            assert time.monotonic() < deadline, "counters did not settle"
            time.sleep(0.5)
        assert metric_value(settings, "wirestream_stories_received_total") == len(messages)
        assert metric_value(settings, "wirestream_duplicates_dropped_total") == 1
        assert metric_value(settings, "wirestream_dead_letters_total") == 1
        assert metric_value(settings, "wirestream_stories_enriched_total") == 3
