"""The offset-commit guards: a single unprocessed message at the head is never committed over,
and records fetched before a seek never open a false gap."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

from faust.transport.consumer import Consumer
from intervaltree import IntervalTree
from mode.utils.queues import FlowControlEvent, FlowControlQueue

from agents.worker.faust_fixes import (
    count_seeks,
    fresh_records,
    guard_offset_commits,
    hold_unfinished,
    note_handover,
    note_seek,
)


def consumer(committed: int | None, acked: list[int]) -> SimpleNamespace:
    return SimpleNamespace(
        _acked={"tp": list(acked)},
        _committed_offset={"tp": committed},
        _gap=defaultdict(IntervalTree),
        _acked_index={"tp": set(acked)},
    )


def new_offset(committed: int | None, acked: list[int]) -> int | None:
    guard_offset_commits()
    fake = consumer(committed, acked)
    result = Consumer._new_offset(fake, "tp")  # type: ignore[arg-type]
    assert fake._committed_offset["tp"] == committed  # restored
    return result


def test_one_missing_offset_at_the_head_holds_the_commit() -> None:
    assert new_offset(32, [33, 34]) is None  # offset 32 was never processed
    assert new_offset(0, [1, 2]) is None  # also at the very start of a partition


def test_contiguous_offsets_commit_up_to_the_first_gap() -> None:
    assert new_offset(32, [32, 33, 35]) == 34
    assert new_offset(0, [0, 1]) == 2


def test_held_events_are_not_acked_by_faust() -> None:
    message = SimpleNamespace(acked=False)
    hold_unfinished([SimpleNamespace(message=message)])
    assert message.acked is True  # Faust's own ack is then a no-op: the consumer never hears


def record(offset: int) -> SimpleNamespace:
    return SimpleNamespace(offset=offset)


async def offsets(records: AsyncIterator[tuple[str, Any]]) -> AsyncIterator[tuple[str, int]]:
    async for tp, message in records:
        yield tp, message.offset


class FetchLoop:
    """Faust's fetch loop, reduced to its offset bookkeeping: a record further than one past
    the read offset opens a gap (counted as processed), then the record's offset is read.
    `fetcher` stands for aiokafka's, which counts seeks and hand-overs in the client thread."""

    def __init__(self, committed: int) -> None:
        self.fetcher = SimpleNamespace()
        client = SimpleNamespace(_fetcher=self.fetcher)
        self.consumer = SimpleNamespace(
            _read_offset={"tp": committed},
            _thread=SimpleNamespace(_ensure_consumer=lambda: client),
        )
        self.gaps: list[tuple[int, int]] = []
        self.delivered: list[int] = []

    def seek(self, tp: str, offset: int) -> None:
        """A seek as it reaches both threads at once: the client moves, Faust sets the read
        offset and the guard hears of it."""
        count_seeks(self.fetcher, [tp])
        self.consumer._read_offset[tp] = offset
        note_seek(self.consumer, [tp])

    def deliver(self, tp: str, offset: int) -> None:
        read = self.consumer._read_offset[tp]
        if offset - read > 1:
            self.gaps.append((read + 1, offset))
        self.delivered.append(offset)

    async def run(self, batch: AsyncIterator[tuple[str, Any]]) -> None:
        """Deliver a batch a test scripts (with its seeks and hand-overs inside)."""
        async for tp, offset in offsets(fresh_records(self.consumer, batch)):
            self.deliver(tp, offset)
            self.consumer._read_offset[tp] = offset

    async def drain(self, records: list[int], seek_after: int | None = None) -> None:
        async def batch() -> AsyncIterator[tuple[str, Any]]:
            note_handover(self.fetcher, ["tp"])
            for offset in records:
                yield "tp", record(offset)

        async for tp, offset in offsets(fresh_records(self.consumer, batch())):
            self.deliver(tp, offset)
            if offset == seek_after:  # a rebalance seeks back while this record is delivered
                self.seek(tp, 28)
            self.consumer._read_offset[tp] = offset


def test_a_seek_ends_the_stale_batch_and_no_false_gap_is_recorded() -> None:
    loop = FetchLoop(committed=28)
    # fetched before the seek: 29..35; the seek back to 28 comes while 31 is being delivered
    asyncio.run(loop.drain([29, 30, 31, 32, 33, 34, 35], seek_after=31))
    assert loop.delivered == [29, 30, 31]  # 32.. are not handed out from the stale batch
    assert loop.consumer._read_offset["tp"] == 28  # the seek's read offset, not 31
    asyncio.run(loop.drain([29, 30, 31, 32, 33]))  # fetched again after the seek
    assert loop.gaps == []  # nothing between 28 and 33 is counted as processed unread
    assert loop.delivered[-5:] == [29, 30, 31, 32, 33]


