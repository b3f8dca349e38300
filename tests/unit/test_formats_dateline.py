"""Dateline and byline read from the top of the body; the body itself is never changed."""

from __future__ import annotations

import time

import pytest

from pipeline import dateline as dl
from pipeline.dateline import extract_dateline, find_byline, find_dateline
from pipeline.formats import parse_story
from pipeline.story import Story
from tests.conftest import FIXTURES


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("MOSCOW, March 14 (Reuters) - The central bank held rates.", "MOSCOW, March 14 (Reuters)"),
        ("WASHINGTON (AP) \u2014 The House adjourned without a vote.", "WASHINGTON (AP)"),
        ("BERLIN, 3 March (dpa) - Die Regierung hat beschlossen.", "BERLIN, 3 March (dpa)"),
        ("LONDON - Shares in the lender fell 4 percent.", "LONDON"),
        ("NEW YORK, Oct. 3 (Wirestream) -- Oil prices slipped.", "NEW YORK, Oct. 3 (Wirestream)"),
        ("ST. LOUIS, Mo. (AP) \u2013 A storm knocked out power.", "ST. LOUIS, Mo. (AP)"),
        ("SAN JOSE/LONDON, June 2 (Reuters) - Deals.", "SAN JOSE/LONDON, June 2 (Reuters)"),
        ("NAIROBI, Monday (Wirestream) - Rains eased.", "NAIROBI, Monday (Wirestream)"),
        ("Berlin, 3 March (dpa) - Der Streik geht weiter.", "Berlin, 3 March (dpa)"),
        ("  \n\nPARIS (AFP) - Leading blank lines are skipped.", "PARIS (AFP)"),
    ],
)
def test_wire_datelines_are_recognised(opening: str, expected: str) -> None:
    assert find_dateline(opening) == expected


@pytest.mark.parametrize(
    "opening",
    [
        "UPDATE 2-Oil climbs as supply worries return",
        "EXCLUSIVE - Regulator weighs fine for airline",
        "The minister said - after a pause - that talks would go on.",
        "Berlin - mixed-case places need an agency in brackets.",
        "(New York, NY - October 21) Shares rose.",
        "Prices rose 3 percent in March, the agency said.",
        "",
    ],
)
def test_openings_that_are_not_datelines(opening: str) -> None:
    assert find_dateline(opening) is None


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("By Jane Doe", "By Jane Doe"),
        ("BY JANE DOE and OMAR HADDAD, Wire Writers", "BY JANE DOE and OMAR HADDAD, Wire Writers"),
        ("Von Lena Fischer, dpa", "Von Lena Fischer, dpa"),
        ("By Ana de la Cruz", "By Ana de la Cruz"),
        ("By the end of the year prices had doubled", None),
        ("By Tuesday, officials said, the vote was off.", None),
        ("Bystanders filmed the collapse", None),
    ],
)
def test_byline_lines(first_line: str, expected: str | None) -> None:
    assert find_byline(first_line + "\nBody text follows here.")[0] == expected


def test_byline_and_dateline_are_filled_and_the_body_is_untouched() -> None:
    body = (
        "By Jane Doe\n\nMOSCOW, March 14 (Wirestream) - Russia's central bank kept its key "
        'rate at 16 percent on Friday. "Inflation is slowing," the governor said.'
    )
    story = extract_dateline(Story(story_id="s1", body=body))
    assert story.byline == "By Jane Doe"
    assert story.dateline == "MOSCOW, March 14 (Wirestream)"
    assert story.body == body


def test_fields_the_format_already_set_are_kept() -> None:
    story = Story(story_id="s1", body="LONDON - Text.", dateline="London", byline="Desk")
    assert extract_dateline(story) is story


def test_a_story_without_dateline_comes_back_unchanged() -> None:
    story = Story(story_id="s1", body="Shares rose on Monday after the report.")
    assert extract_dateline(story) is story


def test_parsed_ninjs_story_gets_its_dateline_from_the_body() -> None:
    story = parse_story((FIXTURES / "formats" / "ninjs3_text.json").read_bytes())
    assert story.dateline is None
    filled = extract_dateline(story)
    assert filled.dateline == "LONDON" and filled.body == story.body


PATHOLOGICAL = {
    "quotes": "\"\u201c'" * 40_000,
    "digits": "9" * 120_000,
    "spaces": " " * 120_000,
    "caps": "A" * 120_000,
    "caps-words": "ABC " * 30_000,
    "caps-hyphens": "A-" * 60_000,
    "commas": "LONDON, " * 15_000,
    "brackets": "LONDON (" * 15_000,
    "by-names": "By " + "Jane " * 24_000,
    "title-words": "Berlin " * 17_000,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_rules_stay_fast_on_pathological_input(text: str) -> None:
    started = time.perf_counter()
    extract_dateline(Story(story_id="p", body=text))
    for pattern in (dl._CAPS_DATELINE, dl._TITLE_DATELINE, dl._BYLINE):
        pattern.match(text)  # the raw rules too, over the whole string, not just the head
    assert time.perf_counter() - started < 2.0
