"""Every topic wirestream reads or writes: names, versions, partitions and retention.

One place for all of them; ensure_topics creates what is missing before the worker starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.security import check_access, explain, kafka_python_kwargs
from agents.settings import Settings

WEEK_MS = 7 * 24 * 3600 * 1000


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int
    description: str


def topic_specs(settings: Settings) -> dict[str, TopicSpec]:
    """Keyed by role. Names carry the event version: a breaking change gets a new topic."""
    p, prefix = settings.partitions, settings.topic_prefix
    return {
        "raw": TopicSpec(
            f"{prefix}.stories.raw.v1",
            p,
            4 * WEEK_MS,
            "raw stories in any supported format, as the newsroom sent them",
        ),
        "prepared": TopicSpec(
            f"{prefix}.stories.prepared.v1",
            p,
            WEEK_MS,
            "internal: parsed stories keyed by story id, for the lifecycle tables",
        ),
        "enriched": TopicSpec(
            f"{prefix}.stories.enriched.v1",
            p,
            4 * WEEK_MS,
            "enriched story events (schemas/enriched_story.v1.json)",
        ),
        "dead_letter": TopicSpec(
            f"{prefix}.stories.dead-letter.v1",
            1,
            8 * WEEK_MS,
            "messages that could not be enriched (schemas/dead_letter.v1.json)",
        ),
    }


def ensure_topics(settings: Settings, timeout: float = 30.0) -> list[str]:
    """Create any missing topic with its partitions and retention; returns the names created.
    Raises KafkaSecurityError (naming the user, never the password) when the broker refuses us."""
    check_access(settings, timeout)
    try:
        return _ensure_topics(settings, timeout)
    except Exception as exc:
        raise (explain(settings, exc) or exc) from exc


def _ensure_topics(settings: Settings, timeout: float) -> list[str]:
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(
        bootstrap_servers=settings.broker.split(","),
        request_timeout_ms=int(timeout * 1000),
        **kafka_python_kwargs(settings),
    )
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(
                spec.name,
                spec.partitions,
                settings.replicas,
                topic_configs={"retention.ms": str(spec.retention_ms)},
            )
            for spec in topic_specs(settings).values()
            if spec.name not in existing
        ]
        if wanted:
            try:
                admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass
        return [t.name for t in wanted]
    finally:
        admin.close()
