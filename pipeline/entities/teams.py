"""Teams and players for the entity layer: the labels the layout of sports copy gives a story's
mentions, and the names it adds where spaCy tagged nothing.

A club named after its town or county is an organisation where the story puts it in a team's
slot (`pipeline.entities.sports`); a player is a person where a draw or a list of scorers
prints one ("Ana Ruiz (Spain) beat ...", "Okafor (61st)"). `pipeline.entities.grouping` applies
`sports_labels` to its mentions before grouping them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from pipeline.entities.demonyms import find_demonym
from pipeline.entities.gazetteer import find_dateline_place, find_place, story_lower_words
from pipeline.entities.layout import not_a_name, overlaps
from pipeline.entities.mentions import name_shaped, not_a_place
from pipeline.entities.org_names import NAME_WORD
from pipeline.entities.sports import (
    CLUB_WORDS,
    SPORTS,
    SPORTS_WORDS,
    is_sports_story,
    place_before,
    team_slots,
)

# A person's name and country in brackets, as draws, results and squads print them.
_PLAYER = re.compile(
    r"(?<![\w’'])(?P<name>[A-Z][\w’'\-]+(?: [A-Z][\w’'\-]+){0,3}) \( ?"
    r"(?:(?P<country>[A-Z][\w.]*(?: [A-Z][\w.]*){0,2}) ?\)|(?P<minute>\d{1,3})(?:st|nd|rd|th)\b)"
)


class Tagged(NamedTuple):
    """A mention as grouping has it: offsets, label, and whether it is the dateline's place."""

    start: int
    end: int
    label: str
    dateline: bool = False


def sports_labels(
    body: str,
    tagged: Sequence[Tagged],
    people: Sequence[tuple[int, int]] = (),
    lower_words: frozenset[str] | None = None,
) -> tuple[dict[int, Tagged], list[Tagged]]:
    """What the layout of sports copy says of the story's mentions: {index in `tagged`: the
    mention relabelled (and widened to a table's whole name, "KANSAS" to "KANSAS CITY")}, and
    names spaCy left untagged. Clubs named after their town or county are
    organisations where the story puts them in a team's slot, and so is every other mention
    of that name, bar the dateline and a place after "in", "at" or "near". Countries stay
    places: a national team takes its country's label, as the gold of news corpora has it.
    `people` are names known to be persons' by their form (initials), which win over a slot;
    `lower_words` the story's lower-case words, when the caller has them."""
    words = story_lower_words(body) if lower_words is None else lower_words
    sports = is_sports_story(body, words)
    slots = team_slots(body, sports)
    relabel: dict[int, Tagged] = {}
    added: list[Tagged] = []
    spans = [(t.start, t.end) for t in tagged]
    teams: set[str] = set()
    for slot in slots:
        inside = [i for i, t in enumerate(tagged) if slot.start <= t.start and t.end <= slot.end]
        scored = slot.kind == "result"
        if len(inside) == 1 and slot.kind != "prose" and _team_name(body, *slot[:2], scored, words):
            relabel[inside[0]] = Tagged(slot.start, slot.end, "ORG")  # the row's whole name
            teams.add(body[slot.start : slot.end].casefold())
            continue
        for index in inside:
            if _team_name(body, tagged[index].start, tagged[index].end, scored, words):
                teams.add(body[tagged[index].start : tagged[index].end].casefold())
        if inside or slot.kind == "prose" or overlaps(slot.start, slot.end, spans):
            continue
        if _team_name(body, slot.start, slot.end, scored, words):
            added.append(Tagged(slot.start, slot.end, "ORG"))
            teams.add(body[slot.start : slot.end].casefold())
    for index, mention in enumerate(tagged):
        if (
            index not in relabel
            and body[mention.start : mention.end].casefold() in teams
            and not mention.dateline
            and not place_before(body, mention.start)
        ):
            relabel[index] = mention._replace(label="ORG")
    players = list(people)
    if sports:
        results = [(s.start, s.end) for s in slots if s.kind == "result"]
        players += [p for p in _players(body) if not overlaps(p[0], p[1], results)]
    _persons(players, tagged, relabel, added)
    return relabel, added


def _persons(
    found: list[tuple[int, int]],
    tagged: Sequence[Tagged],
    relabel: dict[int, Tagged],
    added: list[Tagged],
) -> None:
    """People: a mention at one of `found` becomes a person's, and one not tagged is added."""
    known = {(t.start, t.end): index for index, t in enumerate(tagged)}
    new = {(t.start, t.end): index for index, t in enumerate(added)}
    spans = [*known, *new]
    for start, end in found:
        if (start, end) in known:
            relabel[known[start, end]] = Tagged(start, end, "PERSON")
        elif (start, end) in new:
            added[new[start, end]] = Tagged(start, end, "PERSON")
        elif not overlaps(start, end, spans):
            added.append(Tagged(start, end, "PERSON"))
            spans.append((start, end))


def _players(body: str) -> list[tuple[int, int]]:
    """Names written as a player's are, in results, draws and lists of scorers: "Ana Ruiz
    (Spain) beat ...", "Okafor (61st)" (the minute of a goal)."""
    found: list[tuple[int, int]] = []
    for match in _PLAYER.finditer(body):
        words = NAME_WORD.findall(match["name"])
        if any(word.casefold() in CLUB_WORDS for word in words):
            continue
        if match["minute"] is not None:
            if len(words) == 1 and not not_a_place(words[0]):
                continue
        else:
            place = find_place(match["country"])
            if place is None or place.kind != "country" or not name_shaped(words):
                continue
        found.append(match.span("name"))
    return found


def _team_name(body: str, start: int, end: int, scored: bool, lower_words: frozenset[str]) -> bool:
    """A name that can be a club's: no country or continent, no nationality, no word of
    sport or of a table ("Scorers:", "Aggregate 2-2", "Jul 31"), and no person's full name
    ("Fortuna Sittard" ends in a town, "Aston Villa" in a club word) unless a score stands
    between it and another team."""
    text = body[start:end]
    place = find_place(text) or find_dateline_place(text)
    if place is not None and place.kind in ("country", "continent"):
        return False
    if find_demonym(text) is not None or text.casefold() in SPORTS | SPORTS_WORDS:
        return False
    if not_a_name(body, start, end, lower_words):
        return False
    words = NAME_WORD.findall(text)
    if scored or any(word.casefold() in CLUB_WORDS for word in words):
        return True
    return not (name_shaped(words) and not_a_place(words[-1]))
