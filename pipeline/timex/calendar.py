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


def amount(words: str) -> float | None:
    """The number in "three", "twenty-five", "2.5", "two and a half"; None if vague ("few")."""
    text = " ".join(words.lower().replace("-", " ").split())
    half = 0.5 if text.endswith("and a half") else 0.0
    text = text.removesuffix("and a half").strip()
    if text[:1].isdigit():
        return float(text) + half
    if text.startswith("half"):
        return 0.5
    special = {"a": 1, "an": 1, "a couple of": 2, "a dozen": 12}
    if text in special:
        return special[text] + half
    total = float(sum(TENS.get(part, NUMBERS.get(part, 0)) for part in text.split()))
    return total + half if total else None


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


def weekday_date(anchor: date, weekday: int, future: bool) -> date:
    """The nearest `weekday` (0=Monday) on or before `anchor`, or on or after it if `future`."""
    if future:
        return anchor + timedelta(days=(weekday - anchor.weekday()) % 7)
    return anchor - timedelta(days=(anchor.weekday() - weekday) % 7)


def year_for(anchor: date, month: int) -> int:
    """The year a month named without one most likely means in a story dated `anchor`.

    The story's own year, unless the month lies nine or more months away, which in news copy
    means the turn of the year ("11 December" in a January story is last December).
    """
    gap = month - anchor.month
    return anchor.year - 1 if gap >= 9 else anchor.year + 1 if gap <= -9 else anchor.year


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


def duration(count: float | None, unit: str) -> str:
    """A TIMEX3 duration: (3, "year") -> P3Y, (48, "hour") -> PT48H, (None, "year") -> PXY."""
    time_part, letter, factor = DURATION_UNITS[unit]
    if count is None:
        return f"P{time_part}X{'DE' if unit == 'decade' else letter}"
    total = count * factor
    number = str(int(total)) if float(total).is_integer() else f"{total:g}"
    return f"P{time_part}{number}{letter}"
