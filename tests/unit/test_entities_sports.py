"""Sports copy: clubs and county sides named after places are organisations where the layout or
the verbs of a result put them in a team's slot; players in draws and lists of scorers are
people; national teams keep their country's label.

Stories are our own invented wire copy; spans are the kind spaCy gives such copy (a town for a
club, nothing at all in a results table), handed in so the tests need no model.
"""

from __future__ import annotations

from pipeline.entities import group_entities
from pipeline.entities.sports import is_sports_story, sports_slug, team_slots
from pipeline.nlp import NerSpan
from pipeline.story import Entity
from pipeline.testing import entities_by_name as grouped


def span(body: str, text: str, label: str, last: bool = False) -> NerSpan:
    """The span of `text` in `body` (its first occurrence, or its last)."""
    start = body.rindex(text) if last else body.index(text)
    return NerSpan(text, start, start + len(text), label)


def labels(entities: dict[str, Entity]) -> dict[str, str]:
    return {name: entity.label for name, entity in entities.items()}


def mention_labels(body: str, spans: list[NerSpan]) -> dict[str, str]:
    found = group_entities(body, spans)
    for entity in found:
        for mention in entity.mentions:
            assert body[mention.start : mention.end] == mention.text
    return {m.text: e.label for e in found for m in e.mentions}


def test_a_result_with_its_score_makes_both_towns_clubs() -> None:
    body = (
        "Harrowgate beat Dunmore 2-1 on Saturday to go top of the table. Dunmore had won "
        "their previous four games."
    )
    found = grouped(body, ("Harrowgate", "GPE"), ("Dunmore", "GPE"), ("Dunmore", "GPE"))
    assert labels(found) == {"Harrowgate": "ORG", "Dunmore": "ORG"}
    assert [m.text for m in found["Dunmore"].mentions] == ["Dunmore", "Dunmore"]


def test_leeds_beat_chelsea_is_sport_and_both_are_clubs() -> None:
    body = "Leeds beat Chelsea 2-1 at Elland Road on Saturday."
    assert is_sports_story(body)
    found = grouped(body, ("Leeds", "GPE"), ("Chelsea", "PERSON"), ("Elland Road", "FAC"))
    assert found["Leeds"].label == "ORG" and found["Chelsea"].label == "ORG"
    assert found["Elland Road"].label == "FAC"


def test_a_fixture_with_v_between_two_counties() -> None:
    body = "CRICKET - COUNTY FIXTURES\n\nOn Thursday: Essex v Derbyshire, Kent v Sussex."
    assert sports_slug(body) == (0, len("CRICKET"))
    found = grouped(
        body,
        ("CRICKET", "ORG"),
        ("Essex", "GPE"),
        ("Derbyshire", "PERSON"),
        ("Kent", "GPE"),
        ("Sussex", "GPE"),
    )
    assert labels(found) == {n: "ORG" for n in ("Essex", "Derbyshire", "Kent", "Sussex")}


def test_county_cricket_totals_name_the_sides_and_initials_name_the_players() -> None:
    body = (
        "CRICKET - ENGLISH COUNTY CHAMPIONSHIP SCORES\n\n"
        "At Bristol: Gloucestershire 281 (J. Holt 74, R. Penn 52; K. Amos 4-43) v Essex.\n"
        "Essex 112-3."
    )
    spans = [span(body, "Bristol", "GPE"), span(body, "K. Amos 4-43", "PERSON")]
    found = mention_labels(body, spans)
    assert found["Gloucestershire"] == "ORG"
    assert found["Essex"] == "ORG"
    assert found["K. Amos"] == "PERSON"  # the bowling figures are cut from the name
    assert found["J. Holt"] == "PERSON" and found["R. Penn"] == "PERSON"
    assert found["Bristol"] == "GPE"  # the ground, after "At"
    assert "CRICKET" not in found


def test_results_and_standings_tables_name_clubs_spacy_left_untagged() -> None:
    body = (
        "SOCCER - NORTHERN LEAGUE RESULTS\n\n"
        "Results of matches played on Saturday:\n"
        "Harrowgate 3 Dunmore 1\n"
        "Ashby Rovers 0 Kelton 0\n"
        "Standings (played, won, drawn, lost, points):\n"
        "Harrowgate 4 3 1 0 10\n"
        "Kelton 4 2 2 0 8"
    )
    found = mention_labels(body, [])
    for club in ("Harrowgate", "Dunmore", "Ashby Rovers", "Kelton"):
        assert found[club] == "ORG", club


