"""The rule table of the timex stage: one regex per form of time expression, one resolver each.

`pipeline.timex.resolve` runs the rules a word can start (`Rule.starts`) at each word of the
body, keeps the longest non-overlapping matches and calls their resolvers in document order.
Resolvers of days and weeks are in `days`, of reporting periods in `periods`.
Patterns are built from the tables of `vocabulary` and `calendar`, so a resolver's lookups
cannot miss; they are linear: alternations of fixed words and bounded gaps only, never a
repeated group that contains another repeat.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from pipeline.timex import calendar as cal
from pipeline.timex import days, periods
from pipeline.timex.context import Accept, Context, Found, Resolver, Rule, lower_words
from pipeline.timex.vocabulary import (
    DAY_OFFSETS,
    DURATION_MODIFIERS,
    FISCAL_UNITS,
    REFS,
    RELATIVE_UNITS,
    SET_WORDS,
    STEPS,
    UNTAGGED_BEFORE_NOUN,
    WEEK_ORDINALS,
)

# Pattern pieces. Month and weekday names are matched case-sensitively ("may", "march" are
# never dates); other words through (?i:...).
_M = "|".join(cal.MONTHS)
_ABBREVIATIONS = "|".join(sorted(cal.MONTH_ABBREVIATIONS, key=len, reverse=True))
_MX = _M + rf"|(?:{_ABBREVIATIONS})\.?"
_WD = "|".join(cal.WEEKDAYS)
_DAYNUM = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_POD = rf"(?i:{'|'.join(cal.PART_OF_DAY)})"
_SMALL = "|".join(sorted(cal.NUMBERS, key=len, reverse=True))
_TENS = "|".join(cal.TENS)
_MULT = "|".join(cal.MULTIPLIERS)
_FRACTION = "|".join(re.escape(f) for f in cal.FRACTIONS)
_SPELLED = rf"(?:(?:{_TENS})(?:[- ](?:{_SMALL}))?|{_SMALL})(?:\s(?:{_MULT}))?"
_NUM = (
    rf"(?:\d{{1,4}}(?:\.\d+)?(?:\s(?:{_FRACTION}))?|{_SPELLED}|an?\s(?:{_MULT})"
    r"|a\s+couple\s+of|a\s+dozen|half\s+an?|an?)(?:\s+and\s+a\s+half|-and-a-half)?"
)
_UNITS = "|".join(u for u in cal.DURATION_UNITS if u != "century")
_UNIT = rf"(?:{_UNITS}|centur(?:y|ie))s?"
_PLURALS = "years|months|weeks|days|decades|hours|minutes|quarters|centuries"
_NOT_AGE = r"(?![-\s]old\b)"
_MOD = "|".join(m.replace(" ", r"\s") for m in sorted(DURATION_MODIFIERS, key=len, reverse=True))
# "nineteen ninety-six" always; "two thousand (and one)" only after "the year" (else a count)
_CENTURY_WORDS = "|".join(w for w, n in cal.NUMBERS.items() if 11 <= n <= 19)
_NINETEEN = rf"(?:{_CENTURY_WORDS})\s(?:{_TENS})(?:[- ](?:{_SMALL}))?"
_TWO_THOUSAND = rf"two\sthousand(?:\s(?:and\s)?(?:(?:{_TENS})(?:[- ](?:{_SMALL}))?|{_SMALL}))?"
_REF_WORDS = "|".join(p.replace(" ", r"\s") for p in sorted(REFS, key=len, reverse=True))
_MONTH_TRIGGER = re.compile(
    r"(?i:\b(?:in|last|next|this|early|late|since|until|till|through|from|of|by|during|before"
    r"|after|mid|for|between|to)\s+|\bmid-)\Z"
)


def _unit(word: str) -> str:
    word = word.lower()
    return "century" if word.startswith("centur") else word.removesuffix("s")


def _month_found(year: int, month: int) -> Found | None:
    day = cal.safe_date(year, month, 1)
    return None if day is None else Found("DATE", f"{year:04d}-{month:02d}", None, (cal.MONTH, day))


def _month_year(m: re.Match[str], ctx: Context) -> Found | None:
    month = cal.month_number(m["mon"])
    return None if month is None else _month_found(int(m["y"]), month)


def _month(m: re.Match[str], ctx: Context) -> Found | None:
    month = cal.month_number(m["mon"])
    if month is None:
        return None
    if ctx.anchor is None:
        return Found("DATE", f"XXXX-{month:02d}")
    rel = lower_words(m["rel"])
    if m["yrel"]:  # "October of next year", "July last year"
        year = ctx.anchor.year + STEPS.get(lower_words(m["yrel"]), 0)
    elif rel:
        year = cal.step_year(ctx.anchor, month, STEPS.get(rel, 0))
    else:
        year = ctx.year_of(m, month)
    return _month_found(year, month)


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


def _year_found(year: int) -> Found:
    return Found("DATE", f"{year:04d}", None, (cal.YEAR, date(year, 1, 1)))


def _year(m: re.Match[str], ctx: Context) -> Found:
    return _year_found(int(m["y"]))


def _accept_year(m: re.Match[str], text: str) -> bool:
    return not text[max(0, m.start() - 4) : m.start()].lower().endswith(("no. ", "no."))


def _spelled_year(m: re.Match[str], ctx: Context) -> Found | None:
    year = cal.spelled_year(m["sp"] or m["sp2"])
    return None if year is None else _year_found(year)


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
    return Found("DATE", f"{max(int(m['n']) - 1, 0):02d}")


_RELATIVE_UNIT_WORDS = "|".join(
    u.replace(" ", r"\s") for u in sorted((*RELATIVE_UNITS, *FISCAL_UNITS), key=len, reverse=True)
)


def _relative_unit(m: re.Match[str], ctx: Context) -> Found:
    words = lower_words(m["rel"]).split()
    step = STEPS.get(words[-1], 0)
    unit = lower_words(m["u"])
    if unit in FISCAL_UNITS:
        return Found("DATE", f"FY{ctx.anchor.year + step:04d}" if ctx.anchor else "FYXXXX")
    granularity = RELATIVE_UNITS[unit]
    if granularity == cal.WEEKEND:  # "this weekend" as said; "this past weekend" the last one
        if step == 0:
            return Found("DATE", cal.point(ctx.anchor, cal.WEEKEND))
        return days.weekend(ctx.anchor, step, past=step < 0)
    moved = None if ctx.anchor is None else cal.shift(ctx.anchor, granularity, step)
    period = None if moved is None else (granularity, moved)
    return Found("DATE", cal.point(moved, granularity), None, period)


def _this_unit(m: re.Match[str], ctx: Context) -> Found:
    if m["we"]:  # "over the weekend": the last one in past-tense copy
        return days.weekend(ctx.anchor, 0, ctx.tense(m.start(), m.end()) == "past")
    granularity = RELATIVE_UNITS[lower_words(m["u"])]
    return Found("DATE", cal.point(ctx.anchor, granularity))


def _ago(m: re.Match[str], ctx: Context) -> Found:
    direction = lower_words(m["dir"])
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
    if unit == cal.YEAR and steps == 1 and sign < 0 and ctx.last_period == cal.QUARTER:
        # results copy: "profit rose from a year earlier" compares the quarter in focus
        focus = ctx.focus_quarter()
        moved = None if focus is None else cal.shift(focus, cal.YEAR, -1)
        return Found("DATE", periods.quarter_value(moved))
    try:
        moved = None if base is None else cal.shift(base, unit, sign * steps)
    except (ValueError, OverflowError):  # "5000 years ago": before year 1 of the calendar
        return Found("DATE", "PAST_REF" if sign < 0 else "FUTURE_REF")
    return Found("DATE", cal.point(moved, unit), moved if unit == cal.DAY else None)


def _duration(m: re.Match[str], ctx: Context) -> Found:
    return Found("DURATION", cal.duration(cal.amount(m["n"]), _unit(m["u"])))


def _accept_duration(m: re.Match[str], text: str) -> bool:
    """Not "a second round", "a quarter of the shares", "three-quarters of its food", nor
    "the 1988 quarter" (a quarter of 1988)."""
    unit, words = _unit(m["u"]), m["n"].lower()
    if unit in ("second", "quarter") and not words[:1].isdigit() and cal.amount(words) == 1:
        return False
    if (
        unit == "quarter"
        and text[m.start("u") - 1] == "-"
        and text[m.end() : m.end() + 4] == " of "
    ):
        return False
    return not (re.fullmatch(_YEAR, words) and not m["u"].lower().endswith("s"))


def _vague_duration(m: re.Match[str], ctx: Context) -> Found:
    return Found("DURATION", cal.duration(None, _unit(m["u"] or m["u2"])))


def _season(m: re.Match[str], ctx: Context) -> Found:
    code = cal.SEASONS[m["s"].lower()]
    if m["y"] or ctx.anchor is None:
        return Found("DATE", f"{m['y'] or 'XXXX'}-{code}")
    step = {"last": -1, "next": 1}.get(lower_words(m["rel"]), 0)
    return Found("DATE", f"{cal.step_year(ctx.anchor, cal.SEASON_START[code], step):04d}-{code}")


def _accept_season(m: re.Match[str], text: str) -> bool:
    """ "fall" only as "this/last/next fall" or with a year: "the fall of Kabul" is no date."""
    rel = lower_words(m["rel"])
    return m["s"].lower() != "fall" or bool(m["y"]) or rel in ("this", "last", "next")


def _ref(m: re.Match[str], ctx: Context) -> Found:
    return Found("DATE", REFS[lower_words(m["r"])])


def _accept_ref(m: re.Match[str], text: str) -> bool:
    """ "as soon as", "soon after" are conjunctions, not times (TimeML signals)."""
    if lower_words(m["r"]) != "soon":
        return True
    before = text[max(0, m.start() - 3) : m.start()].lower()
    after = text[m.end() : m.end() + 12].lower()
    return before != "as " and not after.startswith((" after", " thereafter", " as "))


def _set_word(m: re.Match[str], ctx: Context) -> Found:
    return Found("SET", SET_WORDS[m["w"].lower()])


def _accept_set_word(m: re.Match[str], text: str) -> bool:
    if m["w"].lower() not in UNTAGGED_BEFORE_NOUN:
        return True
    after = text[m.end() : m.end() + 2]
    return not (len(after) == 2 and after[0] == " " and after[1].isalpha())


def _every(m: re.Match[str], ctx: Context) -> Found:
    word = m["u"] or m["u2"]
    if word.capitalize() in cal.WEEKDAYS:
        return Found("SET", f"XXXX-WXX-{cal.WEEKDAYS[word.capitalize()] + 1}")
    if word.lower() in cal.PART_OF_DAY:
        return Found("SET", f"XXXX-XX-XXT{cal.PART_OF_DAY[word.lower()]}")
    count = cal.amount(m["n"]) if m["n"] else 1.0
    return Found("SET", cal.duration(count, _unit(word)))


def _first_words(*groups: str | Iterable[str]) -> frozenset[str]:
    """The index keys of phrases: each one's first word in lower case ("#" for a number)."""
    keys: set[str] = set()
    for group in groups:
        for phrase in [group] if isinstance(group, str) else group:
            first = re.match(r"[^\W\d_]+|\d|'", str(phrase))
            if first is not None:
                keys.add("#" if first[0].isdigit() else first[0].lower())
    return frozenset(keys)


