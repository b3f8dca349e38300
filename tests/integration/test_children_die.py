"""Children die with the worker: SIGKILL the main worker process and, within 5 s, nothing it
started is left (NLP and finishing processes, multiprocessing's helper)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from agents.settings import Settings
from agents.worker.topics import ensure_topics
from tests.integration.conftest import running_worker
from tests.integration.test_reliability import group_pids

pytestmark = pytest.mark.integration


def session_members(session: int) -> dict[int, str]:
    """pid -> command name of every live process of the worker's group (its own session)."""
    members = {}
    for pid in group_pids(session):
        try:
            members[pid] = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
    return members


def test_a_sigkilled_worker_leaves_no_process_behind(settings: Settings, tmp_path: Path) -> None:
    ensure_topics(settings)
    with running_worker(settings, tmp_path / "worker.log") as worker:
        deadline = time.monotonic() + 90
        while not {"wirestream-nlp", "wirestream-fin"} <= set(session_members(worker.pid).values()):
            assert time.monotonic() < deadline, session_members(worker.pid)
            time.sleep(0.5)
        children = set(session_members(worker.pid)) - {worker.pid}
        assert len(children) >= 3  # NLP, finishing and multiprocessing's resource tracker
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        deadline = time.monotonic() + 5
        while session_members(worker.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert session_members(worker.pid) == {}
