"""Triage (`Enricher.prepare`) does only what the lifecycle decision and early dead letters
need; enrichment finishes the cheap stages, and the outcome is what it was when triage did
them all."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.enrich import Enriched, Enricher, Failure, RawInput, check_body
from pipeline.errors import MissingBody
from pipeline.normalise import normalise
from pipeline.story import Story
from pipeline.testing import FakeLanguageModel, make_story, seed_text

RECEIVED = datetime(2026, 11, 28, 9, 15, tzinfo=UTC)
COPY = (
    "LISBON, Nov 28 (Wirestream) - Portugal\u2019s parliament approved the 2027 budget on "
    "Friday after the Socialists agreed to abstain, ending weeks of talks over pensions.\n\n"
    "\u201cThis is a budget for families,\u201d Finance Minister Rui Tavares told lawmakers, "
    "adding that the deficit would narrow to 0.3 percent of output."
)


def _unstamped(story: Story) -> Story:
    return dataclasses.replace(story, dates=dataclasses.replace(story.dates, processed=None))


def test_triage_leaves_the_text_as_parsed_and_enrichment_finishes_it() -> None:
    enricher = Enricher(FakeLanguageModel())
    raw = RawInput(seed_text("urn:t:budget", "  " + COPY.replace(" on ", "\u00a0on ")), RECEIVED)
    prepared = enricher.prepare(raw)
    assert not isinstance(prepared, Failure)
    story, _ = prepared
    assert story.body.startswith("  ") and "\u00a0" in story.body  # not normalised
    assert (story.headline, story.dateline, story.language) == (None, None, None)
    assert story.dates.received == "2026-11-28T09:15:00.000Z"

    (from_prepared,) = enricher([story])
    (from_raw,) = enricher([raw])
    assert isinstance(from_prepared, Enriched) and isinstance(from_raw, Enriched)
    assert _unstamped(from_prepared.story) == _unstamped(from_raw.story)
    enriched = from_prepared.story
    assert enriched.dateline == "LISBON, Nov 28 (Wirestream)"
    assert enriched.language == "en" and enriched.headline
    assert {"normalise", "dateline", "language", "nlp"} <= set(from_prepared.stage_seconds)


def test_a_story_normalised_before_triage_changed_is_enriched_the_same() -> None:
    """Records an older worker put on the prepared topic carry normalised text."""
    enricher = Enricher(FakeLanguageModel())
    prepared = enricher.prepare(RawInput(seed_text("urn:t:budget", COPY), RECEIVED))
    assert not isinstance(prepared, Failure)
    (fresh,) = enricher([prepared[0]])
    (older,) = enricher([normalise(prepared[0])])
    assert isinstance(fresh, Enriched) and isinstance(older, Enriched)
    assert _unstamped(fresh.story) == _unstamped(older.story)


@pytest.mark.parametrize(
    "body",
    [
        " \u200b\ufeff\t ",  # only invisible characters
        "&nbsp; &#160;",  # entities that decode to spaces
        "\x1b[31m\x1b[0m",  # terminal colour codes and nothing else
        "\u00c2\u00a0",  # mojibake of a non-breaking space
    ],
)
def test_a_body_with_nothing_to_read_is_still_refused_at_triage(body: str) -> None:
    enricher = Enricher(FakeLanguageModel())
    data = f"id urn:t:empty\ndate 2026-11-28\nheadline Something\n\n{body}\n".encode()
    outcome = enricher.prepare(RawInput(data, RECEIVED))
    assert isinstance(outcome, Failure)
    assert (outcome.code, outcome.stage, outcome.story_id) == (
        "missing_body",
        "parse",
        "urn:t:empty",
    )


def test_an_empty_body_is_refused_before_a_bad_date_as_before() -> None:
    data = b"id urn:t:both\ndate not-a-date\n\n\xe2\x80\x8b\n"
    outcome = Enricher(FakeLanguageModel()).prepare(RawInput(data))
    assert isinstance(outcome, Failure) and outcome.code == "missing_body"


PIECES = st.sampled_from(
    [
        "&",
        "&amp;",
        "&nbsp;",
        "&#32;",
        "&#x41;",
        ";",
        "#",
        "\x1b",
        "\x1b[",
        "[0m",
        "31",
        "m",
        "A",
        "z",
        "7",
        " ",
        "\u00a0",
        "\u00c2",
        "\u00c3",
        "\u00a9",
        "\u200b",
        "\ufeff",
        "\n",
        "\x07",
        "\x85",
        "\u0301",
        "\u201c",
        "\u00e9",
        "<",
    ]
)


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(PIECES, max_size=12).map("".join) | st.text(max_size=40))
def test_the_body_check_refuses_exactly_what_normalise_refuses(body: str) -> None:
    story = make_story(body)
    try:
        normalise(story)
        refused = False
    except MissingBody:
        refused = True
    try:
        assert check_body(story) is story
        checked = False
    except MissingBody:
        checked = True
    assert checked == refused


@pytest.mark.parametrize("chunk", ["&", "&#", "&a", "\x1b", "\x1b[", "\x1b;", " ", "\u00a0"])
def test_the_body_check_is_fast_on_long_pathological_bodies(chunk: str) -> None:
    story = make_story(chunk * (100_000 // len(chunk)) + " the end")
    started = time.perf_counter()
    check_body(story)
    assert time.perf_counter() - started < 2.0


def test_triage_skips_the_costly_stages() -> None:
    """No language detection and no normalising in triage for ordinary copy: those are for
    stories that get enriched, and run in the NLP pool."""
    calls: list[str] = []

    def language(story: Story) -> Story:
        calls.append("language")
        return story

    enricher = Enricher(FakeLanguageModel(), pre_stages=(("language", language),))
    prepared = enricher.prepare(RawInput(seed_text("urn:t:budget", COPY), RECEIVED))
    assert not isinstance(prepared, Failure) and calls == []
    assert prepared[0].body == seed_text("urn:t:budget", COPY).decode().split("\n\n", 1)[1]
    enricher([prepared[0]])
    assert calls == ["language"]
