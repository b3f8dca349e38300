"""Two guards around faust-streaming 0.15.3's offset bookkeeping, so no story is committed
unprocessed. Documented in docs/guarantees.md.

1. `Consumer._new_offset` refuses to commit past a gap at the head of the acked offsets only
   when the gap is two or more offsets wide (`min(acked) - committed > 1`, and not at all when
   the committed offset is 0): a single unprocessed message at the head is committed over. We
   hand it a committed offset one lower, which turns its check into `min(acked) > committed`.
2. `Stream.take_events` acks the batch in a `finally`, so a batch interrupted by a shutdown or
   a cancelled agent would be committed unprocessed. `hold_unfinished` marks such events as
   acked on the message (Faust then skips its own ack) without telling the consumer, so their
   offsets are never committed and the next owner of the partition reads them again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from faust.transport.consumer import Consumer

_patched = False


def guard_offset_commits() -> None:
    """Install fix 1 once per process."""
    global _patched
    if _patched:
        return
    original = Consumer._new_offset

    def new_offset(self: Any, tp: Any) -> int | None:
        committed = self._committed_offset[tp]
        if committed is None:
            return original(self, tp)  # type: ignore[no-any-return]
        self._committed_offset[tp] = committed - 1
        try:
            return original(self, tp)  # type: ignore[no-any-return]
        finally:
            self._committed_offset[tp] = committed

    Consumer._new_offset = new_offset  # type: ignore[method-assign]
    _patched = True


def hold_unfinished(events: Iterable[Any]) -> None:
    """Fix 2: these events' processing did not finish; keep their offsets uncommitted."""
    for event in events:
        event.message.acked = True
