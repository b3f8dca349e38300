"""Lifecycle decisions and near-duplicate fingerprints, as pure functions."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

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
    source_hash,
)
from pipeline.neardup import buckets, distance, is_near_duplicate, simhash
from pipeline.normalise import normalise
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
    assert set(buckets(simhash(FEATURE))) & set(buckets(simhash(edited)))


# ------------------------------------------- stories as triage leaves them (not normalised)


def _raw(body: str = FEATURE, headline: str | None = "Tampere votes for a second tram line"):
    return make_story(body, story_id="urn:t:tram", headline=headline)


def _count_normalising(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = lifecycle.normalise

    def counted(story):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(story)

    monkeypatch.setattr(lifecycle, "normalise", counted)
    return calls


def test_an_exact_resend_is_recognised_without_normalising(monkeypatch: pytest.MonkeyPatch) -> None:
    known = published_record(_raw())
    calls = _count_normalising(monkeypatch)
    assert decide(_raw(), known, NOW) is Decision.RESEND
    assert calls == []


def test_a_resend_that_differs_only_until_normalised_is_still_a_resend() -> None:
    """Same version sent again with non-breaking spaces and a byte-order mark: what the reader
    sees is the same, so it is dropped, as it was when triage normalised."""
    known = published_record(_raw())
    again = _raw(body="\ufeff" + FEATURE.replace(" the ", "\u00a0the\u00a0"))
    assert again.body != FEATURE
    assert decide(again, known, NOW) is Decision.RESEND
    assert decide(_raw(body=FEATURE + " New sentence."), known, NOW) is Decision.ENRICH


def test_the_content_hash_is_the_normalised_one_as_before() -> None:
    story = _raw(body="  " + FEATURE.replace(". ", ".\n"), headline=None)
    record = published_record(story)
    assert record.content_hash == content_hash(normalise(story))
    assert record.source_hash == source_hash(story) != source_hash(normalise(story))


def test_rows_written_before_source_hashes_still_decide_by_content() -> None:
    old_row = {"version": 1, "version_created": "2026-11-23", "content_hash": "", "killed": False}
    old_row["content_hash"] = content_hash(normalise(_raw()))
    known = Published.from_dict(old_row)
    assert known.source_hash is None
    assert decide(_raw(), known, NOW) is Decision.RESEND
    assert decide(_raw(body=FEATURE + " More."), known, NOW) is Decision.ENRICH
    assert Published.from_dict(published_record(_raw()).to_dict()) == published_record(_raw())


def test_headline_and_body_are_not_confused_by_the_source_hash() -> None:
    assert source_hash(_raw("B", headline="A.")) != source_hash(_raw("A. B", headline=None))
    assert source_hash(_raw("x", headline="")) != source_hash(_raw("x", headline=None))


def test_a_batch_decides_like_one_story_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = {"urn:t:tram": published_record(_raw())}
    batch = [
        _raw(),  # exact resend of the stored version
        dataclasses.replace(_raw(FEATURE + " Fixed."), version=2),  # newer: enrich
        dataclasses.replace(_raw(FEATURE + " Fixed.\u00a0"), version=2),  # same once normalised
        dataclasses.replace(_raw(FEATURE + " Fixed."), version=2),  # exact resend in the batch
        dataclasses.replace(_raw(FEATURE + " Fixed again."), version=2),  # same version, new text
        _raw(),  # older
        make_story("Withdrawn.", story_id="urn:t:tram", version=3, pubstatus="canceled"),
        dataclasses.replace(_raw(FEATURE + " Fixed again."), version=2),  # killed: stays dead
    ]
    calls = _count_normalising(monkeypatch)
    decisions = decide_batch(batch, stored.get, NOW)
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
    assert len(calls) == 4  # only the two same-version comparisons whose text differs


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
def test_decisions_on_raw_copy_equal_decisions_on_normalised_copy(
    specs: list[tuple[str, str | None, int, str | None, str]], split: int
) -> None:
    """What triage used to hand over was normalised; the decisions are the same on raw copy,
    across batches (the table) and within one (earlier versions of the batch)."""
    raw = [
        make_story(
            body,
            story_id="urn:t:tram",
            headline=headline,
            version=version,
            published=published,
            pubstatus=status,
        )
        for body, headline, version, published, status in specs
    ]

    def old_same(story: object, known: Published) -> bool:
        return content_hash(story) == known.content_hash  # type: ignore[arg-type]

    def old(stories: list) -> list[Decision]:  # type: ignore[type-arg]
        table: dict[str, Published] = {}
        out = []
        for batch in (stories[:split], stories[split:]):
            seen = dict(table)
            for story in (normalise(s) for s in batch):
                decision = decide(story, seen.get(story.story_id), NOW, old_same)
                out.append(decision)
                if decision in (Decision.ENRICH, Decision.KILL):
                    seen[story.story_id] = Published(
                        story.version,
                        story.dates.published,
                        content_hash(story),
                        decision is Decision.KILL,
                    )
            table = seen
        return out

    def new(stories: list) -> list[Decision]:  # type: ignore[type-arg]
        table: dict[str, Published] = {}
        out = []
        for batch in (stories[:split], stories[split:]):
            decisions = decide_batch(batch, table.get, NOW)
            for story, decision in zip(batch, decisions, strict=True):
                if decision in (Decision.ENRICH, Decision.KILL):
                    table[story.story_id] = published_record(
                        story, killed=decision is Decision.KILL
                    )
            out += decisions
        return out

    assert new(raw) == old(raw)
