"""Timex stage, property tests: phrases built from the rule tables' own vocabulary.

Every modifier x number x unit, every relative word x weekday / month / season / unit, every
month form, quarter, half, reference, set word, holiday and clock form the rules know, in short
wire-style sentences, with and without a story date (and at the ends of the calendar), plus
hypothesis mixes of the same words: `find_timex` never raises, every span indexes the body,
spans do not overlap, and every value is a well-formed TIMEX3 value of its type. The words come
from the tables in `pipeline.timex`, so a word added there is covered here without an edit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.story import Timex
from pipeline.timex import calendar as cal
from pipeline.timex import find_timex, periods, resolve, rules, vocabulary

STORY_DATES = (None, "2026-03-15", "2024-02-29", "2025-12-31T23:30:00Z", "0001-01-01", "9999-12-31")
TYPES = frozenset({"DATE", "TIME", "DURATION", "SET"})

# --- TIMEX3 values ---------------------------------------------------------------------------
_Y = r"(?:\d{4}|XXXX)"
_DAY_DATE = rf"{_Y}-(?:\d\d|XX)-(?:\d\d|XX)|{_Y}-W(?:\d\d|XX)-[1-7]"
_DATE = re.compile(
    rf"(?:FY)?{_Y}(?:-Q[1-4X]|-H[12X])?"  # year, fiscal year, quarter, half
    r"|\d{3}X?|\d{2}(?:XX)?|XXX|XX"  # decade (199), century (19)
    rf"|{_Y}-(?:\d\d|XX)(?:-(?:\d\d|XX))?"  # month, day
    rf"|{_Y}-W(?:\d\d|XX)(?:-[1-7]|-WE)?"  # week, weekday, weekend
    rf"|{_Y}-(?:SP|SU|FA|WI)"  # season
    r"|PRESENT_REF|PAST_REF|FUTURE_REF"
)
_CLOCK = r"(?:[01]\d|2[0-4]):[0-5]\d(?::[0-5]\d)?(?:Z|[+-]\d\d:?\d\d)?"
_TIME = re.compile(rf"(?:{_DAY_DATE})T(?:{_CLOCK}|MO|AF|EV|NI)")
_NUMBER = r"(?:\d+(?:\.\d+)?|X)"
_DURATION = re.compile(
    rf"P(?:{_NUMBER}(?:Y|M|W|D|DE|CE|L)(?:T{_NUMBER}[HMS])?|T{_NUMBER}[HMS](?:\d+[MS])?)"
)
_SET = re.compile(
    rf"{_DURATION.pattern}|XXXX-WXX-[1-7](?:T(?:MO|AF|EV|NI))?|XXXX-XX-XXT(?:MO|AF|EV|NI)"
)
_GRAMMAR = {"DATE": _DATE, "TIME": _TIME, "DURATION": _DURATION, "SET": _SET}


def well_formed(kind: str, value: str) -> bool:
    """A TIMEX3 value of type `kind`, and where it names a calendar day or week, a real one."""
    if kind not in _GRAMMAR or _GRAMMAR[kind].fullmatch(value) is None:
        return False
    day = re.match(r"(\d{4}|XXXX)-(\d\d|XX)-(\d\d|XX)", value)
    if day is not None and "X" not in day[2]:
        if not 1 <= int(day[2]) <= 12:
            return False
        if "X" not in day[3]:
            year = 2000 if day[1] == "XXXX" else int(day[1])  # 2000 has a February 29
            try:
                date(year, int(day[2]), int(day[3]))
            except ValueError:
                return False
    month = re.fullmatch(r"(?:\d{4}|XXXX)-(\d\d)", value)
    if month is not None and not 1 <= int(month[1]) <= 12:
        return False
    week = re.match(r"(\d{4})-W(\d\d)", value)
    if week is not None:
        last = date(int(week[1]), 12, 28).isocalendar()[1] if week[1] != "0000" else 52
        return 1 <= int(week[2]) <= last
    return True


def test_the_validator_knows_good_values_from_bad() -> None:
    good = [
        ("DATE", "2026-03-15"), ("DATE", "XXXX-02-29"), ("DATE", "2026-W11-WE"),
        ("DATE", "2026-Q1"), ("DATE", "FY2026"), ("DATE", "199"), ("DATE", "19"),
        ("DATE", "2026-SU"), ("DATE", "PAST_REF"), ("TIME", "2026-03-15T14:30Z"),
        ("TIME", "XXXX-WXX-4TNI"), ("DURATION", "P2.5Y"), ("DURATION", "PT1M30S"),
        ("DURATION", "PXY"), ("SET", "P1W"), ("SET", "XXXX-WXX-1"),
    ]  # fmt: skip
    bad = [
        ("DATE", "2026-02-30"), ("DATE", "2026-13"), ("DATE", "2026-W54"), ("DATE", "P1Y"),
        ("TIME", "2026-03-15"), ("DURATION", "2026"), ("DURATION", "P1Q"), ("SET", "daily"),
        ("DATE", "XXXX-02-30"), ("DATE", ""), ("FOO", "2026"),
    ]  # fmt: skip
    assert [v for v in good if not well_formed(*v)] == []
    assert [v for v in bad if well_formed(*v)] == []


# --- the vocabulary, from the rule tables ----------------------------------------------------
# number words of the tables; composite forms ("twenty-one", "2 1/2", "two hundred") apart
NUMBER_WORDS = [*cal.NUMBERS, *cal.TENS, *cal.VAGUE_COUNTS, "0", "1", "2.5", "48", "1988", "9999"]
COMPOSITE_NUMBERS = [
    *(f"{tens}-{one}" for tens in cal.TENS for one in list(cal.NUMBERS)[:9]),
    *(f"two {mult}" for mult in cal.MULTIPLIERS),
    *(f"2 {fraction}" for fraction in cal.FRACTIONS),
    "three and a half", "5000",
]  # fmt: skip
UNITS = sorted({*cal.DURATION_UNITS, *(f"{u}s" for u in cal.DURATION_UNITS), "centuries"})
DIRECTIONS = ("ago", "earlier", "later", "from now", "before", "or so ago")
STEP_WORDS = sorted(vocabulary.STEPS)
PARTS_OF_DAY = sorted(cal.PART_OF_DAY)
MONTH_NAMES = [*cal.MONTHS, *cal.MONTH_ABBREVIATIONS, *(f"{a}." for a in cal.MONTH_ABBREVIATIONS)]
DAY_NUMBERS = ("1", "01", "9th", "22nd", "29", "30", "31", "32")
YEARS = ("", "1899", "2024", "2099")
PERIOD_NOUNS = ("period", "quarter", "month", "week", "time", "months", "year")
BACK = ("last year", "a year ago", "a year earlier", "the previous year", "of 1988", "in 2024")
SAME = ("same", "corresponding", "comparable", "like")

# wire-style frames: past, future, reported, results copy (a quarter in focus), no verb
FRAMES = (
    "The strike ended {}.",
    "The ministry will publish the figures {}, officials said.",
    "Profit rose in the third quarter, up from {}.",
    "{} the talks had been due to resume.",
    "Shares of the carrier jumped {} as traders returned.",
    "{}",
)


def _phrases() -> Iterator[str]:
    modifiers = ("", *vocabulary.DURATION_MODIFIERS)
    for modifier, number, unit in product(modifiers, NUMBER_WORDS, UNITS):
        yield f"{modifier} {number} {unit}".strip()
    for number, unit in product(COMPOSITE_NUMBERS, UNITS):
        yield f"{number} {unit}"
    for number, unit, direction in product(
        (*NUMBER_WORDS, *COMPOSITE_NUMBERS[::4]), UNITS, DIRECTIONS
    ):
        yield f"{number} {unit} {direction}"
    for modifier, unit, direction in product(modifiers, UNITS, DIRECTIONS):
        yield f"{modifier} a {unit} {direction}".strip()
    for unit in UNITS:
        yield from (f"{word} {unit}" for word in ("several", "many", "a few", "recent", "for"))
        yield f"{unit}-long"
        yield f"{unit} of"
    relative_targets = [
        *cal.WEEKDAYS, *(f"{d}s" for d in cal.WEEKDAYS), *cal.MONTHS, *cal.SEASONS,
        *vocabulary.RELATIVE_UNITS, *vocabulary.FISCAL_UNITS, "past weekend", "coming week",
    ]  # fmt: skip
    for the, step, target in product(("", "the "), STEP_WORDS, relative_targets):
        yield f"{the}{step} {target}"
    for weekday, part in product(
        cal.WEEKDAYS, ("", *PARTS_OF_DAY, *(f"{p}s" for p in PARTS_OF_DAY))
    ):
        yield f"{weekday} {part}".strip()
    for word, part in product(vocabulary.DAY_OFFSETS, ("", *PARTS_OF_DAY)):
        yield f"{word} {part}".strip()
    for month, day, year in product(MONTH_NAMES, DAY_NUMBERS, YEARS):
        yield f"{month} {day}, {year}".rstrip(", ")
        yield f"{day} {month} {year}".strip()
        yield f"the {day} of {month}"
        yield f"{next(iter(cal.WEEKDAYS))}, {month} {day}"
    for month, year in product(MONTH_NAMES, YEARS):
        yield f"{month} {year}".strip()
        yield f"in {month} of next year"
        yield f"early {month}"
    for ordinal, month in product(vocabulary.WEEK_ORDINALS, cal.MONTHS):
        yield f"the {ordinal} week of {month}"
        yield f"the week of {month} {DAY_NUMBERS[-2]}"
    for season, year in product(cal.SEASONS, YEARS):
        yield f"{season} {year}".strip()
        yield f"the {season} of {year or 2024}"
    quarter_prefixes = (
        "", "the ", *(f"the {w} " for w in periods.YEAR_BACK), "the comparable ",
        *(f"{w} year's " for w in periods.YEAR_WORDS), "the 1988 ",
    )  # fmt: skip
    quarter_suffixes = ("", " of 2024", " of last year", " of next year", ", 1988")
    for prefix, ordinal, fiscal, suffix in product(
        quarter_prefixes, periods.ORDINALS, ("", "fiscal "), quarter_suffixes
    ):
        yield f"{prefix}{ordinal} {fiscal}quarter{suffix}"
        yield f"{prefix}{ordinal}-quarter{suffix}"
    for number, year in product("12345", YEARS):
        yield f"Q{number} {year}".strip()
    for ordinal, year in product(periods.HALVES, YEARS):
        yield f"the {ordinal} half of {year}".removesuffix(" of ")
    for word, noun in product(periods.YEAR_BACK, ("", *PERIOD_NOUNS, "results")):
        yield f"the {word} {noun}".strip()
        yield f"{word} {noun}".strip()
    for same, noun, back in product(SAME, PERIOD_NOUNS, BACK):
        yield f"the {same} {noun} {back}"
    for latest, noun in product(("", "latest ", "most recent ", "just-ended "), PERIOD_NOUNS):
        yield f"the {latest}{noun}"
    for word in ("full ", "fiscal ", "entire ", ""):
        for after in ("", " ended June 30", " before", " previous", " 1988"):
            yield f"the {word}year{after}"
    yield from ("the following year", "since year-end", "by year end", "the year two thousand")
    spelled = [f"{n} {t}" for n, t in product(cal.NUMBERS, cal.TENS)]
    yield from spelled + [f"{s}-{one}" for s in spelled[:20] for one in list(cal.NUMBERS)[:9]]
    yield from (f"the year two thousand and {n}" for n in cal.NUMBERS)
    for word, noun in product(vocabulary.REFS, ("", "slump", "account")):
        yield f"{word} {noun}".strip()
        yield f"as {word} as"
    for word, after in product(vocabulary.SET_WORDS, ("", " dividend", ".", " and")):
        yield f"{word}{after}"
    for word, unit in product(("every", "each", "per", "twice a", "three times a"), UNITS):
        yield f"{word} {unit}"
    for name, year in product((*cal.FIXED_HOLIDAYS, *cal.EASTER_OFFSETS, "thanksgiving"), YEARS):
        yield f"{name.title()} {year}".strip()
    hours = ("0", "7", "12", "13", "23", "24", "1400", "09:30", "7.45")
    for hour, suffix, day in product(
        hours, ("", " a.m.", " pm", " GMT", " UTC", " EST"), ("", " Monday", " tomorrow")
    ):
        yield f"at {hour}{suffix}{day}"
    yield from ("noon", "midnight Friday", "noon Saturday, June 1", "at 16:15 UTC, June 1, 2024")
    yield from ("the 1990s", "the mid-1980s", "'90s", "the 20th century", "the 0th century")
    yield from ("fiscal 2026", "FY26", "FY2026", "the 2026-02-29 filing", "2026-02-28T10:00Z")
    yield from ("3/4/2026", "31/12/99", "12/31/2026", "2/30/2026", "this past weekend")


PHRASES = sorted(set(_phrases()))
# words for hypothesis to mix: every word of every phrase, and some punctuation
WORDS = sorted({w for p in PHRASES for w in p.split()} | set(".,;:-'\"()"))


def _texts(phrases: Iterable[str], per_text: int = 120) -> Iterator[str]:
    """The phrases in frames, `per_text` sentences to a paragraph (one call of the stage each)."""
    batch: list[str] = []
    for number, phrase in enumerate(phrases):
        batch.append(FRAMES[number % len(FRAMES)].format(phrase))
        if len(batch) == per_text:
            yield " ".join(batch)
            batch = []
    if batch:
        yield " ".join(batch)


TEXTS = list(_texts(PHRASES))


def check(text: str, found: tuple[Timex, ...]) -> list[str]:
    """What is wrong with the stage's answer on `text`: nothing, for a good answer."""
    problems = []
    for timex in found:
        if (
            not (0 <= timex.start < timex.end <= len(text))
            or text[timex.start : timex.end] != timex.text
        ):
            problems.append(f"bad span {timex}")
        if timex.type not in TYPES or not well_formed(timex.type, timex.value):
            problems.append(f"bad value {timex}")
    problems += [
        f"overlap {a} {b}" for a, b in zip(found, found[1:], strict=False) if a.end > b.start
    ]
    return problems


