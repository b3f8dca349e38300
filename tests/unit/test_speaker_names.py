"""Speaker names: other forms of a name joined under the fullest one the story gives."""

from __future__ import annotations

import time

from pipeline.quotes.names import canonical_entities, clean_name, spells, titled_name
from pipeline.story import Entity, Mention


def _entity(name: str, label: str, *starts: int) -> Entity:
    return Entity(name, label, tuple(Mention(name, s, s + len(name)) for s in starts))


def _names(body: str, *entities: Entity) -> dict[str, tuple[str, tuple[int, ...]]]:
    return {
        e.name: (e.label, tuple(m.start for m in e.mentions))
        for e in canonical_entities(body, entities)
    }


def test_acronyms_spell_the_full_name_initials_first() -> None:
    assert spells("GM", "General Motors")
    assert spells("SIA", "Singapore Airlines")  # a later letter of a word may join in
    assert spells("UAW", "United Auto Workers union")  # lowercase descriptors are skipped
    assert not spells("GM", "General Electric Motors")  # every word must give its initial
    assert not spells("MG", "General Motors")


def test_short_forms_join_the_full_name_and_keep_their_mentions() -> None:
    body = "Kestrel Motors said sales fell. KM expects a loss, KM said."
    names = _names(body, _entity("Kestrel Motors", "ORG", 0), _entity("KM", "ORG", 32, 50))
    assert names == {"Kestrel Motors": ("ORG", (0, 32, 50))}


def test_one_word_organisation_joins_its_company_name_not_a_subsidiary() -> None:
    body = "Apple Computer and Apple and Ford Australia and Ford"
    names = _names(
        body,
        _entity("Apple Computer", "ORG", 0),
        _entity("Apple", "ORG", 19),
        _entity("Ford Australia", "ORG", 29),
        _entity("Ford", "ORG", 48),
    )
    assert set(names) == {"Apple Computer", "Ford Australia", "Ford"}
    assert names["Apple Computer"][1] == (0, 19)


def test_first_name_joins_the_dominant_full_name_only() -> None:
    one = _names(
        "Steve Jobs, Steve Jobs, Steve Jobs and Steve Ballmer; Steve spoke.",
        _entity("Steve Jobs", "PERSON", 0, 12, 24),
        _entity("Steve Ballmer", "PERSON", 39),
        _entity("Steve", "PERSON", 54),
    )
    assert "Steve" not in one and one["Steve Jobs"][1] == (0, 12, 24, 54)
    tie = _names(
        "Steve Jobs and Steve Wozniak; Steve spoke.",
        _entity("Steve Jobs", "PERSON", 0),
        _entity("Steve Wozniak", "PERSON", 15),
        _entity("Steve", "PERSON", 30),
    )
    assert "Steve" in tie  # two Steves, equally present: no guess


def test_misspelt_surname_joins_the_person_and_honorifics_make_persons() -> None:
    body = "Analyst Dennis DesRosier spoke. DesRoiser said so. Mr Okafor agreed."
    names = _names(
        body,
        _entity("Dennis DesRosier", "PERSON", 8),
        _entity("DesRoiser", "ORG", 32),
        _entity("Okafor", "ORG", 54),
    )
    assert names["Dennis DesRosier"] == ("PERSON", (8, 32))
    assert names["Okafor"][0] == "PERSON"


def test_names_lose_lowercase_edges() -> None:
    assert clean_name("a United Auto Workers union") == "United Auto Workers"
    assert clean_name("Charles de Gaulle") == "Charles de Gaulle"


def test_titled_name_needs_a_title_right_before_it() -> None:
    assert titled_name("EU Competition Commissioner Neelie Kroes".split()) == "Neelie Kroes"
    assert titled_name("Undersecretary Lena Hartmann".split()) == "Lena Hartmann"
    assert titled_name("General Electric Capital".split()) is None
    assert titled_name("the board of Norrland Energy".split()) is None


def test_thousands_of_entities_are_joined_quickly() -> None:
    ents = [Entity(f"Q{chr(65 + n % 26)}", "ORG", ()) for n in range(4000)]
    ents += [Entity(f"Quiet Able{n} Corp", "ORG", ()) for n in range(4000)]
    ents += [Entity(f"Surnamex{n}", "PERSON", ()) for n in range(4000)]
    ents += [Entity(f"Ann Surnamex{n}y", "PERSON", ()) for n in range(4000)]
    started = time.process_time()
    canonical_entities("x", ents)
    assert time.process_time() - started < 2.0
