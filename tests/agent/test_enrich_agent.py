"""Agent tier: the triage and enrichment agents under Faust's test context, memory store, fake
language model. Checks wiring: what reaches which topic, lifecycle decisions, and metrics."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from agents import metrics
from agents.settings import Settings
from agents.worker.app import create_app
from agents.worker.lifecycle import read_prepared
from pipeline.enrich import Enricher
from pipeline.formats import parse_story
from pipeline.lifecycle import content_hash
from pipeline.neardup import simhash
from pipeline.normalise import normalise
from pipeline.testing import FakeLanguageModel, seed_text, simple_entities
from schemas import DEAD_LETTER, ENRICHED_STORY, STORY_KILLED, schema_errors
from schemas.prepared import Prepared, Source, encode_prepared
from schemas.records import story_to_dict


class RecordingTopic:
    """Stands in for a Faust topic on the way out: keeps what was sent."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[tuple[bytes | None, Any]] = []

    def get_topic_name(self) -> str:
        return self.name

    async def send(self, *, key: bytes | None, value: bytes) -> asyncio.Future[None]:
        self.sent.append((key, value))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future

    def events(self) -> list[dict[str, Any]]:
        return [orjson.loads(value) for _, value in self.sent]


@pytest.fixture
def wired(tmp_path: Path) -> dict[str, Any]:
    settings = Settings(
        broker="127.0.0.1:1",
        data_dir=tmp_path / "w",
        batch_seconds=0.05,
        store="memory://",
        nlp_processes=0,
        app_id=f"agent-test-{tmp_path.name}",
    )
    enricher = Enricher(
        FakeLanguageModel(), pre_stages=(), post_stages=(), group_entities=simple_entities
    )
    app = create_app(settings, enricher)
    app.finalize()
    outputs = {role: RecordingTopic(role) for role in ("prepared", "enriched", "dead_letter")}
    topics = app.wirestream["topics"]
    for role, recorder in outputs.items():
        topics[role].send = recorder.send  # type: ignore[method-assign]
        topics[role].get_topic_name = recorder.get_topic_name  # type: ignore[method-assign]
    lifecycle = app.wirestream["lifecycle"]
    for table in (lifecycle.published, lifecycle.embargoed, lifecycle.fingerprints):
        # no producer in the test context: the memory store alone holds table state
        table.send_changelog = lambda *args, **kwargs: SimpleNamespace(  # type: ignore[method-assign]
            message=SimpleNamespace(partition=0)
        )
    return {"app": app, **outputs}


