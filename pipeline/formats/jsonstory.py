"""Parse JSON stories: wirestream's own raw form (schema raw_story.v1).

IPTC ninjs, which is JSON too, is recognised by its keys and handed to its own parser when
that parser is installed in `pipeline.formats`.
"""

from __future__ import annotations

from typing import Any

import orjson

from pipeline.errors import InvalidStory, MissingBody
from pipeline.formats.seedtext import content_id
from pipeline.story import Story, StoryDates
from schemas import RAW_STORY, schema_errors

MAX_JSON_DEPTH = 64


class InvalidJson(InvalidStory):
    code = "invalid_json"


def _depth(value: Any, limit: int) -> int:
    """Nesting depth, stopping at `limit` (iterative: hostile input cannot blow the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def load_object(text: str) -> dict[str, Any]:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidJson(f"story is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidJson(f"a JSON story must be an object, got {type(value).__name__}")
    if _depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise InvalidJson(f"JSON nests deeper than {MAX_JSON_DEPTH} levels")
    return value


def is_ninjs(obj: dict[str, Any]) -> bool:
    return "uri" in obj or "bodies" in obj or "body_text" in obj or "versioncreated" in obj


def parse(text: str) -> Story:
    obj = load_object(text)
    if is_ninjs(obj):
        from pipeline import formats

        ninjs = formats.PARSERS.get("ninjs")
        if ninjs is None:
            raise InvalidStory("IPTC ninjs input is not supported by this build")
        return ninjs(text)
    problems = schema_errors(RAW_STORY, obj)
    if problems:
        raise InvalidJson("JSON story does not match raw_story.v1: " + "; ".join(problems[:5]))
    body: str = obj["body"]
    if not body.strip():
        raise MissingBody("JSON story has an empty body")
    return Story(
        story_id=obj.get("id") or content_id("json", body),
        body=body,
        version=obj.get("version", 1),
        headline=obj.get("headline"),
        language=obj.get("language"),
        byline=obj.get("byline"),
        dateline=obj.get("dateline"),
        source_format="json",
        pubstatus=obj.get("pubstatus") or "usable",
        embargoed_until=obj.get("embargoed_until"),
        subjects=tuple(obj.get("subjects", ())),
        signals=tuple(obj.get("signals", ())),
        dates=StoryDates(published=obj.get("published")),
    )
