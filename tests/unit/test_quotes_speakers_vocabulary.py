"""Quotes stage, speaker rules over their own vocabulary: subjects built from the tables the
rules read (role heads, staff words, honorifics, pronouns, document words, organisation nouns,
party and state styles) in `"...," <subject> said.` and `<subject> said "..."` sentences must
never raise, and any speaker given is a non-empty string of a known kind."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.quotes import extract_quotes
from pipeline.quotes.cue_subjects import NOT_GROUPS
from pipeline.quotes.documents import DOCUMENT_NOUNS
from pipeline.quotes.genders import HONORIFIC_GENDERS, ROLE_GENDERS
from pipeline.quotes.names import HONORIFIC_WORDS
from pipeline.quotes.role_keys import (
    COUNTRIES,
    DEPENDANTS,
    ORG_NOUNS,
    PARTIES,
    ROLE_HEADS,
    STAFF_MODIFIERS,
    STATE_ABBREVIATIONS,
)
from pipeline.testing import FakeLanguageModel, make_story, simple_entities

_NAMES = ("Dana Hale", "Marco Ortiz", "Vale Mining", "Hale")
_PRONOUNS = ("he", "she", "they", "it", "we", "I")
_DETERMINERS = ("the", "a", "an", "his", "her", "their", "one", "some", "")


def _word(table: frozenset[str] | set[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(table))


_honorific = _word(HONORIFIC_WORDS).map(lambda w: w.capitalize() + ".")
_style = st.builds(lambda p, s: f"({p}-{s})", _word(PARTIES), _word(STATE_ABBREVIATIONS)) | _word(
    PARTIES
).map(lambda p: f"({p})")
_piece = st.one_of(
    _word(ROLE_HEADS),
    _word(DEPENDANTS),
    _word(STAFF_MODIFIERS),
    _word(ORG_NOUNS),
    _word(DOCUMENT_NOUNS),
    _word(set(COUNTRIES)),
    _word(set(ROLE_GENDERS)),
    _word(NOT_GROUPS).map(str.capitalize),
    _word(set(HONORIFIC_GENDERS)).map(lambda w: w.capitalize() + "."),
    _honorific,
    _style,
    st.sampled_from(_NAMES),
    st.sampled_from(_PRONOUNS),
    st.sampled_from(_DETERMINERS),
    st.sampled_from((",", "of", "from", "who", "and")),
)
_subject = st.lists(_piece, min_size=1, max_size=7).map(lambda ws: " ".join(w for w in ws if w))
_VERBS = ("said", "says", "told reporters", "wrote", "added", "according to")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _subject,
    st.sampled_from(_VERBS),
    st.booleans(),
    st.sampled_from(("", "Dana Hale met Marco Ortiz at Vale Mining on Monday. ")),
)
def test_any_subject_from_the_rule_tables_gives_a_speaker_or_none(
    subject: str, verb: str, trailing: bool, lead: str
) -> None:
    quote = "We will keep the plant open through the winter"
    if trailing:
        body = f"{lead}“{quote},” {subject} {verb}."
    else:
        body = f"{lead}{subject} {verb} “{quote}.”"
    spans = FakeLanguageModel(places=("Denver",))([body])[0]
    story = make_story(body, entities=simple_entities(body, spans))
    for found in extract_quotes(story).quotes:
        assert 0 <= found.start < found.end <= len(body)
        if found.speaker is not None:
            assert isinstance(found.speaker, str) and found.speaker.strip()
            assert found.speaker_type in ("person", "organisation", "document", "description")
        else:
            assert found.speaker_type is None
