"""Trending entities for the editors' dashboard: enriched events -> entity mentions, re-keyed by
entity -> a windowed Faust table of mention counts (tumbling windows) -> `GET /trending`.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import faust
import orjson

from agents.settings import Settings

KEY_SEPARATOR = "\x1f"
WINDOW_STEPS = 6
DEFAULT_LIMIT = 20
MAX_LIMIT = 200


def entity_key(name: str, label: str) -> str:
    """The table key of one entity: label and canonical name, split by a unit separator."""
    return f"{label}{KEY_SEPARATOR}{name}"


def split_key(key: str) -> tuple[str, str]:
    """(name, label) of a table key made by `entity_key`."""
    label, _, name = key.partition(KEY_SEPARATOR)
    return name, label


def mention_counts(event: Mapping[str, Any]) -> dict[str, int]:
    """Mentions per entity key in one enriched event; an event of another shape counts nothing."""
    counts: dict[str, int] = {}
    entities = event.get("entities")
    if not isinstance(entities, list):
        return counts
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        name, label = entity.get("name"), entity.get("label")
        if not isinstance(name, str) or not isinstance(label, str) or not name.strip():
            continue
        count = entity.get("count")
        if not isinstance(count, int) or count < 1:
            mentions = entity.get("mentions")
            count = len(mentions) if isinstance(mentions, list) and mentions else 1
        key = entity_key(name.strip(), label.strip().upper())
        counts[key] = counts.get(key, 0) + count
    return counts


def top_entities(
    items: Iterable[tuple[str, int]], limit: int = DEFAULT_LIMIT, label: str | None = None
) -> list[dict[str, Any]]:
    """The `limit` most-mentioned entities, most first, ties by name; zero counts left out."""
    wanted = label.upper() if label else None
    ranked: list[tuple[int, str, str]] = []
    for key, count in items:
        if not count:
            continue
        name, entity_label = split_key(key)
        if wanted is None or entity_label == wanted:
            ranked.append((int(count), name, entity_label))
    ranked.sort(key=lambda row: (-row[0], row[1].casefold(), row[2]))
    return [
        {"name": name, "label": entity_label, "mentions": count}
        for count, name, entity_label in ranked[: max(0, limit)]
    ]


def mention_partition(key: str, partitions: int) -> int:
    """The mentions-topic partition (and so the table partition) of an entity key: the same
    on every worker and in every run."""
    return zlib.crc32(key.encode("utf-8")) % partitions


def bundles(counts: Mapping[str, int], partitions: int) -> dict[int, dict[str, int]]:
    """Mention counts split by the partition each entity key belongs to."""
    split: dict[int, dict[str, int]] = {}
    for key, count in counts.items():
        split.setdefault(mention_partition(key, partitions), {})[key] = count
    return split


def read_bundle(value: bytes | None) -> dict[str, int]:
    """A bundle's counts; anything that is not a JSON object of positive counts counts nothing."""
    try:
        decoded = orjson.loads(value or b"")
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(decoded, dict):
        return {}
    return {
        key: count
        for key, count in decoded.items()
        if isinstance(count, int) and not isinstance(count, bool) and count > 0
    }


def parse_limit(raw: str | None) -> int:
    """`?limit=` as a number between 1 and MAX_LIMIT; anything unreadable is the default."""
    try:
        value = int(raw) if raw else DEFAULT_LIMIT
    except ValueError:
        return DEFAULT_LIMIT
    return min(max(value, 1), MAX_LIMIT)


class Trending:
    """The windowed table and the two agents that feed it.

    Agent 1 reads the enriched topic (consumer-group semantics: each event counted once per
    group), adds up the mentions of up to a second of events, and sends one bundle of counts to
    each partition of an internal topic: an entity's partition is a hash of its key, so each
    entity key lives on exactly one partition and one worker. Agent 2 adds each bundle to a
    table of tumbling windows of `step` seconds; the last hour is the sum of the last
    WINDOW_STEPS of them (the same span a hopping window of `size` and `step` covers). A worker
    serves the keys of the partitions it holds.

    Both choices are for the broker: every table update writes one changelog record per window
    it touches (six with a hopping window), and one message per entity per story made trending
    24 of the 29 Kafka records a story cost (docs/performance.md).
    """

    BUNDLE_EVENTS = 500  # enriched events added up into one round of bundles, at most ...
    BUNDLE_SECONDS = 1.0  # ... or what arrived within this long

    def __init__(self, app: faust.App, settings: Settings, enriched_topic: Any) -> None:
        self.app = app
        self.size = settings.dashboard_window_seconds
        self.step = max(self.size // WINDOW_STEPS, 1)
        self.partitions = settings.partitions
        self.mentions_topic = app.topic(
            f"{settings.app_id}-entity-mentions",
            internal=True,
            partitions=settings.partitions,
            key_type=bytes,
            value_type=bytes,
            retention=float(self.size),
        )
        self.table = app.Table(
            "trending-entities",
            default=int,
            key_type=str,
            value_type=int,
            partitions=settings.partitions,
            help="Entity mentions per tumbling window, keyed by label and canonical name.",
        ).tumbling(self.step, expires=self.size + self.step, key_index=True)
        app.agent(enriched_topic, name="trending-split-mentions")(self.split_mentions)
        self.counter = app.agent(self.mentions_topic, name="trending-count-mentions")(
            self.count_mentions
        )

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
                    key=b"%d" % partition, value=orjson.dumps(bundle), partition=partition
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
