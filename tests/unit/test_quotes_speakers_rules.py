"""Quotes stage, speaker rules: US congressional styles, roles resolved to the person the story
names for them, descriptions kept when it names nobody, organisations and documents with their
speaker_type, pronouns, and a spokesperson credited instead of the boss. Invented wire copy."""

from __future__ import annotations

from pipeline.quotes import extract_quotes
from pipeline.story import Entity, Mention, Quote
from pipeline.testing import entities_from_surfaces, make_story

Spec = tuple[str, str, tuple[str, ...]]  # (name, label, mention strings)


def _entities(body: str, specs: tuple[Spec, ...]) -> tuple[Entity, ...]:
    return entities_from_surfaces(body, specs)


def _quotes(body: str, *specs: Spec) -> list[Quote]:
    return list(extract_quotes(make_story(body, entities=_entities(body, specs))).quotes)


def _speakers(body: str, *specs: Spec) -> list[tuple[str | None, str | None]]:
    """(speaker, speaker_type) of each quotation in marks (reported speech is left out)."""
    return [(q.speaker, q.speaker_type) for q in _quotes(body, *specs) if q.type != "indirect"]


HALE = ("Dana Hale", "PERSON", ("Dana Hale", "Hale"))
ORTIZ = ("Marco Ortiz", "PERSON", ("Marco Ortiz", "Ortiz"))
VALE = ("Vale Mining", "ORG", ("Vale Mining",))


# -- US congressional styles --------------------------------------------------------------


def test_party_and_state_after_a_representative_stay_with_the_subject() -> None:
    body = "Rep. Dana Hale (D-Wis.) said the plan was “a bad deal for dairy farmers.”"
    assert _speakers(body, HALE) == [("Dana Hale", "person")]


def test_party_and_state_after_a_senator_before_an_inverted_cue() -> None:
    body = "“We will not vote for this bill as written,” said Sen. Dana Hale (R-Texas)."
    assert _speakers(body, HALE) == [("Dana Hale", "person")]


def test_bare_party_letter_is_a_style_too() -> None:
    body = "Sen. Dana Hale (I) told reporters the vote was “a long way off for now.”"
    assert _speakers(body, HALE)[0][0] == "Dana Hale"


# -- roles: the person the story names for them, else the description ------------------------


def test_role_resolves_to_the_person_the_story_names_for_it() -> None:
    body = (
        "Ohio Governor Marco Ortiz signed the budget on Friday. "
        "“This is a budget for working families,” the governor said."
    )
    assert _speakers(body, ORTIZ) == [("Marco Ortiz", "person")]


def test_unnamed_role_keeps_its_description() -> None:
    body = "“We are watching the talks closely,” a White House spokesman said on Tuesday."
    assert _speakers(body) == [("a White House spokesman", "description")]


def test_unnamed_plural_source_keeps_its_description() -> None:
    body = "The rate cut will come in June, some analysts say, calling it “all but certain now.”"
    assert _speakers(body)[0] == ("some analysts", "description")


def test_description_after_an_inverted_cue() -> None:
    body = "“Nobody expected the vote to be this close,” said a source close to the talks."
    assert _speakers(body) == [("a source close to the talks", "description")]


def test_description_after_a_comma_is_the_subject_not_the_person_before() -> None:
    body = (
        "Dana Hale had moved to Denver in the spring, her friend said. "
        "“She loved the mountains more than anything,” her friend said."
    )
    assert _speakers(body, HALE) == [("her friend", "description")]


def test_unclosed_apposition_keeps_the_person() -> None:
    body = (
        "Marco Ortiz, head of sales at Vale Mining said “the order book is full until next spring.”"
    )
    assert _speakers(body, ORTIZ, VALE) == [("Marco Ortiz", "person")]


# -- organisations and documents ------------------------------------------------------------


def test_organisation_speaking_is_an_organisation() -> None:
    body = "“Output will rise in every quarter,” Vale Mining said in a note to investors."
    assert _speakers(body, VALE) == [("Vale Mining", "organisation")]


def test_the_commission_is_the_commission_the_story_named() -> None:
    body = (
        "The Federal Trade Commission opened an inquiry on Monday. "
        "“The merger raises serious concerns,” the commission said."
    )
    spec = ("Federal Trade Commission", "ORG", ("Federal Trade Commission",))
    assert _speakers(body, spec) == [("Federal Trade Commission", "organisation")]


def test_an_unowned_letter_is_a_document() -> None:
    body = "“We urge you to reconsider the closure,” the letter says. It was signed by 40 mayors."
    assert _speakers(body) == [("the letter", "document")]


def test_statement_from_an_organisation_credits_the_organisation() -> None:
    body = "A statement from Vale Mining said the mine was “safe and fully staffed.”"
    assert _speakers(body, VALE) == [("Vale Mining", "organisation")]


# -- pronouns ---------------------------------------------------------------------------------


def test_pronoun_resolves_to_the_nearest_person_before_it() -> None:
    body = (
        "Dana Hale met the union on Monday. Marco Ortiz arrived later. "
        "“We made real progress today,” he said."
    )
    assert _speakers(body, HALE, ORTIZ) == [("Marco Ortiz", "person")]


# -- a spokesperson, not the boss -------------------------------------------------------------


def test_spokesperson_is_the_speaker_not_the_boss() -> None:
    body = "“The senator has no plans to resign,” Hale spokesman Marco Ortiz said on Friday."
    assert _speakers(body, HALE, ORTIZ) == [("Marco Ortiz", "person")]


def test_staff_title_between_boss_and_speaker() -> None:
    body = (
        "Hale senior communications adviser Marco Ortiz said the campaign was “in great "
        "shape heading into the fall.”"
    )
    assert _speakers(body, HALE, ORTIZ) == [("Marco Ortiz", "person")]


def test_unnamed_spokesperson_of_a_named_boss_is_a_description() -> None:
    body = "“The senator has no plans to resign,” a Hale spokeswoman said."
    assert _speakers(body, HALE) == [("a Hale spokeswoman", "description")]


def test_name_missed_by_the_tagger_after_an_honorific() -> None:
    body = "Moreau Holdings lost the case. Dr. Voss said: “The ruling changes nothing for us.”"
    spec = ("Moreau Holdings", "ORG", ("Moreau Holdings",))
    assert _speakers(body, spec) == [("Voss", "person")]


def test_the_dateline_place_never_speaks() -> None:
    from pipeline.quotes import extract_quotes
    from pipeline.story import Entity
    from pipeline.testing import make_story

    body = (
        "OSLO, Dec 2 (Wirestream) - Norway's central bank held rates on Wednesday but said it "
        "could cut them early next year."
    )
    oslo = Entity("Oslo", "GPE", (Mention("OSLO", 0, 4),))
    quotes = extract_quotes(make_story(body, entities=(oslo,))).quotes
    assert all(q.speaker != "Oslo" for q in quotes), quotes
