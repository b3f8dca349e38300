"""The banded near-duplicate index: finds what a full scan finds, at a fraction of the cost."""

from __future__ import annotations

import random
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.neardup import BANDS, MAX_DISTANCE, NearIndex, buckets, distance, simhash

FINGERPRINT = st.integers(min_value=0, max_value=(1 << 64) - 1)


def scan(rows: dict[str, int], fingerprint: int, exclude: str | None) -> str | None:
    """The reference: every stored fingerprint compared, the closest (smallest id) kept."""
    near = [
        (distance(fp, fingerprint), story_id)
        for story_id, fp in rows.items()
        if story_id != exclude and distance(fp, fingerprint) <= MAX_DISTANCE
    ]
    return min(near)[1] if near else None


def flip(fingerprint: int, positions: list[int]) -> int:
    for position in positions:
        fingerprint ^= 1 << position
    return fingerprint


@settings(max_examples=300, deadline=None, database=None)
@given(FINGERPRINT, st.lists(st.integers(0, 63), unique=True, max_size=MAX_DISTANCE))
def test_any_fingerprint_within_seven_bits_is_found(stored: int, positions: list[int]) -> None:
    index = NearIndex()
    index.add("urn:a", stored)
    assert index.nearest(flip(stored, positions)) == "urn:a"
    assert index.nearest(flip(stored, positions), exclude="urn:a") is None


@settings(max_examples=200, deadline=None, database=None)
@given(FINGERPRINT, st.lists(st.integers(0, 63), unique=True, min_size=8, max_size=20))
def test_eight_bits_or_more_away_is_not_a_duplicate(stored: int, positions: list[int]) -> None:
    index = NearIndex()
    index.add("urn:a", stored)
    assert index.nearest(flip(stored, positions)) is None


@settings(max_examples=100, deadline=None, database=None)
@given(
    FINGERPRINT,
    st.lists(
        st.tuples(
            st.sampled_from([f"urn:{i}" for i in range(12)]),
            st.lists(st.integers(0, 63), unique=True, max_size=10),
        ),
        max_size=40,
    ),
    st.lists(st.integers(0, 63), unique=True, max_size=4),
)
def test_lookups_agree_with_a_full_scan_as_rows_are_added_and_replaced(
    base: int, writes: list[tuple[str, list[int]]], probe: list[int]
) -> None:
    """Clustered fingerprints (all near `base`), ids rewritten with new versions' prints."""
    index, rows = NearIndex(), {}
    for story_id, positions in writes:
        fingerprint = flip(base, positions)
        index.add(story_id, fingerprint)
        rows[story_id] = fingerprint
        query = flip(base, probe)
        for exclude in (None, story_id):
            assert index.nearest(query, exclude) == scan(rows, query, exclude)
    assert len(index) == len(rows)


def test_replaced_and_discarded_rows_are_forgotten_even_after_compaction() -> None:
    rnd = random.Random(3)
    index = NearIndex()
    first = {f"urn:{i}": rnd.getrandbits(64) for i in range(3000)}
    for story_id, fingerprint in first.items():
        index.add(story_id, fingerprint)
    second = {story_id: rnd.getrandbits(64) for story_id in first}
    for story_id, fingerprint in second.items():  # every id rewritten: compaction runs
        index.add(story_id, fingerprint)
    index.discard("urn:7")
    assert len(index) == 2999
    assert index.nearest(first["urn:5"]) != "urn:5"  # its old print is gone
    assert index.nearest(second["urn:5"]) == "urn:5"
    assert index.nearest(second["urn:7"]) is None
    assert index.get("urn:5") == second["urn:5"] and "urn:7" not in index


def test_re_adding_the_same_fingerprint_changes_nothing() -> None:
    """The changelog echoes this worker's own writes back: no row may pile up."""
    index = NearIndex()
    for _ in range(5000):
        index.add("urn:echo", 12345)
    assert len(index) == 1 and index.nearest(12345 ^ 0b111) == "urn:echo"


def test_edited_copy_is_found_among_many_stories() -> None:
    story = (
        "The port authority in Gdansk said on Thursday that the new container terminal would "
        "open in March, two months later than planned, after storms delayed work on the quay. "
        "The operator expects the terminal to handle a million containers a year by 2028 and "
        "said the delay would not change its plans to hire four hundred dock workers."
    )
    edited = story.replace("Thursday", "Wednesday").replace("four hundred", "400")
    rnd = random.Random(1)
    index = NearIndex()
    for i in range(20_000):
        index.add(f"urn:other:{i}", rnd.getrandbits(64))
    index.add("urn:port", simhash(story))
    assert index.nearest(simhash(edited), exclude="urn:port:2") == "urn:port"
    assert set(buckets(simhash(story))) & set(buckets(simhash(edited)))
    assert len(buckets(simhash(story))) == BANDS


def test_lookup_at_a_hundred_thousand_stories_is_far_cheaper_than_a_scan() -> None:
    """35 ms a story for the scan it replaces; generous bound for a shared machine."""
    rnd = random.Random(2)
    index = NearIndex()
    for i in range(100_000):
        index.add(f"urn:s:{i}", rnd.getrandbits(64))
    queries = [rnd.getrandbits(64) for _ in range(500)]
    started = time.perf_counter()
    for query in queries:
        index.nearest(query)
    assert (time.perf_counter() - started) / len(queries) < 0.002
