"""Speaker resolution for the quotes stage: maps a name, pronoun or role phrase near a quote
to a canonical entity. Roles come from pipeline.quotes.roles, role matching from role_keys.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from pipeline.quotes.cue_words import SPEECH_VERBS
from pipeline.quotes.genders import fits, pronoun_gender, story_genders
from pipeline.quotes.marks import Token, tokenise
from pipeline.quotes.names import canonical_entities, person_in_mention
from pipeline.quotes.role_keys import (
    DEPENDANTS,
    ORG_NOUNS,
    PREPOSITIONS,
    ROLE_HEADS,
    STAFF_MODIFIERS,
    RoleKey,
    role_key,
    roleish,
)
from pipeline.quotes.roles import roles_from_apposition
from pipeline.quotes.text import QuoteText
from pipeline.story import Entity, SpeakerType

__all__ = ["SpeakerResolver"]

_FRONTED = frozenset(
    "after before following speaking in at on during asked despite while when since as earlier "
    "later meanwhile however separately addressing writing responding referring yesterday today "
    "last this".split()
)
_ORG_FOLLOWERS = frozenset(
    "also has had have was is on in at late earlier later yesterday today this last would will "
    "could then however".split()
)
_PRONOUNS = frozenset({"he", "she"})
# "the company said": nouns that stand for the organisation the story last named.
_ORG_NOUNS = frozenset(
    "company firm carmaker automaker airline manufacturer planemaker retailer bank insurer lender "
    "group".split()
)
_DEPENDANT_REACH = 4  # words between a boss's name and the role that makes it a modifier
_SPAN = 600  # characters read when looking for a speaker: keeps every lookup bounded
_SUBJECT_SPAN = 250  # a sentence's subject is found in its opening characters
_MAX_REFS = 8  # references tried for one speaker: a real subject is among the first few
_MAX_DEPTH = 3  # pronouns followed within one sentence ("After he left, he said")
_LOOKBACK = 6  # sentences searched back for the person a pronoun stands for


class SpeakerResolver:
    """Resolves the speaker named in a stretch of the (quote-masked) body of one story."""

    def __init__(self, text: QuoteText, entities: Sequence[Entity]) -> None:
        self.text = text
        body = text.body
        self._endings: dict[tuple[int, int], Entity | None] = {}
        self.entities = roles_from_apposition(body, canonical_entities(body, entities))
        found = [
            (m.start, m.end, e)
            for e in self.entities
            for m in e.mentions
            if dateline_end(body) <= m.start < m.end <= len(body)
        ]
        found.sort(key=lambda t: (t[0], -t[1]))
        self.mentions = found
        self.mention_starts = [t[0] for t in found]
        self.starts_of: dict[str, list[int]] = {}
        for start, _, e in found:
            self.starts_of.setdefault(e.name, []).append(start)
        # sentence index -> (its tokens, their start offsets), filled on demand
        self.sentence_tokens: dict[int, tuple[list[Token], list[int]]] = {}
        self.subjects: dict[int, str | None] = {}  # sentence index -> its subject
        self._pronouns: dict[tuple[int, int], str | None] = {}
        self._genders: dict[str, str] | None = None  # read on the first pronoun
        self.surnames: dict[str, Entity] = {}
        self.role_keys: dict[str, list[tuple[RoleKey, str]]] = {}
        self.countries: dict[str, frozenset[str]] = {}
        self.by_head: dict[str, set[str]] = {}  # role head noun -> persons holding such a role
        # speakers that are no entity of the story: descriptions, documents, titled names
        self.kinds: dict[str, SpeakerType] = {}
        self.labels: dict[str, str] = {}
        for e in self.entities:
            self.labels.setdefault(e.name, e.label)
        for e in self.entities:
            if e.label != "PERSON":
                continue
            self.surnames.setdefault(e.name.split()[-1], e)
            keys = [(k, r) for r in e.roles if (k := role_key(r)) is not None]
            self.role_keys[e.name] = keys
            for k, _ in keys:
                self.by_head.setdefault(k.head, set()).add(e.name)
            self.countries[e.name] = frozenset(c for k, _ in keys for c in k.countries)

    def _tokens(self, lo: int, hi: int) -> list[Token]:
        """Words of the masked body inside [lo, hi), tokenised once per sentence."""
        if hi - lo < 160 or not self.text.starts:  # a short window: read it directly
            tokens = tokenise(self.text.masked, lo, hi)
            if tokens and tokens[0].start == lo and self._cuts_word(lo):
                tokens = tokens[1:]
            if tokens and tokens[-1].end == hi and self._cuts_word(hi):
                tokens = tokens[:-1]
            return tokens
        out: list[Token] = []
        index = max(0, bisect_right(self.text.starts, lo) - 1)
        while index < len(self.text.starts) and self.text.starts[index] < hi:
            if index not in self.sentence_tokens:
                end = (
                    self.text.starts[index + 1]
                    if index + 1 < len(self.text.starts)
                    else len(self.text.body)
                )
                tokens = tokenise(self.text.masked, self.text.starts[index], end)
                self.sentence_tokens[index] = (tokens, [t.start for t in tokens])
            tokens, starts = self.sentence_tokens[index]
            i, j = bisect_left(starts, lo), bisect_left(starts, hi)
            out.extend(t for t in tokens[i:j] if t.end <= hi)
            index += 1
        return out

    def _cuts_word(self, pos: int) -> bool:
        """Whether a window edge at pos falls inside a word (that word is then left out)."""
        return 0 < pos < len(self.text.masked) and (
            self.text.masked[pos - 1].isalnum() and self.text.masked[pos].isalnum()
        )

    def sentence_start(self, pos: int) -> int:
        i = bisect_right(self.text.starts, pos) - 1
        return self.text.starts[i] if i >= 0 else 0

    def _recency(self, name: str, pos: int) -> int:
        """Higher for a later mention before pos; mentions only after pos rank below all."""
        starts = self.starts_of.get(name, [])
        i = bisect_left(starts, pos)
        if i:
            return starts[i - 1]
        return -starts[0] if starts else -len(self.text.body) - 1

    def _person_ending(self, start: int, end: int) -> Entity | None:
        """A person whose name ends a non-person mention: NER spans sometimes swallow a titled
        name ("Air Force for Acquisition Marvin Sambur" tagged ORG). Worked out once per
        mention: `resolve` meets the same mentions for every cue and sentence it reads."""
        if (start, end) not in self._endings:
            self._endings[start, end] = self._find_person_ending(start, end)
        return self._endings[start, end]

    def _find_person_ending(self, start: int, end: int) -> Entity | None:
        text = self.text.body[start:end]
        words = text.split()
        person = self.surnames.get(words[-1]) if len(words) > 1 else None
        if person is None or not text.endswith(person.name.split()[-1]):
            return person_in_mention(text, self.text.body[max(0, start - 40) : start])
        first = person.name.split()[0]
        return person if first == words[-1] or first in words else None

    def is_person(self, name: str | None) -> bool:
        return name is not None and name in self.role_keys

    def kind_of(self, speaker: str | None) -> SpeakerType | None:
        """What a resolved speaker is: a named person, an organisation (or a government by
        its place), else a description the copy gives instead of a name."""
        if speaker is None:
            return None
        label = self.labels.get(speaker)
        if label is not None:
            return "person" if label == "PERSON" else "organisation"
        return self.kinds.get(speaker, "description")

    def note(self, speaker: str | None, kind: SpeakerType) -> str | None:
        """Record what a speaker found outside the entities is (a description, a document, a
        titled name the tagger missed) for `kind_of`; returns the speaker."""
        if speaker is not None and speaker not in self.labels:
            self.kinds.setdefault(speaker, kind)
        return speaker

    def _modifies(self, end: int, tokens: Sequence[Token], begins: Sequence[int]) -> bool:
        """Whether the name ending at `end` only modifies a role after it ("Clinton spokesman
        Josh Reyes", "a Cruz campaign aide"): the one with that role speaks, not the boss."""
        n = bisect_left(begins, end)
        for tok in tokens[n : n + _DEPENDANT_REACH]:
            word = tok.norm.rstrip(".")
            if "," in self.text.masked[end : tok.start] or not (
                tok.text[:1].islower() or word in ROLE_HEADS or roleish(tok, False)
            ):
                return False
            if word in DEPENDANTS or (word.endswith("s") and word[:-1] in DEPENDANTS):
                return True
            if not (word in STAFF_MODIFIERS or roleish(tok, False)):
                return False
        return False

    def org_named(self, noun: str, pos: int) -> str | None:
        """ "the commission said": the organisation named last before pos (within reach)
        whose name holds the noun ("the Federal Election Commission")."""
        i = bisect_left(self.mention_starts, pos) - 1
        while i >= 0 and self.mentions[i][0] > pos - 8 * _SPAN:
            entity = self.mentions[i][2]
            if entity.label == "ORG" and noun in entity.name.lower().split():
                return entity.name
            i -= 1
        return None

    def _last_org(self, pos: int) -> str | None:
        """ "the company said": the organisation named last before pos (within reach)."""
        i = bisect_left(self.mention_starts, pos) - 1
        while i >= 0 and self.mentions[i][0] > pos - 4 * _SPAN:
            entity = self.mentions[i][2]
            if entity.label == "ORG":
                return entity.name
            i -= 1
        return None

    def resolve_role(self, text: str, pos: int) -> str | None:
        """The person whose roles match a role phrase ("the Russian president"): same head
        noun and rank, no clashing country; ties go to the one mentioned last before pos."""
        key = role_key(text)
        if key is None:
            return None
        holders = self.by_head.get(key.head, set())
        scored: list[tuple[int, int, str]] = []
        for name in self._recent(holders, pos):
            keys, score = self.role_keys[name], 0
            for k, _ in keys:
                if k.head != key.head or k.ranks != key.ranks or not key.fields <= k.fields:
                    continue
                mine = self.countries[name]
                if key.countries and mine and not key.countries & mine:
                    continue
                score = max(score, 2 if key.countries & mine else 1)
            if score:
                scored.append((score, self._recency(name, pos), name))
        return max(scored)[2] if scored else None

    def _recent(self, names: set[str], pos: int) -> list[str]:
        """Up to 32 of names, those mentioned most recently before pos first (bounded scan)."""
        if len(names) <= 32:
            return sorted(names)
        found: list[str] = []
        i = bisect_left(self.mention_starts, pos) - 1
        while i >= 0 and len(found) < 32 and self.mention_starts[i] > pos - 20 * _SPAN:
            name = self.mentions[i][2].name
            if name in names and name not in found:
                found.append(name)
            i -= 1
        return found

    def resolve_pronoun(self, pos: int, depth: int = 0) -> str | None:
        """A he/she at pos: the subject earlier in its sentence, else of a previous sentence.
        Memoised by position and depth: a run of pronouns in one long sentence would otherwise
        resolve each earlier one again at every level (exponential in the depth)."""
        key = (pos, depth)
        if key not in self._pronouns:
            self._pronouns[key] = None  # a cycle reads None
            self._pronouns[key] = self._resolve_pronoun(pos, depth)
        return self._pronouns[key]

    def _resolve_pronoun(self, pos: int, depth: int) -> str | None:
        """The nearest subject that fits the pronoun's gender; where a sentence's subject does
        not fit, the one person of that sentence the story marks with the pronoun's gender."""
        if depth > _MAX_DEPTH:
            return None
        wanted = pronoun_gender(self.text.body[pos : pos + 3].rstrip())
        start = self.sentence_start(pos)
        if start < pos:
            found = self.resolve(max(start, pos - _SPAN), pos, subject=True, depth=depth + 1)
            if found and self._fits(found, wanted):
                return found
        i = bisect_left(self.text.starts, start) - 1
        for back in range(i, max(-1, i - _LOOKBACK), -1):
            found = self._subject(back, depth + 1)
            if found and self._fits(found, wanted):
                return found
            marked = self._marked_person(back, wanted)
            if marked:
                return marked
        return None

    @property
    def genders(self) -> dict[str, str]:
        """Person name -> gender the story marks (read on the first pronoun, then kept)."""
        if self._genders is None:
            self._genders = story_genders(self.text, self.mentions)
        return self._genders

    def _fits(self, name: str, wanted: str | None) -> bool:
        return fits(self.genders.get(name), wanted)

    def _marked_person(self, index: int, wanted: str | None) -> str | None:
        """The first person in sentence `index` whom the story marks with gender `wanted`."""
        if wanted is None:
            return None
        lo = self.text.starts[index]
        hi = (
            self.text.starts[index + 1]
            if index + 1 < len(self.text.starts)
            else len(self.text.body)
        )
        i = bisect_left(self.mention_starts, lo)
        while i < len(self.mentions) and self.mentions[i][0] < hi:
            entity = self.mentions[i][2]
            if entity.label == "PERSON" and self.genders.get(entity.name) == wanted:
                return entity.name
            i += 1
        return None
        lo = self.text.starts[index]
        hi = (
            self.text.starts[index + 1]
            if index + 1 < len(self.text.starts)
            else len(self.text.body)
        )
        i = bisect_left(self.mention_starts, lo)
        while i < len(self.mentions) and self.mentions[i][0] < hi:
            entity = self.mentions[i][2]
            if (
                entity.label == "PERSON"
                and self._genders
                and self._genders.get(entity.name) == wanted
            ):
                return entity.name
            i += 1
        return None

    def _subject(self, index: int, depth: int) -> str | None:
        """The person sentence `index` is about (its first person, pronoun or role), memoised;
        a pronoun subject looks further back, at most _MAX_DEPTH sentences deep."""
        if index not in self.subjects:
            self.subjects[index] = None  # a cycle reads None
            lo = self.text.starts[index]
            hi = (
                self.text.starts[index + 1]
                if index + 1 < len(self.text.starts)
                else len(self.text.body)
            )
            hi = min(hi, lo + _SUBJECT_SPAN)
            self.subjects[index] = self.resolve(lo, hi, subject=True, depth=depth)
        return self.subjects[index]

    def resolve(
        self,
        lo: int,
        hi: int,
        *,
        subject: bool = False,
        last: bool = False,
        depth: int = 0,
        org_subject: bool = False,
    ) -> str | None:
        """The speaker named in body[lo:hi]: a person (by mention or surname) first, then a
        pronoun or role phrase, then "the company" or an organisation or place named there.
        Quoted words are ignored. With subject=True (finding a sentence's subject) the first
        person, pronoun or role wins (an organisation before a verb too with org_subject:
        "The UAW issued a statement saying"); with last=True the last person named wins.
        """
        masked, body = self.text.masked, self.text.body
        tokens = self._tokens(lo, min(hi, lo + _SPAN))
        if tokens and tokens[0].norm in _FRONTED and lo <= self.sentence_start(tokens[0].start):
            comma = masked.find(",", lo, hi)
            if comma >= 0:  # "After meeting Jones, Smith said": Jones is not the subject
                tokens = [t for t in tokens if t.start > comma]
        if not tokens:
            return None
        lo, hi = tokens[0].start, min(hi, tokens[-1].end)
        ends = [t.end for t in tokens]
        begins = [t.start for t in tokens]
        people: list[tuple[int, str]] = []
        refs: list[tuple[int, str]] = []
        orgs: list[tuple[int, str]] = []
        covered: set[int] = set()
        i = bisect_left(self.mention_starts, lo)
        while i < len(self.mentions) and self.mentions[i][0] < hi:
            start, end, e = self.mentions[i]
            i += 1
            covered.update(range(start, end))
            if masked[start] != body[start] or body[end : end + 2] in ("’s", "'s"):
                continue  # quoted, or a possessive modifier ("Russia's military")
            n = bisect_right(ends, start)
            if n and tokens[n - 1].norm in PREPOSITIONS:
                if not (subject and tokens[n - 1].norm == "by"):  # "an email by Roche" counts
                    continue
            person = e if e.label == "PERSON" else self._person_ending(start, end)
            if person is not None and self._modifies(end, tokens, begins):
                continue
            if person is not None:
                people.append((start, person.name))
            elif e.label in ("ORG", "GPE"):
                n = bisect_left(begins, end)
                nxt = tokens[n] if n < len(tokens) else None
                if nxt is None or "," in body[end : nxt.start] or nxt.norm in _ORG_FOLLOWERS:
                    orgs.append((start, e.name))
                elif org_subject and nxt.text.islower() and _verbish(nxt.norm):
                    orgs.append((start, e.name))
        for n, tok in enumerate(tokens):
            if tok.start in covered:
                continue
            word = tok.text.rstrip(".")
            norm = tok.norm.rstrip(".")
            if word in self.surnames:
                if not self._modifies(tok.end, tokens, begins):
                    people.append((tok.start, self.surnames[word].name))
            elif norm in _PRONOUNS:
                refs.append((tok.start, ""))
            elif norm in _ORG_NOUNS and n and tokens[n - 1].norm == "the" and not subject:
                if tok.text.endswith(("’s", "'s")) or (
                    n + 1 < len(tokens) and tokens[n + 1].norm == "of"
                ):
                    continue  # "the firm's chief executive", "the group of lawmakers"
                refs.append((tok.start, "\0org"))
            elif (
                norm in ORG_NOUNS
                and n
                and tokens[n - 1].norm == "the"
                and (org_subject or not subject)
            ):
                refs.append((tok.start, "\0org " + norm))
            elif norm in ROLE_HEADS:
                if n + 1 < len(tokens) and tokens[n + 1].start in covered:
                    continue  # a title right before a name: the name decides
                first = n
                while first > 0 and roleish(tokens[first - 1], True):
                    first -= 1
                refs.append((tokens[first].start, masked[tokens[first].start : tok.end]))
        if people and not subject:
            return (max(people) if last else min(people))[1]
        ranked = sorted(people + refs) if subject else sorted(refs)
        people_at = dict(people)
        for pos, role in ranked[:_MAX_REFS]:
            if pos in people_at:
                return people_at[pos]
            if role == "\0org":
                found = self._last_org(pos)
            elif role.startswith("\0org "):
                found = self.org_named(role[5:], pos)
            elif role:
                found = self.resolve_role(role, pos)
            else:
                found = self.resolve_pronoun(pos, depth)
            if found:
                return found
        return None if (subject and not org_subject) or not orgs else min(orgs)[1]


# "STOCKHOLM, Nov 26 (Wirestream) - ": the place a story was filed from never speaks in it.
_DATELINE = re.compile(r"[A-Z][A-Z .'-]{1,40}(?:, [^\n()]{1,40})? ?(?:\([^\n()]{1,40}\))? ?[-—–] ")


def dateline_end(body: str) -> int:
    """Where the dateline that opens the body ends (0 when it opens with none)."""
    match = _DATELINE.match(body)
    return match.end() if match else 0


def _verbish(word: str) -> bool:
    """A past-tense or reporting verb after a name ("Airbus announced"): the name is a subject."""
    return word in SPEECH_VERBS or (len(word) > 4 and word.endswith("ed"))
