"""Organisation, product and event cues, and the span fixes that go with them.

Stories are our own invented wire copy; the spans are what spaCy gives such copy (its errors
included), handed in so the tests need no model.
"""

from __future__ import annotations

import time

import pytest

from pipeline.entities import group_entities
from pipeline.entities.mentions import trim_span
from pipeline.entities.org_names import (
    acronym_after,
    airline_before,
    descriptor_before,
    is_event_name,
    legal_form_after,
    org_in_context,
)
from pipeline.nlp import NerSpan
from pipeline.story import Entity
from pipeline.testing import entities_by_name as grouped


def texts(entity: Entity) -> list[str]:
    return [m.text for m in entity.mentions]


def test_short_forms_and_acronyms_join_the_organisation_they_name() -> None:
    body = (
        "Norvik Freight Airways (NFA) will retire its last turboprops, the carrier said. "
        "Norvik, which flies from Tromsø, said NFA crews would retrain. Halvorsen Aircraft "
        "built the fleet; Halvorsen closed in 1998."
    )
    entities = grouped(
        body,
        ("Norvik Freight Airways", "ORG"),
        ("NFA", "ORG"),
        ("Norvik", "GPE"),  # spaCy's guess for a name it does not know
        ("Tromsø", "GPE"),
        ("NFA", "ORG"),
        ("Halvorsen Aircraft", "PERSON"),
        ("Halvorsen", "PERSON"),
    )
    airline = entities["Norvik Freight Airways"]
    assert airline.label == "ORG"
    assert texts(airline) == ["Norvik Freight Airways", "NFA", "Norvik", "NFA"]
    assert texts(entities["Halvorsen Aircraft"]) == ["Halvorsen Aircraft", "Halvorsen"]
    assert entities["Halvorsen Aircraft"].label == "ORG"
    assert "Norvik" not in entities and "NFA" not in entities


def test_a_name_split_here_but_whole_elsewhere_is_joined() -> None:
    body = (
        "Grumman Stirling's bid lost. The contract went to Boeing after Grumman Stirling "
        "missed a deadline."
    )
    entities = grouped(
        body,
        ("Grumman Stirling's", "PERSON"),
        ("Boeing", "ORG"),
        ("Grumman", "ORG"),
        ("Stirling", "PRODUCT"),
    )
    assert texts(entities["Grumman Stirling"]) == ["Grumman Stirling", "Grumman Stirling"]
    assert entities["Grumman Stirling"].label == "ORG"


def test_words_around_a_name_say_it_is_an_organisation() -> None:
    body = (
        "Sales at electronics retailer Good Haul rose 4 percent, German magazine Die Woche "
        "reported. Tallis Motors LLC said it would cut 900 jobs."
    )
    entities = grouped(
        body,
        ("Good Haul", "PERSON"),
        ("German", "NORP"),
        ("Die Woche", "PERSON"),
        ("Tallis Motors", "ORG"),
        ("LLC", "ORG"),
    )
    assert entities["Good Haul"].label == "ORG"
    assert entities["Die Woche"].label == "ORG"
    assert texts(entities["Tallis Motors LLC"]) == ["Tallis Motors LLC"]
    assert "LLC" not in entities


def test_an_airline_named_after_a_place_is_an_organisation() -> None:
    body = "Air China and Air India ordered jets, while China's regulators approved the deal."
    entities = grouped(body, ("China", "GPE"), ("India", "GPE"), ("China", "GPE"))
    assert entities["Air China"].label == "ORG"
    assert entities["Air India"].label == "ORG"
    assert texts(entities["China"]) == ["China"]  # the country itself, later on


def test_events_products_and_non_names_are_not_organisations() -> None:
    body = (
        "At the Lisbon Air Show, Corvel unveiled the iPod rival and the new Corvel Developers "
        "Conference dates. Its A330s carry healthcare kits; screens run at 320x240. "
        "iRobot CEO Ana Ruiz attended."
    )
    entities = grouped(
        body,
        ("the Lisbon Air Show", "FAC"),
        ("Corvel", "ORG"),
        ("iPod", "ORG"),
        ("Corvel Developers Conference", "ORG"),
        ("A330s", "ORG"),
        ("healthcare", "ORG"),
        ("320x240", "ORG"),
        ("iRobot", "ORG"),
        ("Ana Ruiz", "PERSON"),
    )
    assert entities["Lisbon Air Show"].label == "EVENT"
    assert entities["Corvel Developers Conference"].label == "EVENT"
    assert entities["iPod"].label == "PRODUCT"
    assert entities["A330s"].label == "PRODUCT"
    assert entities["iRobot"].label == "ORG"  # a title after the name: a company
    assert "healthcare" not in entities and "320x240" not in entities


def test_span_edges_lose_quote_marks_flight_numbers_and_what_follows_a_spaced_dash() -> None:
    body = (
        "“Kestrel Airways will add routes,” said its chief. Search teams found the wreck of "
        "Pelican Air Flight 208. Rivals based in San Diego - Harbor Lines among them - and "
        "Stop - Shop objected."
    )
    entities = grouped(
        body,
        ("“Kestrel Airways", "ORG"),
        ("Pelican Air Flight 208", "ORG"),
        ("San Diego - Harbor Lines", "GPE"),
        ("Stop - Shop", "ORG"),
    )
    assert texts(entities["Kestrel Airways"]) == ["Kestrel Airways"]
    assert texts(entities["Pelican Air"]) == ["Pelican Air"]
    assert texts(entities["San Diego"]) == ["San Diego"]
    assert "Stop - Shop" in entities  # a hyphen spaced out inside a one-word name stays


def test_a_country_before_an_acronym_spacy_tagged_alone_is_found() -> None:
    body = "The UK RAF ordered nine tankers on Tuesday."
    entities = grouped(body, ("RAF", "ORG"))
    assert texts(entities["United Kingdom"]) == ["UK"]


def test_helpers_read_only_the_words_next_to_the_name() -> None:
    body = "Orvik Holdings Ltd. (OHL) hired the Air Malta crew, retailer Best Haul said."
    assert legal_form_after(body, body.index(" Ltd.")) == body.index(" (OHL)")
    assert acronym_after(body, body.index(" (OHL)")) == (body.index("OHL"), body.index("OHL") + 3)
    assert airline_before(body, body.index("Malta")) == body.index("Air Malta")
    assert descriptor_before(body, body.index("Best Haul"))
    assert is_event_name("Geneva Motor Show") and not is_event_name("Show")
    assert org_in_context(body, body.index("Orvik"), body.index(" Holdings")) == "ORG"


PATHOLOGICAL = [
    "“" * 100_000,
    "7" * 100_000,
    " " * 100_000,
    "Air " * 25_000,
    " (" * 50_000 + "AB)",
    " - " * 33_000,
    "iPod " * 20_000,
    "Inc." * 25_000,
]


@pytest.mark.parametrize("body", PATHOLOGICAL, ids=range(len(PATHOLOGICAL)))
def test_new_rules_finish_quickly_on_pathological_text(body: str) -> None:
    middle = len(body) // 2
    started = time.perf_counter()
    legal_form_after(body, middle)
    acronym_after(body, middle)
    airline_before(body, middle)
    descriptor_before(body, middle)
    is_event_name(body)
    org_in_context(body, 0, len(body))
    for label in ("ORG", "GPE", "PERSON"):
        trim_span(body, NerSpan(body, 0, len(body), label))
    spans = [NerSpan(body[i : i + 6], i, i + 6, "ORG") for i in range(0, len(body) - 6, 2000)]
    group_entities(body, spans)
    assert time.perf_counter() - started < 2.0
