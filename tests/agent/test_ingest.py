"""Agent tier: `POST /stories` on the worker's web app (aiohttp's test client), with the raw
topic replaced by a recorder. Status codes, what reaches Kafka, and where parsing runs."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from agents.settings import Settings
from agents.web.ingest import FORMAT_HEADER, bearer_ok, format_hint
from agents.worker.app import create_app
from pipeline.enrich import Enricher
from pipeline.formats import parse_story
from pipeline.testing import FakeLanguageModel, seed_text, simple_entities

TOKEN = "desk-token-7f3a9c"
STORY = seed_text(
    "urn:test:ingest:1", "Harbour officials in Bergen reopened the quay on Monday.", version=2
)


class Metadata:
    def __init__(self, partition: int, offset: int) -> None:
        self.topic, self.partition, self.offset = "wire.stories.raw.v1", partition, offset


class RecordingSender:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[bytes, bytes, list[tuple[str, bytes]]]] = []
        self.fail = fail

    async def __call__(self, key: bytes, value: bytes, headers: list[tuple[str, bytes]]) -> Any:
        if self.fail:
            raise ConnectionError("broker down")
        self.sent.append((key, value, headers))
        return Metadata(1, 41 + len(self.sent))


def make_app(tmp_path: Path, **overrides: Any) -> Any:
    settings = Settings(
        broker="127.0.0.1:1",
        data_dir=tmp_path / "w",
        nlp_processes=0,
        app_id=f"ingest-test-{id(tmp_path)}",
        max_story_bytes=2048,
        store="memory://",
        **overrides,
    )
    enricher = Enricher(
        FakeLanguageModel(), pre_stages=(), post_stages=(), group_entities=simple_entities
    )
    app = create_app(settings, enricher)
    app.finalize()
    app.web.init_server()
    return app


@pytest.fixture
def open_app(tmp_path: Path) -> Iterator[Any]:
    yield make_app(tmp_path)


@pytest.fixture
def token_app(tmp_path: Path) -> Iterator[Any]:
    yield make_app(tmp_path, ingest_token=TOKEN)


Poster = Callable[..., Awaitable[tuple[int, dict[str, Any], RecordingSender]]]


def with_client(app: Any, scenario: Callable[[Poster], Awaitable[None]]) -> None:
    """Runs `scenario` with a `post(data, headers, sender)` bound to one test client (an aiohttp
    application belongs to the one event loop it first ran on)."""

    async def main() -> None:
        async with TestClient(TestServer(app.web.web_app)) as client:

            async def post(
                data: Any,
                headers: dict[str, str] | None = None,
                sender: RecordingSender | None = None,
            ) -> Any:
                recorder = sender or RecordingSender()
                app.wirestream_live["ingest"].send = recorder
                response = await client.post("/stories", data=data, headers=headers or {})
                return response.status, await response.json(), recorder

            await scenario(post)

    asyncio.run(main())


def test_valid_story_is_written_unchanged_with_its_id_as_key(open_app: Any) -> None:
    async def scenario(post: Poster) -> None:
        status, body, recorder = await post(STORY, {"Content-Type": "text/plain"})
        assert status == 202
        assert body == {
            "story_id": "urn:test:ingest:1",
            "version": 2,
            "topic": "wire.stories.raw.v1",
            "partition": 1,
            "offset": 42,
        }
        assert recorder.sent == [(b"urn:test:ingest:1", STORY, [(FORMAT_HEADER, b"text")])]

    with_client(open_app, scenario)


def test_explicit_format_header_wins_and_no_hint_means_no_kafka_header(open_app: Any) -> None:
    json_story = b'{"id": "urn:test:ingest:j", "body": "Ferries to Tromso resumed at dawn."}'

    async def scenario(post: Poster) -> None:
        status, _, with_hint = await post(
            json_story, {"Content-Type": "text/plain", "X-Wirestream-Format": "JSON"}
        )
        assert status == 202 and with_hint.sent[0][2] == [(FORMAT_HEADER, b"json")]
        status, _, without = await post(json_story, {"Content-Type": "application/octet-stream"})
        assert status == 202 and without.sent[0][2] == []

    with_client(open_app, scenario)


def test_invalid_input_gets_422_with_the_parser_code(open_app: Any) -> None:
    async def scenario(post: Poster) -> None:
        status, body, recorder = await post(b"\xff\xfe not utf-8")
        assert status == 422 and body["error_code"] == "invalid_encoding"
        assert "UTF-8" in body["message"] and recorder.sent == []
        status, body, _ = await post(b'{"body": ', {"Content-Type": "application/json"})
        assert status == 422 and body["error_code"] == "invalid_json"
        status, body, _ = await post(b"   ")
        assert status == 422 and body["error_code"] == "invalid_story"

    with_client(open_app, scenario)


def test_oversized_story_gets_413_whether_declared_or_streamed(open_app: Any) -> None:
    big = seed_text("urn:test:big", "word " * 1000)

    async def chunks() -> AsyncIterator[bytes]:  # chunked upload: no Content-Length to trust
        for _ in range(10):
            yield b"x" * 512

    async def scenario(post: Poster) -> None:
        status, body, recorder = await post(big)
        assert status == 413 and body["error_code"] == "story_too_large"
        status, body, streamed = await post(chunks())
        assert status == 413 and body["error_code"] == "story_too_large"
        assert recorder.sent == [] and streamed.sent == []

    with_client(open_app, scenario)


def test_token_is_required_when_configured(token_app: Any, caplog: Any) -> None:
    async def scenario(post: Poster) -> None:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": TOKEN},
            {"Authorization": f"Basic {TOKEN}"},
        ):
            status, body, recorder = await post(STORY, headers)
            assert status == 401, headers
            assert body["error_code"] == "unauthorized" and recorder.sent == []
        status, _, recorder = await post(STORY, {"Authorization": f"bearer {TOKEN}"})
        assert status == 202 and len(recorder.sent) == 1
        status, body, _ = await post(
            STORY, {"Authorization": f"Bearer {TOKEN}"}, RecordingSender(fail=True)
        )
        assert status == 503 and body["error_code"] == "broker_unavailable"

    with caplog.at_level(logging.DEBUG):
        with_client(token_app, scenario)
    assert "raw topic write failed" in caplog.text
    assert TOKEN not in caplog.text


def test_parsing_runs_off_the_event_loop(open_app: Any) -> None:
    ingest = open_app.wirestream_live["ingest"]
    threads: list[int] = []

    def recording_parse(data: bytes, hint: str | None, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return parse_story(data, hint, **kwargs)

    ingest.parse = recording_parse

    async def scenario(post: Poster) -> None:
        status, _, _ = await post(STORY)
        assert status == 202

    with_client(open_app, scenario)
    assert threads and threads[0] != threading.get_ident()


def test_header_helpers_are_strict_and_fast() -> None:
    assert format_hint({"Content-Type": "application/json; charset=utf-8"}) == "json"
    assert format_hint({"X-Wirestream-Format": "nitf"}) == "nitf"
    assert format_hint({"X-Wirestream-Format": "no spaces/allowed"}) is None
    assert bearer_ok(None, None)  # no token configured: open
    started = time.perf_counter()
    assert format_hint({"X-Wirestream-Format": "a" + "-" * 100_000 + " "}) is None
    assert format_hint({"Content-Type": ";" * 100_000}) is None
    assert not bearer_ok("Bearer " + " " * 100_000, SecretStr(TOKEN))
    assert time.perf_counter() - started < 2
