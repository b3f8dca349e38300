"""The rule table of the timex stage: one regex per form of time expression, one resolver each.

`pipeline.timex.resolve` runs every rule over the body, keeps the longest non-overlapping
matches and calls their resolvers in document order. Patterns are linear: alternations of fixed
words and bounded gaps only, never a repeated group that contains another repeat.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.timex import calendar as cal

SET_WORDS = (
    dict.fromkeys(("daily", "nightly"), "P1D")
    | dict.fromkeys(("annual", "annually", "yearly"), "P1Y")
    | {"weekly": "P1W", "monthly": "P1M", "quarterly": "P3M", "hourly": "PT1H"}
)
REFS = (
    dict.fromkeys(("now", "right now", "currently", "at present", "presently"), "PRESENT_REF")
    | dict.fromkeys(("nowadays", "these days", "at the moment"), "PRESENT_REF")
    | dict.fromkeys(("recently", "lately", "the past"), "PAST_REF")
    | dict.fromkeys(("soon", "the future", "the near future"), "FUTURE_REF")
    | dict.fromkeys(("the long term", "the short term"), "FUTURE_REF")
)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "last": 4}
DAY_OFFSETS = {"yesterday": -1, "tomorrow": 1, "last night": -1}
DAY_OFFSETS |= {"the day before yesterday": -2, "the day after tomorrow": 2}

# Pattern pieces. Month and weekday names are matched case-sensitively ("may", "march" are
# never dates); other words through (?i:...).
_M = "|".join(cal.MONTHS)
_MX = _M + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_WD = "|".join(cal.WEEKDAYS)
_DAYNUM = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_POD = r"(?i:morning|afternoon|evening|night)"
_SMALL = "|".join(sorted(cal.NUMBERS, key=len, reverse=True))
_NUM = (
    rf"(?:\d{{1,4}}(?:\.\d+)?|(?:{'|'.join(cal.TENS)})(?:[- ](?:{_SMALL}))?|{_SMALL}"
    r"|a\s+couple\s+of|a\s+dozen|half\s+an?|an?)(?:\s+and\s+a\s+half)?"
)
_UNIT = r"(?:second|minute|hour|day|week|fortnight|month|quarter|year|decade|centur(?:y|ie))s?"
_NOT_AGE = r"(?![-\s]old\b)"
_MONTH_TRIGGER = re.compile(
    r"(?i:\b(?:in|last|next|this|early|late|since|until|till|through|from|of|by|during|before"
    r"|after|mid)\s+|\bmid-)\Z"
)


@dataclass
class Context:
    """What a resolver may look at: the body, the story date and the last day mentioned."""

    text: str
    anchor: date | None
    reference: date | None
    tense: Callable[[int, int], str | None]

    def is_future(self, start: int, end: int) -> bool:
        return self.tense(start, end) == "future"

    def year_of(self, m: re.Match[str], month: int, day: int = 0) -> int:
        """The year of a month (and day) named without one: near the story date, and on the side
        of it that the tense of the sentence points to."""
        assert self.anchor is not None
        year = cal.year_for(self.anchor, month)
        if year == self.anchor.year:
            later = (month, day) > (self.anchor.month, self.anchor.day if day else 0)
            earlier = (month, day) < (self.anchor.month, self.anchor.day if day else 0)
            tense = self.tense(m.start(), m.end()) if later or earlier else None
            year += -1 if tense == "past" and later else 1 if tense == "future" and earlier else 0
        return year


@dataclass(frozen=True)
class Found:
    """A resolver's answer: TIMEX3 type and value, and the calendar day it names, if one."""

    type: str
    value: str
    day: date | None = None


Resolver = Callable[[re.Match[str], Context], Found | None]
Accept = Callable[[re.Match[str], str], bool]


@dataclass(frozen=True)
class Rule:
    """One form of time expression: its pattern, its resolver, and an optional text filter."""

    name: str
    pattern: re.Pattern[str]
    resolve: Resolver
    accept: Accept | None = None


def _unit(word: str) -> str:
    word = word.lower()
    return "century" if word.startswith("centur") else word.removesuffix("s")


def _day(day: date | None, part_of_day: str = "") -> Found:
    if part_of_day:
        return Found("TIME", f"{cal.point(day, cal.DAY)}T{part_of_day}", day)
    return Found("DATE", cal.point(day, cal.DAY), day)


