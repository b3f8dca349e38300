"""Editors' live views on the worker's web server: the dashboard page, the server-sent-events
stream of enriched stories (`/events`), trending entities, pipeline counts, and `POST /stories`.

Fan-out: a group-less Kafka consumer tails the enriched topic, so every worker sees every event.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faust
import orjson
from aiohttp import web as aioweb
from aiokafka import AIOKafkaConsumer

from agents import metrics
from agents.ingest import add_ingest_view
from agents.security import aiokafka_kwargs
from agents.settings import Settings
from agents.trending import Trending, parse_limit

log = logging.getLogger(__name__)

RING_SIZE = 200
CLIENT_QUEUE = 100
MAX_CLIENTS = 200
LEDE_CHARS = 280
LIMITS = {"entities": 80, "quotes": 30, "timex": 40}


def kill_of(event: dict[str, Any]) -> str | None:
    """The story id an event withdraws: a `{"kind": "kill"}` notice, or a canceled story."""
    story_id = event.get("story_id")
    if not isinstance(story_id, str) or not story_id:
        return None
    if event.get("kind") == "kill" or event.get("pubstatus") == "canceled":
        return story_id
    return None


def _text(value: Any, limit: int = 500) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _items(event: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = event.get(name)
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)][: LIMITS[name]]


def lede(body: str, limit: int = LEDE_CHARS) -> str:
    """The start of the body, cut at a word boundary when longer than `limit`."""
    flat = " ".join(body.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + "\u2026"


def summarise(event: dict[str, Any]) -> dict[str, Any] | None:
    """What the page shows of an enriched event (no full body, no mention offsets), or None
    when the event is not a story."""
    story_id = event.get("story_id")
    if not isinstance(story_id, str) or not story_id:
        return None
    version, dates, body = event.get("version"), event.get("dates"), event.get("body")
    dates = dates if isinstance(dates, dict) else {}
    body = body if isinstance(body, str) else ""
    return {
        "story_id": story_id,
        "version": version if isinstance(version, int) else 1,
        "event_id": _text(event.get("event_id"), 64),
        "headline": _text(event.get("headline")),
        "lede": lede(body),
        "language": _text(event.get("language"), 35),
        "dateline": _text(event.get("dateline")),
        "byline": _text(event.get("byline")),
        "source_format": _text(event.get("source_format"), 20),
        "word_count": event.get("word_count") if isinstance(event.get("word_count"), int) else 0,
        "dates": {k: _text(dates.get(k), 40) for k in ("published", "received", "processed")},
        "entities": [
            {"name": e["name"], "label": e["label"], "count": e.get("count", 1)}
            for e in _items(event, "entities")
            if isinstance(e.get("name"), str) and isinstance(e.get("label"), str)
        ],
        "quotes": [
            {"text": _text(q.get("text")), "speaker": _text(q.get("speaker"), 200),
             "cue": _text(q.get("cue"), 60)}
            for q in _items(event, "quotes") if isinstance(q.get("text"), str)
        ],
        "timex": [
            {"text": _text(t.get("text"), 200), "type": _text(t.get("type"), 20),
             "value": _text(t.get("value"), 80)}
            for t in _items(event, "timex") if isinstance(t.get("text"), str)
        ],
    }


@dataclass(frozen=True)
class StoryFilter:
    """A desk's filter: an entity by canonical name, entity labels, a language. The entity and
    label conditions hold for one and the same entity; a language `en` also matches `en-GB`."""

    entity: str | None = None
    labels: frozenset[str] = frozenset()
    language: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> StoryFilter:
        entity = (query.get("entity") or "").strip()
        labels = {part.strip().upper() for part in (query.get("label") or "").split(",")}
        language = (query.get("language") or "").strip().lower()
        return cls(entity.casefold() or None, frozenset(labels - {""}), language or None)

    def matches(self, card: dict[str, Any]) -> bool:
        if self.language is not None:
            language = (card.get("language") or "").lower()
            if language != self.language and not language.startswith(self.language + "-"):
                return False
        if self.entity is None and not self.labels:
            return True
        return any(
            (self.entity is None or entity["name"].casefold() == self.entity)
            and (not self.labels or entity["label"].upper() in self.labels)
            for entity in card.get("entities", ())
        )


@dataclass(frozen=True)
class LiveMessage:
    seq: int
    kind: str  # "story" or "kill"
    data: dict[str, Any]
    stamp: float
    story_id: str


class Subscriber:
    """One SSE client's bounded queue: when full, its oldest message is dropped, for it alone."""

    def __init__(self, story_filter: StoryFilter, maxsize: int = CLIENT_QUEUE) -> None:
        self.filter = story_filter
        self.maxsize = maxsize
        self.queue: deque[LiveMessage] = deque()
        self.wakeup = asyncio.Event()
        self.dropped = 0

    def offer(self, message: LiveMessage) -> None:
        if message.kind == "story" and not self.filter.matches(message.data):
            return
        if len(self.queue) >= self.maxsize:
            self.queue.popleft()
            self.dropped += 1
        self.queue.append(message)
        self.wakeup.set()

    async def next(self, timeout: float) -> LiveMessage | None:
        """The next message, or None after `timeout` seconds without one (or on close)."""
        if not self.queue:
            self.wakeup.clear()
            try:
                await asyncio.wait_for(self.wakeup.wait(), timeout)
            except TimeoutError:
                return None
        return self.queue.popleft() if self.queue else None


