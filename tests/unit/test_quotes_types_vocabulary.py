"""Quotes stage, quote types over the rules' own vocabulary: every cue word and phrase of
quotes.cue_words, with name, pronoun and role subjects (the role and pronoun tables read-only),
in every mark style and position, runs through `extract_quotes` with sound offsets; then every
PolNeAR and MEANTIME article, when their copies are present."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from pipeline.quotes import extract_quotes
from pipeline.quotes.cue_words import (
    NAMING_VERBS,
    PARTICIPLES,
    SPEECH_VERBS,
    SUBJECT_PRONOUNS,
    SUPPORT_VERBS,
)
from pipeline.quotes.role_keys import ROLE_HEADS
from pipeline.story import Entity, Mention, Story
from pipeline.testing import make_story

CUES = sorted({*SPEECH_VERBS, *NAMING_VERBS, *SUPPORT_VERBS, *PARTICIPLES, "according to"})
ROLES = sorted(ROLE_HEADS)
MARKS = [('"', '"'), ("“", "”"), ("''", "''"), ("``", "''"), ("‘", "’")]
NAME = "Alma Reyes"
# Where the cue sits: {o}/{c} are the marks, {s} the subject, {v} the cue.
POSITIONS = [
    "{s} {v}: {o}The levy will rise next year.{c}",
    "{o}The levy will rise next year,{c} {s} {v} on Monday.",
    "{o}The levy will rise,{c} {v} {s}. {o}We saw it coming.{c}",
    "{s} {v} the levy was {o}a tax on work{c} and would fail.",
    "The levy was {o}a tax on work,{c} {s} {v}.",
    "{s} {v} that the levy would rise next year.",
    "The levy will rise next year, {s} {v}.",
    "{v} {s}, the levy will rise next year.",
    "{o}The levy will rise next year, {s} {v}.",  # a mark never closed
]


def _subjects(i: int) -> list[str]:
    role = ROLES[i % len(ROLES)]
    return [NAME, sorted(SUBJECT_PRONOUNS)[i % len(SUBJECT_PRONOUNS)].capitalize(), f"the {role}"]


def _story(body: str) -> Story:
    mentions = []
    at = body.find(NAME)
    while at >= 0:
        mentions.append(Mention(NAME, at, at + len(NAME)))
        at = body.find(NAME, at + 1)
    entities = (Entity(NAME, "PERSON", tuple(mentions)),) if mentions else ()
    return make_story(body, entities=entities)


def _check(story: Story) -> None:
    body = story.body
    for q in extract_quotes(story).quotes:
        assert 0 <= q.start <= q.end <= len(body), q
        assert q.text == body[q.start : q.end], q
        assert q.type in ("direct", "partial", "indirect"), q
        for f in q.fragments:
            assert q.start <= f.start <= f.end <= q.end, q


def test_every_cue_subject_mark_and_position() -> None:
    for i, cue in enumerate(CUES):
        for subject, (o, c), position in itertools.product(_subjects(i), MARKS, POSITIONS):
            body = position.format(s=subject, v=cue, o=o, c=c)
            _check(_story(body[0].upper() + body[1:]))


def test_every_cue_in_one_long_story() -> None:
    paragraphs = [
        position.format(s=_subjects(i)[i % 3], v=cue, o=o, c=c)
        for i, (cue, (o, c), position) in enumerate(
            zip(CUES, itertools.cycle(MARKS), itertools.cycle(POSITIONS), strict=False)
        )
    ]
    _check(_story("\n\n".join(paragraphs)))


def test_every_polnear_article() -> None:
    from bench.corpora.polnear import load
    from pipeline.normalise import clean_text

    articles = load()
    if articles is None:
        pytest.skip("PolNeAR mirror absent (bench.corpora.mirror)")
    for article in articles:
        _check(make_story(clean_text(article.text), story_id=article.name))


def test_every_meantime_article() -> None:
    from bench.eval_quotes import DEFAULT_MEANTIME, rebuild_text

    files = sorted(Path(DEFAULT_MEANTIME).rglob("*.xml"))
    if not files:
        pytest.skip(f"MEANTIME absent under {DEFAULT_MEANTIME}")
    for path in files:
        _check(make_story(rebuild_text(path), story_id=path.stem))
