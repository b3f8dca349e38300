"""The records every stage passes along: a Story and what enrichment attaches to it.

Parsers build a Story from wire bytes; each stage returns a new Story (records are frozen).
Offsets (`start`, `end`) always index `Story.body` after normalisation. They live in schemas/
because they are the contract: `story_to_dict`/`story_from_dict` are their plain-data form for
the prepared topic and the lifecycle tables, and schemas.events builds the public events.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

QuoteType = Literal["direct", "partial", "indirect"]
SpeakerType = Literal["person", "organisation", "document", "description"]
PlaceFeature = Literal["country", "region", "city"]


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in the body."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Location:
    """Where a place entity is: its GeoNames record. Countries and regions carry no point
    (lat/lon None), regions outside the US no GeoNames id."""

    geonames_id: int | None
    name: str
    country_code: str  # ISO 3166-1 alpha-2
    feature: PlaceFeature
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity of the story with every mention grouped under one canonical name."""

    name: str
    label: str
    mentions: tuple[Mention, ...]
    roles: tuple[str, ...] = ()
    country: str | None = None  # NORP: ISO 3166-1 alpha-2 of the country a nationality names
    place: Location | None = None  # GPE, LOC, FAC: None when unplaced


@dataclass(frozen=True, slots=True)
class Fragment:
    """A quoted fragment inside a partial or indirect quote: body[start:end], in marks."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation: what was said, who said it, and the cue verb. `direct` covers the words in
    the marks; `partial` and `indirect` cover the attributed content as reported, with any
    quoted words in `fragments`. `speaker_type` says what the speaker is."""

    text: str
    start: int
    end: int
    speaker: str | None
    cue: str | None
    type: QuoteType = "direct"
    fragments: tuple[Fragment, ...] = ()
    speaker_type: SpeakerType | None = None


@dataclass(frozen=True, slots=True)
class Timex:
    """A time expression resolved against the story's date (TIMEX3 type and value)."""

    text: str
    start: int
    end: int
    type: str
    value: str


@dataclass(frozen=True, slots=True)
class StageWarning:
    """A stage that failed on this story: its output is empty, the rest was published."""

    stage: str
    error_code: str
    message: str


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
    warnings: tuple[StageWarning, ...] = ()

    @property
    def word_count(self) -> int:
        return len(self.body.split())


def story_to_dict(story: Story) -> dict[str, Any]:
    """Plain data (for a Kafka hop between agents or a table); `story_from_dict` inverts it."""
    return asdict(story)


def story_from_dict(data: dict[str, Any]) -> Story:
    entities = tuple(
        Entity(
            e["name"],
            e["label"],
            tuple(Mention(**m) for m in e["mentions"]),
            tuple(e.get("roles", ())),
            e.get("country"),
            Location(**e["place"]) if e.get("place") else None,
        )
        for e in data.get("entities", ())
    )
    quotes = tuple(
        Quote(
            **{k: v for k, v in q.items() if k != "fragments"},
            fragments=tuple(Fragment(**f) for f in q.get("fragments", ())),
        )
        for q in data.get("quotes", ())
    )
    nested = {"entities", "quotes", "timex", "dates", "warnings"}
    fields = {k: v for k, v in data.items() if k not in nested}
    fields["subjects"] = tuple(fields.get("subjects", ()))
    fields["signals"] = tuple(fields.get("signals", ()))
    return Story(
        **fields,
        dates=StoryDates(**data.get("dates", {})),
        entities=entities,
        quotes=quotes,
        timex=tuple(Timex(**t) for t in data.get("timex", ())),
        warnings=tuple(StageWarning(**w) for w in data.get("warnings", ())),
    )