class LiveFeed:
    """The latest version of the last `ring_size` stories, recent kills, and the subscribers.
    `publish` never waits: it is called from the Kafka tail for every enriched event."""

    def __init__(self, ring_size: int = RING_SIZE, client_queue: int = CLIENT_QUEUE,
                 max_clients: int = MAX_CLIENTS) -> None:
        self.ring_size = ring_size
        self.client_queue = client_queue
        self.max_clients = max_clients
        self.ring: OrderedDict[str, LiveMessage] = OrderedDict()
        self.kills: deque[LiveMessage] = deque(maxlen=ring_size)
        self.subscribers: set[Subscriber] = set()
        self.seq = 0
        self.published = 0
        self.dropped_gone = 0
        self.closed = False

    def publish_bytes(self, value: bytes | None, timestamp_ms: int | None = None) -> None:
        try:
            event = orjson.loads(value or b"")
        except orjson.JSONDecodeError:
            return
        if isinstance(event, dict):
            self.publish(event, (timestamp_ms or 0) / 1000 or time.time())

    def publish(self, event: dict[str, Any], stamp: float | None = None) -> LiveMessage | None:
        stamp = stamp if stamp is not None else time.time()
        killed = kill_of(event)
        if killed is not None:
            self.ring.pop(killed, None)
            message = self._message("kill", {"story_id": killed}, stamp, killed)
            self.kills.append(message)
        else:
            card = summarise(event)
            if card is None:
                return None
            old = self.ring.get(card["story_id"])
            if old is not None and old.data["version"] > card["version"]:
                return None  # an older version arriving late: the page keeps the newer one
            message = self._message("story", card, stamp, card["story_id"])
            self.ring.pop(message.story_id, None)
            self.ring[message.story_id] = message
            while len(self.ring) > self.ring_size:
                self.ring.popitem(last=False)
        self.published += 1
        for subscriber in self.subscribers:
            subscriber.offer(message)
        return message

    def _message(self, kind: str, data: dict[str, Any], stamp: float, story_id: str) -> LiveMessage:
        self.seq += 1
        return LiveMessage(self.seq, kind, data, stamp, story_id)

    def recent(self, story_filter: StoryFilter, after: int | None = None) -> list[LiveMessage]:
        """Stories for a new page, oldest first; on a reconnect (`after` = last seen id), what
        came since, kills included, in the order it happened."""
        stories = [m for m in self.ring.values()
                   if story_filter.matches(m.data) and (after is None or m.seq > after)]
        if after is None:
            return sorted(stories, key=lambda m: (m.stamp, m.seq))
        kills = [m for m in self.kills if m.seq > after]
        return sorted(stories + kills, key=lambda m: m.seq)

    def subscribe(self, story_filter: StoryFilter) -> Subscriber | None:
        if self.closed or len(self.subscribers) >= self.max_clients:
            return None
        subscriber = Subscriber(story_filter, self.client_queue)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber in self.subscribers:
            self.subscribers.discard(subscriber)
            self.dropped_gone += subscriber.dropped

    def close(self) -> None:
        self.closed = True
        for subscriber in self.subscribers:
            subscriber.wakeup.set()

    def stats(self) -> dict[str, int]:
        return {
            "clients": len(self.subscribers),
            "buffered_stories": len(self.ring),
            "published": self.published,
            "dropped_for_slow_clients": self.dropped_gone
            + sum(s.dropped for s in self.subscribers),
        }

