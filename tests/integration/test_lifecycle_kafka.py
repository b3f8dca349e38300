"""Story lifecycle on the real broker: resends, version order, kills, embargoes, hostile XML."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer

from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from tests.integration.conftest import running_worker
from tests.integration.test_worker_kafka import consume

pytestmark = pytest.mark.integration

BODY = (
    "Rescue teams in the Alpine village of Brienz reached the last cut-off farms on Sunday after "
    "a mudslide blocked the only road for three days, cantonal police said. No one was hurt, "
    "but about forty residents spent two nights in the school gym while engineers checked the "
    "slope above the village. Geologists warned that more rain forecast for the coming week "
    "could set the hillside moving again."
)


def story(story_id: str, version: int, body: str = BODY, **headers: str) -> bytes:
    lines = [f"id {story_id}", f"version {version}", "date 2026-11-22"]
    lines += [f"{key} {value}" for key, value in headers.items()]
    return ("\n".join(lines) + "\n\n" + body + "\n").encode()


def send(settings: Settings, *messages: bytes, key: bytes | None = None) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.broker)
    for message in messages:
        producer.send(topic_specs(settings)["raw"].name, message, key=key).get(timeout=30)
    producer.close()


def test_resends_versions_and_kill(settings: Settings, tmp_path: Path) -> None:
    ensure_topics(settings)
    with running_worker(settings, tmp_path / "worker.log"):
        key = b"urn:t:slide"  # a newsroom producer keys by story id, as `wirestream push` does
        send(settings, story("urn:t:slide", 1), story("urn:t:slide", 1), key=key)  # resend
        send(settings, story("urn:t:slide", 3, BODY + " Update: the road reopened."), key=key)
        send(settings, story("urn:t:slide", 2, BODY + " An older correction."), key=key)
        send(settings, story("urn:t:slide", 4, "Withdrawn.", pubstatus="canceled"), key=key)
        events = consume(settings, "enriched", 3, timeout=40)
        time.sleep(3)  # anything extra (the resend, version 2) would have arrived by now
        events = consume(settings, "enriched", 99, timeout=5)
    assert [(e["kind"], e["version"]) for e in events] == [("story", 1), ("story", 3), ("kill", 4)]


def test_without_keys_an_older_version_never_follows_a_newer_one(
    settings: Settings, tmp_path: Path
) -> None:
    """Unkeyed raw messages may be read in any order across partitions; what comes out must
    still never step back to an older version, and must end on the newest."""
    ensure_topics(settings)
    with running_worker(settings, tmp_path / "worker.log"):
        for version in (1, 3, 2):
            send(settings, story("urn:t:nokey", version, BODY + f" Take {version}."))
        events = consume(settings, "enriched", 3, timeout=30)
        time.sleep(3)
        events = consume(settings, "enriched", 99, timeout=5)
    versions = [e["version"] for e in events]
    assert versions[-1] == 3 and versions == sorted(versions)


def test_embargo_holds_until_it_lifts_even_across_a_restart(
    settings: Settings, tmp_path: Path
) -> None:
    ensure_topics(settings)
    lifts = datetime.now(UTC) + timedelta(seconds=25)
    held = story("urn:t:embargo", 1, embargo=lifts.isoformat().replace("+00:00", "Z"))
    with running_worker(settings, tmp_path / "first.log"):
        send(settings, held)
        assert consume(settings, "enriched", 1, timeout=8) == []
    with running_worker(settings, tmp_path / "second.log"):
        assert datetime.now(UTC) < lifts, "restart took too long for this test to mean anything"
        (event,) = consume(settings, "enriched", 1, timeout=60)
        released_at = datetime.now(UTC)
        assert released_at >= lifts
        assert event["story_id"] == "urn:t:embargo"
        time.sleep(3)
        assert len(consume(settings, "enriched", 99, timeout=5)) == 1


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><nitf><body><body.content><p>&lol9;</p></body.content></body></nitf>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    b"<nitf><body><body.content><p>&secret;</p></body.content></body></nitf>"
)


def test_hostile_xml_is_dead_lettered_quickly_and_the_worker_goes_on(
    settings: Settings, tmp_path: Path
) -> None:
    ensure_topics(settings)
    with running_worker(settings, tmp_path / "worker.log"):
        started = time.monotonic()
        send(settings, BILLION_LAUGHS, EXTERNAL_ENTITY)
        letters = consume(settings, "dead_letter", 2, timeout=30)
        elapsed = time.monotonic() - started
        send(settings, story("urn:t:after", 1))
        (after,) = consume(settings, "enriched", 1, timeout=30)
    assert sorted(letter["error_code"] for letter in letters) == ["unsafe_markup", "unsafe_markup"]
    assert all("entit" in letter["message"].lower() for letter in letters)
    # refused before expansion: expanding the bomb means 3 GB of text and minutes of CPU; the
    # bound leaves room for a loaded 2-core CI machine (5.6 s seen with other suites running)
    assert elapsed < 15.0
    assert after["story_id"] == "urn:t:after"
