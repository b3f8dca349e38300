"""Timex stage: find the time expressions of the body and resolve them against the story date.

Last enrichment step (parse -> normalise -> date-stamp -> entities -> quotes -> timex). Values
follow TimeML TIMEX3 as in TempEval-3 and MEANTIME; the rules are in `pipeline.timex.rules`.
"""

from __future__ import annotations

import dataclasses
import re

from pipeline.story import Story, Timex
from pipeline.timex import calendar as cal
from pipeline.timex.rules import RULES, Context, Rule

_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])|\n")
# Tense cues, nearest one to the expression wins. Future cues come first in the alternation, and
# a modal or "to" with a passive ("will be signed", "to be held") is one cue, so the participle
# does not count as past; "expected to" or "scheduled" are future although they end in -ed.
_TENSE_CUE = re.compile(
    r"(?i:\b(?P<future>(?:will|shall|should|may|might|must|would|could|can|to)\s(?:not\s)?be"
    r"\s\w+|will|shall|won't|would|could|going\sto|(?:is|are|am)\s(?:due\s|set\s)?to|set\sto|scheduled"
    r"|due\sto|expected\sto|(?:plans?|wants?|hopes?|aims?|seeks?|intends?|expects?)\sto\s\w+"
    r"|planned|upcoming|next)\b|'ll\b"
    r"|\b(?P<past>was|were|had|did|held|met|began|\w+ed)\b"
    r"|\b(?P<report>said|says|told)\b)"
)
_MODIFIER = re.compile(
    r"(?i:\b(?:(?:the\s)?(?:early|late|mid)|earlier|later|the\s(?:end|beginning|start|middle"
    r"|rest|remainder|turn|first\shalf|second\shalf)\sof)[\s-])\Z"
)
_TENSE_WINDOW = 160
_ATTACHED = 4  # characters between a reporting verb and an expression it governs: " on "


def resolve_timex(story: Story) -> Story:
    """The story with `timex` set from its body, resolved against `dates.published`."""
    return dataclasses.replace(story, timex=find_timex(story.body, story.dates.published))


def find_timex(text: str, published: str | None = None) -> tuple[Timex, ...]:
    """Every time expression in `text`, in order, with TIMEX3 type and value.

    `published` is the story's ISO 8601 date or datetime; without it relative expressions
    get underspecified values (XXXX-XX-XX, XXXX-WXX, ...) while durations and sets resolve.
    """
    anchor = cal.parse_anchor(published)
    ctx = Context(text, anchor, anchor, lambda start, end: tense(text, start, end))
    occupied = bytearray(len(text))
    chosen = _select(_candidates(text), occupied)
    found_timex = []
    for start, end, rule, match in chosen:
        try:
            found = rule.resolve(match, ctx)
        except (ValueError, OverflowError):  # a story dated 0001-01-01 says "yesterday"
            found = None
        if found is None:
            continue
        if found.day is not None:
            ctx.reference = found.day
        if found.type in ("DATE", "TIME") and not found.value.endswith("_REF"):
            start = _with_modifier(text, start, occupied)
        found_timex.append(Timex(text[start:end], start, end, found.type, found.value))
    return tuple(found_timex)


def tense(text: str, start: int, end: int) -> str | None:
    """ "future" or "past" by the tense cue nearest to text[start:end] in its sentence; None if
    the sentence has no cue."""
    lo = max(0, start - _TENSE_WINDOW)
    hi = min(len(text), end + _TENSE_WINDOW)
    for boundary in _SENTENCE_END.finditer(text, lo, start):
        lo = boundary.end()
    after = _SENTENCE_END.search(text, end, hi)
    if after is not None:
        hi = after.start()
    best: tuple[int, str] | None = None
    reporting = False
    for cue in _TENSE_CUE.finditer(text, lo, hi):
        if start <= cue.start() < end:
            continue
        distance = start - cue.end() if cue.end() <= start else cue.start() - end
        if cue["report"] and distance > _ATTACHED:
            # "said" dates the reporting, not the event: it decides only when nothing else does,
            # or when the expression hangs on it ("said Friday", "said on Monday")
            reporting = True
            continue
        if best is None or distance < best[0]:
            best = (distance, "future" if cue["future"] else "past")
    if best is None:
        return "past" if reporting else None
    return best[1]


def _candidates(text: str) -> list[tuple[int, int, int, Rule, re.Match[str]]]:
    found = []
    for index, rule in enumerate(RULES):
        for match in rule.pattern.finditer(text):
            if match.end() == match.start():
                continue
            if rule.accept is not None and not rule.accept(match, text):
                continue
            found.append((match.start(), match.end(), index, rule, match))
    return found


def _select(
    candidates: list[tuple[int, int, int, Rule, re.Match[str]]], occupied: bytearray
) -> list[tuple[int, int, Rule, re.Match[str]]]:
    """Longest matches first (earlier rule on a tie), none overlapping; in text order."""
    kept = []
    for start, end, _, rule, match in sorted(candidates, key=lambda c: (c[0] - c[1], c[0], c[2])):
        if occupied.find(1, start, end) != -1:
            continue
        occupied[start:end] = b"\x01" * (end - start)
        kept.append((start, end, rule, match))
    kept.sort(key=lambda c: c[0])
    return kept


def _with_modifier(text: str, start: int, occupied: bytearray) -> int:
    """Start moved left over "early", "late", "mid-", "the end of" ... when one precedes."""
    modifier = _MODIFIER.search(text, max(0, start - 24), start)
    if modifier is None or occupied.find(1, modifier.start(), start) != -1:
        return start
    occupied[modifier.start() : start] = b"\x01" * (start - modifier.start())
    return modifier.start()
