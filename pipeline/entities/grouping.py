"""Entities stage: raw spaCy spans -> one Entity per person, place or organisation in the story.

Runs after NER: splits and cleans each span (a mention is the name as written), reads the
layout (dateline, sports results, headlines in capitals), groups mentions under a canonical
name, settles one label per entity from all its evidence and the gazetteers, finds missed
mentions, reads titles, and gives each nationality word the code of its country ("American"
is a NORP entity, country "US"; it is no mention of United States).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.entities.demonyms import country_code, government_of
from pipeline.entities.gazetteer import (
    Place,
    find_dateline_place,
    find_missed_places,
    find_place,
    is_demonym,
    story_lower_words,
)
from pipeline.entities.layout import dateline_places, not_a_name, overlaps
from pipeline.entities.mentions import (
    find_other_mentions,
    initialled_names,
    name_shaped,
    split_span,
    trim_span,
)
from pipeline.entities.org_names import (
    MODEL_AFTER,
    MODEL_LAST,
    NAME_WORD,
    ORG_WORDS,
    UNKNOWN,
    acronym_after,
    airline_before,
    is_event_name,
    is_facility_name,
    legal_form_after,
    org_in_context,
    person_in_context,
    short_form_of,
)
from pipeline.entities.sports import SPORTS, sports_slug
from pipeline.entities.teams import Tagged, sports_labels
from pipeline.entities.titles import (
    apposition_after,
    honorific_before,
    is_department,
    is_honorific,
    title_before,
    word_starts,
)
from pipeline.nlp import NerSpan
from pipeline.story import Entity, Mention

PUBLISHED = frozenset(
    ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW")
)
# Ties in the label vote go to the earlier label; a person needs a full name to win one.
_TIES = ("GPE", "ORG", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "PERSON")
# Labels a gazetteer place overrides: spaCy's usual confusions for a town it does not know.
_PLACE_OVERRIDES = frozenset(("GPE", "LOC", "FAC"))
# These (and one-word PERSON spans) yield only to a country, a region or a large city: brands
# and people share names with small towns (Pontiac, Cadillac, Martin).
_LARGE_PLACE_OVERRIDES = frozenset(("PERSON", "PRODUCT", "WORK_OF_ART", "EVENT", "NORP"))
_LARGE_CITY = 100_000
# spaCy's labels for a nationality word it mistakes for a place or a person.
_DEMONYM_LABELS = frozenset(("GPE", "LOC", "NORP", "PERSON", "ORG"))
_EVENT_LABELS = frozenset(("ORG", "FAC", "GPE", "LOC", "PERSON"))
_GROUP_OF_NATIONS = re.compile(r"G-?\d{1,2}")


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
    dateline: bool = False  # the place of the story's dateline


@dataclass(slots=True)
class _Group:
    mentions: list[_Cand] = field(default_factory=list)
    person_name: str = ""  # the longest full name, for groups around a person


def group_entities(body: str, spans: Sequence[NerSpan]) -> tuple[Entity, ...]:
    """Group the story's NER spans into entities, ordered by first mention.

    Numeric and time labels are dropped (other stages own them); every mention keeps exact
    offsets into `body`.
    """
    dateline = dateline_places(body)
    lower_words = story_lower_words(body)
    slug = sports_slug(body)
    skip = [*dateline, slug] if slug is not None else list(dateline)
    cands = [
        cand
        for span in spans
        if span.label in PUBLISHED and body[span.start : span.end] == span.text
        for piece in split_span(body, span)
        if not overlaps(piece.start, piece.end, skip)
        and (cand := _clean(body, piece, lower_words)) is not None
    ]
    cands = _joined(body, cands + [_dateline_cand(body, start, end) for start, end in dateline])
    cands = _sports(body, cands, lower_words)
    groups = _short_forms(body, _group(body, cands))
    taken = [(c.start, c.end) for group in groups for c in group.mentions]
    taken += [  # numbers and dates hold no names: "$9.99 US dollars"
        (s.start, s.end)
        for s in spans
        if s.label not in PUBLISHED and body[s.start : s.end] == s.text
    ]
    occupied = bytearray(len(body) + 1)
    for start, end in taken:
        occupied[start:end] = b"\x01" * (end - start)
    for group in groups:
        label = _vote(group)
        if label == UNKNOWN:
            continue
        forms = {body[c.start : c.end] for c in group.mentions}
        if group.person_name:
            forms.add(group.person_name.split()[-1])
        for start, end in find_other_mentions(body, forms, occupied, lower_words):
            group.mentions.append(_Cand(start, end, label))
            taken.append((start, end))
    person_words = {w for g in groups if g.person_name for w in g.person_name.split()}
    for start, end, place in find_missed_places(body, taken, person_words, lower_words):
        groups.append(_Group([_Cand(start, end, place.label, place=place)]))
    proper = frozenset(
        offset
        for group in groups
        if not group.person_name
        for c in group.mentions
        for offset in word_starts(body, c.start, c.end)
    )
    entities = [_entity(body, g, proper) for g in groups if g.mentions[0].label != UNKNOWN]
    return tuple(sorted(entities, key=lambda entity: entity.mentions[0].start))


def _dateline_cand(body: str, start: int, end: int) -> _Cand:
    """The dateline's place, known to the gazetteer or not: a dateline names a place."""
    text = body[start:end]
    place = find_dateline_place(text) or find_place(text)
    label = place.label if place else "GPE"
    return _Cand(start, end, label, place=place, from_context=True, dateline=True)


