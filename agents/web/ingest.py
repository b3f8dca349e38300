"""`POST /stories`: the HTTP way onto the raw topic. Checks the token and the size, validates the
story with the parser, then writes the original bytes to the raw topic and waits for the ack.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import faust
from aiohttp import web as aioweb
from pydantic import SecretStr

from agents import metrics
from agents.settings import Settings
from pipeline.errors import (
    BROKER_UNAVAILABLE,
    CROSS_SITE_REFUSED,
    REQUEST_TIMEOUT,
    STORY_TOO_LARGE,
    UNAUTHORIZED,
    UNTRUSTED_HOST,
    WireError,
)
from pipeline.formats import parse_story
from pipeline.story import Story

log = logging.getLogger(__name__)

FORMAT_HEADER = "wirestream-format"
HINT_HEADER = "X-Wirestream-Format"
ACK_TIMEOUT_SECONDS = 30.0
READ_CHUNK = 64 * 1024
_HINT = re.compile(r"[a-z0-9][a-z0-9.+_-]{0,31}")
CONTENT_TYPE_FORMATS = {
    "text/plain": "text",
    "application/json": "json",
    "application/ninjs+json": "ninjs",
    "application/vnd.iptc.ninjs+json": "ninjs",
    "application/nitf+xml": "nitf",
    "application/vnd.iptc.nitf+xml": "nitf",
    "application/vnd.iptc.g2.newsitem+xml": "newsml",
}

Reader = Callable[[int], Awaitable[bytes]]
Sender = Callable[[bytes, bytes, list[tuple[str, bytes]]], Awaitable[Any]]
Parser = Callable[..., Story]


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: str, message: str, **headers: str) -> Reply:
    return Reply(status, {"error_code": code, "message": message}, dict(headers))


def format_hint(headers: Mapping[str, str]) -> str | None:
    """The format named by X-Wirestream-Format, else by a Content-Type we know; else None."""
    explicit = (headers.get(HINT_HEADER) or "").strip().lower()
    if explicit:
        return explicit if _HINT.fullmatch(explicit) else None
    media = (headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    return CONTENT_TYPE_FORMATS.get(media)


def bearer_ok(authorization: str | None, token: SecretStr | None) -> bool:
    """True when no token is configured, or the Bearer credential equals it (constant time)."""
    if token is None:
        return True
    scheme, _, credential = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        credential = ""
    expected = token.get_secret_value().encode()
    return hmac.compare_digest(credential.strip().encode(), expected) and bool(expected)


async def read_limited(read: Reader, limit: int) -> bytes | None:
    """The whole body, or None as soon as it grows past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await read(READ_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)


