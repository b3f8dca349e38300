"""Triage's short cut for exact resends: a message with the same key, format header and bytes
as a story already published is dropped before parsing and counted; anything else goes the
ordinary way, so the outcome is the one the lifecycle would reach."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from agents import metrics
from agents.worker.resends import ResendShortCut
from pipeline.enrich import RawInput
from pipeline.errors import INVALID_JSON
from pipeline.lifecycle import content_hash, published_record
from pipeline.resends import RecentCopies, raw_digest
from pipeline.story import Story
from pipeline.testing import make_story
from schemas.tables import Published


@dataclass
class _Message:
    topic: str = "wire.stories.raw.v1"
    partition: int = 0
    offset: int = 0
    timestamp: float | None = None
    key: bytes | None = None


@dataclass
class _Event:
    message: _Message


class _Lifecycle:
    def __init__(self) -> None:
        self.rows: dict[str, Published] = {}

    def known(self, story_id: str, now: float | None = None) -> Published | None:
        return self.rows.get(story_id)


def _dropped() -> float:
    return metrics.DUPLICATES_DROPPED._value.get()  # noqa: SLF001 - a test reads the counter


STORY = make_story("Dockers in Valparaiso voted on Monday to end a nine-day strike.")
RAW = RawInput(b'{"id": "urn:test:story:1"}', format_hint="ninjs")


def _triaged(cut: ResendShortCut, raw: RawInput = RAW) -> tuple[list[Any], list[bytes]]:
    kept, _, digests = cut.split([_Event(_Message())], [raw])
    return kept, digests


def _shortcut(published: Story | None) -> tuple[ResendShortCut, _Lifecycle]:
    lifecycle = _Lifecycle()
    cut = ResendShortCut(lifecycle)  # type: ignore[arg-type]
    _, digests = _triaged(cut)
    cut.remember(digests, [(STORY, None)])
    if published is not None:
        lifecycle.rows[published.story_id] = published_record(
            published, content_hash(published), recorded_at=time.time()
        )
    return cut, lifecycle


def test_an_exact_resend_of_published_copy_is_dropped_and_counted() -> None:
    cut, _ = _shortcut(STORY)
    before = _dropped()
    kept, _ = _triaged(cut)
    assert kept == [] and _dropped() == before + 1


def test_a_resend_before_the_first_copy_was_published_takes_the_ordinary_path() -> None:
    cut, _ = _shortcut(None)
    kept, _ = _triaged(cut)
    assert len(kept) == 1


def test_a_resend_after_a_new_version_was_published_takes_the_ordinary_path() -> None:
    newer = replace(STORY, version=2, body=STORY.body + " The port reopened on Tuesday.")
    cut, _ = _shortcut(newer)
    kept, _ = _triaged(cut)
    assert len(kept) == 1  # the lifecycle calls it stale, and says so in its own way


def test_another_key_or_format_header_is_another_message() -> None:
    cut, _ = _shortcut(STORY)
    assert len(_triaged(cut, replace(RAW, key=b"desk-7"))[0]) == 1
    assert len(_triaged(cut, replace(RAW, format_hint="nitf"))[0]) == 1


def test_refused_copy_is_not_remembered() -> None:
    lifecycle = _Lifecycle()
    cut = ResendShortCut(lifecycle)  # type: ignore[arg-type]
    _, digests = _triaged(cut)
    cut.remember(digests, [INVALID_JSON.failure()])
    assert len(cut.copies) == 0


def test_the_memory_is_bounded() -> None:
    copies = RecentCopies(capacity=3)
    for n in range(10):
        copies.remember(raw_digest(None, None, b"%d" % n), STORY, "h")
    assert len(copies) == 3
    assert copies.recall(raw_digest(None, None, b"9")) is not None
    assert copies.recall(raw_digest(None, None, b"0")) is None
