"""Places stage: each GPE/LOC/FAC entity gets its GeoNames record when the story lets us tell
which one it is, and stays unplaced when it does not. Entities are built by hand (no model)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pipeline.entities.places import area_named, place_entities, read_dateline
from pipeline.story import Story
from pipeline.testing import entities_from_surfaces, make_story
from schemas import ENRICHED_STORY, schema_errors
from schemas.events import enriched_event
from schemas.records import Location, story_from_dict, story_to_dict

Spec = tuple[str, str, Sequence[str]]


def placed(body: str, specs: Sequence[Spec], dateline: str | None = None) -> Story:
    story = make_story(body=body, dateline=dateline, entities=entities_from_surfaces(body, specs))
    return place_entities(story)


def place_of(story: Story, name: str) -> Location | None:
    return next(e.place for e in story.entities if e.name == name)


def test_paris_in_a_story_datelined_paris_texas_is_the_texan_town() -> None:
    body = (
        "PARIS, Texas (Wirestream) - Volunteers in Paris handed out sandbags on Friday as the "
        "Red River rose toward the levee east of town."
    )
    story = placed(
        body,
        [("Paris", "GPE", ["PARIS", "Paris"]), ("Texas", "GPE", ["Texas"])],
        "PARIS, Texas (Wirestream)",
    )
    paris = place_of(story, "Paris")
    assert paris is not None
    assert (paris.country_code, paris.feature, paris.name) == ("US", "city", "Paris")
    assert paris.lat is not None and 33 < paris.lat < 34  # north-east Texas, not the Seine
    texas = place_of(story, "Texas")
    assert texas is not None and (texas.country_code, texas.feature) == ("US", "region")


def test_paris_in_a_story_datelined_lyon_is_the_french_capital() -> None:
    body = (
        "LYON (Wirestream) - Train drivers in Lyon stopped work on Monday, and services to "
        "Paris ran at half strength through the evening rush."
    )
    story = placed(
        body, [("Lyon", "GPE", ["LYON", "Lyon"]), ("Paris", "GPE", ["Paris"])], "LYON (Wirestream)"
    )
    paris, lyon = place_of(story, "Paris"), place_of(story, "Lyon")
    assert paris is not None and lyon is not None
    assert (paris.country_code, lyon.country_code) == ("FR", "FR")
    assert paris.geonames_id == 2988507  # GeoNames' Paris, France


def test_a_dateline_naming_a_region_pulls_same_named_towns_into_it() -> None:
    body = (
        "AUSTIN, Texas (Wirestream) - A state judge in Austin ordered a recount on Wednesday "
        "after a scanner fault in Paris left 300 ballots unread."
    )
    story = placed(
        body,
        [("Austin", "GPE", ["AUSTIN", "Austin"]), ("Paris", "GPE", ["Paris"])],
        "AUSTIN, Texas (Wirestream)",
    )
    paris = place_of(story, "Paris")
    assert paris is not None and paris.country_code == "US"


def test_a_much_larger_namesake_outweighs_the_dateline_country() -> None:
    body = (
        "HOUSTON (Wirestream) - Refiners in Houston said on Friday that export limits set in "
        "Moscow would lift crude prices through the winter."
    )
    story = placed(
        body,
        [("Houston", "GPE", ["HOUSTON", "Houston"]), ("Moscow", "GPE", ["Moscow"])],
        "HOUSTON (Wirestream)",
    )
    moscow = place_of(story, "Moscow")
    assert moscow is not None and moscow.country_code == "RU"


def test_an_ambiguous_name_without_context_stays_unplaced() -> None:
    body = "Councillors in Springfield voted 6-3 on Tuesday to close two branch libraries."
    story = placed(body, [("Springfield", "GPE", ["Springfield"])])
    assert place_of(story, "Springfield") is None


def test_context_of_the_other_places_settles_an_ambiguous_name() -> None:
    body = (
        "Council members in Springfield, the state capital, approved the budget on Tuesday, "
        "weeks before lawmakers in Illinois return."
    )
    story = placed(
        body, [("Springfield", "GPE", ["Springfield"]), ("Illinois", "GPE", ["Illinois"])]
    )
    springfield = place_of(story, "Springfield")
    assert springfield is not None
    assert (springfield.country_code, springfield.feature) == ("US", "city")
    assert springfield.lat is not None and 39 < springfield.lat < 40.5  # Illinois' capital


def test_a_region_written_after_the_town_picks_the_town() -> None:
    body = "The plant in London, Ontario, will hire 400 workers, and a second in Birmingham, Ala."
    story = placed(body, [("London", "GPE", ["London"]), ("Birmingham", "GPE", ["Birmingham"])])
    london, birmingham = place_of(story, "London"), place_of(story, "Birmingham")
    assert london is not None and london.country_code == "CA"
    assert birmingham is not None and birmingham.country_code == "US"


def test_a_country_name_is_the_country_unless_the_dateline_sits_in_its_namesake() -> None:
    abroad = placed(
        "WASHINGTON (Wirestream) - Envoys left for Georgia on Sunday to monitor the ceasefire.",
        [("Washington", "GPE", ["WASHINGTON"]), ("Georgia", "GPE", ["Georgia"])],
        "WASHINGTON (Wirestream)",
    )
    at_home = placed(
        "ATLANTA (Wirestream) - Georgia's governor signed the school budget on Tuesday.",
        [("Atlanta", "GPE", ["ATLANTA"]), ("Georgia", "GPE", ["Georgia"])],
        "ATLANTA (Wirestream)",
    )
    country, state = place_of(abroad, "Georgia"), place_of(at_home, "Georgia")
    assert country is not None and (country.country_code, country.feature) == ("GE", "country")
    assert state is not None and (state.country_code, state.feature) == ("US", "region")
    washington = place_of(abroad, "Washington")
    assert washington is not None and washington.feature == "city"  # a dateline names a town


def test_a_region_outside_the_us_needs_its_country_in_the_story() -> None:
    specs: list[Spec] = [("Victoria", "GPE", ["Victoria"]), ("Australia", "GPE", ["Australia"])]
    with_country = placed("Bushfires in Victoria forced evacuations across Australia.", specs)
    alone = placed("Bushfires in Victoria forced evacuations on Sunday.", specs[:1])
    victoria = place_of(with_country, "Victoria")
    assert victoria is not None
    assert (victoria.country_code, victoria.feature, victoria.geonames_id) == ("AU", "region", None)
    assert place_of(alone, "Victoria") is None  # Hong Kong, British Columbia or Australia


def test_a_lone_small_town_is_taken_only_inside_the_story_context() -> None:
    bare = "Flights were diverted from Heathrow on Monday as fog closed both runways."
    local = "A sinkhole opened near Heathrow on Monday, Florida transport officials said."
    specs: list[Spec] = [("Heathrow", "GPE", ["Heathrow"]), ("Florida", "GPE", ["Florida"])]
    assert place_of(placed(bare, specs[:1]), "Heathrow") is None
    town = place_of(placed(local, specs), "Heathrow")
    assert town is not None and town.country_code == "US"


def test_a_facility_is_placed_by_the_place_its_name_opens_with() -> None:
    body = "Flights resumed at Toulouse-Blagnac Airport, and the White House welcomed the news."
    story = placed(
        body,
        [
            ("Toulouse-Blagnac Airport", "FAC", ["Toulouse-Blagnac Airport"]),
            ("White House", "FAC", ["White House"]),
        ],
    )
    airport = place_of(story, "Toulouse-Blagnac Airport")
    assert airport is not None and (airport.country_code, airport.name) == ("FR", "Toulouse")
    assert place_of(story, "White House") is None


def test_people_and_organisations_are_never_placed() -> None:
    body = "Paris Hilton met executives of Jordan Aviation in Amman on Friday."
    story = placed(
        body,
        [
            ("Paris Hilton", "PERSON", ["Paris Hilton"]),
            ("Jordan Aviation", "ORG", ["Jordan Aviation"]),
            ("Amman", "GPE", ["Amman"]),
        ],
    )
    assert [e.name for e in story.entities if e.place is not None] == ["Amman"]


@pytest.mark.parametrize(
    ("dateline", "expected"),
    [
        ("ST. LOUIS, Mo. (AP)", ("ST. LOUIS", ("US", "MO"))),
        ("PARIS, Texas", ("PARIS", ("US", "TX"))),
        ("MOSCOW, March 14 (Reuters)", ("MOSCOW", None)),
        ("LONDON, Ont.", ("LONDON", ("CA", ""))),
        ("VALENCE, France (AFP)", ("VALENCE", ("FR", ""))),
        (None, None),
    ],
)
def test_the_dateline_gives_its_place_and_written_region(
    dateline: str | None, expected: tuple[str, tuple[str, str] | None] | None
) -> None:
    assert read_dateline(dateline) == expected


def test_areas_are_named_in_full_abbreviated_or_by_country() -> None:
    assert area_named("Calif.") == area_named("California") == ("US", "CA")
    assert area_named("Germany") == ("DE", "")
    assert area_named("Punjab") is None  # India's and Pakistan's
    assert area_named("March 14") is None


def _placed_story() -> Story:
    body = "Dock workers in Rotterdam and Antwerp walked out on Monday."
    return placed(body, [("Rotterdam", "GPE", ["Rotterdam"]), ("Antwerp", "GPE", ["Antwerp"])])


def test_an_event_with_places_validates_and_carries_them() -> None:
    event = enriched_event(_placed_story())
    assert schema_errors(ENRICHED_STORY, event) == []
    rotterdam = event["entities"][0]["place"]
    assert rotterdam["country_code"] == "NL" and rotterdam["feature"] == "city"
    assert set(rotterdam) == {"geonames_id", "name", "country_code", "feature", "lat", "lon"}
    event["entities"][1]["place"]["country_code"] = "Belgium"
    assert len(schema_errors(ENRICHED_STORY, event)) == 1


def test_places_round_trip_through_plain_data() -> None:
    story = _placed_story()
    assert all(e.place is not None for e in story.entities)
    assert story_from_dict(story_to_dict(story)) == story


def test_a_place_geonames_names_with_the_is_found_without_it() -> None:
    body = "Judges in The Hague will hear the case in March."
    story = placed(body, [("Hague", "GPE", ["Hague"])])
    hague = place_of(story, "Hague")
    assert hague is not None and (hague.name, hague.country_code) == ("The Hague", "NL")
