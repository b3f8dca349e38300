"""The live desk's feed and `GET /events`: the latest version of the last stories and recent
kills (a ring buffer), one bounded queue per browser, and the server-sent-events stream that
drains it. Fed by the enriched-topic tail in agents.web.live; cards come from pipeline.cards.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web as aioweb

from pipeline.cards import StoryFilter, kill_of, summarise
from pipeline.errors import TOO_MANY_CLIENTS

RING_SIZE = 200
CLIENT_QUEUE = 100
MAX_CLIENTS = 200
MAX_CLIENTS_PER_ADDRESS = 8  # one host (a script, a broken proxy) cannot lock editors out
KEEPALIVE_SECONDS = 15.0
WRITE_TIMEOUT_SECONDS = 30.0
RETRY_MILLISECONDS = 3000
SSE_HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",
}


@dataclass(frozen=True)
class LiveMessage:
    seq: int
    kind: str  # "story" or "kill"
    data: dict[str, Any]
    stamp: float
    story_id: str


class Subscriber:
    """One SSE client's bounded queue: when full, its oldest message is dropped, for it alone."""

    def __init__(
        self, story_filter: StoryFilter, maxsize: int = CLIENT_QUEUE, address: str = ""
    ) -> None:
        self.filter = story_filter
        self.address = address
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

    def __init__(
        self,
        ring_size: int = RING_SIZE,
        client_queue: int = CLIENT_QUEUE,
        max_clients: int = MAX_CLIENTS,
        max_per_address: int = MAX_CLIENTS_PER_ADDRESS,
    ) -> None:
        self.max_per_address = max_per_address
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
        stories = [
            m
            for m in self.ring.values()
            if story_filter.matches(m.data) and (after is None or m.seq > after)
        ]
        if after is None:
            return sorted(stories, key=lambda m: (m.stamp, m.seq))
        kills = [m for m in self.kills if m.seq > after]
        return sorted(stories + kills, key=lambda m: m.seq)

    def subscribe(self, story_filter: StoryFilter, address: str = "") -> Subscriber | None:
        """A new client, or None when the feed is full or its address has its share."""
        if self.closed or len(self.subscribers) >= self.max_clients:
            return None
        same = sum(1 for s in self.subscribers if s.address == address)
        if address and same >= self.max_per_address:
            return None
        subscriber = Subscriber(story_filter, self.client_queue, address)
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
    subscriber = feed.subscribe(story_filter, request.remote or "")
    if subscriber is None:
        return aioweb.json_response(
            {"error_code": TOO_MANY_CLIENTS.code, "message": TOO_MANY_CLIENTS.say()},
            status=503,
            headers={"Retry-After": "30"},
        )
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
