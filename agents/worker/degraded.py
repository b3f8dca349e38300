"""Permanent Kafka errors the worker is living with now: a topic that is gone, a write the
broker does not authorise, a record over its size limit. The publisher reports and clears them
(agents/worker/publish.py); /health and the wirestream_permanent_errors gauge show them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from agents import metrics
from pipeline.errors import EVENT_TOO_LARGE, NOT_AUTHORIZED, TOPIC_MISSING, ErrorCode

log = logging.getLogger(__name__)

# A record refused for size is one event, not a state: it stays listed this long after the
# last one, so a scrape, an alert and an editor looking at /health all get to see it.
HOLD_SECONDS = 600.0
# Stand until a send to their topic is acknowledged again.
STANDING = frozenset({TOPIC_MISSING.code, NOT_AUTHORIZED.code})
REASONS = (TOPIC_MISSING, NOT_AUTHORIZED, EVENT_TOO_LARGE)


@dataclass(frozen=True, slots=True)
class Problem:
    """One permanent error on one topic: since when, and when it was last seen."""

    reason: str
    topic: str
    message: str
    since: float
    last_seen: float

    def as_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "topic": self.topic,
            "message": self.message,
            "since": _iso(self.since),
            "last_seen": _iso(self.last_seen),
        }


class Degraded:
    """The worker's current permanent errors, one per (reason, topic). Standing ones (topic
    missing, not authorised) last until a send to that topic succeeds; a size refusal lasts
    `hold_seconds` after the last one. The gauge is computed at scrape time from this record."""

    def __init__(
        self, hold_seconds: float = HOLD_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        self.hold_seconds = hold_seconds
        self.clock = clock
        self._problems: dict[tuple[str, str], Problem] = {}
        for entry in REASONS:
            metrics.PERMANENT_ERRORS.labels(entry.code).set_function(partial(self.count, entry))

    def report(self, reason: ErrorCode, topic: str, message: str) -> None:
        now = self.clock()
        key = (reason.code, topic)
        known = self._problems.get(key)
        if known is None:
            log.error("degraded: %s on %s: %s", reason.code, topic, message)
            self._problems[key] = Problem(reason.code, topic, message, now, now)
        else:
            self._problems[key] = replace(known, message=message, last_seen=now)

    def delivered(self, topic: str) -> None:
        """Kafka acknowledged a send to `topic`: its standing problems are over."""
        for key in [k for k in self._problems if k[1] == topic and k[0] in STANDING]:
            problem = self._problems.pop(key)
            log.warning(
                "recovered: %s on %s after %.0fs",
                problem.reason,
                topic,
                self.clock() - problem.since,
            )

    def problems(self) -> list[Problem]:
        """What stands now, oldest first."""
        now = self.clock()
        for key, problem in list(self._problems.items()):
            if problem.reason not in STANDING and now - problem.last_seen > self.hold_seconds:
                del self._problems[key]
        return sorted(self._problems.values(), key=lambda p: (p.since, p.reason, p.topic))

    def count(self, reason: ErrorCode) -> int:
        return sum(1 for problem in self.problems() if problem.reason == reason.code)


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")
