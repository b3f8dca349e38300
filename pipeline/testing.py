"""The test kit that ships with the code: a story factory and a fake language model.

Use them to test stages and agents without loading spaCy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.nlp import NerSpan
from pipeline.story import Entity, Mention, Story, StoryDates

_NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*")


class FakeLanguageModel:
    """Tags every run of capitalised words as PERSON (GPE when in `places`). Deterministic,
    instant, and picklable; counts the texts it saw."""

    def __init__(self, places: Sequence[str] = ()) -> None:
        self.places = frozenset(places)
        self.texts_seen = 0

    def __call__(self, texts: Sequence[str]) -> list[list[NerSpan]]:
        self.texts_seen += len(texts)
        return [
            [
                NerSpan(
                    m.group(), m.start(), m.end(), "GPE" if m.group() in self.places else "PERSON"
                )
                for m in _NAME.finditer(text)
            ]
            for text in texts
        ]


def simple_entities(body: str, spans: Sequence[NerSpan]) -> tuple[Entity, ...]:
    """One entity per distinct span text: enough for tests that do not exercise grouping."""
    grouped: dict[tuple[str, str], list[Mention]] = {}
    for span in spans:
        grouped.setdefault((span.text, span.label), []).append(
            Mention(span.text, span.start, span.end)
        )
    return tuple(Entity(name, label, tuple(ms)) for (name, label), ms in grouped.items())


def make_story(
    body: str = "Officials in Lisbon said on Monday the bridge would reopen.",
    *,
    story_id: str = "urn:test:story:1",
    version: int = 1,
    published: str | None = "2026-11-23",
    **fields: object,
) -> Story:
    """A Story with sensible defaults; override any field by keyword."""
    return Story(
        story_id=story_id,
        body=body,
        version=version,
        dates=StoryDates(published=published),
        **fields,  # type: ignore[arg-type]
    )


def seed_text(story_id: str, body: str, *, date: str = "2026-11-23", version: int = 1) -> bytes:
    """Bytes in the plain-text wire format: header lines, a blank line, the body."""
    return f"date {date}\nid {story_id}\nversion {version}\n\n{body}\n".encode()


def ner_spans(body: str, *wanted: tuple[str, str]) -> list[NerSpan]:
    """NER spans for `body` as spaCy would give them, from (text, label) pairs in reading
    order: each takes the first occurrence of its text after the previous span."""
    out: list[NerSpan] = []
    cursor = 0
    for text, label in wanted:
        start = body.index(text, cursor)
        cursor = start + len(text)
        out.append(NerSpan(text, start, cursor, label))
    return out


def entities_by_name(body: str, *wanted: tuple[str, str]) -> dict[str, Entity]:
    """The entity stage's output for `body` and these spans, by canonical name; every mention
    is checked to index the body exactly."""
    from pipeline.entities import group_entities

    entities = group_entities(body, ner_spans(body, *wanted))
    for entity in entities:
        for mention in entity.mentions:
            assert body[mention.start : mention.end] == mention.text
    return {entity.name: entity for entity in entities}


def entities_from_surfaces(
    body: str, specs: Sequence[tuple[str, str, Sequence[str]]]
) -> tuple[Entity, ...]:
    """What the entity stage would hand over for (name, label, mention strings): every
    whole-word occurrence of each mention, longest first, none overlapping another."""
    out = []
    taken: set[int] = set()
    for name, label, surfaces in specs:
        mentions = []
        for surface in sorted(surfaces, key=len, reverse=True):
            for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", body):
                if not taken & set(range(m.start(), m.end())):
                    taken.update(range(m.start(), m.end()))
                    mentions.append(Mention(surface, m.start(), m.end()))
        out.append(Entity(name, label, tuple(sorted(mentions, key=lambda m: m.start))))
    return tuple(out)
