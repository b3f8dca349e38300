"""One batch of the enrich agent, from lifecycle decision to acked offsets. Batches overlap: the
NLP pool starts on a batch while the one before it is still being published, and each batch
acks its own messages once its results are in Kafka (never earlier, never by take_events)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agents import metrics
from agents.logs import story_fields
from agents.worker.faust_fixes import hold_unfinished, release
from agents.worker.guard import guarded
from agents.worker.lifecycle import Lifecycle, as_event, read_prepared, send_kills, utcnow
from agents.worker.pool import EnrichmentPool
from agents.worker.publish import Publisher
from pipeline.enrich import Outcome
from pipeline.errors import Failure
from pipeline.lifecycle import Decision
from schemas.prepared import Prepared

log = logging.getLogger("wirestream")


@dataclass
class EnrichBatch:
    """Prepared-topic events, their records and lifecycle decisions, and the NLP under way."""

    events: list[Any]
    items: list[Prepared]
    decisions: list[Decision] | None  # None: deciding failed; `finish` decides again
    nlp: asyncio.Future[list[Outcome]] | None = None
    done: asyncio.Future[None] | None = field(default=None, repr=False)

    @classmethod
    def plan(
        cls, events: Sequence[Any], lifecycle: Lifecycle, before: EnrichBatch | None
    ) -> EnrichBatch:
        """Decide each story. A batch still in flight has not written its decisions to the
        tables yet, so its stories are decided again ahead of these, as one sequence: a
        resend of a story it enriches is then a resend here too, not a second enrichment."""
        items = [read_prepared(event.message.value) for event in events]
        ahead = before.items if before is not None and not before.finished else []
        try:
            decisions = lifecycle.plan([*ahead, *items], utcnow())[len(ahead) :]
        except Exception as exc:  # noqa: BLE001 - decided again in `finish`, under the guard
            log.warning("lifecycle decision failed, deciding again in turn: %r", exc)
            return cls(list(events), items, None)
        return cls(list(events), items, decisions)

    @property
    def finished(self) -> bool:
        return self.done is not None and self.done.done()

    @property
    def chosen(self) -> list[tuple[Any, Prepared]]:
        assert self.decisions is not None, "no decisions yet"
        return [
            (e, i)
            for e, i, d in zip(self.events, self.items, self.decisions, strict=True)
            if d is Decision.ENRICH
        ]

    def start(self, pool: EnrichmentPool) -> None:
        """Hand the stories to enrich to the pool now; the result is awaited in `finish`."""
        if self.decisions is None:
            return
        chosen = self.chosen
        metrics.BATCH_SIZE.observe(len(chosen))
        self.nlp = asyncio.ensure_future(pool.enrich([i.story for _, i in chosen]))

    async def finish(
        self,
        lifecycle: Lifecycle,
        pool: EnrichmentPool,
        publisher: Publisher,
        kill_topic: Any,
        consumer: Any,
    ) -> None:
        """Publish outcomes and kills, record decisions, then ack the batch's messages."""

        async def complete() -> None:
            if self.decisions is None:  # the batch before is in the tables by now
                self.decisions = lifecycle.plan(self.items, utcnow())
                self.start(pool)
            assert self.nlp is not None and self.decisions is not None
            chosen = self.chosen
            outcomes = lifecycle.mark_duplicates([e for e, _ in chosen], await self.nlp)
            await publisher.publish([as_event(i) for _, i in chosen], outcomes)
            kills = [
                i for i, d in zip(self.items, self.decisions, strict=True) if d is Decision.KILL
            ]
            await send_kills(kill_topic, kills)
            # a dead-lettered version is not "published": a resend may try it again
            failed = {
                id(i) for (_, i), o in zip(chosen, outcomes, strict=True) if isinstance(o, Failure)
            }
            lifecycle.remember(self.events, self.items, self.decisions, skip=failed)

        await guarded([as_event(i) for i in self.items], complete, publisher.publish, "enrich")
        release(consumer, self.events)
        for item in self.items:
            log.debug(
                "handled",
                extra=story_fields(item.story.story_id, item.source, version=item.story.version),
            )


async def enrich_overlapped(
    batches: Any,
    begin: Callable[[list[Any], EnrichBatch | None], EnrichBatch],
    finish: Callable[[EnrichBatch], Awaitable[None]],
) -> None:
    """Run `batches` (from take_events) so that batch N+1 is planned and its NLP started before
    batch N is published. At most two batches are in flight; results go out in order. On
    cancellation (shutdown) the batches in flight stay unacked and are read again."""
    before: EnrichBatch | None = None
    try:
        async for events in batches:
            hold_unfinished(events)  # acked by `release` once published, not by take_events
            batch = begin(list(events), before)
            if before is not None and before.done is not None:
                await before.done
            batch.done = asyncio.ensure_future(finish(batch))
            before = batch
        if before is not None and before.done is not None:
            await before.done  # the stream ended: publish what was taken
    except asyncio.CancelledError:
        if before is not None and before.done is not None:
            before.done.cancel()
        raise
