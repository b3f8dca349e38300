"""`wirestream demo`: local broker + one worker, the sample stories pushed, events shown back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from agents.cli.kafka_io import local_broker, read_events
from agents.cli.push import expand, push_paths
from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from pipeline.errors import WireError
from pipeline.formats import parse_story

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "deploy" / "samples"
SEED = ROOT.parent / "shared" / "data" / "seed"
console = Console()


def state_dir(settings: Settings) -> Path:
    path = settings.data_dir.parent
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_worker(settings: Settings, timeout: float = 120.0) -> int:
    """Start `wirestream worker` in the background unless one answers; return its pid."""
    pid_file = state_dir(settings) / "worker.pid"
    if _answers(settings.web_url + "/health"):
        return int(pid_file.read_text()) if pid_file.exists() else -1
    log = (state_dir(settings) / "worker.log").open("ab")
    env = {**os.environ, "WIRESTREAM_BROKER": settings.broker}
    process = subprocess.Popen(
        [sys.executable, "-m", "agents.cli", "worker"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
        cwd=ROOT,
    )
    pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the worker exited with {process.returncode}; see {log.name}")
        if _answers(settings.web_url + "/health"):
            return process.pid
        time.sleep(0.5)
    raise RuntimeError(f"the worker did not come up within {timeout:.0f}s; see {log.name}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local URL
            return bool(response.status == 200)
    except OSError:
        return False


def sample_paths() -> list[Path]:
    paths = sorted(SEED.glob("*.txt")) if SEED.is_dir() else []
    return paths + expand([str(SAMPLES)])


def run_demo(settings: Settings, stop_after: bool = False) -> int:

    broker = local_broker(settings)
    console.rule("wirestream demo")
    console.print("starting the local Kafka broker (first run fetches its jars from Maven Central)")
    broker.start()
    console.print(broker.status())
    ensure_topics(settings)
    console.print("starting the worker (loads the spaCy model)…")
    pid = start_worker(settings)
    console.print(
        f"worker pid {pid}: metrics on {settings.web_url}/metrics, "
        f"log in {state_dir(settings) / 'worker.log'}"
    )
    paths = sample_paths()
    wanted: set[str] = set()
    for path in paths:
        try:
            wanted.add(parse_story(path.read_bytes()).story_id)
        except WireError:
            pass
    sent, failed = push_paths(settings, [str(p) for p in paths])
    console.print(f"pushed {sent} stories ({failed} failed) to {topic_specs(settings)['raw'].name}")
    latest: dict[str, dict[str, Any]] = {}
    for event in read_events(settings, topic_specs(settings)["enriched"].name, timeout=120):
        if event.get("kind") == "story" and event["story_id"] in wanted:
            latest[event["story_id"]] = event
            if set(latest) == wanted:
                break
    for event in latest.values():
        show_event(event)
    missing = wanted - set(latest)
    if missing:
        console.print(f"[red]no enriched event came back for: {', '.join(sorted(missing))}")
    if stop_after:
        stop_all(settings)
    else:
        console.print("broker and worker keep running; `wirestream stop` stops both")
    return 1 if missing else 0


def stop_all(settings: Settings) -> None:

    pid_file = state_dir(settings) / "worker.pid"
    if pid_file.exists():
        try:
            stop_worker(int(pid_file.read_text()))
        except ValueError:
            pass
        pid_file.unlink()
    # only now: a worker that loses its broker mid-shutdown cannot commit, and waits for it
    local_broker(settings).stop()
    console.print("worker and broker stopped")


WORKER_GRACE_SECONDS = 30.0  # a worker finishes its batch, commits and leaves the group


def stop_worker(pid: int, grace: float = WORKER_GRACE_SECONDS) -> None:
    """Stop a worker started by `start_worker` (its own process group: it and its pool), and
    wait until the group is gone: SIGTERM, then SIGKILL after `grace` seconds."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _group_alive(pid):
            return
        time.sleep(0.2)
    console.print(f"the worker did not stop within {grace:.0f} s; killing it")
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


def _group_alive(pgid: int) -> bool:
    """Whether any process of the group still runs."""
    try:
        os.waitpid(pgid, os.WNOHANG)  # reap the leader when it is our own child
    except ChildProcessError:
        pass
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def show_event(event: dict[str, Any]) -> None:
    """One enriched event (or dead letter) as a readable panel."""
    if event.get("schema", "").startswith("wirestream.dead_letter"):
        console.print(
            Panel(
                f"{event['error_code']} at {event['stage']}: {event['message']}",
                title="dead letter",
                border_style="red",
            )
        )
        return
    if event.get("kind") == "kill":
        console.print(
            Panel(
                f"story {event['story_id']} {event['pubstatus']}: remove every version",
                title="kill",
                border_style="yellow",
            )
        )
        return
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("entity")
    table.add_column("label")
    table.add_column("mentions", justify="right")
    for entity in event["entities"]:
        table.add_row(entity["name"], entity["label"], str(entity["count"]))
    quotes = "\n".join(f"“{q['text']}” — {q['speaker'] or 'unknown'}" for q in event["quotes"])
    timex = ", ".join(f"{t['text']} = {t['value']}" for t in event["timex"])
    dates = event["dates"]
    console.print(
        Panel.fit(
            f"[bold]{event['headline']}[/]\nstory {event['story_id']} v{event['version']}  "
            f"language {event['language']}  published {dates['published']}  "
            f"received {dates['received']}",
            title=f"enriched {event['event_id'][:8]}",
        )
    )
    console.print(table)
    if quotes:
        console.print(quotes)
    if timex:
        console.print(f"time: {timex}")
