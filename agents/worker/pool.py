"""Runs the pipeline's Enricher off the event loop: in a pool of processes that each load the
model once, or in one thread (tests, nlp_processes=0). A batch is split across the processes.
With finishing processes (finish_processes > 0) the NLP processes only run the model: a
finishing process makes each chunk ready for it (normalise, dateline, language) and finishes
what it read (entities, quotes, time expressions). An NLP process then spends its core on the
model alone, and reads the next batch while the last one is finished. Every input gets an
outcome: a crash or error in either pool never loses or wedges a batch."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import Any

from pipeline.dates import iso_instant
from pipeline.enrich import Enriched, Enricher, Outcome, RawInput
from pipeline.errors import STAGE_CRASHED, STAGE_FAILED, STAGE_TIMEOUT, Failure
from pipeline.story import StageWarning, Story

log = logging.getLogger(__name__)

_process_enricher: Enricher | None = None

Item = RawInput | Story


PARENT_CHECK_SECONDS = 0.5


def tie_to_parent(parent: int | None = None, interval: float = PARENT_CHECK_SECONDS) -> None:
    """End this pool process once the worker that started it is gone, however it died (a
    SIGKILL runs no clean-up). A daemon thread watches the parent id: an orphan is adopted
    by another process, so the id changes. Also asks Linux for SIGKILL on parent death."""
    parent = os.getppid() if parent is None else parent
    _ask_for_parent_death_signal()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(70)  # the worker is gone: nobody will read what this process computes

    threading.Thread(target=watch, name="wirestream-parent-watch", daemon=True).start()


def _ask_for_parent_death_signal() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the watching thread alone does it
        pass


def _start_process(enricher: Enricher) -> None:
    global _process_enricher
    _process_enricher = enricher
    tie_to_parent()
    _name_process("wirestream-nlp")
    enricher.model(["Warm-up."])  # load the model now, not on the first real batch


# The model is the bottleneck: when a finishing process and an NLP process want the same core,
# the NLP process should get it. Finishing needs about a fifth of the model's CPU, so at this
# niceness it still keeps up (CFS gives it a quarter of a contended core), and it takes
# whatever is idle in full.
FINISHING_NICENESS = 5


def _start_finisher(enricher: Enricher) -> None:
    global _process_enricher
    _process_enricher = enricher
    tie_to_parent()
    _name_process("wirestream-fin")
    try:
        os.nice(FINISHING_NICENESS)
    except OSError:  # not allowed here: it runs at the worker's priority
        pass


def _name_process(name: str) -> None:
    """Show what a pool process is in `top` and `ps -o comm` (Linux; elsewhere a no-op)."""
    try:
        with open("/proc/self/comm", "w", encoding="ascii") as comm:
            comm.write(name[:15])
    except OSError:
        pass


def _in_process(step: str, items: Sequence[Any]) -> list[Any]:
    """Run one of the Enricher's steps in this pool process: "__call__" (all of it), "ready",
    "read" or "finish"."""
    assert _process_enricher is not None, "pool process started without an Enricher"
    return getattr(_process_enricher, step)(items)  # type: ignore[no-any-return]


def crashed(attempts: int) -> Failure:
    return STAGE_CRASHED.failure(attempts=attempts)


class StoryTimeout(Exception):
    """A pool step ran past its time limit; its processes are being replaced."""

    def __init__(self, step: str, executor: Executor) -> None:
        super().__init__(f"{step} ran past its time limit")
        self.step = step
        self.executor = executor


def timed_out(item: Item, step: str, seconds: float) -> Outcome:
    """A story cut off at its time limit: published without what the step would have added
    (entities, quotes, timex; dateline and language too when `ready` hung), or dead-lettered
    when it was never parsed (raw input)."""
    if not isinstance(item, Story):
        return STAGE_TIMEOUT.failure(step=step, seconds=seconds)
    stage = {"read": "nlp", "__call__": "nlp"}.get(step, step)
    warning = StageWarning(stage, STAGE_TIMEOUT.code, STAGE_TIMEOUT.say(step=step, seconds=seconds))
    story = dataclasses.replace(
        item,
        warnings=(*item.warnings, warning),
        dates=dataclasses.replace(item.dates, processed=iso_instant(datetime.now(UTC))),
    )
    return Enriched(story, {})


def raised(exc: BaseException) -> Failure:
    return STAGE_FAILED.failure(stage="nlp", error=f"{type(exc).__name__}: {exc}")


class EnrichmentPool:
    """An executor-backed, restartable home for the Enricher."""

    # a story is dead-lettered as the culprit only if the pool dies this often running it alone;
    # a pool process killed from outside (OOM killer, operator) is not the story's fault
    ISOLATED_ATTEMPTS = 2

    def __init__(
        self,
        enricher: Enricher,
        processes: int,
        finishers: int = 0,
        story_timeout: float | None = None,
    ) -> None:
        self.enricher = enricher
        self.story_timeout = story_timeout
        self.processes = processes
        self.finishers = finishers if processes > 0 else 0
        self.restarts = 0
        self._executor: Executor | None = None
        self._finisher: Executor | None = None
        self._lock = threading.Lock()  # warm_up starts the pool from a thread

    def _start(self) -> Executor:
        with self._lock:
            if self._executor is None:
                if self.processes == 0:
                    self._executor = ThreadPoolExecutor(1, thread_name_prefix="wirestream-nlp")
                else:
                    self._executor = self._processes(self.processes, _start_process)
            if self._finisher is None and self.finishers > 0:
                self._finisher = self._processes(self.finishers, _start_finisher)
            return self._executor

    def _processes(self, count: int, initializer: Callable[[Enricher], None]) -> Executor:
        return ProcessPoolExecutor(
            count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=initializer,
            initargs=(self.enricher,),
        )

    def warm_up(self) -> None:
        """Start the pools and load the model in every process before the first batch."""
        executor = self._start()
        if self.processes == 0:
            executor.submit(self.enricher.model, ["Warm-up."]).result()
            return
        futures = [executor.submit(_in_process, "__call__", ()) for _ in range(self.processes)]
        if self._finisher is not None:
            finishers = range(self.finishers)
            futures += [self._finisher.submit(_in_process, "finish", ()) for _ in finishers]
        for future in futures:
            future.result()

    async def enrich(self, batch: Sequence[Item]) -> list[Outcome]:
        """Enrich a batch off the loop; one outcome per input, in order, never an exception
        (except cancellation). When the pool dies or the batch raises, each story is run alone:
        the one that keeps killing the pool, or raises, becomes a Failure; the others go on."""
        try:
            return await self._run(batch)
        except BrokenProcessPool as exc:
            log.warning(
                "the NLP pool died during a batch of %d; running them one by one", len(batch)
            )
            self.restart(getattr(exc, "executor", None))
        except StoryTimeout as exc:
            log.warning(
                "a batch of %d ran past its time limit in %s; replacing the process and "
                "running them one by one",
                len(batch),
                exc.step,
            )
            self.restart(exc.executor, kill=True)
            await self._warm_again()
        except Exception:  # noqa: BLE001 - isolate the story that raised
            log.exception("a batch of %d raised; running them one by one", len(batch))
        return [await self._enrich_alone(item) for item in batch]

    async def _enrich_alone(self, item: Item) -> Outcome:
        for attempt in range(1, self.ISOLATED_ATTEMPTS + 1):
            try:
                (outcome,) = await self._run([item])
                return outcome
            except BrokenProcessPool as exc:
                self.restart(getattr(exc, "executor", None))
                if attempt == self.ISOLATED_ATTEMPTS:
                    return crashed(attempt)
            except StoryTimeout as exc:
                self.restart(exc.executor, kill=True)
                await self._warm_again()
                log.warning("a story ran past its time limit in %s: published without it", exc.step)
                return timed_out(item, exc.step, self.story_timeout or 0.0)
            except Exception as exc:  # noqa: BLE001 - becomes this story's dead letter
                return raised(exc)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _warm_again(self) -> None:
        """Load the model in the new processes before any story's clock starts again."""
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.warm_up)
        except Exception:  # noqa: BLE001 - the next batch finds out and restarts again
            log.exception("warming the replaced pool failed")

    async def _run(self, batch: Sequence[Item]) -> list[Outcome]:
        loop = asyncio.get_running_loop()
        executor = self._start()
        if not batch:
            return []
        if self.processes == 0:
            return await loop.run_in_executor(executor, self.enricher, batch)
        size = max(1, -(-len(batch) // self.processes))
        chunks = [batch[i : i + size] for i in range(0, len(batch), size)]
        results = await asyncio.gather(*(self._chunk(executor, chunk) for chunk in chunks))
        outcomes = [outcome for chunk in results for outcome in chunk]
        if len(outcomes) != len(batch):
            raise RuntimeError(
                f"the enricher returned {len(outcomes)} outcomes for {len(batch)} inputs"
            )
        return outcomes

    async def _chunk(self, executor: Executor, chunk: Sequence[Item]) -> list[Outcome]:
        """One chunk through an NLP process alone, or: made ready for the model in a finishing
        process, read by the model in an NLP process, finished in a finishing process."""
        finisher = self._finisher
        current = executor
        try:
            if finisher is None:
                return await self._step(executor, "__call__", chunk)  # type: ignore[no-any-return]
            current = finisher
            readies = await self._step(finisher, "ready", chunk)
            current = executor
            reads = await self._step(executor, "read", readies)
            current = finisher
            return await self._step(finisher, "finish", reads)  # type: ignore[no-any-return]
        except BrokenProcessPool as exc:
            exc.executor = current  # type: ignore[attr-defined]  # which pool died
            raise

    async def _step(self, executor: Executor, step: str, items: Sequence[Any]) -> Any:
        """One step in a pool process, cut off past the story time limit (per story)."""
        future = asyncio.get_running_loop().run_in_executor(executor, _in_process, step, items)
        if self.story_timeout is None:
            return await future
        try:
            return await asyncio.wait_for(future, self.story_timeout * max(len(items), 1))
        except TimeoutError:
            raise StoryTimeout(step, executor) from None

    def restart(self, broken: Executor | None = None, *, kill: bool = False) -> None:
        """Replace broken pools; the NLP processes load the model again (a second or two). Two
        batches in flight both see the same pool die: only the first replaces it. `kill`
        ends the processes first (a hung step never returns on its own)."""
        with self._lock:
            if broken is not None and broken not in (self._executor, self._finisher):
                return
            if kill:
                for executor in (self._executor, self._finisher):
                    _kill_processes(executor)
        self.restarts += 1
        self.close()

    def close(self) -> None:
        with self._lock:
            for executor in (self._executor, self._finisher):
                if executor is not None:
                    executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._finisher = None


def _kill_processes(executor: Executor | None) -> None:
    """SIGKILL the processes of a process pool (a thread cannot be killed: left to finish)."""
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        try:
            process.kill()
        except (OSError, AttributeError):
            pass
