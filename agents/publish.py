"""Sends what the pipeline returned: enriched events to the enriched topic, failures to the
dead-letter topic, and records the metrics of each. Waits for every delivery before returning,
so offsets are committed only for messages whose results Kafka has."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from agents import metrics
from pipeline.enrich import Enriched, Failure, Outcome, RawInput
from schemas import encode
from schemas.events import dead_letter_event, enriched_event


def source_of(event: Any) -> dict[str, Any]:
    message = event.message
    return {
        "topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
        "timestamp": datetime.fromtimestamp(message.timestamp, UTC).isoformat()
        if message.timestamp
        else None,
    }


def raw_input_of(event: Any) -> RawInput:
    message = event.message
    value = message.value if isinstance(message.value, bytes) else bytes(message.value or b"")
    headers = dict(message.headers or ())
    hint = headers.get("wirestream-format") or headers.get("content-format")
    return RawInput(
        data=value,
        received=datetime.fromtimestamp(message.timestamp, UTC) if message.timestamp else None,
        format_hint=hint.decode("ascii", "replace") if isinstance(hint, bytes) else hint,
    )


class Publisher:
    def __init__(self, enriched_topic: Any, dead_letter_topic: Any) -> None:
        self.enriched_topic = enriched_topic
        self.dead_letter_topic = dead_letter_topic

    async def publish(self, events: Sequence[Any], outcomes: Sequence[Outcome]) -> None:
        pending = []
        for event, outcome in zip(events, outcomes, strict=True):
            source = source_of(event)
            if isinstance(outcome, Enriched):
                story = outcome.story
                metrics.STORIES_RECEIVED.labels(story.source_format).inc()
                for stage, seconds in outcome.stage_seconds.items():
                    metrics.STAGE_SECONDS.labels(stage).observe(seconds)
                metrics.STORY_ENTITIES.observe(len(story.entities))
                metrics.STORY_QUOTES.observe(len(story.quotes))
                value = encode(enriched_event(story, source))
                pending.append((self.enriched_topic, story.story_id.encode(), value, event))
            else:
                metrics.STORIES_RECEIVED.labels("unknown").inc()
                pending.append((self.dead_letter_topic, None, self._dead_letter(event, outcome,
                                                                                 source), event))
        futures = [await topic.send(key=key, value=value) for topic, key, value, _ in pending]
        await asyncio.gather(*futures)
        now = time.time()
        for topic, _, _, event in pending:
            metrics.EVENTS_PUBLISHED.labels(topic.get_topic_name()).inc()
            if topic is self.enriched_topic:
                metrics.STORIES_ENRICHED.inc()
                if event.message.timestamp:
                    metrics.END_TO_END_LATENCY.observe(max(0.0, now - event.message.timestamp))

    @staticmethod
    def _dead_letter(event: Any, failure: Failure, source: dict[str, Any]) -> bytes:
        metrics.DEAD_LETTERS.labels(failure.code).inc()
        raw = event.message.value
        return encode(
            dead_letter_event(
                raw if isinstance(raw, bytes) else bytes(raw or b""),
                error_code=failure.code,
                message=failure.message,
                stage=failure.stage,
                source=source,
                story_id=failure.story_id,
            )
        )
