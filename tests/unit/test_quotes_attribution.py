"""Quotes stage, attribution classes: organisations speaking through documents, short and
misspelt names, titles the tagger missed, relative clauses, run-on quotes, asides in brackets,
nested and negated cues. Every story here is invented wire copy."""

from __future__ import annotations

import time

import pytest

from pipeline.quotes import extract_quotes
from pipeline.story import Entity, Quote
from pipeline.testing import entities_from_surfaces, make_story

Spec = tuple[str, str, tuple[str, ...]]  # (name, label, mention strings)


def _entities(body: str, specs: tuple[Spec, ...]) -> tuple[Entity, ...]:
    return entities_from_surfaces(body, specs)


def _quotes(body: str, *specs: Spec) -> list[Quote]:
    return list(extract_quotes(make_story(body, entities=_entities(body, specs))).quotes)


def _attributed(body: str, *specs: Spec) -> list[tuple[str, str | None, str | None]]:
    return [(q.text, q.speaker, q.cue) for q in _quotes(body, *specs)]


NORRLAND = ("Norrland Energy", "ORG", ("Norrland Energy",))
BERG = ("Anna Berg", "PERSON", ("Anna Berg", "Berg"))
OKAFOR_AS_ORG = ("Okafor", "ORG", ("Okafor",))  # a tagger's mistake the honorific overrules


# -- an organisation speaking through a statement, a website, an invitation ------------------


def test_statement_from_an_organisation_is_the_organisation_speaking() -> None:
    body = (
        "A statement from Norrland Energy stated that the merger was “a milestone for our "
        "customers and our staff.”"
    )
    [(text, speaker, cue)] = _attributed(body, NORRLAND)
    assert (speaker, cue) == ("Norrland Energy", "stated") and "a milestone" in text


def test_statement_on_an_organisations_website_states() -> None:
    body = (
        "A statement on Norrland Energy's website, which was updated late on Sunday, states: "
        "“We are deeply saddened by the loss of a colleague and friend.”"
    )
    [quote] = _quotes(body, NORRLAND)
    assert (quote.speaker, quote.cue) == ("Norrland Energy", "states")


def test_as_stated_on_the_company_website() -> None:
    body = (
        "OSLO (Wire) - The new turbine is billed as “the quietest machine in its class” as "
        "stated on the Norrland website."
    )
    norrland = ("Norrland Energy", "ORG", ("Norrland Energy", "Norrland"))
    [quote] = _quotes(body, norrland)
    assert (quote.speaker, quote.cue) == ("Norrland Energy", "stated")


def test_an_unowned_invitation_speaks_for_the_storys_organisation() -> None:
    body = (
        "Norrland Energy will unveil its offshore turbine in Bergen next week. Norrland Energy "
        "shares rose 3 percent on the news. The invitation reads, “Come and see the future of "
        "wind power.”"
    )
    bergen = ("Bergen", "GPE", ("Bergen",))
    [quote] = _quotes(body, NORRLAND, bergen)
    assert (quote.speaker, quote.cue) == ("Norrland Energy", "reads")


def test_an_indefinite_statement_with_no_owner_is_the_document_speaking() -> None:
    body = "Norrland Energy cut its forecast. A statement said “costs rose faster than prices.”"
    [quote] = _quotes(body, NORRLAND)
    assert (quote.speaker, quote.speaker_type) == ("A statement", "document")


def test_organisation_subject_of_a_coordinated_or_participle_cue() -> None:
    body = (
        "The carmaker Velstra has said it earned $1.2 billion in the quarter, and predicted "
        "that it would be “comfortably profitable” by next year. The TWU issued a statement "
        "saying “we will not accept these cuts.”"
    )
    velstra = ("Velstra", "ORG", ("Velstra",))
    twu = ("TWU", "ORG", ("TWU",))
    union = ("Transport Workers Union", "ORG", ())  # named in an earlier story paragraph
    body = "The Transport Workers Union represents 9,000 drivers. " + body
    found = _attributed(body, velstra, twu, union)
    # the quotes' extents are the extract stage's business; here the speaker and cue of each
    assert [(speaker, cue) for text, speaker, cue in found] == [
        ("Velstra", "predicted"),
        ("Transport Workers Union", "saying"),
    ]
    assert "comfortably profitable" in found[0][0] and "we will not" in found[1][0]


# -- the fullest name the story gives ---------------------------------------------------------


