"""Bounded state on the real broker: rows older than WIRESTREAM_RETENTION_DAYS leave the
lifecycle tables as tombstones on their changelogs, the near-duplicate index lets them go, held
embargoes stay until released, and a story sent again after the retention is enriched as new."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition

from agents.settings import Settings
from agents.worker.topics import ensure_topics
from tests.integration.conftest import metric_value, running_worker
from tests.integration.test_lifecycle_kafka import send, story
from tests.integration.test_worker_kafka import consume

pytestmark = pytest.mark.integration

RETENTION_SECONDS = 15.0
TOMBSTONE_WAIT = 90.0

HARBOUR = (
    "Dock workers at the port of Rotterdam ended a two-day strike on Thursday after the union "
    "and terminal operators agreed a pay rise of four percent, a spokesman for the union said. "
    "Container ships that had waited at anchor off the coast began moving into the harbour "
    "in the afternoon, and the operators said the backlog would be cleared by the weekend."
)
VALLEY = (
    "Firefighters in the Spanish region of Valencia brought a forest fire under control late on "
    "Wednesday after it burned through about 300 hectares of pine above the town of Bejis, "
    "regional emergency services said. Around 200 residents who had left their homes as a "
    "precaution were allowed back, and a section of the motorway to Teruel reopened."
)


def changelog(settings: Settings, table: str) -> list[tuple[bytes, bytes | None]]:
    """Every record of a table's changelog topic so far, as (key, value)."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.broker, group_id=None, enable_auto_commit=False
    )
    topic = f"{settings.app_id}-{table}-changelog"
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        records: list[tuple[bytes, bytes | None]] = []
        deadline = time.monotonic() + 20
        while any(consumer.position(tp) < ends[tp] for tp in tps):
            assert time.monotonic() < deadline, f"could not read {topic} to its end"
            for batch in consumer.poll(timeout_ms=500).values():
                records += [(r.key, r.value) for r in batch]
    finally:
        consumer.close()
    return records


def tombstoned(settings: Settings, table: str, keys: set[bytes]) -> set[bytes]:
    """The keys among `keys` whose latest changelog record is a tombstone."""
    latest: dict[bytes, bytes | None] = {}
    for key, value in changelog(settings, table):
        latest[key] = value
    return {key for key in keys if key in latest and latest[key] is None}


def test_rows_expire_as_tombstones_and_a_resend_after_the_retention_is_new(
    settings: Settings, tmp_path: Path
) -> None:
    settings = settings.model_copy(
        update={"retention_days": RETENTION_SECONDS / 86400, "retention_sweep_seconds": 1.0}
    )
    ensure_topics(settings)
    harbour, valley = story("urn:t:harbour", 1, HARBOUR), story("urn:t:valley", 1, VALLEY)
    held = story("urn:t:held", 1, VALLEY, embargo=_iso(datetime.now(UTC) + timedelta(hours=2)))
    newer = story("urn:t:orphan", 2, HARBOUR + " The strike had halted rail freight too.")
    enriched_keys = {b"urn:t:harbour", b"urn:t:valley", b"urn:t:orphan"}
    with running_worker(settings, tmp_path / "worker.log"):
        send(settings, harbour, valley, held, newer)
        first = consume(settings, "enriched", 3, timeout=60)
        assert {e["story_id"] for e in first} == {k.decode() for k in enriched_keys}
        # an older version under an embargo that lifts within the retention of the newer one:
        # held, released, found stale, left behind in the table
        lifts = datetime.now(UTC) + timedelta(seconds=RETENTION_SECONDS / 2)
        send(settings, story("urn:t:orphan", 1, HARBOUR, embargo=_iso(lifts)))

        deadline = time.monotonic() + TOMBSTONE_WAIT
        gone: dict[str, set[bytes]] = {}
        while time.monotonic() < deadline:
            gone = {
                table: tombstoned(settings, table, enriched_keys | {b"urn:t:held"})
                for table in ("story-published", "story-fingerprints", "story-embargoed")
            }
            if gone["story-embargoed"] and gone["story-published"] == enriched_keys:
                if gone["story-fingerprints"] == enriched_keys:
                    break
            time.sleep(1)
        assert gone == {
            "story-published": enriched_keys,
            "story-fingerprints": enriched_keys,
            "story-embargoed": {b"urn:t:orphan"},  # the copy still waiting is never expired
        }
        assert metric_value(settings, "wirestream_table_rows_expired_total") >= 7
        assert metric_value(settings, "wirestream_near_index_stories") == 0
        held_rows = [
            value for key, value in changelog(settings, "story-embargoed") if key == b"urn:t:held"
        ]
        assert len(held_rows) == 1 and held_rows[0] is not None

        # a near copy of an expired story is no longer marked as its duplicate
        send(settings, story("urn:t:harbour-2", 1, HARBOUR.replace("Thursday", "Friday")))
        # and the exact resend of an expired story is enriched again, not dropped
        send(settings, harbour)
        events = consume(settings, "enriched", 5, timeout=60)
        assert metric_value(settings, "wirestream_duplicates_dropped_total") == 1  # the stale one

    # read back across partitions, so in no particular order
    assert Counter(e["story_id"] for e in events) == {
        "urn:t:harbour": 2,
        "urn:t:valley": 1,
        "urn:t:orphan": 1,
        "urn:t:harbour-2": 1,
    }
    (near_copy,) = [e for e in events if e["story_id"] == "urn:t:harbour-2"]
    assert near_copy["duplicate_of"] is None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