STATIC = Path(__file__).with_name("static")
KEEPALIVE_SECONDS = 15.0
WRITE_TIMEOUT_SECONDS = 30.0
RETRY_MILLISECONDS = 3000
SSE_HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",
}
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def sse_frame(message: LiveMessage) -> bytes:
    """One server-sent event: id (for Last-Event-ID), type, and the JSON data on one line."""
    data = orjson.dumps(message.data)
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (message.seq, message.kind.encode(), data)


def last_event_id(request: Any) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.query.get("after")
    return int(raw) if raw and raw.isdigit() else None


async def stream_events(request: Any, feed: LiveFeed, keepalive: float = KEEPALIVE_SECONDS) -> Any:
    """Backlog from the ring buffer, then live messages, then keep-alive comments, until the
    client goes away or the feed closes. Only this client's queue ever waits on this client."""
    if request.method == "HEAD":
        return aioweb.Response(headers=SSE_HEADERS)
    story_filter = StoryFilter.from_query(request.query)
    after = last_event_id(request)
    subscriber = feed.subscribe(story_filter)
    if subscriber is None:
        return aioweb.json_response(
            {"error_code": "too_many_clients", "message": "live stream is full; retry later"},
            status=503, headers={"Retry-After": "30"})
    response = aioweb.StreamResponse(headers=SSE_HEADERS)
    try:
        await response.prepare(request)
        backlog = feed.recent(story_filter, after=after)
        sent = {message.seq for message in backlog}
        frames = [b"retry: %d\n\n" % RETRY_MILLISECONDS, *map(sse_frame, backlog)]
        await asyncio.wait_for(response.write(b"".join(frames)), WRITE_TIMEOUT_SECONDS)
        while not feed.closed:
            message = await subscriber.next(timeout=keepalive)
            if message is None:
                frame = b": keep-alive\n\n"
            elif message.seq in sent:
                continue
            else:
                frame = sse_frame(message)
            await asyncio.wait_for(response.write(frame), WRITE_TIMEOUT_SECONDS)
    except (TimeoutError, ConnectionError):
        pass  # the client went away or stopped reading: drop it
    finally:
        feed.unsubscribe(subscriber)
    return response


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
                bootstrap_servers=self.settings.broker.split(","), group_id=None,
                enable_auto_commit=False, client_id=f"{self.settings.app_id}-live",
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


def add_live_views(app: faust.App, settings: Settings, topics: dict[str, Any]) -> None:
    """Registers the editors' live views on the worker's web server."""
    feed = LiveFeed()
    trending = Trending(app, settings, topics["enriched"])
    tail = EnrichedTail(settings, topics["enriched"].get_topic_name(), feed)
    ingest = add_ingest_view(app, settings, topics["raw"])
    app.wirestream_live = {  # type: ignore[attr-defined]
        "feed": feed, "trending": trending, "ingest": ingest,
    }

    @app.task  # type: ignore[untyped-decorator]
    async def tail_enriched() -> None:
        await tail.run()

    async def close_streams(_: Any) -> None:
        feed.close()

    app.web.web_app.on_shutdown.append(close_streams)  # type: ignore[attr-defined]
    app.web.add_static("/static/", STATIC)
    page = (STATIC / "dashboard.html").read_bytes()

    async def dashboard(web: Any, request: Any) -> Any:
        return aioweb.Response(body=page, content_type="text/html", charset="utf-8",
                               headers=PAGE_HEADERS)

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
