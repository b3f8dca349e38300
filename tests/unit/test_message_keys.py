"""Keys kept: the Kafka key names copy that carries no id; copy that names itself keeps its id."""

from __future__ import annotations

import pytest

from pipeline.formats import parse_story
from schemas.events import key_bytes, key_fields

NO_ID = b"date 2026-12-01\n\nFerry crews in Helsinki ended a strike on Monday.\n"
WITH_ID = b"date 2026-12-01\nid urn:desk:9\n\nFerry crews in Helsinki ended a strike on Monday.\n"
NINJS_NO_ID = b'{"headline": "Ferry strike ends", "body": "Ferry crews in Helsinki went back."}'


def test_copy_without_an_id_takes_the_message_key() -> None:
    assert parse_story(NO_ID, key=b"desk-7/ferry").story_id == "desk-7/ferry"
    assert parse_story(NINJS_NO_ID, key=b"desk-7/ferry").story_id == "desk-7/ferry"


def test_copy_with_an_id_keeps_it_whatever_the_key() -> None:
    assert parse_story(WITH_ID, key=b"desk-7/ferry").story_id == "urn:desk:9"


@pytest.mark.parametrize("key", [b"", b"\xff\xfe", b"line\nbreak", b" ", b"x" * 3000])
def test_a_key_that_cannot_be_an_id_leaves_the_content_id(key: bytes) -> None:
    assert parse_story(NO_ID, key=key).story_id == parse_story(NO_ID).story_id


@pytest.mark.parametrize("key", [b"desk-7/ferry", "Zürich".encode(), b"\xff\x00\x01"])
def test_a_source_key_round_trips_as_text_or_base64(key: bytes) -> None:
    fields = key_fields(key)
    assert fields["key_encoding"] == ("utf-8" if key != b"\xff\x00\x01" else "base64")
    assert key_bytes({"topic": "t", "partition": 0, "offset": 1, **fields}) == key