def test_acronym_speaker_is_credited_under_the_full_name() -> None:
    body = "Kestrel Motors posted a loss. “We expect a better year,” KM said in a statement."
    kestrel = ("Kestrel Motors", "ORG", ("Kestrel Motors",))
    assert _quotes(body, kestrel, ("KM", "ORG", ("KM",)))[0].speaker == "Kestrel Motors"


def test_first_name_alone_is_credited_to_the_full_name() -> None:
    body = (
        "Maria Lindqvist opened the festival on Friday. Maria called the programme “the "
        "strongest line-up we have ever had.”"
    )
    maria = ("Maria Lindqvist", "PERSON", ("Maria Lindqvist",))
    assert _quotes(body, maria, ("Maria", "PERSON", ("Maria",)))[0].speaker == "Maria Lindqvist"


def test_surname_misspelt_at_the_attribution_is_the_person_introduced() -> None:
    body = (
        "Industry analyst Tomas Brenner expects a weak year for dealers. “Demand is soft "
        "everywhere we look,” said Brener."
    )
    brenner = ("Tomas Brenner", "PERSON", ("Tomas Brenner",))
    assert _quotes(body, brenner, ("Brener", "ORG", ("Brener",)))[0].speaker == "Tomas Brenner"


def test_title_before_a_name_the_tagger_missed() -> None:
    body = (
        "EU Trade Commissioner Lena Hartmann said “the agreement protects European farmers "
        "and opens new markets.”"
    )
    [quote] = _quotes(body, ("EU", "ORG", ("EU",)))
    assert (quote.speaker, quote.cue) == ("Lena Hartmann", "said")


def test_no_title_no_entity_keeps_the_description() -> None:
    body = "Several Big Banks said “the rules will raise costs for every household.”"
    quote = _quotes(body)[0]
    assert (quote.speaker, quote.speaker_type) == ("Several Big Banks", "description")


# -- relative clauses, dashes, brackets, nested and negated cues ------------------------------


ADEYEMI = ("Ruth Adeyemi", "PERSON", ("Ruth Adeyemi", "Adeyemi"))
SCHOOL = ("Lagos Business School", "ORG", ("Lagos Business School",))


def test_who_stated_after_an_apposition_is_the_person_before_it() -> None:
    body = (
        "The plan was criticised by Ruth Adeyemi, a professor at Lagos Business School, who "
        "stated, “It does nothing for small traders.”"
    )
    [quote] = _quotes(body, ADEYEMI, SCHOOL)
    assert (quote.speaker, quote.cue) == ("Ruth Adeyemi", "stated")


def test_who_after_a_common_noun_is_not_an_earlier_name() -> None:
    body = "Ruth Adeyemi met the traders who said “the market tax is ruining us.”"
    assert _quotes(body, ADEYEMI)[0].speaker != "Ruth Adeyemi"


def test_quote_introduced_after_a_dash_takes_the_agreeing_judge() -> None:
    body = (
        "Judge Samuel Ortiz agreed with the defence that, while the logos look alike, the "
        "products do not - “No shopper would confuse the two brands.”"
    )
    ortiz = ("Samuel Ortiz", "PERSON", ("Samuel Ortiz",))
    [quote] = _quotes(body, ortiz)
    assert (quote.speaker, quote.cue) == ("Samuel Ortiz", "agreed")


def test_a_cue_inside_brackets_is_an_aside() -> None:
    body = (
        "Anna Berg closed her speech saying the country could return to a time when the old "
        "motto (which industrialist Carl Jensen claimed before parliament in 1952) would hold "
        "again: “a strong industry makes a strong nation.”"
    )
    jensen = ("Carl Jensen", "PERSON", ("Carl Jensen",))
    [quote] = _quotes(body, BERG, jensen)
    assert (quote.speaker, quote.cue) == ("Anna Berg", "saying")


def test_named_reporter_of_an_unnamed_source() -> None:
    body = (
        "Mr Okafor first observed that the ministry had already stated to him that it had “no "
        "interest in running the plant”."
    )
    [quote] = _quotes(body, ("Okafor", "PERSON", ("Okafor",)))
    assert (quote.speaker, quote.cue) == ("Okafor", "observed")


def test_generic_nested_source_stays_unnamed() -> None:
    body = "Okafor said that an official had told him “the plant is perfectly safe”."
    [quote] = _quotes(body, ("Okafor", "PERSON", ("Okafor",)))
    assert (quote.speaker, quote.cue) == (None, "told")


def test_negated_verb_names_the_source_but_is_no_cue() -> None:
    body = (
        "Anna Berg spoke in Malmo. She didn't say which plants would close, but wants to give "
        "details “very soon”."
    )
    assert _attributed(body, BERG) == [("very soon", "Anna Berg", None)]