def _rule(
    name: str, pattern: str, resolve: Resolver, accept: Accept | None, *starts: str | Iterable[str]
) -> Rule:
    return Rule(name, re.compile(pattern), resolve, accept, _first_words(*starts))


_NUMBER_WORDS = (*cal.NUMBERS, *cal.TENS, *cal.VAGUE_COUNTS, "0")
_MONTH_WORDS = (*cal.MONTHS, *cal.MONTH_ABBREVIATIONS)
_WEEKDAY_WORDS = tuple(cal.WEEKDAYS)
_PERIOD_STARTS = ("the", "year", "prior", "comparable", "corresponding", "same")
_YEAR_BACK = "|".join(re.escape(w) for w in periods.YEAR_BACK)

# fmt: off
RULES: tuple[Rule, ...] = (
    _rule("iso", r"\b(?P<y>\d{4})-(?P<mo>[01]\d)-(?P<d>[0-3]\d)(?:T(?P<hh>[0-2]\d):(?P<mi>[0-5]\d)"
          r"(?::[0-5]\d(?:\.\d+)?)?(?P<z>Z|[+-][0-2]\d:?[0-5]\d)?)?(?![\w-])", days.iso, None, "0"),
    _rule("slashed", r"(?<![\w/])(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<y>\d{4}|\d{2})(?![\w/])",
          days.slashed, None, "0"),
    _rule("month_day", rf"(?:\b(?:{_WD}),?\s)?\b(?P<mon>{_MX})\s(?P<d>{_DAYNUM})\b(?!:\d)"
          rf"(?:,?\s(?P<y>{_YEAR})\b)?", days.month_day, None, _MONTH_WORDS, _WEEKDAY_WORDS),
    _rule("day_month", rf"\b(?P<d>{_DAYNUM})\s(?:of\s)?(?P<mon>{_MX})(?:,?\s(?P<y>{_YEAR}))?\b",
          days.month_day, None, "0"),
    _rule("month_year", rf"\b(?P<mon>{_MX}),?\s(?:of\s)?(?P<y>{_YEAR})\b", _month_year, None,
          _MONTH_WORDS),
    _rule("month", rf"(?:\b(?P<rel>(?i:last|next|this|coming|past))\s)?\b(?P<mon>{_M})\b"
          r"(?:(?=\s(?:of\s)?(?P<yrel>(?i:next|last|this))\s(?i:year)\b))?",
          _month, _accept_month, cal.MONTHS, STEPS),
    _rule("year", rf"(?:(?i:the\syear)\s)?(?<![\w$£€#.,/'])(?<!\d-)(?P<y>{_YEAR})"
          r"(?![\w%]|[,.\-/]\d|\s?(?i:percent))", _year, _accept_year, "0", "the"),
    _rule("spelled_year", rf"\b(?i:the\syear\s(?P<sp>{_NINETEEN}|{_TWO_THOUSAND})|(?P<sp2>"
          rf"{_NINETEEN}))\b(?![-\s](?i:{_UNIT}|old|percent)\b)", _spelled_year, None, "the",
          cal.NUMBERS),
    _rule("decade", r"(?<![\w'])(?:(?i:the)\s)?(?:(?P<cen>1[89]|20)(?P<dec>\d)0|'?(?P<dec2>[1-9])"
          r"0)'?s\b", _decade, _accept_decade, "0", "'", "the"),
    _rule("century", r"\b(?i:the\s(?P<n>[12]?\d)(?:st|nd|rd|th)\scentury)\b", _century, None,
          "the"),
    _rule("fiscal", r"\b(?:(?i:fiscal)(?:\s(?i:year))?\s(?P<y>\d{4})|FY\s?(?P<y2>\d{4}|\d{2}))\b",
          periods.fiscal, None, "fiscal", "FY"),
    _rule("relative_unit", r"\b(?i:(?P<rel>(?:the\s)?(?:past|last|previous|next|coming|current)"
          rf"|this(?:\spast|\scoming)?)\s(?P<u>{_RELATIVE_UNIT_WORDS}))\b", _relative_unit, None,
          STEPS, "the"),
    _rule("this_unit", r"\b(?i:(?:the\s)?(?:end|beginning|start|middle|rest|remainder|turn)\sof"
          r"\sthe\s(?P<u>year|month|week|decade|century)|the\s(?P<we>weekend))\b", _this_unit,
          None, "the end beginning start middle rest remainder turn".split()),
    _rule("week_of", rf"\b(?i:the\s(?:(?P<ord>{'|'.join(WEEK_ORDINALS)})\s)?(?P<u>week|weekend)"
          rf"\sof)\s(?P<mon>{_MX})(?:\s(?P<d>{_DAYNUM}))?\b(?:,?\s(?P<y>{_YEAR})\b)?",
          days.week_of, days.accept_week_of, "the"),
    _rule("deictic", r"\b(?i:(?P<word>the\sday\sbefore\syesterday|the\sday\safter\stomorrow"
          r"|yesterday|today|tomorrow|tonight|last\snight|this\s(?:morning|afternoon|evening))"
          rf"(?:\s(?P<pod>{_POD}))?)\b", days.deictic, None, DAY_OFFSETS),
    _rule("weekday", r"\b(?:(?i:the\s)?(?P<rel>(?i:last|next|this|coming|past|previous"
          rf"|following))\s)?(?P<wd>{_WD})(?P<plural>s)?\b(?:\s(?P<pod>{_POD})(?P<pods>s)?)?",
          days.weekday, days.accept_weekday, _WEEKDAY_WORDS, STEPS, "the"),
    _rule("ago", rf"\b(?i:(?:(?:{_MOD})\s)?(?:(?P<n>{_NUM})\s)?(?P<u>{_UNIT})(?:\sor\sso)?\s"
          r"(?P<dir>ago|earlier|later|from\snow))\b", _ago, None,
          _NUMBER_WORDS, DURATION_MODIFIERS, cal.DURATION_UNITS, "centuries"),
    _rule("duration", rf"\b(?i:(?:(?:{_MOD})\s)?(?P<n>{_NUM})[\s-](?:more\s)?(?P<u>{_UNIT}))"
          rf"\b{_NOT_AGE}", _duration, _accept_duration, _NUMBER_WORDS, DURATION_MODIFIERS),
    _rule("vague_duration", r"(?i:\b(?:several|many|a\sfew|the\spast\sfew|the\slast\sfew|recent"
          r"|the\scoming|the\snext\sfew|coming)\s|(?<=\bfor\s)|(?<=\bwithin\s)|(?<=\bover\sthe\s))"
          rf"(?P<u>(?i:{_PLURALS}))\b{_NOT_AGE}"
          rf"|\b(?P<u2>(?i:{_PLURALS}))(?=-long\b|\s(?:of|in\sthe\smaking)\b)", _vague_duration,
          None, "several many a the recent coming".split(), _PLURALS.split("|")),
    _rule("quarter", r"\b(?i:(?:the\s)?(?:(?P<ya>comparable\syear-ago|comparable|corresponding"
          rf"|{_YEAR_BACK})\s|(?P<yp>last|next|this)\syear's\s|(?P<yy>{_YEAR})(?:'s)?\s)?"
          r"(?P<ord>first|second|third|fourth|final|last)[\s-](?P<fisc>fiscal\s)?quarter"
          rf"(?:,?\s(?:of\s)?(?P<yr>{_YEAR}|this\syear|last\syear|next\syear))?)\b"
          rf"|\b(?P<q>Q[1-4])(?:\s(?P<qy>{_YEAR}))?\b", periods.quarter, None,
          _PERIOD_STARTS, periods.ORDINALS, periods.YEAR_WORDS, "Q", "0"),
    _rule("latest_quarter", r"\b(?i:the\s(?:(?:latest|most\srecent|just-ended|current-)\s?"
          r"(?P<u>quarter|period)|(?P<u2>quarter)))\b(?!\sof\b|-)", periods.latest_quarter, None,
          "the"),
    _rule("year_ago_period", r"\b(?i:(?:the\s)?(?:(?:comparable|corresponding|same)\s)?"
          rf"(?:{_YEAR_BACK})(?:\s(?P<u>quarter|period|months?))?|last\syear's\s(?P<u2>quarter"
          r"|period))\b", periods.year_ago_period, None, _PERIOD_STARTS, "last"),
    _rule("same_period", r"\b(?i:the\s(?:same|corresponding|comparable|like)\s(?P<u>period"
          r"|quarter|month|week|time)(?:\s(?:of|in)\s|,?\s)(?:last\syear|the\s(?:last|previous"
          rf"|prior|preceding)\syear|a\syear\s(?:ago|earlier|before)|(?P<y>{_YEAR})))\b",
          periods.same_period, None, "the"),
    _rule("year_period", rf"\b(?i:the\s(?P<y>{_YEAR})\s(?:fiscal\s)?(?:quarter|period))\b",
          periods.year_period, None, "the"),
    _rule("the_year", r"\b(?i:the\s(?:full\s|fiscal\s|financial\s|entire\s|whole\s)?year)\b"
          r"(?:(?P<ended>(?=\s(?:ended|ending|to\s(?:March|June|Sept|Dec))))|(?!\s(?:before|after"
          r"|earlier|later|ago|old|previous|prior)\b|-|'))", periods.the_year, None, "the"),
    _rule("year_before", r"\b(?i:the\s(?:year\s(?P<w>before|previous|prior|earlier|after|later)"
          r"|(?P<w2>following)\syear))\b(?!\s(?:last|next)\b)", periods.year_before, None, "the"),
    _rule("year_end", r"\b(?i:(?:(?P<since>since)\s)?year[-\s]end)\b(?!-)", periods.year_end,
          None, "since", "year"),
    _rule("half", rf"\b(?i:the\s(?P<ord>first|second)\shalf(?:\sof\s(?P<y>{_YEAR}))?)\b",
          periods.half, None, "the"),
    _rule("season", r"\b(?:(?P<rel>(?i:this|last|next|the|early|late|in|mid))[\s-])?"
          rf"(?P<s>(?i:{'|'.join(cal.SEASONS)}))\b(?:\s(?:of\s)?(?P<y>\d{{4}})\b)?",
          _season, _accept_season, cal.SEASONS, "this last next the early late in mid".split()),
    _rule("clock", r"(?:\b(?P<h>1[0-2]|0?\d)(?:[:.](?P<mi>[0-5]\d))?\s?(?P<ap>(?i:[ap]\.m\.|"
          r"[ap]m\b))|\b(?P<h24>[01]?\d|2[0-3]):?(?P<mi24>[0-5]\d)\b(?=\s(?:GMT|UTC)\b|(?<=:\d\d))"
          r"|\b(?P<named>(?i:noon|midnight))\b)(?:\s(?P<tz>UTC|GMT|Z|[ECMP][SD]?T|CET|CEST|BST)\b)?"
          rf"(?:,?\s(?:on\s)?(?:(?P<dw>{_WD})|(?P<dd>(?i:today|yesterday|tomorrow)))\b)?"
          rf"(?:(?=,?\s(?:on\s)?(?P<lmon>{_MX})\s(?P<ld>{_DAYNUM})\b(?:,?\s(?P<ly>{_YEAR}))?))?",
          days.clock, days.accept_clock, "0", "noon", "midnight"),
    _rule("ref", rf"\b(?P<r>(?i:{_REF_WORDS}))\b(?![-\s]?\d|-)", _ref, _accept_ref, REFS),
    _rule("set_word", rf"\b(?P<w>(?i:{'|'.join(SET_WORDS)}))\b", _set_word, _accept_set_word,
          SET_WORDS),
    _rule("every", rf"\b(?i:(?:every|each|per)\s(?:(?P<n>{_NUM})\s)?(?P<u>{_UNIT}"
          rf"|{'|'.join(cal.PART_OF_DAY)}|{_WD})|(?:once|twice|(?:{_SMALL}|\d+)\stimes)\s"
          r"(?:a|an|per)\s(?P<u2>day|week|month|year|hour))\b", _every, None,
          "every each per once twice".split(), cal.NUMBERS, "0"),
    _rule("holiday", r"\b(?P<h>Christmas(?:\s(?:Day|Eve))?|New\sYear's\s(?:Day|Eve)|Boxing\sDay"
          r"|Valentine's\sDay|Halloween|Thanksgiving(?:\sDay)?|Easter(?:\s(?:Sunday|Monday))?"
          rf"|Good\sFriday)(?:\s(?P<y>{_YEAR}))?\b", days.holiday, None, cal.FIXED_HOLIDAYS,
          cal.EASTER_OFFSETS, "thanksgiving"),
    _rule("anaphoric_day", r"\b(?P<w>(?i:the\s(?:next|following|previous)\sday|the\sday\s"
          r"(?:before|after)|the\ssame\sday))\b", days.anaphoric_day, None, "the"),
)
# fmt: on
