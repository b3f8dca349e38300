"""Fuzzing every stage after parsing, and timing them on long pathological text.

On any text a stage returns (normalise may refuse an empty body, dates a bad date) and every
offset it writes indexes the body. The whole flow gives one outcome per input, in order. Each
stage stays linear: 100k characters of repeated quote marks, digits, names or verbs finish
well under a generous bound, and doubling the input roughly doubles the time.
"""

from __future__ import annotations

import dataclasses
import gc
import random
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.dateline import extract_dateline
from pipeline.dates import InvalidDate, anchor_date, stamp_dates
from pipeline.enrich import Enriched, Enricher, RawInput
from pipeline.entities import PUBLISHED, group_entities
from pipeline.errors import Failure, InvalidStory, MissingBody
from pipeline.formats import parse_story
from pipeline.language import tag_language
from pipeline.normalise import normalise
from pipeline.quotes import extract_quotes
from pipeline.story import Story
from pipeline.testing import FakeLanguageModel, make_story
from pipeline.timex import find_timex
from tests import poison

FUZZ = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
MODEL = FakeLanguageModel(places=["Lisbon", "Gdansk", "Kenya", "Europe"])
WORDS = (
    "said says told added according to Smith John Smith Ana Costa Mr. Mrs. Dr. President "
    "minister spokesman the a of and but who which he she they It We Lisbon Gdansk Kenya Europe "
    "Airbus A380 Inc. U.S. e.g. No. May March June Monday Sunday Times yesterday tomorrow today "
    "tonight next last this week year years month ago later earlier 2024 1999 9999 0 31 12 "
    "5000 Q4 FY2025 fiscal quarter fourth half first decade century 1990s '90s 21st at 10:30 "
    "a.m. p.m. noon midnight UTC GMT Christmas Easter spring fall winter every each twice daily "
    "dozen couple several few - -- — – ( ) [ ] . , ; : ! ? … \n \n\n LONDON (Reuters) By BY"
).split(" ") + list(poison.QUOTE_MARKS)
wire_text = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=4)), max_size=150).map(
    " ".join
) | st.lists(st.sampled_from(WORDS), max_size=150).map("".join)
any_text = wire_text | st.text(max_size=600)
PUBLISHED_DATES = st.sampled_from(
    [
        None,
        "2026-03-15",
        "2026-03-15T09:30:00.000Z",
        "0001-01-01",
        "9999-12-31",
        "2024-02-29",
        "not a date",
        "2026-13-45",
    ]
) | st.text(max_size=30)
TIMEX_TYPES = {"DATE", "TIME", "DURATION", "SET"}


def check_spans(body: str, spans: tuple[object, ...]) -> None:
    for span in spans:
        start, end, text = span.start, span.end, span.text  # type: ignore[attr-defined]
        assert 0 <= start < end <= len(body), span
        assert body[start:end] == text, span


def with_entities(body: str) -> Story:
    entities = group_entities(body, MODEL([body])[0])
    return make_story(body, entities=entities)


@FUZZ
@given(any_text, st.none() | any_text)
def test_normalise_cleans_any_text_or_says_the_body_is_empty(
    text: str, headline: str | None
) -> None:
    try:
        story = normalise(make_story(text, headline=headline))
    except MissingBody as exc:
        assert exc.code == "missing_body" and exc.message
        return
    body = story.body
    assert body and body == body.strip() and "\n\n\n" not in body and "\t" not in body
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]", body)
    assert story.headline and "\n" not in story.headline


@FUZZ
@given(PUBLISHED_DATES)
def test_dates_stamp_any_published_value_or_refuse_it_as_invalid_date(value: str | None) -> None:
    story = make_story(published=value)
    try:
        stamped = stamp_dates(story, received=datetime.now(UTC), processed=datetime.now(UTC))
    except InvalidDate as exc:
        assert exc.code == "invalid_date" and exc.message
        return
    assert isinstance(anchor_date(stamped), date)  # timex can read what dates wrote


@FUZZ
@given(any_text)
def test_dateline_and_byline_come_from_the_body_and_never_raise(body: str) -> None:
    story = extract_dateline(make_story(body))
    if story.dateline is not None:
        assert all(word in body for word in story.dateline.split())
    if story.byline is not None:
        assert story.byline in body
    assert story.body == body


