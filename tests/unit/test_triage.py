"""Triage (`Enricher.prepare`) parses, normalises and date-stamps each story once; enrichment
reads that story and never derives it again, and the outcome is the same from raw bytes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from pipeline.enrich import Enriched, Enricher, RawInput
from pipeline.errors import Failure
from pipeline.normalise import normalise
from pipeline.story import Story
from pipeline.testing import FakeLanguageModel, seed_text

RECEIVED = datetime(2026, 11, 28, 9, 15, tzinfo=UTC)
COPY = (
    "LISBON, Nov 28 (Wirestream) - Portugal\u2019s parliament approved the 2027 budget on "
    "Friday after the Socialists agreed to abstain, ending weeks of talks over pensions.\n\n"
    "\u201cThis is a budget for families,\u201d Finance Minister Rui Tavares told lawmakers, "
    "adding that the deficit would narrow to 0.3 percent of output."
)


def _unstamped(story: Story) -> Story:
    return dataclasses.replace(story, dates=dataclasses.replace(story.dates, processed=None))


def test_triage_normalises_and_stamps_once_and_enrichment_reads_that_story() -> None:
    enricher = Enricher(FakeLanguageModel())
    raw = RawInput(seed_text("urn:t:budget", "  " + COPY.replace(" on ", "\u00a0on ")), RECEIVED)
    prepared = enricher.prepare(raw)
    assert not isinstance(prepared, Failure)
    story, timings = prepared
    assert story == normalise(story)  # normalised, and normalising again changes nothing
    assert not story.body.startswith(" ") and "\u00a0" not in story.body
    assert story.dates.received == "2026-11-28T09:15:00.000Z"
    assert story.dates.processed is None  # stamped once, when enrichment finishes
    assert {"parse", "normalise", "dates"} <= set(timings)

    (from_prepared,) = enricher([story])
    (from_raw,) = enricher([raw])
    assert isinstance(from_prepared, Enriched) and isinstance(from_raw, Enriched)
    assert _unstamped(from_prepared.story) == _unstamped(from_raw.story)
    enriched = from_prepared.story
    assert enriched.dateline == "LISBON, Nov 28 (Wirestream)"
    assert enriched.language == "en" and enriched.headline
    assert enriched.dates.processed is not None
    assert "normalise" not in from_prepared.stage_seconds  # not done a second time
    assert {"dateline", "language", "nlp"} <= set(from_prepared.stage_seconds)


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


def test_triage_skips_language_detection() -> None:
    """Language detection is for stories that get enriched, and runs in the NLP pool."""
    calls: list[str] = []

    def language(story: Story) -> Story:
        calls.append("language")
        return story

    enricher = Enricher(FakeLanguageModel(), pre_stages=(("language", language),))
    prepared = enricher.prepare(RawInput(seed_text("urn:t:budget", COPY), RECEIVED))
    assert not isinstance(prepared, Failure) and calls == []
    enricher([prepared[0]])
    assert calls == ["language"]
