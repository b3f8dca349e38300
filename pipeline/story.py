"""The records every stage passes along: a Story and what enrichment attaches to it.

Parsers build a Story from wire bytes; each stage returns a new Story (records are frozen).
Offsets (`start`, `end`) always index `Story.body` after normalisation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in the body."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity of the story with every mention grouped under one canonical name."""

    name: str
    label: str
    mentions: tuple[Mention, ...]
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation: the words between the marks, who said them, and the cue verb."""

    text: str
    start: int
    end: int
    speaker: str | None
    cue: str | None


@dataclass(frozen=True, slots=True)
class Timex:
    """A time expression resolved against the story's date (TIMEX3 type and value)."""

    text: str
    start: int
    end: int
    type: str
    value: str


@dataclass(frozen=True, slots=True)
class StoryDates:
    """ISO-8601 instants: when the agency published it, Kafka received it, we processed it."""

    published: str | None = None
    received: str | None = None
    processed: str | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """One version of one wire story, as parsed and then enriched stage by stage."""

    story_id: str
    body: str
    version: int = 1
    headline: str | None = None
    language: str | None = None
    byline: str | None = None
    dateline: str | None = None
    source_format: str = "text"
    pubstatus: str = "usable"
    embargoed_until: str | None = None
    subjects: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()  # editorial signals: update, correction, ...
    dates: StoryDates = field(default_factory=StoryDates)
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    timex: tuple[Timex, ...] = ()
    duplicate_of: str | None = None

    @property
    def word_count(self) -> int:
        return len(self.body.split())


def story_to_dict(story: Story) -> dict[str, Any]:
    """Plain data (for a Kafka hop between agents or a table); `story_from_dict` inverts it."""
    return asdict(story)


def story_from_dict(data: dict[str, Any]) -> Story:
    def spans(key: str, kind: type) -> tuple[Any, ...]:
        return tuple(kind(**item) for item in data.get(key, ()))

    entities = tuple(
        Entity(
            e["name"],
            e["label"],
            tuple(Mention(**m) for m in e["mentions"]),
            tuple(e.get("roles", ())),
        )
        for e in data.get("entities", ())
    )
    fields = {k: v for k, v in data.items() if k not in {"entities", "quotes", "timex", "dates"}}
    fields["subjects"] = tuple(fields.get("subjects", ()))
    fields["signals"] = tuple(fields.get("signals", ()))
    return Story(
        **fields,
        dates=StoryDates(**data.get("dates", {})),
        entities=entities,
        quotes=spans("quotes", Quote),
        timex=spans("timex", Timex),
    )
