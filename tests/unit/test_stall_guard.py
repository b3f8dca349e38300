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


OTHER = TopicPartition("wire.stories.prepared.v1", 3)
TRENDING = TopicPartition("wirestream-entity-mentions", 2)


class FakeApp:
    def __init__(self, committed: int, position: int, unacked: int = 0, on: Any = TP) -> None:
        state = SimpleNamespace(position=position)
        assignment = SimpleNamespace(tps=[TP], state_value=lambda tp: state)
        subscription = SimpleNamespace(subscription=SimpleNamespace(assignment=assignment))
        aiokafka = SimpleNamespace(_subscription=subscription)
        self.seeks: list[tuple[Any, int]] = []

        async def seek(tp: Any, offset: int) -> None:
            self.seeks.append((tp, offset))

        self.consumer = SimpleNamespace(
            _unacked_messages=[SimpleNamespace(tp=on, offset=n) for n in range(unacked)],
            _committed_offset={TP: committed},
            _thread=SimpleNamespace(_ensure_consumer=lambda: aiokafka),
            flow_active=True,
            seek=seek,
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
    assert app.seeks == []  # one look is not enough: records may be on their way
    checks(app, 1, guard)
    assert app.seeks == [(TP, 80)]  # back to its commit, that partition alone


def test_a_busy_or_caught_up_worker_is_left_alone() -> None:
    busy = FakeApp(committed=80, position=177, unacked=5)
    caught_up = FakeApp(committed=177, position=177)
    checks(busy, 3)
    checks(caught_up, 3)
    assert busy.seeks == caught_up.seeks == []


def test_work_on_other_partitions_does_not_hold_the_guard_off() -> None:
    """The trending agents always hold some messages, and another partition may be busy: a
    guard that waited for the whole worker to be idle never fired in a stalled rebalance run."""
    for elsewhere in (OTHER, TRENDING):
        app = FakeApp(committed=80, position=177, unacked=3, on=elsewhere)
        checks(app, 2)
        assert app.seeks == [(TP, 80)]
