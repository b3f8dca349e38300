"""Quotes stage, speakers the copy names in other ways: a pronoun credited to the person the
story marks with its gender (honorifics, gendered role words, a possessive in a sentence about
that person), bare plural groups ("Critics said"), an inverted cue with the name after it in
reported speech (", said Ann Roe, the agency's editor."), and "reported" as a cue. Invented
wire copy."""

from __future__ import annotations

from pipeline.quotes import extract_quotes
from pipeline.quotes.genders import story_genders
from pipeline.quotes.text import read_text
from pipeline.story import Quote
from pipeline.testing import entities_from_surfaces, make_story

Spec = tuple[str, str, tuple[str, ...]]

HADDAD = ("Karim Haddad", "PERSON", ("Karim Haddad", "Haddad"))
LIND = ("Rosa Lind", "PERSON", ("Rosa Lind", "Lind"))
HALDANE = ("Peter Haldane", "PERSON", ("Peter Haldane",))
TRIBUNE = ("Harbour Tribune", "ORG", ("Harbour Tribune",))


def _quotes(body: str, *specs: Spec) -> list[Quote]:
    entities = entities_from_surfaces(body, specs)
    return list(extract_quotes(make_story(body, entities=entities)).quotes)


def _speaker_of(body: str, words: str, *specs: Spec) -> str | None:
    (quote,) = [q for q in _quotes(body, *specs) if words in q.text]
    return quote.speaker


# -- gender: the story's own evidence ----------------------------------------------------------


def test_honorifics_and_role_words_mark_gender() -> None:
    body = (
        "Mr. Haddad met the press on Monday. Rosa Lind, the congresswoman who chairs the "
        "panel, spoke after him."
    )
    entities = entities_from_surfaces(body, (HADDAD, LIND))
    text = read_text(body)
    mentions = sorted((m.start, m.end, e) for e in entities for m in e.mentions)
    assert story_genders(text, mentions) == {"Karim Haddad": "m", "Rosa Lind": "f"}


def test_a_person_with_no_evidence_has_no_gender() -> None:
    body = "Karim Haddad and Rosa Lind met on Monday to discuss the bill."
    entities = entities_from_surfaces(body, (HADDAD, LIND))
    mentions = sorted((m.start, m.end, e) for e in entities for m in e.mentions)
    assert story_genders(read_text(body), mentions) == {}


def test_she_skips_the_man_who_opens_the_sentence_before() -> None:
    body = (
        "Ms. Rosa Lind, the agency's editor, spoke first. Mr. Haddad followed her with a short "
        "address. “This bill is finished,” she said."
    )
    assert _speaker_of(body, "finished", HADDAD, LIND) == "Rosa Lind"


def test_he_stays_with_the_nearest_subject_when_it_fits() -> None:
    body = (
        "Rosa Lind called her office at noon. Karim Haddad said his staff had not been told. "
        "“Nobody asked us,” he said."
    )
    assert _speaker_of(body, "Nobody", HADDAD, LIND) == "Karim Haddad"


def test_an_unmarked_subject_still_takes_the_pronoun() -> None:
    body = "Karim Haddad spoke to reporters in Tunis. “We are ready,” she said."
    assert _speaker_of(body, "ready", HADDAD) == "Karim Haddad"


# -- groups, inverted cues, "reported" ----------------------------------------------------------


def test_a_bare_plural_group_is_the_source() -> None:
    body = "Critics said the tariff would raise prices for farmers before the harvest."
    (quote,) = _quotes(body)
    assert (quote.speaker, quote.speaker_type, quote.type) == ("Critics", "description", "indirect")


def test_a_trailing_plural_group_is_not_replaced_by_a_name_in_the_clause() -> None:
    body = "Neither plan put forward by Karim Haddad would change what families pay, analysts say."
    (quote,) = _quotes(body, HADDAD)
    assert quote.speaker == "analysts"


def test_an_adverb_ending_in_s_is_no_group() -> None:
    body = "Perhaps said the vote was close."  # broken copy: no source named
    assert all(q.speaker != "Perhaps" for q in _quotes(body))


def test_inverted_cue_names_the_source_after_it_in_reported_speech() -> None:
    body = "Prices rose again in November, said Peter Haldane, the bank's chief economist."
    (quote,) = _quotes(body, HALDANE)
    assert (quote.text, quote.speaker) == ("Prices rose again in November", "Peter Haldane")


def test_inverted_cue_followed_by_a_clause_is_not_a_name() -> None:
    body = (
        "A spokesman for the ministry, Karim Haddad, said Tunis would study the plan closely "
        "before the vote."
    )
    assert [q.speaker for q in _quotes(body, HADDAD)] == ["Karim Haddad"]


def test_reported_is_a_cue_for_a_news_organisation() -> None:
    body = (
        "The talks stalled on Friday. “Both sides have left the table for now,” the Harbour "
        "Tribune reported."
    )
    assert _speaker_of(body, "Both sides", TRIBUNE) == "Harbour Tribune"