def _calendar_day(
    m: re.Match[str], name: str, day_text: str, year_text: str | None, ctx: Context
) -> Found | None:
    month = cal.MONTHS.get(name) or cal.MONTH_ABBREVIATIONS[name.rstrip(".")]
    day_number = int(re.sub(r"\D", "", day_text))
    if year_text:
        year = int(year_text)
    elif ctx.anchor is not None:
        year = ctx.year_of(m, month, day_number)
    else:
        return Found("DATE", f"XXXX-{month:02d}-{day_number:02d}")
    day = cal.safe_date(year, month, day_number)
    return None if day is None else _day(day)


def _iso(m: re.Match[str], ctx: Context) -> Found | None:
    day = cal.safe_date(int(m["y"]), int(m["mo"]), int(m["d"]))
    if day is None or m["hh"] is None:
        return None if day is None else _day(day)
    zone = "Z" if m["z"] in ("Z", "+00:00", "+0000") else (m["z"] or "")
    return Found("TIME", f"{day.isoformat()}T{m['hh']}:{m['mi']}{zone}", day)


def _slashed(m: re.Match[str], ctx: Context) -> Found | None:
    first, second, year = int(m["a"]), int(m["b"]), int(m["y"])
    month, day_number = (second, first) if first > 12 else (first, second)  # US order first
    if year < 100:
        year += 2000 if year < 50 else 1900
    day = cal.safe_date(year, month, day_number)
    return None if day is None else _day(day)


def _month_day(m: re.Match[str], ctx: Context) -> Found | None:
    return _calendar_day(m, m["mon"], m["d"], m["y"], ctx)


def _month_year(m: re.Match[str], ctx: Context) -> Found:
    month = cal.MONTHS.get(m["mon"]) or cal.MONTH_ABBREVIATIONS[m["mon"].rstrip(".")]
    return Found("DATE", f"{m['y']}-{month:02d}")


def _month(m: re.Match[str], ctx: Context) -> Found:
    month = cal.MONTHS[m["mon"]]
    if ctx.anchor is None:
        return Found("DATE", f"XXXX-{month:02d}")
    rel = (m["rel"] or "").lower()
    if m["yrel"]:  # "October of next year"
        year = ctx.anchor.year + {"next": 1, "last": -1}.get(m["yrel"].lower(), 0)
    elif rel:
        step = {"last": -1, "past": -1, "next": 1, "coming": 1}.get(rel, 0)
        year = cal.step_year(ctx.anchor, month, step)
    else:
        year = ctx.year_of(m, month)
    return Found("DATE", f"{year:04d}-{month:02d}")


def _accept_month(m: re.Match[str], text: str) -> bool:
    """A bare month name: "May" and "March" need "in", "last", "early"... before them; others
    must not be a first name ("June Carter")."""
    if m["rel"] or m["yrel"]:
        return True
    triggered = _MONTH_TRIGGER.search(text, max(0, m.start() - 8), m.start()) is not None
    if m["mon"] in ("May", "March"):
        return triggered
    after = text[m.end() : m.end() + 2]
    return triggered or not (len(after) == 2 and after[0] == " " and after[1].isupper())


def _year(m: re.Match[str], ctx: Context) -> Found:
    return Found("DATE", m["y"])


def _accept_year(m: re.Match[str], text: str) -> bool:
    return not text[max(0, m.start() - 4) : m.start()].lower().endswith(("no. ", "no."))


def _decade(m: re.Match[str], ctx: Context) -> Found:
    if m["cen"]:
        return Found("DATE", f"{m['cen']}{m['dec']}")
    digit = int(m["dec2"])
    this_year = ctx.anchor.year if ctx.anchor else 2000
    return Found("DATE", f"{20 if 2000 + digit * 10 <= this_year else 19}{digit}")


def _accept_decade(m: re.Match[str], text: str) -> bool:
    before = text[max(0, m.start() - 7) : m.start()].lower()
    return not before.endswith(("his ", "her ", "their ", "its ", "your ", "my "))  # ages


def _century(m: re.Match[str], ctx: Context) -> Found:
    return Found("DATE", f"{int(m['n']) - 1:02d}")


def _fiscal(m: re.Match[str], ctx: Context) -> Found:
    year = m["y"] or m["y2"]
    return Found("DATE", f"FY{'20' + year if len(year) == 2 else year}")


