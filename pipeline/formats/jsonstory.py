"""Parse JSON stories: wirestream's own raw form (schema raw_story.v1).

IPTC ninjs, which is JSON too, is recognised by its keys and handed to its own parser when
that parser is installed in `pipeline.formats`.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

import orjson
from jsonschema import ValidationError

from pipeline.errors import InvalidJson, InvalidStory, MissingBody
from pipeline.formats.seedtext import content_id
from pipeline.story import Story, StoryDates
from schemas import RAW_STORY, validator

MAX_JSON_DEPTH = 64
# A story is a few hundred JSON values. Schema validation costs some 15 µs a value, so a
# hostile document of a million values would hold the worker for many seconds.
MAX_JSON_VALUES = 20_000


def _shape(value: Any) -> tuple[int, int]:
    """(nesting depth, number of values), stopping once either is over its limit (iterative:
    hostile input cannot blow the stack; values are counted before they are stacked)."""
    deepest, count, stack = 0, 1, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            count += len(children)
            if count > MAX_JSON_VALUES:
                break
            stack.extend((child, depth + 1) for child in children)
    return deepest, count


def describe(error: ValidationError) -> str:
    """One schema violation as `path: message`, the message cut short (jsonschema quotes the
    offending value, which may be megabytes)."""
    path = "/".join(str(p) for p in error.absolute_path) or "(root)"
    message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
    return f"{path}: {message}"


def schema_problems(name: str, instance: object, limit: int = 5) -> list[str]:
    """The first `limit` violations of schema `name`, without computing the rest."""
    return [describe(error) for error in islice(validator(name).iter_errors(instance), limit)]


def load_object(text: str) -> dict[str, Any]:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidJson(f"story is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidJson(f"a JSON story must be an object, got {type(value).__name__}")
    depth, count = _shape(value)
    if depth > MAX_JSON_DEPTH:
        raise InvalidJson(f"JSON nests deeper than {MAX_JSON_DEPTH} levels")
    if count > MAX_JSON_VALUES:
        raise InvalidJson(f"JSON holds more than {MAX_JSON_VALUES} values: not a story")
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
    problems = schema_problems(RAW_STORY, obj)
    if problems:
        raise InvalidJson("JSON story does not match raw_story.v1: " + "; ".join(problems))
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
