"""The enrich agent's overlap: the next batch is planned and its NLP started before the one in
flight is published; results go out in order; a batch is acked only after it is published;
a shutdown leaves in-flight batches unacked. And one dying NLP pool is replaced once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest

from agents.worker.batch import EnrichBatch, enrich_overlapped
from agents.worker.faust_fixes import release
from agents.worker.pool import EnrichmentPool
from pipeline.lifecycle import Decision
from pipeline.testing import make_story
from schemas.prepared import Prepared, encode_prepared


def message(offset: int) -> SimpleNamespace:
    return SimpleNamespace(offset=offset, acked=False)


def events(*offsets: int) -> list[SimpleNamespace]:
    return [SimpleNamespace(message=message(o)) for o in offsets]


class Consumer:
    def __init__(self) -> None:
        self.acked: list[int] = []

    def ack(self, msg: Any) -> None:
        if not msg.acked:
            msg.acked = True
            self.acked.append(msg.offset)


async def take(*batches: list[SimpleNamespace]) -> AsyncIterator[list[SimpleNamespace]]:
    for batch in batches:
        yield batch
        await asyncio.sleep(0)


def test_next_batch_starts_before_the_previous_is_published_and_acks_follow_publishing() -> None:
    log: list[str] = []
    consumer = Consumer()
    gate = asyncio.Event()

    def begin(evs: list[Any], before: EnrichBatch | None) -> EnrichBatch:
        first = evs[0].message.offset
        log.append(f"begin {first} (before: {before.events[0].message.offset if before else '-'})")
        return EnrichBatch(evs, [], [])

    async def finish(batch: EnrichBatch) -> None:
        first = batch.events[0].message.offset
        if first == 0:
            await gate.wait()  # batch 0 is slow to publish
        log.append(f"published {first}")
        release(consumer, batch.events)

    async def run() -> None:
        runner = asyncio.ensure_future(
            enrich_overlapped(take(events(0, 1), events(2, 3)), begin, finish)
        )
        await asyncio.sleep(0.05)
        assert log == ["begin 0 (before: -)", "begin 2 (before: 0)"]  # overlap
        assert consumer.acked == []  # nothing acked before it is published
        gate.set()
        await runner
        await asyncio.sleep(0.01)

    asyncio.run(run())
    assert log[2:] == ["published 0", "published 2"]  # results in order
    assert consumer.acked == [0, 1, 2, 3]


def test_a_shutdown_leaves_the_batches_in_flight_unacked() -> None:
    consumer = Consumer()
    taken = events(0, 1)

    def begin(evs: list[Any], before: EnrichBatch | None) -> EnrichBatch:
        return EnrichBatch(evs, [], [])

    async def finish(batch: EnrichBatch) -> None:
        await asyncio.sleep(10)  # still publishing when the worker stops
        release(consumer, batch.events)

    async def endless() -> AsyncIterator[list[SimpleNamespace]]:
        yield taken
        await asyncio.sleep(10)

    async def run() -> None:
        runner = asyncio.ensure_future(enrich_overlapped(endless(), begin, finish))
        await asyncio.sleep(0.05)
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner

    asyncio.run(run())
    assert consumer.acked == []
    # held: Faust's own ack in take_events' `finally` sees them as done and skips the consumer
    assert all(e.message.acked for e in taken)


def test_two_batches_seeing_one_pool_die_replace_it_once() -> None:
    pool = EnrichmentPool(enricher=None, processes=0)  # type: ignore[arg-type]
    dead = pool._start()
    pool.restart(dead)  # the first batch to notice replaces the pool
    replacement = pool._start()
    pool.restart(dead)  # the second batch saw the same, old pool die: nothing to do
    assert pool._start() is replacement
    assert pool.restarts == 1
    assert isinstance(replacement, ThreadPoolExecutor)
    pool.close()


class FlakyLifecycle:
    """Deciding fails once (a table read during a rebalance), then works."""

    def __init__(self) -> None:
        self.plans = 0
        self.remembered: list[str] = []

    def plan(self, items: list[Prepared], now: Any) -> list[Decision]:
        self.plans += 1
        if self.plans == 1:
            raise TypeError("'NoneType' object is not iterable")
        return [Decision.ENRICH] * len(items)

    def mark_duplicates(self, evs: list[Any], outcomes: list[Any]) -> list[Any]:
        return outcomes

    def remember(self, evs: list[Any], items: list[Prepared], *args: Any, **kw: Any) -> None:
        self.remembered += [i.story.story_id for i in items]


def test_a_failed_lifecycle_decision_is_taken_again_before_publishing() -> None:
    source = {"topic": "raw", "partition": 0, "offset": 7, "timestamp": None}
    item = Prepared(make_story(story_id="urn:t:1"), source, b"original copy", "hash")
    value = encode_prepared(item)
    event = SimpleNamespace(message=SimpleNamespace(value=value, offset=7, acked=False))
    lifecycle, consumer, published = FlakyLifecycle(), Consumer(), []

    class Pool:
        async def enrich(self, stories: list[Any]) -> list[str]:
            return [f"enriched {s.story_id}" for s in stories]

    class Publisher:
        async def publish(self, evs: list[Any], outcomes: list[Any]) -> None:
            published.extend(outcomes)

    class Topic:
        async def send(self, **kw: Any) -> None:  # no kills in this batch
            raise AssertionError("no kill expected")

    async def run() -> None:
        batch = EnrichBatch.plan([event], lifecycle, None)  # type: ignore[arg-type]
        assert batch.decisions is None  # the failure did not crash the agent
        batch.start(Pool())  # type: ignore[arg-type]
        hold = [event]
        await batch.finish(lifecycle, Pool(), Publisher(), Topic(), consumer)  # type: ignore[arg-type]
        assert hold[0].message.acked

    asyncio.run(run())
    assert published == ["enriched urn:t:1"]
    assert lifecycle.remembered == ["urn:t:1"]
    assert consumer.acked == [7]
