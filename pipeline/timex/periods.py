"""Reporting periods for the timex rules: quarters, halves, fiscal years, and the anaphora of
results copy ("the quarter", "the year-ago period", "the same month a year earlier").

Resolvers only; `pipeline.timex.rules` holds their patterns. A period resolved here records its
granularity in `Found.period`, and `Context.focus` carries it forward: the "year-ago quarter" of
a story about the third quarter of 1989 is 1988-Q3 (TimeML values such anaphora by their
antecedent, not by the story date).
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.timex import calendar as cal
from pipeline.timex.context import Context, Found, lower_words

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "last": 4}
HALVES = {"first": 1, "second": 2}
# "last year's third quarter", "the third quarter of next year"
YEAR_WORDS = {"last": -1, "this": 0, "next": 1, "previous": -1, "prior": -1}
# the words that put a period a year before the one in focus
YEAR_BACK = ("year-ago", "year-earlier", "prior-year", "year-before", "previous-year")


def quarter_value(day: date | None, fiscal: bool = False) -> str:
    return ("FY" if fiscal else "") + cal.point(day, cal.QUARTER)


def _quarter_found(day: date | None, fiscal: bool = False, focus: bool = True) -> Found:
    """A quarter; `focus=False` for one named by comparison ("the year-ago quarter"), which
    leaves the story's focus where it was."""
    period = None if day is None or not focus else (cal.QUARTER, day)
    return Found("DATE", quarter_value(day, fiscal), None, period)


