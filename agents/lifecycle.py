"""Story lifecycle wiring: Faust tables of what was published per story id, held embargoes and
near-duplicate fingerprints. The decisions themselves are pure (pipeline.lifecycle)."""

from __future__ import annotations

import base64
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
from pipeline.lifecycle import Decision, Published, decide, embargo_lifts_at, published_record
from pipeline.neardup import is_near_duplicate, simhash
from pipeline.story import Story, story_from_dict, story_to_dict
from schemas import encode
from schemas.events import DEAD_LETTER_ORIGINAL_LIMIT_BYTES, kill_event


@dataclass(frozen=True)
class Prepared:
    """A parsed story on its way from triage to enrichment, with where its raw bytes came from."""

    story: Story
    source: dict[str, Any]
    original: bytes

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "story": story_to_dict(self.story),
                "source": self.source,
                # a dead letter keeps only this much of the original; the raw topic has it all
                "original": base64.b64encode(
                    self.original[:DEAD_LETTER_ORIGINAL_LIMIT_BYTES]
                ).decode("ascii"),
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Prepared:
        record = orjson.loads(data)
        return cls(
            story_from_dict(record["story"]), record["source"], base64.b64decode(record["original"])
        )

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
    keys with the producer's metadata, which aiokafka drops for topics it has not written to.)"""

    def __init__(self, app: faust.App, partitions: int) -> None:
        options = {"key_type": bytes, "value_type": bytes, "partitions": partitions}
        self.published = app.Table("story-published", **options)
        self.embargoed = app.Table("story-embargoed", **options)
        self.fingerprints = app.GlobalTable("story-fingerprints", **options)
        self._released: set[bytes] = set()

    def known(self, story_id: str) -> Published | None:
        raw = self.published.get(story_id.encode())
        return Published.from_dict(orjson.loads(raw)) if raw else None

    def plan(self, batch: list[Prepared], now: datetime) -> list[Decision]:
        """Decide every story in order; later versions in the batch see earlier decisions."""
        seen: dict[str, Published | None] = {}
        decisions = []
        for item in batch:
            story = item.story
            known = seen[story.story_id] if story.story_id in seen else self.known(story.story_id)
            decision = decide(story, known, now)
            decisions.append(decision)
            if decision is Decision.ENRICH:
                seen[story.story_id] = published_record(story)
            elif decision is Decision.KILL:
                seen[story.story_id] = published_record(story, killed=True)
            else:
                seen[story.story_id] = known
        return decisions

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
        """Enriched stories that nearly repeat an earlier story get its id in duplicate_of."""
        marked: list[Outcome] = []
        for event, outcome in zip(events, outcomes, strict=True):
            if isinstance(outcome, Enriched):
                fingerprint = simhash(outcome.story.body)
                original = self._near(outcome.story.story_id, fingerprint)
                if original is not None:
                    outcome = Enriched(
                        replace(outcome.story, duplicate_of=original), outcome.stage_seconds
                    )
                with writing_for(event):
                    self.fingerprints[outcome.story.story_id.encode()] = str(fingerprint).encode()
            marked.append(outcome)
        return marked

    def _near(self, story_id: str, fingerprint: int) -> str | None:
        for key, value in self.fingerprints.items():
            other = key.decode()
            if other != story_id and is_near_duplicate(fingerprint, int(value)):
                return other
        return None

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
                self._remember(item, decision)

    def _remember(self, item: Prepared, decision: Decision) -> None:
        key = item.story.story_id.encode()
        if decision is Decision.ENRICH:
            self.published[key] = orjson.dumps(published_record(item.story).to_dict())
            if key in self.embargoed:
                del self.embargoed[key]
            self._released.discard(key)
        elif decision is Decision.KILL:
            self.published[key] = orjson.dumps(published_record(item.story, killed=True).to_dict())
            if key in self.embargoed:
                del self.embargoed[key]
        elif decision is Decision.HOLD:
            self.hold(item)
        elif decision in (Decision.RESEND, Decision.STALE):
            metrics.DUPLICATES_DROPPED.inc()


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
