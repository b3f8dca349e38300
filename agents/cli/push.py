"""`wirestream push`: files, folders and globs of stories onto the raw topic, with progress."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from rich.progress import Progress

from agents.cli.kafka_io import producer
from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from pipeline.errors import WireError
from pipeline.formats import parse_story

STORY_SUFFIXES = {".txt", ".json", ".xml", ".nitf", ".ninjs"}


def expand(paths: Iterable[str]) -> list[Path]:
    """Every story file named, found under a folder, or matched by a glob, in a stable order."""
    found: list[Path] = []
    for item in paths:
        matches = [Path(m) for m in sorted(glob.glob(item, recursive=True))] or [Path(item)]
        for path in matches:
            if path.is_dir():
                found.extend(
                    sorted(
                        p
                        for p in path.rglob("*")
                        if p.is_file() and p.suffix.lower() in STORY_SUFFIXES
                    )
                )
            else:
                found.append(path)
    return found


def story_key(data: bytes) -> bytes | None:
    """Messages of one story share a key, so its versions stay in order on one partition."""
    try:
        return parse_story(data).story_id.encode()
    except WireError:
        return None  # the worker will dead-letter it with the reason


def push_paths(settings: Settings, paths: Iterable[str]) -> tuple[int, int]:
    files = expand(paths)
    ensure_topics(settings)
    topic = topic_specs(settings)["raw"].name
    client = producer(settings)
    sent = failed = 0
    futures = []
    with Progress(transient=True) as progress:
        task = progress.add_task("pushing", total=len(files))
        for path in files:
            try:
                data = path.read_bytes()
                futures.append((path, client.send(topic, key=story_key(data), value=data)))
            except OSError as exc:
                failed += 1
                progress.console.print(f"[red]{path}: {exc}")
            progress.advance(task)
        client.flush()
    for path, future in futures:
        try:
            future.get(timeout=30)
            sent += 1
        except Exception as exc:  # noqa: BLE001 - report every failed send, keep going
            failed += 1
            print(f"{path}: not sent: {exc}")
    client.close()
    return sent, failed
