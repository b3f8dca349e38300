"""The prepared-topic record: a story as triage left it (parsed, normalised, date-stamped),
where its raw bytes came from, its content hash, and the original bytes.

On the wire: one line of JSON (story, source, content hash), a newline, then the original
bytes as they are (the first 256 KiB: a dead letter keeps no more; the raw topic has them all).
Records written before the content hash was carried hold a story as parsed, not normalised:
`content_hash` is None for them and the worker normalises them on reading.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import orjson

from schemas.events import DEAD_LETTER_ORIGINAL_LIMIT_BYTES, Source
from schemas.records import Story, story_from_dict, story_to_dict


@dataclass(frozen=True, slots=True)
class Prepared:
    story: Story
    source: Source
    original: bytes
    content_hash: str | None = None


def encode_prepared(item: Prepared) -> bytes:
    head: dict[str, Any] = {"story": story_to_dict(item.story), "source": item.source}
    if item.content_hash is not None:
        head["content_hash"] = item.content_hash
    return orjson.dumps(head) + b"\n" + item.original[:DEAD_LETTER_ORIGINAL_LIMIT_BYTES]


def decode_prepared(data: bytes) -> Prepared:
    end = data.find(b"\n")  # JSON from orjson has none: it escapes them in strings
    if end < 0:  # written by an older worker: one JSON object, the original in base64
        record = orjson.loads(data)
        original = base64.b64decode(record["original"])
    else:
        record, original = orjson.loads(data[:end]), data[end + 1 :]
    return Prepared(
        story_from_dict(record["story"]), record["source"], original, record.get("content_hash")
    )
