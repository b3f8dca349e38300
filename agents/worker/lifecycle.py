"""Story lifecycle wiring: Faust tables of what was published per story id, held embargoes and
near-duplicate fingerprints, and their expiry after the retention. The decisions themselves are
pure (pipeline.lifecycle)."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import faust
from faust.stores.memory import Store as MemoryStore
from faust.streams import _current_event

from agents import metrics
from agents.worker.state import STORE_OPTIONS
from pipeline.enrich import Enriched, Outcome
from pipeline.errors import WireError
from pipeline.lifecycle import (
    Decision,
    Expiry,
    content_hash,
    decide_batch,
    embargo_lifts_at,
    expire,
    is_expired,
    published_record,
    released_embargoes,
)
from pipeline.neardup import DEFAULT_LIMIT, NearIndex, simhash
from pipeline.normalise import normalise
from schemas import encode
from schemas.events import key_bytes, kill_event
from schemas.prepared import Prepared, decode_prepared, encode_prepared
from schemas.tables import (
    Fingerprint,
    Published,
    decode_fingerprint,
    decode_published,
    encode_fingerprint,
    encode_published,
)

log = logging.getLogger(__name__)
DAY_SECONDS = 86400.0
SWEEP_CHUNK = 1000  # rows between two yields to the event loop during an expiry pass


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


class PartitionEvent:
    """Stands in for an event of `topic`'s `partition` when a timer, not an agent, writes or
    deletes a row: Faust sends the changelog record to the current event's partition."""

    def __init__(self, topic: str, partition: int) -> None:
        self.message = SimpleNamespace(topic=topic, partition=partition)


Owner = Callable[[bytes], int | None]


def active_owner(app: faust.App, topic: str) -> Owner:
    """key -> its partition of `topic` when this worker owns that partition (active, not a
    standby), else None. Keys are placed by the producer's partitioner, as the prepared
    topic's records were; a row's changelog partition is its record's partition."""
    actives = {tp.partition for tp in app.assignor.assigned_actives() if tp.topic == topic}
    consumer = app.consumer

    def owner(key: bytes) -> int | None:
        partition = consumer.key_partition(topic, key)
        return partition if partition in actives else None

    return owner


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

    def __init__(
        self,
        app: faust.App,
        partitions: int,
        *,
        retention_days: float = 7.0,
        near_limit: int = DEFAULT_LIMIT,
    ) -> None:
        self.retention = retention_days * DAY_SECONDS
        # a dict each: Faust's RocksDB store pops keys from the one it is given
        self.published = app.Table(
            "story-published",
            key_type=bytes,
            value_type=bytes,
            partitions=partitions,
            options=dict(STORE_OPTIONS),
        )
        self.embargoed = app.Table(
            "story-embargoed",
            key_type=bytes,
            value_type=bytes,
            partitions=partitions,
            options=dict(STORE_OPTIONS),
        )
        self.fingerprints = app.GlobalTable(
            "story-fingerprints",
            on_changelog_event=self._fingerprint_changed,
            key_type=bytes,
            value_type=bytes,
            partitions=partitions,
            options=dict(STORE_OPTIONS),
        )
        self.fingerprints.on_recover(self._index_fingerprints)
        self.near = NearIndex(near_limit)
        self._released: dict[bytes, float] = {}  # held key -> when this run released it

    def known(self, story_id: str, now: float | None = None) -> Published | None:
        """What was published for `story_id`, unless that is older than the retention (an
        expiry pass deletes such rows; until it runs they already count as gone)."""
        raw = self.published.get(story_id.encode())
        if not raw:
            return None
        record = decode_published(raw)
        now = time.time() if now is None else now
        return None if is_expired(record.recorded_at, now, self.retention) else record

    def plan(self, batch: list[Prepared], now: datetime) -> list[Decision]:
        """Decide every story in order; later versions in the batch see earlier decisions."""
        items = [(item.story, item.content_hash or content_hash(item.story)) for item in batch]
        seconds = now.timestamp()
        return decide_batch(items, lambda story_id: self.known(story_id, seconds), now)

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
                self._released[key] = now.timestamp()
        return due

    def mark_duplicates(self, events: list[Any], outcomes: list[Outcome]) -> list[Outcome]:
        """Enriched stories that nearly repeat an earlier story get its id in duplicate_of
        (the nearest, see NearIndex.nearest)."""
        marked: list[Outcome] = []
        now = time.time()
        for event, outcome in zip(events, outcomes, strict=True):
            if isinstance(outcome, Enriched):
                story_id = outcome.story.story_id
                fingerprint = outcome.fingerprint
                if fingerprint is None:
                    fingerprint = simhash(outcome.story.body)
                original = self.near.nearest(fingerprint, exclude=story_id)
                if original is not None:
                    outcome = replace(outcome, story=replace(outcome.story, duplicate_of=original))
                with writing_for(event):
                    row = encode_fingerprint(Fingerprint(fingerprint, now))
                    self.fingerprints[story_id.encode()] = row
                self.near.add(story_id, fingerprint, now)
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
            row = None if value is None else decode_fingerprint(value)
        except ValueError:
            row = None
        if row is None or is_expired(row.recorded_at, time.time(), self.retention):
            self.near.discard(story_id)  # gone, or its tombstone is on the way
        else:  # an undated row (an older worker's) counts from now, as the sweep stamps it
            self.near.add(story_id, row.simhash, row.recorded_at)

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
            record = published_record(
                story, item.content_hash, killed=killed, recorded_at=time.time()
            )
            self.published[key] = encode_published(record)
            if key in self.embargoed:
                del self.embargoed[key]
            if not killed:
                self._released.pop(key, None)
        elif decision is Decision.HOLD:
            self.hold(item)
        elif decision in (Decision.RESEND, Decision.STALE):
            metrics.DUPLICATES_DROPPED.inc()

    async def expire(self, now: float, owner: Owner, topic: str) -> dict[str, int]:
        """One expiry pass: rows older than the retention are deleted, a tombstone on the
        changelog, and undated rows older workers wrote are stamped `now`, each only by the
        worker that owns its partition (`owner`: the key's partition of `topic`, the prepared
        topic, when this worker owns it; the fingerprint table is global, every worker holds
        all of it). Held copy is only ever expired after its release (an orphan: the version
        it carried was stale by then), never while it waits. The near-duplicate index drops
        what is older than the retention, whichever worker wrote it. Counts expired, per
        table."""
        expired: dict[str, int] = {}
        for table, since in (
            (self.published, _published_since),
            (self.fingerprints, _fingerprint_since),
        ):
            rows = _Counted(table.items(), copy=isinstance(table.data, MemoryStore))
            verdict = await rows.expire(since, now, self.retention)

            def aged(key: bytes, value: bytes, since: Any = since) -> bool:
                return is_expired(since(value), now, self.retention)

            gone = await self._delete(table, verdict.expired, owner, topic, aged)
            await self._stamp(table, verdict.undated, owner, topic, now)
            expired[table.name] = gone
            metrics.TABLE_ROWS.labels(table.name).set(rows.count - gone)
        waiting = list(self.embargoed.keys())
        released = dict(self._released)
        orphans = expire(released_embargoes(waiting, released), now, self.retention).expired

        def orphaned(key: bytes, value: bytes) -> bool:
            return is_expired(self._released.get(key), now, self.retention)

        gone = await self._delete(self.embargoed, orphans, owner, topic, orphaned)
        for key in set(released) - set(waiting) | set(orphans):
            self._released.pop(key, None)  # gone from the table: nothing left to release
        expired[self.embargoed.name] = gone
        metrics.TABLE_ROWS.labels(self.embargoed.name).set(len(waiting) - gone)
        expired["near-index"] = len(self.near.evict_before(now - self.retention))
        metrics.NEAR_INDEX_STORIES.set(len(self.near))
        for name, count in expired.items():
            metrics.TABLE_ROWS_EXPIRED.labels(name).inc(count)
        if any(expired.values()):
            log.info(
                "expired after %.4g days: %s",
                self.retention / DAY_SECONDS,
                ", ".join(f"{name} {count}" for name, count in expired.items()),
            )
        return expired

    async def _delete(
        self,
        table: Any,
        keys: list[bytes],
        owner: Owner,
        topic: str,
        still: Callable[[bytes, bytes], bool],
    ) -> int:
        """Delete the keys this worker owns whose row `still` finds expired (an agent may
        have written a new one since the pass read it); how many it deleted."""
        deleted = 0
        for i, key in enumerate(keys):
            partition, value = owner(key), table.get(key)
            if partition is not None and value is not None and still(key, value):
                with writing_for(PartitionEvent(topic, partition)):
                    del table[key]
                deleted += 1
            if i % SWEEP_CHUNK == SWEEP_CHUNK - 1:
                await asyncio.sleep(0)
        return deleted

    async def _stamp(
        self, table: Any, keys: list[bytes], owner: Owner, topic: str, now: float
    ) -> None:
        for i, key in enumerate(keys):
            partition, value = owner(key), table.get(key)
            if partition is None or value is None:
                continue
            if table is self.published:
                stamped = encode_published(replace(decode_published(value), recorded_at=now))
            else:
                stamped = encode_fingerprint(replace(decode_fingerprint(value), recorded_at=now))
            with writing_for(PartitionEvent(topic, partition)):
                table[key] = stamped
            if i % SWEEP_CHUNK == SWEEP_CHUNK - 1:
                await asyncio.sleep(0)


