"""Records fetched while the client is still seeking are delivered, not dropped as stale.

A worker restarts on a backlog of prepared stories; table recovery resumes the flow, then the
stream partitions, and seeks them to their committed offsets. Records the client hands over
meanwhile reach the stream queues before the main loop hears that the seek is done. Two
things dropped them, and nothing fetched them again: an earlier guard took the news of the
seek as its moment and dropped the rest of such a batch as stale, and Faust's second resume of
the flow cleared the queues (fixes 3 and 5 of agents/worker/faust_fixes.py). In a SIGKILL run
280 prepared records were skipped so, and a first version was lost once its second version had
been published (docs/guarantees.md). The slow seek widens that window to seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.settings import Settings
from bench.faults import grew_past, load, outputs, settle_and_verify, shortfalls, wait_until
from tests.integration.conftest import metric_value, running_worker

pytestmark = pytest.mark.integration

SEED = 20261207


def test_records_fetched_during_a_slow_seek_all_come_out(
    settings: Settings, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"partitions": 2})
    pushed = load(settings, "seek", SEED, 400)
    counter = outputs(settings)
    try:
        with running_worker(settings, tmp_path / "first.log"):
            wait_until(grew_past(counter, 40), 180, "the first worker's first 40 outputs")
        # stopped (SIGTERM): its offsets are committed, most of the backlog is still to come.
        # The next worker has no local tables (another host), so it restores them from the
        # changelogs first, with the fetcher already running when it seeks
        slow = ("tests.integration.slow_seek_worker",)
        elsewhere = settings.model_copy(update={"data_dir": tmp_path / "elsewhere"})
        with running_worker(elsewhere, tmp_path / "slow-seek.log", slow):
            verdict = settle_and_verify(settings, pushed, "slow seek")
            # nothing was dropped on the way in: the stall guard never had to read records again
            recovered = metric_value(elsewhere, "wirestream_fetch_stalls_recovered_total")
    finally:
        counter.close()
    print(f"\n[slow seek] {verdict.summary()}")
    # a graceful stop and a start: at most a batch in flight at each is published twice
    assert shortfalls(verdict, pushed, 2 * settings.batch_size) == []
    assert recovered == 0
