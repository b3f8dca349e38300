"""Normalising text and stamping dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.dates import InvalidDate, anchor_date, parse_published, stamp_dates
from pipeline.errors import MissingBody
from pipeline.normalise import clean_text, normalise
from pipeline.testing import make_story


def test_mojibake_is_repaired_and_curly_quotes_survive() -> None:
    broken = "The mayorâ€™s office said â€œno commentâ€\x9d on Friday."
    assert clean_text(broken) == "The mayor’s office said “no comment” on Friday."


def test_unicode_is_nfc() -> None:
    assert clean_text("Cafe\u0301 owners") == "Caf\u00e9 owners"


def test_whitespace_and_paragraphs_are_canonical() -> None:
    text = "  First\tparagraph  wraps\nhere.\r\n\r\n\r\n  Second\u00a0one.\x07  "
    assert clean_text(text) == "First paragraph wraps here.\n\nSecond one."


def test_clean_copy_is_untouched_so_offsets_hold(wire_story, wire_story_expected) -> None:
    from pipeline.formats import parse_story

    assert normalise(parse_story(wire_story.read_bytes())).body == wire_story_expected["text"]


def test_missing_headline_comes_from_the_first_sentence() -> None:
    story = normalise(make_story("Rain closed the airport. Flights resumed later."))
    assert story.headline == "Rain closed the airport."


def test_body_of_only_control_characters_is_missing() -> None:
    with pytest.raises(MissingBody):
        normalise(make_story("\x01\x02 \t\n\n"))


def test_dates_are_stamped_with_their_precision() -> None:
    received = datetime(2026, 11, 28, 9, 15, 0, 123000, tzinfo=UTC)
    processed = datetime(2026, 11, 28, 9, 15, 1, tzinfo=UTC)
    story = stamp_dates(make_story(published="2026-11-27"), received=received, processed=processed)
    assert story.dates.published == "2026-11-27"
    assert story.dates.received == "2026-11-28T09:15:00.123Z"
    assert story.dates.processed == "2026-11-28T09:15:01.000Z"
    assert anchor_date(story).isoformat() == "2026-11-27"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2025-03-15", "2025-03-15"),
        ("2025-03-15T10:00:00+02:00", "2025-03-15T08:00:00.000Z"),
        ("Sat, 15 Mar 2025 10:00:00 GMT", "2025-03-15T10:00:00.000Z"),
        ("20250315T100000Z", "2025-03-15T10:00:00.000Z"),
    ],
)
def test_published_dates_in_wire_forms(given: str, expected: str) -> None:
    assert parse_published(given) == expected


@pytest.mark.parametrize("bad", ["2025-02-30", "next tuesday-ish", "x" * 100])
def test_unreadable_published_date_is_a_clear_error(bad: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        parse_published(bad)
    assert caught.value.code == "invalid_date"
