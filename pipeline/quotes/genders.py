"""Which people of a story the copy itself marks as a man or a woman, so that "she said" is not
credited to the man named just before her. The evidence is the story's own words, never a
guess from a first name: an honorific ("Mr. Haddad", "Ms. Lind"), a gendered role word next to
the name ("the congresswoman", "spokesman Karim Haddad") and the possessive or object pronoun
of a sentence that names only that person ("Lind said her office ..."). A person with no
evidence, or with evidence both ways, has no gender and fits either pronoun.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

from pipeline.quotes.text import QuoteText
from pipeline.story import Entity

Gender = str  # "m" or "f"

HONORIFIC_GENDERS = {"mr": "m", "sir": "m", "mrs": "f", "ms": "f", "miss": "f", "dame": "f"}
ROLE_GENDERS = {
    **dict.fromkeys(
        "congressman spokesman chairman businessman councilman assemblyman alderman "
        "husband father son brother uncle nephew grandfather king prince duke actor "
        "boyfriend widower".split(),
        "m",
    ),
    **dict.fromkeys(
        "congresswoman spokeswoman chairwoman businesswoman councilwoman assemblywoman "
        "wife mother daughter sister aunt niece grandmother queen princess duchess actress "
        "girlfriend widow".split(),
        "f",
    ),
}
_PRONOUN_GENDER = {
    **dict.fromkeys("he him his himself".split(), "m"),
    **dict.fromkeys("she her hers herself".split(), "f"),
}
# Only the forms that point back at the sentence's subject: "his", "herself", "her office"
# (not "him" or "followed her with", which name someone else as often as not).
_PRONOUN_RE = re.compile(r"\b(?:his|himself|hers|herself|her(?= [a-z]+))\b", re.IGNORECASE)
_NOT_AFTER_HER = frozenset(
    "with to in on at for as and or but that the a an of from by about after before over into "
    "than when if because was is".split()
)
_WORD_RE = re.compile(r"[A-Za-z]+")
_ROLE_REACH = 24  # characters either side of a mention read for a role word or honorific
_PRONOUN_WEIGHT = 1
_MARKED_WEIGHT = 3  # an honorific or role word outweighs a pronoun read off one sentence

Mention = tuple[int, int, Entity]


def pronoun_gender(word: str) -> Gender | None:
    return _PRONOUN_GENDER.get(word.lower())


def story_genders(text: QuoteText, mentions: Sequence[Mention]) -> dict[str, Gender]:
    """Person name -> "m"/"f" where the story's evidence points one way."""
    votes: dict[str, Counter[str]] = {}
    people = [(s, e, ent) for s, e, ent in mentions if ent.label == "PERSON"]
    masked = text.masked
    for start, end, entity in people:
        before = _WORD_RE.findall(masked, max(0, start - _ROLE_REACH), start)[-2:]
        after = _WORD_RE.findall(masked, end, end + _ROLE_REACH)[:3]
        marks = [HONORIFIC_GENDERS.get(w.lower()) for w in before[-1:]]
        marks += [ROLE_GENDERS.get(w.lower()) for w in before]
        if masked[end : end + 2] == ", ":
            marks += [ROLE_GENDERS.get(w.lower()) for w in after]
        for mark in marks:
            if mark is not None:
                votes.setdefault(entity.name, Counter())[mark] += _MARKED_WEIGHT
    starts = [s for s, _, _ in people]
    bounds = [*text.starts, len(text.body)]
    for n in range(len(bounds) - 1):
        lo, hi = bounds[n], bounds[n + 1]
        i, j = bisect_left(starts, lo), bisect_left(starts, hi)
        named = {people[k][2].name for k in range(i, j)}
        if len(named) != 1:
            continue  # two people in one sentence: its pronouns could be either's
        first_end = people[i][1]
        hit = _PRONOUN_RE.search(masked, first_end, hi)
        while hit is not None and hit.group().lower() == "her" and _object_her(masked, hit.end()):
            hit = _PRONOUN_RE.search(masked, hit.end(), hi)
        if hit is not None:
            votes.setdefault(named.pop(), Counter())[_PRONOUN_GENDER[hit.group().lower()]] += (
                _PRONOUN_WEIGHT
            )
    genders: dict[str, Gender] = {}
    for name, counted in votes.items():
        male, female = counted["m"], counted["f"]
        if male != female and min(male, female) * 2 < max(male, female):
            genders[name] = "m" if male > female else "f"
    return genders


def _object_her(masked: str, end: int) -> bool:
    """ "followed her with": "her" as an object, not a possessive ("her office")."""
    following = _WORD_RE.match(masked, end + 1)
    return following is None or following.group() in _NOT_AFTER_HER


def fits(gender: Gender | None, pronoun: Gender | None) -> bool:
    """Whether a person of that gender (None: unknown) can be the pronoun's referent."""
    return gender is None or pronoun is None or gender == pronoun
