"""Titles and roles for the entity layer: "Kremlin leader Vladimir Putin", "his envoy, X,".

`title_before` and `apposition_after` read the words around a person mention; `strip_title`
cuts a title spaCy left inside a PERSON span. Pure text rules over a bounded window.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Nouns that head a title: the word right before the name in "Kremlin leader Putin".
HEADS = frozenset(
    """
    president vice-president president-elect premier minister secretary chancellor leader
    envoy ambassador spokesman spokeswoman spokesperson senator sen. governor gov. mayor king
    queen prince princess pope emperor general gen. colonel col. admiral commander chief ceo
    cfo coo cto chairman chairwoman chairperson chair director executive officer founder
    co-founder head judge justice analyst economist lawyer attorney official adviser advisor
    aide negotiator correspondent editor reporter coach manager candidate lawmaker congressman
    congresswoman representative rep. speaker commissioner prosecutor professor prof. dean
    nominee partner owner strategist researcher scientist expert activist diplomat monarch
    sheikh emir archbishop bishop cardinal inspector captain capt. lieutenant sergeant
    """.split()
)
# Words that qualify a head: "former", "deputy", "Foreign" in "former Foreign Minister".
MODIFIERS = frozenset(
    """
    former then acting interim deputy vice assistant associate senior junior top prime foreign
    defence defense finance interior health trade state managing first lead outgoing incoming
    retired special principal operating financial technology technical marketing sales
    regional national federal supreme high security intelligence military economic
    presidential opposition party company group industry chief executive general attorney
    majority minority
    """.split()
)
# Ministries and departments: "State" in "Secretary of State" names no organisation.
DEPARTMENTS = frozenset(
    """
    state defense defence treasury commerce energy justice labor labour interior agriculture
    education transportation transport health finance trade economy war homeland
    """.split()
)
# Heads of titles that are first names as often: a span opening with one is a name.
GIVEN_NAMES_TOO = frozenset(("dean",))
HONORIFICS = frozenset("mr mr. mrs mrs. ms ms. mx mx. dr dr. sir dame lord lady rev rev.".split())
_DETERMINERS = frozenset("the a an his her its their our my your this that".split())
_LINKS = frozenset(("of", "for", "at"))

# A word, or a dotted abbreviation such as U.S. (a letter and a dot, repeated).
_WORD = re.compile(r"(?:[^\W\d_]\.){2,}|\w[\w\-’']*")
_TITLE_AFTER = re.compile(r" ([A-Z][a-z]+) [A-Z]")  # " Secretary Mark"
_WINDOW = 160
_MAX_TITLE_WORDS = 8


class Title(NamedTuple):
    """A role as written in the body and where it sits."""

    text: str
    start: int
    end: int


class _Word(NamedTuple):
    text: str
    start: int
    end: int


def title_before(body: str, start: int, end: int, proper: frozenset[int]) -> Title | None:
    """The title written right before the name at body[start:end] ("U.S. Secretary of State").

    `proper` holds the start offsets of the words inside non-person entity mentions: only
    those capitalised words ("Kremlin", "U.S.") may qualify a title, so "Yesterday President
    X" gives "President". A comma apposition counts ("The United States President, X,").
    """
    title = _match_title(body, _clause_before(body, start), proper)
    if title is not None:
        return title
    if body[start - 2 : start] == ", " and body[end : end + 1] == ",":
        return _match_title(body, _clause_before(body, start - 2), proper)
    return None


def word_starts(body: str, start: int, end: int) -> list[int]:
    """Offsets of the words in body[start:end]: what `proper` is made of."""
    return [match.start() for match in _WORD.finditer(body, start, end)]


def apposition_after(body: str, end: int, proper: frozenset[int]) -> Title | None:
    """The role in a comma apposition after a name: "X, the chief executive of Y," -> "chief
    executive of Y". The apposition must run to the next comma, full stop or end of line."""
    if body[end : end + 1] != ",":
        return None
    lead = end + 1 + len(body[end + 1 : end + 4]) - len(body[end + 1 : end + 4].lstrip())
    limit = min(len(body), end + _WINDOW)
    words = [_Word(m[0], m.start(), m.end()) for m in _WORD.finditer(body, lead, limit)]
    phrase: list[_Word] = []
    for word in words:
        gap = body[(phrase[-1].end if phrase else lead) : word.start]
        if gap.strip():
            break
        phrase.append(word)
    if not phrase or len(phrase) > _MAX_TITLE_WORDS + 2:
        return None
    stop = body[phrase[-1].end : phrase[-1].end + 1]
    if stop not in ("", ",", ".", ";", "\n"):
        return None
    if phrase[0].text.lower() in _DETERMINERS:
        phrase = phrase[1:]
    seen_head = False
    for index, word in enumerate(phrase):
        lower = word.text.lower()
        if lower in HEADS:
            seen_head = True
        elif seen_head and lower in _LINKS and index + 1 < len(phrase):
            break
        elif not (lower in MODIFIERS or word.start in proper or _possessive(word.text)):
            return None
    if not seen_head:
        return None
    return Title(body[phrase[0].start : phrase[-1].end], phrase[0].start, phrase[-1].end)


