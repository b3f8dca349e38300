"""Trending counts for the editors' dashboard: how often each entity is mentioned in enriched
events, split by the mentions-topic partition that owns its key, and ranked for `GET /trending`.
Pure functions; the worker's trending agents and table (agents/worker/trending.py) call them.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from typing import Any

KEY_SEPARATOR = "\x1f"
DEFAULT_LIMIT = 20


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
