"""Lifecycle decisions and near-duplicate fingerprints, as pure functions."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from pipeline.lifecycle import Decision, Published, decide, published_record
from pipeline.neardup import bands, distance, is_near_duplicate, simhash
from pipeline.story import StoryDates
from pipeline.testing import make_story

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
FEATURE = (
    "The city council in Tampere voted late on Wednesday to build a second tram line, ending "
    "two years of argument over the cost of extending the network to the eastern suburbs. "
    "Supporters said the line would cut commuting times by a third and take thousands of cars "
    "off the ring road each day, while opponents warned that the budget had already grown by "
    "forty percent since the first estimate. Construction is due to start next spring and the "
    "first trams could run in 2030, the council said. The national government has promised to "
    "cover a quarter of the bill under its urban transport programme."
)


def _story(version: int = 1, body: str = FEATURE, **fields: object):
    return make_story(body, story_id="urn:t:tram", version=version, **fields)


def test_first_sight_is_enriched() -> None:
    assert decide(_story(), None, NOW) is Decision.ENRICH


def test_exact_resend_is_dropped_even_with_whitespace_changes() -> None:
    known = published_record(_story())
    assert decide(_story(body=FEATURE.replace(". ", ".  ")), known, NOW) is Decision.RESEND


def test_same_version_with_new_content_is_enriched() -> None:
    known = published_record(_story())
    assert decide(_story(body=FEATURE + " Corrects spelling."), known, NOW) is Decision.ENRICH


@pytest.mark.parametrize(("incoming", "expected"), [(3, Decision.ENRICH), (1, Decision.STALE)])
def test_versions_only_move_forward(incoming: int, expected: Decision) -> None:
    known = published_record(_story(version=2))
    assert decide(_story(version=incoming, body=FEATURE + " x"), known, NOW) is expected


def test_same_version_newer_creation_time_wins() -> None:
    older = dataclasses.replace(_story(), dates=StoryDates(published="2026-11-28T09:00:00Z"))
    newer = dataclasses.replace(
        older, body=FEATURE + " Update.", dates=StoryDates(published="2026-11-28T10:00:00Z")
    )
    assert decide(newer, published_record(older), NOW) is Decision.ENRICH
    assert decide(older, published_record(newer), NOW) is Decision.STALE


@pytest.mark.parametrize("status", ["canceled", "withheld"])
def test_kill_notices_kill_once(status: str) -> None:
    kill = _story(version=2, pubstatus=status)
    assert decide(kill, published_record(_story()), NOW) is Decision.KILL
    assert decide(kill, Published(2, None, "x", killed=True), NOW) is Decision.RESEND
    assert decide(_story(version=5), Published(2, None, "x", killed=True), NOW) is Decision.STALE


def test_embargo_holds_until_its_time() -> None:
    held = _story(embargoed_until="2026-11-28T13:00:00Z")
    assert decide(held, None, NOW) is Decision.HOLD
    assert decide(held, None, datetime(2026, 11, 28, 13, 0, 1, tzinfo=UTC)) is Decision.ENRICH
    assert decide(_story(embargoed_until="2026-11-28T11:00:00Z"), None, NOW) is Decision.ENRICH


def test_near_duplicates_are_close_and_other_stories_far() -> None:
    edited = FEATURE.replace("Wednesday", "Tuesday").replace("forty", "40")
    other = (
        "Fishing crews in northern Norway landed a record cod catch this winter, the "
        "fisheries directorate said, as cold water pushed shoals closer to the coast and "
        "prices at the Tromso auction held firm despite the larger supply."
    )
    assert is_near_duplicate(simhash(FEATURE), simhash(edited))
    assert distance(simhash(FEATURE), simhash(other)) > 16
    assert set(bands(simhash(FEATURE))) & set(bands(simhash(edited)))
