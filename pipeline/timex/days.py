"""Days and weeks for the timex rules: calendar dates, weekdays, yesterday and tonight, clock
times, weekends and holidays, resolved against the story date and the tense of the sentence.

Resolvers only; `pipeline.timex.rules` holds their patterns. TimeML values a weekday by the
story date and the tense ("said on Monday" is the Monday before, "will meet on Monday" the one
after), and a clock time by the day last spoken of.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pipeline.timex import calendar as cal
from pipeline.timex import vocabulary
from pipeline.timex.context import Context, Found, lower_words


def day_found(day: date | None, part_of_day: str = "") -> Found:
    if part_of_day:
        return Found("TIME", f"{cal.point(day, cal.DAY)}T{part_of_day}", day)
    return Found("DATE", cal.point(day, cal.DAY), day)


def calendar_day(
    m: re.Match[str], name: str, day_text: str, year_text: str | None, ctx: Context
) -> Found | None:
    month = cal.month_number(name)
    day_number = int(re.sub(r"\D", "", day_text) or 0)
    if month is None:
        return None
    if year_text:
        year = int(year_text)
    elif ctx.anchor is not None:
        year = ctx.year_of(m, month, day_number)
    elif cal.safe_date(2000, month, day_number) is None:  # 2000 has a February 29
        return None
    else:
        return Found("DATE", f"XXXX-{month:02d}-{day_number:02d}")
    day = cal.safe_date(year, month, day_number)
    return None if day is None else day_found(day)


def iso(m: re.Match[str], ctx: Context) -> Found | None:
    day = cal.safe_date(int(m["y"]), int(m["mo"]), int(m["d"]))
    if day is None or m["hh"] is None:
        return None if day is None else day_found(day)
    zone = "Z" if m["z"] in ("Z", "+00:00", "+0000") else (m["z"] or "")
    return Found("TIME", f"{day.isoformat()}T{m['hh']}:{m['mi']}{zone}", day)


def slashed(m: re.Match[str], ctx: Context) -> Found | None:
    first, second, year = int(m["a"]), int(m["b"]), int(m["y"])
    month, day_number = (second, first) if first > 12 else (first, second)  # US order first
    if year < 100:
        year += 2000 if year < 50 else 1900
    day = cal.safe_date(year, month, day_number)
    return None if day is None else day_found(day)


def month_day(m: re.Match[str], ctx: Context) -> Found | None:
    return calendar_day(m, m["mon"], m["d"], m["y"], ctx)


def weekend(anchor: date | None, step: int, past: bool) -> Found:
    """A weekend: on a weekday, "the weekend" of past-tense copy and "last weekend" are the one
    before; on a Saturday or Sunday, "this weekend" is the current one."""
    if anchor is None:
        return Found("DATE", cal.point(None, cal.WEEKEND))
    weekday = anchor.weekday() < 5
    if step < 0 and not weekday:
        step = 0  # "this past weekend" said on a Sunday
    elif step == 0 and weekday and past:
        step = -1
    return Found("DATE", cal.relative(anchor, cal.WEEKEND, step))


def week_of(m: re.Match[str], ctx: Context) -> Found | None:
    """ "the week of March 6", "the last week of March", "the first weekend of May 2026"."""
    month = cal.month_number(m["mon"])
    if month is None:
        return None
    granularity = cal.WEEKEND if m["u"].lower() == "weekend" else cal.WEEK
    if m["y"]:
        year = int(m["y"])
    elif ctx.anchor is not None:
        year = ctx.year_of(m, month, int(re.sub(r"\D", "", m["d"] or "") or 0))
    else:
        return Found("DATE", cal.point(None, granularity))
    if m["d"]:
        day = cal.safe_date(year, month, int(re.sub(r"\D", "", m["d"])))
    else:
        day = cal.week_in_month(year, month, vocabulary.WEEK_ORDINALS[lower_words(m["ord"])])
    return None if day is None else Found("DATE", cal.point(day, granularity))


def accept_week_of(m: re.Match[str], text: str) -> bool:
    """ "the week of March 6" or "the last week of March", not "the week of March" alone."""
    return bool(m["ord"]) != bool(m["d"])


def deictic(m: re.Match[str], ctx: Context) -> Found:
    word = lower_words(m["word"])
    part = cal.PART_OF_DAY.get(lower_words(m["pod"]), "")
    if word in ("tonight", "last night"):
        part = "NI"
    elif word.startswith("this "):
        part = cal.PART_OF_DAY.get(word.split()[1], part)
    offset = vocabulary.DAY_OFFSETS.get(word, 0)
    return day_found(None if ctx.anchor is None else ctx.anchor + timedelta(days=offset), part)


def weekday(m: re.Match[str], ctx: Context) -> Found:
    weekday = cal.WEEKDAYS[m["wd"]]
    part = cal.PART_OF_DAY.get(lower_words(m["pod"]), "")
    if m["plural"]:
        return Found("SET", f"XXXX-WXX-{weekday + 1}" + (f"T{part}" if part else ""))
    if ctx.anchor is None:
        suffix = f"T{part}" if part else ""
        return Found("TIME" if part else "DATE", f"XXXX-WXX-{weekday + 1}{suffix}")
    rel = lower_words(m["rel"])
    if rel in ("previous", "following") and ctx.reference is not None:
        # "the previous Friday": the one before the day last spoken of
        step = vocabulary.STEPS[rel]
        day = cal.weekday_date(ctx.reference + timedelta(days=step), weekday, future=step > 0)
    elif rel == "next":
        day = cal.weekday_date(ctx.anchor + timedelta(days=1), weekday, future=True)
    elif rel in ("last", "past", "previous"):
        day = cal.weekday_date(ctx.anchor - timedelta(days=1), weekday, future=False)
    else:
        future = rel in ("coming", "following") or ctx.ahead(m)
        day = cal.weekday_date(ctx.anchor, weekday, future=future)
    return day_found(day, part)


def accept_weekday(m: re.Match[str], text: str) -> bool:
    """Not a day in a title: "the Sunday Times"."""
    titled = text[max(0, m.start() - 4) : m.start()].lower() == "the "
    after = text[m.end() : m.end() + 2]
    return not (titled and len(after) == 2 and after[0] == " " and after[1].isupper())


def clock(m: re.Match[str], ctx: Context) -> Found | None:
    if m["named"]:
        hour, minute = (12, 0) if m["named"].lower() == "noon" else (24, 0)
    else:
        hour, minute = int(m["h"] or m["h24"]), int(m["mi"] or m["mi24"] or 0)
        meridian = (m["ap"] or "").lower()
        if meridian.startswith("p") and hour < 12:
            hour += 12
        elif meridian.startswith("a") and hour == 12:
            hour = 0
    zone = "Z" if (m["tz"] or "").upper() in ("UTC", "GMT", "Z") else ""
    day = ctx.reference  # a clock time belongs to the day last spoken of
    if m["dw"] and ctx.anchor is not None:
        future = ctx.ahead(m)
        day = cal.weekday_date(ctx.anchor, cal.WEEKDAYS[m["dw"]], future)
    elif m["dd"]:
        offset = vocabulary.DAY_OFFSETS.get(m["dd"].lower(), 0)
        day = None if ctx.anchor is None else ctx.anchor + timedelta(days=offset)
    elif m["lmon"]:  # "at 16:15 UTC, June 1": the date that follows anchors the clock
        found = calendar_day(m, m["lmon"], m["ld"], m["ly"], ctx)
        day = found.day if found is not None else day
    return Found("TIME", f"{cal.point(day, cal.DAY)}T{hour:02d}:{minute:02d}{zone}", day)


def accept_clock(m: re.Match[str], text: str) -> bool:
    """A bare 14:30 only after "at" (scores and ratios look the same)."""
    if m["ap"] or m["tz"] or m["named"] or m["dw"] or m["dd"]:
        return True
    return text[max(0, m.start() - 3) : m.start()].lower() == "at "


def holiday(m: re.Match[str], ctx: Context) -> Found | None:
    name = lower_words(m["h"])
    if m["y"]:
        year = int(m["y"])
    elif ctx.anchor is not None:
        year = cal.year_for(ctx.anchor, cal.holiday_month(name), 0, ctx.direction(m))
    else:
        fixed = cal.FIXED_HOLIDAYS.get(name)
        return Found("DATE", f"XXXX-{fixed[0]:02d}-{fixed[1]:02d}" if fixed else "XXXX-XX-XX")
    day = cal.holiday(name, year)
    return None if day is None else day_found(day)


def anaphoric_day(m: re.Match[str], ctx: Context) -> Found:
    words = m["w"].lower()
    step = 1 if ("next" in words or "following" in words or "after" in words) else 0
    step = -1 if ("previous" in words or "before" in words) else step
    return day_found(None if ctx.reference is None else ctx.reference + timedelta(days=step))