def _first_day(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def quarter(m: re.Match[str], ctx: Context) -> Found | None:
    """ "the third quarter", "Q2 2019", "the year-earlier third quarter", "next year's first
    quarter", "the 1988 second quarter", "the fourth quarter of last year"."""
    ordinal = lower_words(m["ord"])
    number = ORDINALS.get(ordinal) if ordinal else int(m["q"][1])
    if number is None:
        return None
    fiscal = bool(m["fisc"])
    after = lower_words(m["yr"] or m["qy"])
    before = lower_words(m["yp"])
    if ordinal == "last" and not (after or before or m["yy"] or m["ya"]):
        # "the last quarter": the one before the story's
        moved = None if ctx.anchor is None else cal.shift(ctx.anchor, cal.QUARTER, -1)
        return _quarter_found(moved, fiscal)
    year: int | None
    if m["yy"]:
        year = int(m["yy"])
    elif after[:1].isdigit():
        year = int(after)
    elif ctx.anchor is None:
        year = None
    elif after or before:
        year = ctx.anchor.year + YEAR_WORDS.get((after or before).split()[0], 0)
    else:
        focus = ctx.focus.get(cal.QUARTER)
        base = focus.year if focus is not None and m["ya"] else None
        year = base if base is not None else cal.quarter_year(ctx.anchor, number)
    if year is None:
        return Found("DATE", f"{'FY' if fiscal else ''}XXXX-Q{number}")
    if m["ya"]:
        year -= 1
    return _quarter_found(cal.safe_date(year, 3 * number - 2, 1), fiscal, focus=not m["ya"])


def latest_quarter(m: re.Match[str], ctx: Context) -> Found:
    """ "the quarter", "the latest quarter", "the most recent period": the quarter in focus."""
    return _quarter_found(ctx.focus_quarter())


def year_ago_period(m: re.Match[str], ctx: Context) -> Found:
    """ "the year-ago quarter", "the year-earlier period", "year-earlier results": the period in
    focus, a year back; without a quarter in focus, last year."""
    unit = lower_words(m["u"] or m["u2"])
    if unit.startswith("month") and cal.MONTH in ctx.focus:
        day = cal.shift(ctx.focus[cal.MONTH], cal.YEAR, -1)
        return Found("DATE", cal.point(day, cal.MONTH))
    if unit in ("quarter", "period") or ctx.last_period == cal.QUARTER:
        focus = ctx.focus_quarter()
        moved = None if focus is None else cal.shift(focus, cal.YEAR, -1)
        return _quarter_found(moved, focus=False)
    last_year = None if ctx.anchor is None else cal.shift(ctx.anchor, cal.YEAR, -1)
    return Found("DATE", cal.point(last_year, cal.YEAR))


def same_period(m: re.Match[str], ctx: Context) -> Found:
    """ "the same period last year", "the corresponding quarter a year earlier", "the same
    month a year ago", "the same period of 1988": the period in focus, in the year named."""
    unit = lower_words(m["u"])
    granularity = {"quarter": cal.QUARTER, "month": cal.MONTH, "week": cal.WEEK}.get(unit)
    if granularity is None:  # "period", "time": whatever the story last spoke of
        last = ctx.last_period
        granularity = last if last in (cal.QUARTER, cal.MONTH, cal.HALF) else cal.YEAR
    focus = ctx.focus.get(granularity) or ctx.anchor
    if granularity == cal.QUARTER:
        focus = ctx.focus_quarter()
    if focus is None:
        return Found("DATE", cal.point(None, granularity))
    if m["y"]:
        moved = cal.safe_date(int(m["y"]), focus.month, 1) or focus
    else:
        moved = cal.shift(focus, cal.YEAR, -1)
    return Found("DATE", cal.point(moved, granularity))


def year_period(m: re.Match[str], ctx: Context) -> Found:
    """ "the 1988 quarter", "the 1989 period": the quarter in focus, in that year."""
    year = int(m["y"])
    focus = ctx.focus.get(cal.QUARTER)
    if focus is None:
        return Found("DATE", f"{year:04d}", None, (cal.YEAR, date(year, 1, 1)))
    return _quarter_found(_first_day(year, (focus.month - 1) // 3 + 1))


def the_year(m: re.Match[str], ctx: Context) -> Found:
    """ "the year ended June 30" is a span (P1Y); "for the full year" is the story's year, or
    in results copy the year of the quarter in focus."""
    if m["ended"] is not None:
        return Found("DURATION", "P1Y")
    if "fiscal" in lower_words(m[0]) or "financial" in lower_words(m[0]):
        return Found("DATE", f"FY{ctx.anchor.year:04d}" if ctx.anchor else "FYXXXX")
    quarter = ctx.focus.get(cal.QUARTER) if ctx.last_period == cal.QUARTER else None
    day = quarter or ctx.anchor
    return Found("DATE", cal.point(day, cal.YEAR), None, None if day is None else (cal.YEAR, day))


def year_before(m: re.Match[str], ctx: Context) -> Found:
    """ "the year before", "the year previous", "the following year": a year from the one the
    story last spoke of (its focus year, else the year of the day last mentioned)."""
    word = lower_words(m["w"] or m["w2"])
    base = ctx.focus.get(cal.YEAR) or ctx.reference
    if base is None:
        return Found("DATE", "XXXX")
    year = base.year + (1 if word in ("after", "later", "following") else -1)
    return Found("DATE", f"{year:04d}")


def year_end(m: re.Match[str], ctx: Context) -> Found:
    """ "by year-end": this year; "since year-end": last year's end."""
    day = ctx.anchor
    if day is not None and lower_words(m["since"]):
        day = cal.shift(day, cal.YEAR, -1)
    return Found("DATE", cal.point(day, cal.YEAR))


def half(m: re.Match[str], ctx: Context) -> Found:
    number = HALVES[lower_words(m["ord"])]
    if m["y"]:
        year: int | None = int(m["y"])
    else:
        focus = ctx.focus.get(cal.YEAR) or ctx.anchor
        year = None if focus is None else focus.year
    if year is None:
        return Found("DATE", f"XXXX-H{number}")
    day = date(year, 6 * number - 5, 1)
    return Found("DATE", cal.point(day, cal.HALF), None, (cal.HALF, day))


def fiscal(m: re.Match[str], ctx: Context) -> Found:
    year = m["y"] or m["y2"]
    return Found("DATE", f"FY{'20' + year if len(year) == 2 else year}")
