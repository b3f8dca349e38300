"""Retention, as pure parts: dated table rows (old rows still read), which rows an expiry pass
deletes or stamps, held embargoes kept until released, the near-duplicate index bounded by age
and by size, and the setting that drives it all."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.settings import Settings, settings_help
from pipeline.lifecycle import (
    Decision,
    decide_batch,
    expire,
    is_expired,
    published_record,
    released_embargoes,
)
from pipeline.neardup import NearIndex, simhash
from pipeline.testing import make_story
from schemas.tables import (
    Fingerprint,
    Published,
    decode_fingerprint,
    decode_published,
    encode_fingerprint,
    encode_published,
)

DAY = 86400.0
NOW = 1_796_000_000.0  # late 2026, in Unix seconds
BODY = (
    "Air traffic controllers in Lisbon walked out for four hours on Friday morning over staffing "
    "at the main approach centre, forcing the cancellation of about 120 flights, the airport "
    "operator said. Passengers queued for rebooking desks into the afternoon, and the airline "
    "serving most routes to the Azores said it would add two evening departures to clear the "
    "backlog."
)


def test_published_rows_carry_their_time_and_rows_without_one_still_read() -> None:
    story = make_story(BODY, story_id="urn:t:atc")
    record = published_record(story, recorded_at=NOW)
    assert decode_published(encode_published(record)) == record
    older = orjson.dumps(
        {"version": 1, "version_created": None, "content_hash": record.content_hash}
    )
    assert decode_published(older).recorded_at is None
    assert decode_published(older).content_hash == record.content_hash


def test_fingerprint_rows_of_either_worker_version_are_read() -> None:
    fingerprint = simhash(BODY)
    assert decode_fingerprint(encode_fingerprint(Fingerprint(fingerprint, NOW))) == Fingerprint(
        fingerprint, NOW
    )
    assert decode_fingerprint(str(fingerprint).encode()) == Fingerprint(fingerprint, None)
    assert decode_fingerprint(encode_fingerprint(Fingerprint((1 << 64) - 1))).simhash == (
        (1 << 64) - 1
    )
    for bad in (b"not a number", b"-3", str(1 << 64).encode(), b'{"recorded_at": 1}', b"true"):
        with pytest.raises(ValueError):
            decode_fingerprint(bad)


def test_an_expiry_pass_deletes_what_is_older_than_the_retention_and_stamps_undated_rows() -> None:
    rows = [
        (b"urn:t:old", NOW - 8 * DAY),
        (b"urn:t:fresh", NOW - 6 * DAY),
        (b"urn:t:edge", NOW - 7 * DAY),  # exactly the retention: not older than it
        (b"urn:t:legacy", None),
        (b"urn:t:unreadable", float("-inf")),
    ]
    verdict = expire(rows, NOW, 7 * DAY)
    assert verdict.expired == [b"urn:t:old", b"urn:t:unreadable"]
    assert verdict.undated == [b"urn:t:legacy"]
    assert not is_expired(None, NOW, 7 * DAY)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(st.one_of(st.none(), st.floats(NOW - 30 * DAY, NOW)), max_size=30),
    st.floats(0.001, 20 * DAY),
)
def test_every_row_is_expired_stamped_or_kept_exactly_once(
    ages: list[float | None], retention: float
) -> None:
    rows = list(enumerate(ages))
    verdict = expire(rows, NOW, retention)
    assert not set(verdict.expired) & set(verdict.undated)
    for key, since in rows:
        assert (key in verdict.expired) == (since is not None and NOW - since > retention)
        assert (key in verdict.undated) == (since is None)


def test_held_copy_is_never_expired_before_its_release() -> None:
    held = [b"urn:t:waiting", b"urn:t:released-long-ago", b"urn:t:released-just-now"]
    released = {b"urn:t:released-long-ago": NOW - 9 * DAY, b"urn:t:released-just-now": NOW - 60}
    rows = list(released_embargoes(held, released))
    assert [key for key, _ in rows] == [b"urn:t:released-long-ago", b"urn:t:released-just-now"]
    assert expire(rows, NOW, 7 * DAY).expired == [b"urn:t:released-long-ago"]


def test_a_story_remembered_longer_than_the_retention_is_new_again() -> None:
    """The worker's lookup drops rows older than the retention (agents/worker/lifecycle.py);
    given that, the resend of an expired story is enriched, not dropped."""
    story = make_story(BODY, story_id="urn:t:atc")
    row = published_record(story, recorded_at=NOW - 8 * DAY)

    def lookup(story_id: str) -> Published | None:  # what Lifecycle.known does with the row's time
        return None if is_expired(row.recorded_at, NOW, 7 * DAY) else row

    assert (
        decide_batch([(story, row.content_hash)], lambda _: row, datetime.fromtimestamp(NOW, UTC))[
            0
        ]
        is Decision.RESEND
    )
    assert (
        decide_batch([(story, row.content_hash)], lookup, datetime.fromtimestamp(NOW, UTC))[0]
        is Decision.ENRICH
    )


def test_the_near_index_forgets_what_is_older_than_the_cutoff() -> None:
    index = NearIndex()
    old, fresh = simhash(BODY), simhash(BODY.replace("Lisbon", "Porto") + " Unions met late.")
    index.add("urn:t:old", old, NOW - 8 * DAY)
    index.add("urn:t:fresh", fresh, NOW - DAY)
    assert index.evict_before(NOW - 7 * DAY) == ["urn:t:old"]
    assert "urn:t:old" not in index and len(index) == 1
    assert index.nearest(old) != "urn:t:old"
    assert index.nearest(fresh) == "urn:t:fresh"


def test_the_same_fingerprint_added_again_is_remembered_from_then() -> None:
    index = NearIndex()
    index.add("urn:t:atc", simhash(BODY), NOW - 8 * DAY)
    index.add("urn:t:atc", simhash(BODY), NOW - DAY)  # the story enriched again
    assert index.evict_before(NOW - 7 * DAY) == []
    assert "urn:t:atc" in index


def test_past_its_limit_the_near_index_drops_the_oldest_first() -> None:
    rng = random.Random(7)
    index = NearIndex(limit=500)
    prints = {f"urn:t:{i}": rng.getrandbits(64) for i in range(2000)}
    for i, (story_id, fingerprint) in enumerate(prints.items()):
        index.add(story_id, fingerprint, NOW + i)
        assert len(index) <= 500
    assert len(index) >= 450  # a tenth below the limit at most
    assert "urn:t:1999" in index and "urn:t:0" not in index
    kept = [story_id for story_id in prints if story_id in index]
    assert kept == list(prints)[-len(kept) :]  # exactly the newest survive
    assert all(index.nearest(prints[story_id]) == story_id for story_id in kept[-50:])


def test_the_retention_is_a_setting_in_days_that_takes_fractions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().retention_days == 7.0
    monkeypatch.setenv("WIRESTREAM_RETENTION_DAYS", "0.00005")
    assert Settings().retention_days == 0.00005
    monkeypatch.setenv("WIRESTREAM_RETENTION_DAYS", "0")
    with pytest.raises(ValueError):
        Settings()
    assert "WIRESTREAM_RETENTION_DAYS=7.0" in settings_help()
    assert "WIRESTREAM_NEAR_INDEX_LIMIT=1000000" in settings_help()
