"""Integration tier: one real Apache Kafka broker per session, started by the project's own
launcher (deploy/kafka/broker.py), and a fresh topic set and consumer group per test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr

from agents.settings import Settings
from bench.faults import worker_process
from deploy.kafka.broker import LocalBroker

ROOT = Path(__file__).resolve().parents[2]


def require_tool(name: str) -> str:
    """Path of a Debian tool the test needs: a skip on a developer machine without it, a
    failure in CI, where deploy/install-tools.sh must have installed it."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing in CI: deploy/install-tools.sh installs it")
        pytest.skip(f"{name} is not installed (bash deploy/install-tools.sh)")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    port = free_port()
    local = LocalBroker(
        port=port, controller_port=free_port(), state_dir=tmp_path_factory.mktemp("kafka")
    )
    local.start()
    yield local
    local.stop()


@pytest.fixture
def settings(broker: LocalBroker, tmp_path: Path) -> Settings:
    return fresh_settings(broker.bootstrap, tmp_path)


def fresh_settings(bootstrap: str, tmp_path: Path, kind: str = "test") -> Settings:
    """Settings for one test: its own topics, consumer group, web port and state dir."""
    tag = uuid.uuid4().hex[:8]
    return Settings(
        broker=bootstrap,
        app_id=f"wirestream-{kind}-{tag}",
        topic_prefix=f"{kind}-{tag}",
        partitions=2,
        web_port=free_port(),
        data_dir=tmp_path / "worker",
        batch_seconds=0.1,
        nlp_processes=1,
    )


def settings_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
    for name, value in settings.model_dump().items():
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value is not None:
            env[f"WIRESTREAM_{name.upper()}"] = str(value)
    return env


def wait_for(
    url: str, timeout: float = 90.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"worker exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextmanager
def running_worker(
    settings: Settings, log: Path, command: tuple[str, ...] = ("agents.cli", "worker")
) -> Iterator[subprocess.Popen[bytes]]:
    """`wirestream worker` (or another module's worker) as a real process, with its own
    settings; stopped on exit."""

    def ready(process: subprocess.Popen[bytes]) -> None:
        wait_for(f"{settings.web_url}/health", process=process)

    with worker_process(command, settings_env(settings), log, ready) as process:
        yield process


def metric_value(settings: Settings, name: str) -> float:
    """Sum of every sample of `name` on the worker's /metrics page."""
    with urllib.request.urlopen(f"{settings.web_url}/metrics", timeout=5) as response:
        text = response.read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI=true an integration test (broker, Prometheus, browser) never skips quietly:
    a skip there means CI did not test what it claims to, so it fails. Tests that score
    against ../shared, which CI has, are held to the same rule."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") and report.skipped and call.when in ("setup", "call"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which must run it: {report.longrepr}"
