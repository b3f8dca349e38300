"""Language stage: tags a story with the ISO 639-1 code of its text when the feed gave none.

Runs before NER (only English copy goes through the English model). The detector is lingua's
offline n-gram models for the languages news agencies file in, built once per process.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.story import Story

if TYPE_CHECKING:
    from lingua import LanguageDetector

# The languages wire copy arrives in; fewer candidates make detection faster and surer.
NEWS_LANGUAGES = (
    "ARABIC",
    "BOKMAL",
    "CHINESE",
    "CZECH",
    "DANISH",
    "DUTCH",
    "ENGLISH",
    "FINNISH",
    "FRENCH",
    "GERMAN",
    "GREEK",
    "HUNGARIAN",
    "ITALIAN",
    "JAPANESE",
    "KOREAN",
    "NYNORSK",
    "POLISH",
    "PORTUGUESE",
    "ROMANIAN",
    "RUSSIAN",
    "SPANISH",
    "SWEDISH",
    "TURKISH",
    "UKRAINIAN",
)
# Below this many letters a guess is noise ("OK", a dateline, a single name).
MIN_LETTERS = 12
# The opening of a story settles its language; reading on costs time and changes nothing.
MAX_CHARS = 2000


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text` ("en", "de", "nb" for Norwegian Bokmål), or None when the text
    is too short or no candidate language clearly wins."""
    sample = text[:MAX_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    language = _detector().detect_language_of(sample)
    if language is None:
        return None
    return language.iso_code_639_1.name.lower()


def tag_language(story: Story) -> Story:
    """The stage: keep a language the feed declared, otherwise detect it from the body."""
    if story.language:
        return story
    text = f"{story.headline}\n{story.body}" if story.headline else story.body
    return dataclasses.replace(story, language=detect_language(text))


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    """Low-accuracy mode (trigram models only): about 40 MB and milliseconds per story, and
    as sure as the full models on anything longer than a sentence."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in NEWS_LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
