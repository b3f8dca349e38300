"""The benchmark's story generator: sizes, determinism, and copy the parser accepts."""

from __future__ import annotations

import pytest

from bench.corpus import (
    MAX_WORDS,
    MIN_WORDS,
    generate_corpus,
    generate_story,
    meantime_corpus,
)
from pipeline.formats import parse_story
from pipeline.normalise import normalise
from tests.conftest import shared_path


@pytest.mark.parametrize("words", [MIN_WORDS, 120, 400, 900, MAX_WORDS])
def test_bodies_have_the_asked_size(words: int) -> None:
    slack = max(6, words // 10)
    for story in generate_corpus(40, words=words, seed=3):
        parsed = parse_story(story.data)
        assert abs(parsed.word_count - words) <= slack, (story.story_id, parsed.word_count)
        assert story.words == parsed.word_count


def test_mixed_sizes_run_from_flash_to_feature() -> None:
    sizes = [story.words for story in generate_corpus(300, words=None)]
    assert min(sizes) < 100
    assert max(sizes) > 1400
    assert 300 <= sorted(sizes)[len(sizes) // 2] <= 500  # most copy is a standard story


def test_same_seed_same_bytes_and_story_i_does_not_depend_on_corpus_size() -> None:
    assert generate_corpus(5, seed=7) == generate_corpus(5, seed=7)
    assert generate_corpus(10, seed=7)[3] == generate_corpus(4, seed=7)[3]
    assert generate_corpus(3, seed=7, start=3)[0] == generate_corpus(4, seed=7)[3]
    assert generate_story(0, seed=7).data != generate_story(0, seed=8).data
    assert generate_story(0).data != generate_story(1).data


def test_ids_are_unique_across_a_corpus() -> None:
    stories = generate_corpus(500, words=60)
    assert len({s.story_id for s in stories}) == 500


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_stories_parse_and_normalise_as_agency_copy(fmt: str) -> None:
    for story in generate_corpus(30, seed=1, fmt=fmt):
        parsed = normalise(parse_story(story.data))
        assert parsed.source_format == fmt
        assert parsed.story_id == story.story_id
        assert parsed.language == "en"
        assert parsed.headline
        assert parsed.dates.published is not None
        assert parsed.dates.published.startswith("2026-")
        assert "(Wirestream) - " in parsed.body.split("\n\n")[0]
        assert parsed.body.rstrip().endswith(")")  # the reporting/editing sign-off


def test_standard_stories_carry_quotes_and_named_people() -> None:
    stories = [parse_story(s.data).body for s in generate_corpus(50, words=400, seed=2)]
    with_quotes = [body for body in stories if "\u201c" in body and "\u201d" in body]
    assert len(with_quotes) >= 45
    for body in with_quotes:
        assert body.count("\u201c") == body.count("\u201d")


def test_sizes_outside_the_range_are_refused() -> None:
    with pytest.raises(ValueError, match="between"):
        generate_story(0, words=MIN_WORDS - 1)
    with pytest.raises(ValueError, match="between"):
        generate_story(0, words=MAX_WORDS + 1)
    with pytest.raises(ValueError, match="fmt"):
        generate_story(0, fmt="nitf")


def test_meantime_articles_become_parseable_stories_with_their_own_ids() -> None:
    root = shared_path("data", "meantime")
    stories = meantime_corpus(95, root=root)
    assert len({s.story_id for s in stories}) == 95  # 90 articles, five of them a second time
    for story in stories[:10]:
        parsed = parse_story(story.data)
        assert parsed.story_id == story.story_id
        assert parsed.word_count == story.words > 50
