"""Additive fields of enriched_story.v1 (quote type, fragments, speaker type, nationality
country, stage warnings): events carrying them validate, and so do events written before."""

from __future__ import annotations

import dataclasses

from pipeline.story import Entity, Fragment, Mention, Quote, StageWarning, Story
from pipeline.testing import make_story
from schemas import ENRICHED_STORY, schema_errors
from schemas.events import enriched_event
from schemas.records import story_from_dict, story_to_dict

BODY = (
    'Harbour officials called the dredging plan "reckless" on Tuesday. '
    "Danish shipping lines said they would wait."
)


def _story() -> Story:
    quote = Quote(
        BODY[:65],
        0,
        65,
        "Harbour officials",
        "called",
        type="partial",
        fragments=(Fragment(43, 51),),
        speaker_type="description",
    )
    danish = Entity("Danish", "NORP", (Mention("Danish", 67, 73),), country="DK")
    warning = StageWarning("timex", "stage_failed", "stage 'timex' failed: KeyError: 'x'")
    return dataclasses.replace(
        make_story(body=BODY), quotes=(quote,), entities=(danish,), warnings=(warning,)
    )


def test_an_event_with_the_new_fields_validates_and_carries_them() -> None:
    event = enriched_event(_story())
    assert schema_errors(ENRICHED_STORY, event) == []
    quote = event["quotes"][0]
    assert (quote["type"], quote["speaker_type"]) == ("partial", "description")
    assert quote["fragments"] == [{"start": 43, "end": 51}]
    assert event["entities"][0]["country"] == "DK"
    assert event["warnings"][0]["stage"] == "timex"


def test_an_event_written_before_the_additions_still_validates() -> None:
    event = enriched_event(_story())
    del event["warnings"]
    for quote in event["quotes"]:
        for key in ("type", "speaker_type", "fragments"):
            del quote[key]
    del event["entities"][0]["country"]
    assert schema_errors(ENRICHED_STORY, event) == []


def test_a_wrong_quote_type_or_country_is_refused() -> None:
    event = enriched_event(_story())
    event["quotes"][0]["type"] = "paraphrase"
    event["entities"][0]["country"] = "Denmark"
    assert len(schema_errors(ENRICHED_STORY, event)) == 2


def test_the_records_round_trip_through_plain_data() -> None:
    story = _story()
    assert story_from_dict(story_to_dict(story)) == story
