"""Guards around faust-streaming 0.15.3's offset bookkeeping (and aiokafka 0.14's commits
under it), so no story is committed unprocessed and no commit hangs. Documented in
docs/guarantees.md and, for 4, docs/operations.md.

1. `Consumer._new_offset` refuses to commit past a gap at the head of the acked offsets only
   when the gap is two or more offsets wide (`min(acked) - committed > 1`, and not at all when
   the committed offset is 0): a single unprocessed message at the head is committed over. We
   hand it a committed offset one lower, which turns its check into `min(acked) > committed`.
   Not covered: Faust keeps a commit of 0, or none, as None, and checks nothing then (until
   the first commit after an assignment); this fix leaves that case as it is.
2. `Stream.take_events` acks the batch in a `finally`, so a batch interrupted by a shutdown or
   a cancelled agent would be committed unprocessed. `hold_unfinished` marks such events as
   acked on the message (Faust then skips its own ack) without telling the consumer, so their
   offsets are never committed and the next owner of the partition reads them again. The
   enrich agent holds every batch this way and `release`s it once its results are in Kafka.
3. The fetch loop (`Consumer._drain_messages`) records a jump in offsets as a "gap" that counts
   as processed (meant for transaction markers). During a rebalance the consumer seeks back to
   the committed offsets while the loop is still handing out records fetched before the seek;
   the next stale record then looks like a jump, and the records in between, already dropped
   by the paused stream, are committed unprocessed. `guard_stale_fetches` drops, for every
   partition sought after the client handed a batch over, the rest of that batch's records,
   and puts back the read offset the seek set, so the loop reads them again from the
   committed offset and sees no false gap. Which records are stale is decided in aiokafka's
   own thread, where seeks and hand-overs happen one after the other (`count_seeks`,
   `note_handover`): the main loop hears of a seek only some awaits later, and records
   fetched from the new position may be on their way by then. Taking the news as the moment
   of the seek dropped such records although nothing would fetch them again (with fix 5's
   cause, this is how a SIGKILL run skipped 280 prepared records and lost a first version;
   see docs/guarantees.md). And aiokafka's `seek_to_committed` leaves a partition with no
   commit yet (or a commit of 0) where its prefetch stopped: such a partition is sought to its
   beginning instead.
4. aiokafka retries an offset commit for as long as the broker answers
   UNKNOWN_TOPIC_OR_PARTITION, and Faust waits for every commit (its commit timer, and each
   rebalance before it revokes partitions). A consumed topic deleted under the worker (the
   enriched topic, which the trending agents read) so stalled the whole worker for good.
   `skip_commits_of_deleted_topics` drops, from a commit the broker refused that way, the
   partitions of topics the client's metadata no longer has; the rest is committed.
5. mode's `FlowControlEvent.resume` clears every stream queue, also when the flow was not
   suspended. Faust's table recovery resumes the flow while it reads the changelogs, then
   resumes the stream partitions, seeks them to their committed offsets and resumes the flow
   again: whatever the fetch loop delivered into the queues in between (from the committed
   offsets on, the seek and all) was thrown away, past its read offset and fetch position, so
   nothing read it again. That is the first version lost after a crash and the stalls of
   docs/guarantees.md. `keep_queues_on_a_running_resume` clears the queues only when the flow
   was suspended, which is when they can hold events from before a rebalance (Faust clears
   them at the revocation too).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

from aiokafka.consumer.fetcher import Fetcher
from aiokafka.consumer.group_coordinator import GroupCoordinator
from aiokafka.errors import UnknownTopicOrPartitionError
from faust.transport.consumer import Consumer
from faust.transport.drivers.aiokafka import Consumer as KafkaConsumer
from mode.utils.queues import FlowControlEvent

log = logging.getLogger(__name__)
_patched = False


def guard_offset_commits() -> None:
    """Install fixes 1, 3, 4 and 5 once per process."""
    global _patched
    if _patched:
        return
    guard_stale_fetches()
    skip_commits_of_deleted_topics()
    keep_queues_on_a_running_resume()
    original = Consumer._new_offset

    def new_offset(self: Any, tp: Any) -> int | None:
        committed = self._committed_offset[tp]
        if committed is None:
            return original(self, tp)
        self._committed_offset[tp] = committed - 1
        try:
            return original(self, tp)
        finally:
            self._committed_offset[tp] = committed

    Consumer._new_offset = new_offset  # type: ignore[method-assign]
    _patched = True


def guard_stale_fetches() -> None:
    """Fix 3: a seek makes the records the client handed over before it stale."""
    original_getmany = Consumer.getmany
    original_seek = Consumer.seek
    original_perform_seek = Consumer.perform_seek
    original_seek_to_committed = KafkaConsumer.seek_to_committed
    original_seek_to = Fetcher.seek_to
    original_reset = Fetcher.request_offset_reset
    original_fetched_records = Fetcher.fetched_records

    # aiokafka's two ways to move a position, and its hand-over of fetched records: all three
    # run in the client's own thread, so a hand-over is counted before or after a seek, never
    # half-way (the main loop learns of a seek only some awaits later)
    def seek_to(self: Any, tp: Any, offset: int) -> Any:
        result = original_seek_to(self, tp, offset)
        count_seeks(self, [tp])
        return result

    def request_offset_reset(self: Any, tps: Any, strategy: Any) -> Any:
        result = original_reset(self, tps, strategy)
        count_seeks(self, tps)
        return result

    async def fetched_records(self: Any, *args: Any, **kwargs: Any) -> Any:
        records = await original_fetched_records(self, *args, **kwargs)
        note_handover(self, records)
        return records

    async def seek_to_committed(self: Any) -> Any:
        offsets = await original_seek_to_committed(self)
        # aiokafka seeks only where the committed offset is above 0; a partition with no
        # commit yet keeps the position its prefetch reached, and what was prefetched and
        # dropped before would be committed over: read those from their beginning
        fresh = [tp for tp, offset in offsets.items() if not offset]
        if fresh:
            await self._thread.seek_to_beginning(*fresh)
        _seek_state(self)["committed"].update(offsets)
        return offsets

    async def perform_seek(self: Any) -> None:
        await original_perform_seek(self)
        # no await since the original set the read offsets: these are the values it set
        note_seek(self, list(_seek_state(self)["committed"]))
        _seek_state(self)["committed"].clear()

    async def seek(self: Any, partition: Any, offset: int) -> None:
        await original_seek(self, partition, offset)
        note_seek(self, [partition])

    def getmany(self: Any, timeout: float) -> AsyncIterator[tuple[Any, Any]]:
        return fresh_records(self, original_getmany(self, timeout))

    Fetcher.seek_to = seek_to
    Fetcher.request_offset_reset = request_offset_reset
    Fetcher.fetched_records = fetched_records
    Consumer.getmany = getmany  # type: ignore[method-assign]
    Consumer.seek = seek  # type: ignore[method-assign]
    Consumer.perform_seek = perform_seek  # type: ignore[method-assign]
    KafkaConsumer.seek_to_committed = seek_to_committed  # type: ignore[method-assign]


def skip_commits_of_deleted_topics() -> None:
    """Fix 4: a commit the broker refuses for an unknown topic goes on without that topic's
    partitions when the topic is gone from the metadata. aiokafka's retry loop passes the same
    offsets mapping to every attempt, so the next attempt commits the rest and returns."""
    original = GroupCoordinator._do_commit_offsets

    async def do_commit_offsets(self: Any, assignment: Any, offsets: dict[Any, Any]) -> Any:
        try:
            return await original(self, assignment, offsets)
        except UnknownTopicOrPartitionError:
            gone = [tp for tp in offsets if self._cluster.partitions_for_topic(tp.topic) is None]
            for tp in gone:
                del offsets[tp]
            if gone:
                log.warning(
                    "not committing offsets of %s: the topic no longer exists",
                    ", ".join(sorted({tp.topic for tp in gone})),
                )
            raise

    GroupCoordinator._do_commit_offsets = do_commit_offsets


def keep_queues_on_a_running_resume() -> None:
    """Fix 5: resuming a flow that runs keeps what the stream queues hold."""

    def resume(self: Any) -> None:
        was_suspended = self._suspend.is_set()
        self._suspend.clear()
        self._resume.set()
        if was_suspended:
            self.clear()

    FlowControlEvent.resume = resume  # type: ignore[method-assign]


def count_seeks(fetcher: Any, tps: Iterable[Any]) -> None:
    """In the client's thread: these partitions' positions moved (a seek or a reset)."""
    sought = _client_state(fetcher)["sought"]
    for tp in tps:
        sought[tp] = sought.get(tp, 0) + 1


def note_handover(fetcher: Any, records: Any) -> None:
    """In the client's thread: records handed over now were fetched after the seeks so far."""
    state = _client_state(fetcher)
    sought = state["sought"]
    state["handed"] = {tp: sought.get(tp, 0) for tp in records}


