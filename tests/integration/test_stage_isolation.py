"""A stage's error costs that stage's output, not the story: on a real broker, a story whose
quotes stage raises and one the model refuses are published with a warning, the others whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from kafka import KafkaProducer

from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from pipeline.testing import seed_text
from schemas import ENRICHED_STORY, schema_errors
from tests.integration.conftest import metric_value, running_worker
from tests.integration.fault_worker import MODEL_FAULT, MODEL_HANG, QUOTES_FAULT
from tests.integration.test_worker_kafka import consume

pytestmark = pytest.mark.integration

COPY = (
    "Harbour pilots in Gdansk said on Tuesday that the new container berth would open next "
    "month. \u201cWe are ready for the bigger ships,\u201d said Marta Kowalczyk, the port's "
    "operations chief. {mark}"
)


def test_a_failing_stage_publishes_the_story_with_a_warning(
    settings: Settings, tmp_path: Path
) -> None:
    ensure_topics(settings)
    raw = topic_specs(settings)["raw"].name
    stories = {
        "urn:iso:plain": COPY.format(mark="Cranes arrive in May."),
        "urn:iso:quotes": COPY.format(mark=QUOTES_FAULT),
        "urn:iso:model": COPY.format(mark=MODEL_FAULT),
    }
    producer = KafkaProducer(bootstrap_servers=settings.broker)
    command = ("tests.integration.fault_worker",)
    with running_worker(settings, tmp_path / "worker.log", command):
        for story_id, body in stories.items():
            producer.send(raw, seed_text(story_id, body), key=story_id.encode()).get(timeout=30)
        producer.flush()
        events = {e["story_id"]: e for e in consume(settings, "enriched", 3, timeout=120)}
        assert set(events) == set(stories)
        assert metric_value(settings, 'wirestream_stage_errors_total{stage="quotes"}') == 1
        assert metric_value(settings, 'wirestream_stage_errors_total{stage="nlp"}') == 1
        assert metric_value(settings, "wirestream_dead_letters_total") == 0
    for event in events.values():
        assert schema_errors(ENRICHED_STORY, event) == []
    plain, quotes, model = (events[k] for k in ("urn:iso:plain", "urn:iso:quotes", "urn:iso:model"))
    assert plain["warnings"] == [] and plain["quotes"] and plain["entities"]
    assert [(w["stage"], w["error_code"]) for w in quotes["warnings"]] == [
        ("quotes", "stage_failed")
    ]
    assert quotes["quotes"] == [] and quotes["entities"] and quotes["timex"]
    assert [w["stage"] for w in model["warnings"]] == ["nlp"]
    assert model["entities"] == [] and model["quotes"] and model["timex"]


def test_a_story_that_hangs_the_model_is_cut_off_and_its_partition_moves_on(
    settings: Settings, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"story_timeout_seconds": 4.0, "partitions": 1})
    ensure_topics(settings)
    raw = topic_specs(settings)["raw"].name
    producer = KafkaProducer(bootstrap_servers=settings.broker)
    command = ("tests.integration.fault_worker",)
    with running_worker(settings, tmp_path / "worker.log", command):
        for story_id, mark in (("urn:hang:stuck", MODEL_HANG), ("urn:hang:next", "Calm seas.")):
            body = COPY.format(mark=mark)
            producer.send(raw, seed_text(story_id, body), key=story_id.encode()).get(timeout=30)
        producer.flush()
        events = {e["story_id"]: e for e in consume(settings, "enriched", 2, timeout=120)}
        later = COPY.format(mark="Tugs return.")
        producer.send(raw, seed_text("urn:hang:later", later), key=b"urn:hang:later").get(30)
        after = consume(settings, "enriched", 3, timeout=120)
    assert set(events) == {"urn:hang:stuck", "urn:hang:next"}
    stuck, following = events["urn:hang:stuck"], events["urn:hang:next"]
    assert [(w["stage"], w["error_code"]) for w in stuck["warnings"]] == [("nlp", "stage_timeout")]
    assert stuck["entities"] == [] and stuck["body"]
    assert following["warnings"] == [] and following["entities"]
    assert [e["story_id"] for e in after][-1] == "urn:hang:later"  # the partition moved on