class Ingest:
    """The handler logic, free of the web framework: headers and a body reader in, a Reply out."""

    def __init__(
        self,
        settings: Settings,
        send: Sender,
        parse: Parser = parse_story,
        ack_timeout: float = ACK_TIMEOUT_SECONDS,
    ) -> None:
        self.token = settings.ingest_token
        self.loopback = is_loopback(settings.web_host)
        self.timeout = settings.http_timeout_seconds
        self.max_bytes = settings.max_story_bytes
        self.send = send
        self.parse = parse
        self.ack_timeout = ack_timeout

    async def handle(self, headers: Mapping[str, str], read: Reader) -> Reply:
        refused = self.refuse_site(headers)
        if refused is not None:
            return refused
        if not bearer_ok(headers.get("Authorization"), self.token):
            return error(
                401,
                UNAUTHORIZED.code,
                UNAUTHORIZED.say(),
                **{"WWW-Authenticate": 'Bearer realm="wirestream"'},
            )
        too_large = error(413, STORY_TOO_LARGE.code, STORY_TOO_LARGE.say(limit=self.max_bytes))
        declared = headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            return too_large
        try:
            data = await asyncio.wait_for(read_limited(read, self.max_bytes), self.timeout)
        except TimeoutError:
            return error(408, REQUEST_TIMEOUT.code, REQUEST_TIMEOUT.say(seconds=self.timeout))
        if data is None:
            return too_large
        hint = format_hint(headers)
        loop = asyncio.get_running_loop()
        try:
            story = await loop.run_in_executor(
                None, partial(self.parse, data, hint, max_bytes=self.max_bytes)
            )
        except WireError as exc:
            return error(422, exc.code, exc.message)
        kafka_headers = [(FORMAT_HEADER, hint.encode())] if hint else []
        try:
            sent = await asyncio.wait_for(
                self.send(story.story_id.encode(), data, kafka_headers), self.ack_timeout
            )
        except Exception as exc:  # noqa: BLE001 - any broker failure is the same answer
            log.warning(
                "POST /stories: raw topic write failed for %s: %s",
                story.story_id,
                type(exc).__name__,
            )
            return error(503, BROKER_UNAVAILABLE.code, BROKER_UNAVAILABLE.say())
        return Reply(
            202,
            {
                "story_id": story.story_id,
                "version": story.version,
                "topic": sent.topic,
                "partition": sent.partition,
                "offset": sent.offset,
            },
        )

    def refuse_site(self, headers: Mapping[str, str]) -> Reply | None:
        """Refuse what a web page the editor happens to have open could send: a post from
        another origin (a browser always names it), or, on loopback, a Host that is not a
        loopback name (a DNS-rebinding page talks to 127.0.0.1 under its own name)."""
        host = (headers.get("Host") or "").strip().lower()
        if self.loopback and host and _host_name(host) not in LOOPBACK_NAMES:
            return error(403, UNTRUSTED_HOST.code, UNTRUSTED_HOST.say(host=host[:100]))
        origin = (headers.get("Origin") or "").strip().lower()
        if origin and origin != "null" and urlsplit(origin).netloc != host:
            return error(403, CROSS_SITE_REFUSED.code, CROSS_SITE_REFUSED.say())
        if origin == "null":  # a sandboxed frame or a file:// page
            return error(403, CROSS_SITE_REFUSED.code, CROSS_SITE_REFUSED.say())
        return None


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def _host_name(host: str) -> str:
    """The name part of a Host header ("127.0.0.1:6066" -> "127.0.0.1", "[::1]:80" -> "[::1]")."""
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return "127.0.0.1" if name.startswith("127.") else name


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return address == "localhost"


def check_ingest_exposure(settings: Settings) -> None:
    """Refuse to start an open POST /stories on a non-loopback address."""
    if (
        settings.ingest_enabled
        and settings.ingest_token is None
        and not is_loopback(settings.web_host)
    ):
        raise IngestExposed(
            f"the web server listens on {settings.web_host}, so POST /stories would take "
            "stories from anyone who can reach it: set WIRESTREAM_INGEST_TOKEN, or "
            "WIRESTREAM_INGEST_ENABLED=false, or WIRESTREAM_WEB_HOST=127.0.0.1"
        )


class IngestExposed(RuntimeError):
    """Start-up refused: HTTP ingest would be open to the network."""


def topic_sender(raw_topic: Any) -> Sender:
    """Writes to the raw topic through the app's producer and waits for the broker's ack."""

    async def send(key: bytes, value: bytes, headers: list[tuple[str, bytes]]) -> Any:
        pending = await raw_topic.send(key=key, value=value, headers=headers or None)
        return await pending

    return send


def add_ingest_view(app: faust.App, settings: Settings, raw_topic: Any) -> Ingest | None:
    check_ingest_exposure(settings)
    if not settings.ingest_enabled:
        return None
    ingest = Ingest(settings, topic_sender(raw_topic))

    @app.page("/stories")
    class StoriesView(faust.web.View):
        async def post(self, request: Any) -> Any:
            reply = await ingest.handle(request.headers, request.content.read)
            metrics.INGEST_REQUESTS.labels(str(reply.status)).inc()
            return aioweb.json_response(reply.body, status=reply.status, headers=reply.headers)

    return ingest
