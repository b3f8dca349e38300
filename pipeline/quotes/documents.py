"""Documents as sources for the quotes stage: an organisation (or person) speaking through a
statement, website, letter or invitation ("A statement from Apple stated", "as stated on the
Ford website", "The invitation reads"). Called by pipeline.quotes.extract when a cue's subject
is no name.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from pipeline.quotes.marks import Token, tokenise
from pipeline.quotes.text import QuoteText
from pipeline.story import Entity

DOCUMENT_NOUNS = frozenset(
    """
    statement statements website site homepage webpage release invitation letter announcement
    filing memo email e-mail blog note notice post tweet message communique communiqué report
    """.split()
)
# Words for what speaks in writing without a speaker: "the letter says", "a new poll found".
_WRITINGS = DOCUMENT_NOUNS | frozenset(
    """
    poll survey study ad advert advertisement editorial article law book index analysis memo
    document bill ruling complaint lawsuit indictment order platform transcript video sign
    banner headline caption petition resolution report findings review audit
    """.split()
)
# Documents an organisation puts out itself: unowned and definite ("The invitation reads"),
# they speak for the story's main organisation; a letter or report needs a named owner.
_OWN_DOCUMENTS = frozenset(
    "statement release invitation announcement website site homepage webpage".split()
)
_OWNER_PREPOSITIONS = frozenset("from of by on at".split())
_DEFINITE = frozenset("the this that".split())
_OWNER_LABELS = frozenset(("ORG", "PERSON", "GPE"))
# Between an owner and its document: nothing, a possessive, or up to two modifiers
# ("Apple's official website", "the Ford corporate site").
_OWNER_GAP = re.compile(r"(?:['’]s)?(?: [a-z][a-z-]*){0,2} ")
_SUBJECT_WORDS = 3  # a document is a sentence's subject when among its first words
_AFTER_WORDS = 5  # "stated on the Apple website": the document right after the verb
_WINDOW = 160  # characters read for those words and an owner after them


def is_document(noun: str) -> bool:
    """Whether a head noun names a writing ("statement", "letter", "poll", "ads")."""
    noun = noun.lower().rstrip(".")
    return noun in _WRITINGS or (noun.endswith("s") and noun[:-1] in _WRITINGS)


class Documents:
    """Finds who speaks through a document named in a stretch of one story's body."""

    def __init__(self, text: QuoteText, mentions: Sequence[tuple[int, int, Entity]]) -> None:
        self.text = text
        self.mentions = [m for m in mentions if m[2].label in _OWNER_LABELS]
        self.starts = [m[0] for m in self.mentions]
        counts: dict[str, int] = {}
        for _, _, e in self.mentions:
            if e.label == "ORG":
                counts[e.name] = counts.get(e.name, 0) + 1
        # The organisation the story is about: most mentioned (the first such on a tie).
        self.topic = max(counts, key=lambda n: counts[n]) if counts else None

    def source(self, lo: int, hi: int, *, subject: bool) -> str | None:
        """The owner of a document that is the subject of masked[lo:hi] (subject=True: "A
        statement from Apple Computer") or follows a verb there ("on the Apple website"); an
        unowned definite document ("The invitation reads") speaks for the story's main
        organisation. None when no document is named there."""
        reach = _SUBJECT_WORDS if subject else _AFTER_WORDS
        tokens = tokenise(self.text.masked, lo, min(hi, lo + _WINDOW))
        for n, tok in enumerate(tokens[:reach]):
            noun = tok.norm.rstrip(".")
            if noun not in DOCUMENT_NOUNS:
                continue
            owner = self._owner_before(tok) or self._owner_after(tokens[n + 1 :])
            if owner is not None:
                return owner
            if subject and n and tokens[n - 1].norm in _DEFINITE and noun in _OWN_DOCUMENTS:
                return self.topic
            return None
        return None

    def _mention_at(self, start: int) -> Entity | None:
        i = bisect_left(self.starts, start)
        if i < len(self.starts) and self.starts[i] == start:
            return self.mentions[i][2]
        return None

    def _owner_before(self, tok: Token) -> str | None:
        """ "Apple's website", "the Apple website": a name right before the document."""
        i = bisect_left(self.starts, tok.start) - 1
        while i >= 0 and self.mentions[i][1] > tok.start - 40:
            start, end, entity = self.mentions[i]
            if end <= tok.start and _OWNER_GAP.fullmatch(self.text.body, end, tok.start):
                return entity.name
            i -= 1
        return None

    def _owner_after(self, tokens: list[Token]) -> str | None:
        """ "statement from Apple Computer", "statement on Apple's website"."""
        if not tokens or tokens[0].norm not in _OWNER_PREPOSITIONS:
            return None
        rest = tokens[1:3]
        if rest and rest[0].norm in _DEFINITE | {"its", "their"}:
            rest = rest[1:]
        entity = self._mention_at(rest[0].start) if rest else None
        return entity.name if entity is not None else None
