"""Story lifecycle wiring: Faust tables of what was published per story id, held embargoes and
near-duplicate fingerprints. The decisions themselves are pure (pipeline.lifecycle)."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import faust
from faust.streams import _current_event

from agents import metrics
from pipeline.enrich import Enriched, Outcome
from pipeline.errors import WireError
from pipeline.lifecycle import (
    Decision,
    content_hash,
    decide_batch,
    embargo_lifts_at,
    published_record,
)
from pipeline.neardup import NearIndex, simhash
from pipeline.normalise import normalise
from schemas import encode
from schemas.events import key_bytes, kill_event
from schemas.prepared import Prepared, decode_prepared, encode_prepared
from schemas.tables import Published, decode_published, encode_published

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReplayedMessage:
    """The raw-topic message a prepared record came from, as the Publisher reads one."""

    topic: str
    partition: int
    offset: int
    value: bytes
    timestamp: float | None
    key: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class ReplayedEvent:
    message: ReplayedMessage


def as_event(item: Prepared) -> ReplayedEvent:
    """Looks like the raw Faust event to the Publisher (source, timestamp, original)."""
    source = item.source
    timestamp = source.get("timestamp")
    return ReplayedEvent(
        ReplayedMessage(
            topic=source["topic"],
            partition=source["partition"],
            offset=source["offset"],
            value=item.original,
            timestamp=datetime.fromisoformat(timestamp).timestamp() if timestamp else None,
            key=key_bytes(source),
        )
    )


def read_prepared(data: bytes) -> Prepared:
    """A prepared-topic record; one an older worker wrote (text as parsed, no content hash)
    is normalised here, so every later step reads the same kind of story."""
    item = decode_prepared(data)
    if item.content_hash is not None:
        return item
    try:
        story = normalise(item.story)
    except WireError:
        story = item.story  # nothing left to read: enrichment refuses it as before
    return replace(item, story=story, content_hash=content_hash(story))


@contextmanager
def writing_for(event: Any) -> Iterator[None]:
    """Table writes belong to this event's partition. `take_events` hands over a batch without
    making each event current, and the RocksDB store needs it to pick the partition's DB."""
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


