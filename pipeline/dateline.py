"""Dateline and byline: read the wire dateline and a "By ..." line from the top of the body.

Runs after parsing. Fills `Story.dateline` / `Story.byline` only when the format left them
empty, and never edits the body (later stages' offsets index it as it is).
"""

from __future__ import annotations

import dataclasses
import re

from pipeline.story import Story

# Only the head of the body is examined, so cost is bounded whatever the story's length.
HEAD_CHARS = 240
MAX_BYLINE_CHARS = 120

_CAPS_WORD = r"[A-Z][A-Z'.\-]*"
_TITLE_WORD = r"[A-Z][a-z'.\-]+"
_REGION = r"(?:,[ \t]+[A-Z][A-Za-z.\-]+(?:[ \t][A-Z][A-Za-z.\-]+)?)"
_DATE = (
    r"(?:,[ \t]+(?:[A-Z][a-z]{2,8}\.?[ \t]\d{1,2}|\d{1,2}\.?[ \t][A-Za-z]{3,9}\.?"
    r"|[A-Z][a-z]{5,8}))"
)
_AGENCY = r"(?:[ \t]*\([A-Za-z][A-Za-z&.\-]*(?:[ \t][A-Za-z&.\-]+){0,3}\))"
_DASH = r"[ \t]*(?:--|-|\u2014|\u2013)(?=[ \t])"

# "MOSCOW, March 14 (Reuters) -", "WASHINGTON (AP) --", "LONDON -", "ST. LOUIS, Mo. (AP) -"
_CAPS_DATELINE = re.compile(
    rf"(?P<dateline>{_CAPS_WORD}(?:[ \t/]{_CAPS_WORD}){{0,4}}{_REGION}?{_DATE}?{_AGENCY}?)"
    rf"{_DASH}"
)
# "Berlin, 3 March (dpa) -": mixed-case places only count with an agency in brackets.
_TITLE_DATELINE = re.compile(
    rf"(?P<dateline>{_TITLE_WORD}(?:[ \t/]{_TITLE_WORD}){{0,3}}{_REGION}?{_DATE}?{_AGENCY})"
    rf"{_DASH}"
)
_NAME = r"[A-Z][^\s,]*"
_NAME_LINK = r"(?:and|de|da|di|du|van|von|der|den|del|la|le|bin|ibn|al)"
_BYLINE = re.compile(
    rf"(?:By|BY|Von|VON|Par|PAR)[ \t]+{_NAME}(?:[ \t]+(?:{_NAME}|{_NAME_LINK}))*"
    rf"(?:,[ \t]*[A-Za-z][^\n]{{0,60}})?"
)
# Capitalised words that open copy but are slugs or flags, not places.
_NOT_PLACES = frozenset(
    {
        "UPDATE",
        "UPDATED",
        "CORRECTED",
        "CORRECTION",
        "REFILE",
        "BREAKING",
        "URGENT",
        "FLASH",
        "ALERT",
        "EXCLUSIVE",
        "ANALYSIS",
        "FACTBOX",
        "INSIGHT",
        "WRAPUP",
        "ADVISORY",
        "RPT",
        "EDITORS",
        "NOTE",
        "BC",
        "AM",
        "PM",
        "OPINION",
        "REVIEW",
        "FEATURE",
        "COLUMN",
    }
)


def _first_line(text: str) -> tuple[str, int]:
    """The first non-blank line of `text` (stripped) and the offset just after it."""
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return text[start:end].strip(), end


def find_byline(body: str) -> tuple[str | None, int]:
    """("By Jane Doe", offset after that line) when the body opens with a byline line."""
    line, end = _first_line(body[: MAX_BYLINE_CHARS + 2 * HEAD_CHARS])
    if not line or len(line) > MAX_BYLINE_CHARS or line.endswith((".", "!", "?", ":", ";")):
        return None, 0
    return (line, end) if _BYLINE.fullmatch(line) else (None, 0)


def find_dateline(head: str) -> str | None:
    """The dateline an agency puts before the dash at the start of the copy, without the dash."""
    text = head[:HEAD_CHARS].lstrip()
    for pattern in (_CAPS_DATELINE, _TITLE_DATELINE):
        match = pattern.match(text)
        if match is None:
            continue
        dateline = " ".join(match.group("dateline").split())
        first_word = re.split(r"[ ,/(]", dateline, maxsplit=1)[0]
        if first_word.rstrip(".") in _NOT_PLACES or len(first_word) < 2:
            return None
        return dateline
    return None


def extract_dateline(story: Story) -> Story:
    """Fill dateline and byline from the opening of the body when the format gave none."""
    found_byline, after_byline = find_byline(story.body)
    found_dateline = find_dateline(story.body[after_byline : after_byline + 2 * HEAD_CHARS])
    byline = story.byline if story.byline is not None else found_byline
    dateline = story.dateline if story.dateline is not None else found_dateline
    if byline == story.byline and dateline == story.dateline:
        return story
    return dataclasses.replace(story, byline=byline, dateline=dateline)
