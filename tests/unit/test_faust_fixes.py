"""The offset-commit guard: a single unprocessed message at the head is never committed over."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

from faust.transport.consumer import Consumer
from intervaltree import IntervalTree

from agents.faust_fixes import guard_offset_commits, hold_unfinished


def consumer(committed: int | None, acked: list[int]) -> SimpleNamespace:
    return SimpleNamespace(
        _acked={"tp": list(acked)}, _committed_offset={"tp": committed},
        _gap=defaultdict(IntervalTree), _acked_index={"tp": set(acked)},
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
