"""Date-stamp: when the agency published the story, when Kafka received it, when we processed it.

`published` keeps the precision the agency gave (a date stays a date); instants are ISO 8601.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime

from dateutil import parser as date_parser

from pipeline.errors import InvalidDate
from pipeline.story import Story, StoryDates

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_instant(moment: datetime) -> str:
    """UTC, millisecond precision, with a Z: what every wirestream timestamp looks like."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_published(value: str) -> str:
    """A published date or date-time in any common wire form, as ISO 8601."""
    text = value.strip()
    if _DATE_ONLY.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise InvalidDate(f"published date {value!r} is not a calendar date") from exc
    if len(text) > 64:
        raise InvalidDate("published date is longer than 64 characters")
    try:
        # converting to UTC can fail too: an offset of 24 h or more, a year-1 or year-9999 edge
        return iso_instant(date_parser.parse(text))
    except (ValueError, OverflowError) as exc:
        raise InvalidDate(
            f"cannot read published date {value!r}; use ISO 8601 such as 2025-03-15 or "
            "2025-03-15T09:30:00Z"
        ) from exc


def stamp_dates(
    story: Story, *, received: datetime | None, processed: datetime | None = None
) -> Story:
    """The published date in UTC and when Kafka received the story. `processed` is stamped
    once, when enrichment finishes (left None at triage)."""
    published = story.dates.published
    return dataclasses.replace(
        story,
        dates=StoryDates(
            published=parse_published(published) if published else None,
            received=iso_instant(received) if received else None,
            processed=iso_instant(processed) if processed else None,
        ),
    )


def anchor_date(story: Story) -> date | None:
    """The story's own date, which relative time expressions resolve against."""
    for value in (story.dates.published, story.dates.received):
        if value:
            return date.fromisoformat(value[:10])
    return None
