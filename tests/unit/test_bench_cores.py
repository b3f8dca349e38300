"""`wirestream bench --broker-cores`: the broker kept off the cores the worker is measured on."""

from __future__ import annotations

import os

import pytest

from bench.e2e import confined
from bench.table import cores_text
from bench.throughput import parse_args

CORES = sorted(os.sched_getaffinity(0))
needs_two = pytest.mark.skipif(len(CORES) < 2, reason="needs two cores to split")


def test_the_limit_runs_on_every_allowed_core_by_default() -> None:
    opts = parse_args(["--quick"])
    assert opts.broker_cpus is None and opts.worker_cpus is None
    assert opts.limit_processes == len(CORES)


@needs_two
def test_broker_cores_leave_the_worker_and_the_limit_the_rest() -> None:
    broker = CORES[-1]
    opts = parse_args(["--quick", "--broker-cores", str(broker)])
    assert opts.broker_cpus == [broker]
    assert opts.worker_cpus == CORES[:-1]
    assert opts.limit_processes == len(CORES) - 1  # one bare nlp.pipe per core the worker has


def test_broker_cores_must_leave_the_worker_a_core() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--broker-cores", ",".join(str(c) for c in CORES)])
    with pytest.raises(SystemExit):
        parse_args(["--broker-cores", "x"])
    with pytest.raises(SystemExit):
        parse_args(["--broker-cores", str(max(CORES) + 64)])


@needs_two
def test_confined_moves_this_process_and_puts_it_back() -> None:
    before = os.sched_getaffinity(0)
    with confined([CORES[0]]):
        assert os.sched_getaffinity(0) == {CORES[0]}
    assert os.sched_getaffinity(0) == before
    with confined(None):
        assert os.sched_getaffinity(0) == before


def test_cores_print_for_a_core_per_worker_and_for_a_shared_set() -> None:
    assert cores_text([0, 1]) == "0,1"
    assert cores_text([[0, 2]]) == "0,2"
