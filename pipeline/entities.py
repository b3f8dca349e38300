"""Entities stage: raw spaCy spans -> one Entity per person, place or organisation in the story.

Runs after NER: cleans each span, groups mentions under a canonical name, settles one label
per entity from all its evidence and the gazetteers, finds missed mentions, reads titles.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.gazetteer import (
    Place,
    find_dateline_place,
    find_missed_places,
    find_place,
    free_standing,
    is_demonym,
    sentence_initial,
)
from pipeline.nlp import NerSpan
from pipeline.roles import (
    HEADS,
    apposition_after,
    honorific_before,
    is_department,
    is_honorific,
    is_title_word,
    strip_title,
    title_before,
    word_starts,
)
from pipeline.story import Entity, Mention

PUBLISHED = frozenset(
    ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW")
)
# Ties in the label vote go to the earlier label; a person needs a full name to win one.
_TIES = ("GPE", "ORG", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "PERSON")
# spaCy folds a leading "the" into these ("the Kremlin"); names of works keep theirs.
_TRIM_THE = frozenset(("ORG", "GPE", "LOC", "NORP", "FAC"))
# Labels a gazetteer place overrides: spaCy's usual confusions for a town it does not know.
_PLACE_OVERRIDES = frozenset(("GPE", "LOC", "FAC"))
# These (and one-word PERSON spans) yield only to a country, a region or a large city: brands
# and people share names with small towns (Pontiac, Cadillac, Martin).
_LARGE_PLACE_OVERRIDES = frozenset(("PERSON", "PRODUCT", "WORK_OF_ART", "EVENT", "NORP"))
_LARGE_CITY = 100_000
_UNKNOWN = ""  # the vote of a mention whose context rules out spaCy's label and no other
_GROUP_OF_NATIONS = re.compile(r"G-?\d{1,2}")
_ORG_WORDS = frozenset(
    """
    inc inc. corp corp. co co. ltd ltd. llc plc group company corporation airlines airways
    aircraft motors systems bank store music records studios holdings partners capital
    network media news times post journal magazine university college council committee
    party agency institute foundation association union
    """.split()
)
# A model designation after a maker's name: A380, 787, 737-800, F-35 (not a year).
_MODEL = r"(?!(?:19|20)\d\d\b)(?:[A-Z]{1,3}-?\d{1,4}|\d{3,4})(?:-\d{1,4})?[A-Za-z]{0,2}\b"
_MODEL_AFTER = re.compile(" " + _MODEL)
_MODEL_LAST = re.compile(r"\w \b" + _MODEL + "$")
_PRODUCT_NOUNS = frozenset(
    """
    player players phone phones handset handsets smartphone line range computer computers
    laptop laptops tablet tablets device devices model models jet jets airliner airliners
    aircraft car cars vehicle vehicles truck trucks owners users
    """.split()
)
_FUNCTION_WORDS = frozenset(
    "and or but with that which who for in on at to from of by is was has had will".split()
)
_AFTER_FIGURE = re.compile(r"\d[)(]?\s?\(?$")
_WORD_AFTER = re.compile(r"(?:’s|'s)? ([\w\-]+)")
_NAME_WORD = re.compile(r"[^\W\d_][\w\-’'.]*")
_LOWER_WORD = re.compile(r"\b[a-z][a-z\-]*")
_NEXT_WORD = re.compile(r" [^\W\d_]")


@dataclass(slots=True)
class _Cand:
    """One mention on its way to an entity: cleaned offsets and the label it votes for."""

    start: int
    end: int
    label: str
    title: str = ""  # a title cut from the span ("President" of "President Putin")
    titled: bool = False  # a title or honorific stands before the name: surely a person
    place: Place | None = None
    from_context: bool = False  # the label comes from the words around, not from spaCy


@dataclass(slots=True)
class _Group:
    mentions: list[_Cand] = field(default_factory=list)
    person_name: str = ""  # the longest full name, for groups around a person


def group_entities(body: str, spans: Sequence[NerSpan]) -> tuple[Entity, ...]:
    """Group the story's NER spans into entities, ordered by first mention.

    Numeric and time labels are dropped (other stages own them); every mention keeps exact
    offsets into `body`.
    """
    cands = [cand for span in spans if (cand := _clean(body, span)) is not None]
    groups = _group(body, cands)
    taken = [(c.start, c.end) for group in groups for c in group.mentions]
    taken += [  # numbers and dates hold no names: "$9.99 US dollars"
        (s.start, s.end)
        for s in spans
        if s.label not in PUBLISHED and body[s.start : s.end] == s.text
    ]
    occupied = bytearray(len(body) + 1)
    for start, end in taken:
        occupied[start:end] = b"\x01" * (end - start)
    lower_words = frozenset(_LOWER_WORD.findall(body))
    for group in groups:
        label = _vote(group)
        if label == _UNKNOWN:
            continue
        forms = {body[c.start : c.end] for c in group.mentions}
        if group.person_name:
            forms.add(group.person_name.split()[-1])
        for start, end in _propagate(body, forms, occupied, lower_words):
            group.mentions.append(_Cand(start, end, label))
            taken.append((start, end))
    person_words = {w for g in groups if g.person_name for w in g.person_name.split()}
    for start, end, place in find_missed_places(body, taken, person_words):
        groups.append(_Group([_Cand(start, end, place.label, place=place)]))
    proper = frozenset(
        offset
        for group in groups
        if not group.person_name
        for c in group.mentions
        for offset in word_starts(body, c.start, c.end)
    )
    entities = [_entity(body, g, proper) for g in groups if g.mentions[0].label != _UNKNOWN]
    return tuple(sorted(entities, key=lambda entity: entity.mentions[0].start))


def _clean(body: str, span: NerSpan) -> _Cand | None:
    """Trim what is not the name (possessive, "the", titles), then settle what it votes for."""
    if span.label not in PUBLISHED or body[span.start : span.end] != span.text:
        return None
    start, end, title = _trim(body, span)
    if start >= end or not body[start:end].strip() or is_department(body, start, end):
        return None
    return _relabel(body, _Cand(start, end, "PERSON" if title else span.label, title))


def _trim(body: str, span: NerSpan) -> tuple[int, int, str]:
    """Offsets of the name inside a span, and the title cut from a PERSON span."""
    start, end, label, text = span.start, span.end, span.label, span.text
    for suffix in ("’s", "'s", "’", "'"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text, end = text[: -len(suffix)], end - len(suffix)
            break
    if label in _TRIM_THE and text[:4] in ("the ", "The "):
        text, start = text[4:], start + 4
    if label == "ORG" and text.endswith(" Flight") and len(text) > 7:
        end -= 7  # "Air France Flight 447": the airline is the organisation
    if label not in ("PERSON", "ORG"):
        return start, end, ""
    title, cut = strip_title(text)
    if not cut or not text[cut:][:1].isupper():
        return start, end, ""
    if label == "ORG" and not _name_shaped(_NAME_WORD.findall(text[cut:])):
        return start, end, ""  # "General Motors" stays whole; "Spokeswoman Sandy Angers" not
    return start + cut, end, title


_DATELINE_REACH = 40
_DATELINE_AFTER = re.compile(r"(?:,| \(| [-\u2013\u2014])")


def _relabel(body: str, cand: _Cand) -> _Cand:
    """The label a mention votes for: spaCy's, unless a pattern, a gazetteer place or the
    words around it say otherwise."""
    text, label = body[cand.start : cand.end], cand.label
    if _GROUP_OF_NATIONS.fullmatch(text):
        cand.label = "ORG"
        return cand
    if label in ("ORG", "PERSON", "PRODUCT") and (model := _MODEL_AFTER.match(body, cand.end)):
        cand.end, cand.label = model.end(), "PRODUCT"  # "Airbus A380": the maker names it
        return cand
    if label in ("ORG", "PERSON") and _MODEL_LAST.search(text):
        cand.label = "PRODUCT"
        return cand
    cand.place = place = find_place(text)
    if place is None and cand.start < _DATELINE_REACH and _DATELINE_AFTER.match(body, cand.end):
        cand.place = place = find_dateline_place(text)
        if place is not None:
            cand.label = place.label  # "DUBLIN, Nov 27 (Wirestream) -" opens the copy
            return cand
    if place is not None and label in _PLACE_OVERRIDES:
        label = place.label
    elif place is not None and label in _LARGE_PLACE_OVERRIDES - {"PERSON"} and _large(place):
        label = place.label  # a one-word PERSON that is a place is settled when grouping
    elif place is not None and label == "ORG" and place.kind != "city":
        label = place.label
    elif label == "GPE" and place is None and is_demonym(text):
        label = "NORP"
    cand.label = label
    cand.titled = bool(cand.title)
    if label == "PERSON" and not cand.title:
        cand.titled = honorific_before(body, cand.start) or (
            title_before(body, cand.start, cand.end, frozenset()) is not None
        )
        cand.label = _person_in_context(body, cand.start, cand.end, cand.titled)
    elif label == "ORG" and _name_shaped(_NAME_WORD.findall(text)) and apposition_after(
        body, cand.end, frozenset()
    ):
        cand.label = "PERSON"  # "Annelies de Vries, a negotiator for the union,"
    elif label == "ORG":
        cand.label = _org_in_context(body, cand.start, cand.end)
    cand.from_context = cand.label != label
    return cand


def _org_in_context(body: str, start: int, end: int) -> str:
    """ORG, or PRODUCT where the words around say a thing, not a company, is meant: "an iPod",
    "iPod players", "the iPhone line"; a currency or time-zone code after a figure is none."""
    if _AFTER_FIGURE.search(body, max(0, start - 8), start) and body[start:end].isupper():
        return _UNKNOWN  # "16:30 UTC", "$99 (USD)"
    after = _WORD_AFTER.match(body, end)
    if after is not None and not after[0].startswith(("’", "'")):
        if after[1].lower() in _PRODUCT_NOUNS:
            return "PRODUCT"
    before = body[max(0, start - 5) : start].lower()
    if before.endswith(("the ", " new ")) and body[start:end][:1].islower():
        return "PRODUCT"  # "the iPhone": a company with a lower-case name takes no article
    article = before.endswith((" a ", " an ", " new "))
    if article and (after is None or after[1].lower() in _FUNCTION_WORDS):
        return "PRODUCT"  # "an iPod and", not "a Boeing spokesman"
    return "ORG"


def _person_in_context(body: str, start: int, end: int, titled: bool) -> str:
    """PERSON, or what the name and the words around it say it is: "Ryanair CEO" and "Douglas
    Aircraft" are organisations; after "the" ("the Dreamliner") it is no person, but nothing
    says what it is."""
    if titled:
        return "PERSON"
    words = _NAME_WORD.findall(body[start:end])
    if len(words) >= 2 and (words[-1].lower() in _ORG_WORDS or not _not_a_region(words[-1])):
        return "ORG"  # "Douglas Aircraft", "Garuda Indonesia"
    after = _WORD_AFTER.match(body, end)
    if after is not None and after[1].lower() in HEADS:
        return "ORG"
    if body[max(0, start - 4) : start].lower() == "the ":
        return _UNKNOWN
    return "PERSON"


def _group(body: str, cands: list[_Cand]) -> list[_Group]:
    """Persons by full name and surname first; everything else by its (place) name."""
    votes = Counter((body[c.start : c.end], c.label) for c in cands)
    persons: list[_Group] = []
    for cand in cands:
        text = body[cand.start : cand.end]
        words = _NAME_WORD.findall(text)
        if cand.label != "PERSON" or not _name_shaped(words):
            continue
        if any(n > votes[text, "PERSON"] for (form, _), n in votes.items() if form == text):
            continue  # "Northrop Grumman" is an ORG six times and a PERSON once
        group = next((g for g in persons if _same_person(g.person_name.split(), words)), None)
        if group is None:
            persons.append(_Group(person_name=" ".join(words)))
        elif len(words) > len(group.person_name.split()):
            group.person_name = " ".join(words)
    groups: list[_Group] = list(persons)
    by_key: dict[str, _Group] = {}
    for cand in cands:
        text = body[cand.start : cand.end]
        person = _person_for(body, cand, text, persons)
        if person is not None:
            person.mentions.append(cand)
            continue
        if cand.label == "PERSON" and cand.place is not None and _large(cand.place):
            cand.label = cand.place.label
        key = cand.place.name if cand.place and cand.label in ("GPE", "LOC") else text.casefold()
        if key not in by_key:
            by_key[key] = _Group()
            groups.append(by_key[key])
        by_key[key].mentions.append(cand)
    return [group for group in groups if group.mentions]


def _person_for(body: str, cand: _Cand, text: str, persons: list[_Group]) -> _Group | None:
    """The person a mention names: its full name, or the surname of one named in the story
    (the nearest full name before it wins when two share a surname)."""
    if cand.place is not None and cand.place.kind != "city" and cand.label != "PERSON":
        return None
    words = _NAME_WORD.findall(text)
    if not words:
        return None
    matches = [g for g in persons if _same_person(g.person_name.split(), words)]
    if not matches and len(words) == 1:
        matches = [g for g in persons if g.person_name.split()[-1] == words[0]]
    if not matches:
        return None
    before = [g for g in matches if g.mentions and g.mentions[-1].start < cand.start]
    return before[-1] if before else matches[0]


def _same_person(known: list[str], words: list[str]) -> bool:
    """One person: same first and last word (Donald Trump, Donald J. Trump), two words or more."""
    if len(words) < 2 or known[-1] != words[-1] or known[0] != words[0]:
        return False
    return True


def _name_shaped(words: list[str]) -> bool:
    """First name + surname: capitalised words, none of them a title, an honorific, an
    abbreviation, a country or a word that names a company ("Douglas Aircraft")."""
    return (
        len(words) >= 2
        and all(w[:1].isupper() for w in (words[0], words[-1]))
        and not is_honorific(words[0])
        and _not_a_region(words[-1])
        and not any(w.isupper() and len(w) > 1 for w in words)
        and words[-1].lower() not in _ORG_WORDS
    )


def _not_a_region(word: str) -> bool:
    place = find_place(word)
    return place is None or place.kind == "city"  # "Garuda Indonesia" is no one's name


def _large(place: Place) -> bool:
    return place.kind != "city" or place.population >= _LARGE_CITY


def _propagate(
    body: str, forms: set[str], occupied: bytearray, lower_words: frozenset[str]
) -> list[tuple[int, int]]:
    """Other occurrences of an entity's names that spaCy left untagged ("Kyiv’s military").

    Only whole, capitalised words standing on their own: not inside a longer capitalised
    name, and not a sentence-opening word that the story also uses in lower case.
    """
    found: list[tuple[int, int]] = []
    for form in sorted(forms, key=len, reverse=True):
        if len(form) < 2 or not form[:1].isupper():
            continue
        start = body.find(form)
        while start >= 0:
            end = start + len(form)
            if not any(occupied[start:end]) and _standalone(body, start, end, lower_words):
                occupied[start:end] = b"\x01" * len(form)
                found.append((start, end))
            start = body.find(form, end)
    return found


def _standalone(body: str, start: int, end: int, lower_words: frozenset[str]) -> bool:
    if not free_standing(body, start, end):
        return False
    if _NEXT_WORD.match(body, end) and body[end + 1].isupper():
        return False  # "Apple" in "Apple Corps"
    if sentence_initial(body, start):
        return body[start:end].lower() not in lower_words
    previous = body[max(0, start - 30) : start]
    words = previous.split()
    if not words or not previous.endswith(" ") or previous.endswith("  "):
        return True
    word = words[-1]
    if not word[:1].isupper() or is_title_word(word):
        return True
    return sentence_initial(body, start - 1 - len(word))  # "Yesterday Putin said"


def _vote(group: _Group) -> str:
    """One label for the group: PERSON for a named person, else the majority of mentions."""
    if group.person_name:
        label = "PERSON"
    else:
        votes: Counter[str] = Counter()
        for cand in group.mentions:
            if cand.label != _UNKNOWN:
                votes[cand.label] += 2 if cand.from_context else 1
        if not votes:
            return _UNKNOWN
        if len(votes) > 1 and not any(c.titled for c in group.mentions):
            votes.pop("PERSON", None)  # news names a person in full: a lone surname is weak
        label = min(votes, key=lambda lab: (-votes[lab], _TIES.index(lab)))
    for cand in group.mentions:
        cand.label = label
    return label


def _entity(body: str, group: _Group, proper: frozenset[int]) -> Entity:
    mentions = sorted(group.mentions, key=lambda c: c.start)
    label = mentions[0].label
    if group.person_name:
        name = group.person_name
    else:
        places = [c.place for c in mentions if c.place is not None and label in ("GPE", "LOC")]
        texts = [body[c.start : c.end] for c in mentions]
        name = places[0].name if places else max(texts, key=len)
    roles: list[str] = []
    if label == "PERSON":
        for cand in mentions:
            found = [
                title_before(body, cand.start, cand.end, proper),
                apposition_after(body, cand.end, proper),
            ]
            written = [cand.title] + [t.text for t in found if t is not None]
            for role in written:
                if role and not is_honorific(role) and role.lower() not in map(str.lower, roles):
                    roles.append(role)
    return Entity(
        name=name,
        label=label,
        mentions=tuple(Mention(body[c.start : c.end], c.start, c.end) for c in mentions),
        roles=tuple(roles),
    )
