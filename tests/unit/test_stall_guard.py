"""The stall guard: partitions fetched to the end but never handed out are read again after
two checks in a row; a worker that is busy, or whose commits move, is left alone."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, NamedTuple

from agents.worker.stall_guard import StallGuard


class TopicPartition(NamedTuple):
    topic: str
    partition: int


TP = TopicPartition("wire.stories.prepared.v1", 2)


class FakeApp:
    def __init__(self, committed: int, position: int, unacked: int = 0) -> None:
        state = SimpleNamespace(position=position)
        assignment = SimpleNamespace(tps=[TP], state_value=lambda tp: state)
        subscription = SimpleNamespace(subscription=SimpleNamespace(assignment=assignment))
        aiokafka = SimpleNamespace(_subscription=subscription)
        self.seeks = 0

        async def perform_seek() -> None:
            self.seeks += 1

        self.consumer = SimpleNamespace(
            _unacked_messages=set(range(unacked)),
            _committed_offset={TP: committed},
            _thread=SimpleNamespace(_ensure_consumer=lambda: aiokafka),
            flow_active=True,
            perform_seek=perform_seek,
        )
        self.rebalancing = False
        self.topics = SimpleNamespace(_topics=[])


def checks(app: Any, n: int, guard: StallGuard | None = None) -> None:
    guard = guard or StallGuard(["wire.stories.prepared.v1"])
    for _ in range(n):
        asyncio.run(guard.check(app))


def test_a_partition_fetched_to_its_end_but_never_handed_out_is_read_again() -> None:
    app = FakeApp(committed=80, position=177)
    guard = StallGuard(["wire.stories.prepared.v1"])
    checks(app, 1, guard)
    assert app.seeks == 0  # one look is not enough: records may be on their way
    checks(app, 1, guard)
    assert app.seeks == 1


def test_a_busy_or_caught_up_worker_is_left_alone() -> None:
    busy = FakeApp(committed=80, position=177, unacked=5)
    caught_up = FakeApp(committed=177, position=177)
    checks(busy, 3)
    checks(caught_up, 3)
    assert busy.seeks == caught_up.seeks == 0
