"""Mention extents: a mention is the name as written. The stage cuts only what news gold keeps
outside a name (a leading "the", a possessive, a title before a person, words in lower case or
figures after the name, a line break) and never a word of the name itself.

Stories are our own invented wire copy; spans are the kind spaCy gives such copy.
"""

from __future__ import annotations

import pytest

from pipeline.entities import group_entities
from pipeline.entities.layout import dateline_places
from pipeline.entities.mentions import split_span, trim_span
from pipeline.nlp import NerSpan
from pipeline.testing import entities_by_name as grouped


def whole(body: str, text: str, label: str) -> NerSpan:
    start = body.index(text)
    return NerSpan(text, start, start + len(text), label)


def texts(body: str, *wanted: tuple[str, str]) -> list[str]:
    return [m.text for e in grouped(body, *wanted).values() for m in e.mentions]


def test_an_index_keeps_its_whole_name_and_loses_only_the_article() -> None:
    body = "The Dow Jones Industrial Average fell 2 percent on Monday; the Dow has lost 9 percent."
    found = grouped(body, ("The Dow Jones Industrial Average", "ORG"), ("Dow", "ORG"))
    assert [m.text for m in found["Dow Jones Industrial Average"].mentions] == [
        "Dow Jones Industrial Average"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "National Democratic Alliance",
        "State Planning Commission",
        "Health Care Financing Administration",
        "General Motors",
        "Chief Executives Forum",
    ],
)
def test_qualifiers_that_open_an_organisations_name_are_part_of_it(name: str) -> None:
    body = f"The {name} said on Tuesday it would appeal."
    assert texts(body, (f"The {name}", "ORG")) == [name]


def test_a_title_before_a_person_is_cut_and_kept_as_a_role() -> None:
    body = "Senator Maria Lund and Dean Harlow met on Monday. Lund said the talks went well."
    found = grouped(
        body, ("Senator Maria Lund", "PERSON"), ("Dean Harlow", "PERSON"), ("Lund", "PERSON")
    )
    assert [m.text for m in found["Maria Lund"].mentions] == ["Maria Lund", "Lund"]
    assert found["Maria Lund"].roles == ("Senator",)
    assert "Dean Harlow" in found  # a first name that is also a title stays in the name


def test_lower_case_words_after_a_name_are_no_part_of_it() -> None:
    body = "The official Tanjug news agency quoted Hassan al-Amin as saying the road was open."
    found = grouped(body, ("Tanjug news agency", "ORG"), ("Hassan al-Amin", "PERSON"))
    assert [m.text for m in found["Tanjug"].mentions] == ["Tanjug"]
    assert "Hassan al-Amin" in found  # a particle in the surname is part of the name


def test_figures_and_line_breaks_split_a_span_into_names() -> None:
    body = "Results:\nHarrowgate 2 Dunmore 1\nBowling: K. Amos 4-43, P. Lowe\nRiley 3-21"
    pieces = [
        (p.text, p.label)
        for span in (
            whole(body, "Harrowgate 2 Dunmore 1", "ORG"),
            whole(body, "K. Amos 4-43", "PERSON"),
            whole(body, "P. Lowe\nRiley", "PERSON"),
        )
        for p in split_span(body, span)
    ]
    assert pieces == [
        ("Harrowgate", "ORG"),
        ("Dunmore", "ORG"),
        ("K. Amos", "PERSON"),
        ("P. Lowe", "PERSON"),
        ("Riley", "PERSON"),
    ]


def test_a_model_number_stays_with_a_product_and_a_channel_keeps_its_number() -> None:
    body = "Sales of Windows 95 rose, Channel 4 said, and the 787 Dreamliner flew again."
    spans = [
        whole(body, "Windows 95", "PRODUCT"),
        whole(body, "Channel 4", "ORG"),
        whole(body, "the 787 Dreamliner", "ORG"),
    ]
    assert [split_span(body, s) for s in spans] == [[s] for s in spans]


def test_an_unclosed_bracket_is_cut_from_a_name() -> None:
    body = "The Software Development Kit (SDK was released on Thursday."
    span = whole(body, "The Software Development Kit (SDK", "ORG")
    (piece,) = split_span(body, span)
    assert piece.text == "The Software Development Kit"
    assert trim_span(body, piece)[:2] == (4, 4 + len("Software Development Kit"))


def test_a_dateline_in_capitals_is_a_place_whatever_spacy_called_it() -> None:
    body = "TROMSO, Norway, Nov 27 (Wirestream) - Tromso port reopened on Tuesday."
    assert [body[a:b] for a, b in dateline_places(body)] == ["TROMSO", "Norway"]
    found = group_entities(body, [whole(body, "TROMSO", "ORG"), whole(body, "Tromso", "GPE")])
    places = {m.text: e.label for e in found for m in e.mentions}
    assert places["TROMSO"] == "GPE" and places["Norway"] == "GPE"


def test_a_headline_in_capitals_is_no_dateline_and_echoes_the_names_below() -> None:
    body = (
        "SOCCER - LINDQVIST SIGNS FOR HARROWGATE\n\n"
        "LONDON 2026-03-03\n\n"
        "Tomas Lindqvist signed a two-year contract with Harrowgate on Tuesday."
    )
    assert [body[a:b] for a, b in dateline_places(body)] == ["LONDON"]
    found = grouped(body, ("Tomas Lindqvist", "PERSON"), ("Harrowgate", "ORG"))
    assert [m.text for m in found["Tomas Lindqvist"].mentions] == ["LINDQVIST", "Tomas Lindqvist"]
    assert [m.text for m in found["Harrowgate"].mentions] == ["HARROWGATE", "Harrowgate"]


def test_a_dateline_in_mixed_case_needs_its_agency_and_a_known_place() -> None:
    body = "Lisbon, March 3 (Wirestream) - The bridge reopened on Monday."
    assert [body[a:b] for a, b in dateline_places(body)] == ["Lisbon"]
    assert dateline_places("Kelton (KLT) - shares rose on Monday.") == ()


def test_a_short_headline_with_a_dash_is_no_dateline() -> None:
    assert dateline_places("NATO - Allies agree on a new budget.") == ()
    assert dateline_places("Oslo council approves the budget.") == ()
    body = "LONDON - The Bank of England held rates on Thursday."
    assert [body[a:b] for a, b in dateline_places(body)] == ["LONDON"]
