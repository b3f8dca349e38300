"""Normalise: clean the parsed body so every later offset indexes one canonical text.

Unicode NFC, mojibake repair (keeping curly quotes, which carry meaning for quote extraction),
control characters dropped, spaces collapsed, paragraphs separated by exactly one blank line.
"""

from __future__ import annotations

import dataclasses
import re

import ftfy

from pipeline.errors import MissingBody
from pipeline.story import Story

_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    normalization="NFC",
    explain=False,
)
# Control characters other than newline and tab; tab becomes a space below.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_HEADLINE_LIMIT = 160


def clean_text(text: str) -> str:
    """One paragraph-preserving clean-up shared by body and headline."""
    text = ftfy.fix_text(text.replace("\r\n", "\n").replace("\r", "\n"), config=_FTFY)
    text = _CONTROL.sub("", text)
    paragraphs = (_SPACES.sub(" ", p).strip() for p in _PARAGRAPH_BREAK.split(text))
    # a single newline inside a paragraph is line wrapping, not structure
    return "\n\n".join(" ".join(line.strip() for line in p.split("\n")) for p in paragraphs if p)


def headline_from_body(body: str) -> str:
    """Copy with no headline gets its first sentence, cut at a word boundary."""
    first = body.split("\n\n", 1)[0]
    end = first.find(". ")
    sentence = first if end < 0 else first[: end + 1]
    if len(sentence) <= _HEADLINE_LIMIT:
        return sentence
    return sentence[:_HEADLINE_LIMIT].rsplit(" ", 1)[0] + "…"


def normalise(story: Story) -> Story:
    body = clean_text(story.body)
    if not body:
        raise MissingBody("the body is empty after removing whitespace and control characters")
    headline = clean_text(story.headline).replace("\n\n", " ") if story.headline else None
    return dataclasses.replace(
        story,
        body=body,
        headline=headline or headline_from_body(body),
        byline=clean_text(story.byline) if story.byline else None,
        dateline=clean_text(story.dateline) if story.dateline else None,
    )
