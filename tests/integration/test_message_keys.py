"""Keys kept: copy with no id of its own comes back under the Kafka key the newsroom system
chose, and a dead letter carries the key of the message it refuses (kcat on a real broker)."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest

from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from schemas import DEAD_LETTER, ENRICHED_STORY, schema_errors
from tests.integration.conftest import require_tool, running_worker
from tests.integration.test_worker_kafka import consume

pytestmark = pytest.mark.integration

NO_ID = (
    "date 2026-12-01\n\nDock workers in Antwerp voted on Monday to end a four-day strike after "
    "the port authority agreed to review night-shift pay.\n"
)


def _kcat(settings: Settings, key: bytes, path: Path) -> None:
    """One message: the whole file as the value, `key` (any bytes) as the key."""
    command: list[str | bytes] = [require_tool("kcat"), "-P", "-b", settings.broker]
    command += ["-t", topic_specs(settings)["raw"].name, "-k", key, str(path)]
    subprocess.run(command, check=True, timeout=30)


def test_copy_without_an_id_takes_the_key_and_dead_letters_keep_theirs(
    settings: Settings, tmp_path: Path
) -> None:
    ensure_topics(settings)
    story_file, bad_file = tmp_path / "story.txt", tmp_path / "bad.bin"
    story_file.write_text(NO_ID)
    bad_file.write_bytes(b"\x00\x01 not a story")
    with running_worker(settings, tmp_path / "worker.log"):
        _kcat(settings, b"desk-7/antwerp-strike", story_file)
        _kcat(settings, b"desk-7/bad-bytes", bad_file)
        _kcat(settings, b"\xff\xfe-key", bad_file)
        (story,) = consume(settings, "enriched", 1)
        letters = consume(settings, "dead_letter", 2)
    assert schema_errors(ENRICHED_STORY, story) == []
    assert story["story_id"] == "desk-7/antwerp-strike"
    assert story["source"]["key"] == "desk-7/antwerp-strike"
    by_key = {letter["source"]["key"]: letter for letter in letters}
    for letter in letters:
        assert schema_errors(DEAD_LETTER, letter) == []
    assert by_key["desk-7/bad-bytes"]["source"]["key_encoding"] == "utf-8"
    binary = base64.b64encode(b"\xff\xfe-key").decode()
    assert by_key[binary]["source"]["key_encoding"] == "base64"
