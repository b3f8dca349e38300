"""Rows of the worker's lifecycle tables, as their changelog topics carry them (JSON objects).

`story-published` holds a `Published` per story id: what was last published for it;
`story-fingerprints` holds a `Fingerprint` per story id: the SimHash of its body. Both carry the
time the worker wrote them (`recorded_at`), which retention expires them by; rows older workers
wrote have none and still decode.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson


@dataclass(frozen=True, slots=True)
class Published:
    """What the lifecycle table remembers of the newest version published for a story id."""

    version: int
    version_created: str | None
    content_hash: str  # of the normalised headline and body; not compared once killed
    killed: bool = False
    recorded_at: float | None = None  # Unix seconds the row was written; None in older rows


def encode_published(record: Published) -> bytes:
    return orjson.dumps(
        {
            "version": record.version,
            "version_created": record.version_created,
            "content_hash": record.content_hash,
            "killed": record.killed,
            "recorded_at": record.recorded_at,
        }
    )


def decode_published(data: bytes) -> Published:
    """A row as written by any version of the worker (older rows carry a `source_hash` that
    is no longer read)."""
    row = orjson.loads(data)
    created = row.get("version_created")
    return Published(
        int(row["version"]),
        None if created is None else str(created),
        str(row["content_hash"]),
        bool(row.get("killed", False)),
        _seconds(row.get("recorded_at")),
    )


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A row of the near-duplicate table: the story's 64-bit SimHash and when it was written."""

    simhash: int
    recorded_at: float | None = None


def encode_fingerprint(row: Fingerprint) -> bytes:
    return orjson.dumps({"simhash": row.simhash, "recorded_at": row.recorded_at})


def decode_fingerprint(data: bytes) -> Fingerprint:
    """A row as written by any version of the worker: a JSON object, or (older workers) the
    fingerprint alone as a decimal number. ValueError when it is neither or out of range."""
    try:
        row = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not a fingerprint row: {data[:40]!r}") from exc
    if isinstance(row, int) and not isinstance(row, bool):
        simhash, recorded = row, None
    elif isinstance(row, dict) and isinstance(row.get("simhash"), int):
        simhash, recorded = row["simhash"], _seconds(row.get("recorded_at"))
    else:
        raise ValueError(f"not a fingerprint row: {data[:40]!r}")
    if not 0 <= simhash < 1 << 64:
        raise ValueError(f"fingerprint out of 64 bits: {simhash}")
    return Fingerprint(simhash, recorded)


def _seconds(value: object) -> float | None:
    """A row's `recorded_at`; anything but a number reads as absent (the row is undated)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
