"""Parsing the plain-text wire format and wirestream's JSON form."""

from __future__ import annotations

import orjson
import pytest

from pipeline.errors import InvalidStory, MissingBody
from pipeline.formats import parse_story
from pipeline.testing import seed_text


def test_header_lines_become_story_fields() -> None:
    data = (
        b"date 2026-11-02\nid urn:agency:abc\nversion 3\nheadline Ferry services resume\n"
        b"subject transport\nsubject weather\n\nFerries to the islands resumed on Monday.\n"
    )
    story = parse_story(data)
    assert story.story_id == "urn:agency:abc"
    assert story.version == 3
    assert story.headline == "Ferry services resume"
    assert story.subjects == ("transport", "weather")
    assert story.dates.published == "2026-11-02"
    assert story.body.strip() == "Ferries to the islands resumed on Monday."


def test_padded_header_lines(wire_story, wire_story_expected) -> None:
    story = parse_story(wire_story.read_bytes())
    assert story.dates.published == wire_story_expected["dct"]
    assert story.body.strip() == wire_story_expected["text"].strip()


def test_text_without_headers_is_all_body_with_a_stable_id() -> None:
    body = b"Power was restored to most of the city by Tuesday evening, the utility said."
    first, second = parse_story(body), parse_story(b"  " + body + b"\n")
    assert first.body.strip() == body.decode()
    assert first.story_id == second.story_id  # resends of the same copy share an id
    assert first.story_id != parse_story(body + b" More.").story_id


def test_a_body_line_that_looks_like_a_header_stays_body() -> None:
    story = parse_story(b"Officials said the vote would go ahead.\n\nSecond paragraph.")
    assert story.body.startswith("Officials said")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "invalid_story"),
        (b"   \n\n  ", "invalid_story"),
        (b"\xff\xfe\x00garbage", "invalid_encoding"),
        (b"date 2026-01-01\n\n   \n", "missing_body"),
        (b"date 2026-01-01\nversion zero\n\nText.", "invalid_story"),
        (b'{"body": ', "invalid_json"),
        (b'["a list"]', "invalid_json"),
        (b'{"headline": "no body"}', "invalid_json"),
        (b'{"body": "x", "version": "two"}', "invalid_json"),
        (b"[" * 10000 + b"]" * 10000, "invalid_json"),
    ],
)
def test_bad_input_is_rejected_with_a_stable_code(data: bytes, code: str) -> None:
    with pytest.raises(InvalidStory) as caught:
        parse_story(data)
    assert caught.value.code == code
    assert caught.value.message


def test_json_story_maps_every_field() -> None:
    story = parse_story(
        orjson.dumps(
            {
                "id": "urn:agency:xyz",
                "version": 2,
                "headline": "Rates held",
                "body": "Text here.",
                "published": "2026-11-26T08:30:00Z",
                "language": "en",
                "byline": "By A Writer",
                "subjects": ["economy"],
                "pubstatus": "usable",
            }
        )
    )
    assert (story.story_id, story.version, story.source_format) == ("urn:agency:xyz", 2, "json")
    assert story.dates.published == "2026-11-26T08:30:00Z"
    assert story.subjects == ("economy",)


def test_oversized_story_is_rejected_before_decoding() -> None:
    with pytest.raises(InvalidStory) as caught:
        parse_story(b"a" * 2048, max_bytes=1024)
    assert caught.value.code == "story_too_large"


def test_headers_without_body_raise_missing_body() -> None:
    with pytest.raises(MissingBody):
        parse_story(b"date 2026-01-01\nid x\n\n")


def test_story_factory_round_trips() -> None:
    story = parse_story(seed_text("urn:t:1", "Body text.", version=4))
    assert (story.story_id, story.version) == ("urn:t:1", 4)
