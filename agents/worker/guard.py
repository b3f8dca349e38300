"""Never let Faust ack a batch whose handler raised (its take_events acks in a `finally`).

Broker trouble is retried until it passes, which also stops consumption (back-pressure).
Any other error is retried a few times, then every message of the batch is dead-lettered
with the error, so nothing is acked without a result in Kafka.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from agents import metrics
from pipeline.errors import INTERNAL_ERROR, Failure

log = logging.getLogger(__name__)
ATTEMPTS = 3


def _is_transient(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(
        names
        & {
            "KafkaError",
            "KafkaConnectionError",
            "ConnectionError",
            "TimeoutError",
            "NotReady",
            "ProducerFenced",
        }
    )


async def guarded(
    events: Sequence[Any],
    handle: Callable[[], Awaitable[None]],
    dead_letter: Callable[[Sequence[Any], list[Failure]], Awaitable[None]],
    stage: str,
) -> None:
    attempt, delay = 0, 0.5
    while True:
        try:
            await handle()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the batch must end in Kafka, not vanish
            attempt += 1
            transient = _is_transient(exc)
            log.warning(
                "batch of %d failed in %s (attempt %d, %s): %r",
                len(events),
                stage,
                attempt,
                "retrying" if transient or attempt < ATTEMPTS else "dead-letter",
                exc,
            )
            if transient or attempt < ATTEMPTS:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            failure = INTERNAL_ERROR.failure(
                stage=stage, attempts=ATTEMPTS, error=f"{type(exc).__name__}: {exc}"
            )
            await _dead_letter_until_sent(events, failure, dead_letter)
            return


async def _dead_letter_until_sent(
    events: Sequence[Any],
    failure: Failure,
    dead_letter: Callable[[Sequence[Any], list[Failure]], Awaitable[None]],
) -> None:
    delay = 0.5
    while True:
        try:
            await dead_letter(events, [failure] * len(events))
            metrics.DEAD_LETTERS.labels(INTERNAL_ERROR.code)  # registered for dashboards
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            log.warning("dead-lettering a failed batch failed, retrying: %r", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