class Lifecycle:
    """Tables keyed by story id. Every write happens `writing_for` the prepared-topic event of
    that story, so a row's changelog partition is its key's partition in the prepared topic and
    the worker that owns the partition recovers the row. (Faust's `use_partitioner` would hash
    keys with the producer's metadata, which aiokafka drops for topics it has not written to.)

    Near-duplicates are looked up in `near`, an in-memory banded index of the global
    fingerprint table: fed by this worker's writes, by every row that reaches the table through
    its changelog (other workers' writes, replays after a restart), and by the table's own
    contents once recovery completes (rows a RocksDB store kept on disk). The table stays the
    record; each of its rows is written only for its own story, so workers never race on one."""

    def __init__(self, app: faust.App, partitions: int) -> None:
        self.published = app.Table(
            "story-published", key_type=bytes, value_type=bytes, partitions=partitions
        )
        self.embargoed = app.Table(
            "story-embargoed", key_type=bytes, value_type=bytes, partitions=partitions
        )
        self.fingerprints = app.GlobalTable(
            "story-fingerprints",
            on_changelog_event=self._fingerprint_changed,
            key_type=bytes,
            value_type=bytes,
            partitions=partitions,
        )
        self.fingerprints.on_recover(self._index_fingerprints)
        self.near = NearIndex()
        self._released: set[bytes] = set()

    def known(self, story_id: str) -> Published | None:
        raw = self.published.get(story_id.encode())
        return decode_published(raw) if raw else None

    def plan(self, batch: list[Prepared], now: datetime) -> list[Decision]:
        """Decide every story in order; later versions in the batch see earlier decisions."""
        items = [(item.story, item.content_hash or content_hash(item.story)) for item in batch]
        return decide_batch(items, self.known, now)

    def hold(self, item: Prepared) -> None:
        self.embargoed[item.story.story_id.encode()] = encode_prepared(item)

    def due_embargoes(self, now: datetime) -> list[tuple[bytes, bytes]]:
        """Held stories whose embargo has lifted, each returned once per worker run."""
        due = []
        for key, value in list(self.embargoed.items()):
            if key in self._released:
                continue
            lifts = embargo_lifts_at(read_prepared(value).story)
            if lifts is None or lifts <= now:
                due.append((key, value))
                self._released.add(key)
        return due

    def mark_duplicates(self, events: list[Any], outcomes: list[Outcome]) -> list[Outcome]:
        """Enriched stories that nearly repeat an earlier story get its id in duplicate_of
        (the nearest, see NearIndex.nearest)."""
        marked: list[Outcome] = []
        for event, outcome in zip(events, outcomes, strict=True):
            if isinstance(outcome, Enriched):
                story_id = outcome.story.story_id
                fingerprint = simhash(outcome.story.body)
                original = self.near.nearest(fingerprint, exclude=story_id)
                if original is not None:
                    outcome = Enriched(
                        replace(outcome.story, duplicate_of=original), outcome.stage_seconds
                    )
                with writing_for(event):
                    self.fingerprints[story_id.encode()] = str(fingerprint).encode()
                self.near.add(story_id, fingerprint)
            marked.append(outcome)
        return marked

    async def _fingerprint_changed(self, event: Any) -> None:
        """A row of the fingerprint table as its changelog delivers it (before Faust applies
        it to the store): another worker's write, a replay, or the echo of our own."""
        self._index_row(event.message.key, event.message.value)

    async def _index_fingerprints(self) -> None:
        """After recovery: rows the store had that no changelog event brought (kept on disk).
        Ids already indexed keep their entry, which is never older than the store's."""
        added = 0
        for key, value in self.fingerprints.items():
            if key.decode("utf-8", "replace") not in self.near:
                self._index_row(key, value)
                added += 1
        log.info("near-duplicate index: %d fingerprints (%d from the store)", len(self.near), added)

    def _index_row(self, key: bytes | None, value: bytes | None) -> None:
        if key is None:
            return
        story_id = key.decode("utf-8", "replace")
        try:
            fingerprint = None if value is None else int(value)
        except ValueError:
            fingerprint = None
        if fingerprint is None or not 0 <= fingerprint < 1 << 64:
            self.near.discard(story_id)
        else:
            self.near.add(story_id, fingerprint)

    def remember(
        self,
        events: list[Any],
        items: list[Prepared],
        decisions: list[Decision],
        skip: frozenset[int] | set[int] = frozenset(),
    ) -> None:
        """Record what was done; items whose id() is in `skip` failed and are not recorded."""
        for event, item, decision in zip(events, items, decisions, strict=True):
            if id(item) in skip:
                continue
            with writing_for(event):
                self._remember(event, item, decision)

    def _remember(self, event: Any, item: Prepared, decision: Decision) -> None:
        story = item.story
        key = story.story_id.encode()
        if decision in (Decision.ENRICH, Decision.KILL):
            killed = decision is Decision.KILL
            record = published_record(story, item.content_hash, killed=killed)
            self.published[key] = encode_published(record)
            if key in self.embargoed:
                del self.embargoed[key]
            if not killed:
                self._released.discard(key)
        elif decision is Decision.HOLD:
            self.hold(item)
        elif decision in (Decision.RESEND, Decision.STALE):
            metrics.DUPLICATES_DROPPED.inc()


async def send_kills(topic: Any, items: list[Prepared]) -> None:
    futures = [
        await topic.send(
            key=item.story.story_id.encode(),
            value=encode(kill_event(item.story, item.source)),
        )
        for item in items
    ]
    for future in futures:
        await future
    metrics.STORIES_KILLED.inc(len(items))


def utcnow() -> datetime:
    return datetime.now(UTC)
