"""Unsticks a partition that Faust stopped handing out. After some rebalances the consumer's
fetch position sits at the end of a partition while Faust delivered nothing past its committed
offset: the worker is idle, the lag stays, and nothing else would ever move it. Nothing is
lost (the commit is held), but nothing comes out. When that state holds for two checks in a
row, the consumer seeks that partition back to its committed offset and reads those records
again; partitions still at work, and messages of other topics, do not hold the check off."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from agents import metrics

log = logging.getLogger("wirestream")


def fetched_undelivered(consumer: Any, topics: Iterable[str]) -> dict[Any, tuple[int, int]]:
    """Partitions of `topics` fetched past their committed offset with nothing of theirs in
    flight: {tp: (committed, position)}. A partition with a message still being processed is
    left out; messages of other topics (the trending agents always hold some) do not count."""
    names = set(topics)
    busy = {m.tp for m in list(consumer._unacked_messages)}  # noqa: SLF001 - no public accessor
    assignment = consumer._thread._ensure_consumer()._subscription.subscription.assignment  # noqa: SLF001
    stuck = {}
    for tp in assignment.tps:
        if tp.topic not in names or tp in busy:
            continue
        position = assignment.state_value(tp).position
        committed = consumer._committed_offset.get(tp)  # noqa: SLF001
        if position is not None and committed is not None and position > committed:
            stuck[tp] = (committed, position)
    return stuck


class StallGuard:
    """Call `check` on a timer; it seeks back when the same partitions stay stuck."""

    def __init__(self, topics: Iterable[str]) -> None:
        self.topics = tuple(topics)
        self._last: dict[Any, tuple[int, int]] = {}

    async def check(self, app: Any) -> None:
        if app.rebalancing or not app.consumer.flow_active:
            self._last = {}
            return
        stuck = fetched_undelivered(app.consumer, self.topics)
        if stuck and stuck == self._last and _queues_empty(app, self.topics):
            log.warning(
                "partitions fetched past their commit but not handed out, reading again: %s",
                {f"{tp.topic}/{tp.partition}": c for tp, c in stuck.items()},
            )
            metrics.STALLS_RECOVERED.inc()
            for tp, (committed, _) in stuck.items():
                await app.consumer.seek(tp, committed)  # this partition only: others flow on
            stuck = {}
        self._last = stuck


def _queues_empty(app: Any, names: Iterable[str]) -> bool:
    """No event of `names` waits in a stream queue (other topics' queues do not matter)."""
    wanted = set(names)
    channels = getattr(app.topics, "_topics", ())
    return all(
        getattr(t, "queue", None) is None or t.queue.empty()
        for t in channels
        if wanted & set(getattr(t, "topics", ()) or ())
    )
