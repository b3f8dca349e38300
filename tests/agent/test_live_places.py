"""Agent tier: `/events?country=XX` on the worker's own web server. Stories are placed by the
places stage, published as enriched events into the live feed, and streamed back filtered by
the country of their places; each card's entity carries its place's country code."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from aiohttp.test_utils import TestClient, TestServer

from agents.web.live_feed import LiveFeed
from pipeline.entities.places import place_entities
from pipeline.testing import entities_from_surfaces, make_story
from schemas.events import enriched_event
from tests.agent.test_live import _read_events, app  # noqa: F401 - `app` is the worker fixture

STORIES = {
    "lyon-rail": (
        "LYON (Wirestream) - Rail staff in Lyon struck on Monday, cutting trains to Paris.",
        "LYON (Wirestream)",
        [("Lyon", "GPE", ["LYON", "Lyon"]), ("Paris", "GPE", ["Paris"])],
    ),
    "texas-fire": (
        "PARIS, Texas (Wirestream) - Crews in Paris held a grass fire at the county line.",
        "PARIS, Texas (Wirestream)",
        [("Paris", "GPE", ["PARIS", "Paris"]), ("Texas", "GPE", ["Texas"])],
    ),
    "oslo-port": (
        "OSLO (Wirestream) - Ines Berg, who runs the port in Oslo, said the ferry pier reopened.",
        "OSLO (Wirestream)",
        [("Oslo", "GPE", ["OSLO", "Oslo"]), ("Ines Berg", "PERSON", ["Ines Berg"])],
    ),
}


def enriched(story_id: str) -> dict[str, Any]:
    body, dateline, specs = STORIES[story_id]
    story = make_story(
        body=body,
        story_id=story_id,
        dateline=dateline,
        language="en",
        entities=entities_from_surfaces(body, specs),
    )
    return enriched_event(place_entities(story))


async def _stories(response: Any, count: int) -> list[dict[str, Any]]:
    """The data of the next `count` story events of an SSE response."""
    return [orjson.loads(data) for kind, data in await _read_events(response, count)]


def test_events_filtered_by_country_stream_only_stories_placed_there(app: Any) -> None:  # noqa: F811
    feed: LiveFeed = app.wirestream_live["feed"]
    for story_id in ("lyon-rail", "texas-fire", "oslo-port"):
        feed.publish(enriched(story_id))

    async def scenario() -> dict[str, list[dict[str, Any]]]:
        async with TestClient(TestServer(app.web.web_app)) as client:
            seen: dict[str, list[dict[str, Any]]] = {}
            for country in ("FR", "us", "NO"):
                response = await client.get("/events", params={"country": country})
                assert response.status == 200
                seen[country.upper()] = await _stories(response, 1)
                if country == "us":  # a story placed in the US arriving live gets through
                    feed.publish(enriched("lyon-rail") | {"story_id": "lyon-again"})
                    feed.publish(enriched("texas-fire") | {"story_id": "texas-again"})
                    seen["US"] += await _stories(response, 1)
                response.close()
            return seen

    seen = asyncio.run(scenario())
    assert [card["story_id"] for card in seen["FR"]] == ["lyon-rail"]
    assert [card["story_id"] for card in seen["US"]] == ["texas-fire", "texas-again"]
    assert [card["story_id"] for card in seen["NO"]] == ["oslo-port"]
    paris = next(e for e in seen["US"][0]["entities"] if e["name"] == "Paris")
    assert paris["country"] == "US"
    oslo_people = [e for e in seen["NO"][0]["entities"] if e["label"] == "PERSON"]
    assert oslo_people and all("country" not in e for e in oslo_people)
