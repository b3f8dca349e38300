"""IPTC ninjs 1.x / 2.x / 3.x -> Story, and ninjs validation against our schema and IPTC's suite."""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest
from referencing import Registry, Resource

from pipeline.errors import MissingBody, UnsafeMarkup, UnsupportedFormat
from pipeline.formats import parse_story
from pipeline.formats.ninjs import InvalidNinjs, validate_ninjs
from pipeline.story import Story
from tests.conftest import FIXTURES, SHARED

FORMATS = FIXTURES / "formats"
NINJS_DATA = SHARED / "data" / "ninjs"
SUITE = NINJS_DATA / "validation" / "test_suite"
SPEC = NINJS_DATA / "specification"
# Suite folders named for a development line are checked against that line's newest dev schema.
DEV_SCHEMAS = {
    "1.x_dev": "ninjs-schema-dev_0.2_v1.5.json",
    "2.x_dev": "ninjs-schema-dev_0.1_v2.1.json",
}


def story_fields(story: Story) -> dict[str, Any]:
    fields = dataclasses.asdict(story)
    wanted = {
        key: fields[key]
        for key in (
            "story_id",
            "version",
            "headline",
            "language",
            "byline",
            "dateline",
            "source_format",
            "pubstatus",
            "embargoed_until",
            "body",
        )
    }
    wanted["subjects"] = list(story.subjects)
    wanted["published"] = story.dates.published
    return wanted


def ninjs_bytes(**fields: Any) -> bytes:
    return orjson.dumps({"uri": "urn:test:ninjs:1", **fields})


@pytest.mark.parametrize("name", ["ninjs1_text", "ninjs2_text", "ninjs3_text"])
def test_fixture_maps_onto_the_expected_story(name: str) -> None:
    expected = json.loads((FORMATS / f"{name}.expected.json").read_text(encoding="utf-8"))
    story = parse_story((FORMATS / f"{name}.json").read_bytes())
    assert story_fields(story) == expected


def test_plain_body_wins_over_html_and_main_headline_over_sub() -> None:
    story = parse_story((FORMATS / "ninjs3_text.json").read_bytes())
    assert story.body.startswith("LONDON - Britain's grid operator")
    assert "HTML copy" not in story.body
    assert story.headline == "Grid operator warns of tight power supply as heatwave peaks"


def test_html_body_is_stripped_to_paragraphs_without_script() -> None:
    story = parse_story((FORMATS / "ninjs2_text.json").read_bytes())
    assert story.body.count("\n\n") == 2
    assert "<" not in story.body and "trackView" not in story.body
    assert "61\u201337" in story.body  # character references decoded


def test_format_hint_ninjs_is_honoured() -> None:
    story = parse_story(ninjs_bytes(type="text", body_text="Copy."), format_hint="ninjs")
    assert story.source_format == "ninjs" and story.body == "Copy."


@pytest.mark.parametrize("kind", ["picture", "graphic", "video", "audio"])
def test_non_text_items_are_refused_as_not_a_story(kind: str) -> None:
    with pytest.raises(UnsupportedFormat, match=f"{kind} item: not a text story"):
        parse_story(ninjs_bytes(type=kind, headlines=[{"value": "Caption"}]))


def test_event_item_is_refused() -> None:
    with pytest.raises(UnsupportedFormat, match="event item"):
        parse_story(ninjs_bytes(eventDetails={"dates": {}}, bodies=[{"value": "Press call."}]))


def test_text_item_without_body_is_missing_body() -> None:
    with pytest.raises(MissingBody, match="no text body"):
        parse_story(ninjs_bytes(type="text", headlines=[{"role": "main", "value": "Only a head"}]))


def test_nitf_body_is_read_when_it_is_the_only_body() -> None:
    nitf = "<nitf><body><body.content><p>First.</p><p>Second.</p></body.content></body></nitf>"
    body = {"contentType": "text/vnd.IPTC.NITF", "value": nitf}
    assert parse_story(ninjs_bytes(bodies=[body])).body == "First.\n\nSecond."


