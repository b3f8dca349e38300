"""Lifecycle decisions and near-duplicate fingerprints, as pure functions."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import lifecycle
from pipeline.lifecycle import (
    Decision,
    Published,
    content_hash,
    decide,
    decide_batch,
    published_record,
)
from pipeline.neardup import buckets, distance, is_near_duplicate, simhash
from pipeline.normalise import normalise
from pipeline.story import StoryDates
from pipeline.testing import make_story
from schemas.tables import decode_published, encode_published

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
    assert set(buckets(simhash(FEATURE))) & set(buckets(simhash(edited)))


# ------------------------------------------- stories as triage hands them over (normalised)


def _triaged(body: str = FEATURE, headline: str | None = "Tampere votes for a second tram line"):
    """A story the way triage hands it to the lifecycle: parsed and normalised."""
    return normalise(make_story(body, story_id="urn:t:tram", headline=headline))


def test_a_resend_that_differs_only_until_normalised_is_still_a_resend() -> None:
    """Same version sent again with non-breaking spaces and a byte-order mark: triage
    normalises both to the same text, so the content hashes agree and it is dropped."""
    known = published_record(_triaged())
    again = _triaged(body="\ufeff" + FEATURE.replace(" the ", "\u00a0the\u00a0"))
    assert decide(again, known, NOW) is Decision.RESEND
    assert decide(_triaged(body=FEATURE + " New sentence."), known, NOW) is Decision.ENRICH


def test_the_hash_triage_carries_decides_and_is_not_computed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    story = _triaged()
    known = published_record(story)
    monkeypatch.setattr(lifecycle, "content_hash", lambda s: pytest.fail("hashed again"))
    assert decide(story, known, NOW, known.content_hash) is Decision.RESEND
    assert decide(story, known, NOW, "another text") is Decision.ENRICH


def test_rows_of_any_worker_version_are_read() -> None:
    story = _triaged()
    record = published_record(story)
    assert decode_published(encode_published(record)) == record
    older = orjson.dumps(
        {
            "version": 1,
            "version_created": None,
            "content_hash": record.content_hash,
            "killed": False,
            "source_hash": "0" * 32,
        }
    )
    assert decide(story, decode_published(older), NOW) is Decision.RESEND


def test_headline_and_body_are_both_read_by_the_content_hash() -> None:
    assert content_hash(_triaged("B", headline="A")) != content_hash(_triaged("B", headline="C"))
    assert content_hash(_triaged("x y", headline=None)) != content_hash(_triaged("x z", None))


def test_a_batch_decides_like_one_story_at_a_time() -> None:
    stored = {"urn:t:tram": published_record(_triaged())}
    batch = [
        _triaged(),  # exact resend of the stored version
        dataclasses.replace(_triaged(FEATURE + " Fixed."), version=2),  # newer: enrich
        dataclasses.replace(_triaged(FEATURE + " Fixed.\u00a0"), version=2),  # same, normalised
        dataclasses.replace(_triaged(FEATURE + " Fixed."), version=2),  # exact resend in batch
        dataclasses.replace(_triaged(FEATURE + " Fixed again."), version=2),  # new text
        _triaged(),  # older
        make_story("Withdrawn.", story_id="urn:t:tram", version=3, pubstatus="canceled"),
        dataclasses.replace(_triaged(FEATURE + " Fixed again."), version=2),  # killed
    ]
    decisions = decide_batch([(s, content_hash(s)) for s in batch], stored.get, NOW)
    assert decisions == [
        Decision.RESEND,
        Decision.ENRICH,
        Decision.RESEND,
        Decision.RESEND,
        Decision.ENRICH,
        Decision.STALE,
        Decision.KILL,
        Decision.STALE,
    ]


VARIANTS = (
    FEATURE,
    FEATURE.replace(" the ", "\u00a0the "),  # reads the same once normalised
    "\ufeff" + FEATURE + "\n\n",
    FEATURE.replace("tram", "tramway"),  # reads differently
    FEATURE.replace("council", "council &amp; mayor"),
)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(VARIANTS),
            st.sampled_from([None, "Tram line approved", "Tram line approved\u00a0"]),
            st.integers(1, 3),
            st.sampled_from([None, "2026-11-28T09:00:00.000Z", "2026-11-28T10:00:00.000Z"]),
            st.sampled_from(["usable", "usable", "usable", "canceled"]),
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(0, 7),
)
def test_batch_decisions_equal_decisions_one_story_at_a_time(
    specs: list[tuple[str, str | None, int, str | None, str]], split: int
) -> None:
    """Across batches (the table) and within one (earlier versions of the batch), deciding a
    batch gives what deciding each story in turn against a running table gives."""
    stories = [
        normalise(
            make_story(
                body,
                story_id="urn:t:tram",
                headline=headline,
                version=version,
                published=published,
                pubstatus=status,
            )
        )
        for body, headline, version, published, status in specs
    ]

    def one_at_a_time() -> list[Decision]:
        table: dict[str, Published] = {}
        out = []
        for story in stories:
            decision = decide(story, table.get(story.story_id), NOW)
            out.append(decision)
            if decision in (Decision.ENRICH, Decision.KILL):
                table[story.story_id] = published_record(story, killed=decision is Decision.KILL)
        return out

    def batched() -> list[Decision]:
        table: dict[str, Published] = {}
        out = []
        for batch in (stories[:split], stories[split:]):
            decisions = decide_batch([(s, content_hash(s)) for s in batch], table.get, NOW)
            for story, decision in zip(batch, decisions, strict=True):
                if decision in (Decision.ENRICH, Decision.KILL):
                    table[story.story_id] = published_record(
                        story, killed=decision is Decision.KILL
                    )
            out += decisions
        return out

    assert batched() == one_at_a_time()