def strip_title(text: str) -> tuple[str, int]:
    """Leading title and honorific words of a person span and how many characters they take:
    "President Putin" -> ("President", 10). A span that is all title is left alone, and so
    are qualifiers with no head noun ("National Democratic Alliance" is a name) and a head
    that is also a first name ("Dean Corso")."""
    words = list(_WORD.finditer(text))
    cut = 0
    headed = False
    for index, match in enumerate(words[:-1]):
        lower = _with_dot(text, match).lower()
        if lower in GIVEN_NAMES_TOO:
            break
        if lower in HEADS or lower in MODIFIERS or lower in HONORIFICS:
            cut = index + 1
            headed = headed or lower in HEADS or lower in HONORIFICS
            continue
        break
    if cut == 0 or not headed:
        return "", 0
    last = words[cut - 1]
    end = last.end() + (1 if _with_dot(text, last) != last[0] else 0)
    rest = len(text) - len(text[end:].lstrip())
    return text[:end], rest


def is_title_word(word: str) -> bool:
    """A word that can stand in a title or before a name: President, Mr, former, the."""
    lower = word.lower()
    return lower in HEADS or lower in MODIFIERS or lower in HONORIFICS or lower in _DETERMINERS


def honorific_before(body: str, start: int) -> bool:
    """True when Mr, Mrs, Dr... stands right before the word at `start`."""
    words = body[max(0, start - 6) : start].split()
    return bool(words) and body[start - 1 : start] == " " and words[-1].lower() in HONORIFICS


def is_honorific(text: str) -> bool:
    """Mr, Mrs, Dr and the like: stripped from names but no role of their own."""
    return all(word.lower() in HONORIFICS for word in text.split())


def is_department(body: str, start: int, end: int) -> bool:
    """True for a department word inside a formal title: "State" in "Secretary of State",
    "Defence" in "Defence Secretary Mark Ellison" (but not in "a Treasury spokesman")."""
    if body[start:end].lower() not in DEPARTMENTS:
        return False
    before = body[max(0, start - 40) : start].split()
    if len(before) >= 2 and before[-1] == "of" and before[-2].lower() in HEADS:
        return True
    after = _TITLE_AFTER.match(body, end)
    return after is not None and after[1].lower() in HEADS


def _clause_before(body: str, start: int) -> list[_Word]:
    """The words before `start` up to punctuation, nearest last (at most a title's length)."""
    floor = max(0, start - _WINDOW)
    words = [_Word(m[0], m.start(), m.end()) for m in _WORD.finditer(body, floor, start)]
    clause: list[_Word] = []
    edge = start
    for word in reversed(words):
        dotted = body[word.end : word.end + 1] == "." and _abbrev(word.text)
        end = word.end + 1 if dotted else word.end
        if body[end:edge].strip():
            break
        clause.append(_Word(body[word.start : end], word.start, end))
        edge = word.start
        if len(clause) > _MAX_TITLE_WORDS:
            break
    return clause


def _match_title(body: str, clause: list[_Word], proper: frozenset[int]) -> Title | None:
    """The longest run at the end of a clause that reads as a title with a head noun."""
    taken: list[_Word] = []
    complement = _complement(clause)
    if complement:
        taken = clause[:complement]
    seen_head = bool(taken)
    for word in clause[len(taken) :]:
        lower = word.text.lower()
        if lower in _DETERMINERS or lower in HONORIFICS:
            break
        if lower in HEADS:
            seen_head = True
        elif not (lower in MODIFIERS or word.start in proper):
            break
        taken.append(word)
    if not seen_head or not taken:
        return None
    first, last = taken[-1], taken[0]
    return Title(body[first.start : last.end], first.start, last.end)


def _complement(clause: list[_Word]) -> int:
    """How many words an "of" complement takes ("Secretary of State": 3 with the head), or 0."""
    for size in (1, 2, 3):
        if len(clause) < size + 2:
            return 0
        link, head = clause[size], clause[size + 1]
        if not all(word.text[:1].isupper() for word in clause[:size]):
            return 0
        if link.text == "of" and head.text.lower() in HEADS:
            return size + 2
    return 0


def _with_dot(text: str, match: re.Match[str]) -> str:
    word = match[0]
    if text[match.end() : match.end() + 1] == "." and _abbrev(word):
        return word + "."
    return word


def _abbrev(word: str) -> bool:
    return f"{word.lower()}." in HEADS or f"{word.lower()}." in HONORIFICS


def _possessive(word: str) -> bool:
    return word.endswith(("’s", "'s")) and word[:1].isupper()
