"""The offset-commit guards: a single unprocessed message at the head is never committed over,
and records fetched before a seek never open a false gap."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from types import SimpleNamespace

from faust.transport.consumer import Consumer
from intervaltree import IntervalTree

from agents.worker.faust_fixes import (
    fresh_records,
    guard_offset_commits,
    hold_unfinished,
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


class FetchLoop:
    """Faust's fetch loop, reduced to its offset bookkeeping: a record further than one past
    the read offset opens a gap (counted as processed), then the record's offset is read."""

    def __init__(self, committed: int) -> None:
        self.consumer = SimpleNamespace(_read_offset={"tp": committed})
        self.gaps: list[tuple[int, int]] = []
        self.delivered: list[int] = []

    async def drain(self, records: list[int], seek_after: int | None = None) -> None:
        async def batch() -> AsyncIterator[tuple[str, int]]:
            for offset in records:
                yield "tp", offset

        async for tp, offset in fresh_records(self.consumer, batch()):
            read = self.consumer._read_offset[tp]
            if offset - read > 1:
                self.gaps.append((read + 1, offset))
            self.delivered.append(offset)
            if offset == seek_after:  # a rebalance seeks back while this record is delivered
                self.consumer._read_offset[tp] = 28
                note_seek(self.consumer, [tp])
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
    note_seek(loop.consumer, ["tp"])  # long ago: the partition was sought to 9

    async def batch() -> AsyncIterator[tuple[str, int]]:
        yield "tp", 10
        note_seek(loop.consumer, ["other"])  # now a different partition is sought
        yield "tp", 11

    async def drain() -> list[int]:
        seen = []
        async for tp, offset in fresh_records(loop.consumer, batch()):
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

    async def batch() -> AsyncIterator[tuple[str, int]]:
        loop.consumer._read_offset["tp"] = 28
        note_seek(loop.consumer, ["tp"])  # rebalance: sought back before the fetch returned
        for offset in (29, 30, 31, 32):
            yield "tp", offset

    async def drain() -> None:
        async for tp, offset in fresh_records(loop.consumer, batch()):
            loop.delivered.append(offset)
            loop.consumer._read_offset[tp] = offset

    asyncio.run(drain())
    assert loop.delivered == [29, 30, 31, 32]


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