# -- cue words and run-on quotations ----------------------------------------------------------


def test_speech_noun_cues_and_participles() -> None:
    body = (
        "Anna Berg resigned in a letter to the board stating, “I can no longer serve with a "
        "clear conscience.” Berg extended an invitation to the union, “our door is always "
        "open to you.” In her last message Berg left this farewell, “Thank you all for "
        "everything.”"
    )
    assert [(q.speaker, q.cue) for q in _quotes(body, BERG)] == [
        ("Anna Berg", "stating"),
        ("Anna Berg", "extended"),
        ("Anna Berg", "left"),
    ]


def test_sentence_opening_participle_takes_the_main_clause_subject() -> None:
    body = (
        "Describing the deal as “a turning point for the whole region,” Berg announced new "
        "funding. Citing “unacceptable safety risks”, Norrland Energy announced it would shut "
        "the plant."
    )
    assert [(q.speaker, q.cue) for q in _quotes(body, BERG, NORRLAND)] == [
        ("Anna Berg", "Describing"),
        ("Norrland Energy", "Citing"),
    ]


def test_closing_mark_without_comma_then_he_said() -> None:
    body = (
        "Mr Okafor announced the deal in Abuja. “It is a good day for the whole region” he "
        "said. “We have waited a long time for this investment,” he added."
    )
    assert [(q.speaker, q.cue) for q in _quotes(body, OKAFOR_AS_ORG)] == [
        ("Okafor", "said"),
        ("Okafor", "added"),
    ]


def test_run_on_quotes_then_a_bare_attribution_sentence() -> None:
    body = (
        "Anna Berg opened the plant on Monday. “The funding secures 300 jobs in the town,” "
        "“It also gives the plant a future well beyond 2030.” Mr Okafor said. Berg thanked him."
    )
    assert [(q.speaker, q.cue) for q in _quotes(body, BERG, OKAFOR_AS_ORG)] == [
        ("Okafor", "said"),
        ("Okafor", "said"),
    ]


def test_quote_ending_a_sentence_keeps_its_own_attribution() -> None:
    body = (
        "Norrland Energy said the sites were “too small to compete.” “Most of them lose "
        "money every month,” said a company vice president on a conference call."
    )
    quotes = _quotes(body, NORRLAND)
    assert [q.speaker for q in quotes] == ["Norrland Energy", "a company vice president"]


def test_short_quote_tied_to_its_speaker_is_kept_but_names_are_not() -> None:
    body = (
        "This 'pause', Berg said, would last a year. Berg called it the “NordLink” range and "
        "described the launch as a “defining moment” for the firm."
    )
    found = [(q.text, q.speaker) for q in _quotes(body, BERG)]
    assert [speaker for _, speaker in found] == ["Anna Berg", "Anna Berg"]
    assert "pause" in found[0][0] and "defining moment" in found[1][0]
    assert not any("NordLink" in text for text, _ in found)


def test_member_states_is_no_cue() -> None:
    body = "Several member states backed the plan. “It is overdue,” one diplomat told reporters."
    assert [q.cue for q in _quotes(body)] == ["told"]


# -- robustness -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chunk",
    [
        ", who stated, ",
        "A statement from Norrland Energy ",
        "(said) “x” ",
        "” he said ",
        "”... “",
        "Mr Okafor said. ",
        "Citing “a”, ",
        "didn't say “b” ",
        "The invitation reads “",
        "Commissioner Lena Hartmann said “",
        "KM ",
    ],
)
def test_attribution_rules_stay_fast_on_pathological_input(chunk: str) -> None:
    body = (chunk * (100_000 // len(chunk) + 1))[:100_000]
    ents = _entities(body[:2000], (NORRLAND, OKAFOR_AS_ORG, ("KM", "ORG", ("KM",))))
    started = time.process_time()
    extract_quotes(make_story(body, entities=ents))
    assert time.process_time() - started < 2.0


def test_many_short_forms_and_full_names_finish_quickly() -> None:
    body = "x " * 10
    ents = [Entity(f"A{chr(65 + n % 26)}", "ORG", ()) for n in range(3000)]
    ents += [Entity(f"Alpha Beta{n} Corp", "ORG", ()) for n in range(3000)]
    ents += [Entity(f"Anne{n}", "PERSON", ()) for n in range(3000)]
    ents += [Entity(f"Bo Anne{n}x", "PERSON", ()) for n in range(3000)]
    started = time.process_time()
    extract_quotes(make_story("“Yes,” said Anne1. " + body, entities=tuple(ents)))
    assert time.process_time() - started < 2.0
