"""What a newsroom system would do: push with an outside Kafka client (kcat), and use the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from schemas import ENRICHED_STORY, schema_errors
from tests.integration.conftest import ROOT, require_tool, running_worker, settings_env
from tests.integration.test_worker_kafka import consume

pytestmark = pytest.mark.integration


def kcat() -> str:
    return require_tool("kcat")


def test_a_story_pushed_with_kcat_yields_exactly_one_enriched_event(
    settings: Settings, tmp_path: Path
) -> None:
    ensure_topics(settings)
    story = tmp_path / "story.txt"
    story.write_text(
        "date 2026-11-24\nid urn:kcat:1\n\nShipping lines in Singapore said on Tuesday that "
        "container rates to Europe had fallen for a third week, as new vessels joined the "
        "fleet faster than demand grew.\n"
    )
    with running_worker(settings, tmp_path / "worker.log"):
        subprocess.run(
            [
                kcat(),
                "-P",
                "-b",
                settings.broker,
                "-t",
                topic_specs(settings)["raw"].name,
                "-k",
                "urn:kcat:1",
                str(story),
            ],
            check=True,
            timeout=30,
        )
        consume(settings, "enriched", 1, timeout=120)  # the first waits for the model to load
        events = consume(settings, "enriched", 5, timeout=10)  # and none follows it
    assert len(events) == 1
    assert schema_errors(ENRICHED_STORY, events[0]) == []
    assert events[0]["story_id"] == "urn:kcat:1"
    assert "Singapore" in {e["name"] for e in events[0]["entities"]}


def test_push_command_sends_files_folders_and_globs(settings: Settings, tmp_path: Path) -> None:
    ensure_topics(settings)
    desk = tmp_path / "desk"
    desk.mkdir()
    for number in range(3):
        (desk / f"story{number}.txt").write_text(
            f"date 2026-11-24\nid urn:push:{number}\n\nCouncil meeting number {number} in "
            "Leeds approved the new cycle lanes on Monday evening.\n"
        )
    (desk / "notes.md").write_text("not a story file")
    result = subprocess.run(
        [sys.executable, "-m", "agents.cli", "push", str(desk), str(desk / "story0.txt")],
        cwd=ROOT,
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "sent 4, failed 0" in result.stdout
    with running_worker(settings, tmp_path / "worker.log"):
        events = consume(settings, "enriched", 3, timeout=30)
    # story0 was pushed twice; the exact resend is dropped before enrichment
    assert sorted(e["story_id"] for e in events) == ["urn:push:0", "urn:push:1", "urn:push:2"]


def test_offline_enrich_prints_a_story_as_a_schema_valid_event(
    wire_story: Path, wire_story_expected: dict
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "agents.cli", "enrich", str(wire_story)],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()
    (line,) = result.stdout.splitlines()
    event = orjson.loads(line)
    assert schema_errors(ENRICHED_STORY, event) == []
    assert event["dates"]["published"] == wire_story_expected["dct"]
    assert event["story_id"] == wire_story_expected["story_id"]
    persons = " ".join(e["name"] for e in event["entities"] if e["label"] == "PERSON")
    for surname in wire_story_expected["person_surnames"]:
        assert surname in persons, (surname, persons)
    values = {t["text"]: t["value"] for t in event["timex"]}
    for text, value in wire_story_expected["timex"].items():
        assert values.get(text) == value, (text, values)


def test_offline_enrich_reports_bad_input_and_exits_non_zero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"headline": "no body"}')
    result = subprocess.run(
        [sys.executable, "-m", "agents.cli", "enrich", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert "invalid_json" in result.stderr and result.stdout == ""


def test_metrics_can_be_served_on_a_port_of_their_own(settings: Settings, tmp_path: Path) -> None:
    import urllib.request

    from tests.integration.conftest import free_port, wait_for

    port = free_port()
    separate = settings.model_copy(update={"metrics_port": port})
    with running_worker(separate, tmp_path / "worker.log"):
        wait_for(f"http://127.0.0.1:{port}/metrics", timeout=30)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    assert "wirestream_stories_received_total" in text or "wirestream_build_info" in text
