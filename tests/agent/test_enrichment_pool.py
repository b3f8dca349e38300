"""The enrichment pool with real processes: NLP processes that only read, a finishing process
that completes the stories, and what happens when either dies."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from agents.worker.pool import FINISHING_NICENESS, EnrichmentPool
from pipeline.enrich import Enriched, Enricher
from pipeline.story import Story
from pipeline.testing import FakeLanguageModel, make_story

BODIES = [
    "Harbour Minister Tove Rask said on Tuesday the ferry link would stay shut. "
    "\u201cWe will not gamble with lives,\u201d Rask told reporters in Bergen.",
    "Striking dockers in Gdansk voted yesterday to return to work, union leader Marek Zielny said.",
    "The central bank held rates steady on Thursday night.",
]


def stories() -> list[Story]:
    return [make_story(body, story_id=f"urn:test:pool:{i}") for i, body in enumerate(BODIES)]


def comparable(outcome: Any) -> Any:
    """An outcome without what differs from run to run: stage timings, processing time."""
    assert isinstance(outcome, Enriched), outcome
    story = outcome.story
    return dataclasses.replace(story, dates=dataclasses.replace(story.dates, processed=None))


def names(pool: EnrichmentPool) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for executor in (pool._executor, pool._finisher):
        for pid in getattr(executor, "_processes", {}) or {}:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            found.setdefault(comm, []).append(pid)
    return found


@pytest.fixture
def enricher() -> Enricher:
    return Enricher(FakeLanguageModel(places=("Bergen", "Gdansk")))


def test_split_pool_gives_the_outcomes_of_one_enricher(enricher: Enricher) -> None:
    pool = EnrichmentPool(enricher, processes=1, finishers=1)
    try:
        pool.warm_up()
        outcomes = asyncio.run(pool.enrich(stories()))
        running = names(pool)
        niceness = {
            name: [os.getpriority(os.PRIO_PROCESS, pid) for pid in pids]
            for name, pids in running.items()
        }
    finally:
        pool.close()
    assert [comparable(o) for o in outcomes] == [comparable(o) for o in enricher(stories())]
    assert any(o.story.quotes for o in outcomes)  # the finishing stages ran
    if Path("/proc/self/comm").exists():
        assert sorted(running) == ["wirestream-fin", "wirestream-nlp"]
        # the model wins a contended core: finishing runs at a lower priority
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert niceness["wirestream-nlp"] == [ours]
        assert niceness["wirestream-fin"] == [min(ours + FINISHING_NICENESS, 19)]


def test_a_killed_finishing_process_is_replaced_and_the_batch_completed(
    enricher: Enricher,
) -> None:
    pool = EnrichmentPool(enricher, processes=1, finishers=1)
    try:
        pool.warm_up()
        first_finisher = pool._finisher
        for pid in list(first_finisher._processes):  # type: ignore[union-attr]
            os.kill(pid, signal.SIGKILL)
        outcomes = asyncio.run(pool.enrich(stories()))
        assert pool.restarts >= 1
        assert pool._finisher is not None and pool._finisher is not first_finisher
    finally:
        pool.close()
    assert [comparable(o) for o in outcomes] == [comparable(o) for o in enricher(stories())]


def test_no_finishing_process_without_nlp_processes(enricher: Enricher) -> None:
    pool = EnrichmentPool(enricher, processes=0, finishers=1)  # tests: one thread does it all
    try:
        outcomes = asyncio.run(pool.enrich(stories()))
        assert pool._finisher is None
    finally:
        pool.close()
    assert [comparable(o) for o in outcomes] == [comparable(o) for o in enricher(stories())]