def _relative_unit(m: re.Match[str], ctx: Context) -> Found:
    rel = m["rel"].lower().split()[-1]
    unit = " ".join(m["u"].lower().split())
    step = {"last": -1, "previous": -1, "past": -1, "next": 1, "coming": 1}.get(rel, 0)
    if unit in ("fiscal year", "financial year"):
        return Found("DATE", f"FY{ctx.anchor.year + step:04d}" if ctx.anchor else "FYXXXX")
    if rel == "past" or (rel == "last" and unit in ("decade", "century")):
        return Found("DURATION", cal.duration(1, unit))  # "the past year": the last 12 months
    return Found("DATE", cal.relative(ctx.anchor, unit, step))


def _this_unit(m: re.Match[str], ctx: Context) -> Found:
    return Found("DATE", cal.point(ctx.anchor, (m["u"] or m["we"]).lower()))


def _deictic(m: re.Match[str], ctx: Context) -> Found:
    word = " ".join(m["word"].lower().split())
    part = cal.PART_OF_DAY.get((m["pod"] or "").lower(), "")
    if word in ("tonight", "last night"):
        part = "NI"
    elif word.startswith("this "):
        part = cal.PART_OF_DAY[word.split()[1]]
    offset = DAY_OFFSETS.get(word, 0)
    return _day(None if ctx.anchor is None else ctx.anchor + timedelta(days=offset), part)


def _weekday(m: re.Match[str], ctx: Context) -> Found:
    weekday = cal.WEEKDAYS[m["wd"]]
    part = cal.PART_OF_DAY.get((m["pod"] or "").lower(), "")
    if m["plural"]:
        return Found("SET", f"XXXX-WXX-{weekday + 1}")
    if ctx.anchor is None:
        suffix = f"T{part}" if part else ""
        return Found("TIME" if part else "DATE", f"XXXX-WXX-{weekday + 1}{suffix}")
    rel = (m["rel"] or "").lower()
    if rel == "next":
        day = cal.weekday_date(ctx.anchor + timedelta(days=1), weekday, future=True)
    elif rel in ("last", "past"):
        day = cal.weekday_date(ctx.anchor - timedelta(days=1), weekday, future=False)
    else:
        future = rel == "coming" or ctx.is_future(m.start(), m.end())
        day = cal.weekday_date(ctx.anchor, weekday, future=future)
    return _day(day, part)


def _accept_weekday(m: re.Match[str], text: str) -> bool:
    """Not a day in a title: "the Sunday Times"."""
    titled = text[max(0, m.start() - 4) : m.start()].lower() == "the "
    after = text[m.end() : m.end() + 2]
    return not (titled and len(after) == 2 and after[0] == " " and after[1].isupper())


def _ago(m: re.Match[str], ctx: Context) -> Found:
    direction = " ".join(m["dir"].lower().split())
    count = cal.amount(m["n"]) if m["n"] else None
    sign = -1 if direction in ("ago", "earlier") else 1
    if count is None or not count.is_integer():
        return Found("DATE", "PAST_REF" if sign < 0 else "FUTURE_REF")
    # "two years ago" is a year, "two weeks ago" a week; hours and minutes ago are today.
    unit, steps = _unit(m["u"]), int(count)
    if unit in ("second", "minute", "hour"):
        unit, steps = cal.DAY, 0
    elif unit == "fortnight":
        unit, steps = cal.DAY, 14 * steps
    base = ctx.anchor if direction in ("ago", "from now") else ctx.reference
    try:
        moved = None if base is None else cal.shift(base, unit, sign * steps)
    except (ValueError, OverflowError):  # "5000 years ago": before year 1 of the calendar
        return Found("DATE", "PAST_REF" if sign < 0 else "FUTURE_REF")
    return Found("DATE", cal.point(moved, unit), moved if unit == cal.DAY else None)


def _duration(m: re.Match[str], ctx: Context) -> Found | None:
    unit = _unit(m["u"])
    words = m["n"].lower()
    count = cal.amount(words)
    if unit in ("second", "quarter") and not words[:1].isdigit() and count == 1:
        return None  # "a second round", "a quarter of the shares"
    return Found("DURATION", cal.duration(count, unit))


def _vague_duration(m: re.Match[str], ctx: Context) -> Found:
    return Found("DURATION", cal.duration(None, _unit(m["u"] or m["u2"])))


