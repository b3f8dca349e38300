"""Quotes stage, quote types: direct quotes in doubled-apostrophe and backtick marks, partial
quotes widened to the clause they report, indirect speech, and scare quotes and titles kept out;
every offset indexes the story body. Sentences are our own wire-style copy."""

from __future__ import annotations

import pytest

from pipeline.quotes import extract_quotes
from pipeline.story import Entity, Mention, Quote
from pipeline.testing import make_story


def _quotes(body: str, *people: str) -> list[Quote]:
    entities = []
    for name in people:
        mentions = []
        for surface in (name, name.split()[-1]):
            at = body.find(surface)
            while at >= 0:
                if not any(m.start <= at < m.end for m in mentions):
                    mentions.append(Mention(surface, at, at + len(surface)))
                at = body.find(surface, at + 1)
        mentions.sort(key=lambda m: m.start)
        entities.append(Entity(name, "PERSON", tuple(mentions)))
    quotes = list(extract_quotes(make_story(body, entities=tuple(entities))).quotes)
    for q in quotes:  # every type's offsets index the body
        assert q.text == body[q.start : q.end]
        for f in q.fragments:
            assert q.start <= f.start <= f.end <= q.end
    return quotes


def _one(quotes: list[Quote], kind: str) -> Quote:
    typed = [q for q in quotes if q.type == kind]
    assert len(typed) == 1, quotes
    return typed[0]


# -- direct ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "''We will not close the plant,'' Maria Lopez said on Monday.",
        "``We will not close the plant,'' Maria Lopez said on Monday.",
        "Maria Lopez said: ''We will not close the plant.''",
        "“We will not close the plant,” Maria Lopez said on Monday.",
    ],
)
def test_direct_quote_in_any_double_marks_keeps_the_marked_words(body: str) -> None:
    quote = _one(_quotes(body, "Maria Lopez"), "direct")
    assert quote.text.rstrip(",.") == "We will not close the plant"
    assert quote.speaker == "Maria Lopez"
    assert quote.fragments == ()


def test_doubled_marks_pair_across_sentences_of_one_paragraph() -> None:
    body = "''The vote is final,'' Omar Haddad said. ''We move on now.''"
    texts = [q.text for q in _quotes(body, "Omar Haddad")]
    assert texts == ["The vote is final,", "We move on now."]


def test_apostrophes_alone_are_no_marks() -> None:
    body = "The players' union and the owners' group met on Friday in Denver."
    assert [q for q in _quotes(body) if q.type != "indirect"] == []


# -- partial ---------------------------------------------------------------------------------


def test_partial_quote_covers_the_reported_clause() -> None:
    body = "Senator Ruth Amell said the audit was “deeply flawed” and would be redone."
    quote = _one(_quotes(body, "Ruth Amell"), "partial")
    assert quote.text == "the audit was “deeply flawed” and would be redone"
    assert [body[f.start : f.end] for f in quote.fragments] == ["deeply flawed"]
    assert quote.speaker == "Ruth Amell"
    assert quote.cue == "said"


def test_partial_quote_after_that_starts_after_that() -> None:
    body = "Ruth Amell said on Tuesday that the levy was ''a tax on work.''"
    quote = _one(_quotes(body, "Ruth Amell"), "partial")
    assert quote.text.startswith("the levy was")
    assert [body[f.start : f.end] for f in quote.fragments] == ["a tax on work."]


def test_partial_quote_before_a_trailing_cue_starts_with_its_sentence() -> None:
    body = "The talks were “a waste of time,” Ruth Amell said."
    quote = _one(_quotes(body, "Ruth Amell"), "partial")
    assert quote.text == "The talks were “a waste of time,”"
    assert quote.speaker == "Ruth Amell"


def test_two_fragments_of_one_clause_are_one_partial_quote() -> None:
    body = "Ruth Amell called the merger “reckless” and “a gift to rivals” in a filing."
    quote = _one(_quotes(body, "Ruth Amell"), "partial")
    assert [body[f.start : f.end] for f in quote.fragments] == ["reckless", "a gift to rivals"]


def test_partial_quote_clause_ends_at_the_comma_after_its_marks() -> None:
    body = "Ruth Amell insisted that she had “kept every promise,” citing the new clinic."
    quote = _one(_quotes(body, "Ruth Amell"), "partial")
    assert quote.text == "she had “kept every promise,”"


# -- indirect --------------------------------------------------------------------------------


def test_indirect_said_that() -> None:
    body = "Mayor Lena Ostrova said on Monday that the bridge would reopen by March."
    quote = _one(_quotes(body, "Lena Ostrova"), "indirect")
    assert quote.text == "the bridge would reopen by March"
    assert (quote.speaker, quote.cue, quote.fragments) == ("Lena Ostrova", "said", ())


def test_indirect_clause_then_cue() -> None:
    body = "The bridge will reopen by March, Lena Ostrova said on Monday."
    quote = _one(_quotes(body, "Lena Ostrova"), "indirect")
    assert quote.text == "The bridge will reopen by March"
    assert quote.speaker == "Lena Ostrova"


def test_indirect_according_to() -> None:
    body = "According to Lena Ostrova, the city spent twice its budget on the bridge."
    quote = _one(_quotes(body, "Lena Ostrova"), "indirect")
    assert quote.text == "the city spent twice its budget on the bridge"
    assert quote.cue == "According to"


def test_indirect_told_skips_the_listener() -> None:
    body = "Lena Ostrova told reporters the bridge would reopen by March."
    quote = _one(_quotes(body, "Lena Ostrova"), "indirect")
    assert quote.text == "the bridge would reopen by March"


@pytest.mark.parametrize(
    "body",
    [
        "Lena Ostrova said in a statement on Monday.",  # no clause follows
        "Lena Ostrova announced a new plan for the harbour district.",  # an object, not a clause
        "Voters who said the economy mattered most split evenly between the two.",  # relative
        "Lena Ostrova said so.",  # too short to be a statement
    ],
)
def test_no_indirect_quote_without_a_reported_clause(body: str) -> None:
    assert [q for q in _quotes(body, "Lena Ostrova") if q.type == "indirect"] == []


def test_indirect_quote_does_not_double_a_direct_one() -> None:
    body = "“The bridge will reopen by March,” Lena Ostrova said on Monday."
    assert [q.type for q in _quotes(body, "Lena Ostrova")] == ["direct"]


# -- scare quotes and titles -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Dana Kell's “Harbor Lights” played on every station that summer.",
        "The band closed with Dana Kell's ''Harbor Lights'' and left the stage.",
        "The so-called “reform” package stalled in committee on Thursday.",
        "He watched the film “Blue Harbour Nights” twice in one week.",
        "The show aired on Channel Nine's “Morning Desk,” where the guests argued.",
    ],
)
def test_titles_and_scare_quotes_stay_out(body: str) -> None:
    assert [q for q in _quotes(body, "Dana Kell") if q.type != "indirect"] == []
