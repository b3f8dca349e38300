"""Every Prometheus metric the worker exports, defined once. Base units, `_total` counters,
low-cardinality labels. A registry of our own keeps clear of Faust's sensor names."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

disable_created_metrics()  # type: ignore[no-untyped-call]
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

_STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 120)

STORIES_RECEIVED = Counter(
    "wirestream_stories_received",
    "Raw messages read from the raw topic, by detected format.",
    ["format"],
    registry=REGISTRY,
)
STORIES_ENRICHED = Counter(
    "wirestream_stories_enriched", "Stories enriched and published.", registry=REGISTRY
)
EVENTS_PUBLISHED = Counter(
    "wirestream_events_published", "Events written, by topic.", ["topic"], registry=REGISTRY
)
DEAD_LETTERS = Counter(
    "wirestream_dead_letters",
    "Messages sent to the dead-letter topic, by error code.",
    ["reason"],
    registry=REGISTRY,
)
DUPLICATES_DROPPED = Counter(
    "wirestream_duplicates_dropped", "Exact resends dropped before NLP.", registry=REGISTRY
)
STAGE_ERRORS = Counter(
    "wirestream_stage_errors",
    "Enrichment stages that failed on a story that was still published (its warnings).",
    ["stage"],
    registry=REGISTRY,
)
STORIES_KILLED = Counter("wirestream_stories_killed", "Kill notices published.", registry=REGISTRY)
STAGE_SECONDS = Histogram(
    "wirestream_stage_seconds",
    "Time spent per story in each pipeline stage.",
    ["stage"],
    buckets=_STAGE_BUCKETS,
    registry=REGISTRY,
)
END_TO_END_LATENCY = Histogram(
    "wirestream_end_to_end_latency_seconds",
    "From the raw story's Kafka timestamp to its enriched event being published.",
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
CONSUMER_LAG = Gauge(
    "wirestream_consumer_lag_messages",
    "End offset minus committed offset, per partition of the raw and prepared topics.",
    ["topic", "partition"],
    registry=REGISTRY,
)
BATCH_SIZE = Histogram(
    "wirestream_batch_size_stories",
    "Stories per batch handed to the NLP pool.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
    registry=REGISTRY,
)
STORY_ENTITIES = Histogram(
    "wirestream_story_entities",
    "Entities per enriched story.",
    buckets=(0, 1, 2, 5, 10, 20, 50, 100),
    registry=REGISTRY,
)
STORY_QUOTES = Histogram(
    "wirestream_story_quotes",
    "Quotes per enriched story.",
    buckets=(0, 1, 2, 5, 10, 20, 50),
    registry=REGISTRY,
)
STORY_SIZE = Histogram(
    "wirestream_story_size_bytes",
    "Size of raw messages.",
    buckets=(256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304),
    registry=REGISTRY,
)
REBALANCES = Counter(
    "wirestream_rebalances", "Consumer-group rebalances seen by this worker.", registry=REGISTRY
)
STALLS_RECOVERED = Counter(
    "wirestream_fetch_stalls_recovered",
    "Times partitions fetched past their commit but never handed out were read again.",
    registry=REGISTRY,
)
EVENT_LOOP_LAG = Gauge(
    "wirestream_event_loop_lag_seconds",
    "How late the event loop ran a 1 s timer, last sample.",
    registry=REGISTRY,
)
INGEST_REQUESTS = Counter(
    "wirestream_ingest_requests",
    "POST /stories requests, by HTTP status answered.",
    ["status"],
    registry=REGISTRY,
)
BUILD_INFO = Gauge(
    "wirestream_build_info",
    "Version of wirestream and of the Kafka it was built against.",
    ["version", "kafka_version"],
    registry=REGISTRY,
)

METRIC_NAMES = frozenset(
    {
        "wirestream_stories_received_total",
        "wirestream_stories_enriched_total",
        "wirestream_events_published_total",
        "wirestream_dead_letters_total",
        "wirestream_duplicates_dropped_total",
        "wirestream_stories_killed_total",
        "wirestream_stage_seconds",
        "wirestream_end_to_end_latency_seconds",
        "wirestream_consumer_lag_messages",
        "wirestream_batch_size_stories",
        "wirestream_story_entities",
        "wirestream_story_quotes",
        "wirestream_story_size_bytes",
        "wirestream_rebalances_total",
        "wirestream_event_loop_lag_seconds",
        "wirestream_build_info",
        "wirestream_ingest_requests_total",
        "wirestream_fetch_stalls_recovered_total",
    }
)

# Bounded state: the lifecycle tables and the near-duplicate index, after each expiry pass.
TABLE_ROWS = Gauge(
    "wirestream_table_rows",
    "Rows this worker holds in each lifecycle table (its own partitions; every partition for "
    "story-fingerprints, a global table), counted at the last expiry pass.",
    ["table"],
    registry=REGISTRY,
)
TABLE_ROWS_EXPIRED = Counter(
    "wirestream_table_rows_expired",
    "Lifecycle table rows deleted (a tombstone on the changelog) for being older than the "
    "retention.",
    ["table"],
    registry=REGISTRY,
)
NEAR_INDEX_STORIES = Gauge(
    "wirestream_near_index_stories",
    "Stories in the in-memory near-duplicate index.",
    registry=REGISTRY,
)

# Permanent Kafka errors (agents/worker/degraded.py), also the reasons of a degraded /health.
PERMANENT_ERRORS = Gauge(
    "wirestream_permanent_errors",
    "Permanent Kafka errors standing now, by reason: topics missing or not writable (stories "
    "wait for them), and topics that refused a record for size in the last 10 minutes.",
    ["reason"],
    registry=REGISTRY,
)
METRIC_NAMES = METRIC_NAMES | {"wirestream_permanent_errors"}
