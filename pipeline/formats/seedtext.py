"""Parse the plain-text wire format: `key value` header lines, a blank line, then the body.

Headers are optional; known keys are date, id, version, headline, byline, dateline, language,
pubstatus, embargo, subject and signal (both repeatable). Text with no header block is all body.
"""

from __future__ import annotations

import hashlib
import re

from pipeline.errors import InvalidStory, MissingBody
from pipeline.story import Story, StoryDates

HEADER_KEYS = frozenset(
    {
        "date",
        "id",
        "version",
        "headline",
        "byline",
        "dateline",
        "language",
        "pubstatus",
        "embargo",
        "subject",
        "signal",
        "slug",
    }
)
# The value runs to the end of the line (its trailing blanks are stripped after the match: a
# lazy value followed by `[ \t]*` is quadratic on a value with a long run of blanks inside).
_HEADER_LINE = re.compile(r"[ \t]*([a-z_]{2,12})[ \t]+(\S[^\n]*)")
_PUBSTATUS = {"usable", "withheld", "canceled", "cancelled"}
# The highest version any format may carry (raw_story.v1 says the same): a bigger number would
# not fit the 64-bit integers of the events and tables downstream.
MAX_VERSION = 1_000_000


def content_id(kind: str, body: str) -> str:
    """A stable id for copy that carries none: the same body always gets the same id."""
    digest = hashlib.sha256(" ".join(body.split()).encode("utf-8")).hexdigest()[:16]
    return f"urn:wirestream:{kind}:{digest}"


def version_number(text: str) -> int | None:
    """A version written in decimal digits, or None when it is not one ("²" passes isdigit but
    not int). Raises InvalidStory past MAX_VERSION rather than clamp it."""
    text = text.strip()
    if not text.isdecimal():
        return None
    if len(text) > len(str(MAX_VERSION)) or int(text) > MAX_VERSION:
        raise InvalidStory(f"version {text[:24]!r} is over the limit of {MAX_VERSION}")
    return int(text)


def split_headers(text: str) -> tuple[dict[str, list[str]], str]:
    """Headers (lower-case keys, repeated values kept) and the body after the blank line."""
    head, sep, rest = text.lstrip("\ufeff\r\n").partition("\n\n")
    lines = head.replace("\r", "").split("\n")
    headers: dict[str, list[str]] = {}
    for line in lines:
        match = _HEADER_LINE.fullmatch(line)
        if match is None or match.group(1) not in HEADER_KEYS:
            return {}, text
        headers.setdefault(match.group(1), []).append(match.group(2).rstrip(" \t"))
    if not sep:
        return {}, text
    return headers, rest


def parse(text: str) -> Story:
    headers, body = split_headers(text.replace("\r\n", "\n"))
    if not body.strip():
        raise MissingBody("the story has headers but no body after the blank line")

    def first(key: str) -> str | None:
        values = headers.get(key)
        return values[0] if values else None

    version_text = first("version") or "1"
    version = version_number(version_text)
    if version is None or version < 1:
        raise InvalidStory(f"header 'version' must be a positive integer, got {version_text!r}")
    pubstatus = (first("pubstatus") or "usable").lower()
    if pubstatus not in _PUBSTATUS:
        raise InvalidStory(
            f"header 'pubstatus' must be one of usable, withheld, canceled; got {pubstatus!r}"
        )
    return Story(
        story_id=first("id") or content_id("text", body),
        body=body,
        version=version,
        headline=first("headline"),
        language=first("language"),
        byline=first("byline"),
        dateline=first("dateline"),
        source_format="text",
        pubstatus="canceled" if pubstatus == "cancelled" else pubstatus,
        embargoed_until=first("embargo"),
        subjects=tuple(headers.get("subject", ())),
        signals=tuple(headers.get("signal", ())),
        dates=StoryDates(published=first("date")),
    )