def test_the_vocabulary_is_large_and_comes_from_the_tables() -> None:
    assert len(PHRASES) > 20_000
    for word in (
        *cal.MONTHS,
        *cal.WEEKDAYS,
        *vocabulary.SET_WORDS,
        *vocabulary.REFS,
        *periods.YEAR_BACK,
    ):
        assert any(word in phrase for phrase in PHRASES), word


@pytest.mark.parametrize("published", STORY_DATES, ids=[str(d) for d in STORY_DATES])
def test_every_phrase_of_the_vocabulary_resolves_to_a_well_formed_value(
    published: str | None,
) -> None:
    """All of them without a date and with an ordinary one; every fifth paragraph at the
    calendar's edges and on a leap day (the same paths, other arithmetic)."""
    problems = []
    for text in TEXTS if published in STORY_DATES[:2] else TEXTS[::5]:
        problems += check(text, find_timex(text, published))
    assert problems[:20] == []


@pytest.mark.parametrize("published", STORY_DATES[:2], ids=["no date", "dated"])
def test_each_phrase_alone(published: str | None) -> None:
    """Alone, a phrase has no neighbours to lean on: the expression starts the text and no
    earlier period is in focus."""
    problems = []
    for phrase in PHRASES[::7]:
        problems += check(phrase, find_timex(phrase, published))
    assert problems[:20] == []