@settings(FUZZ, max_examples=200)
@given(any_text)
def test_language_is_a_two_letter_code_or_none(body: str) -> None:
    language = tag_language(make_story(body)).language
    assert language is None or re.fullmatch(r"[a-z]{2}", language), language


@FUZZ
@given(any_text)
def test_entity_mentions_index_the_body(body: str) -> None:
    entities = group_entities(body, MODEL([body])[0])
    for entity in entities:
        assert entity.name and entity.label in PUBLISHED and entity.mentions
        check_spans(body, entity.mentions)
    starts = [e.mentions[0].start for e in entities]
    assert starts == sorted(starts)


@FUZZ
@given(any_text, PUBLISHED_DATES)
def test_time_expressions_index_the_body_and_do_not_overlap(
    body: str, published: str | None
) -> None:
    found = find_timex(body, published)
    check_spans(body, found)
    assert all(t.type in TIMEX_TYPES and t.value for t in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


def test_time_expressions_past_the_calendar_resolve_without_raising() -> None:
    """Year 0 and year 10000 do not exist: "5000 years ago" used to raise ValueError."""
    assert find_timex("The harbour was built 5000 years ago.", "2026-03-15")[0].value == "PAST_REF"
    assert find_timex("In 9999 years from now.", "2026-03-15")[0].value == "FUTURE_REF"
    for anchor in ("0001-01-01", "9999-12-31"):
        found = find_timex(
            "It closed yesterday and reopens tomorrow, next week, next year.", anchor
        )
        assert all(t.text in ("yesterday", "tomorrow", "next week", "next year") for t in found)


@FUZZ
@given(any_text)
def test_quotes_index_the_body(body: str) -> None:
    quotes = extract_quotes(with_entities(body)).quotes
    check_spans(body, quotes)
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)
    assert all(q.speaker is None or q.speaker.strip() for q in quotes)


def _raw(draw: st.DrawFn) -> RawInput:
    kind = draw(st.sampled_from(("valid", "hostile", "bytes", "text")))
    index = draw(st.integers(0, 10_000))
    if kind == "valid":
        data = poison.render(poison.copy(index, "flow"), poison.FORMATS[index % 7])
    elif kind == "hostile":
        data = poison.MAKERS[index % len(poison.MAKERS)](random.Random(index), index).data
    elif kind == "bytes":
        data = draw(st.binary(max_size=300))
    else:
        data = draw(any_text).encode("utf-8", "surrogatepass")
    return RawInput(data, datetime(2026, 3, 15, tzinfo=UTC), draw(st.none() | st.just("json")))


raw_inputs = st.composite(_raw)


def _same(a: Enriched | Failure, b: Enriched | Failure) -> bool:
    """The same outcome, but for the processing timestamp."""
    if isinstance(a, Failure) or isinstance(b, Failure):
        return a == b

    def unstamped(story: Story) -> Story:
        return dataclasses.replace(story, dates=dataclasses.replace(story.dates, processed=None))

    return unstamped(a.story) == unstamped(b.story)


@settings(FUZZ, max_examples=40)
@given(st.lists(raw_inputs(), max_size=6))
def test_the_whole_flow_gives_one_outcome_per_input_in_order(batch: list[RawInput]) -> None:
    enricher = Enricher(FakeLanguageModel())
    outcomes = enricher(batch)
    assert len(outcomes) == len(batch)
    for raw, outcome in zip(batch, outcomes, strict=True):
        (alone,) = enricher([raw])
        assert _same(outcome, alone)  # in order: each outcome is its own input's
        if isinstance(outcome, Failure):
            assert re.fullmatch(r"[a-z_]+", outcome.code) and outcome.message
            assert outcome.code != "stage_failed", outcome.message  # no stage crashed
        else:
            story = outcome.story
            assert story.body.strip()
            for entity in story.entities:
                check_spans(story.body, entity.mentions)
            check_spans(story.body, story.quotes)
            check_spans(story.body, story.timex)


# ---------------------------------------------------------------- long pathological input