def test_nitf_body_with_entity_declarations_is_unsafe() -> None:
    nitf = '<!DOCTYPE nitf [<!ENTITY a "x">]><nitf><body><body.content><p>&a;</p>'
    nitf += "</body.content></body></nitf>"
    with pytest.raises(UnsafeMarkup):
        parse_story(ninjs_bytes(bodies=[{"contentType": "application/nitf+xml", "value": nitf}]))


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"uri": 7}, "uri"),
        ({"pubstatus": "published"}, "pubstatus"),
        ({"pubStatus": "draft"}, "pubStatus"),
        ({"type": "podcast"}, "type"),
        ({"bodies": [{"role": "text"}]}, "value"),
        ({"headline": ["not", "a", "string"]}, "headline"),
        ({"subjects": "politics"}, "subjects"),
    ],
)
def test_our_schema_names_what_is_wrong(fields: dict[str, Any], complaint: str) -> None:
    problems = validate_ninjs({"uri": "urn:test:1", **fields})
    assert problems and any(complaint in problem for problem in problems), problems


def test_uri_is_required() -> None:
    assert any("uri" in p for p in validate_ninjs({"type": "text", "body_text": "x"}))


def test_invalid_ninjs_is_an_invalid_story_with_its_own_code() -> None:
    with pytest.raises(InvalidNinjs, match="pubstatus") as caught:
        parse_story(ninjs_bytes(pubstatus="maybe", body_text="Copy."))
    assert caught.value.code == "invalid_ninjs"


def test_version_hint_refuses_field_names_of_another_generation() -> None:
    doc = {"uri": "urn:test:1", "versioncreated": "2024-01-01T00:00:00Z", "body_text": "x"}
    assert validate_ninjs(doc) == []
    assert validate_ninjs(doc, version_hint="1.4") == []
    problems = validate_ninjs(doc, version_hint="3.0")
    assert any("'versioncreated': not a ninjs 3.x field" in p for p in problems)
    assert any("'body_text'" in p for p in problems)


def test_declared_standard_version_acts_as_the_hint() -> None:
    doc = {"uri": "u", "standard": {"name": "ninjs", "version": "3.0"}, "pubstatus": "usable"}
    assert any("'pubstatus'" in p for p in validate_ninjs(doc))
    doc["standard"] = {"name": "TTNINJS", "version": "3.0"}  # a provider's own versioning
    assert validate_ninjs(doc) == []


# --- the IPTC validation test suite ----------------------------------------------------------


def suite_cases() -> list[Any]:
    if not SUITE.is_dir() or not SPEC.is_dir():
        return [pytest.param(None, None, None, marks=pytest.mark.skip(reason=f"{SUITE} absent"))]
    cases = []
    for folder in sorted(p for p in SUITE.iterdir() if p.is_dir()):
        for verdict in ("should_pass", "should_fail"):
            for path in sorted((folder / verdict).glob("*.json")):
                case_id = f"{folder.name}/{verdict}/{path.name}"
                cases.append(pytest.param(folder.name, path, verdict == "should_pass", id=case_id))
    return cases


@cache
def official_schema(folder: str) -> dict[str, Any]:
    name = DEV_SCHEMAS.get(folder, f"ninjs-schema_{folder}.json")
    schema: dict[str, Any] = json.loads((SPEC / name).read_text(encoding="utf-8"))
    return schema


@cache
def geojson_registry() -> Registry[Any]:
    """The official 2.x/3.x schemas $ref GeoJSON by URL; the suite ships that schema."""
    geojson = json.loads((SUITE / "GeoJSON-schema.json").read_text(encoding="utf-8"))
    resource: Resource[Any] = Resource.from_contents(geojson)
    return Registry().with_resource(geojson["$id"], resource)


@pytest.mark.parametrize(("folder", "path", "should_pass"), suite_cases())
def test_iptc_suite_file_is_classified_as_the_suite_says(
    folder: str, path: Path, should_pass: bool
) -> None:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:  # the suite counts undecodable files as failures
        assert not should_pass
        return
    problems = validate_ninjs(
        obj,
        version_hint=folder,
        official_schema=official_schema(folder),
        registry=geojson_registry(),
    )
    assert (problems == []) == should_pass, problems
    if should_pass:  # our own schema never refuses what IPTC accepts
        assert validate_ninjs(obj, version_hint=folder) == []
