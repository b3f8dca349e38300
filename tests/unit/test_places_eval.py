"""The places benchmark's own logic: the country a DBpedia title names, and how placed
entities are counted against gold places (precision, coverage, what is left out)."""

from __future__ import annotations

import pytest

from bench.eval_places import GoldPlace, Tally, gold_country, score
from schemas.records import Entity, Location, Mention


@pytest.mark.parametrize(
    ("title", "country"),
    [
        ("http://dbpedia.org/resource/United_States", "US"),
        ("http://dbpedia.org/page/Washington_(state)", "US"),
        ("http://dbpedia.org/resource/Victoria_(Australia)", "AU"),
        ("http://dbpedia.org/resource/San_Jose,_California", "US"),
        ("http://dbpedia.org/resource/London", "GB"),  # the bare title: the primary meaning
        ("http://dbpedia.org/resource/Ontario", "CA"),
        ("http://dbpedia.org/page/London_Heathrow_Airport", "GB"),
        ("http://dbpedia.org/resource/Europe", None),
        ("http://dbpedia.org/page/Atlantic_Ocean", None),
        ("http://dbpedia.org/resource/Moscone_Center", None),
    ],
)
def test_a_dbpedia_title_names_its_country(title: str, country: str | None) -> None:
    assert gold_country(title) == country


def _entity(name: str, label: str, start: int, country: str | None = None) -> Entity:
    place = Location(1, name, country, "city") if country and label != "NORP" else None
    nationality = country if label == "NORP" else None
    mention = Mention(name, start, start + len(name))
    return Entity(name, label, (mention,), country=nationality, place=place)


def test_placed_entities_are_counted_against_the_gold_country() -> None:
    entities = [
        _entity("Lyon", "GPE", 0, "FR"),
        _entity("Perth", "GPE", 10, "GB"),  # gold: Australia
        _entity("Lagos", "GPE", 20),  # unplaced
        _entity("Kenyan", "NORP", 30, "KE"),
        _entity("Asia", "LOC", 40),
    ]
    gold = [
        GoldPlace("d", "Lyon", "FR", ((0, 4),)),
        GoldPlace("d", "Perth", "AU", ((10, 15),)),
        GoldPlace("d", "Lagos", "NG", ((20, 25),)),
        GoldPlace("d", "Kenya", "KE", ((30, 36),)),
        GoldPlace("d", "Asia", None, ((40, 44),)),
        GoldPlace("d", "Quito", "EC", ((90, 95),)),  # no entity of ours
    ]
    tally = Tally()
    score(tally, "", entities, gold)
    figures = tally.figures()
    assert (figures["gold_places"], figures["placed"], figures["right"]) == (4, 2, 1)
    assert (figures["precision"], figures["coverage"]) == (0.5, 0.5)
    assert (figures["nationality_words"], figures["nationality_words_right_country"]) == (1, 1)
    assert (figures["unmapped_gold"], figures["placed_where_gold_has_no_country"]) == (1, 0)
    assert len(tally.errors) == 3  # Perth wrong, Lagos unplaced, Quito missed
