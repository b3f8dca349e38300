"""Editors' live views on the worker's web server: the dashboard page, the server-sent-events
stream of enriched stories (`/events`, agents.web.live_feed), trending entities, pipeline counts,
and `POST /stories`. Fan-out: a group-less Kafka consumer tails the enriched topic on every worker.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import faust
from aiohttp import web as aioweb
from aiokafka import AIOKafkaConsumer

from agents import metrics
from agents.security import aiokafka_kwargs
from agents.settings import Settings
from agents.web.ingest import add_ingest_view
from agents.web.live_feed import LiveFeed, stream_events
from pipeline.trending import DEFAULT_LIMIT

if TYPE_CHECKING:
    from agents.worker.trending import Trending

log = logging.getLogger(__name__)

MAX_LIMIT = 200  # entities `/trending` returns at most
STATIC = Path(__file__).with_name("static")
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


class EnrichedTail:
    """Reads every partition of the enriched topic with no consumer group (nothing committed),
    starting a little before the end so the ring buffer is warm, and feeds the LiveFeed."""

    def __init__(self, settings: Settings, topic: str, feed: LiveFeed) -> None:
        self.settings = settings
        self.topic = topic
        self.feed = feed

    async def run(self) -> None:
        while True:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self.settings.broker.split(","),
                group_id=None,
                enable_auto_commit=False,
                client_id=f"{self.settings.app_id}-live",
                **aiokafka_kwargs(self.settings),
            )
            try:
                await consumer.start()
                await self._tail(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep the live view alive, retry later
                log.warning("live feed: enriched-topic tail failed (%s); retrying in 5 s", exc)
            finally:
                await consumer.stop()
            await asyncio.sleep(5)

    async def _tail(self, consumer: AIOKafkaConsumer) -> None:
        # With no group, aiokafka assigns every partition of a subscribed topic (and any
        # partition added later) as soon as its metadata arrives.
        consumer.subscribe([self.topic])
        while not consumer.assignment():
            await asyncio.sleep(0.2)
        tps = sorted(consumer.assignment())
        begins = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        for tp in tps:
            consumer.seek(tp, max(begins[tp], ends[tp] - self.feed.ring_size))
        while True:
            batches = await consumer.getmany(timeout_ms=1000, max_records=500)
            for records in batches.values():
                for record in records:
                    self.feed.publish_bytes(record.value, record.timestamp)


def pipeline_stats(feed: LiveFeed) -> dict[str, Any]:
    """Counts since this worker started, read from the Prometheus metrics it exports."""
    dead = _samples(metrics.DEAD_LETTERS)
    return {
        "received": sum(_samples(metrics.STORIES_RECEIVED).values()),
        "enriched": sum(_samples(metrics.STORIES_ENRICHED).values()),
        "dead_lettered": sum(dead.values()),
        "dead_letters_by_reason": dead,
        "duplicates_dropped": sum(_samples(metrics.DUPLICATES_DROPPED).values()),
        "killed": sum(_samples(metrics.STORIES_KILLED).values()),
        "live": feed.stats(),
    }


def _samples(metric: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for family in metric.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                label = next(iter(sample.labels.values()), "") if sample.labels else ""
                out[label] = out.get(label, 0) + int(sample.value)
    return out


def parse_limit(raw: str | None) -> int:
    """`?limit=` as a number between 1 and MAX_LIMIT; anything unreadable is the default."""
    try:
        value = int(raw) if raw else DEFAULT_LIMIT
    except ValueError:
        return DEFAULT_LIMIT
    return min(max(value, 1), MAX_LIMIT)


def add_live_views(
    app: faust.App, settings: Settings, topics: dict[str, Any], trending: Trending
) -> None:
    """Registers the editors' live views on the worker's web server."""
    feed = LiveFeed()
    tail = EnrichedTail(settings, topics["enriched"].get_topic_name(), feed)
    ingest = add_ingest_view(app, settings, topics["raw"])
    app.wirestream_live = {  # type: ignore[attr-defined]
        "feed": feed,
        "trending": trending,
        "ingest": ingest,
    }

    @app.task
    async def tail_enriched() -> None:
        await tail.run()

    async def close_streams(_: Any) -> None:
        feed.close()

    app.web.web_app.on_shutdown.append(close_streams)  # type: ignore[attr-defined]
    app.web.add_static("/static/", STATIC)
    page = (STATIC / "dashboard.html").read_bytes()

    async def dashboard(web: Any, request: Any) -> Any:
        return aioweb.Response(
            body=page, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS
        )

    app.page("/", name="dashboard-index")(dashboard)
    app.page("/dashboard", name="dashboard")(dashboard)

    @app.page("/events")
    async def events(web: Any, request: Any) -> Any:
        return await stream_events(request, feed)

    @app.page("/trending")
    async def trending_view(web: Any, request: Any) -> Any:
        limit = parse_limit(request.query.get("limit"))
        return web.json(trending.snapshot(limit, request.query.get("label") or None))

    @app.page("/stats")
    async def stats_view(web: Any, request: Any) -> Any:
        return web.json(pipeline_stats(feed))