def test_baseball_standings_in_capitals_and_the_column_header() -> None:
    body = (
        "BASEBALL - STANDINGS AFTER TUESDAY'S GAMES\n\n"
        "EASTERN DIVISION\n"
        "W L PCT GB\n"
        "BOSTON 70 52 .574 -\n"
        "TORONTO 66 57 .537 4 1/2\n"
        "NEW YORK 61 60 .504 8 1/2"
    )
    spans = [
        span(body, "W L PCT GB", "ORG"),
        span(body, "TORONTO", "GPE"),
        span(body, "NEW", "GPE", last=True),
    ]
    found = mention_labels(body, spans)
    assert found["BOSTON"] == "ORG" and found["TORONTO"] == "ORG"
    assert found["NEW YORK"] == "ORG"  # the row gives the whole name spaCy cut short
    assert "W L PCT GB" not in found and "BASEBALL" not in found


def test_a_national_team_keeps_its_countrys_label() -> None:
    body = "Norway beat Iceland 3-0 in Oslo on Wednesday, and Iceland now need a win."
    found = grouped(body, ("Norway", "GPE"), ("Iceland", "GPE"), ("Oslo", "GPE"))
    assert labels(found) == {"Norway": "GPE", "Iceland": "GPE", "Oslo": "GPE"}


def test_the_dateline_and_a_place_after_in_stay_places_in_a_sports_story() -> None:
    body = (
        "BRADFORD, England, May 4 (Wirestream) - Bradford beat Hull 2-0 on Saturday. Fans in "
        "Bradford celebrated late into the night."
    )
    spans = [
        span(body, "BRADFORD", "GPE"),
        span(body, "England", "GPE"),
        span(body, "Bradford", "GPE"),
        span(body, "Hull", "GPE"),
        span(body, "Bradford", "GPE", last=True),
    ]
    found = group_entities(body, spans)
    by_start = {m.start: e.label for e in found for m in e.mentions}
    assert by_start[0] == "GPE"  # the dateline
    assert by_start[body.index("Bradford beat")] == "ORG"
    assert by_start[body.rindex("Bradford")] == "GPE"  # "in Bradford"


def test_players_in_a_draw_and_scorers_are_people() -> None:
    body = (
        "TENNIS - RESULTS FROM THE CITY OPEN\n\n"
        "Second round:\n"
        "Tomas Lindqvist (Sweden) beat Arno Vidal (France) 6-3 7-5\n"
        "Scorers: Harrowgate - Peter Quill (12th), Okafor (77th)"
    )
    found = mention_labels(body, [span(body, "Tomas Lindqvist", "ORG")])
    assert found["Tomas Lindqvist"] == "PERSON"  # spaCy's ORG overruled by the draw
    assert found["Arno Vidal"] == "PERSON"
    assert found["Peter Quill"] == "PERSON" and found["Okafor"] == "PERSON"
    assert found["Harrowgate"] == "ORG"


def test_no_team_slots_in_running_copy_without_sport() -> None:
    body = (
        "Shares in Hallam Foods rose 2 percent after the company said it would buy a rival "
        "in Leeds. Analysts at Marlow Securities said the deal made sense."
    )
    assert not is_sports_story(body)
    assert team_slots(body, sports=False) == []
    found = grouped(body, ("Hallam Foods", "ORG"), ("Leeds", "GPE"), ("Marlow Securities", "ORG"))
    assert found["Leeds"].label == "GPE"


def test_a_court_case_in_running_copy_is_no_fixture() -> None:
    body = "The court cited Halden v Morrow, a 1998 ruling on contracts, and Anna Halden spoke."
    assert not is_sports_story(body)
    found = grouped(body, ("Halden", "PERSON"), ("Morrow", "PERSON"), ("Anna Halden", "PERSON"))
    assert found["Anna Halden"].label == "PERSON" and found["Morrow"].label == "PERSON"


def test_a_list_of_fixtures_reads_as_sport_on_its_own() -> None:
    body = "Saturday's fixtures:\nHarrowgate v Dunmore\nKelton v Ashby Rovers"
    assert is_sports_story(body)
    found = mention_labels(body, [span(body, "Kelton", "GPE")])
    assert found["Kelton"] == "ORG" and found["Ashby Rovers"] == "ORG"
