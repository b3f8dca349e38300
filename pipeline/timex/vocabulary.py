"""The word tables of the timex rules: set words, references, relative steps, modifiers, units.

`pipeline.timex.rules` builds its patterns from these tables (and from the calendar words of
`calendar`), and its resolvers look words up in the same tables, so a word a pattern matches is
always a key its resolver finds. Add a word here and both, and the property tests, know it.
"""

from __future__ import annotations

from pipeline.timex import calendar as cal

SET_WORDS = (
    dict.fromkeys(("daily", "nightly"), "P1D")
    | dict.fromkeys(("annual", "annually", "yearly"), "P1Y")
    | {"weekly": "P1W", "monthly": "P1M", "quarterly": "P3M", "hourly": "PT1H"}
)

# Set adjectives TimeML leaves untagged before a noun: "a quarterly dividend" is an amount.
UNTAGGED_BEFORE_NOUN = frozenset({"quarterly"})

REFS = (
    dict.fromkeys(("now", "right now", "currently", "at present", "presently"), "PRESENT_REF")
    | dict.fromkeys(("nowadays", "these days", "at the moment", "for now"), "PRESENT_REF")
    | dict.fromkeys(("recently", "lately", "the past"), "PAST_REF")
    | dict.fromkeys(("soon", "the future", "the near future"), "FUTURE_REF")
    | dict.fromkeys(("the long term", "the short term"), "FUTURE_REF")
)

DAY_OFFSETS = {"yesterday": -1, "tomorrow": 1, "last night": -1, "today": 0, "tonight": 0}
DAY_OFFSETS |= {"the day before yesterday": -2, "the day after tomorrow": 2}
DAY_OFFSETS |= {f"this {part}": 0 for part in cal.PART_OF_DAY}

# step of a relative word before a unit, a month, a weekday or a season
STEPS = {"last": -1, "previous": -1, "past": -1, "next": 1, "coming": 1, "following": 1}
STEPS |= {"this": 0, "current": 0}

# words TimeML keeps in a duration's extent (as its mod): "nearly three years", "up to 180 days"
DURATION_MODIFIERS = (
    "nearly", "almost", "about", "around", "some", "roughly", "approximately", "only", "just",
    "more than", "less than", "fewer than", "up to", "at least", "at most", "another",
    "an additional", "the", "the next", "the past", "the last", "the previous", "the coming",
    "the first", "the following", "the final", "the latest",
)  # fmt: skip

RELATIVE_UNITS = {
    "week": cal.WEEK,
    "weekend": cal.WEEKEND,
    "month": cal.MONTH,
    "quarter": cal.QUARTER,
    "year": cal.YEAR,
    "decade": cal.DECADE,
    "century": cal.CENTURY,
}

FISCAL_UNITS = ("fiscal year", "financial year")

WEEK_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1, "final": -1}
