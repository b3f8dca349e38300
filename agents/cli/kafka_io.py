"""Plain Kafka clients for the CLI and the demo: push raw stories, read events back, and the
local broker the CLI starts and stops.

Both connect with the configured TLS/SASL (agents.security); a refusal raises KafkaSecurityError.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson

from agents.security import check_access, explain, kafka_python_kwargs
from agents.settings import Settings

if TYPE_CHECKING:
    from deploy.kafka.broker import LocalBroker


def producer(settings: Settings) -> Any:
    from kafka import KafkaProducer

    check_access(settings)
    try:
        return KafkaProducer(
            bootstrap_servers=settings.broker.split(","),
            acks="all",
            linger_ms=5,
            max_request_size=16 * 1024 * 1024,
            **kafka_python_kwargs(settings),
        )
    except Exception as exc:
        raise (explain(settings, exc) or exc) from exc


def read_events(
    settings: Settings,
    topic: str,
    *,
    until_count: int | None = None,
    timeout: float = 60.0,
    from_beginning: bool = True,
) -> Iterator[dict[str, Any]]:
    """Yield decoded events from `topic` until `until_count` arrived or `timeout` of silence."""
    from kafka import KafkaConsumer

    check_access(settings)
    try:
        consumer = KafkaConsumer(
            topic,
            bootstrap_servers=settings.broker.split(","),
            group_id=None,
            auto_offset_reset="earliest" if from_beginning else "latest",
            enable_auto_commit=False,
            consumer_timeout_ms=int(timeout * 1000),
            **kafka_python_kwargs(settings),
        )
    except Exception as exc:
        raise (explain(settings, exc) or exc) from exc
    seen = 0
    try:
        for record in consumer:
            yield orjson.loads(record.value)
            seen += 1
            if until_count is not None and seen >= until_count:
                return
    finally:
        consumer.close()


def local_broker(settings: Settings) -> LocalBroker:
    """The project's own single-node broker on the port the settings name."""
    from deploy.kafka.broker import LocalBroker, default_state_dir

    port = settings.broker_port
    state = settings.broker_state_dir or default_state_dir() / f"broker-{port}"
    return LocalBroker(port=port, controller_port=port + 1, state_dir=state)
