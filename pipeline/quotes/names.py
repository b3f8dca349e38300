"""Speaker names for the quotes stage: before speakers are resolved, entities that are other
forms of one name are joined under the fullest form the story gives, so a quote is credited to
"General Motors", not "GM", and to "Steve Jobs", not "Steve". Read by pipeline.speakers.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from pipeline.entities.titles import honorific_before
from pipeline.quotes.role_keys import ROLE_HEADS, ROLEISH
from pipeline.story import Entity, Mention

_LINKS = frozenset("of and for the & de du la".split())  # skipped when spelling an acronym
_ACRONYM_RE = re.compile(r"[A-Z][A-Z&]{1,5}")
_WORD_RE = re.compile(r"[\w&.'’-]+")
_FULL_LABELS = ("ORG", "GPE")
# Role nouns that title a name; "General", "Chief" and "Head" also open organisations' names.
_TITLE_HEADS = ROLE_HEADS - {"general", "chief", "head"}
_TITLE_PREFIXES = ("under", "vice-", "vice", "co-", "sub")
_SHORT_LABELS = frozenset(("ORG", "PERSON", "GPE", "NORP", "PRODUCT", "FAC"))  # tagger's guesses
# Honorifics and abbreviated titles before a bare name ("Dr. Ward", "Sen. Ruiz").
HONORIFIC_WORDS = frozenset(
    "mr mrs ms dr prof rev sen rep gov gen lt col sgt capt adm cmdr".split()
)
_MAX_CANDIDATES = 64  # full names compared with one short form: bounded work on any story
# Words that may follow a company's short name in its full name ("Apple Computer", "Ford Motor
# Company"); "Ford Australia" or "Apple TV" is another body or a product, not a fuller name.
_COMPANY_TAILS = frozenset(
    """
    inc inc. corp corp. corporation co co. company ltd ltd. llc plc ag sa nv group holdings
    computer computers motor motors airlines airways aircraft corps international industries
    systems technologies electronics communications entertainment records bank
    """.split()
)


def clean_name(name: str) -> str:
    """The name without lowercase words at its edges: "a United Auto Workers union" is
    "United Auto Workers" (articles and descriptors are not part of a name)."""
    words = name.split()
    while len(words) > 1 and words[0][:1].islower():
        words.pop(0)
    while len(words) > 1 and words[-1][:1].islower():
        words.pop()
    return " ".join(words)


def spells(short: str, name: str) -> bool:
    """Whether an all-capitals short form spells the capitalised words of a name: each word
    gives its initial, in order, and may give later letters too ("SIA": Singapore Airlines)."""
    words = [w.lower() for w in name.split() if w.lower() not in _LINKS and w[:1].isupper()]
    letters = short.replace("&", "").lower()
    if len(words) < 2 or len(words) > 6 or not letters:
        return False

    def match(i: int, j: int) -> bool:  # letters[i:] spell words[j:]
        if j == len(words):
            return i == len(letters)
        if i == len(letters) or letters[i] != words[j][0]:
            return False
        k, at = i + 1, 1
        while True:
            if match(k, j + 1):
                return True
            if k == len(letters):
                return False
            at = words[j].find(letters[k], at) + 1
            if not at:
                return False
            k += 1

    return match(0, 0)


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by one inserted, dropped, changed or swapped letter."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:
        return True
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


def _pick(candidates: list[Entity]) -> Entity | None:
    """The one candidate, or the one mentioned at least twice as often as any other."""
    ranked = sorted(candidates, key=lambda e: len(e.mentions), reverse=True)
    if len(ranked) == 1 or (ranked and len(ranked[0].mentions) >= 2 * len(ranked[1].mentions)):
        return ranked[0]
    return None


def _full_form(
    entity: Entity,
    initials: dict[str, list[Entity]],
    by_first: dict[str, list[Entity]],
    surnames: dict[str, list[Entity]],
) -> Entity | None:
    """The multi-word entity a one-word entity stands for: its acronym's expansion, the one
    organisation it begins ("Apple" -> "Apple Computer"), the one person with that first
    name ("Steve" -> "Steve Jobs"), or a person's surname misspelt by one letter."""
    word = entity.name
    if _ACRONYM_RE.fullmatch(word):
        bucket = initials.get(word[0], [])[:_MAX_CANDIDATES]
        return _pick([e for e in bucket if spells(word, e.name)])
    firsts = by_first.get(word, [])
    fuller = [e for e in firsts if e.label == "ORG" and _company_tail(e.name)]
    if entity.label == "PERSON":
        fuller = [e for e in firsts if e.label == "PERSON"]
    if entity.label in ("ORG", "PERSON") and fuller:
        return _pick(fuller)
    if len(word) >= 5 and entity.label in ("PERSON", "ORG"):
        bucket = surnames.get(word[0], [])[:_MAX_CANDIDATES]
        near = [p for p in bucket if _one_edit(word, p.name.split()[-1])]
        if len({p.name for p in near}) == 1:
            return near[0]
    return None


def _company_tail(name: str) -> bool:
    return all(w.lower() in _COMPANY_TAILS for w in name.split()[1:])


