"""Held embargoed copy survives the worst restart: the worker group is SIGKILLed while it holds
the copy and its local table stores (RocksDB) are deleted, so the next worker has only the
`story-embargoed` changelog to restore from. It must release the copy when the embargo lifts,
not before, and once."""

from __future__ import annotations

import os
import shutil
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from agents.settings import Settings
from agents.worker.topics import ensure_topics
from bench.faults import group_pids, names, raw_assignment, running_worker, wait_until
from bench.wire_load import uncommitted

pytestmark = pytest.mark.integration

# Long enough for a SIGKILL, a 10 s group session timeout (bench.faults.GROUP_ENV), a worker
# start and a changelog restore on a loaded 2-core machine, with the release still ahead.
EMBARGO_SECONDS = 60
RELEASE_SLACK = 30.0  # the release timer ticks every second; this covers enrichment after it
HELD = "urn:wirestream:embargo-restore:budget"
FREE = "urn:wirestream:embargo-restore:ferry"


def copy(story_id: str, body: str, **headers: str) -> bytes:
    lines = [f"id {story_id}", "version 1", "date 2026-11-30"]
    lines += [f"{key} {value}" for key, value in headers.items()]
    return ("\n".join(lines) + "\n\n" + body + "\n").encode()


BUDGET = (
    "VALLETTA (Wirestream) - The finance ministry will present a budget on Monday that cuts "
    "the tax on fuel for fishing boats by a third, a draft seen by officials of three parties "
    "shows. Finance Minister Clara Azzopardi is expected to tell parliament that the measure "
    "costs about 14 million euros a year and will be paid for by a levy on cruise passengers. "
    '"The harbours cannot carry another winter like the last one," one official said.'
)
FERRY = (
    "GOZO (Wirestream) - The morning ferry between Mgarr and Cirkewwa was cancelled on Sunday "
    "after gusts of up to 80 kilometres an hour closed the channel, the operator said. Services "
    "were expected to resume in the afternoon once the wind eased."
)


class EnrichedWatch:
    """Every record on the enriched topic from the beginning, with its Kafka timestamp."""

    def __init__(self, settings: Settings) -> None:
        topic = names(settings)["enriched"]
        self.consumer = KafkaConsumer(bootstrap_servers=settings.broker, group_id=None)
        partitions = self.consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        self.consumer.assign(tps)
        self.consumer.seek_to_beginning(*tps)
        self.seen: list[tuple[datetime, dict[str, Any]]] = []

    def poll(self) -> list[tuple[datetime, dict[str, Any]]]:
        for records in self.consumer.poll(timeout_ms=200).values():
            for record in records:
                stamp = datetime.fromtimestamp(record.timestamp / 1000, UTC)
                self.seen.append((stamp, orjson.loads(record.value)))
        return self.seen

    def of(self, story_id: str) -> list[tuple[datetime, dict[str, Any]]]:
        return [(stamp, event) for stamp, event in self.poll() if event["story_id"] == story_id]

    def close(self) -> None:
        self.consumer.close()


def test_embargo_is_restored_from_the_changelog_after_sigkill_and_a_lost_store(
    settings: Settings, tmp_path: Path
) -> None:
    ensure_topics(settings)
    topics = names(settings)
    watch = EnrichedWatch(settings)
    try:
        with running_worker(settings, tmp_path / "first.log") as first:
            lifts = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=EMBARGO_SECONDS)
            embargo = lifts.isoformat().replace("+00:00", "Z")
            producer = KafkaProducer(bootstrap_servers=settings.broker, acks="all")
            for story_id, body, headers in (
                (HELD, BUDGET, {"embargo": embargo}),
                (FREE, FERRY, {}),
            ):
                producer.send(topics["raw"], copy(story_id, body, **headers), key=story_id.encode())
            producer.flush()
            producer.close()
            # the free story out and every prepared record committed: the hold was decided,
            # written to the table (changelog first, Faust flushes before it commits) and acked
            wait_until(lambda: bool(watch.of(FREE)), 120, "the story without an embargo")
            wait_until(
                lambda: (
                    not any(
                        uncommitted(settings.broker, settings.app_id, [topics["prepared"]]).values()
                    )
                ),
                60,
                "the group to commit the prepared records",
            )
            assert watch.of(HELD) == []
            stores = sorted(settings.data_dir.rglob("story-embargoed-*.db"))
            assert stores, f"no local embargo store under {settings.data_dir}"
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            wait_until(lambda: not group_pids(first.pid), 10, "the pool processes to go")
        shutil.rmtree(settings.data_dir)
        assert not settings.data_dir.exists()

        with running_worker(settings, tmp_path / "second.log"):
            wait_until(lambda: bool(raw_assignment(settings)), 90, "the new worker's partitions")
            took_over = datetime.now(UTC)
            assert took_over < lifts - timedelta(seconds=5), (
                f"the new worker took over {(took_over - lifts).total_seconds():.0f}s after the "
                "embargo lifted: too late for this test to mean anything"
            )
            deadline = (lifts - datetime.now(UTC)).total_seconds() + RELEASE_SLACK
            wait_until(lambda: bool(watch.of(HELD)), deadline, "the held copy to be released")
            time.sleep(3)  # a second release would be on the topic by now
            released = watch.of(HELD)
    finally:
        watch.close()
    assert len(released) == 1, f"released {len(released)} times"
    ((stamp, event),) = released
    print(
        f"\nembargo lifted {lifts:%H:%M:%S}; new worker owned partitions "
        f"{(lifts - took_over).total_seconds():.1f}s before; released "
        f"{(stamp - lifts).total_seconds():.1f}s after it lifted"
    )
    assert stamp >= lifts, f"released {(lifts - stamp).total_seconds():.1f}s before the embargo"
    assert stamp <= lifts + timedelta(seconds=RELEASE_SLACK)
    assert datetime.fromisoformat(event["embargoed_until"].replace("Z", "+00:00")) == lifts
    assert event["version"] == 1 and event["kind"] == "story"
