"""Where a word sits in the story's layout, for the entity layer: the dateline, a headline in
capitals, a row of a table.

Pure functions over the body, bounded to the line in question (or the head of the story for
the dateline); `pipeline.entities.grouping` and `pipeline.entities.sports` read them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.entities.gazetteer import find_dateline_place, find_place

# The dateline is looked for in the first lines of the story only (a headline may come first).
DATELINE_LINES = 3
DATELINE_REACH = 400
# A dateline with no date or agency ("LONDON - The") must name a country, a region or a city
# this large: short headlines open with acronyms ("NATO - Allies agree").
DASH_DATELINE_POPULATION = 100_000
_CAPS_WORD = r"[A-Z][A-Z'.\-]*[A-Z.]"
_REGION_WORD = r"[A-Z][A-Za-z'.\-]*"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = rf"(?:\d{{4}}-\d\d-\d\d|{_MONTH} \d{{1,2}}\b|\d{{1,2}} {_MONTH})"
# "PARIS 2026-08-30", "DUBLIN, Nov 27 (Wirestream) -", "AKRON, Ohio 2026-08-22",
# "NEW YORK (Reuters) -", "LONDON -": a place in capitals, perhaps its region, then a date,
# the agency in brackets or a dash.
_DATELINE = re.compile(
    rf"(?P<place>{_CAPS_WORD}(?: {_CAPS_WORD}){{0,3}})"
    rf"(?: ?, ?(?P<region>{_REGION_WORD}(?: {_REGION_WORD}){{0,2}}))?"
    rf" ?,? ?(?:{_DATE}|\([A-Z][\w&.\- ]{{0,30}}\)|[-\u2013\u2014]+ )"
)
# "Lisbon, March 3 (Wirestream) -": a place in mixed case counts only with the agency, and
# only when the gazetteer knows it ("Boeing (BA) - shares rise" is a headline).
_TITLE_WORD = r"[A-Z][a-z'.\-]+"
_TITLE_DATELINE = re.compile(
    rf"(?P<place>{_TITLE_WORD}(?: {_TITLE_WORD}){{0,3}})"
    rf"(?: ?, ?(?P<region>{_REGION_WORD}(?: {_REGION_WORD}){{0,2}}))?"
    rf" ?,? ?(?:{_DATE} ?)?\([A-Za-z][\w&.\- ]{{0,30}}\) ?[-\u2013\u2014]"
)
_FIGURE = re.compile(r"[+\-]?\d[\d.,:/\-]*")
# Headlines and table rows are short: a longer line is running copy.
MAX_LAYOUT_LINE = 400
_FIGURE_TOKEN = re.compile(r"(?<!\S)(?:[+\-]?\d[\d.,:/\-]*|\.\d+)(?!\S)")
_ROW_FIGURES = 3
# Calendar words spaCy now and then takes for a name in a table ("Jul 31 , 1996").
CALENDAR = frozenset(
    """
    jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june
    july august september october november december mon tue wed thu fri sat sun monday
    tuesday wednesday thursday friday saturday sunday
    """.split()
)
# Words for the people of a section that open its heading ("Men's 100 metres", "Women's
# singles"): capitalised there, no name.
SECTION_WORDS = frozenset("men women boys girls juniors seniors veterans".split())
_HEADER_TOKEN = re.compile(r"[A-Z]{1,4}")
_HEADER_TOKENS = 3


def dateline_places(body: str) -> tuple[tuple[int, int], ...]:
    """Offsets of the place words of the story's dateline ("PARIS", or "AKRON" and "Ohio",
    or "Lisbon" before its agency), or none. The dateline opens one of the first lines; a
    headline in capitals is none (its words are followed by more capitals, not by a date, an
    agency or lower-case copy)."""
    start = 0
    for _ in range(DATELINE_LINES):
        if start >= min(len(body), DATELINE_REACH):
            break
        match = _DATELINE.match(body, start)
        if match is None and (title := _TITLE_DATELINE.match(body, start)) is not None:
            match = title if find_place(title["place"]) is not None else None
        end = body.find("\n", start)
        end = len(body) if end < 0 else end
        if match is not None and _not_a_headline(body[match.end() : end], match):
            found = [match.span("place")]
            if match["region"] is not None:
                found.append(match.span("region"))
            return tuple(found)
        start = end + 1
        while body[start : start + 1] == "\n":
            start += 1
    return ()


def _not_a_headline(rest: str, match: re.Match[str]) -> bool:
    """A dateline ends with a date or an agency; one with a dash alone must name a known place
    and run on in mixed-case copy ("LONDON - The", not "SOCCER - JAPAN GET LUCKY WIN")."""
    if ")" in match[0] or not match[0].rstrip().endswith(("-", "\u2013", "\u2014")):
        return True
    place = find_dateline_place(match["place"])
    if place is None or place.kind == "city" and place.population < DASH_DATELINE_POPULATION:
        return False
    return any(ch.islower() for ch in rest)


def overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """True when body[start:end] shares a character with one of `spans`."""
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def line_of(body: str, start: int, end: int) -> str:
    """The line of body that holds body[start:end], when it is a short one (a headline, a
    row of a table); "" for a longer line, whose layout says nothing about its words."""
    floor, ceiling = max(0, start - MAX_LAYOUT_LINE), min(len(body), end + MAX_LAYOUT_LINE)
    line_start = body.rfind("\n", floor, start) + 1
    line_end = body.find("\n", end, ceiling)
    if line_end < 0:
        line_end = ceiling if ceiling == len(body) else -1
    if (line_start == 0 and floor > 0) or line_end < 0:
        return ""
    return body[line_start:line_end]


def is_figure(token: str) -> bool:
    """A number as tables write it: 12, 2-1, 1:55.3, .625, +358."""
    return _FIGURE.fullmatch(token) is not None or (token[:1] == "." and token[1:].isdigit())


def table_row(line: str) -> bool:
    """A line of a table: three figures or more, and at least one token in three a figure."""
    figures = len(_FIGURE_TOKEN.findall(line))
    return figures >= _ROW_FIGURES and 3 * figures >= len(line.split())


def in_capitals(body: str, start: int, end: int) -> bool:
    """True when the line of body[start:end] has no lower-case letter: a headline or a table
    written in capitals, where capitals say nothing about a word being a name."""
    line = line_of(body, start, end)
    return not any(ch.islower() for ch in line) and sum(ch.isupper() for ch in line) > 1


def column_header(line: str) -> bool:
    """A table's header row: short capitalised column names only ("W L PCT GB")."""
    tokens = line.split()
    return len(tokens) >= _HEADER_TOKENS and all(_HEADER_TOKEN.fullmatch(t) for t in tokens)


def not_a_name(body: str, start: int, end: int, lower_words: frozenset[str]) -> bool:
    """True for a span that layout says is no name: a calendar word, a section word ("Men"),
    a word of a table's header row, or one capitalised word opening a sentence that the story
    also writes in lower case ("Aggregate 2-2", "Qualifier vs. X" beside "on aggregate")."""
    text = body[start:end]
    if text.casefold().rstrip(".") in CALENDAR or text.casefold() in SECTION_WORDS:
        return True
    if column_header(line_of(body, start, end)):
        return True
    return (
        " " not in text
        and text.lower() in lower_words
        and not text.isupper()
        and _opens_line_or_sentence(body, start)
    )


def _opens_line_or_sentence(body: str, start: int) -> bool:
    before = body[max(0, start - 3) : start].rstrip(" ")
    return not before or before[-1] in ".!?\n"
