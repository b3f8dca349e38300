"""Rows of the worker's lifecycle tables, as their changelog topics carry them (JSON objects).

`story-published` holds a `Published` per story id: what was last published for it.
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


def encode_published(record: Published) -> bytes:
    return orjson.dumps(
        {
            "version": record.version,
            "version_created": record.version_created,
            "content_hash": record.content_hash,
            "killed": record.killed,
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
    )
