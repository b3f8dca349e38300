"""Timex stage: find the time expressions of the body and resolve them against the story date.

Last enrichment step (parse -> normalise -> date-stamp -> entities -> quotes -> timex). Values
follow TimeML TIMEX3 as in TempEval-3 and MEANTIME; the rules are in `pipeline.timex.rules`.
One pass over the words of the body: each word is looked up in an index of the rules that can
start with it, and only those are tried there.
"""

from __future__ import annotations

import dataclasses
import re

from pipeline.story import Story, Timex
from pipeline.timex import calendar as cal
from pipeline.timex.context import Context, Found, Rule
from pipeline.timex.rules import RULES
from pipeline.timex.tense import TenseCues

_MODIFIER = re.compile(
    r"(?i:\b(?:(?:the\s)?(?:early|late|mid)|earlier|later|the\s(?:end|beginning|start|middle"
    r"|rest|remainder|turn|first\shalf|second\shalf)\sof)[\s-])\Z"
)
# A word of the body as the rule index keys it: letters (lower-cased), a number ("#"), or the
# apostrophe of "'90s".
_WORD = re.compile(r"[^\W\d_]+|\d+|'(?=\d)")
# a year past 9999 ("next year" in a story dated 9999-12-31) has no TIMEX3 value
_OUTSIDE_CALENDAR = re.compile(r"(?:FY)?\d{5}")
_GRANULAR = (cal.QUARTER, cal.MONTH, cal.HALF, cal.YEAR, cal.WEEK)


def resolve_timex(story: Story) -> Story:
    """The story with `timex` set from its body, resolved against `dates.published`."""
    return dataclasses.replace(story, timex=find_timex(story.body, story.dates.published))


def find_timex(text: str, published: str | None = None) -> tuple[Timex, ...]:
    """Every time expression in `text`, in order, with TIMEX3 type and value.

    `published` is the story's ISO 8601 date or datetime; without it relative expressions
    get underspecified values (XXXX-XX-XX, XXXX-WXX, ...) while durations and sets resolve.
    """
    anchor = cal.parse_anchor(published)
    ctx = Context(text, anchor, anchor, TenseCues(text))
    occupied = bytearray(len(text))
    chosen = _select(_candidates(text), occupied)
    found_timex = []
    for start, end, rule, match in chosen:
        try:
            found = rule.resolve(match, ctx)
        except (ValueError, OverflowError):  # a story dated 0001-01-01 says "yesterday"
            found = None
        if found is None or _OUTSIDE_CALENDAR.match(found.value):
            continue
        _remember(ctx, found)
        if found.type in ("DATE", "TIME") and not found.value.endswith("_REF"):
            start = _with_modifier(text, start, occupied)
        found_timex.append(Timex(text[start:end], start, end, found.type, found.value))
    return tuple(found_timex)


def _remember(ctx: Context, found: Found) -> None:
    """Carry what an expression named forward: its day, and the period it names (or, after a
    span of months or years, that the story no longer speaks of one period)."""
    if found.day is not None:
        ctx.reference = found.day
        ctx.focus[cal.YEAR] = found.day
    if found.period is not None and found.period[0] in _GRANULAR:
        granularity, day = found.period
        ctx.focus[granularity] = day
        ctx.last_period = granularity
        if granularity in (cal.QUARTER, cal.MONTH, cal.HALF):
            ctx.focus[cal.YEAR] = day
    elif found.type == "DURATION" and found.value[-1:] in ("M", "Y") and "T" not in found.value:
        ctx.last_period = None


def _index(rules: tuple[Rule, ...]) -> dict[str, tuple[tuple[int, Rule], ...]]:
    by_word: dict[str, list[tuple[int, Rule]]] = {}
    for number, rule in enumerate(rules):
        for word in rule.starts:
            by_word.setdefault(word, []).append((number, rule))
    return {word: tuple(entries) for word, entries in by_word.items()}


_BY_WORD = _index(RULES)
_GATED = 4  # a word that starts more rules than this is first tried against all at once


def _gate(entries: tuple[tuple[int, Rule], ...]) -> re.Pattern[str]:
    """One pattern matching wherever one of the rules does (their groups unnamed): most
    occurrences of "the" or of a number start no time expression, and one failed match rules
    them all out."""
    unnamed = [re.sub(r"\(\?P<\w+>", "(?:", rule.pattern.pattern) for _, rule in entries]
    return re.compile("|".join(f"(?:{pattern})" for pattern in unnamed))


_GATES = {word: _gate(entries) for word, entries in _BY_WORD.items() if len(entries) > _GATED}


def _candidates(text: str) -> list[tuple[int, int, int, Rule, re.Match[str]]]:
    """Every match of a rule that starts at a word it is indexed under."""
    found = []
    for word in _WORD.finditer(text):
        token = word[0]
        key = "#" if token[0].isdigit() else token if token == "'" else token.lower()
        entries = _BY_WORD.get(key, ())
        if key[-1] == "s" and key[:-1] in _BY_WORD:  # "Fridays", "years": the word's rules too
            entries = (*entries, *(e for e in _BY_WORD[key[:-1]] if e not in entries))
        elif key in _GATES and _GATES[key].match(text, word.start()) is None:
            continue
        for number, rule in entries:
            match = rule.pattern.match(text, word.start())
            if match is None or match.end() == match.start():
                continue
            if rule.accept is not None and not rule.accept(match, text):
                continue
            found.append((match.start(), match.end(), number, rule, match))
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