def note_seek(consumer: Any, tps: Iterable[Any]) -> None:
    """In the main loop, once Faust has set the read offsets of a seek: remember them (and that
    records handed over before the seek are stale). Records the client handed over after the
    seek may already have been delivered while the seek was on its way here; the read offset
    is then the last of those, not the seek's (else the next one would look like a gap)."""
    seeks = _client_state(_fetcher(consumer))["sought"]
    state = _seek_state(consumer)
    for tp in tps:
        count = seeks.get(tp, 0)
        delivered = state["delivered"].get(tp)
        if delivered is not None and delivered[0] >= count:
            consumer._read_offset[tp] = delivered[1]
        state["read"][tp] = (count, consumer._read_offset.get(tp))


async def fresh_records(
    consumer: Any, batch: AsyncIterator[tuple[Any, Any]]
) -> AsyncIterator[tuple[Any, Any]]:
    """Records of `batch`, less those of partitions the client sought after handing the batch
    over (the seek made them stale: they are fetched again from the seek's position). Records
    of other partitions go on, and so do records the client handed over after a seek, even
    when the main loop hears of that seek only while delivering them. The fetch loop sets a
    partition's read offset after delivering its record; when a seek came during that
    delivery, the seek's read offset is put back."""
    client = _client_state(_fetcher(consumer))
    state = _seek_state(consumer)
    handed: dict[Any, int] | None = None
    delivering = None
    try:
        async for tp, message in batch:
            if handed is None:  # the client handed the batch over just before its first record
                handed = dict(client["handed"])
            _settle(consumer, client, state, delivering, handed)
            delivering = None
            if _stale(client, handed, tp):
                continue
            delivering = tp
            state["delivered"][tp] = (handed.get(tp, 0), message.offset)
            yield tp, message
    finally:
        await batch.aclose()  # type: ignore[attr-defined]
        if handed is not None:
            _settle(consumer, client, state, delivering, handed)


