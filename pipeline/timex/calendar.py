"""Calendar words and arithmetic for the timex stage: anchor dates, shift them, write TIMEX3.

Pure functions over `datetime.date`; `None` as the anchor means the story has no date, and
every formatter then writes the TimeML underspecified form (XXXX-XX-XX, XXXX-WXX, ...).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

MONTHS = {
    name: number
    for number, name in enumerate(
        "January February March April May June July August September October November "
        "December".split(),
        start=1,
    )
}
MONTH_ABBREVIATIONS = {name[:3]: n for name, n in MONTHS.items() if name != "May"} | {"Sept": 9}
WEEKDAYS = {
    name: i
    for i, name in enumerate("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
}
PART_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
NUMBERS = {
    word: number
    for number, word in enumerate(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split(),
        start=1,
    )
}
TENS = {
    word: number * 10
    for number, word in enumerate(
        "twenty thirty forty fifty sixty seventy eighty ninety".split(), 2
    )
}
FIXED_HOLIDAYS = {
    "christmas": (12, 25),
    "christmas day": (12, 25),
    "christmas eve": (12, 24),
    "boxing day": (12, 26),
    "new year's day": (1, 1),
    "new year's eve": (12, 31),
    "valentine's day": (2, 14),
    "halloween": (10, 31),
}
EASTER_OFFSETS = {"easter": 0, "easter sunday": 0, "easter monday": 1, "good friday": -2}

# Granularities a resolved point can have, finest first.
DAY, WEEK, WEEKEND, MONTH, QUARTER, HALF, YEAR, DECADE, CENTURY = (
    "day week weekend month quarter half year decade century".split()
)
_UNDERSPECIFIED = {
    DAY: "XXXX-XX-XX",
    WEEK: "XXXX-WXX",
    WEEKEND: "XXXX-WXX-WE",
    MONTH: "XXXX-XX",
    QUARTER: "XXXX-QX",
    HALF: "XXXX-HX",
    YEAR: "XXXX",
    DECADE: "XXX",
    CENTURY: "XX",
}
_MONTHS_IN = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12, DECADE: 120, CENTURY: 1200}
# TIMEX3 duration letters; decades and centuries are written in years (a decade -> P10Y).
DURATION_UNITS = {
    "second": ("T", "S", 1),
    "minute": ("T", "M", 1),
    "hour": ("T", "H", 1),
    "day": ("", "D", 1),
    "week": ("", "W", 1),
    "fortnight": ("", "W", 2),
    "month": ("", "M", 1),
    "quarter": ("", "M", 3),
    "year": ("", "Y", 1),
    "decade": ("", "Y", 10),
    "century": ("", "Y", 100),
}


def parse_anchor(published: str | None) -> date | None:
    """The calendar date of an ISO 8601 date or datetime, as written (no time-zone shift)."""
    if not published:
        return None
    text = published.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


MULTIPLIERS = {"hundred": 100, "thousand": 1000}
FRACTIONS = {"1/2": 0.5, "1/4": 0.25, "3/4": 0.75, "\u00bd": 0.5, "\u00bc": 0.25, "\u00be": 0.75}
VAGUE_COUNTS = {"a": 1, "an": 1, "a couple of": 2, "a dozen": 12, "half a": 0.5, "half an": 0.5}


def amount(words: str) -> float | None:
    """The number in "three", "twenty-five", "2.5", "2 1/2", "two and a half", "a hundred";
    None if vague ("few") or unreadable."""
    text = " ".join(words.lower().replace("-", " ").split())
    half = 0.5 if text.endswith("and a half") else 0.0
    text = text.removesuffix("and a half").strip()
    parts = text.split()
    fraction = FRACTIONS.get(parts[-1], 0.0) if parts else 0.0
    if fraction and len(parts) > 1:
        text = " ".join(parts[:-1])
    elif fraction:
        return fraction + half
    if text[:1].isdigit():
        try:
            return float(text) + fraction + half
        except ValueError:
            return None
    if text in VAGUE_COUNTS:
        return VAGUE_COUNTS[text] + fraction + half
    total, current = 0.0, 0.0
    for part in text.split():
        if part in MULTIPLIERS:
            current = (current or 1.0) * MULTIPLIERS[part]
            total, current = total + current, 0.0
        elif part in TENS or part in NUMBERS:
            current += TENS.get(part, NUMBERS.get(part, 0))
        elif part not in ("a", "an", "and"):
            return None
    total += current
    return total + fraction + half if total else None


def spelled_year(words: str) -> int | None:
    """The year in "nineteen ninety-six", "nineteen eighty", "two thousand", "two thousand
    and one"; None for anything else."""
    parts = words.lower().replace("-", " ").split()
    if parts[:2] == ["two", "thousand"]:
        rest = [p for p in parts[2:] if p != "and"]
        tail = sum(TENS.get(p, NUMBERS.get(p, 0)) for p in rest)
        return 2000 + tail if tail < 100 else None
    if len(parts) < 2 or parts[0] not in NUMBERS or not 11 <= NUMBERS[parts[0]] <= 20:
        return None
    tail = sum(TENS.get(p, NUMBERS.get(p, 0)) for p in parts[1:])
    return NUMBERS[parts[0]] * 100 + tail if 10 <= tail < 100 else None