def test_without_a_seek_every_record_is_handed_out() -> None:
    loop = FetchLoop(committed=9)
    asyncio.run(loop.drain([10, 11, 14]))
    assert loop.delivered == [10, 11, 14]
    assert loop.gaps == [(12, 14)]  # a real hole (e.g. transaction markers) still counts


def test_a_seek_of_another_partition_leaves_this_partition_flowing() -> None:
    loop = FetchLoop(committed=9)
    loop.seek("tp", 9)  # long ago: the partition was sought to 9

    async def batch() -> AsyncIterator[tuple[str, Any]]:
        note_handover(loop.fetcher, ["tp"])
        yield "tp", record(10)
        loop.seek("other", 0)  # now a different partition is sought
        yield "tp", record(11)

    async def drain() -> list[int]:
        seen = []
        async for tp, offset in offsets(fresh_records(loop.consumer, batch())):
            loop.consumer._read_offset[tp] = offset
            seen.append(offset)
        return seen

    # its position was not moved back, so dropping 11 here would skip it for good
    assert asyncio.run(drain()) == [10, 11]
    assert loop.consumer._read_offset["tp"] == 11  # no step back to 9


def test_a_batch_fetched_after_the_seek_is_handed_out_whole() -> None:
    """The fetch loop may be waiting for records while the seek happens; what then arrives
    comes from the new position and must all be delivered (dropping it stalled partitions)."""
    loop = FetchLoop(committed=31)

    async def batch() -> AsyncIterator[tuple[str, Any]]:
        loop.seek("tp", 28)  # rebalance: sought back before the fetch returned
        note_handover(loop.fetcher, ["tp"])
        for offset in (29, 30, 31, 32):
            yield "tp", record(offset)

    asyncio.run(loop.run(batch()))
    assert loop.delivered == [29, 30, 31, 32]
    assert loop.gaps == []


def test_records_handed_over_after_a_seek_the_main_loop_has_not_heard_of_all_go_out() -> None:
    """The client seeks in its own thread, then hands over records from the new position; the
    main loop learns of the seek some awaits later, while it is delivering them. Taking the
    seek's news as the moment made the rest of that batch stale, though nothing would fetch
    it again: 280 prepared records were skipped this way in a SIGKILL run, and a first version
    among them was lost once its second version had been published."""
    loop = FetchLoop(committed=80)

    async def batch() -> AsyncIterator[tuple[str, Any]]:
        count_seeks(loop.fetcher, ["tp"])  # client thread: seek to the committed 80 ...
        note_handover(loop.fetcher, ["tp"])  # ... then 80.. fetched from there
        for offset in (80, 81, 82):
            yield "tp", record(offset)
        loop.consumer._read_offset["tp"] = 80  # main loop: Faust's perform_seek goes on
        note_seek(loop.consumer, ["tp"])
        for offset in (83, 84):
            yield "tp", record(offset)

    asyncio.run(loop.run(batch()))
    assert loop.delivered == [80, 81, 82, 83, 84]
    assert loop.gaps == []  # 81..83 are not counted as processed unread
    assert loop.consumer._read_offset["tp"] == 84


def test_partitions_with_no_commit_are_read_again_from_their_beginning() -> None:
    """aiokafka leaves a partition without a committed offset where its prefetch stopped;
    what was prefetched and dropped in a rebalance must be read again, not skipped."""
    from faust.transport.drivers.aiokafka import Consumer as KafkaConsumer

    guard_offset_commits()
    sought: list[str] = []

    class Thread:
        async def seek_to_committed(self) -> dict[str, int | None]:
            return {"never-committed": None, "committed-at-zero": 0, "committed": 96}

        async def seek_to_beginning(self, *tps: str) -> None:
            sought.extend(tps)

    fake = SimpleNamespace(_thread=Thread())
    offsets = asyncio.run(KafkaConsumer.seek_to_committed(fake))  # type: ignore[arg-type]
    assert offsets["committed"] == 96
    assert sorted(sought) == ["committed-at-zero", "never-committed"]


def test_resuming_a_running_flow_keeps_the_queued_events() -> None:
    """Faust's recovery resumes the flow, seeks the stream partitions, and resumes it again:
    events delivered in between were cleared, and nothing read them again."""

    async def queued_after(steps: list[str]) -> int:
        guard_offset_commits()
        flow = FlowControlEvent(initially_suspended=True)
        queue: FlowControlQueue[str] = FlowControlQueue(flow_control=flow, clear_on_resume=True)
        flow.resume()  # recovery reads the changelogs
        queue.put_nowait("prepared story")  # delivered once the stream partitions resume
        for step in steps:
            getattr(flow, step)()
        return queue.qsize()

    assert asyncio.run(queued_after(["resume"])) == 1  # the second resume: nothing lost
    assert asyncio.run(queued_after(["suspend", "resume"])) == 0  # after a rebalance: cleared
