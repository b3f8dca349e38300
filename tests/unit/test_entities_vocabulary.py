"""Every word the entity rules know, in phrases built around it, through the whole stage.

The vocabulary is read from the rules' own tables (every module-level constant holding words
in the `pipeline.entities` modules, and the nationality words), so a word added to any of them
is covered here without touching this file. Each phrase goes through `group_entities` with spans
of every label over its words (as spaCy, right or wrong, might give them) and with the fake
model's spans: nothing may raise, every mention must index the body exactly, labels stay
published ones, country codes are ISO alpha-2 and entities come in first-mention order.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from types import ModuleType

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline.entities
from pipeline.entities import PUBLISHED, demonyms
from pipeline.entities import group_entities as group
from pipeline.nlp import NerSpan
from pipeline.testing import FakeLanguageModel

# Every module of the stage, a new one included.
MODULES: tuple[ModuleType, ...] = tuple(
    importlib.import_module(f"pipeline.entities.{info.name}")
    for info in pkgutil.iter_modules(pipeline.entities.__path__)
)
LABELS = (*sorted(PUBLISHED), "CARDINAL", "DATE", "MONEY", "ORDINAL")
MODEL = FakeLanguageModel(places=["Kelton", "Norway"])
_WORD = re.compile(r"\S+")
_ISO = re.compile(r"[A-Z]{2}")


def _words(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, frozenset | tuple | list):
        for item in value:
            if isinstance(item, str):
                yield item
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _words(key)
            yield from _words(item)


def vocabulary() -> list[str]:
    """Every word of every table (module-level constant) of the entity modules, and every
    nationality word."""
    found: set[str] = set(demonyms.nationality_words())
    for module in MODULES:
        for name, value in vars(module).items():
            if name.isupper() and not isinstance(value, str):
                found.update(word for word in _words(value) if word.strip())
    return sorted(found)


VOCABULARY = vocabulary()

# Phrases in wire style around one vocabulary word (as written, capitalised, in capitals).
TEMPLATES = (
    "{w} Anna Berg said on Monday the plan would go ahead.",
    "Kelton {w} said on Monday it would appeal, Anna Berg, its {w}, told reporters.",
    "The {w} of Kelton Group met {w} Dunmore 2-1 in Norway.",
    "KELTON, Nov 3 (Wirestream) - {w} officials and the {w} Harrowgate 3 Dunmore 1\n{w} 4 3 1 0 10",
    "{W} - KELTON {W} BEAT DUNMORE\n\nLONDON 2026-03-03\n\nKelton {w} v Dunmore {w}.",
    "Results:\nKelton {w} 2 Dunmore 0\nScorers: Kelton - A. {w} (12th), {w} (Norway) beat Berg",
)


def spans_over(body: str, label_at: int) -> list[NerSpan]:
    """Spans over runs of words, one label each (rotating through every label), some long
    enough to swallow titles, figures, brackets and line breaks."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(body)]
    spans: list[NerSpan] = []
    index = 0
    while index < len(words):
        size = 1 + (index + label_at) % 4
        chunk = words[index : index + size]
        start, end = chunk[0][0], chunk[-1][1]
        label = LABELS[(index + label_at) % len(LABELS)]
        spans.append(NerSpan(body[start:end], start, end, label))
        index += size + (label_at % 2)
    return spans


def check(body: str, spans: list[NerSpan]) -> None:
    entities = group(body, spans)
    for entity in entities:
        assert entity.name and entity.label in PUBLISHED and entity.mentions, entity
        assert entity.country is None or _ISO.fullmatch(entity.country), entity
        for mention in entity.mentions:
            assert 0 <= mention.start < mention.end <= len(body), mention
            assert body[mention.start : mention.end] == mention.text, mention
    starts = [e.mentions[0].start for e in entities]
    assert starts == sorted(starts)


def phrases(word: str, template: str) -> Iterator[str]:
    for written in (word, word[:1].upper() + word[1:], word.upper()):
        yield template.format(w=written, W=written.upper())


def test_the_vocabulary_is_read_from_the_tables() -> None:
    for known in ("President", "president", "Inc.", "Danish", "Briton", "beat", "rovers", "jul"):
        assert known in VOCABULARY or known.lower() in VOCABULARY, known
    assert len(VOCABULARY) > 600


def test_every_vocabulary_word_in_every_template_with_spans_of_every_label() -> None:
    for index, word in enumerate(VOCABULARY):
        template = TEMPLATES[index % len(TEMPLATES)]
        for turn, body in enumerate(phrases(word, template)):
            check(body, spans_over(body, index + turn))
            check(body, MODEL([body])[0])


@settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=4),
    st.sampled_from(TEMPLATES),
    st.integers(min_value=0, max_value=len(LABELS) * 4),
)
def test_vocabulary_words_combined_never_break_the_stage(
    words: list[str], template: str, label_at: int
) -> None:
    body = template.format(w=" ".join(words), W=" ".join(words).upper())
    check(body, spans_over(body, label_at))
    check(body, MODEL([body])[0])
