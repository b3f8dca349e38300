"""Story lifecycle wiring: Faust tables of what was published per story id, held embargoes and
near-duplicate fingerprints. The decisions themselves are pure (pipeline.lifecycle)."""

from __future__ import annotations

import base64
import logging
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import faust
import orjson
from faust.streams import _current_event

from agents import metrics
from pipeline.enrich import Enriched, Outcome
from pipeline.lifecycle import (
    Decision,
    Published,
    content_hash,
    decide_batch,
    embargo_lifts_at,
    published_record,
    same_content,
    source_hash,
)
from pipeline.neardup import NearIndex, simhash
from pipeline.story import Story
from schemas import encode
from schemas.events import DEAD_LETTER_ORIGINAL_LIMIT_BYTES, kill_event
from schemas.records import story_from_dict

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    """A story as triage left it (parsed, body checked, dates stamped; text not normalised) on
    its way to enrichment, with where its raw bytes came from.

    On the wire: the story and source as one line of JSON, a newline, then the original bytes
    as they are (a dead letter keeps only the first 256 KiB; the raw topic has them all).
    """

    story: Story
    source: dict[str, Any]
    original: bytes

    def to_bytes(self) -> bytes:
        head = orjson.dumps({"story": self.story, "source": self.source})
        return head + b"\n" + self.original[:DEAD_LETTER_ORIGINAL_LIMIT_BYTES]

    @classmethod
    def from_bytes(cls, data: bytes) -> Prepared:
        end = data.find(b"\n")  # JSON from orjson has none: it escapes them in strings
        if end < 0:  # written by an older worker: one JSON object, the original in base64
            record = orjson.loads(data)
            original = base64.b64decode(record["original"])
        else:
            record, original = orjson.loads(data[:end]), data[end + 1 :]
        return cls(story_from_dict(record["story"]), record["source"], original)

    def as_event(self) -> Any:
        """Looks like the raw Faust event to the Publisher (source, timestamp, original)."""
        timestamp = self.source.get("timestamp")
        return SimpleNamespace(
            message=SimpleNamespace(
                topic=self.source["topic"],
                partition=self.source["partition"],
                offset=self.source["offset"],
                value=self.original,
                headers=(),
                timestamp=datetime.fromisoformat(timestamp).timestamp() if timestamp else None,
            )
        )


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
        options = {"key_type": bytes, "value_type": bytes, "partitions": partitions}
        self.published = app.Table("story-published", **options)
        self.embargoed = app.Table("story-embargoed", **options)
        self.fingerprints = app.GlobalTable(
            "story-fingerprints", on_changelog_event=self._fingerprint_changed, **options
        )
        self.fingerprints.on_recover(self._index_fingerprints)
        self.near = NearIndex()
        self._released: set[bytes] = set()
        # normalised content hash of each enriched story, noted by mark_duplicates for remember
        self._content = weakref.WeakKeyDictionary[Any, tuple[str, str]]()

    def known(self, story_id: str) -> Published | None:
        raw = self.published.get(story_id.encode())
        return Published.from_dict(orjson.loads(raw)) if raw else None

    def plan(self, batch: list[Prepared], now: datetime) -> list[Decision]:
        """Decide every story in order; later versions in the batch see earlier decisions."""
        return decide_batch([item.story for item in batch], self.known, now)

    def hold(self, item: Prepared) -> None:
        self.embargoed[item.story.story_id.encode()] = item.to_bytes()

    def due_embargoes(self, now: datetime) -> list[tuple[bytes, bytes]]:
        """Held stories whose embargo has lifted, each returned once per worker run."""
        due = []
        for key, value in list(self.embargoed.items()):
            if key in self._released:
                continue
            lifts = embargo_lifts_at(Prepared.from_bytes(value).story)
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
                self._note_content(event, story_id, content_hash(outcome.story))
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

    def _note_content(self, event: Any, story_id: str, content: str) -> None:
        try:
            self._content[event] = (story_id, content)
        except TypeError:  # an event that takes no weak reference: remember normalises instead
            pass

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
        if decision is Decision.ENRICH:
            noted = self._content.pop(event, None)
            content = noted[1] if noted is not None and noted[0] == story.story_id else None
            record = published_record(story, content=content)
            self.published[key] = orjson.dumps(record.to_dict())
            if key in self.embargoed:
                del self.embargoed[key]
            self._released.discard(key)
        elif decision is Decision.KILL:
            # a killed row's content hash is never compared: no need to normalise for it
            record = published_record(story, killed=True, content=content_hash(story))
            self.published[key] = orjson.dumps(record.to_dict())
            if key in self.embargoed:
                del self.embargoed[key]
        elif decision is Decision.HOLD:
            self.hold(item)
        elif decision in (Decision.RESEND, Decision.STALE):
            metrics.DUPLICATES_DROPPED.inc()
            if decision is Decision.RESEND:
                self._add_source_hash(key, story)

    def _add_source_hash(self, key: bytes, story: Story) -> None:
        """A row written before source hashes were kept gets the one of this exact resend, so
        the next resend is recognised without normalising."""
        known = self.known(story.story_id)
        if known is None or known.source_hash is not None or known.killed:
            return
        # decided against this row, or against a version of this batch that failed: only
        # the row's own content may get the hash
        if same_content(story, known):
            record = replace(known, source_hash=source_hash(story))
            self.published[key] = orjson.dumps(record.to_dict())


async def send_kills(topic: Any, items: list[Prepared]) -> None:
    futures = [
        await topic.send(
            key=item.story.story_id.encode(), value=encode(kill_event(item.story, item.source))
        )
        for item in items
    ]
    for future in futures:
        await future
    metrics.STORIES_KILLED.inc(len(items))


def utcnow() -> datetime:
    return datetime.now(UTC)
