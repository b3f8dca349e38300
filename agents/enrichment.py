"""Runs the pipeline's Enricher off the event loop: in a pool of processes that each load the
model once, or in one thread (tests, nlp_processes=0). A batch is split across the processes."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pipeline.enrich import Enricher, Failure, Outcome, RawInput

_process_enricher: Enricher | None = None


def _start_process(enricher: Enricher) -> None:
    global _process_enricher
    _process_enricher = enricher
    enricher.model(["Warm-up."])  # load the model now, not on the first real batch


def _enrich_in_process(batch: Sequence[RawInput]) -> list[Outcome]:
    assert _process_enricher is not None, "pool process started without an Enricher"
    return _process_enricher(batch)


class EnrichmentPool:
    """An executor-backed, restartable home for the Enricher."""

    def __init__(self, enricher: Enricher, processes: int) -> None:
        self.enricher = enricher
        self.processes = processes
        self._executor: Executor | None = None

    def _start(self) -> Executor:
        if self._executor is None:
            if self.processes == 0:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="wirestream-nlp")
            else:
                self._executor = ProcessPoolExecutor(
                    self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_process,
                    initargs=(self.enricher,),
                )
        return self._executor

    def warm_up(self) -> None:
        """Start the pool and load the model in every process before the first batch."""
        executor = self._start()
        if self.processes == 0:
            executor.submit(self.enricher.model, ["Warm-up."]).result()
        else:
            futures = [executor.submit(_enrich_in_process, ()) for _ in range(self.processes)]
            for future in futures:
                future.result()

    async def enrich(self, batch: Sequence[RawInput]) -> list[Outcome]:
        """Enrich a batch off the loop. A story that kills its pool process is isolated and
        returned as a Failure; the others are retried."""
        try:
            return await self._run(batch)
        except BrokenProcessPool:
            self.restart()
        outcomes: list[Outcome] = []
        for item in batch:
            try:
                outcomes.extend(await self._run([item]))
            except BrokenProcessPool:
                self.restart()
                outcomes.append(Failure(
                    "stage_crashed",
                    "the NLP process died while enriching this story (out of memory or a crash "
                    "in the model); it was isolated so the rest of its batch went on",
                    "nlp",
                ))
        return outcomes

    async def _run(self, batch: Sequence[RawInput]) -> list[Outcome]:
        loop = asyncio.get_running_loop()
        executor = self._start()
        if self.processes == 0:
            return await loop.run_in_executor(executor, self.enricher, batch)
        size = max(1, -(-len(batch) // self.processes))
        chunks = [batch[i : i + size] for i in range(0, len(batch), size)]
        results = await asyncio.gather(
            *(loop.run_in_executor(executor, _enrich_in_process, chunk) for chunk in chunks)
        )
        return [outcome for chunk in results for outcome in chunk]

    def restart(self) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
