"""What the timex rules share: the rule record, a resolver's answer, and the running context.

`pipeline.timex.resolve` walks the expressions of a body in order with one `Context`; each
resolver in `rules`, `days` and `periods` reads it and returns a `Found` (or None: no time
expression there after all).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from pipeline.timex import calendar as cal

# A date named before a deadline word is prospective whatever the tense of the sentence:
# "declared a dividend payable Dec. 7", "extended the offer to Nov. 20".
_PROSPECTIVE = re.compile(
    r"(?i:\b(?:payable|effective|until|till|through|by|due|record|expir\w*|starting|beginning"
    r"|extended\sto|postponed\sto|delayed\sto|scheduled\sfor|set\sfor|as\ssoon\sas"
    r"|as\searly\sas)\s(?:on\s)?)\Z"
)


def lower_words(text: str | None) -> str:
    """A matched phrase as the tables key it: lower case, single spaces ("" for no match)."""
    return " ".join((text or "").lower().split())


@dataclass
class Context:
    """What a resolver may look at: the body, the story date (`anchor`), the last day
    mentioned (`reference`), the tense of a span, and the periods named so far.

    `focus` maps a granularity (quarter, month, year) to a day inside the last period of that
    granularity the story named; `last_period` is the granularity of the last period named
    (None after a span of months such as "the first nine months"). Earnings copy leans on them:
    "profit rose in the third quarter from a year earlier" means the third quarter of last year.
    """

    text: str
    anchor: date | None
    reference: date | None
    tense: Callable[[int, int], str | None]
    focus: dict[str, date] = field(default_factory=dict)
    last_period: str | None = None

    def is_future(self, start: int, end: int) -> bool:
        return self.tense(start, end) == "future"

    def prospective(self, start: int) -> bool:
        """Whether a deadline word stands before text[start:]: "until", "payable", "as soon as"."""
        return _PROSPECTIVE.search(self.text, max(0, start - 24), start) is not None

    def ahead(self, m: re.Match[str]) -> bool:
        """Whether a weekday or clock time lies after the story date: a future verb in its
        sentence, or a deadline word before it in a sentence that is not in the past ("until
        Tuesday", but "had filed reports by Wednesday")."""
        tense = self.tense(m.start(), m.end())
        return tense == "future" or (tense != "past" and self.prospective(m.start()))

    def direction(self, m: re.Match[str]) -> str | None:
        """ "past" or "future" when the sentence's verb places the expression on one side of
        the story date; None when only a reporting verb or a deadline word speaks for it."""
        tense = self.tense(m.start(), m.end())
        if self.prospective(m.start()):
            return "future" if tense == "future" else None
        return tense if tense in ("past", "future") else None

    def year_of(self, m: re.Match[str], month: int, day: int = 0) -> int:
        """The year of a month (and day) named without one: its last occurrence before the
        story date in past-tense copy, its next one in future-tense copy, else the nearer."""
        assert self.anchor is not None
        return cal.year_for(self.anchor, month, day, self.direction(m))

    def focus_quarter(self) -> date | None:
        """A day in the quarter the story is about: the last one it named, else the last
        quarter completed before the story date (what results copy reports)."""
        if cal.QUARTER in self.focus:
            return self.focus[cal.QUARTER]
        return None if self.anchor is None else cal.shift(self.anchor, cal.QUARTER, -1)


@dataclass(frozen=True)
class Found:
    """A resolver's answer: TIMEX3 type and value, the calendar day it names if one, and the
    period it names as (granularity, a day inside it) if one."""

    type: str
    value: str
    day: date | None = None
    period: tuple[str, date] | None = None


Resolver = Callable[[re.Match[str], Context], Found | None]
Accept = Callable[[re.Match[str], str], bool]


@dataclass(frozen=True)
class Rule:
    """One form of time expression: its pattern, its resolver, an optional text filter, and
    the words it can start with (lower case; "#" for a digit), which index it for the scan."""

    name: str
    pattern: re.Pattern[str]
    resolve: Resolver
    accept: Accept | None = None
    starts: frozenset[str] = frozenset()