def test_the_word_index_tries_every_rule_wherever_it_matches() -> None:
    """The one-pass scan tries a rule only at words it is indexed under (`Rule.starts`): a
    match a full scan of the rule finds must be among the scan's candidates."""
    missing = []
    for text in TEXTS[::3]:
        indexed = {(rule.name, start, end) for start, end, _, rule, _ in resolve._candidates(text)}
        for rule in rules.RULES:
            for match in rule.pattern.finditer(text):
                if match.end() == match.start():
                    continue
                if rule.accept is not None and not rule.accept(match, text):
                    continue
                if (rule.name, match.start(), match.end()) not in indexed:
                    missing.append((rule.name, match[0]))
    assert missing[:20] == []


MIX = settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
mixes = st.lists(st.sampled_from(WORDS), min_size=1, max_size=40).map(" ".join)
story_dates = st.sampled_from(STORY_DATES) | st.dates().map(date.isoformat)


@MIX
@given(mixes, story_dates)
def test_any_mix_of_the_vocabulary_resolves_to_well_formed_values(
    text: str, published: str | None
) -> None:
    assert check(text, find_timex(text, published)) == []


@MIX
@given(st.lists(st.sampled_from(PHRASES), min_size=1, max_size=8), story_dates)
def test_any_sequence_of_phrases_resolves_to_well_formed_values(
    phrases: list[str], published: str | None
) -> None:
    """Phrases in a row: each can become the focus or the reference day of the next."""
    text = ". ".join(phrases)
    assert check(text, find_timex(text, published)) == []


def test_this_past_weekend_and_every_relative_unit_resolve() -> None:
    """ "this past weekend" raised KeyError: 'weekend' (a unit the pattern knew and the
    duration table did not). Every relative word with every unit now resolves."""
    for step, unit in product(STEP_WORDS, vocabulary.RELATIVE_UNITS):
        for text in (f"It rained {step} {unit}.", f"It rained the {step} {unit}."):
            assert check(text, find_timex(text, "2026-03-15")) == []
    (weekend,) = find_timex("Fans rallied this past weekend.", "2026-03-18")
    assert weekend.value == "2026-W11-WE"