async def _wait_until(predicate: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "agent produced nothing in time"
        await asyncio.sleep(0.02)


def test_triage_forwards_stories_keyed_by_id_and_dead_letters_the_rest(wired: dict) -> None:
    agent = wired["app"].agents["triage-stories"]
    before = metrics.DEAD_LETTERS.labels("invalid_json")._value.get()

    async def scenario() -> None:
        async with agent.test_context() as running:
            await running.put(seed_text("urn:agent:1", "Lena Holm spoke in Oslo on Monday."))
            await running.put(b'{"body": ')
            await running.put(seed_text("urn:agent:2", "Nils Berg replied on Tuesday."))
            await _wait_until(
                lambda: len(wired["prepared"].sent) + len(wired["dead_letter"].sent) >= 3
            )

    asyncio.run(scenario())
    assert [key for key, _ in wired["prepared"].sent] == [b"urn:agent:1", b"urn:agent:2"]
    (letter,) = wired["dead_letter"].events()
    assert schema_errors(DEAD_LETTER, letter) == []
    assert letter["error_code"] == "invalid_json"
    assert metrics.DEAD_LETTERS.labels("invalid_json")._value.get() == before + 1


def _prepared(
    story_id: str, body: str, *, version: int = 1, status: str = "usable", offset: int = 0
) -> bytes:
    data = seed_text(story_id, body, version=version)
    if status != "usable":
        data = data.replace(b"\n\n", f"\npubstatus {status}\n\n".encode(), 1)
    story = normalise(parse_story(data))
    source = {"topic": "raw", "partition": 0, "offset": offset, "timestamp": None}
    return encode_prepared(Prepared(story, source, data, content_hash(story)))


def test_lifecycle_resend_versions_kill_and_near_duplicate(wired: dict) -> None:
    agent = wired["app"].agents["enrich-stories"]
    body = (
        "Harbour officials in Bergen said on Monday that the ferry terminal would stay "
        "closed until repairs to the damaged quay are finished later this month. Engineers "
        "found cracks in two concrete piles after a cargo ship struck the structure in high "
        "winds on Saturday night, the port authority said in a statement. Passenger "
        "services to the outer islands will run from a temporary berth at the fish market, "
        "with buses linking the two sites every twenty minutes. The operator said tickets "
        "already bought remain valid and that freight would move through the container "
        "harbour north of the city until the inspection is complete."
    )

    async def scenario() -> None:
        async with agent.test_context() as running:
            for message in (
                _prepared("urn:a", body, version=1),
                _prepared("urn:a", body, version=1),  # exact resend: dropped
                _prepared("urn:a", body + " Ferries will divert.", version=3),
                _prepared("urn:a", body + " An older text.", version=2),  # stale: dropped
                _prepared("urn:b", body.replace("Monday", "Tuesday"), version=1),  # near-dup
                _prepared("urn:a", "Kill: withdraw the story.", version=4, status="canceled"),
            ):
                await running.put(message)
            await _wait_until(lambda: len(wired["enriched"].sent) >= 4)

    asyncio.run(scenario())
    events = wired["enriched"].events()
    assert [(e["story_id"], e["version"], e["kind"]) for e in events] == [
        ("urn:a", 1, "story"),
        ("urn:a", 3, "story"),
        ("urn:b", 1, "story"),
        ("urn:a", 4, "kill"),
    ]
    assert events[2]["duplicate_of"] == "urn:a"
    assert events[0]["duplicate_of"] is None
    for event in events[:3]:
        assert schema_errors(ENRICHED_STORY, event) == []
    assert schema_errors(STORY_KILLED, events[3]) == []


def test_prepared_records_carry_the_original_as_is_and_read_older_ones() -> None:
    data = seed_text("urn:p:1", "Ferries to the islands\u00a0resume on Friday, the operator said.")
    story = normalise(parse_story(data))
    source: Source = {"topic": "raw", "partition": 1, "offset": 7, "timestamp": None}
    item = Prepared(story, source, data, content_hash(story))
    record = encode_prepared(item)
    assert record.endswith(b"\n" + data)  # no base64, no second copy of the story
    assert read_prepared(record) == item
    big = encode_prepared(Prepared(story, source, b"x" * (300 * 1024), "h"))
    assert len(read_prepared(big).original) == 256 * 1024  # what a dead letter keeps
    as_parsed = parse_story(data)  # older workers put the story on the topic unnormalised
    older = orjson.dumps(
        {
            "story": story_to_dict(as_parsed),
            "source": source,
            "original": base64.b64encode(data).decode("ascii"),
        }
    )
    assert read_prepared(older) == item  # normalised and hashed on reading


BODY_FERRY = (
    "Harbour officials in Bergen said on Monday that the ferry terminal would stay closed "
    "until repairs to the damaged quay are finished later this month. Engineers found cracks "
    "in two concrete piles after a cargo ship struck the structure in high winds on Saturday "
    "night, the port authority said in a statement. Passenger services to the outer islands "
    "will run from a temporary berth at the fish market, with buses linking the two sites "
    "every twenty minutes."
)


def _changelog_event(key: bytes, value: bytes | None) -> Any:
    return SimpleNamespace(message=SimpleNamespace(key=key, value=value), key=key, value=value)


def test_near_duplicates_of_rows_from_other_workers_and_from_disk_are_found(wired: dict) -> None:
    """Rows reach the index through the changelog (another worker's write) and, after a
    restart, from the store once recovery completes; a tombstone removes a row."""
    app = wired["app"]
    lifecycle = app.wirestream["lifecycle"]
    agent = app.agents["enrich-stories"]
    peer = simhash(BODY_FERRY.replace("Monday", "Sunday"))
    on_disk = simhash(BODY_FERRY.replace("Bergen", "Stavanger") + " Ferries will divert.")

    async def scenario() -> None:
        await lifecycle.fingerprints.on_changelog_event(
            _changelog_event(b"urn:peer", str(peer).encode())
        )
        await lifecycle.fingerprints.on_changelog_event(
            _changelog_event(b"urn:gone", str(peer).encode())
        )
        await lifecycle.fingerprints.on_changelog_event(_changelog_event(b"urn:gone", None))
        lifecycle.fingerprints.data[b"urn:disk"] = str(on_disk).encode()
        await lifecycle.fingerprints.call_recover_callbacks()
        async with agent.test_context() as running:
            await running.put(_prepared("urn:mine", BODY_FERRY))
            await _wait_until(lambda: len(wired["enriched"].sent) >= 1)

    asyncio.run(scenario())
    (event,) = wired["enriched"].events()
    assert event["duplicate_of"] == "urn:peer"
    assert all(k in lifecycle.near for k in ("urn:peer", "urn:disk", "urn:mine"))
    assert "urn:gone" not in lifecycle.near


def test_a_resend_through_both_agents_is_dropped_and_counted(wired: dict) -> None:
    """Triage hands the enrich agent the text as parsed; the resend of the same bytes is
    recognised by the row enrichment wrote, not enriched twice."""
    app = wired["app"]
    triage, enrich = app.agents["triage-stories"], app.agents["enrich-stories"]
    data = seed_text("urn:r:1", "  " + BODY_FERRY.replace(" the ", " the\u00a0", 1))
    before = metrics.DUPLICATES_DROPPED._value.get()

    async def scenario() -> None:
        async with triage.test_context() as running:
            for _ in range(3):
                await running.put(data)
            await _wait_until(lambda: len(wired["prepared"].sent) >= 3)
        async with enrich.test_context() as running:
            for _, value in wired["prepared"].sent:
                await running.put(value)
            await _wait_until(lambda: metrics.DUPLICATES_DROPPED._value.get() >= before + 2)

    asyncio.run(scenario())
    (event,) = wired["enriched"].events()
    assert event["body"] == normalise(parse_story(data)).body
    row = orjson.loads(app.wirestream["lifecycle"].published[b"urn:r:1"])
    assert row["content_hash"] == content_hash(normalise(parse_story(data)))