def _clean(body: str, span: NerSpan, lower_words: frozenset[str]) -> _Cand | None:
    """Trim what is not the name (possessive, "the", titles), then settle what it votes for."""
    if span.label not in PUBLISHED or body[span.start : span.end] != span.text:
        return None
    start, end, title = trim_span(body, span)
    text = body[start:end]
    if not text.strip() or text.islower() or is_department(body, start, end):
        return None  # a name has a capital: "healthcare" is none
    if text.casefold() in SPORTS or not_a_name(body, start, end, lower_words):
        return None
    return _relabel(body, _Cand(start, end, "PERSON" if title else span.label, title))


def _relabel(body: str, cand: _Cand) -> _Cand:
    """The label a mention votes for: spaCy's, unless a pattern, a gazetteer place or the
    words around it say otherwise."""
    text, label = body[cand.start : cand.end], cand.label
    if _GROUP_OF_NATIONS.fullmatch(text):
        cand.label = "ORG"
        return cand
    if label in _EVENT_LABELS and is_event_name(text):
        cand.label = "EVENT"  # "Paris Air Show", "Worldwide Developers Conference"
        return cand
    if label in ("ORG", "PERSON", "GPE") and is_facility_name(text):
        cand.label = "FAC"  # "the White House said": where the news says it sits
        return cand
    if label == "ORG" and (country := government_of(text)) is not None:
        cand.label, cand.place = country.label, country  # "the Canadian Government"
        return cand
    if label in ("ORG", "PERSON") and (legal := legal_form_after(body, cand.end)) > cand.end:
        cand.end, cand.label = legal, "ORG"  # "Chrysler LLC"
        return cand
    if label in ("ORG", "PERSON", "PRODUCT") and (model := MODEL_AFTER.match(body, cand.end)):
        cand.end, cand.label = model.end(), "PRODUCT"  # "Airbus A380": the maker names it
        return cand
    if label in ("ORG", "PERSON") and MODEL_LAST.search(text):
        cand.label = "PRODUCT"
        return cand
    cand.place = place = find_place(text)
    if place is not None and (airline := airline_before(body, cand.start)) >= 0:
        cand.start, cand.label, cand.place = airline, "ORG", None  # "Air China"
        return cand
    if place is not None and label in _PLACE_OVERRIDES:
        label = place.label
    elif place is not None and label in _LARGE_PLACE_OVERRIDES - {"PERSON"} and _large(place):
        label = place.label  # a one-word PERSON that is a place is settled when grouping
    elif place is not None and label == "ORG" and place.kind != "city":
        label = place.label
    elif (
        place is None
        and label in _DEMONYM_LABELS
        and (country_code(text) is not None or (label == "GPE" and is_demonym(text)))
    ):
        label = "NORP"  # "Canadian": published as a nationality, its country "CA"
    cand.label = label
    cand.titled = bool(cand.title)
    if label == "PERSON" and not cand.title:
        cand.titled = honorific_before(body, cand.start) or (
            title_before(body, cand.start, cand.end, frozenset()) is not None
        )
        cand.label = person_in_context(body, cand.start, cand.end, cand.titled)
    elif (
        label == "ORG"
        and name_shaped(NAME_WORD.findall(text))
        and apposition_after(body, cand.end, frozenset())
    ):
        cand.label = "PERSON"  # "Annelies de Vries, a negotiator for the union,"
    elif label == "ORG":
        cand.label = org_in_context(body, cand.start, cand.end)
    cand.from_context = cand.label != label
    return cand