def _cleaned(body: str, entity: Entity) -> Entity:
    """The entity with its name cleaned, and relabelled PERSON when a mention follows "Mr"."""
    name = clean_name(entity.name) if " " in entity.name else entity.name
    # "Mr MacFarlane" is a person whatever the tagger said
    person = entity.label != "PERSON" and any(
        honorific_before(body, m.start) for m in entity.mentions
    )
    if name == entity.name and not person:
        return entity
    return dataclasses.replace(entity, name=name, label="PERSON" if person else entity.label)


def canonical_entities(body: str, entities: Sequence[Entity]) -> tuple[Entity, ...]:
    """The entities with every other form of a name joined into the full-name entity (its
    mentions and roles added), names cleaned, honorific-led names relabelled PERSON."""
    ents = [_cleaned(body, e) for e in entities]
    initials: dict[str, list[Entity]] = {}  # first letter -> multi-word organisations, places
    by_first: dict[str, list[Entity]] = {}  # first word -> multi-word names
    surnames: dict[str, list[Entity]] = {}  # surname's first letter -> multi-word persons
    last_words: set[str] = set()
    for e in ents:
        words = e.name.split()
        if len(words) < 2:
            continue
        if e.label in _FULL_LABELS:
            initials.setdefault(words[0][0].upper(), []).append(e)
        if e.label in ("ORG", "PERSON"):
            by_first.setdefault(words[0], []).append(e)
        if e.label == "PERSON":
            surnames.setdefault(words[-1][0], []).append(e)
            last_words.add(words[-1])
    joined: dict[int, list[Entity]] = {}
    kept: list[Entity] = []
    for e in ents:
        target = None
        if " " not in e.name and e.name not in last_words and e.label in _SHORT_LABELS:
            target = _full_form(e, initials, by_first, surnames)
        if target is None:
            kept.append(e)
        else:
            joined.setdefault(id(target), []).append(e)
    if not joined:
        return tuple(kept)
    out: list[Entity] = []
    for e in kept:
        extra = joined.get(id(e), [])
        if extra:
            mentions = sorted(
                {*e.mentions, *(m for x in extra for m in x.mentions)},
                key=lambda m: (m.start, m.end),
            )
            roles = tuple(dict.fromkeys([*e.roles, *(r for x in extra for r in x.roles)]))
            e = dataclasses.replace(e, mentions=tuple(mentions), roles=roles)
        out.append(e)
    return tuple(out)


def titled_name(words: list[str]) -> str | None:
    """ "European Commissioner for Competition Neelie Kroes": the name after a title, when the
    tagger found no entity there; the last two capitalised words after a capitalised role noun
    (and its "for ..." phrase). None unless the words end in such a name."""
    if len(words) < 3:
        return None
    name = words[-2:]
    if not all(_is_name_word(w) for w in name):
        return None
    title = words[:-2][-4:]
    heads = [i for i, w in enumerate(title) if w[:1].isupper() and is_title(w)]
    if not heads:
        return None
    rest = title[heads[-1] + 1 :]
    if any(w[:1].islower() and w not in _LINKS for w in rest):
        return None
    return " ".join(name)


def honorific_name(words: list[str]) -> str | None:
    """ "Dr. Ward", "Rep. Dana Holt": the name after an honorific or a title's abbreviation
    ending the words (their full stops gone), when the tagger found no entity there."""
    if len(words) < 2 or not _is_name_word(words[-1]):
        return None
    if words[-2].lower() in HONORIFIC_WORDS:
        return words[-1]
    if len(words) > 2 and words[-3].lower() in HONORIFIC_WORDS and _is_name_word(words[-2]):
        return " ".join(words[-2:])
    return None


def bare_name(words: list[str]) -> str | None:
    """ "Dana Whitt": two or three capitalised words that are no title, taken as a person's
    name where a cue's speaker stands and the tagger found none."""
    if 2 <= len(words) <= 3 and all(_is_name_word(w) and not is_title(w) for w in words):
        return " ".join(words)
    return None


def is_title(word: str) -> bool:
    """A role noun that titles a name: "Commissioner", "Undersecretary", "Vice-President"."""
    word = word.lower()
    return word in _TITLE_HEADS or any(
        word.startswith(p) and word[len(p) :] in _TITLE_HEADS for p in _TITLE_PREFIXES
    )


def _is_name_word(word: str) -> bool:
    return (
        len(word) > 1
        and word[0].isupper()
        and not word.isupper()
        and word.lower() not in ROLEISH
        and not word.endswith(("’s", "'s", "."))
    )


def person_in_mention(text: str, before: str) -> Entity | None:
    """A person's name ending an organisation-tagged mention that follows a title: "Assistant
    Secretary of the" + "Air Force for Acquisition Marvin Sambur" names Marvin Sambur."""
    words = _WORD_RE.findall(text)
    lead = [w.lower() for w in _WORD_RE.findall(before)[-3:]]
    if len(words) < 4 or not any(is_title(w) for w in lead):
        return None
    if not any(w in ("for", "of") for w in words[1:-2]) or not all(
        _is_name_word(w) for w in words[-2:]
    ):
        return None
    name = " ".join(words[-2:])
    return Entity(name, "PERSON", (Mention(name, 0, 0),))
