"""The worker's expiry pass (agents/worker/lifecycle.py) over fake tables: what it deletes, what
it stamps, what it leaves to the worker that owns a key, and what it never touches."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from agents import metrics
from agents.worker.lifecycle import Lifecycle
from pipeline.lifecycle import Decision, published_record
from pipeline.neardup import simhash
from pipeline.testing import make_story
from schemas.prepared import Prepared, encode_prepared
from schemas.tables import (
    Fingerprint,
    decode_fingerprint,
    decode_published,
    encode_fingerprint,
    encode_published,
)

DAY = 86400.0
NOW = 1_796_000_000.0
TOPIC = "wire.stories.prepared.v1"
BODY = (
    "Grain barges began moving again on the Rhine near Kaub on Tuesday after two weeks of low "
    "water, the federal waterways agency said. Skippers had been loading a third of their usual "
    "cargo to clear the shallowest stretch, and freight rates to Basel had more than doubled. "
    "Forecasters expect the river to stay navigable if the rain of the past days continues."
)


class FakeTable(dict[bytes, bytes]):
    """A Faust table as the expiry pass uses it: a mapping with a name and a store."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.data = None  # not an in-memory Faust store: read lazily, as RocksDB is

    def on_recover(self, callback: Any) -> None:
        pass


class FakeApp:
    def Table(self, name: str, **_: Any) -> FakeTable:  # noqa: N802 - Faust's name
        return FakeTable(name)

    GlobalTable = Table


def mine(key: bytes) -> int | None:
    """This worker owns every key but those of another desk's partition."""
    return None if key.startswith(b"urn:theirs:") else 0


def _published(story_id: str, at: float | None, body: str = BODY) -> bytes:
    story = make_story(body, story_id=story_id)
    return encode_published(published_record(story, recorded_at=at))


def _held(story_id: str) -> bytes:
    story = make_story(BODY, story_id=story_id, embargoed_until="2027-01-01T00:00:00Z")
    return encode_prepared(Prepared(story, {"topic": "raw", "partition": 0, "offset": 1}, b"x"))


@pytest.fixture
def lifecycle() -> Lifecycle:
    return Lifecycle(FakeApp(), 2, retention_days=7)  # type: ignore[arg-type]


def test_a_row_older_than_the_retention_is_not_known_even_before_a_pass(
    lifecycle: Lifecycle,
) -> None:
    lifecycle.published[b"urn:t:old"] = _published("urn:t:old", NOW - 8 * DAY)
    lifecycle.published[b"urn:t:new"] = _published("urn:t:new", NOW - DAY)
    lifecycle.published[b"urn:t:legacy"] = _published("urn:t:legacy", None)
    assert lifecycle.known("urn:t:old", NOW) is None
    assert lifecycle.known("urn:t:new", NOW) is not None
    assert lifecycle.known("urn:t:legacy", NOW) is not None
    resend = make_story(BODY, story_id="urn:t:old")
    item = Prepared(resend, {}, b"", None)
    now = datetime.fromtimestamp(NOW, UTC)
    assert lifecycle.plan([item], now) == [Decision.ENRICH]
    lifecycle.published[b"urn:t:old"] = _published("urn:t:old", NOW - DAY)
    assert lifecycle.plan([item], now) == [Decision.RESEND]


def test_a_pass_deletes_old_rows_it_owns_and_stamps_undated_ones(lifecycle: Lifecycle) -> None:
    published, prints = lifecycle.published, lifecycle.fingerprints
    published[b"urn:t:old"] = _published("urn:t:old", NOW - 8 * DAY)
    published[b"urn:t:new"] = _published("urn:t:new", NOW - DAY)
    published[b"urn:t:legacy"] = _published("urn:t:legacy", None)
    published[b"urn:t:broken"] = b"{not json"
    old, theirs = simhash(BODY), simhash(BODY + " Barge operators welcomed the news.")
    prints[b"urn:t:old"] = encode_fingerprint(Fingerprint(old, NOW - 8 * DAY))
    prints[b"urn:theirs:old"] = encode_fingerprint(Fingerprint(theirs, NOW - 8 * DAY))
    prints[b"urn:t:legacy"] = str(simhash(BODY[:120])).encode()  # an older worker's row
    lifecycle.near.add("urn:t:old", old, NOW - 8 * DAY)
    lifecycle.near.add("urn:theirs:old", theirs, NOW - 8 * DAY)
    before = metrics.TABLE_ROWS_EXPIRED.labels("story-published")._value.get()

    expired = asyncio.run(lifecycle.expire(NOW, mine, TOPIC))

    assert set(published) == {b"urn:t:new", b"urn:t:legacy"}
    assert decode_published(published[b"urn:t:legacy"]).recorded_at == NOW
    # another worker's key stays in the table (its owner deletes it) but not in the index
    assert set(prints) == {b"urn:theirs:old", b"urn:t:legacy"}
    assert decode_fingerprint(prints[b"urn:t:legacy"]).recorded_at == NOW
    assert "urn:theirs:old" not in lifecycle.near and "urn:t:old" not in lifecycle.near
    assert expired == {
        "story-published": 2,
        "story-fingerprints": 1,
        "story-embargoed": 0,
        "near-index": 2,
    }
    assert metrics.TABLE_ROWS_EXPIRED.labels("story-published")._value.get() == before + 2
    assert metrics.TABLE_ROWS.labels("story-published")._value.get() == 2
    assert metrics.NEAR_INDEX_STORIES._value.get() == 0


def test_held_copy_waits_however_old_and_goes_one_retention_after_its_release(
    lifecycle: Lifecycle,
) -> None:
    lifecycle.embargoed[b"urn:t:waiting"] = _held("urn:t:waiting")
    lifecycle.embargoed[b"urn:t:stale"] = _held("urn:t:stale")
    lifecycle.embargoed[b"urn:t:recent"] = _held("urn:t:recent")
    lifecycle._released[b"urn:t:stale"] = NOW - 8 * DAY  # released, then found stale
    lifecycle._released[b"urn:t:recent"] = NOW - DAY
    lifecycle._released[b"urn:t:published"] = NOW - DAY  # its row is gone already

    asyncio.run(lifecycle.expire(NOW, mine, TOPIC))

    assert set(lifecycle.embargoed) == {b"urn:t:waiting", b"urn:t:recent"}
    assert set(lifecycle._released) == {b"urn:t:recent"}


def test_a_row_written_again_during_the_pass_is_not_deleted(lifecycle: Lifecycle) -> None:
    """The pass reads, then deletes; an agent that wrote a fresh row in between keeps it."""
    key = b"urn:t:again"
    lifecycle.published[key] = _published("urn:t:again", NOW - 8 * DAY)
    owner_calls = []

    def rewriting_owner(k: bytes) -> int | None:
        if k == key and not owner_calls:
            lifecycle.published[key] = _published("urn:t:again", NOW)
        owner_calls.append(k)
        return 0

    asyncio.run(lifecycle.expire(NOW, rewriting_owner, TOPIC))
    assert decode_published(lifecycle.published[key]).recorded_at == NOW
