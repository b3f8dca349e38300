"""Triage's short cut for exact resends (pipeline.resends): a raw message whose digest triage
remembers, and whose story the published table already holds with the same content, is
counted as received and as a dropped duplicate, and goes no further. Everything else is
triaged as usual and remembered once it has been forwarded."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from agents import metrics
from agents.logs import story_fields
from agents.worker.lifecycle import Lifecycle, utcnow
from agents.worker.publish import source_of
from pipeline.enrich import RawInput
from pipeline.errors import Failure
from pipeline.lifecycle import Decision, content_hash, decide
from pipeline.resends import RecentCopies, raw_digest

log = logging.getLogger(__name__)


class ResendShortCut:
    def __init__(self, lifecycle: Lifecycle, copies: RecentCopies | None = None) -> None:
        self.lifecycle = lifecycle
        self.copies = copies if copies is not None else RecentCopies()

    def split(
        self, events: Sequence[Any], raws: Sequence[RawInput]
    ) -> tuple[list[Any], list[RawInput], list[bytes]]:
        """The events still to triage, their raw inputs and digests; exact resends of what
        was published are dropped here (counted, never forwarded)."""
        kept: list[Any] = []
        kept_raws: list[RawInput] = []
        digests: list[bytes] = []
        now = utcnow()
        for event, raw in zip(events, raws, strict=True):
            digest = raw_digest(raw.key, raw.format_hint, raw.data)
            seen = self.copies.recall(digest)
            if seen is not None:
                story, content = seen
                known = self.lifecycle.known(story.story_id)
                if known is not None and decide(story, known, now, content) is Decision.RESEND:
                    metrics.STORIES_RECEIVED.labels(story.source_format).inc()
                    metrics.DUPLICATES_DROPPED.inc()
                    log.debug(
                        "exact resend dropped at triage",
                        extra=story_fields(story.story_id, source_of(event)),
                    )
                    continue
            kept.append(event)
            kept_raws.append(raw)
            digests.append(digest)
        return kept, kept_raws, digests

    def remember(self, digests: Sequence[bytes], prepared: Sequence[Any]) -> None:
        """Stories forwarded from these digests (failures are not remembered)."""
        for digest, result in zip(digests, prepared, strict=True):
            if not isinstance(result, Failure):
                story, _ = result
                self.copies.remember(digest, story, content_hash(story))
