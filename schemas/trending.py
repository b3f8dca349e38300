"""The trending bundle on the internal mentions topic: a JSON object of entity key -> count.

Encoded by the split agent, decoded by the count agent (agents/worker/trending.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson


def encode_bundle(counts: Mapping[str, int]) -> bytes:
    """One bundle of mention counts as the mentions topic carries it."""
    return orjson.dumps(dict(counts))


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
