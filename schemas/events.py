"""Builds the events that leave the pipeline: enriched stories and dead letters, as JSON objects.

Typed by the records of schemas.records; schemas never imports pipeline.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, TypedDict

from schemas.records import Entity, Mention, Quote, Story, Timex


class Source(TypedDict, total=False):
    """Where a story's raw bytes are on the raw topic (and the Kafka key it carried)."""

    topic: str
    partition: int
    offset: int
    timestamp: str | None
    key: str
    key_encoding: str  # "utf-8", or "base64" for a key that is not UTF-8 text


def key_bytes(source: Source) -> bytes | None:
    """The message key a source names, as bytes again (None when it had none)."""
    key = source.get("key")
    if key is None:
        return None
    if source.get("key_encoding") == "base64":
        return base64.b64decode(key)
    return key.encode("utf-8")


def key_fields(key: bytes) -> Source:
    """The message key as a source carries it: text when it is UTF-8, else base64."""
    try:
        return {"key": key.decode("utf-8"), "key_encoding": "utf-8"}
    except UnicodeDecodeError:
        return {"key": base64.b64encode(key).decode("ascii"), "key_encoding": "base64"}


EVENT_NAMESPACE = uuid.UUID("6f1d3c2a-8a4e-5b7f-9c0d-1e2f3a4b5c6d")
DEAD_LETTER_ORIGINAL_LIMIT_BYTES = 256 * 1024


def event_id(story_id: str, version: int) -> str:
    """Deterministic id of one story version: a re-publication carries the same id."""
    return uuid.uuid5(EVENT_NAMESPACE, f"{story_id}\x1f{version}").hex


def _span(span: Mention | Quote | Timex, **extra: Any) -> dict[str, Any]:
    return {"text": span.text, "start": span.start, "end": span.end, **extra}


def _entity(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": entity.name,
        "label": entity.label,
        "count": len(entity.mentions),
        "first_start": min(m.start for m in entity.mentions),
        "roles": list(entity.roles),
        "mentions": [_span(m) for m in entity.mentions],
    }
    if entity.country is not None:
        out["country"] = entity.country
    if entity.place is not None:
        out["place"] = asdict(entity.place)
    return out


def _quote(quote: Quote) -> dict[str, Any]:
    return _span(
        quote,
        speaker=quote.speaker,
        cue=quote.cue,
        type=quote.type,
        speaker_type=quote.speaker_type,
        fragments=[{"start": f.start, "end": f.end} for f in quote.fragments],
    )


def enriched_event(story: Story, source: Source | None = None) -> dict[str, Any]:
    """The enriched-story event (schema enriched_story.v1) for a fully enriched Story."""
    event: dict[str, Any] = {
        "schema": "wirestream.enriched_story.v1",
        "kind": "story",
        "event_id": event_id(story.story_id, story.version),
        "story_id": story.story_id,
        "version": story.version,
        "headline": story.headline,
        "body": story.body,
        "language": story.language,
        "byline": story.byline,
        "dateline": story.dateline,
        "source_format": story.source_format,
        "pubstatus": story.pubstatus,
        "embargoed_until": story.embargoed_until,
        "subjects": list(story.subjects),
        "signals": list(story.signals),
        "word_count": len(story.body.split()),
        "dates": {
            "published": story.dates.published,
            "received": story.dates.received,
            "processed": story.dates.processed,
        },
        "entities": [_entity(entity) for entity in story.entities],
        "quotes": [_quote(q) for q in story.quotes],
        "timex": [_span(t, type=t.type, value=t.value) for t in story.timex],
        "duplicate_of": story.duplicate_of,
        "warnings": [
            {"stage": w.stage, "error_code": w.error_code, "message": w.message}
            for w in story.warnings
        ],
    }
    if source is not None:
        event["source"] = source
    return event


def kill_event(story: Story, source: Source | None = None) -> dict[str, Any]:
    """The kill event (schema story_killed.v1): remove every version of story.story_id."""
    event: dict[str, Any] = {
        "schema": "wirestream.story_killed.v1",
        "kind": "kill",
        "event_id": uuid.uuid5(EVENT_NAMESPACE, f"{story.story_id}\x1fkill").hex,
        "story_id": story.story_id,
        "version": story.version,
        "pubstatus": story.pubstatus,
        "killed_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }
    if source is not None:
        event["source"] = source
    return event


def dead_letter_event(
    original: bytes,
    *,
    error_code: str,
    message: str,
    stage: str,
    source: Source,
    story_id: str | None = None,
) -> dict[str, Any]:
    """The dead-letter event (schema dead_letter.v1). Originals past the limit are truncated;
    the raw topic still holds them at source topic/partition/offset."""
    kept = original[:DEAD_LETTER_ORIGINAL_LIMIT_BYTES]
    return {
        "schema": "wirestream.dead_letter.v1",
        "error_code": error_code,
        "message": message,
        "stage": stage,
        "story_id": story_id,
        "source": source,
        "original_base64": base64.b64encode(kept).decode("ascii"),
        "original_size_bytes": len(original),
        "original_truncated": len(kept) < len(original),
        "failed_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }
