"""Permanent Kafka errors are visible, on a broker set up as a stock production one: records up
to 1 MB (`message.max.bytes=1048576`), no topic auto-creation, ACLs enforced. A record over the
limit costs that story alone (an `event_too_large` dead letter); a deleted output topic or a
revoked write turns /health to 503 "degraded" with the reason and raises
wirestream_permanent_errors within 30 s, while the story waits and is delivered once the topic
is back."""

from __future__ import annotations

import asyncio
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka.consumer.group_coordinator import GroupCoordinator
from aiokafka.structs import OffsetAndMetadata, TopicPartition
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    NewTopic,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
)
from pydantic import SecretStr

from agents.settings import Settings
from agents.worker.degraded import Degraded
from agents.worker.faust_fixes import guard_offset_commits
from agents.worker.publish import permanent_reason, stalled_reason
from agents.worker.topics import ensure_topics, topic_specs
from deploy.kafka.broker import LocalBroker, ScramUser
from pipeline.testing import seed_text
from tests.integration.conftest import free_port, fresh_settings, metric_value, running_worker
from tests.integration.test_worker_kafka import consume

pytestmark = pytest.mark.integration

STOCK_LIMIT = 1048576
DESK_USER = "wire-desk"
STRICT_CONFIG = {
    "message.max.bytes": str(STOCK_LIMIT),
    "auto.create.topics.enable": "false",
    "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    # the PLAINTEXT listener (controller, inter-broker, this test's admin) is a super user;
    # the worker of the ACL test logs in as DESK_USER on the SASL listener
    "super.users": "User:ANONYMOUS",
}

PORTS = ("Gdansk", "Rotterdam", "Antwerp", "Hamburg", "Le Havre", "Valencia", "Genoa", "Piraeus")
OFFICIALS = ("Marta Kowalczyk", "Pieter de Vries", "Anke Schulz", "Luca Ferraro", "Elena Ruiz")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


@dataclass(frozen=True)
class StrictBroker:
    broker: LocalBroker
    sasl_port: int
    password: str


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StrictBroker]:
    password = secrets.token_urlsafe(18)
    sasl_port = free_port()
    broker = LocalBroker(
        port=free_port(),
        controller_port=free_port(),
        state_dir=tmp_path_factory.mktemp("kafka-strict"),
        extra_listeners=(("SASL_PLAINTEXT", sasl_port, "SASL_PLAINTEXT"),),
        scram_users=(ScramUser(DESK_USER, password),),
        extra_config=STRICT_CONFIG,
    )
    broker.start()
    try:
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
        desk = f"User:{DESK_USER}"
        everything = [
            (ResourceType.TOPIC, "*"),
            (ResourceType.GROUP, "*"),
            (ResourceType.CLUSTER, "kafka-cluster"),
            (ResourceType.TRANSACTIONAL_ID, "*"),
        ]
        created = admin.create_acls(
            [
                ACL(desk, "*", ACLOperation.ALL, ACLPermissionType.ALLOW, ResourcePattern(t, n))
                for t, n in everything
            ]
        )
        admin.close()
        assert not created["failed"], created
        yield StrictBroker(broker, sasl_port, password)
    finally:
        broker.stop()


def test_extra_settings_replace_the_template_lines(strict: StrictBroker) -> None:
    lines = strict.broker.write_config().read_text().splitlines()
    assert lines.count(f"message.max.bytes={STOCK_LIMIT}") == 1
    assert not [
        x for x in lines if x.startswith("message.max.bytes=") and str(STOCK_LIMIT) not in x
    ]
    assert "auto.create.topics.enable=false" in lines
    assert "auto.create.topics.enable=true" not in lines


class _Metadata:
    def __init__(self, topics: set[str]) -> None:
        self.topics = topics

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        return {0} if topic in self.topics else None


def coordinator_without(gone: str, live: set[str]) -> Any:
    """What aiokafka's commit loop touches of its group coordinator, answered by a broker that
    no longer has topic `gone` (UNKNOWN_TOPIC_OR_PARTITION for it, as after a deletion)."""

    class Response:
        def __init__(self, topics: list[tuple[str, list[tuple[int, int]]]]) -> None:
            self.topics = topics

    class Coordinator:
        commit_offsets = GroupCoordinator.commit_offsets
        _do_commit_offsets = GroupCoordinator._do_commit_offsets  # as installed now
        group_id, generation, member_id, coordinator_id = "wirestream-desk", 3, "member-1", 1
        _retry_backoff_ms = 10

        def __init__(self) -> None:
            self._cluster = _Metadata(live)
            self._commit_lock = asyncio.Lock()
            self.sent: list[dict[str, list[int]]] = []

        async def ensure_coordinator_known(self) -> None:
            return None

        async def _send_req(self, request: Any) -> Response:
            asked = {topic: [p for p, *_ in parts] for topic, parts in request._topics}
            self.sent.append(asked)
            return Response(
                [(t, [(p, 3 if t == gone else 0) for p in parts]) for t, parts in asked.items()]
            )

    return Coordinator()


def test_a_commit_naming_a_deleted_topic_commits_the_rest_and_returns() -> None:
    guard_offset_commits()
    raw, enriched = "desk.stories.raw.v1", "desk.stories.enriched.v1"
    coordinator = coordinator_without(enriched, {raw})
    offsets = {
        TopicPartition(raw, 0): OffsetAndMetadata(7, ""),
        TopicPartition(enriched, 0): OffsetAndMetadata(1, ""),
    }

    async def commit() -> None:
        await asyncio.wait_for(coordinator.commit_offsets(None, offsets), timeout=5)

    asyncio.run(commit())  # unpatched, aiokafka retries this commit for ever
    assert coordinator.sent == [{raw: [0], enriched: [0]}, {raw: [0]}]


def test_send_errors_are_sorted_into_permanent_reasons_and_transient_ones() -> None:
    from aiokafka import errors
    from faust.exceptions import ProducerSendError

    def wrapped(cause: Exception) -> Exception:
        try:
            raise ProducerSendError("Error while sending") from cause
        except ProducerSendError as exc:
            return exc

    def code(exc: Exception) -> str | None:
        reason = permanent_reason(exc)
        return None if reason is None else reason.code

    assert code(wrapped(errors.MessageSizeTooLargeError())) == "event_too_large"
    assert code(errors.TopicAuthorizationFailedError("t")) == "not_authorized"
    assert code(errors.ClusterAuthorizationFailedError()) == "not_authorized"
    assert code(wrapped(errors.UnknownTopicOrPartitionError())) == "topic_missing"
    assert code(wrapped(errors.KafkaTimeoutError())) is None
    assert code(errors.NotLeaderForPartitionError()) is None

    # the producer's metadata says "no such topic" only once the broker answered since the stall
    class Cluster:
        unauthorized_topics = {"desk.refused"}
        _last_successful_refresh_ms = 1_000_000.0

        def partitions_for_topic(self, topic: str) -> set[int] | None:
            return {0} if topic == "desk.present" else None

    def stalled(topic: str, since: float) -> str | None:
        found = stalled_reason(Cluster(), topic, since)
        return None if found is None else found[0].code

    assert stalled("desk.gone", since=999.0) == "topic_missing"
    assert stalled("desk.refused", since=999.0) == "not_authorized"
    assert stalled("desk.present", since=999.0) is None
    assert stalled("desk.gone", since=1001.0) is None  # no answer since: the broker may be down
    assert stalled_reason(None, "desk.gone", since=0.0) is None


def test_standing_reasons_last_until_delivery_and_size_refusals_for_the_hold() -> None:
    from pipeline.errors import EVENT_TOO_LARGE, TOPIC_MISSING

    now = [1000.0]
    degraded = Degraded(hold_seconds=600, clock=lambda: now[0])
    degraded.report(TOPIC_MISSING, "desk.enriched", "gone")
    degraded.report(EVENT_TOO_LARGE, "desk.prepared", "too big")
    now[0] += 599
    degraded.delivered("desk.prepared")  # a later send there does not hide the refusal
    assert {(p.reason, p.topic) for p in degraded.problems()} == {
        ("topic_missing", "desk.enriched"),
        ("event_too_large", "desk.prepared"),
    }
    now[0] += 2
    assert [p.reason for p in degraded.problems()] == ["topic_missing"]
    assert degraded.count(TOPIC_MISSING) == 1 and degraded.count(EVENT_TOO_LARGE) == 0
    degraded.delivered("desk.enriched")
    assert degraded.problems() == []


def health(settings: Settings) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"{settings.web_url}/health", timeout=5) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, orjson.loads(refused.read())


def await_health(settings: Settings, status: int, timeout: float) -> tuple[dict[str, Any], float]:
    """Polls /health until it answers `status`; the body and the seconds it took."""
    started = time.monotonic()
    while True:
        code, body = health(settings)
        waited = time.monotonic() - started
        if code == status:
            return body, waited
        if waited > timeout:
            pytest.fail(f"/health still answers {code} {body} after {timeout:.0f}s")
        time.sleep(0.5)


def reasons(body: dict[str, Any]) -> set[tuple[str, str]]:
    return {(r["reason"], r["topic"]) for r in body["reasons"]}


def gauge(settings: Settings, reason: str) -> float:
    return metric_value(settings, f'wirestream_permanent_errors{{reason="{reason}"}}')


def push(producer: KafkaProducer, settings: Settings, story_id: str, body: str) -> None:
    raw = topic_specs(settings)["raw"].name
    producer.send(raw, seed_text(story_id, body), key=story_id.encode()).get(timeout=30)


def push_and_see_enriched(
    producer: KafkaProducer, reader: Settings, story_id: str, body: str
) -> None:
    """The worker runs: a first story goes through (read through `reader`'s listener)."""
    push(producer, reader, story_id, body)
    assert [e["story_id"] for e in consume(reader, "enriched", 1, timeout=120)] == [story_id]


def plaintext(settings: Settings, strict: StrictBroker) -> Settings:
    """The same topics, read through the broker's PLAINTEXT listener (a super user)."""
    return settings.model_copy(update={"broker": strict.broker.bootstrap})


def quote_heavy_copy(paragraphs: int) -> str:
    """Copy whose enriched event is some five times its size: a quote and a date per line."""
    lines = []
    for i in range(paragraphs):
        port, official, day = PORTS[i % 8], OFFICIALS[i % 5], DAYS[i % 5]
        lines.append(
            f"\u201cThe new berth at {port} will take the larger ships by March,\u201d "
            f"{official} said on {day}."
        )
    return "\n\n".join(lines)


def long_copy(size: int) -> str:
    """Plain copy of about `size` characters, no quotes."""
    lines, total, i = [], 0, 0
    while total < size:
        line = (
            f"Dock workers at {PORTS[i % 8]} unloaded {120 + i % 37} containers of grain on "
            f"{DAYS[i % 5]} as the harbour cleared its backlog after the storm."
        )
        lines.append(line)
        total += len(line) + 2
        i += 1
    return "\n\n".join(lines)


def test_a_record_over_the_brokers_limit_is_dead_lettered_alone_and_shown(
    strict: StrictBroker, tmp_path: Path
) -> None:
    settings = fresh_settings(strict.broker.bootstrap, tmp_path, kind="size").model_copy(
        update={"partitions": 1, "story_timeout_seconds": 300.0}
    )
    ensure_topics(settings)
    specs = topic_specs(settings)
    stories = {
        "urn:limit:before": seed_text(
            "urn:limit:before", "Ferry crews in Calais ended their strike on Monday."
        ),
        # fits the raw and prepared topics; its enriched event (every quote) is over 1 MB
        "urn:limit:quotes": seed_text("urn:limit:quotes", quote_heavy_copy(2200)),
        # fits the raw topic; its prepared record (story + original) is over 1 MB
        "urn:limit:long": seed_text("urn:limit:long", long_copy(900_000)),
        "urn:limit:after": seed_text(
            "urn:limit:after", "The port of Dover reopened to lorries on Tuesday morning."
        ),
    }
    assert all(len(data) < STOCK_LIMIT - 4096 for data in stories.values())
    producer = KafkaProducer(
        bootstrap_servers=strict.broker.bootstrap, max_request_size=STOCK_LIMIT
    )
    with running_worker(settings, tmp_path / "worker.log"):
        for story_id, data in stories.items():
            producer.send(specs["raw"].name, data, key=story_id.encode()).get(timeout=30)
        producer.flush()
        enriched = consume(settings, "enriched", 2, timeout=300)
        letters = consume(settings, "dead_letter", 2, timeout=120)
        status, body = health(settings)
        too_large = gauge(settings, "event_too_large")
        time.sleep(2)  # a late extra dead letter or a resent event would show by now
        all_letters = consume(settings, "dead_letter", 3, timeout=5)
        all_enriched = consume(settings, "enriched", 3, timeout=5)
    assert sorted(e["story_id"] for e in enriched) == ["urn:limit:after", "urn:limit:before"]
    assert len(all_letters) == 2 and len(all_enriched) == 2
    by_story = {letter["story_id"]: letter for letter in letters}
    assert set(by_story) == {"urn:limit:quotes", "urn:limit:long"}
    for letter in letters:
        assert (letter["error_code"], letter["stage"]) == ("event_too_large", "publish")
        assert "MessageSizeTooLargeError" in letter["message"]
    assert specs["enriched"].name in by_story["urn:limit:quotes"]["message"]
    assert specs["prepared"].name in by_story["urn:limit:long"]["message"]
    assert status == 503 and body["status"] == "degraded", body
    assert reasons(body) == {
        ("event_too_large", specs["enriched"].name),
        ("event_too_large", specs["prepared"].name),
    }
    assert too_large == 2


