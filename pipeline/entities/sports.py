"""Sports copy for the entity layer: whether a story reads as sport, and where a name stands in
a team's slot ("Leeds beat Chelsea 2-1", "Essex v Derbyshire", a table row "Ajax 3 2 1 0 7 2 7").

Cues are the layout and verbs of results, never team names: a score between two names, "v" or
"vs" between them, a row of a standings table, a cricket total after a county, a result verb
("beat", "drew with") in a story that reads as sport. `pipeline.entities.teams` turns the
slots into labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal, NamedTuple

from pipeline.entities.gazetteer import story_lower_words
from pipeline.entities.layout import table_row

# Section slugs and words that make a story sport ("SOCCER - LEEDS WIN", "innings", "goals").
SPORTS = frozenset(
    """
    soccer football cricket rugby baseball basketball tennis golf athletics cycling boxing
    hockey racing rallying squash badminton swimming skiing motorcycling motocross rowing
    sailing yachting volleyball handball snooker darts sport sports
    """.split()
)
SPORTS_WORDS = frozenset(
    """
    goal goals scored scorer scorers striker midfielder goalkeeper defender innings wicket
    wickets bowled batting bowling century runs inning homer homers pitcher pitched
    touchdown quarterback half-time halftime penalty penalties league cup championship
    standings fixture fixtures match matches game games season coach squad
    """.split()
)
# Words of clubs' names, which make a name no person's ("Aston Villa", "Manchester United").
CLUB_WORDS = frozenset(
    """
    united city town county rovers wanderers athletic athletico atletico albion villa rangers
    fc afc cf sc sv ac as fk sk ik if bk real sporting dynamo dinamo spartak lokomotiv
    olympique olympic inter racing deportivo club hotspur orient
    """.split()
)
# Result verbs between two teams: "Leeds beat Chelsea", "Essex drew with Kent".
RESULT_VERBS = (
    "beat",
    "beats",
    "defeated",
    "defeat",
    "thrashed",
    "routed",
    "edged",
    "crushed",
    "overcame",
    "outplayed",
    "drew with",
    "drew against",
    "lost to",
    "lose to",
    "v",
    "vs",
    "vs.",
    "versus",
)
# Words after which a team is named: "a win over Leeds", "at home to Kent".
_AFTER = ("against", "win over", "victory over", "home to", "draw with", "beaten by", "loss to")
_WORD = r"[A-Z][\w'’.\-/&]*"
_LINK = r"(?:de|del|di|da|do|la|le|of|and|&|am|im|'s|’s)"
# A team's name as tables write it: capitalised words, small links between ("Queen's Park").
_NAME = rf"{_WORD}(?: (?:{_LINK} )?{_WORD})*"
_COUNTRY = rf"(?: \( ?{_WORD}(?: {_WORD})* ?\))?"  # "Ajax ( Netherlands )" in cup draws
_SCORE = r"\d{1,3}"
_TEAM = rf"(?P<{{}}>{_NAME}){_COUNTRY}"
# "Leeds 2 Chelsea 1", "Seattle 10 BALTIMORE 3", "AEK Larnaca (Cyprus) 5 Kotaik (Armenia) 0"
# A row may open with its venue or a rank: "In Bergen : Brann (Norway) 2 Shelbourne (Ireland) 1".
_ROW_START = r"(?:[A-Z][^:\n]{0,40} ?: )?(?:\d+\.? )?"
_RESULT_ROW = re.compile(
    rf"{_ROW_START}{_TEAM.format('home')} {_SCORE} {_TEAM.format('away')}"
    rf"(?: {_SCORE}(?![\d\-.:])| ?$)"
)
# "Ajax 3 2 1 0 7 2 7", "NEW YORK 75 45 .625 -": a name, then three figures or more.
_STANDINGS_ROW = re.compile(
    rf"{_ROW_START}{_TEAM.format('team')}(?: (?:[+\-]?\d[\d./\-]*|\.\d+|-)){{3,}} ?$"
)
_TOTAL_RUNS = r"\d{1,3}(?:-\d{1,2})?"  # 326, or 128-1 (runs for wickets)
# "Durham 281 ( R. Penn 74 )", "Essex 72-0 .", "Kent 128-1 v Glamorgan": a total after a county.
_TOTAL = re.compile(
    rf"(?:^|: |; |, ){_TEAM.format('team')} {_TOTAL_RUNS}(?: and {_TOTAL_RUNS})?"
    r"(?= \(| \.| ,| v |$)"
)
_FIXTURE = re.compile(
    rf"{_TEAM.format('home')}(?: \d{{1,3}}(?:-\d{{1,2}})?)?(?: \([^()\n]{{0,80}}\))? "
    rf"(?:v|vs\.?|versus) {_TEAM.format('away')}"
)
_FIXTURE_LINE = re.compile(rf"{_TEAM.format('home')} (?:v|vs\.?|versus) {_TEAM.format('away')}\.?")
_FIXTURE_WORD = re.compile(r" (?:v|vs\.?|versus) ")
_DIGIT = re.compile(r"\d")
_SCORE_IN_TEXT = re.compile(r"\b\d{1,2}-\d{1,2}\b")
_VERB = "|".join(re.escape(verb) for verb in sorted(RESULT_VERBS, key=len, reverse=True))
# "beat Chelsea 2-1", "won 3-0": a result with its score.
_SCORED_RESULT = re.compile(
    rf"\b(?:(?:{_VERB}) {_NAME}{_COUNTRY}|won|lost|drew) \d{{1,2}}-\d{{1,2}}\b"
)
_BEFORE_VERB = re.compile(rf"(?P<team>{_NAME}) (?:{_VERB})(?=[ ,.;:]|$)")
_AFTER_VERB = re.compile(rf"\b(?:{_VERB}|{'|'.join(_AFTER)}) (?P<team>{_NAME})")
_SCORE_PAIR = r"\d{1,2}-\d{1,2}(?: \( ?\d{1,2}-\d{1,2} ?\))?"
# "Red Star win 2-1 on aggregate", "Gothenburg drew 1-1 (1-0) with Ferencvaros".
_SCORED_SUBJECT = re.compile(
    rf"(?P<team>{_NAME}){_COUNTRY}(?: of {_WORD})? (?:win|wins|won|lose|loses|lost|draw|drew|go "
    rf"through|went through) {_SCORE_PAIR}"
)
_SCORED_OBJECT = re.compile(
    rf"\b(?:win|won|lost|draw|drew|beat) {_SCORE_PAIR} (?:with|against|to|over|at) "
    rf"(?P<team>{_NAME})"
)
# "Hearts - Dave McPherson (44th)": a side, then its scorers and the minutes of their goals.
_SCORERS_ROW = re.compile(
    rf"{_ROW_START}(?P<team>{_NAME}) ?[-:] (?=[A-Z][^()\n]{{0,60}}\( ?\d{{1,3}}(?:st|nd|rd|th)\b)"
)
# "OAKLAND AT BOSTON": a schedule line, the visitors at the home side's ground.
_AT_ROW = re.compile(rf"(?P<team>{_NAME}) (?:at|AT) {_NAME}(?: \([^()\n]{{0,30}}\))? ?$")
_INITIAL = re.compile(r"[A-Z]\.(?:[A-Z]\.)*(?: |$)")  # "R. Penn": a player, not a county
_SLUG = re.compile(r"(?P<slug>[A-Za-z]+(?: [A-Za-z]+)?) ?(?:-|:) ")
_MIN_SPORTS_WORDS = 3


def sports_slug(body: str) -> tuple[int, int] | None:
    """Offsets of a sports section slug opening the story ("SOCCER - ", "Cricket: "), which
    names no entity, or None."""
    match = _SLUG.match(body)
    if match is None or not all(w.lower() in SPORTS for w in match["slug"].split()):
        return None
    return match.span("slug")


def is_sports_story(body: str, lower_words: frozenset[str] | None = None) -> bool:
    """A sports slug, a results line, a line that is a fixture ("Essex v Derbyshire"), or
    scores with the words of sport around them (`lower_words`: the story's lower-case words,
    when the caller has them). A court case cited in running copy ("Halden v Morrow, a 1998
    ruling") is none."""
    if sports_slug(body) is not None:
        return True
    lines = body.splitlines()
    if any(_RESULT_ROW.match(line) or _FIXTURE_LINE.fullmatch(line) for line in lines):
        return True
    if _SCORE_IN_TEXT.search(body) is None:
        return False
    if _SCORED_RESULT.search(body) is not None:
        return True
    words = story_lower_words(body) if lower_words is None else lower_words
    return len(SPORTS_WORDS & words) >= _MIN_SPORTS_WORDS


SlotKind = Literal["result", "row", "prose"]


class Slot(NamedTuple):
    """A name in a team's place, and what put it there: a score between two names ("result":
    a team, whatever its name looks like), another line of results or standings ("row": sure
    enough to add when spaCy tagged nothing there), or a result verb ("prose")."""

    start: int
    end: int
    kind: SlotKind


def team_slots(body: str, sports: bool) -> list[Slot]:
    """The names that stand where a team's name does: in results, fixtures and standings
    lines always, after or before a result verb only in a sports story. Initials-first names
    ("R. Penn 74") are players."""
    found: list[Slot] = []
    offset = 0
    for line in body.split("\n"):
        for start, end, kind in _line_slots(line, sports):
            if _INITIAL.match(line, start):
                continue
            if line[end - 1] == "." and "." not in line[start : end - 1] and end - start > 4:
                end -= 1  # the full stop after "v Sussex.", not "F.C." or "St."
            found.append(Slot(offset + start, offset + end, kind))
        offset += len(line) + 1
    return found


def _line_slots(line: str, sports: bool) -> Iterator[tuple[int, int, SlotKind]]:
    if sports:
        for pattern in (_BEFORE_VERB, _AFTER_VERB, _SCORED_SUBJECT, _SCORED_OBJECT):
            for found in pattern.finditer(line):
                yield *found.span("team"), "prose"
        for pattern in (_SCORERS_ROW, _AT_ROW):
            if (row := pattern.match(line)) is not None:
                yield *row.span("team"), "row"
    if sports and _FIXTURE_WORD.search(line) is not None:
        for fixture in _FIXTURE.finditer(line):
            yield *fixture.span("home"), "row"
            yield *fixture.span("away"), "row"
    if _DIGIT.search(line) is None:
        return  # results, standings and totals all hold figures
    if (result := _RESULT_ROW.match(line)) is not None:
        yield *result.span("home"), "result"
        yield *result.span("away"), "result"
    if table_row(line) and (standing := _STANDINGS_ROW.match(line)) is not None:
        yield *standing.span("team"), "row"
    for total in _TOTAL.finditer(line):
        yield *total.span("team"), "row"


_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|from|outside) $", re.IGNORECASE)


def place_before(body: str, start: int) -> bool:
    """True when a preposition of place stands right before the name ("in Leeds", "SEATTLE
    AT BALTIMORE" in a schedule in capitals)."""
    return _PLACE_BEFORE.search(body, max(0, start - 8), start) is not None
