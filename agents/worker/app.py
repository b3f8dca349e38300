"""The worker's topology in one place: every topic, agent, table, timer and web view of the
Faust app, built from Settings. The work itself lives in the modules each line names.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import faust

from agents import metrics
from agents.logs import story_fields
from agents.security import broker_credentials
from agents.settings import Settings
from agents.web.health import add_views
from agents.web.live import add_live_views
from agents.web.server import limit_idle_connections
from agents.worker.batch import EnrichBatch, enrich_overlapped
from agents.worker.degraded import Degraded
from agents.worker.faust_fixes import guard_offset_commits, hold_unfinished
from agents.worker.guard import guarded
from agents.worker.lifecycle import Lifecycle, active_owner, utcnow
from agents.worker.pool import EnrichmentPool
from agents.worker.publish import Outgoing, Publisher, raw_input_of, source_of
from agents.worker.resends import ResendShortCut
from agents.worker.stall_guard import StallGuard
from agents.worker.state import STORE_OPTIONS
from agents.worker.topics import topic_specs
from agents.worker.trending import Trending, window_step
from pipeline.enrich import Enricher, RawInput
from pipeline.errors import Failure
from pipeline.lifecycle import content_hash
from pipeline.nlp import LanguageModel
from schemas.prepared import Prepared, encode_prepared

VERSION = "0.1.0"
log = logging.getLogger("wirestream")


def create_app(settings: Settings, enricher: Enricher | None = None) -> faust.App:
    guard_offset_commits()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{host}" for host in settings.broker.split(",")],
        broker_credentials=broker_credentials(settings),
        store=settings.store,
        datadir=str(settings.data_dir),
        web_host=settings.web_host,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replicas,
        key_serializer="raw",
        value_serializer="raw",
        producer_acks=-1,
        # a 5 MB story travels parsed to the prepared topic; the broker takes up to 16 MB
        producer_max_request_size=16 * 1024 * 1024,
        broker_commit_every=100,
        broker_commit_interval=1.0,
        stream_buffer_maxsize=max(4 * settings.batch_size, 64),
        consumer_auto_offset_reset="earliest",
        web_enabled=True,
    )
    specs = topic_specs(settings)
    topics = {
        role: app.topic(
            spec.name,
            partitions=spec.partitions,
            retention=spec.retention_ms / 1000,
            key_type=bytes,
            value_type=bytes,
        )
        for role, spec in specs.items()
    }
    pool = EnrichmentPool(
        enricher
        or Enricher(LanguageModel(settings.model), max_story_bytes=settings.max_story_bytes),
        settings.nlp_processes,
        settings.finish_processes,
        story_timeout=settings.story_timeout_seconds,
    )
    degraded = Degraded()  # permanent Kafka errors: the publisher reports, /health shows
    publisher = Publisher(topics["enriched"], topics["dead_letter"], degraded=degraded)
    app.wirestream = {  # type: ignore[attr-defined]
        "settings": settings,
        "topics": topics,
        "pool": pool,
        "publisher": publisher,
    }

    lifecycle = Lifecycle(
        app,
        settings.partitions,
        retention_days=settings.retention_days,
        near_limit=settings.near_index_limit,
    )
    app.wirestream["lifecycle"] = lifecycle  # type: ignore[attr-defined]
    resends = ResendShortCut(lifecycle)  # exact resends dropped before parsing

    @app.agent(topics["raw"], name="triage-stories", concurrency=1)
    async def triage_stories(stream: Any) -> None:
        """Parse and validate (cheap, in a thread); forward keyed by story id, or dead-letter."""
        loop = asyncio.get_running_loop()
        async for events in stream.take_events(settings.batch_size, within=settings.batch_seconds):
            for event in events:
                metrics.STORY_SIZE.observe(len(event.message.value or b""))
            raws = [raw_input_of(event) for event in events]

            async def triage(events: list[Any] = events, raws: list[RawInput] = raws) -> None:
                fresh, fresh_raws, digests = resends.split(events, raws)
                if not fresh:
                    return  # all exact resends of published copy
                prepared = await loop.run_in_executor(
                    None, prepare_batch, pool.enricher, fresh_raws
                )
                await forward(topics["prepared"], publisher, fresh, prepared)
                resends.remember(digests, prepared)

            try:
                await guarded(events, triage, publisher.publish, "triage")
            except asyncio.CancelledError:
                hold_unfinished(events)
                raise

    @app.agent(topics["prepared"], name="enrich-stories", concurrency=1)
    async def enrich_stories(stream: Any) -> None:
        """Lifecycle decisions per story id, NLP in the pool for what must be enriched; the
        pool starts on the next batch while this one is published (agents/worker/batch.py)."""

        def begin(events: list[Any], before: EnrichBatch | None) -> EnrichBatch:
            batch = EnrichBatch.plan(events, lifecycle, before)
            batch.start(pool)
            return batch

        async def finish(batch: EnrichBatch) -> None:
            await batch.finish(lifecycle, pool, publisher, topics["enriched"], app.consumer)

        batches = stream.take_events(settings.batch_size, within=settings.batch_seconds)
        await enrich_overlapped(batches, begin, finish)

    @app.timer(interval=1.0)
    async def release_embargoes() -> None:
        """Held copy whose embargo lifted goes back through enrichment (same key, same table)."""
        for key, value in lifecycle.due_embargoes(utcnow()):
            await topics["prepared"].send(key=key, value=value)

    @app.timer(interval=settings.retention_sweep_seconds)
    async def expire_lifecycle_rows() -> None:
        """Rows older than WIRESTREAM_RETENTION_DAYS leave the tables (docs/lifecycle.md)."""
        if app.rebalancing or app.in_recovery:
            return  # which partitions are this worker's is being decided
        prepared = specs["prepared"].name
        await lifecycle.expire(time.time(), active_owner(app, prepared), prepared)

    @app.on_partitions_assigned.connect  # type: ignore[arg-type]  # faust types it sync
    async def on_assigned(app: faust.App, assigned: Any, **kwargs: Any) -> None:
        metrics.REBALANCES.inc()

    metrics_port = settings.metrics_port
    if metrics_port is not None:

        @app.task
        async def serve_metrics() -> None:
            """/metrics on an interface of its own, e.g. a management network only."""
            from prometheus_client import start_http_server

            start_http_server(metrics_port, settings.metrics_host, metrics.REGISTRY)

    @app.task
    async def warm_up() -> None:
        await asyncio.get_running_loop().run_in_executor(None, pool.warm_up)

    @app.task
    async def sample_loop_lag() -> None:
        """How late a 0.5 s sleep wakes up: a blocked event loop shows here at once."""
        while not app.should_stop:
            started = time.perf_counter()
            await asyncio.sleep(0.5)
            metrics.EVENT_LOOP_LAG.set(max(0.0, time.perf_counter() - started - 0.5))

    stall_guard = StallGuard([specs["raw"].name, specs["prepared"].name])

    @app.timer(interval=5.0)
    async def unstick_fetches() -> None:
        await stall_guard.check(app)

    @app.timer(interval=2.0)
    async def sample_lag() -> None:
        await record_lag(app, {specs["raw"].name, specs["prepared"].name})

    # Trending: enriched events -> one bundle of counts per mentions partition -> windowed table.
    step = window_step(settings)
    mentions = app.topic(
        f"{settings.app_id}-entity-mentions",
        internal=True,
        partitions=settings.partitions,
        key_type=bytes,
        value_type=bytes,
        retention=float(settings.dashboard_window_seconds),
    )
    counts = app.Table(
        "trending-entities",
        options=dict(STORE_OPTIONS),
        default=int,
        key_type=str,
        value_type=int,
        partitions=settings.partitions,
        help="Entity mentions per tumbling window, keyed by label and canonical name.",
    ).tumbling(step, expires=settings.dashboard_window_seconds + step, key_index=True)
    trending = Trending(app, settings, mentions, counts)
    app.agent(topics["enriched"], name="trending-split-mentions")(trending.split_mentions)
    app.agent(mentions, name="trending-count-mentions")(trending.count_mentions)

    @app.timer(interval=float(step))
    async def prune_trending_keys() -> None:
        """Entities no open window counts leave the trending key index."""
        if app.rebalancing or app.in_recovery:
            return  # which partitions are this worker's is being decided
        dropped = await trending.prune()
        if dropped:
            log.info("trending: %d entities no open window counts left the key index", dropped)

    metrics.BUILD_INFO.labels(VERSION, kafka_version()).set(1)
    add_views(app, degraded)
    limit_idle_connections(app, settings.http_timeout_seconds)
    add_live_views(app, settings, topics, trending)
    return app


async def record_lag(app: faust.App, topics: set[str]) -> None:
    """End offset minus committed offset for every partition of `topics` this worker owns:
    the raw topic (triage) and the prepared topic (enrichment), so either stage falling behind
    or stalling shows."""
    consumer: Any = app.consumer  # reads aiokafka's committed offsets: no public accessor
    tps = [tp for tp in consumer.assignment() if tp.topic in topics]
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


def prepare_batch(enricher: Enricher, raws: list[RawInput]) -> list[Any]:
    """Runs in a thread: the cheap stages for each raw message (Story or Failure)."""
    return [enricher.prepare(raw) for raw in raws]


async def forward(
    prepared_topic: Any, publisher: Publisher, events: list[Any], prepared: list[Any]
) -> None:
    """Parsed stories onward keyed by story id; failures to the dead-letter topic. Every raw
    message is counted as received here, once, by the format it turned out to be."""
    onward: list[Outgoing] = []
    failed_events, failures = [], []
    for event, result in zip(events, prepared, strict=True):
        source = source_of(event)
        if isinstance(result, Failure):
            metrics.STORIES_RECEIVED.labels("unknown").inc()
            failed_events.append(event)
            failures.append(result)
            log.warning(
                "dead-lettering: %s",
                result.message,
                extra=story_fields(
                    result.story_id, source, error_code=result.code, stage=result.stage
                ),
            )
            continue
        story, _ = result
        metrics.STORIES_RECEIVED.labels(story.source_format).inc()
        log.debug("parsed", extra=story_fields(story.story_id, source, version=story.version))
        item = Prepared(story, source, event.message.value, content_hash(story))
        record = encode_prepared(item)
        onward.append(Outgoing(prepared_topic, story.story_id.encode(), record, event))
    # each record is retried on its own; one Kafka refuses for good becomes its dead letter
    await publisher.deliver(onward)
    if failures:
        await publisher.publish(failed_events, failures)