class _Counted:
    """A table's (key, value) rows, read once chunk by chunk, yielding to the event loop in
    between; `count` is how many there were. A store on disk is read lazily; an in-memory
    store is copied first (a dict cannot change size under its iterator, and the agents write
    meanwhile)."""

    def __init__(self, items: Iterable[tuple[bytes, bytes]], *, copy: bool) -> None:
        self.items = list(items) if copy else items
        self.count = 0

    async def expire(
        self, since: Callable[[bytes], float | None], now: float, retention: float
    ) -> Expiry[bytes]:
        """`pipeline.lifecycle.expire` over the rows, a chunk at a time (only the verdict is
        kept, not the rows), each row aged from `since(value)`."""
        verdict: Expiry[bytes] = Expiry()
        chunk: list[tuple[bytes, float | None]] = []
        for key, value in self.items:
            chunk.append((key, since(value)))
            self.count += 1
            if len(chunk) == SWEEP_CHUNK:
                self._add(verdict, expire(chunk, now, retention))
                chunk.clear()
                await asyncio.sleep(0)
        self._add(verdict, expire(chunk, now, retention))
        return verdict

    @staticmethod
    def _add(total: Expiry[bytes], part: Expiry[bytes]) -> None:
        total.expired.extend(part.expired)
        total.undated.extend(part.undated)


def _published_since(value: bytes) -> float | None:
    try:
        return decode_published(value).recorded_at
    except (ValueError, KeyError, TypeError):
        return float("-inf")  # unreadable: nothing can use it, so it goes at once


def _fingerprint_since(value: bytes) -> float | None:
    try:
        return decode_fingerprint(value).recorded_at
    except ValueError:
        return float("-inf")


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