def _stale(client: dict[str, Any], handed: dict[Any, int], tp: Any) -> bool:
    return bool(client["sought"].get(tp, 0) > handed.get(tp, 0))


def _settle(
    consumer: Any, client: dict[str, Any], state: dict[str, Any], tp: Any, handed: dict[Any, int]
) -> None:
    """After `tp`'s record was delivered: if the client sought `tp` meanwhile and Faust has set
    that seek's read offset already, the loop just overwrote it: put it back."""
    if tp is None or not _stale(client, handed, tp):
        return
    count, read = state["read"].get(tp, (None, None))
    if count == client["sought"].get(tp, 0):
        consumer._read_offset[tp] = read


def _fetcher(consumer: Any) -> Any:
    return consumer._thread._ensure_consumer()._fetcher


def _client_state(fetcher: Any) -> dict[str, Any]:
    state = fetcher.__dict__.get("_wirestream_seeks")
    if state is None:
        state = fetcher.__dict__["_wirestream_seeks"] = {"sought": {}, "handed": {}}
    return state  # type: ignore[no-any-return]


def _seek_state(consumer: Any) -> dict[str, Any]:
    state = consumer.__dict__.get("_wirestream_seeks")
    if state is None:
        state = consumer.__dict__["_wirestream_seeks"] = {
            "read": {},
            "committed": {},
            "delivered": {},
        }
    return state  # type: ignore[no-any-return]


def hold_unfinished(events: Iterable[Any]) -> None:
    """Fix 2: these events' processing did not finish; keep their offsets uncommitted."""
    for event in events:
        event.message.acked = True


def release(consumer: Any, events: Iterable[Any]) -> None:
    """Ack events held back with `hold_unfinished` now that their results are in Kafka."""
    for event in events:
        event.message.acked = False
        consumer.ack(event.message)
