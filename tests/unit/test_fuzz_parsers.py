"""Fuzzing the parse stage: whatever bytes arrive, `parse_story` gives a Story with a body or
raises an InvalidStory with a stable code and a short message; never another exception, and
never slowly. Hostile messages come from tests/poison.py."""

from __future__ import annotations

import json
import re
import time

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import InvalidStory
from pipeline.formats import MAX_ID_CHARS, MAX_MESSAGE_CHARS, PARSERS, parse_story
from pipeline.formats.seedtext import MAX_VERSION
from pipeline.normalise import normalise
from pipeline.story import Story
from schemas.records import story_from_dict, story_to_dict
from tests import poison

CODE = re.compile(r"[a-z_]+")
FUZZ = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
HINTS = st.sampled_from([None, *PARSERS, "bogus", "XML", ""])
SEEDS = {fmt: poison.render(poison.copy(7, "fuzz"), fmt) for fmt in poison.FORMATS}
INVALID_UTF8 = (b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x80", b"\x80", b"\xf4\x90\x80\x80")


def outcome(data: bytes, hint: str | None = None) -> Story | InvalidStory:
    """parse_story's answer, checked: a refusal has a stable code and a readable message; a
    story has a body, a sane version and survives the Kafka hop between the two agents."""
    try:
        story = parse_story(data, hint)
    except InvalidStory as exc:
        assert CODE.fullmatch(exc.code), exc.code
        assert exc.code == type(exc).code, "the code must come from the class, not the input"
        assert exc.message.strip() and str(exc) == exc.message
        assert len(exc.message) <= MAX_MESSAGE_CHARS + 40, len(exc.message)
        return exc
    assert story.body.strip(), "a parsed story must have a body"
    assert 1 <= story.version <= MAX_VERSION
    assert 0 < len(story.story_id) <= MAX_ID_CHARS
    assert story_from_dict(orjson.loads(orjson.dumps(story_to_dict(story)))) == story
    return story


def code_of(data: bytes, hint: str | None = None) -> str:
    result = outcome(data, hint)
    assert isinstance(result, InvalidStory), f"expected a refusal, got story {result.story_id}"
    return result.code


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A valid story of some format with a few random edits: flips, cuts, inserts, repeats."""
    fmt = draw(st.sampled_from(poison.FORMATS))
    data = bytearray(SEEDS[fmt])
    tokens = st.sampled_from(
        [
            b'"',
            b"\xe2\x80\x9c",
            b"<",
            b">",
            b"</p>",
            b"{",
            b"}",
            b"[",
            b"]",
            b",",
            b":",
            b"&",
            b"&amp;",
            b"\n\n",
            b"\r",
            b"\x1b",
            b"\\",
            b"\\u0000",
            b"null",
            b"-1",
            b"<!--",
            b"]]>",
            b"<![CDATA[",
            b"\xef\xbb\xbf",
            b"version 2\n",
            b"\t",
            b"'",
            b"=",
            b"/>",
        ]
    )
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(("insert", "delete", "flip", "cut", "repeat")))
        if op == "insert":
            data[at:at] = draw(tokens)
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at:]
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 200))] * draw(st.integers(2, 5))
    return fmt, bytes(data)


@FUZZ
@given(st.binary(max_size=3000), HINTS)
def test_arbitrary_bytes_are_read_or_refused(data: bytes, hint: str | None) -> None:
    outcome(data, hint)


@FUZZ
@given(
    st.sampled_from(
        [
            "",
            "{",
            "[",
            "<",
            "<?xml version='1.0'?>",
            "<nitf>",
            '{"uri": ',
            "<newsItem>",
            "id x\nversion 2\n\n",
            '{"body": "',
        ]
    ),
    st.text(max_size=800),
)
def test_arbitrary_text_after_any_format_opening_is_read_or_refused(head: str, tail: str) -> None:
    outcome((head + tail).encode("utf-8", "surrogatepass"))


@settings(FUZZ, max_examples=500)
@given(mutated(), HINTS)
def test_mutated_valid_stories_of_every_format_are_read_or_refused(
    case: tuple[str, bytes], hint: str | None
) -> None:
    outcome(case[1], hint)


@pytest.mark.parametrize("fmt", poison.FORMATS)
def test_the_unmutated_seeds_are_stories(fmt: str) -> None:
    story = outcome(SEEDS[fmt])
    assert isinstance(story, Story) and story.story_id == "urn:wirestream:fuzz:7"
    assert "Wirestream" in normalise(story).body


@pytest.mark.parametrize("fmt", ["json", "ninjs1", "ninjs2", "ninjs3"])
def test_a_wrong_type_in_any_field_is_refused_by_name_or_read(fmt: str) -> None:
    """Every field and sub-field, each replaced by every kind of wrong value."""
    doc = json.loads(SEEDS[fmt])
    refused = 0
    for path in [p for p in poison._json_paths(doc) if p]:
        for value in poison._WRONG_VALUES:
            result = outcome(json.dumps(poison.set_path(doc, path, value)).encode())
            if isinstance(result, InvalidStory) and "does not match" in result.message:
                refused += 1
                assert str(path[0]) in result.message, (path, value, result.message)
    assert refused > 50  # the schemas do refuse most of them, naming the field


@pytest.mark.parametrize("depth", [64, 65, 1025, 100_000])
@pytest.mark.parametrize("opener,closer", [("[", "]"), ('{"a": ', "}")])
def test_deeply_nested_json_is_refused_quickly(depth: int, opener: str, closer: str) -> None:
    nested = opener * depth + "1" + closer * depth
    started = time.process_time()
    result = outcome(f'{{"body": "A short story.", "extra": {nested}}}'.encode())
    assert time.process_time() - started < 1.0
    if depth < 64:
        assert isinstance(result, Story)
    else:
        assert isinstance(result, InvalidStory) and result.code == "invalid_json"


@pytest.mark.parametrize(
    "data",
    [
        b'{"body": "x", "subjects": [' + b",".join([b"1"] * 1_000_000) + b"]}",
        b'{"uri": "u", "body_text": "x", "subjects": [' + b",".join([b"{}"] * 800_000) + b"]}",
        b'{"body": "x", ' + b",".join(b'"k%d": 1' % n for n in range(200_000)) + b"}",
    ],
    ids=["million-wrong-values", "ninjs-subjects", "wide-object"],
)
def test_a_million_json_values_are_refused_without_validating_each(data: bytes) -> None:
    started = time.process_time()
    assert code_of(data) == "invalid_json"
    assert time.process_time() - started < 2.0  # validating each one took 9 s per MB


@pytest.mark.parametrize(
    "data,code",
    [
        (b'{"body": "x", "version": "' + b"A" * 2_000_000 + b'"}', "invalid_json"),
        (b"<" + b"a" * 2_000_000 + b"/>", "unsupported_format"),
        (b"pubstatus " + b"x" * 2_000_000 + b"\n\nBody.", "invalid_story"),
        (b'{"uri": "u", "type": "' + b"A" * 2_000_000 + b'"}', "invalid_ninjs"),
        (
            b'<newsItem><itemMeta><itemClass qcode="' + b"a" * 2_000_000 + b'"/></itemMeta>'
            b"</newsItem>",
            "unsupported_format",
        ),
    ],
    ids=["json-field", "xml-root", "text-header", "ninjs-type", "newsml-class"],
)
def test_a_refusal_never_quotes_a_huge_value_back(data: bytes, code: str) -> None:
    """The message travels in the dead letter, which must fit in one Kafka message."""
    assert code_of(data) == code  # outcome() checks the length


@pytest.mark.parametrize(
    "data",
    [
        b"headline a" + b" " * 1_000_000 + b"b\n\nThe body.",
        b"headline a" + b" \t" * 500_000 + b"b\n\nThe body.",
        b'{"uri": "u", "body_html": "<a' + b"b" * 1_000_000 + b'"}',
        b'{"uri": "u", "body_html": "' + b"<ab" * 300_000 + b'"}',
        b"<nitf><body><body.content><p>" + b"<" * 10 + b"</p></body.content></body></nitf>",
        b'<nitf><body><body.content><p a="' + b"x" * 1_000_000 + b'">y</p></body.content>'
        b"</body></nitf>",
        b"subject x\n" * 300_000 + b"\nThe body.",
    ],
    ids=[
        "header-spaces",
        "header-tabs",
        "html-long-tag",
        "html-many-tags",
        "lt-runs",
        "long-attribute",
        "many-headers",
    ],
)
def test_huge_headers_and_tags_are_read_in_linear_time(data: bytes) -> None:
    started = time.process_time()
    outcome(data)
    assert time.process_time() - started < 2.0  # the header line and the tag were quadratic


def test_a_header_value_keeps_its_inner_blanks_and_loses_its_trailing_ones() -> None:
    story = outcome(b"headline Port  \t strike \t \nid urn:t:1\n\nDockers walked out.")
    assert isinstance(story, Story) and story.headline == "Port  \t strike"


@pytest.mark.parametrize(
    "data",
    [
        "version \u00b2\n\nBody text.",
        '{"uri": "u", "version": "\u00b2", "body_text": "Body text."}',
        '<nitf><head><docdata><du-key version="\u00b3"/></docdata></head><body><body.content>'
        "<p>Body text.</p></body.content></body></nitf>",
        '<newsItem version="\u00b9"><contentSet><inlineData>Body text.</inlineData></contentSet>'
        "</newsItem>",
    ],
    ids=["text", "ninjs", "nitf", "newsml"],
)
def test_superscript_digits_are_no_version(data: str) -> None:
    """str.isdigit() says yes to "²" and int() then raised ValueError out of the parser."""
    result = outcome(data.encode())
    assert isinstance(result, InvalidStory) or result.version == 1


@pytest.mark.parametrize(
    "data",
    [
        b"version 99999999999999999999999\n\nBody text.",
        b'{"uri": "u", "version": 18446744073709551615, "body_text": "Body text."}',
        b'{"uri": "u", "version": "99999999999999999999999", "body_text": "Body text."}',
        b'<newsItem version="12345678901234567890"><contentSet><inlineData>Body text.'
        b"</inlineData></contentSet></newsItem>",
        b'<nitf><head><docdata><du-key version="1' + b"0" * 5000 + b'"/></docdata></head>'
        b"<body><body.content><p>Body text.</p></body.content></body></nitf>",
    ],
    ids=["text", "ninjs-int", "ninjs-string", "newsml", "nitf-5000-digits"],
)
def test_a_version_too_big_for_the_events_is_refused(data: bytes) -> None:
    """Such a version parsed, then broke orjson (64-bit) when triage forwarded the story."""
    assert code_of(data) == "invalid_story"


def test_an_over_long_story_id_is_refused() -> None:
    data = (f"id urn:{'x' * (MAX_ID_CHARS + 1)}\n\nBody text.").encode()
    assert code_of(data) == "invalid_story"
    assert isinstance(outcome(f"id urn:{'x' * 2000}\n\nBody text.".encode()), Story)


@FUZZ
@given(
    st.sampled_from(poison.FORMATS),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=5),
    st.sampled_from(INVALID_UTF8),
)
def test_invalid_utf8_anywhere_is_refused_with_its_position(
    fmt: str, positions: list[int], bad: bytes
) -> None:
    data = SEEDS[fmt]
    for at in sorted({p % len(data) for p in positions}, reverse=True):
        data = data[:at] + bad + data[at:]
    result = outcome(data)
    assert isinstance(result, InvalidStory) and result.code == "invalid_encoding"
    assert "position" in result.message


@FUZZ
@given(
    st.sampled_from(poison.FORMATS),
    st.lists(
        st.tuples(st.integers(0, 10**6), st.sampled_from(poison._CONTROLS)), min_size=1, max_size=30
    ),
)
def test_control_characters_anywhere_are_read_or_refused(
    fmt: str, inserts: list[tuple[int, str]]
) -> None:
    text = SEEDS[fmt].decode()
    for at, char in sorted(inserts, reverse=True):
        text = text[: at % len(text)] + char + text[at % len(text) :]
    result = outcome(text.encode())
    if isinstance(result, Story):
        body = normalise(result).body
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u200b\u2028\u2029\ufeff]", body)


@FUZZ
@given(
    st.sampled_from(poison.FORMATS),
    st.lists(
        st.tuples(st.integers(0, 10**6), st.sampled_from(poison.QUOTE_MARKS)),
        min_size=1,
        max_size=40,
    ),
)
def test_quote_marks_in_every_wrong_place_are_read_or_refused(
    fmt: str, inserts: list[tuple[int, str]]
) -> None:
    text = SEEDS[fmt].decode()
    for at, mark in sorted(inserts, reverse=True):
        text = text[: at % len(text)] + mark + text[at % len(text) :]
    outcome(text.encode())


@pytest.mark.parametrize("body", ['"' * 5000, "\u201c\u201d" * 3000, "'", "\u2018 \u2019 \u201e"])
def test_a_body_of_nothing_but_quote_marks_is_still_a_story(body: str) -> None:
    assert isinstance(outcome(f"id urn:t:q\n\n{body}".encode()), Story)


@pytest.mark.parametrize("seed", range(4))
def test_xml_bombs_and_external_entities_are_refused_as_unsafe(seed: int) -> None:
    import random

    rnd = random.Random(seed)
    for make in (poison.xml_bomb, poison.external_entity):
        message = make(rnd, seed)
        started = time.process_time()
        assert code_of(message.data) == "unsafe_markup"
        assert time.process_time() - started < 1.0


@pytest.mark.parametrize("make", [poison.external_dtd, poison.xinclude])
def test_an_outside_dtd_or_an_xinclude_is_never_fetched(make: poison.Maker) -> None:
    import random

    story = outcome(make(random.Random(0), 3).data)
    assert isinstance(story, Story)
    assert "root:" not in story.body and "Wirestream" in story.body


def test_every_poison_message_is_read_or_refused_with_the_code_it_was_built_for() -> None:
    codes: dict[str, int] = {}
    for message in poison.hostile_messages(200, seed=11):
        result = outcome(message.data, message.hint)
        verdict = poison.expect(message)
        if isinstance(result, InvalidStory):
            assert verdict.code == result.code
        if message.intended is not None:
            assert verdict.code == message.intended, (message.kind, message.data[:120])
        assert verdict.code != "stage_failed", (message.kind, message.data[:200])
        codes[verdict.code or "story"] = codes.get(verdict.code or "story", 0) + 1
    assert len(codes) >= 10 and codes["story"] > 20, codes