def _quarter(m: re.Match[str], ctx: Context) -> Found:
    ordinal = (m["ord"] or "").lower()
    quarter = ORDINALS[ordinal] if ordinal else int(m["q"][1])
    year_words = " ".join((m["yr"] or m["qy"] or "").lower().split())
    fiscal = "FY" if m["fisc"] else ""
    if ordinal == "last" and not year_words:  # "the last quarter": the one before this one
        return Found("DATE", cal.relative(ctx.anchor, cal.QUARTER, -1))
    if year_words[:1].isdigit():
        year = year_words
    elif ctx.anchor is None:
        year = "XXXX"
    elif year_words:
        year = str(ctx.anchor.year + {"last year": -1, "next year": 1}.get(year_words, 0))
    else:
        year = str(cal.quarter_year(ctx.anchor, quarter))
    return Found("DATE", f"{fiscal}{year}-Q{quarter}")


def _half(m: re.Match[str], ctx: Context) -> Found:
    year = m["y"] or (f"{ctx.anchor.year:04d}" if ctx.anchor else "XXXX")
    return Found("DATE", f"{year}-H{1 if m['ord'].lower() == 'first' else 2}")


def _season(m: re.Match[str], ctx: Context) -> Found:
    code = cal.SEASONS[m["s"].lower()]
    if m["y"] or ctx.anchor is None:
        return Found("DATE", f"{m['y'] or 'XXXX'}-{code}")
    step = {"last": -1, "next": 1}.get((m["rel"] or "").lower(), 0)
    return Found("DATE", f"{cal.step_year(ctx.anchor, cal.SEASON_START[code], step):04d}-{code}")


def _accept_season(m: re.Match[str], text: str) -> bool:
    """ "fall" only as "this/last/next fall" or with a year: "the fall of Kabul" is no date."""
    rel = (m["rel"] or "").lower()
    return m["s"].lower() != "fall" or bool(m["y"]) or rel in ("this", "last", "next")


def _clock(m: re.Match[str], ctx: Context) -> Found | None:
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
        future = ctx.is_future(m.start(), m.end())
        day = cal.weekday_date(ctx.anchor, cal.WEEKDAYS[m["dw"]], future)
    elif m["dd"]:
        offset = DAY_OFFSETS.get(m["dd"].lower(), 0)
        day = None if ctx.anchor is None else ctx.anchor + timedelta(days=offset)
    elif m["lmon"]:  # "at 16:15 UTC, June 1": the date that follows anchors the clock
        found = _calendar_day(m, m["lmon"], m["ld"], m["ly"], ctx)
        day = found.day if found is not None else day
    return Found("TIME", f"{cal.point(day, cal.DAY)}T{hour:02d}:{minute:02d}{zone}", day)


def _accept_clock(m: re.Match[str], text: str) -> bool:
    """A bare 14:30 only after "at" (scores and ratios look the same)."""
    if m["ap"] or m["tz"] or m["named"] or m["dw"] or m["dd"]:
        return True
    return text[max(0, m.start() - 3) : m.start()].lower() == "at "


def _ref(m: re.Match[str], ctx: Context) -> Found:
    return Found("DATE", REFS[" ".join(m["r"].lower().split())])


def _set_word(m: re.Match[str], ctx: Context) -> Found:
    return Found("SET", SET_WORDS[m["w"]])


def _every(m: re.Match[str], ctx: Context) -> Found:
    word = m["u"] or m["u2"]
    if word.capitalize() in cal.WEEKDAYS:
        return Found("SET", f"XXXX-WXX-{cal.WEEKDAYS[word.capitalize()] + 1}")
    if word.lower() in cal.PART_OF_DAY:
        return Found("SET", f"XXXX-XX-XXT{cal.PART_OF_DAY[word.lower()]}")
    count = cal.amount(m["n"]) if m["n"] else 1.0
    return Found("SET", cal.duration(count, _unit(word)))


def _holiday(m: re.Match[str], ctx: Context) -> Found | None:
    name = " ".join(m["h"].lower().split())
    if m["y"]:
        year = int(m["y"])
    elif ctx.anchor is not None:
        year = cal.year_for(ctx.anchor, cal.holiday_month(name))
    else:
        fixed = cal.FIXED_HOLIDAYS.get(name)
        return Found("DATE", f"XXXX-{fixed[0]:02d}-{fixed[1]:02d}" if fixed else "XXXX-XX-XX")
    day = cal.holiday(name, year)
    return None if day is None else _day(day)


