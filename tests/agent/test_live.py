"""Agent tier: the editors' live views. The SSE stream's filters, ring buffer and slow-client
handling, the trending table fed through its agents (memory store), and the JSON endpoints,
served by the worker's own aiohttp app through aiohttp's test client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from agents import metrics
from agents.settings import Settings
from agents.web.live import parse_limit
from agents.web.live_feed import LiveFeed, stream_events
from agents.worker.app import create_app
from pipeline.cards import StoryFilter, summarise
from pipeline.enrich import Enricher
from pipeline.testing import FakeLanguageModel, simple_entities
from pipeline.trending import (
    bundles,
    entity_key,
    mention_counts,
    mention_partition,
    top_entities,
)
from schemas.trending import read_bundle


def story(
    story_id: str,
    *entities: tuple[str, str],
    version: int = 1,
    language: str = "en",
    headline: str | None = None,
) -> dict[str, Any]:
    """An enriched event as the pipeline publishes it (only what the live view reads)."""
    return {
        "schema": "wirestream.enriched_story.v1",
        "story_id": story_id,
        "version": version,
        "event_id": f"{abs(hash((story_id, version))):032x}"[:32],
        "headline": headline or f"Headline of {story_id}",
        "body": "Body words. " * 80,
        "language": language,
        "source_format": "text",
        "pubstatus": "usable",
        "dates": {"published": "2026-11-23T09:00:00+00:00", "received": None, "processed": None},
        "entities": [
            {
                "name": name,
                "label": label,
                "count": 2,
                "first_start": 0,
                "roles": [],
                "mentions": [{"text": name, "start": 0, "end": len(name)}] * 2,
            }
            for name, label in entities
        ],
        "quotes": [
            {
                "text": "We will rebuild the pier",
                "start": 5,
                "end": 29,
                "speaker": "Ana Costa",
                "cue": "said",
            }
        ],
        "timex": [
            {"text": "Monday", "start": 40, "end": 46, "type": "DATE", "value": "2026-11-23"}
        ],
    }


HOLM = ("Lena Holm", "PERSON")
OSLO = ("Oslo", "GPE")
TELENOR = ("Telenor", "ORG")


# ---- filters ---------------------------------------------------------------------------------


def test_filter_by_entity_is_case_insensitive_on_the_canonical_name() -> None:
    card = summarise(story("a", HOLM, OSLO))
    assert card is not None
    assert StoryFilter.from_query({"entity": "lena HOLM"}).matches(card)
    assert not StoryFilter.from_query({"entity": "Holm"}).matches(card)


def test_entity_and_label_must_hold_for_the_same_entity() -> None:
    card = summarise(story("a", HOLM, OSLO))
    assert card is not None
    assert StoryFilter.from_query({"entity": "oslo", "label": "gpe"}).matches(card)
    assert not StoryFilter.from_query({"entity": "Oslo", "label": "PERSON"}).matches(card)
    assert StoryFilter.from_query({"label": "ORG,GPE"}).matches(card)
    assert not StoryFilter.from_query({"label": "ORG"}).matches(card)


def test_language_filter_matches_the_primary_subtag() -> None:
    british = summarise(story("a", language="en-GB"))
    norwegian = summarise(story("b", language="nb"))
    unknown = summarise(story("c") | {"language": None})
    english = StoryFilter.from_query({"language": "EN"})
    assert british and norwegian and unknown
    assert english.matches(british)
    assert not english.matches(norwegian)
    assert not english.matches(unknown)
    assert StoryFilter.from_query({}).matches(unknown)


def test_summary_keeps_what_the_page_shows_and_drops_the_body() -> None:
    card = summarise(story("a", HOLM))
    assert card is not None
    assert card["quotes"] == [
        {"text": "We will rebuild the pier", "speaker": "Ana Costa", "cue": "said"}
    ]
    assert card["entities"] == [{"name": "Lena Holm", "label": "PERSON", "count": 2}]
    assert "body" not in card and len(card["lede"]) <= 281
    assert summarise({"headline": "no story id"}) is None


# ---- ring buffer and fan-out ----------------------------------------------------------------


def test_ring_buffer_keeps_the_latest_stories_oldest_first() -> None:
    feed = LiveFeed(ring_size=5)
    for n in range(12):
        feed.publish(story(f"s{n}", HOLM), stamp=1000.0 + n)
    recent = feed.recent(StoryFilter())
    assert [m.story_id for m in recent] == ["s7", "s8", "s9", "s10", "s11"]


def test_a_new_version_replaces_the_old_and_a_late_old_version_is_ignored() -> None:
    feed = LiveFeed()
    feed.publish(story("s1", HOLM, version=1))
    feed.publish(story("s1", HOLM, version=3, headline="Corrected"))
    assert feed.publish(story("s1", HOLM, version=2)) is None
    (only,) = feed.recent(StoryFilter())
    assert only.data["version"] == 3 and only.data["headline"] == "Corrected"


def test_kill_removes_the_story_and_reaches_every_subscriber() -> None:
    feed = LiveFeed()
    feed.publish(story("s1", HOLM))
    feed.publish(story("s2", OSLO))
    watcher = feed.subscribe(StoryFilter.from_query({"entity": "Oslo"}))
    assert watcher is not None
    feed.publish({"kind": "kill", "story_id": "s1"})
    feed.publish(story("s2", OSLO) | {"pubstatus": "canceled"})
    assert [m.story_id for m in feed.recent(StoryFilter())] == []
    assert [(m.kind, m.story_id) for m in watcher.queue] == [("kill", "s1"), ("kill", "s2")]
    replay = feed.recent(StoryFilter(), after=2)
    assert [(m.kind, m.story_id) for m in replay] == [("kill", "s1"), ("kill", "s2")]


def test_a_slow_client_loses_its_oldest_messages_and_never_blocks_publishing() -> None:
    feed = LiveFeed(client_queue=10)
    slow = feed.subscribe(StoryFilter())
    picky = feed.subscribe(StoryFilter.from_query({"label": "ORG"}))
    assert slow is not None and picky is not None
    started = time.perf_counter()
    for n in range(5000):
        feed.publish(story(f"s{n}", TELENOR if n % 1000 == 0 else HOLM))
    assert time.perf_counter() - started < 5
    assert len(slow.queue) == 10 and slow.dropped == 4990
    assert [m.story_id for m in slow.queue][-1] == "s4999"
    assert [m.story_id for m in picky.queue] == ["s0", "s1000", "s2000", "s3000", "s4000"]
    assert feed.stats()["dropped_for_slow_clients"] == 4990


async def _read_events(response: Any, count: int, timeout: float = 5.0) -> list[tuple[str, str]]:
    """(event type or 'comment', data) of the next `count` SSE frames."""
    frames: list[tuple[str, str]] = []
    buffer = b""
    deadline = asyncio.get_running_loop().time() + timeout
    while len(frames) < count:
        remaining = deadline - asyncio.get_running_loop().time()
        assert remaining > 0, f"only {frames} arrived"
        buffer += await asyncio.wait_for(response.content.readany(), remaining)
        while b"\n\n" in buffer and len(frames) < count:
            frame, buffer = buffer.split(b"\n\n", 1)
            fields = dict(
                line.split(": ", 1)
                for line in frame.decode().splitlines()
                if ": " in line and not line.startswith(":")
            )
            if frame.startswith(b":"):
                frames.append(("comment", frame.decode()))
            elif "event" in fields:
                frames.append((fields["event"], fields["data"]))
    return frames


def sse_app(feed: LiveFeed, keepalive: float) -> web.Application:
    async def handler(request: web.Request) -> Any:
        return await stream_events(request, feed, keepalive=keepalive)

    application = web.Application()
    application.router.add_get("/events", handler)
    return application


def test_stream_sends_matching_backlog_then_live_events_then_keep_alives() -> None:
    feed = LiveFeed()
    feed.publish(story("old-holm", HOLM), stamp=1.0)
    feed.publish(story("old-telenor", TELENOR), stamp=2.0)

    async def scenario() -> list[tuple[str, str]]:
        async with TestClient(TestServer(sse_app(feed, keepalive=0.2))) as client:
            response = await client.get("/events", params={"entity": "lena holm"})
            assert response.headers["Content-Type"].startswith("text/event-stream")
            first = await _read_events(response, 1)
            feed.publish(story("new-telenor", TELENOR))
            feed.publish(story("new-holm", HOLM, OSLO))
            rest = await _read_events(response, 2)
            response.close()
            return first + rest

    frames = asyncio.run(scenario())
    assert [(kind, orjson.loads(data)["story_id"]) for kind, data in frames[:2]] == [
        ("story", "old-holm"),
        ("story", "new-holm"),
    ]
    assert frames[2] == ("comment", ": keep-alive")


def test_reconnect_with_last_event_id_replays_only_what_was_missed() -> None:
    feed = LiveFeed()
    first = feed.publish(story("s1", HOLM))
    feed.publish(story("s2", HOLM))
    feed.publish({"kind": "kill", "story_id": "s1"})
    assert first is not None

    async def scenario() -> list[tuple[str, str]]:
        async with TestClient(TestServer(sse_app(feed, keepalive=5))) as client:
            response = await client.get("/events", headers={"Last-Event-ID": str(first.seq)})
            frames = await _read_events(response, 2)
            response.close()
            return frames

    frames = asyncio.run(scenario())
    assert [(kind, orjson.loads(data)["story_id"]) for kind, data in frames] == [
        ("story", "s2"),
        ("kill", "s1"),
    ]


def test_closing_the_feed_ends_open_streams() -> None:
    feed = LiveFeed()

    async def scenario() -> None:
        async with TestClient(TestServer(sse_app(feed, keepalive=30))) as client:
            response = await client.get("/events")
            await asyncio.sleep(0.1)
            assert feed.stats()["clients"] == 1
            feed.close()
            await asyncio.wait_for(response.content.read(), 3)  # EOF, not a 30 s wait
            assert feed.stats()["clients"] == 0

    asyncio.run(scenario())


# ---- trending ------------------------------------------------------------------------------


def test_mention_counts_and_ranking() -> None:
    event = story("a", HOLM, OSLO)
    event["entities"].append(
        {
            "name": "Lena Holm",
            "label": "person",
            "count": 3,
            "mentions": [],
            "first_start": 9,
            "roles": [],
        }
    )
    counts = mention_counts(event)
    assert counts == {entity_key("Lena Holm", "PERSON"): 5, entity_key("Oslo", "GPE"): 2}
    assert mention_counts({"entities": "nonsense"}) == {}
    ranked = top_entities(
        [
            (entity_key("Oslo", "GPE"), 2),
            (entity_key("Bergen", "GPE"), 2),
            (entity_key("Lena Holm", "PERSON"), 5),
            (entity_key("Gone", "ORG"), 0),
        ]
    )
    assert [(r["name"], r["mentions"]) for r in ranked] == [
        ("Lena Holm", 5),
        ("Bergen", 2),
        ("Oslo", 2),
    ]
    assert top_entities([(entity_key("Oslo", "GPE"), 2)], label="person") == []
    assert (parse_limit("5"), parse_limit("x"), parse_limit("100000")) == (5, 20, 200)


def test_bundles_split_counts_by_a_stable_partition_and_read_back() -> None:
    counts = {entity_key(f"Name {i}", "PERSON"): i + 1 for i in range(40)}
    split = bundles(counts, 4)
    assert len(split) > 1  # 40 keys do not all hash to one of 4 partitions
    assert {k: v for bundle in split.values() for k, v in bundle.items()} == counts
    for partition, bundle in split.items():
        assert all(mention_partition(key, 4) == partition for key in bundle)
        assert read_bundle(orjson.dumps(bundle)) == bundle
    # the partition is a fixed hash, not Python's per-run string hash
    assert mention_partition(entity_key("Lena Holm", "PERSON"), 4) == 3
    assert read_bundle(b'{"a": 2, "b": -1, "c": "3", "d": true}') == {"a": 2}
    assert read_bundle(b"nonsense") == read_bundle(None) == {}


class RecordingTopic:
    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[tuple[bytes, bytes]] = []
        self.partitions: list[int | None] = []

    def get_topic_name(self) -> str:
        return self.name

    async def send(
        self, *, key: bytes, value: bytes, partition: int | None = None, **_: Any
    ) -> None:
        self.sent.append((key, value))
        self.partitions.append(partition)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    settings = Settings(
        broker="127.0.0.1:1",
        data_dir=tmp_path / "w",
        nlp_processes=0,
        app_id=f"live-test-{id(tmp_path)}",
        partitions=2,
        store="memory://",
    )
    enricher = Enricher(
        FakeLanguageModel(), pre_stages=(), post_stages=(), group_entities=simple_entities
    )
    faust_app = create_app(settings, enricher)
    faust_app.finalize()
    faust_app.web.init_server()
    yield faust_app


def test_trending_counts_flow_from_enriched_events_to_the_endpoint(app: Any) -> None:
    trending = app.wirestream_live["trending"]
    recording = RecordingTopic("mentions")
    real_topic, trending.mentions_topic = trending.mentions_topic, recording
    split = app.agents["trending-split-mentions"]
    count = app.agents["trending-count-mentions"]

    async def scenario() -> Any:
        async with split.test_context() as running:
            for value, key in (
                (orjson.dumps(story("a", HOLM, OSLO)), b"a"),
                (orjson.dumps(story("b", HOLM)), b"b"),
                (b"not json", b"c"),
            ):
                await running.put(value, key=key, wait=False)
            for _ in range(100):  # one round of bundles once the batch window closes
                if recording.sent:
                    break
                await asyncio.sleep(0.05)
        holm, oslo = entity_key(*HOLM), entity_key(*OSLO)
        expected = {}
        for key, mentions in ((holm, 4), (oslo, 2)):  # Holm's two stories added up, once
            expected.setdefault(mention_partition(key, 2), {})[key] = mentions
        assert {int(k): orjson.loads(v) for k, v in recording.sent} == expected
        assert sorted(recording.partitions) == sorted(expected)  # each bundle to its partition
        async with count.test_context() as running:
            for (key, value), partition in zip(recording.sent, recording.partitions, strict=True):
                await running.put(value, key=key, partition=partition)
            await running.put(b"[1, 2]", key=b"0")  # not a bundle: counts nothing
        async with TestClient(TestServer(app.web.web_app)) as client:
            response = await client.get("/trending", params={"limit": "1"})
            return response.status, await response.json()

    status, body = asyncio.run(scenario())
    trending.mentions_topic = real_topic
    assert status == 200
    assert body["window_seconds"] == 3600
    assert body["entities"] == [{"name": "Lena Holm", "label": "PERSON", "mentions": 4}]


def test_trending_adds_up_the_windows_of_the_last_hour(app: Any) -> None:
    trending = app.wirestream_live["trending"]
    inner, index = trending.table.table, trending.table.key_index_table
    now = 1_800_000_123.0  # 2027-01-15 08:02:03 UTC
    holm, oslo = entity_key(*HOLM), entity_key(*OSLO)
    for key, minutes_ago, mentions in (
        (holm, 0, 1),
        (holm, 25, 2),
        (holm, 45, 4),
        (holm, 55, 8),
        (oslo, 65, 16),
    ):
        inner.data[(key, inner.window.current(now - 60 * minutes_ago))] = mentions
        index.data[key] = 1
    # six 10-minute windows, 07:10 to 08:10: 55 and 65 minutes ago (07:07, 06:57) are out
    assert dict(trending.current(now)) == {holm: 1 + 2 + 4, oslo: 0}
    start, end = trending.span(now)
    assert (end - start, end) == (3600, 1_800_000_600.0)  # up to the end of this 10 minutes


def test_stats_report_pipeline_counters_and_pages_are_served(app: Any) -> None:
    async def scenario() -> dict[str, Any]:
        async with TestClient(TestServer(app.web.web_app)) as client:
            before = await (await client.get("/stats")).json()
            metrics.STORIES_ENRICHED.inc()
            metrics.DEAD_LETTERS.labels("invalid_json").inc()
            after = await (await client.get("/stats")).json()
            for path in ("/", "/dashboard"):
                page = await client.get(path)
                assert page.status == 200
                assert 'id="feed"' in await page.text()
                assert "default-src 'self'" in page.headers["Content-Security-Policy"]
            script = await client.get("/static/dashboard.js")
            assert script.status == 200 and "EventSource" in await script.text()
            return {"before": before, "after": after}

    result = asyncio.run(scenario())
    before, after = result["before"], result["after"]
    assert after["enriched"] == before["enriched"] + 1
    assert after["dead_lettered"] == before["dead_lettered"] + 1
    assert after["dead_letters_by_reason"]["invalid_json"] >= 1
