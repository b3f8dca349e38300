"""The Faust app: topics, the enrichment agent, timers and web views, built from Settings."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import faust

from agents import metrics
from agents.enrichment import EnrichmentPool
from agents.publish import Publisher, raw_input_of
from agents.settings import Settings
from agents.topics import topic_specs
from agents.web import add_views
from pipeline.enrich import Enricher
from pipeline.nlp import LanguageModel

VERSION = "0.1.0"


def create_app(settings: Settings, enricher: Enricher | None = None) -> faust.App:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{host}" for host in settings.broker.split(",")],
        store=settings.store,
        datadir=str(settings.data_dir),
        web_host=settings.web_host,
        web_port=settings.web_port,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replicas,
        key_serializer="raw",
        value_serializer="raw",
        producer_acks=-1,
        broker_commit_every=100,
        broker_commit_interval=1.0,
        stream_buffer_maxsize=max(4 * settings.batch_size, 64),
        consumer_auto_offset_reset="earliest",
        web_enabled=True,
    )
    specs = topic_specs(settings)
    topics = {
        role: app.topic(spec.name, partitions=spec.partitions, retention=spec.retention_ms / 1000,
                        key_type=bytes, value_type=bytes)
        for role, spec in specs.items()
    }
    pool = EnrichmentPool(
        enricher or Enricher(LanguageModel(settings.model), max_story_bytes=settings.max_story_bytes),
        settings.nlp_processes,
    )
    publisher = Publisher(topics["enriched"], topics["dead_letter"])
    app.wirestream = {"settings": settings, "topics": topics, "pool": pool}  # type: ignore[attr-defined]

    @app.agent(topics["raw"], name="enrich-stories", concurrency=1)
    async def enrich_stories(stream: Any) -> None:
        async for events in stream.take_events(settings.batch_size, within=settings.batch_seconds):
            metrics.BATCH_SIZE.observe(len(events))
            for event in events:
                metrics.STORY_SIZE.observe(len(event.message.value or b""))
            outcomes = await pool.enrich([raw_input_of(event) for event in events])
            await publisher.publish(events, outcomes)

    @app.on_partitions_assigned.connect
    async def on_assigned(app: faust.App, assigned: Any, **kwargs: Any) -> None:
        metrics.REBALANCES.inc()

    @app.task
    async def warm_up() -> None:
        await asyncio.get_running_loop().run_in_executor(None, pool.warm_up)

    @app.timer(interval=1.0)
    async def sample_loop_lag() -> None:
        started = time.perf_counter()
        await asyncio.sleep(0)
        metrics.EVENT_LOOP_LAG.set(time.perf_counter() - started)

    @app.timer(interval=2.0)
    async def sample_lag() -> None:
        await record_lag(app, specs["raw"].name)

    metrics.BUILD_INFO.labels(VERSION, kafka_version()).set(1)
    add_views(app)
    return app


async def record_lag(app: faust.App, topic: str) -> None:
    """End offset minus committed offset for every raw-topic partition this worker owns."""
    consumer = app.consumer
    tps = [tp for tp in consumer.assignment() if tp.topic == topic]
    if not tps:
        return
    highwaters = await consumer.highwaters(*tps)
    for tp in tps:
        committed = consumer._committed_offset.get(tp)  # noqa: SLF001 - no public accessor
        end = highwaters.get(tp) or 0
        lag = end - (committed if committed is not None else 0)
        metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(max(lag, 0))


def kafka_version() -> str:
    from deploy.kafka.broker import kafka_version as version

    return version()
