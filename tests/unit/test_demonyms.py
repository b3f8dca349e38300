"""Nationality words (NORP entities linked to their country by code) and national governments.

Stories are our own invented wire copy; spans are the ones spaCy gives such copy, handed in so
the tests need no model.
"""

from __future__ import annotations

import time

from pipeline.entities.demonyms import country_code, demonym_count, find_demonym, government_of
from pipeline.entities.gazetteer import Place
from pipeline.testing import entities_by_name as grouped


def name(place: Place | None) -> str | None:
    return place.name if place is not None else None


def test_nationality_adjectives_resolve_to_the_country_or_continent_a_dashboard_shows() -> None:
    assert name(find_demonym("American")) == "United States"
    assert name(find_demonym("Dutch")) == "Netherlands"
    assert name(find_demonym("Ivorian")) == "Ivory Coast"
    north = find_demonym("North American")
    assert north is not None and north.name == "North America" and north.label == "LOC"
    assert find_demonym("Americans") is None  # people, not the country
    assert find_demonym("american") is None
    assert find_demonym("Muslim") is None  # a religion names no place
    assert demonym_count() > 190  # every entry of the table resolved against the gazetteer


def test_a_nationality_word_is_its_own_entity_linked_to_its_country_by_code() -> None:
    """A nationality adjective stays a NORP entity naming its country by ISO code; it is no
    mention of the country, which only the country's own name makes (it used to be both)."""
    body = (
        "WINNIPEG, March 3 (Wirestream) - A Canadian grain trader said on Monday it would buy "
        "two American rivals. Canada's agriculture ministry welcomed the deal, and Canadian "
        "farm groups said prices would hold."
    )
    entities = grouped(
        body,
        ("WINNIPEG", "GPE"),
        ("Canadian", "NORP"),
        ("American", "NORP"),
        ("Canada", "GPE"),
        ("Canadian", "NORP"),
    )
    canada = entities["Canada"]
    assert canada.label == "GPE" and canada.country is None
    assert [m.text for m in canada.mentions] == ["Canada"]
    canadian = entities["Canadian"]
    assert canadian.label == "NORP" and canadian.country == "CA"
    assert [m.text for m in canadian.mentions] == ["Canadian", "Canadian"]
    assert entities["American"].country == "US"
    assert "United States" not in entities  # the story never names the country
    names = list(entities)
    assert names.index("Canadian") < names.index("American")  # first-mention order


def test_plural_nationality_nouns_name_their_country_too() -> None:
    body = "Three Britons and two Danes were among the injured, British officials said."
    entities = grouped(body, ("Britons", "NORP"), ("Danes", "NORP"), ("British", "NORP"))
    assert {name: e.country for name, e in entities.items()} == {
        "Britons": "GB",
        "Danes": "DK",
        "British": "GB",
    }
    assert all(e.label == "NORP" for e in entities.values())
    assert "United Kingdom" not in entities


def test_a_continent_word_is_a_nationality_with_no_country_code() -> None:
    body = "European and Asian carriers ordered 40 jets."
    entities = grouped(body, ("European", "NORP"), ("Asian", "NORP"))
    assert entities["European"].label == "NORP" and entities["European"].country is None
    assert country_code("Frenchmen") == "FR" and country_code("Muslims") is None


def test_a_national_government_stands_for_its_country() -> None:
    assert name(government_of("Canadian Government")) == "Canada"
    assert name(government_of("United States Government")) == "United States"
    assert government_of("Student Government") is None
    assert government_of("European Government") is None  # a continent has no government
    body = (
        "The Canadian Government will lend C$2 billion to the carmaker, Ottawa said. Canada "
        "will take a seat on the board."
    )
    entities = grouped(
        body, ("The Canadian Government", "ORG"), ("Ottawa", "GPE"), ("Canada", "GPE")
    )
    assert [m.text for m in entities["Canada"].mentions] == ["Canadian Government", "Canada"]
    assert "Canadian Government" not in entities


def test_nationality_lookups_stay_fast_on_long_text() -> None:
    started = time.perf_counter()
    for text in ("American" * 20_000, "Government " * 20_000, " " * 100_000):
        assert find_demonym(text) is None
        assert government_of(text) is None
    assert time.perf_counter() - started < 2.0
