"""Worker logging: plain text for people, JSON lines for machines (WIRESTREAM_LOG_JSON=true).

Every line about a story carries story_id, topic, partition and offset as fields.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

STORY_FIELDS = ("story_id", "version", "topic", "partition", "offset", "error_code", "stage")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in STORY_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


class StoryTextFormatter(logging.Formatter):
    """Faust's text layout, with the story fields appended as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = " ".join(
            f"{n}={getattr(record, n)}"
            for n in STORY_FIELDS
            if getattr(record, n, None) is not None
        )
        return f"{text} {fields}" if fields else text


def logging_config(json_lines: bool, level: str) -> dict[str, Any]:
    formatter = (
        {"()": JsonFormatter}
        if json_lines
        else {
            "()": StoryTextFormatter,
            "format": "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
        }
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"story": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "story",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
    }


def story_fields(story_id: str | None, source: Mapping[str, Any], **more: Any) -> dict[str, Any]:
    """`extra=` for a log call about one story."""
    return {
        "story_id": story_id,
        "topic": source.get("topic"),
        "partition": source.get("partition"),
        "offset": source.get("offset"),
        **more,
    }
