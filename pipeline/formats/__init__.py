"""Parse: wire bytes in any supported format -> a Story. The first stage of the flow.

`parse_story` detects the format from the bytes (or takes a hint from a Kafka header) and hands
them to that format's parser. Every failure is an `InvalidStory` with a stable code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from pipeline.errors import (
    MAX_MESSAGE_CHARS,
    InvalidEncoding,
    InvalidStory,
    StoryTooLarge,
    UnsupportedFormat,
    cap_message,
)
from pipeline.formats import jsonstory, newsml, ninjs, nitf, seedtext
from pipeline.formats.seedtext import content_id
from pipeline.formats.xmlsafe import load_xml, local_name
from pipeline.story import Story

Parser = Callable[[str], Story]


def parse_xml(text: str) -> Story:
    """XML of any supported kind: NITF or NewsML-G2, told apart by the root element."""
    root = load_xml(text)
    name = local_name(root.tag)
    if name == "nitf":
        return nitf.from_element(root)
    if name in newsml.G2_ROOTS:
        return newsml.from_element(root)
    if name == "NewsML":
        raise UnsupportedFormat(
            "NewsML 1.x document (root <NewsML>): only NewsML-G2, NITF and ninjs are read; "
            "ask the provider for one of those"
        )
    raise UnsupportedFormat(
        f"XML with root <{name}> is neither NITF (<nitf>) nor a NewsML-G2 item (<newsItem>)"
    )


PARSERS: dict[str, Parser] = {
    "text": seedtext.parse,
    "json": jsonstory.parse,
    "ninjs": ninjs.parse,
    "xml": parse_xml,
    "nitf": nitf.parse,
    "newsml": newsml.parse,
}

MAX_STORY_BYTES = 5 * 1024 * 1024
# A refusal's message travels in the dead letter; one that quotes the input back (a 2 MB tag
# name, header or field value) would not fit in a Kafka message.
# The story id is the Kafka key and the table key of every version (ninjs allows 2048).
MAX_ID_CHARS = 2048


def decode_text(data: bytes) -> str:
    """UTF-8 (a BOM is dropped); anything else is rejected with the byte position."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidEncoding(
            f"story is not valid UTF-8 (bad byte at position {exc.start}); send UTF-8 encoded copy"
        ) from exc
    if "\x00" in text:
        raise InvalidEncoding("story contains NUL characters: binary data, not a story")
    return text


def detect_format(text: str) -> str:
    """Guess the format from the first significant character (and, for JSON, its keys)."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return "json"
    if head == "<":
        return "xml"
    return "text"


def parse_story(
    data: bytes,
    format_hint: str | None = None,
    *,
    max_bytes: int = MAX_STORY_BYTES,
    key: bytes | None = None,
) -> Story:
    """Turn raw wire bytes into a Story, or raise an InvalidStory saying what is wrong (in at
    most MAX_MESSAGE_CHARS characters). Copy that carries no id of its own takes the Kafka
    message `key` (UTF-8) as its id, the one the newsroom system chose; else one derived from
    its content."""
    try:
        story = _parse_story(data, format_hint, max_bytes)
        return _keyed(story, key) if key else story
    except InvalidStory as exc:
        if len(exc.message) > MAX_MESSAGE_CHARS:
            exc.message = cap_message(exc.message)
            exc.args = (exc.message,)
        raise


def _keyed(story: Story, key: bytes) -> Story:
    """The story under the message key when its id was only derived from its content."""
    if story.story_id != content_id(story.source_format, story.body):
        return story  # the copy names itself
    try:
        story_id = key.decode("utf-8").strip()
    except UnicodeDecodeError:
        return story
    if not story_id or len(story_id) > MAX_ID_CHARS or not story_id.isprintable():
        return story
    return dataclasses.replace(story, story_id=story_id)


def _parse_story(data: bytes, format_hint: str | None, max_bytes: int) -> Story:
    if len(data) > max_bytes:
        raise StoryTooLarge(
            f"story is {len(data)} bytes, over the {max_bytes}-byte limit; split it or raise "
            "WIRESTREAM_MAX_STORY_BYTES"
        )
    text = decode_text(data)
    if not text.strip():
        raise InvalidStory("message is empty: there is no story to parse")
    fmt = format_hint if format_hint in PARSERS else detect_format(text)
    parser = PARSERS.get(fmt)
    if parser is None:
        raise UnsupportedFormat(
            f"input looks like {fmt.upper()} but no parser for it is installed; supported: "
            + ", ".join(sorted(PARSERS))
        )
    story = parser(text)
    if len(story.story_id) > MAX_ID_CHARS:
        raise InvalidStory(
            f"story id is {len(story.story_id)} characters long, over the limit of {MAX_ID_CHARS}"
        )
    return story
