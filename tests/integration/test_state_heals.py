"""Local state heals itself: a worker started where tables of an earlier broker cluster live
(the local broker was reset) discards them with one warning, rebuilds, and serves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kafka import KafkaProducer

from agents.worker.topics import ensure_topics, topic_specs
from deploy.kafka.broker import LocalBroker
from pipeline.testing import seed_text
from tests.integration.conftest import free_port, fresh_settings, running_worker
from tests.integration.test_worker_kafka import consume

pytestmark = pytest.mark.integration

COPY = (
    "Grain traders in Rotterdam said on Wednesday that barge rates on the Rhine had doubled "
    "as low water forced skippers to sail half empty. {n}"
)


def _push(bootstrap: str, topic: str, story_id: str, text: str) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    producer.send(topic, seed_text(story_id, text), key=story_id.encode()).get(timeout=30)
    producer.close()


def test_a_worker_after_a_broker_reset_discards_its_old_tables_and_serves(
    tmp_path: Path,
) -> None:
    state = tmp_path / "kafka"
    broker = LocalBroker(port=free_port(), controller_port=free_port(), state_dir=state)
    broker.start()
    try:
        settings = fresh_settings(broker.bootstrap, tmp_path, kind="heal")
        ensure_topics(settings)
        raw = topic_specs(settings)["raw"].name
        with running_worker(settings, tmp_path / "first.log"):
            for n in range(5):  # several table rows, so the old store is ahead of a new log
                _push(broker.bootstrap, raw, f"urn:heal:{n}", COPY.format(n=f"Update {n}."))
            assert len(consume(settings, "enriched", 5)) == 5

        broker.stop()  # reset the broker: new cluster, empty topics and changelogs
        shutil.rmtree(state)
        broker.start()
        ensure_topics(settings)
        log = tmp_path / "second.log"
        with running_worker(settings, log):
            _push(broker.bootstrap, raw, "urn:heal:after", COPY.format(n="After the reset."))
            (event,) = consume(settings, "enriched", 1)
            assert event["story_id"] == "urn:heal:after"
        text = log.read_text(errors="replace")
        assert text.count("discarded local table store") == 1
        assert "ConsistencyError" not in text
    finally:
        broker.stop()