def _sports(body: str, cands: list[_Cand], lower_words: frozenset[str]) -> list[_Cand]:
    """Teams and players as the layout of sports copy shows them (`sports_labels`), and
    people written with initials ("R. Penn")."""
    tagged = [Tagged(c.start, c.end, c.label, c.dateline) for c in cands]
    people = initialled_names(body, lower_words)
    relabel, added = sports_labels(body, tagged, people, lower_words)
    for index, mention in relabel.items():
        cand = cands[index]
        cand.start, cand.end, cand.label = mention.start, mention.end, mention.label
        cand.place, cand.from_context = None, True
    if not added:
        return cands
    found = [_Cand(s.start, s.end, s.label, from_context=True) for s in added]
    return sorted(cands + found, key=lambda c: c.start)


def _joined(body: str, cands: list[_Cand]) -> list[_Cand]:
    """Mentions in reading order, with a name spaCy split here but tagged whole elsewhere in
    the story joined ("Lockheed" + "Martin"), and spans a widened mention now covers ("LLC"
    after "Chrysler LLC") dropped."""
    whole = {body[c.start : c.end] for c in cands if " " in body[c.start : c.end]}
    out: list[_Cand] = []
    for cand in sorted(cands, key=lambda c: c.start):
        last = out[-1] if out else None
        if last is not None and cand.start < last.end:
            continue
        if (
            last is not None
            and body[last.end : cand.start] == " "
            and body[last.start : cand.end] in whole
            and not cand.titled
        ):
            last.end, last.from_context = cand.end, True
            continue
        out.append(cand)
    return out


def _short_forms(body: str, groups: list[_Group]) -> list[_Group]:
    """Short forms join the organisation they abbreviate: an acronym given in brackets after
    its name ("General Motors (GM)"), and a one-word name that opens the story's one longer
    organisation name ("AirTran" of "AirTran Airways", "Douglas" of "Douglas Aircraft")."""
    orgs: dict[str, _Group] = {}
    taken = {(c.start, c.end) for group in groups for c in group.mentions}
    for group in groups:
        for c in list(group.mentions):
            text = body[c.start : c.end]
            if not group.person_name and c.label == "ORG" and _org_word_last(text):
                orgs[text] = group
            acronym = acronym_after(body, c.end) if " " in text else None
            if acronym is not None and not group.person_name:
                orgs.setdefault(body[acronym[0] : acronym[1]], group)
                if acronym not in taken:  # spaCy left the acronym untagged: it is a mention
                    group.mentions.append(_Cand(*acronym, c.label, from_context=True))
    out: list[_Group] = []
    for group in groups:
        texts = {body[c.start : c.end] for c in group.mentions}
        word = texts.pop() if len(texts) == 1 else ""
        target = orgs.get(word) if word else None
        if target is None and word and " " not in word:
            name = short_form_of(word, list(orgs))
            target = orgs[name] if name is not None else None
        if (
            target is None
            or target is group
            or group.person_name
            or any(
                c.label == "NORP" or (c.place is not None and _large(c.place))
                for c in group.mentions
            )
        ):
            out.append(group)
            continue
        label = Counter(c.label for c in target.mentions).most_common(1)[0][0]
        for cand in group.mentions:
            cand.label = label
        target.mentions.extend(group.mentions)
    return out


def _org_word_last(text: str) -> bool:
    words = NAME_WORD.findall(text)
    return len(words) >= 2 and words[-1].lower() in ORG_WORDS


def _group(body: str, cands: list[_Cand]) -> list[_Group]:
    """Persons by full name and surname first; everything else by its (place) name."""
    votes: Counter[tuple[str, str]] = Counter()
    for cand in cands:  # what the words around say outweighs spaCy ("retailer Best Buy")
        votes[body[cand.start : cand.end], cand.label] += 2 if cand.from_context else 1
    persons: list[_Group] = []
    for cand in cands:
        text = body[cand.start : cand.end]
        words = NAME_WORD.findall(text)
        if cand.label != "PERSON" or not name_shaped(words):
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
    words = NAME_WORD.findall(text)
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


def _large(place: Place) -> bool:
    return place.kind != "city" or place.population >= _LARGE_CITY


def _vote(group: _Group) -> str:
    """One label for the group: PERSON for a named person, else the majority of mentions."""
    if group.person_name:
        label = "PERSON"
    else:
        votes: Counter[str] = Counter()
        for cand in group.mentions:
            if cand.label != UNKNOWN:
                votes[cand.label] += 2 if cand.from_context else 1
        if not votes:
            return UNKNOWN
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
        # the longest form, as the copy writes it rather than as a headline in capitals does
        name = places[0].name if places else max(texts, key=lambda t: (len(t), not t.isupper()))
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
    country = None
    if label == "NORP":
        country = next(
            (code for c in mentions if (code := country_code(body[c.start : c.end]))), None
        )
    return Entity(
        name=name,
        label=label,
        mentions=tuple(Mention(body[c.start : c.end], c.start, c.end) for c in mentions),
        roles=tuple(roles),
        country=country,
    )
