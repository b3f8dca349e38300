"""A real worker whose Kafka client answers a seek to the committed offsets late.

`python -m tests.integration.slow_seek_worker` runs the same app as `wirestream worker`; only
aiokafka's `seek_to_committed` waits SEEK_DELAY seconds after it has sought every partition
before it answers (as when its committed-offset requests are slow). Meanwhile it fetches from
the positions it sought, and the fetch loop, queued behind the seek in the client's thread,
hands those records out before the main loop has heard that the seek is done.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaConsumer

from agents.cli.commands import run_worker

SEEK_DELAY = 3.0


def slow_seeks() -> None:
    original = AIOKafkaConsumer.seek_to_committed

    async def seek_to_committed(self: Any, *partitions: Any) -> Any:
        offsets = await original(self, *partitions)  # the client has sought every partition
        await asyncio.sleep(SEEK_DELAY)  # ... fetches from there, and only then answers
        return offsets

    AIOKafkaConsumer.seek_to_committed = seek_to_committed  # type: ignore[method-assign]


def main() -> None:
    slow_seeks()
    run_worker()


if __name__ == "__main__":
    main()