def month_number(name: str) -> int | None:
    """1-12 for "March", "Mar.", "Sept", ...; None for anything else."""
    return MONTHS.get(name) or MONTH_ABBREVIATIONS.get(name.rstrip("."))


def shift(anchor: date, unit: str, n: int) -> date:
    """`anchor` moved by n units (day, week, weekend, month, quarter, half, year, decade...)."""
    if unit == DAY:
        return anchor + timedelta(days=n)
    if unit in (WEEK, WEEKEND):
        return anchor + timedelta(weeks=n)
    moved: date = anchor + relativedelta(months=_MONTHS_IN[unit] * n)
    return moved


def point(anchor: date | None, unit: str) -> str:
    """The TIMEX3 value of the `unit` that contains `anchor`."""
    if anchor is None:
        return _UNDERSPECIFIED[unit]
    year = anchor.year
    if unit == DAY:
        return anchor.isoformat()
    if unit in (WEEK, WEEKEND):
        iso_year, week, _ = anchor.isocalendar()
        return f"{iso_year:04d}-W{week:02d}" + ("-WE" if unit == WEEKEND else "")
    if unit == MONTH:
        return f"{year:04d}-{anchor.month:02d}"
    if unit == QUARTER:
        return f"{year:04d}-Q{(anchor.month - 1) // 3 + 1}"
    if unit == HALF:
        return f"{year:04d}-H{(anchor.month - 1) // 6 + 1}"
    if unit == YEAR:
        return f"{year:04d}"
    return f"{year // 10:03d}" if unit == DECADE else f"{year // 100:02d}"


def relative(anchor: date | None, unit: str, n: int) -> str:
    """The TIMEX3 value of the `unit` n steps from the one containing `anchor` (last week: -1)."""
    return point(None if anchor is None else shift(anchor, unit, n), unit)


def week_in_month(year: int, month: int, ordinal: int) -> date | None:
    """A day in the `ordinal` week (1-4; -1 the last) of a month: the ISO week holding most of
    its days, so "the last week of March 2009" is 2009-W13."""
    first = safe_date(year, month, 1)
    if first is None:
        return None
    if ordinal < 0:
        following: date = first + relativedelta(months=1)
        return following - timedelta(days=4)
    return first + timedelta(days=3 + 7 * (ordinal - 1))


def weekday_date(anchor: date, weekday: int, future: bool) -> date:
    """The nearest `weekday` (0=Monday) on or before `anchor`, or on or after it if `future`."""
    if future:
        return anchor + timedelta(days=(weekday - anchor.weekday()) % 7)
    return anchor - timedelta(days=(anchor.weekday() - weekday) % 7)


