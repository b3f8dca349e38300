"""Trending entities for the editors' dashboard: enriched events -> entity mentions, re-keyed by
entity -> a windowed Faust table of mention counts (tumbling windows) -> `GET /trending`.
The agents, topic and table are declared in agents/worker/app.py; the counting is
pipeline.trending.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import faust
import orjson

from agents.settings import Settings
from agents.worker.lifecycle import PartitionEvent, writing_for
from pipeline.trending import (
    DEFAULT_LIMIT,
    bundles,
    mention_counts,
    mention_partition,
    top_entities,
)
from schemas.trending import encode_bundle, read_bundle

WINDOW_STEPS = 6
PRUNE_CHUNK = 1000  # index keys looked at between two yields to the event loop
Owns = Callable[[int], bool]  # does this worker own that mentions partition (actively)?


def window_step(settings: Settings) -> int:
    """Seconds per tumbling window: the dashboard window is WINDOW_STEPS of them."""
    return max(settings.dashboard_window_seconds // WINDOW_STEPS, 1)


class Trending:
    """The windowed table and the two agents that feed it.

    Agent 1 reads the enriched topic (consumer-group semantics: each event counted once per
    group), adds up the mentions of up to 5 s of events, and sends one bundle of counts to
    each partition of an internal topic: an entity's partition is a hash of its key, so each
    entity key lives on exactly one partition and one worker. Agent 2 adds each bundle to a
    table of tumbling windows of `step` seconds; the last hour is the sum of the last
    WINDOW_STEPS of them (the same span a hopping window of `size` and `step` covers). A worker
    serves the keys of the partitions it holds.

    Both choices are for the broker: every table update writes one changelog record per window
    it touches (six with a hopping window), and one message per entity per story made trending
    24 of the 29 Kafka records a story cost (docs/performance.md).
    """

    # enriched events added up into one round of bundles, at most ... or what arrived within
    # this long: each round writes a changelog record per entity it counts, so the longer the
    # round the fewer records an entity in many stories costs; the list is 5 s behind at most
    BUNDLE_EVENTS = 1000
    BUNDLE_SECONDS = 5.0

    def __init__(self, app: faust.App, settings: Settings, mentions_topic: Any, table: Any) -> None:
        self.app = app
        self.size = settings.dashboard_window_seconds
        self.step = window_step(settings)
        self.partitions = settings.partitions
        self.mentions_topic = mentions_topic
        self.table = table

    async def split_mentions(self, stream: Any) -> None:
        async for events in stream.take_events(self.BUNDLE_EVENTS, within=self.BUNDLE_SECONDS):
            oldest = time.time() - self.size
            counts: dict[str, int] = {}
            for event in events:
                stamp = event.message.timestamp
                if stamp and stamp < oldest:
                    continue  # older than any open window: nothing to count
                try:
                    decoded = orjson.loads(event.value)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(decoded, dict):
                    for key, count in mention_counts(decoded).items():
                        counts[key] = counts.get(key, 0) + count
            for partition, bundle in bundles(counts, self.partitions).items():
                await self.mentions_topic.send(
                    key=b"%d" % partition, value=encode_bundle(bundle), partition=partition
                )

    async def count_mentions(self, stream: Any) -> None:
        async for event in stream.events():
            for key, count in read_bundle(event.value).items():
                self.table[key] += count

    def current(self, now: float | None = None) -> Iterable[tuple[str, int]]:
        """(key, mentions) over the last WINDOW_STEPS tumbling windows up to `now`."""
        now = time.time() if now is None else now
        window: Any = self.table.table.window
        buckets = [window.current(now - i * self.step) for i in range(WINDOW_STEPS)]
        inner: Any = self.table.table  # keyed by (entity key, window range); default 0
        wrapper: Any = self.table
        index: Any = wrapper.key_index_table  # every key counted in any window
        for key in list(index.keys()):
            yield key, sum(inner.get((key, bucket)) or 0 for bucket in buckets)

    async def prune(self, now: float | None = None, owns: Owns | None = None) -> int:
        """Drop from the key index every entity that no window still open counts: Faust
        expires a tumbling window's rows but never the keys it indexed, so without this the
        index (and each `current` pass over it) would hold every name ever mentioned. Only
        the keys of mentions partitions this worker owns (`owns`, by default the active
        assignment); the tombstone goes to that partition of the index's changelog. Returns
        how many keys went."""
        now = time.time() if now is None else now
        owns = owns or self._owns_actively()
        inner: Any = self.table.table
        index: Any = self.table.key_index_table
        buckets = [inner.window.current(now - i * self.step) for i in range(WINDOW_STEPS + 1)]
        name = self.mentions_topic.get_topic_name()
        dropped = 0
        for i, key in enumerate(list(index.keys())):
            if i % PRUNE_CHUNK == PRUNE_CHUNK - 1:
                await asyncio.sleep(0)  # a large index does not hold up the event loop
            partition = mention_partition(key, self.partitions)
            if not owns(partition) or any(inner.get((key, b)) for b in buckets):
                continue
            with writing_for(PartitionEvent(name, partition)):
                index.pop(key, None)
            dropped += 1
        return dropped

    def _owns_actively(self) -> Owns:
        name = self.mentions_topic.get_topic_name()
        actives = {tp.partition for tp in self.app.assignor.assigned_actives() if tp.topic == name}
        return actives.__contains__

    def span(self, now: float) -> tuple[float, float]:
        """Start and end of the WINDOW_STEPS windows that `current` adds up."""
        end = (now // self.step) * self.step + self.step
        return end - WINDOW_STEPS * self.step, end

    def snapshot(self, limit: int = DEFAULT_LIMIT, label: str | None = None) -> dict[str, Any]:
        now = time.time()
        start, end = self.span(now)
        held = self.held_partitions()
        return {
            "window_seconds": self.size,
            "step_seconds": self.step,
            "window_start": _iso(start),
            "window_end": _iso(end),
            "as_of": _iso(now),
            "entities": top_entities(self.current(now), limit, label),
            "partitions_held": held,
            "partitions_total": self.partitions,
            "complete": len(held) >= self.partitions,
        }

    def held_partitions(self) -> list[int]:
        """Partitions of the mentions topic whose counts this worker holds (active or standby)."""
        name = self.mentions_topic.get_topic_name()
        try:
            assigned = self.app.assignor.assigned_actives() | self.app.assignor.assigned_standbys()
        except Exception:  # noqa: BLE001 - no assignment before the worker joined the group
            return []
        return sorted({tp.partition for tp in assigned if tp.topic in (name, _changelog(self))})


def _changelog(trending: Trending) -> str:
    return f"{trending.app.conf.id}-{trending.table.name}-changelog"


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")