SIZE = 100_000
STAGE_BOUND_SECONDS = 5.0  # generous: quadratic behaviour on 100k characters takes minutes
PATTERNS = {
    "straight-quotes": '"',
    "curly-quotes": "\u201c\u201d",
    "every-quote-mark": poison.QUOTE_MARKS,
    "open-quote-said": "\u201csaid ",
    "digits": "7",
    "years": "2019 ",
    "may-may-may": "May May May ",
    "spaces": " \n",
    "capitalised-words": "Aa Bb ",
    "said-said": "said said ",
    "nested-brackets": "([{<",
    "mr-mr-mr": "Mr. Mr. Mr. ",
    "quote-said-name": "\u201cYes,\u201d said John Smith. ",
    "weekday-said": "on Monday said ",
}


def pathological(chunk: str, size: int = SIZE) -> str:
    return (chunk * (size // len(chunk) + 1))[:size]


def timed(run: Callable[[], object]) -> float:
    """CPU seconds of `run`: what the algorithm costs, whatever else the machine is doing."""
    started = time.process_time()
    run()
    return time.process_time() - started


@pytest.mark.parametrize("chunk", PATTERNS.values(), ids=PATTERNS.keys())
def test_every_stage_stays_fast_on_100k_pathological_characters(chunk: str) -> None:
    body = pathological(chunk)
    story = make_story(body)
    spans = MODEL([body])[0]
    entities = group_entities(body, spans)
    seconds = {
        "normalise": timed(lambda: normalise(story) if body.strip() else None),
        "dateline": timed(lambda: extract_dateline(story)),
        "language": timed(lambda: tag_language(story)),
        "entities": timed(lambda: group_entities(body, spans)),
        "quotes": timed(lambda: extract_quotes(dataclasses.replace(story, entities=entities))),
        "timex": timed(lambda: find_timex(body, "2026-03-15")),
    }
    print(f"\n{chunk[:20]!r}: " + ", ".join(f"{k} {v:.2f}s" for k, v in seconds.items()))
    slow = {stage: s for stage, s in seconds.items() if s > STAGE_BOUND_SECONDS}
    assert not slow, slow


@pytest.mark.parametrize("chunk", ['"', "\u201c\u201d ", "2019 ", "Mr. ", "a \t", "<a"])
def test_the_cheap_stages_read_a_million_pathological_characters_quickly(chunk: str) -> None:
    """Triage runs these on every message, up to the 5 MB limit."""
    data = pathological(chunk, 1_000_000).encode()

    def triage() -> None:
        try:
            story = normalise(parse_story(data))
            extract_dateline(story)
            tag_language(story)
        except InvalidStory:
            pass  # "<a<a<a..." is no XML: refused, which is as good

    assert timed(triage) < STAGE_BOUND_SECONDS


def _growth(
    prepare: Callable[[str], Any], run: Callable[[Any], object], chunk: str, size: int
) -> tuple[float, float]:
    """Best-of-three seconds of `run` at `size` characters and at twice that, interleaved and
    with the garbage collector paused (its passes grow with the heap, not with the algorithm)."""
    small, large = prepare(pathological(chunk, size)), prepare(pathological(chunk, 2 * size))
    best = [float("inf"), float("inf")]
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            best = [
                min(best[0], timed(lambda: run(small))),
                min(best[1], timed(lambda: run(large))),
            ]
    finally:
        gc.enable()
    return best[0], best[1]


@pytest.mark.parametrize(
    "stage,chunk,size",
    [
        ("quotes", '" said Smith. ', 50_000),
        ("quotes", "\u201cYes,\u201d said John Smith. ", 50_000),
        ("timex", "2019 ", 50_000),
        ("timex", "May May May ", 50_000),
    ],
)
def test_doubling_the_input_roughly_doubles_the_time(stage: str, chunk: str, size: int) -> None:
    if stage == "quotes":  # entities are found before the clock starts
        small, large = _growth(with_entities, extract_quotes, chunk, size)
    else:
        small, large = _growth(str, lambda body: find_timex(body, "2026-03-15"), chunk, size)
    print(
        f"\n{stage} {chunk!r}: {size} {small:.3f}s, {2 * size} {large:.3f}s, x{large / small:.2f}"
    )
    assert large / small < 3.3  # linear is x2, quadratic x4