def year_for(anchor: date, month: int, day: int = 0, direction: str | None = None) -> int:
    """The year a month (and day; 0 for the whole month) named without one means in a story
    dated `anchor`: its last occurrence on or before the anchor if `direction` is "past", its
    next one on or after it if "future", else (or when the other day lies within six weeks and
    that one ten months away) whichever of the two is nearer ("11 December" in a January story
    is last December, "Feb. 1" in an October one is next February)."""
    here = (anchor.month, anchor.day if day else 0)
    named = (month, day)
    past = anchor.year if named <= here else anchor.year - 1
    future = anchor.year if named >= here else anchor.year + 1
    if past == future:
        return past
    now = anchor.year * 372 + here[0] * 31 + here[1]
    back, ahead = now - (past * 372 + month * 31 + day), (future * 372 + month * 31 + day) - now
    # the tense of a sentence dates its verb, which need not be the date's event ("invited
    # them to a ceremony on March 12"): a day within six weeks on the other side wins over one
    # ten months or more away on the side the tense points to
    if direction == "past" and not (day and back > 300 and ahead <= 45):
        return past
    if direction == "future" and not (day and ahead > 300 and back <= 45):
        return future
    return past if back <= ahead else future


def step_year(anchor: date, month: int, step: int) -> int:
    """Year of the month before (step -1: "last June") or after (+1: "next June") the anchor's."""
    if step < 0:
        return anchor.year - (1 if month >= anchor.month else 0)
    if step > 0:
        return anchor.year + (1 if month <= anchor.month else 0)
    return anchor.year


def quarter_year(anchor: date, quarter: int) -> int:
    """The year of "the fourth quarter": this year, but last year's when said in the first."""
    current = (anchor.month - 1) // 3 + 1
    return anchor.year - 1 if quarter - current >= 3 else anchor.year


def safe_date(year: int, month: int, day: int) -> date | None:
    """A date, or None when the day does not exist in that month."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def holiday(name: str, year: int) -> date | None:
    """The date of a holiday we know by name (lower case) in `year`."""
    if name in FIXED_HOLIDAYS:
        return date(year, *FIXED_HOLIDAYS[name])
    if name in EASTER_OFFSETS:
        sunday: date = easter(year)
        return sunday + timedelta(days=EASTER_OFFSETS[name])
    if name.startswith("thanksgiving"):  # the fourth Thursday of November
        return weekday_date(date(year, 11, 22), 3, future=True)
    return None


def holiday_month(name: str) -> int:
    return (
        FIXED_HOLIDAYS[name][0] if name in FIXED_HOLIDAYS else 4 if name in EASTER_OFFSETS else 11
    )


# A fraction of a unit written as a whole number of the next unit down: PT30M, P6M.
_SMALLER = {"year": ("month", 12), "day": ("hour", 24), "hour": ("minute", 60)}
_SMALLER["minute"] = ("second", 60)


def duration(count: float | None, unit: str) -> str:
    """A TIMEX3 duration: (3, "year") -> P3Y, (48, "hour") -> PT48H, (2.5, "year") -> P2.5Y
    (as MEANTIME writes it), (0.5, "hour") -> PT30M, (None, "year") -> PXY ("decades" too, as
    "two decades" is P20Y)."""
    time_part, letter, factor = DURATION_UNITS[unit]
    if count is None:
        return f"P{time_part}X{letter}"
    total = float(count) * factor
    if total.is_integer():
        return f"P{time_part}{int(total)}{letter}"
    if total < 1 and unit in _SMALLER and (total * _SMALLER[unit][1]).is_integer():
        lower, per = _SMALLER[unit]
        lower_time, lower_letter, _ = DURATION_UNITS[lower]
        return f"P{time_part or lower_time}{int(total * per)}{lower_letter}"
    return f"P{time_part}{total:g}{letter}"
