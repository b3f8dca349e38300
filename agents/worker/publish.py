"""Sends what the pipeline returned: enriched events to the enriched topic, failures to the
dead-letter topic, and records the metrics of each. Returns only once Kafka has every event
(failed sends are retried), so offsets are committed only for messages whose results it has."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agents import metrics
from agents.logs import story_fields
from pipeline.enrich import Enriched, Outcome, RawInput
from pipeline.errors import EVENT_TOO_LARGE, Failure
from schemas import encode
from schemas.events import Source, dead_letter_event, enriched_event, key_fields

log = logging.getLogger(__name__)

# pauses between delivery attempts; the last one repeats for as long as Kafka refuses
RETRY_PAUSES_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


def source_of(event: Any) -> Source:
    message = event.message
    source: Source = {
        "topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
        "timestamp": datetime.fromtimestamp(message.timestamp, UTC).isoformat()
        if message.timestamp
        else None,
    }
    key = getattr(message, "key", None)
    if isinstance(key, bytes):
        source.update(key_fields(key))
    return source


def raw_input_of(event: Any) -> RawInput:
    message = event.message
    value = message.value if isinstance(message.value, bytes) else bytes(message.value or b"")
    headers = dict(message.headers or ())
    hint = headers.get("wirestream-format") or headers.get("content-format")
    key = message.key
    return RawInput(
        key=key if isinstance(key, bytes) and key else None,
        data=value,
        received=datetime.fromtimestamp(message.timestamp, UTC) if message.timestamp else None,
        format_hint=hint.decode("ascii", "replace") if isinstance(hint, bytes) else hint,
    )


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One event to deliver and the consumed message it answers for."""

    topic: Any
    key: bytes | None
    value: bytes
    event: Any


class Publisher:
    """At-least-once delivery of a batch's events: `publish` returns only when every one is
    acknowledged by Kafka (acks=all), retrying what failed, so the caller may then ack the
    consumed messages. A re-delivery after a crash re-sends the same `event_id`."""

    def __init__(
        self,
        enriched_topic: Any,
        dead_letter_topic: Any,
        retry_pauses: Sequence[float] = RETRY_PAUSES_SECONDS,
    ) -> None:
        self.enriched_topic = enriched_topic
        self.dead_letter_topic = dead_letter_topic
        self.retry_pauses = tuple(retry_pauses)
        self.retries = 0

    async def publish(self, events: Sequence[Any], outcomes: Sequence[Outcome]) -> None:
        pending = [
            self._outgoing(event, outcome) for event, outcome in zip(events, outcomes, strict=True)
        ]
        delivered = await self.deliver(pending)
        now = time.time()
        for item in delivered:
            metrics.EVENTS_PUBLISHED.labels(item.topic.get_topic_name()).inc()
            if item.topic is self.enriched_topic:
                metrics.STORIES_ENRICHED.inc()
                if item.event.message.timestamp:
                    metrics.END_TO_END_LATENCY.observe(max(0.0, now - item.event.message.timestamp))

    async def deliver(self, pending: Sequence[Outgoing]) -> list[Outgoing]:
        """Send all of `pending`, wait for Kafka to acknowledge each, and resend the failures
        after a pause until none is left; returns what was delivered. Never gives up: a broker
        that is down stalls the agent (and so its consumption) instead of losing events. An
        event Kafka can never take (over its size limit) is replaced by a dead letter."""
        items = list(pending)
        todo = list(range(len(items)))
        attempt = 0
        while True:
            failed = [(todo[j], exc) for j, exc in await self._send_all([items[i] for i in todo])]
            if not failed:
                return items
            todo = [index for index, _ in failed]
            transient = []
            for index, exc in failed:
                if _too_large(exc) and items[index].topic is not self.dead_letter_topic:
                    log.warning("event too large for Kafka, dead-lettering it: %s", _describe(exc))
                    items[index] = self._too_large_dead_letter(items[index], exc)
                else:
                    transient.append(exc)
            if not transient:
                continue
            pause = self.retry_pauses[min(attempt, len(self.retry_pauses) - 1)]
            self.retries += 1
            log.warning(
                "%d of %d events not delivered (%s); retry %d in %.1fs",
                len(transient),
                len(items),
                _describe(transient[0]),
                attempt + 1,
                pause,
            )
            attempt += 1
            await asyncio.sleep(pause)

    async def _send_all(self, pending: Sequence[Outgoing]) -> list[tuple[int, BaseException]]:
        """Send every item; the (index, error) of each that Kafka did not acknowledge."""
        failed: list[tuple[int, BaseException]] = []
        futures: list[tuple[int, Any]] = []
        for index, item in enumerate(pending):
            try:
                futures.append((index, await item.topic.send(key=item.key, value=item.value)))
            except Exception as exc:  # noqa: BLE001 - every send error is retried or routed
                failed.append((index, exc))
        results = await asyncio.gather(*(f for _, f in futures), return_exceptions=True)
        for (index, _), result in zip(futures, results, strict=True):
            if isinstance(result, asyncio.CancelledError):
                raise result
            if isinstance(result, BaseException):
                failed.append((index, result))
        return sorted(failed, key=lambda pair: pair[0])

    def _outgoing(self, event: Any, outcome: Outcome) -> Outgoing:
        source = source_of(event)
        if isinstance(outcome, Enriched):
            story = outcome.story
            for stage, seconds in outcome.stage_seconds.items():
                metrics.STAGE_SECONDS.labels(stage).observe(seconds)
            metrics.STORY_ENTITIES.observe(len(story.entities))
            metrics.STORY_QUOTES.observe(len(story.quotes))
            for warning in story.warnings:
                metrics.STAGE_ERRORS.labels(warning.stage).inc()
                log.warning(
                    "published without %s: %s",
                    warning.stage,
                    warning.message,
                    extra=story_fields(
                        story.story_id, source, error_code=warning.error_code, stage=warning.stage
                    ),
                )
            value = encode(enriched_event(story, source))
            return Outgoing(self.enriched_topic, story.story_id.encode(), value, event)
        return Outgoing(
            self.dead_letter_topic, None, self._dead_letter(event, outcome, source), event
        )

    def _too_large_dead_letter(self, item: Outgoing, exc: BaseException) -> Outgoing:
        cause = type(_causes(exc)[-1]).__name__
        failure = EVENT_TOO_LARGE.failure(
            item.key.decode("utf-8", "replace") if item.key else None,
            topic=item.topic.get_topic_name(),
            size=len(item.value),
            cause=cause,
        )
        value = self._dead_letter(item.event, failure, source_of(item.event))
        return Outgoing(self.dead_letter_topic, None, value, item.event)

    @staticmethod
    def _dead_letter(event: Any, failure: Failure, source: Source) -> bytes:
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


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _too_large(exc: BaseException) -> bool:
    """Kafka will never take this record, however often it is sent."""
    from aiokafka.errors import MessageSizeTooLargeError, RecordTooLargeError

    return any(isinstance(e, MessageSizeTooLargeError | RecordTooLargeError) for e in _causes(exc))


def _describe(exc: BaseException) -> str:
    return "; ".join(f"{type(e).__name__}: {e}" for e in _causes(exc))[:300]
