"""Sends what the pipeline returned: enriched events to the enriched topic, failures to the
dead-letter topic, and records the metrics of each. Returns only once Kafka has every event
(failed sends are retried), so offsets are committed only for messages whose results it has.
Permanent Kafka errors are reported to the worker's degraded record (agents/worker/degraded.py).
"""

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
from agents.worker.degraded import Degraded
from pipeline.enrich import Enriched, Outcome, RawInput
from pipeline.errors import EVENT_TOO_LARGE, NOT_AUTHORIZED, TOPIC_MISSING, ErrorCode, Failure
from schemas import encode
from schemas.events import Source, dead_letter_event, enriched_event, key_fields

log = logging.getLogger(__name__)

# pauses between delivery attempts; the last one repeats for as long as Kafka refuses
RETRY_PAUSES_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
# A round of sends unanswered this long makes the publisher look at what the producer knows of
# its topics: aiokafka waits quietly on a topic that is gone (for producer_request_timeout,
# 20 minutes), so the error would otherwise show only then.
STALL_SECONDS = 5.0


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
        degraded: Degraded | None = None,
        stall_seconds: float = STALL_SECONDS,
    ) -> None:
        self.enriched_topic = enriched_topic
        self.dead_letter_topic = dead_letter_topic
        self.retry_pauses = tuple(retry_pauses)
        self.degraded = degraded if degraded is not None else Degraded()
        self.stall_seconds = stall_seconds
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
        event Kafka can never take (over its size limit) is replaced by a dead letter. A topic
        that is gone or not writable is retried like the rest, and reported as degraded."""
        items = list(pending)
        todo = list(range(len(items)))
        attempt = 0
        while True:
            sending = [items[i] for i in todo]
            failed = [(todo[j], exc) for j, exc in await self._watched(sending)]
            refused = {index for index, _ in failed}
            for topic in {_name(items[i].topic) for i in todo if i not in refused}:
                self.degraded.delivered(topic)
            if not failed:
                return items
            todo = [index for index, _ in failed]
            transient = []
            for index, exc in failed:
                item = items[index]
                reason = permanent_reason(exc)
                if reason is EVENT_TOO_LARGE and item.topic is not self.dead_letter_topic:
                    log.warning("event too large for Kafka, dead-lettering it: %s", _describe(exc))
                    items[index] = self._too_large_dead_letter(item, exc)
                    continue
                if reason is not None:
                    self.degraded.report(reason, _name(item.topic), _say(reason, item, exc))
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

    async def _watched(self, pending: Sequence[Outgoing]) -> list[tuple[int, BaseException]]:
        """`_send_all`, looking every `stall_seconds` while it waits for a topic of `pending`
        that the producer learnt, since the round began, is gone or refused to it."""
        began = time.time()
        sending = asyncio.ensure_future(self._send_all(pending))
        try:
            while True:
                done, _ = await asyncio.wait({sending}, timeout=self.stall_seconds)
                if done:
                    return sending.result()
                for topic in {id(item.topic): item.topic for item in pending}.values():
                    found = stalled_reason(_producer_cluster(topic), _name(topic), began)
                    if found is not None:
                        reason, detail = found
                        self.degraded.report(
                            reason, _name(topic), reason.say(topic=_name(topic), detail=detail)
                        )
        except asyncio.CancelledError:
            sending.cancel()
            raise

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
        failure = EVENT_TOO_LARGE.failure(
            item.key.decode("utf-8", "replace") if item.key else None,
            topic=item.topic.get_topic_name(),
            size=len(item.value),
            cause=_cause(exc),
        )
        self.degraded.report(EVENT_TOO_LARGE, _name(item.topic), failure.message)
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


def permanent_reason(exc: BaseException) -> ErrorCode | None:
    """The catalogue code of a send error that resending will not cure by itself: a record
    over the size limit (EVENT_TOO_LARGE), a write not authorised (NOT_AUTHORIZED), a topic
    the broker does not have (TOPIC_MISSING). None for the rest (broker down, timeouts)."""
    from aiokafka import errors

    too_large = (
        errors.MessageSizeTooLargeError,
        errors.RecordTooLargeError,
        errors.RecordListTooLargeError,
    )
    refused = (errors.TopicAuthorizationFailedError, errors.ClusterAuthorizationFailedError)
    for cause in _causes(exc):
        if isinstance(cause, too_large):
            return EVENT_TOO_LARGE
        if isinstance(cause, refused):
            return NOT_AUTHORIZED
        if isinstance(cause, errors.UnknownTopicOrPartitionError):
            return TOPIC_MISSING
    return None


def stalled_reason(cluster: Any, topic: str, since: float) -> tuple[ErrorCode, str] | None:
    """Why sends to `topic` hang, from the producer's cluster metadata (aiokafka's
    ClusterMetadata): only once the broker has answered a metadata request after `since`,
    so a broker that is down (stale metadata, no answer) never reads as a missing topic."""
    refreshed = getattr(cluster, "_last_successful_refresh_ms", None)
    if not isinstance(refreshed, int | float) or refreshed / 1000 < since:
        return None
    if topic in getattr(cluster, "unauthorized_topics", ()):
        return NOT_AUTHORIZED, "the broker's metadata answer refuses it to this client"
    if cluster.partitions_for_topic(topic) is None:
        return TOPIC_MISSING, "the broker's metadata has no such topic"
    return None


def _producer_cluster(topic: Any) -> Any:
    """The cluster metadata the app's Kafka producer works from; None when there is none."""
    producer = getattr(getattr(topic, "app", None), "producer", None)
    client = getattr(getattr(producer, "_producer", None), "client", None)
    return getattr(client, "cluster", None)


def _say(reason: ErrorCode, item: Outgoing, exc: BaseException) -> str:
    if reason is EVENT_TOO_LARGE:
        return reason.say(topic=_name(item.topic), size=len(item.value), cause=_cause(exc))
    return reason.say(topic=_name(item.topic), detail=_cause(exc))


def _name(topic: Any) -> str:
    return str(topic.get_topic_name())


def _cause(exc: BaseException) -> str:
    return type(_causes(exc)[-1]).__name__


def _describe(exc: BaseException) -> str:
    return "; ".join(f"{type(e).__name__}: {e}" for e in _causes(exc))[:300]
