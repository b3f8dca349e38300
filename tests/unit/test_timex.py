"""Timex stage: the seed story's gold values, each form wire copy uses, the look-alikes that are
not dates, stories without a date, and adversarial input."""

from __future__ import annotations

import time
from typing import Any

import pytest

from pipeline.story import Timex
from pipeline.testing import make_story
from pipeline.timex import find_timex, resolve_timex

SATURDAY = "2025-03-15"  # the seed story's date


def found(text: str, published: str | None = SATURDAY) -> list[tuple[str, str]]:
    return [(t.text, t.value) for t in find_timex(text, published)]


def test_seed_story_gold_values(seed_gold: dict[str, Any]) -> None:
    timex = resolve_timex(make_story(seed_gold["text"], published=seed_gold["dct"])).timex
    predicted = {(t.start, t.end): (t.type, t.value) for t in timex}
    for gold in seed_gold["timex"]:
        assert predicted.get((gold["start"], gold["end"])) == (gold["type"], gold["value"]), gold
    for not_timex in seed_gold["not_timex"]:  # "World War II"
        assert not [t for t in timex if t.start < not_timex["end"] and not_timex["start"] < t.end]


CASES = [
    # deictic days and parts of the day
    ("The minister resigned yesterday.", [("yesterday", "2025-03-14")]),
    ("Talks broke down on Thursday night in Geneva.", [("Thursday night", "2025-03-13TNI")]),
    (
        "Rescue teams worked through the night and resumed this morning.",
        [("this morning", "2025-03-15TMO")],
    ),
    (
        "The results are due today, and the vote is tonight.",
        [("today", "2025-03-15"), ("tonight", "2025-03-15TNI")],
    ),
    # weeks, weekends, months, years relative to the story date
    ("Parliament approved the budget this week.", [("this week", "2025-W11")]),
    ("Delegations may meet over the weekend.", [("the weekend", "2025-W11-WE")]),
    ("Inflation peaked last June, the statistics office said.", [("last June", "2024-06")]),
    ("The bank last cut rates in early December.", [("early December", "2024-12")]),
    ("Revenue should grow this fiscal year.", [("this fiscal year", "FY2025")]),
    ("The ceasefire was agreed two weeks ago.", [("two weeks ago", "2025-W09")]),
    (
        "Profit fell last year and will recover next month.",
        [("last year", "2024"), ("next month", "2025-04")],
    ),
    # calendar dates
    ("Polls open on March 3.", [("March 3", "2025-03-03")]),
    ("The treaty was signed on March 3, 2024 in Rome.", [("March 3, 2024", "2024-03-03")]),
    ("Ballots were counted on 3 March.", [("3 March", "2025-03-03")]),
    ("The plant opened in 2019.", [("2019", "2019")]),
    ("Demand boomed in the 1990s.", [("the 1990s", "199")]),
    ("The filing is dated 2025-02-28.", [("2025-02-28", "2025-02-28")]),
    ("Shares were suspended in May after the audit.", [("May", "2024-05")]),
    ("The airline will resume flights in May.", [("May", "2025-05")]),
    # weekdays: most recent in past-tense copy, the next one when the verb is future
    ("The company said on Monday it would close the plant.", [("Monday", "2025-03-10")]),
    ("The envoy will travel to Kyiv on Monday.", [("Monday", "2025-03-17")]),
    # present, past and future references
    ("Prices are now falling.", [("now", "PRESENT_REF")]),
    ("The rebels recently seized the airport.", [("recently", "PAST_REF")]),
    # durations
    ("The drought has lasted three years.", [("three years", "P3Y")]),
    ("The loan runs for six months.", [("six months", "P6M")]),
    ("Workers walked out for 48 hours.", [("48 hours", "PT48H")]),
    ("The conflict dragged on for a decade.", [("a decade", "P10Y")]),
    # sets
    ("Inspectors visit the site every week.", [("every week", "P1W")]),
    ("The report is published annually.", [("annually", "P1Y")]),
    ("The index is updated daily.", [("daily", "P1D")]),
    # clock times and quarters
    ("Polls closed at 3 p.m.", [("3 p.m.", "2025-03-15T15:00")]),
    ("Markets will reopen at 1400 GMT on Monday.", [("1400 GMT on Monday", "2025-03-17T14:00Z")]),
    ("Trading was halted at 1400 GMT.", [("1400 GMT", "2025-03-15T14:00Z")]),
    ("Sales slowed in the third quarter.", [("the third quarter", "2025-Q3")]),
    ("The unit lost money in Q2 2019.", [("Q2 2019", "2019-Q2")]),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_each_form_is_found_and_resolved(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert found(sentence) == expected


def test_types_follow_timex3() -> None:
    types = {
        t.text: t.type
        for t in find_timex(
            "On Friday night, after three years of talks held every month, the deal was signed "
            "yesterday at 3 p.m.",
            SATURDAY,
        )
    }
    assert types == {
        "Friday night": "TIME",
        "three years": "DURATION",
        "every month": "SET",
        "yesterday": "DATE",
        "3 p.m.": "TIME",
    }


@pytest.mark.parametrize(
    "sentence",
    [
        "We may see further cuts, the minister said.",
        "May I add one thing, the chairman asked.",
        "We will not back down, the union said.",
        "Thousands march on parliament to demand reform.",
        "Protesters March On Parliament",
        "Veterans of World War II laid wreaths.",
        "Prime Minister Theresa May spoke to reporters.",
        "The Sunday Times reported the figures.",
        "The 45-year-old driver was unhurt.",
        "Arsenal led 2:1 at the break.",
        "The now-defunct airline and the soon-to-open terminal.",
    ],
)
def test_look_alikes_are_not_dates(sentence: str) -> None:
    assert found(sentence) == []


def test_turn_of_the_year_and_month_of_next_year() -> None:
    assert found("The vote on 11 December was annulled.", "2026-01-20") == [
        ("11 December", "2025-12-11")
    ]
    assert found("Dealers lose their licence after October of next year.", "2009-05-15") == [
        ("October", "2010-10"),
        ("next year", "2010"),
    ]


def test_quarter_reported_in_january_is_last_years() -> None:
    assert found("Losses widened in the fourth quarter.", "2026-01-28") == [
        ("the fourth quarter", "2025-Q4")
    ]


def test_modifiers_are_part_of_the_extent_not_the_value() -> None:
    assert found("The plant will close at the end of next year.") == [
        ("the end of next year", "2026")
    ]
    assert found("Output fell sharply in the mid-1990s.") == [("the mid-1990s", "199")]


def test_clock_time_belongs_to_the_day_last_mentioned() -> None:
    text = "The jet took off on March 2, 2025. It landed at 18:00 UTC after a long delay."
    assert found(text)[-1] == ("18:00 UTC", "2025-03-02T18:00Z")


def test_without_a_story_date_values_are_underspecified() -> None:
    text = (
        "The minister said yesterday that talks this week and on Thursday night would last "
        "three years, held every week, starting on March 3, in 2019 and now."
    )
    assert found(text, None) == [
        ("yesterday", "XXXX-XX-XX"),
        ("this week", "XXXX-WXX"),
        ("Thursday night", "XXXX-WXX-4TNI"),
        ("three years", "P3Y"),
        ("every week", "P1W"),
        ("March 3", "XXXX-03-03"),
        ("2019", "2019"),
        ("now", "PRESENT_REF"),
    ]


def test_a_datetime_story_date_anchors_on_its_calendar_day() -> None:
    text = "Rebels shelled the town overnight and again today."
    assert found(text, "2025-03-15T23:10:00-05:00") == [("today", "2025-03-15")]


def test_stage_sets_timex_with_offsets_into_the_body() -> None:
    story = make_story(
        "Exports rose 4 percent last month, the agency said on Friday.",
        published=SATURDAY,
        headline="Exports up",
    )
    enriched = resolve_timex(story)
    assert enriched.headline == "Exports up" and enriched.body == story.body
    assert enriched.timex == (
        Timex("last month", 23, 33, "DATE", "2025-02"),
        Timex("Friday", 54, 60, "DATE", "2025-03-14"),
    )
    assert all(story.body[t.start : t.end] == t.text for t in enriched.timex)


@pytest.mark.parametrize(
    "text",
    [
        '"' * 100_000,
        "7" * 100_000,
        " " * 100_000,
        "2019 " * 20_000,
        "a " * 50_000,
        "12:" * 33_000,
        "one " * 25_000,
        "May " * 25_000,
        "the " * 25_000,
        "on Monday said " * 7_000,
    ],
    ids=[
        "quotes",
        "digits",
        "spaces",
        "years",
        "articles",
        "colons",
        "numbers",
        "may",
        "the",
        "weekdays",
    ],
)
def test_pathological_input_finishes_quickly(text: str) -> None:
    started = time.perf_counter()
    find_timex(text, SATURDAY)
    assert time.perf_counter() - started < 2.0


def test_scores_pair_gold_and_predictions_one_to_one() -> None:
    from bench.eval_timex import score_timex

    gold = [Timex("2025", 0, 4, "DATE", "2025"), Timex("a year", 10, 16, "DURATION", "P1Y")]
    predicted = [
        Timex("in 2025", 0, 7, "DATE", "2025"),  # overlaps, same value
        Timex("a year", 10, 16, "DURATION", "P2Y"),  # overlaps, wrong value
        Timex("today", 30, 35, "DATE", "2025-03-15"),  # spurious
    ]
    scores = score_timex(gold, predicted)
    assert scores["extent"]["precision"] == pytest.approx(2 / 3)
    assert scores["extent"]["recall"] == 1.0
    assert scores["value"]["precision"] == pytest.approx(1 / 3)
    assert scores["value"]["recall"] == 0.5
    one_long = score_timex(gold, [Timex("x", 0, 16, "DATE", "2025")])
    assert one_long["extent"]["recall"] == 0.5  # one prediction cannot match two gold spans


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Some homes could be without power until Monday, the grid operator said.", "2026-11-30"),
        ("He said the wind would ease by Saturday afternoon.", "2026-11-28TAF"),
        ("The minister said on Monday that the talks had failed.", "2026-11-23"),
        ("A spokesman said Thursday the plant would reopen.", "2026-11-26"),
    ],
)
def test_modal_future_and_attached_reporting_verbs(sentence: str, expected: str) -> None:
    """Story dated Friday 2026-11-27: "would"/"could" point forward; "said <day>" points back."""
    (found,) = find_timex(sentence, "2026-11-27")
    assert found.value == expected


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        # results copy: the quarter in focus, and the same quarter a year back
        (
            "Net income rose 12% in the third quarter from a year earlier.",
            "2026-10-28",
            [("the third quarter", "2026-Q3"), ("a year earlier", "2025-Q3")],
        ),
        (
            "Net income rose in the third quarter. In the year-ago quarter, the bank lost money.",
            "2026-10-28",
            [("the third quarter", "2026-Q3"), ("the year-ago quarter", "2025-Q3")],
        ),
        (
            "Revenue in the quarter was flat, the company said.",
            "2026-10-28",
            [("the quarter", "2026-Q3")],
        ),
        (
            "Sales fell in February compared with the same month a year earlier.",
            "2026-03-10",
            [("February", "2026-02"), ("the same month a year earlier", "2025-02")],
        ),
        (
            "Debt rose to $9 billion last year from $8 billion the year before.",
            "2026-03-10",
            [("last year", "2025"), ("the year before", "2024")],
        ),
        (
            "Profit for the year ended June 30 rose, and it sees growth for the full year.",
            "2026-08-12",
            [("the year", "P1Y"), ("June 30", "2026-06-30"), ("the full year", "2026")],
        ),
        # a date after a deadline word is ahead whatever the verb; a past month stays past
        (
            "Directors approved a special payout, payable Dec. 7 to holders of record Nov. 20.",
            "2026-10-30",
            [("Dec. 7", "2026-12-07"), ("Nov. 20", "2026-11-20")],
        ),
        (
            "In January, the company hired a new chief executive.",
            "2026-10-30",
            [("January", "2026-01")],
        ),
        # weekdays: tense of the verb, not of "next to" or "had been due to"
        ("The offer had been due to expire on Friday.", "2026-03-18", [("Friday", "2026-03-13")]),
        (
            "A bomb exploded next to the embassy on Friday.",
            "2026-03-21",
            [("Friday", "2026-03-20")],
        ),
        (
            "Shares closed at 41 on Friday, down 3% from the previous Friday.",
            "2026-03-16",
            [("Friday", "2026-03-13"), ("the previous Friday", "2026-03-06")],
        ),
        (
            "The newspaper said in an editorial on Saturday, April 25: the court erred.",
            "2026-04-24",
            [("Saturday, April 25", "2026-04-25")],
        ),
        (
            "Rebels shelled the town over the weekend.",
            "2026-03-16",
            [("the weekend", "2026-W11-WE")],
        ),
        ("Fans rallied this past weekend.", "2026-03-18", [("this past weekend", "2026-W11-WE")]),
        (
            "Car sales rebounded in the last week of March.",
            "2026-04-02",
            [("the last week of March", "2026-W13")],
        ),
        ("Unemployment fell over the past decade.", "2026-03-21", [("the past decade", "201")]),
        # "as soon as" and "soon after" are signals; a quarterly dividend is an amount
        ("The envoy could arrive as soon as Tuesday.", "2026-03-18", [("Tuesday", "2026-03-24")]),
        ("Talks began soon after the vote.", "2026-03-18", []),
        ("The company raised its quarterly dividend.", "2026-03-18", []),
        ("Dividends are paid quarterly.", "2026-03-18", [("quarterly", "P3M")]),
        # spelled-out years, fractions and vague plurals
        (
            "The plant opened in nineteen ninety-six and hired two thousand workers.",
            "2026-03-16",
            [("nineteen ninety-six", "1996")],
        ),
        (
            "Polls looked ahead to the year two thousand.",
            "1998-03-16",
            [("the year two thousand", "2000")],
        ),
        (
            "The vote lasted half an hour after two and a half years of talks.",
            "2026-03-21",
            [("half an hour", "PT30M"), ("two and a half years", "P2.5Y")],
        ),
        ("The decades-long dispute ended.", "2026-03-21", [("decades", "PXY")]),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else None,
)
def test_timeml_values_of_wire_copy(
    sentence: str, published: str, expected: list[tuple[str, str]]
) -> None:
    assert found(sentence, published) == expected
