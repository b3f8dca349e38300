"""The contracts: JSON Schemas of every event on every topic, and their wire encoding.

This is the only package that knows how events look as bytes. `pipeline` builds records;
`schemas.events` turns them into schema-valid JSON objects and bytes.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import orjson
from jsonschema import Draft202012Validator

RAW_STORY = "raw_story.v1"
ENRICHED_STORY = "enriched_story.v1"
DEAD_LETTER = "dead_letter.v1"
STORY_KILLED = "story_killed.v1"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema document called `name` (e.g. "enriched_story.v1")."""
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name))


def schema_errors(name: str, instance: object) -> list[str]:
    """Human-readable violations of schema `name`, empty when the instance is valid."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator(name).iter_errors(instance)
    ]


def encode(event: dict[str, Any]) -> bytes:
    return orjson.dumps(event)


def decode(data: bytes) -> Any:
    return orjson.loads(data)