def _anaphoric_day(m: re.Match[str], ctx: Context) -> Found:
    words = m["w"].lower()
    step = 1 if ("next" in words or "following" in words or "after" in words) else 0
    step = -1 if ("previous" in words or "before" in words) else step
    return _day(None if ctx.reference is None else ctx.reference + timedelta(days=step))


def _rule(name: str, pattern: str, resolve: Resolver, accept: Accept | None = None) -> Rule:
    return Rule(name, re.compile(pattern), resolve, accept)


# fmt: off
RULES: tuple[Rule, ...] = (
    _rule("iso", r"\b(?P<y>\d{4})-(?P<mo>[01]\d)-(?P<d>[0-3]\d)(?:T(?P<hh>[0-2]\d):(?P<mi>[0-5]\d)"
          r"(?::[0-5]\d(?:\.\d+)?)?(?P<z>Z|[+-][0-2]\d:?[0-5]\d)?)?(?![\w-])", _iso),
    _rule("slashed", r"(?<![\w/])(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<y>\d{4}|\d{2})(?![\w/])",
          _slashed),
    _rule("month_day", rf"(?:\b(?:{_WD}),?\s)?\b(?P<mon>{_MX})\s(?P<d>{_DAYNUM})\b(?!:)"
          rf"(?:,?\s(?P<y>{_YEAR})\b)?", _month_day),
    _rule("day_month", rf"\b(?P<d>{_DAYNUM})\s(?:of\s)?(?P<mon>{_MX})(?:,?\s(?P<y>{_YEAR}))?\b",
          _month_day),
    _rule("month_year", rf"\b(?P<mon>{_MX}),?\s(?:of\s)?(?P<y>{_YEAR})\b", _month_year),
    _rule("month", rf"(?:\b(?P<rel>(?i:last|next|this|coming|past))\s)?\b(?P<mon>{_M})\b"
          r"(?:(?=\s(?:of\s)?(?P<yrel>(?i:next|last|this))\s(?i:year)\b))?",
          _month, _accept_month),
    _rule("year", rf"(?<![\w$£€#.,/'])(?<!\d-)(?P<y>{_YEAR})(?![\w%]|[,.\-/]\d|\s?(?i:percent))",
          _year, _accept_year),
    _rule("decade", r"(?<![\w'])(?:(?i:the)\s)?(?:(?P<cen>1[89]|20)(?P<dec>\d)0|'?(?P<dec2>[1-9])"
          r"0)'?s\b", _decade, _accept_decade),
    _rule("century", r"\b(?i:the\s(?P<n>[12]?\d)(?:st|nd|rd|th)\scentury)\b", _century),
    _rule("fiscal", r"\b(?:(?i:fiscal)(?:\s(?i:year))?\s(?P<y>\d{4})|FY\s?(?P<y2>\d{4}|\d{2}))\b",
          _fiscal),
    _rule("relative_unit", r"\b(?i:(?P<rel>(?:the\s)?(?:past|last|previous|next|coming|current)"
          r"|this)\s(?P<u>week|weekend|month|year|quarter|decade|century|fiscal\syear"
          r"|financial\syear))\b", _relative_unit),
    _rule("this_unit", r"\b(?i:(?:the\s)?(?:end|beginning|start|middle|rest|remainder|turn)\sof"
          r"\sthe\s(?P<u>year|month|week|decade|century)|the\s(?P<we>weekend))\b", _this_unit),
    _rule("deictic", r"\b(?i:(?P<word>the\sday\sbefore\syesterday|the\sday\safter\stomorrow"
          r"|yesterday|today|tomorrow|tonight|last\snight|this\s(?:morning|afternoon|evening))"
          rf"(?:\s(?P<pod>{_POD}))?)\b", _deictic),
    _rule("weekday", rf"\b(?:(?P<rel>(?i:last|next|this|coming|past))\s)?(?P<wd>{_WD})"
          rf"(?P<plural>s)?\b(?:\s(?P<pod>{_POD}))?", _weekday, _accept_weekday),
    _rule("ago", rf"\b(?i:(?:(?P<n>{_NUM})\s)?(?P<u>{_UNIT})\s(?P<dir>ago|earlier|later"
          r"|from\snow))\b", _ago),
    _rule("duration", rf"\b(?i:(?:(?:the\s(?:next|past|last|previous|coming|first|following"
          rf"|final)|nearly|almost|about|around|some)\s)?(?P<n>{_NUM})[\s-](?P<u>{_UNIT}))"
          rf"\b{_NOT_AGE}", _duration),
    _rule("vague_duration", r"(?i:\b(?:several|many|a\sfew|the\spast\sfew|the\slast\sfew|recent"
          r"|the\scoming|the\snext\sfew)\s|(?<=\bfor\s)|(?<=\bover\sthe\s))(?P<u>(?i:years"
          rf"|months|weeks|days|decades|hours|centuries))\b{_NOT_AGE}"
          r"|\b(?P<u2>(?i:decades|years|months|weeks|centuries))(?=-long\b)", _vague_duration),
    _rule("quarter", r"\b(?i:(?:the\s)?(?P<ord>first|second|third|fourth|final|last)[\s-]"
          r"(?P<fisc>fiscal\s)?quarter(?:\sof\s(?P<yr>\d{4}|this\syear|last\syear|next\syear))?)\b"
          r"|\b(?P<q>Q[1-4])(?:\s(?P<qy>\d{4}))?\b", _quarter),
    _rule("half", rf"\b(?i:the\s(?P<ord>first|second)\shalf(?:\sof\s(?P<y>{_YEAR}))?)\b", _half),
    _rule("season", r"\b(?:(?P<rel>(?i:this|last|next|the|early|late|in|mid))[\s-])?"
          r"(?P<s>(?i:spring|summer|autumn|fall|winter))\b(?:\s(?:of\s)?(?P<y>\d{4})\b)?",
          _season, _accept_season),
    _rule("clock", r"(?:\b(?P<h>1[0-2]|0?\d)(?:[:.](?P<mi>[0-5]\d))?\s?(?P<ap>(?i:[ap]\.m\.|"
          r"[ap]m\b))|\b(?P<h24>[01]?\d|2[0-3]):?(?P<mi24>[0-5]\d)\b(?=\s(?:GMT|UTC)\b|(?<=:\d\d))"
          r"|\b(?P<named>(?i:noon|midnight))\b)(?:\s(?P<tz>UTC|GMT|Z|[ECMP][SD]?T|CET|CEST|BST)\b)?"
          rf"(?:,?\s(?:on\s)?(?:(?P<dw>{_WD})|(?P<dd>(?i:today|yesterday|tomorrow)))\b)?"
          rf"(?:(?=,?\s(?:on\s)?(?P<lmon>{_MX})\s(?P<ld>{_DAYNUM})\b(?:,?\s(?P<ly>{_YEAR}))?))?",
          _clock, _accept_clock),
    _rule("ref", r"\b(?P<r>(?i:right\snow|now|currently|at\spresent|presently|nowadays"
          r"|these\sdays|at\sthe\smoment|recently|lately|the\spast|the\snear\sfuture|the\sfuture"
          r"|the\slong\sterm|the\sshort\sterm|soon))\b(?![-\s]?\d|-)", _ref),
    _rule("set_word", rf"\b(?P<w>{'|'.join(SET_WORDS)})\b", _set_word),
    _rule("every", rf"\b(?i:(?:every|each|per)\s(?:(?P<n>{_NUM})\s)?(?P<u>{_UNIT}"
          rf"|morning|afternoon|evening|night|{_WD})|(?:once|twice|\w+\stimes)\s(?:a|an|per)\s"
          r"(?P<u2>day|week|month|year|hour))\b", _every),
    _rule("holiday", r"\b(?P<h>Christmas(?:\s(?:Day|Eve))?|New\sYear's\s(?:Day|Eve)|Boxing\sDay"
          r"|Valentine's\sDay|Halloween|Thanksgiving(?:\sDay)?|Easter(?:\s(?:Sunday|Monday))?"
          rf"|Good\sFriday)(?:\s(?P<y>{_YEAR}))?\b", _holiday),
    _rule("anaphoric_day", r"\b(?P<w>(?i:the\s(?:next|following|previous)\sday|the\sday\s"
          r"(?:before|after)|the\ssame\sday))\b", _anaphoric_day),
)
# fmt: on