def test_a_deleted_output_topic_degrades_health_and_the_story_waits_for_it(
    strict: StrictBroker, tmp_path: Path
) -> None:
    settings = fresh_settings(strict.broker.bootstrap, tmp_path, kind="gone")
    ensure_topics(settings)
    specs = topic_specs(settings)
    enriched_topic = specs["enriched"].name
    producer = KafkaProducer(bootstrap_servers=strict.broker.bootstrap)
    admin = KafkaAdminClient(bootstrap_servers=strict.broker.bootstrap)
    try:
        with running_worker(settings, tmp_path / "worker.log"):
            push_and_see_enriched(
                producer, settings, "urn:gone:1", "Snow closed the Brenner pass on Friday."
            )
            admin.delete_topics([enriched_topic])
            deadline = time.monotonic() + 30
            while enriched_topic in admin.list_topics() and time.monotonic() < deadline:
                time.sleep(0.5)
            push(producer, settings, "urn:gone:2", "Rail freight through the Alps resumed.")
            body, waited = await_health(settings, 503, timeout=60)
            missing = gauge(settings, "topic_missing")
            with urllib.request.urlopen(f"{settings.web_url}/health/live", timeout=5) as live:
                alive = live.status  # a restart cures none of this: liveness stays 200
            time.sleep(3)
            still_gone = enriched_topic not in admin.list_topics()  # nothing re-created it
            admin.create_topics([NewTopic(enriched_topic, settings.partitions, 1)])
            delivered = consume(settings, "enriched", 1, timeout=120)
            healed, _ = await_health(settings, 200, timeout=30)
            after = gauge(settings, "topic_missing")
    finally:
        admin.close()
    print(f"\ntopic deleted: /health degraded {waited:.1f}s after the story was sent")
    assert waited < 30, waited
    assert body["status"] == "degraded"
    assert reasons(body) == {("topic_missing", enriched_topic)}
    assert "create it again" in body["reasons"][0]["message"]
    assert missing == 1
    assert alive == 200
    assert still_gone
    assert [e["story_id"] for e in delivered] == ["urn:gone:2"]  # held, not lost
    assert healed["status"] == "ok" and healed["reasons"] == []
    assert after == 0


def test_a_revoked_write_degrades_health_until_it_is_granted_again(
    strict: StrictBroker, tmp_path: Path
) -> None:
    base = fresh_settings(strict.broker.bootstrap, tmp_path, kind="acl")
    settings = base.model_copy(
        update={
            "broker": f"127.0.0.1:{strict.sasl_port}",
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_username": DESK_USER,
            "sasl_password": SecretStr(strict.password),
        }
    )
    ensure_topics(settings)
    specs = topic_specs(settings)
    enriched_topic = specs["enriched"].name
    reader = plaintext(settings, strict)
    producer = KafkaProducer(bootstrap_servers=strict.broker.bootstrap)
    admin = KafkaAdminClient(bootstrap_servers=strict.broker.bootstrap)
    deny = ACL(
        f"User:{DESK_USER}",
        "*",
        ACLOperation.WRITE,
        ACLPermissionType.DENY,
        ResourcePattern(ResourceType.TOPIC, enriched_topic),
    )
    try:
        with running_worker(settings, tmp_path / "worker.log"):
            push_and_see_enriched(
                producer, reader, "urn:acl:1", "Vineyards in Burgundy began the harvest early."
            )
            assert not admin.create_acls([deny])["failed"]
            push(producer, reader, "urn:acl:2", "Hail damaged orchards across South Tyrol.")
            body, waited = await_health(settings, 503, timeout=60)
            refused = gauge(settings, "not_authorized")
            admin.delete_acls(
                [
                    ACLFilter(
                        deny.principal,
                        "*",
                        ACLOperation.WRITE,
                        ACLPermissionType.DENY,
                        ResourcePatternFilter(
                            ResourceType.TOPIC, enriched_topic, ACLResourcePatternType.LITERAL
                        ),
                    )
                ]
            )
            delivered = consume(reader, "enriched", 2, timeout=120)
            healed, _ = await_health(settings, 200, timeout=30)
            after = gauge(settings, "not_authorized")
    finally:
        admin.close()
    print(f"\nwrite revoked: /health degraded {waited:.1f}s after the story was sent")
    assert waited < 30, waited
    assert reasons(body) == {("not_authorized", enriched_topic)}
    assert "TopicAuthorizationFailedError" in body["reasons"][0]["message"]
    assert refused == 1
    assert [e["story_id"] for e in delivered] == ["urn:acl:1", "urn:acl:2"]  # held, not lost
    assert healed["status"] == "ok"
    assert after == 0
