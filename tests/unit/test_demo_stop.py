"""`wirestream stop`: the demo's worker group is gone before the broker is stopped (a worker
that loses its broker mid-shutdown waits for it, and was left running)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from agents.cli.demo import _group_alive, stop_worker

# a leader with a child of its own, like the worker and its NLP pool
GROUP = """
import signal, subprocess, sys, time
if sys.argv[1] == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print("ready", flush=True)
time.sleep(60)
"""


def start_group(kind: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", GROUP, kind],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_worker_that_stops_is_waited_for_with_its_pool() -> None:
    process = start_group("polite")
    started = time.monotonic()
    stop_worker(process.pid, grace=20)
    assert time.monotonic() - started < 10
    assert process.poll() is not None
    # the leader is gone; its child was in the group and got the same SIGTERM
    deadline = time.monotonic() + 5
    while not gone(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert gone(process.pid)


def test_a_worker_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    process = start_group("stubborn")
    started = time.monotonic()
    stop_worker(process.pid, grace=1.0)
    assert time.monotonic() - started >= 1.0
    process.wait(timeout=5)
    deadline = time.monotonic() + 5
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _group_alive(process.pid)


def test_stopping_a_worker_that_is_not_there_does_nothing() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    process.wait()
    stop_worker(process.pid, grace=1.0)  # no error, no wait
