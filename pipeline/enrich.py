"""The whole flow for a batch, in the order the docs give: parse -> normalise -> date-stamp
(triage, `prepare`), then dateline -> language -> model -> entities -> places -> quotes ->
timex (enrichment). Errors are data: each input yields an Enriched or a Failure. Only what the
parser or validator refuses fails; after that a stage that raises costs that stage's output,
recorded as a warning on the story.

`Enricher` is picklable (the model loads lazily in the process that uses it), so a process
pool can hold one per worker process.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pipeline.dates import iso_instant, stamp_dates
from pipeline.errors import STAGE_FAILED, STORY_TOO_LONG, Failure, WireError, cap_message
from pipeline.formats import MAX_STORY_BYTES, parse_story
from pipeline.neardup import simhash
from pipeline.nlp import LanguageModel, NerSpan
from pipeline.normalise import normalise
from pipeline.story import StageWarning, Story

MAX_NLP_CHARS = 1_000_000  # spaCy's own limit per text
StoryStage = Callable[[Story], Story]
NerModel = Callable[[Sequence[str]], list[list[NerSpan]]]
EntityGrouper = Callable[[str, Sequence[NerSpan]], tuple]  # type: ignore[type-arg]


@dataclass(frozen=True, slots=True)
class RawInput:
    """One raw message: its bytes, when Kafka received it, and an optional format header."""

    data: bytes
    received: datetime | None = None
    format_hint: str | None = None
    key: bytes | None = None  # the Kafka message key: the story id when the copy has none


@dataclass(frozen=True, slots=True)
class Enriched:
    story: Story
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # the body's near-duplicate fingerprint (pipeline.neardup), taken where the story is
    # finished so the worker's main process need not; None: not taken, take it when needed
    fingerprint: int | None = None


Outcome = Enriched | Failure


@dataclass(frozen=True, slots=True)
class Read:
    """A story the model has read: normalised, with its raw entity spans (None when the model
    does not run on it, e.g. copy in another language) and the time each stage took so far."""

    story: Story
    stage_seconds: dict[str, float]
    spans: list[NerSpan] | None


def _default_stages() -> tuple[tuple[str, StoryStage], ...]:
    from pipeline.dateline import extract_dateline
    from pipeline.language import tag_language

    return (("dateline", extract_dateline), ("language", tag_language))


def _default_post_stages() -> tuple[tuple[str, StoryStage], ...]:
    from pipeline.entities.places import place_entities
    from pipeline.quotes import extract_quotes
    from pipeline.timex import resolve_timex

    return (("places", place_entities), ("quotes", extract_quotes), ("timex", resolve_timex))


class Enricher:
    """Enrich a batch of raw messages; the language model runs once over the whole batch."""

    def __init__(
        self,
        model: NerModel | None = None,
        *,
        max_story_bytes: int = MAX_STORY_BYTES,
        pre_stages: Sequence[tuple[str, StoryStage]] | None = None,
        post_stages: Sequence[tuple[str, StoryStage]] | None = None,
        group_entities: EntityGrouper | None = None,
    ) -> None:
        self.model: NerModel = model if model is not None else LanguageModel()
        self.max_story_bytes = max_story_bytes
        self.max_nlp_chars = MAX_NLP_CHARS
        self.pre_stages = tuple(pre_stages) if pre_stages is not None else _default_stages()
        self.post_stages = tuple(post_stages) if post_stages is not None else _default_post_stages()
        if group_entities is None:
            from pipeline.entities import group_entities as grouper

            group_entities = grouper
        self.group_entities = group_entities

    def __call__(self, batch: Sequence[RawInput | Story]) -> list[Outcome]:
        """Enrich raw messages, or stories as `prepare` returned them, in order."""
        return self.finish(self.read(self.ready(batch)))

    # Three steps, so that a process running the model does nothing else: `ready` and `finish`
    # may run in another process (their inputs and outputs pickle small: text and spans, no
    # spaCy objects) while the model reads the next batch.

    def ready(self, batch: Sequence[RawInput | Story]) -> list[Read | Failure]:
        """The cheap stages before the model: dateline and language (after triage's, for raw
        messages; a Story is one `prepare` made). A body too long for the model fails here."""
        readies: list[Read | Failure] = []
        for item in batch:
            done = (item, {}) if isinstance(item, Story) else self.prepare(item)
            if isinstance(done, Failure):
                readies.append(done)
                continue
            story, timings = done
            story = self._isolated(story, self.pre_stages, timings)
            if _wants_nlp(story) and len(story.body) > self.max_nlp_chars:
                readies.append(
                    STORY_TOO_LONG.failure(
                        story.story_id, chars=len(story.body), limit=self.max_nlp_chars
                    )
                )
            else:
                readies.append(Read(story, timings, None))
        return readies

    def read(self, readies: Sequence[Read | Failure]) -> list[Read | Failure]:
        """The model over every story of the batch that wants it (English copy), in one pass."""
        wanted = [i for i, r in enumerate(readies) if isinstance(r, Read) and _wants_nlp(r.story)]
        if not wanted:
            return list(readies)
        started = time.perf_counter()
        texts = [readies[i].story.body for i in wanted]  # type: ignore[union-attr]
        try:
            spans: list[list[NerSpan] | BaseException] = list(self.model(texts))
        except Exception:  # noqa: BLE001 - find the story the model cannot read
            spans = [self._read_one(text) for text in texts]
        share = (time.perf_counter() - started) / len(wanted)
        read = list(readies)
        for i, found in zip(wanted, spans, strict=True):
            before = readies[i]
            assert isinstance(before, Read)
            timings = {**before.stage_seconds, "nlp": share}
            if isinstance(found, BaseException):
                read[i] = Read(with_warning(before.story, "nlp", found), timings, None)
            else:
                read[i] = Read(before.story, timings, found)
        return read

    def _read_one(self, text: str) -> list[NerSpan] | BaseException:
        try:
            return self.model([text])[0]
        except Exception as exc:  # noqa: BLE001 - the model's error costs its output only
            return exc

    def finish(self, reads: Sequence[Read | Failure]) -> list[Outcome]:
        """The last step: entities, quotes and time expressions from the text and spans."""
        return [
            self._finish(r.story, r.stage_seconds, r.spans) if isinstance(r, Read) else r
            for r in reads
        ]

    def prepare(self, item: RawInput) -> tuple[Story, dict[str, float]] | Failure:
        """Triage: parse, normalise, stamp the published and received dates, each once. What
        it refuses is dead-lettered; what it returns is the story every later step reads."""
        started = time.perf_counter()
        try:
            story = parse_story(
                item.data, item.format_hint, max_bytes=self.max_story_bytes, key=item.key
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes a dead letter
            return _failure(exc, "parse", None)
        steps: list[tuple[str, StoryStage]] = [
            ("normalise", normalise),
            ("dates", lambda s: stamp_dates(s, received=item.received)),
        ]
        return _timed(story, steps, {"parse": time.perf_counter() - started})

    def _isolated(
        self, story: Story, stages: Sequence[tuple[str, StoryStage]], timings: dict[str, float]
    ) -> Story:
        """Run enrichment stages in order; one that raises leaves the story as it was before
        it, with a warning, and the next stages still run."""
        for name, step in stages:
            started = time.perf_counter()
            try:
                story = step(story)
            except Exception as exc:  # noqa: BLE001 - a stage's bug costs its output only
                story = with_warning(story, name, exc)
            timings[name] = time.perf_counter() - started
        return story

    def _finish(
        self, story: Story, timings: dict[str, float], spans: list[NerSpan] | None
    ) -> Outcome:
        if spans is not None:
            found = spans

            def entities(story: Story) -> Story:
                return dataclasses.replace(story, entities=self.group_entities(story.body, found))

            story = self._isolated(story, [("entities", entities), *self.post_stages], timings)
        elif _wants_nlp(story) and any(w.stage == "nlp" for w in story.warnings):
            story = self._isolated(story, self.post_stages, timings)  # quotes need no model
        story = dataclasses.replace(
            story, dates=dataclasses.replace(story.dates, processed=_iso_now())
        )
        return Enriched(story, timings, simhash(story.body))


def _wants_nlp(story: Story) -> bool:
    """English-language NLP on English copy only; other languages are passed through."""
    return story.language in (None, "en") or story.language.startswith("en-")


def with_warning(story: Story, stage: str, exc: BaseException) -> Story:
    """The story with a warning that `stage` failed on it (its output left empty)."""
    error = exc if isinstance(exc, WireError) else None
    code = error.code if error is not None else STAGE_FAILED.code
    message = (
        cap_message(error.message)
        if error is not None
        else STAGE_FAILED.say(stage=stage, error=f"{type(exc).__name__}: {exc}")
    )
    warning = StageWarning(stage, code, message)
    return dataclasses.replace(story, warnings=(*story.warnings, warning))


def _failure(exc: Exception, stage: str, story: Story | None) -> Failure:
    story_id = story.story_id if story is not None else None
    if isinstance(exc, WireError):
        where = exc.stage if exc.stage != "unknown" else stage
        return Failure(exc.code, cap_message(exc.message), where, story_id)
    return STAGE_FAILED.failure(story_id, stage=stage, error=f"{type(exc).__name__}: {exc}")


def _iso_now() -> str:
    return iso_instant(datetime.now(UTC))


def _timed(
    story: Story, steps: Sequence[tuple[str, StoryStage]], timings: dict[str, float]
) -> tuple[Story, dict[str, float]] | Failure:
    """Run `steps` in order, timing each into `timings`; the first to raise is the failure."""
    stage = steps[0][0] if steps else "parse"
    try:
        for stage, step in steps:
            started = time.perf_counter()
            story = step(story)
            timings[stage] = time.perf_counter() - started
    except Exception as exc:  # noqa: BLE001 - every failure becomes a dead letter
        return _failure(exc, stage, story)
    return story, timings
