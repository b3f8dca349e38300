"""What the editors' live views show of an enriched event: the story card (headline, lede,
entities, quotes, timex; no full body), the kill it may carry, and a desk's filter over cards.
Cards are made by agents.web.live_feed for every event the enriched-topic tail reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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


def _place_country(entity: dict[str, Any]) -> str | None:
    """The ISO country code of the place an entity is, if it was placed."""
    place = entity.get("place")
    code = place.get("country_code") if isinstance(place, dict) else None
    return code if isinstance(code, str) and len(code) == 2 and code.isupper() else None


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
            | ({"country": code} if (code := _place_country(e)) else {})
            for e in _items(event, "entities")
            if isinstance(e.get("name"), str) and isinstance(e.get("label"), str)
        ],
        "quotes": [
            {
                "text": _text(q.get("text")),
                "speaker": _text(q.get("speaker"), 200),
                "cue": _text(q.get("cue"), 60),
            }
            for q in _items(event, "quotes")
            if isinstance(q.get("text"), str)
        ],
        "timex": [
            {
                "text": _text(t.get("text"), 200),
                "type": _text(t.get("type"), 20),
                "value": _text(t.get("value"), 80),
            }
            for t in _items(event, "timex")
            if isinstance(t.get("text"), str)
        ],
    }


@dataclass(frozen=True)
class StoryFilter:
    """A desk's filter: an entity by canonical name, entity labels, a language, the country of
    a place. The entity and label conditions hold for one and the same entity; a language `en`
    also matches `en-GB`; `country` (ISO 3166-1 alpha-2) wants a place in that country."""

    entity: str | None = None
    labels: frozenset[str] = frozenset()
    language: str | None = None
    country: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> StoryFilter:
        entity = (query.get("entity") or "").strip()
        labels = {part.strip().upper() for part in (query.get("label") or "").split(",")}
        language = (query.get("language") or "").strip().lower()
        country = (query.get("country") or "").strip().upper()
        return cls(
            entity.casefold() or None, frozenset(labels - {""}), language or None, country or None
        )

    def matches(self, card: dict[str, Any]) -> bool:
        if self.language is not None:
            language = (card.get("language") or "").lower()
            if language != self.language and not language.startswith(self.language + "-"):
                return False
        if self.country is not None and not any(
            entity.get("country") == self.country for entity in card.get("entities", ())
        ):
            return False
        if self.entity is None and not self.labels:
            return True
        return any(
            (self.entity is None or entity["name"].casefold() == self.entity)
            and (not self.labels or entity["label"].upper() in self.labels)
            for entity in card.get("entities", ())
        )
