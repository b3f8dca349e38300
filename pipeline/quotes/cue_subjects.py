"""Cue subjects for the quotes stage: who a reporting cue attributes speech to (its subject,
its agent after "by", the name after "said" or "according to", a relative pronoun's
antecedent, a document's owner), read once per cue. Used by pipeline.quote_cues.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from pipeline.quotes.cue_words import CUE_RE, NAMING_VERBS, PARTICIPLES, cue_ok, is_negated
from pipeline.quotes.documents import Documents, is_document
from pipeline.quotes.names import bare_name, honorific_name, titled_name
from pipeline.quotes.role_keys import PARTY_STATE_RE, PREPOSITIONS
from pipeline.quotes.speakers import SpeakerResolver
from pipeline.quotes.text import QuoteText

# After these the subject of a cue is elided: "Jobs agreed, but dismissed ...".
COORDINATORS = frozenset("but and while whereas although though because".split())
_CLAUSE_RE = re.compile(
    r"[;:()“”\"]|\b(?:that|which|who|whom|" + "|".join(sorted(COORDINATORS)) + r")\b"
)
# A nested cue's subject that stays the source even unnamed: "an official told him".
_GENERIC = frozenset("a an some many several one most analysts experts officials sources".split())
_WORD_RE = re.compile(r"\w+")
# Every look-around is bounded so a story of any shape is read in linear time.
REACH = 600  # characters searched before a quote for its cue, or after a cue for its speaker
_SUBJECT_REACH = 250  # characters after a fronted phrase read for the main clause's subject
# A description that names nobody still is the source ("a White House spokesman said",
# "analysts say", "said a source close to the talks"); these words show a stretch is no noun
# phrase (a clause, a pronoun, a time) or trail one without belonging to it ("officials have").
_NOT_DESCRIPTION = frozenset(
    """
    is are was were be been being am that which who whom whose what when where why how if it
    they we i you he she him them us me there not to than so because whether while until
    here my your said says say told tells asked
    """.split()
)
_POSSESSIVES = frozenset("his her its their our".split())  # "her friend said": first only
_TRAILING = frozenset(
    """
    also has have had will would could should may might can did does do then later once
    previously recently repeatedly publicly privately reportedly now still again just first
    often further already earlier yesterday today tonight last night simply flatly quickly
    even never always only
    """.split()
)
_QUANTIFIERS = frozenset(
    "a an the one some another many several most few two three four five both each every "
    "other no any".split()
)
# Quantifiers that stand alone for people already described: "Another said", "Several say".
_PARTITIVES = frozenset("another several many some one others both most".split())
# Words that open a subordinate clause: its subject comes after them ("when a leader says").
_OPENERS = frozenset("when if after before because since until unless once as".split())
# After a verb these end the source's description: "said a vice president on a call".
_AFTER_STOPS = frozenset(
    "who which that when where as after before while because on in during via by over "
    "through".split()
)
_DESCRIPTION_WORDS = 12
_NAME_WORDS = 6  # words of a name after an inverted cue: "said Maria de la Cruz Lind"
_NAME_PARTICLES = frozenset("de la del van von der da di bin al of".split())
# "-s" words that never describe a group of sources on their own.
NOT_GROUPS = frozenset(
    """
    perhaps always sometimes nevertheless besides towards afterwards news whereas unless
    regardless mondays tuesdays wednesdays thursdays fridays saturdays sundays years months
    weeks days hours minutes others things results figures numbers reports documents
    politics economics statistics
    """.split()
)


@dataclass(frozen=True, slots=True)
class Attribution:
    """A quotation's speaker and cue as a cue gives them."""

    speaker: str | None
    cue: str | None
    tied: bool = False  # the sentence ties even a one-word quote to its source ("he called it")


class CueReader:
    """The cues of one story's quote-masked body and, per cue, the attribution it gives."""

    def __init__(self, text: QuoteText, resolver: SpeakerResolver) -> None:
        self.text = text
        self.resolver = resolver
        self.documents = Documents(text, resolver.mentions)
        self.cues = list(CUE_RE.finditer(text.masked))  # one pass; windows are bisected
        self.cue_starts = [m.start() for m in self.cues]
        self.cue_cache: dict[int, str | None] = {}
        self.attributions: dict[int, Attribution | None] = {}
        self.clauses: dict[int, tuple[int, str]] = {}

    def cues_in(self, lo: int, hi: int) -> list[re.Match[str]]:
        """Cue verbs lying wholly inside masked[lo:hi], in body order."""
        i, j = bisect_left(self.cue_starts, lo), bisect_left(self.cue_starts, hi)
        return [m for m in self.cues[i:j] if m.end() <= hi]

    def sentence_start(self, pos: int) -> int:
        return max(self.resolver.sentence_start(pos), pos - REACH)

    def clause_start(self, pos: int) -> tuple[int, str]:
        """Where the clause holding pos starts, and the word or mark that opens it."""
        if pos not in self.clauses:
            self.clauses[pos] = self._find_clause_start(pos)
        return self.clauses[pos]

    def _find_clause_start(self, pos: int) -> tuple[int, str]:
        start = self.sentence_start(pos)
        masked = self.text.masked
        for hit in reversed(list(_CLAUSE_RE.finditer(masked, start, pos))):
            if hit.group() in "()" and _party_state(masked, hit.start()):
                continue  # "Rep. Gwen Moore (D-Wis.) said": the style is part of the subject
            relative = hit.group() in ("who", "which") and (
                self.text.masked[hit.start() - 2 : hit.start()] == ", "
            )
            if relative and "," in self.text.masked[hit.end() : pos]:
                continue  # "Smith, who chairs the panel, said": skip the relative clause
            if hit.group() == "and" and _WORD_RE.search(self.text.masked, hit.end(), pos):
                continue  # "Smith and Jones said": a coordinated subject, not a new clause
            return hit.end(), hit.group()
        return start, ""

    def sentence_end(self, pos: int) -> int:
        """Where the sentence after pos starts (the body's end), within REACH of pos."""
        i = bisect_right(self.text.starts, pos)
        return min(
            self.text.starts[i] if i < len(self.text.starts) else len(self.text.body), pos + REACH
        )

    def clause_end(self, pos: int) -> int:
        end = self.sentence_end(pos)
        for ch in ',;:()“”"\n':
            found = self.text.masked.find(ch, pos, end)
            if found >= 0:
                end = found
        return end

    def _after_verb(self, pos: int) -> str | None:
        """`said Putin` / `said the firm's chief executive, Alan Mulally`: the NP after a verb,
        read on past one comma when the first stretch names nobody."""
        end = self.clause_end(pos)
        speaker = self.resolver.resolve(pos, end)
        if speaker is None and self.resolver.entities:  # "said Dana Whitt, who": NER missed
            speaker = self.resolver.note(bare_name(self.text.masked[pos:end].split()), "person")
        if speaker is None and self.text.masked[end : end + 1] == ",":
            further = self.clause_end(end + 1)
            named = self.resolver.resolve(end + 1, further)
            if (
                self.resolver.is_person(named)
                and len(_WORD_RE.findall(self.text.masked, end, further)) < 5
            ):
                speaker = named
        return speaker

    def _names_after(self, pos: int) -> bool:
        """Whether a name alone follows an inverted cue at pos, up to a comma or the sentence's
        end ("said Ann Roe, an economist"), not a clause ("said Moscow would study it")."""
        end = self.clause_end(pos)
        words = self.text.masked[pos:end].split()
        closing = self.text.masked[end : end + 1] in (",", "") or end == self.sentence_end(pos)
        if not closing or not words or len(words) > _NAME_WORDS:
            return False
        return all(w[:1].isupper() or _bare(w) in _NAME_PARTICLES for w in words)

    def cue_speaker(self, match: re.Match[str]) -> str | None:
        """Who the cue verb at match attributes speech to (its subject, or its agent)."""
        if match.start() in self.cue_cache:
            return self.cue_cache[match.start()]
        verb, verb_end, masked = match.group().lower(), match.end(), self.text.masked
        words = _WORD_RE.findall(masked, verb_end, verb_end + 8)
        lo, opener = self.clause_start(match.start())
        before = _WORD_RE.findall(masked, lo, match.start())
        sentence = self.sentence_start(match.start())
        described: tuple[int, int, bool, bool] | None = None  # where an unnamed source is described
        if words and words[0] == "by":  # "described by witnesses as": the agent speaks
            by_end = masked.index("by", verb_end) + 2
            speaker = self._after_verb(by_end)
            described = (by_end, self.clause_end(by_end), True, True)
        elif verb == "according to":
            speaker = self._after_verb(verb_end)
            described = (verb_end, self.clause_end(verb_end), True, True)
        elif verb in PARTICIPLES and before[-1:] == ["as"]:  # "quoted Djamal as saying"
            as_at = masked.rfind("as", lo, match.start())
            speaker = self.resolver.resolve(lo, as_at, last=True)
        elif verb in PARTICIPLES and not _WORD_RE.search(
            masked, self.resolver.sentence_start(match.start()), match.start()
        ):
            speaker = self._main_subject(verb_end)  # "Citing ..., Airbus said"
        elif verb in PARTICIPLES or (not before and opener in COORDINATORS):
            speaker = self._subject(sentence, match.start())
        elif not before and opener in ("who", "which"):  # "Smith, an analyst, who stated"
            speaker = self._antecedent(lo - len(opener), opener == "who")
        elif not before:
            speaker = self._after_verb(verb_end)  # "said Putin"
            described = (verb_end, self.clause_end(verb_end), True, False)
        elif masked[lo : match.start()].rstrip().endswith(",") and self._names_after(verb_end):
            speaker = self._after_verb(verb_end)  # "Prices rose, said Ann Roe, an economist"
            described = (verb_end, self.clause_end(verb_end), True, False)
        else:
            if opener != "that" or "," in masked[lo : match.start()]:
                described = (lo, match.start(), False, False)  # not "observed that the firm stated"
            speaker = self._comma_subject(lo, match.start())
            if speaker is None:
                speaker = self.resolver.resolve(lo, match.start())
            if speaker is None and masked[lo : match.start()].rstrip().endswith(","):
                speaker = self._apposed(sentence, match.start())
            if speaker is None and before[0].lower() in COORDINATORS:  # "and then described"
                speaker = self._subject(sentence, match.start())
            if speaker is None and self.resolver.entities:  # NER ran but missed a titled name:
                speaker = titled_name(before)  # "Competition Commissioner Neelie Kroes said"
            if speaker is None:
                speaker = honorific_name(before)  # "Dr. Ward said": Ward, whom NER missed
            self.resolver.note(speaker, "person")
        if speaker is None:  # "A statement from Apple stated", "as stated on the Ford website"
            speaker = self.documents.source(sentence, match.start(), subject=True)
            if speaker is None:
                speaker = self.documents.source(verb_end, self.clause_end(verb_end), subject=False)
        if speaker is None and described is not None:
            speaker = self.description(*described)
        self.cue_cache[match.start()] = speaker
        return speaker

    def description(self, lo: int, hi: int, after: bool, agent: bool = False) -> str | None:
        """The noun phrase in body[lo:hi] that describes an unnamed source ("a White House
        spokesman", "analysts", after a verb "a source close to the talks", after "according
        to" (an agent) any noun phrase: "Statista"), noted as a description (or a document:
        "the letter"); None when the stretch is no such phrase."""
        body = self.text.body
        if self.text.masked[lo:hi] != body[lo:hi]:
            return None  # quoted words inside: not a plain noun phrase
        words = body[lo:hi].split()
        if after:
            for n, word in enumerate(words):
                if _bare(word) in _AFTER_STOPS or word.endswith((",", ";", ":")):
                    words = words[: n + (_bare(word) not in _AFTER_STOPS)]
                    break
        else:  # "In Ohio, most voters say", "It matters when a leader says"
            cut = [n + 1 for n, w in enumerate(words) if w.endswith(",") or _bare(w) in _OPENERS]
            words = words[max(cut, default=0) :]
        while words and _bare(words[-1]) in _TRAILING:
            words.pop()
        while words and _bare(words[0]) in COORDINATORS:
            words.pop(0)
        if not words or len(words) > _DESCRIPTION_WORDS:
            return None
        bare = [_bare(w) for w in words]
        if any((w in _NOT_DESCRIPTION and not (after and w == "to")) or not w for w in bare):
            return None  # after a verb "to" is a preposition: "a source close to the talks"
        if bare[-1].endswith("ly") or not any(c.isalpha() for c in bare[-1]):
            return None
        if any(w in _POSSESSIVES for w in bare[1:]) or bare[0] in PREPOSITIONS:
            return None  # "told her", "of Ohio": no subject phrase
        if bare[0].endswith("ing") and (len(words) == 1 or words[1][:1].islower()):
            return None  # "Having announced": a participle, no described source
        alone = len(bare) == 1
        if not agent and alone and bare[0] not in _PARTITIVES and not _group_noun(words[0]):
            return None  # a lone "Tuesday" or "Monday": no described source
        if after and not agent and bare[0] not in _QUANTIFIERS:
            return None  # "said Tuesday", "said in a statement": no described source
        if bare[-1] in _QUANTIFIERS and not (alone and bare[0] in _PARTITIVES):
            return None
        text = " ".join(words).rstrip(",;:")
        if text.endswith(".") and "." not in text[-5:-1]:
            text = text[:-1]  # a sentence's full stop, not an abbreviation's ("Ky.")
        return self.resolver.note(text, "document" if is_document(bare[-1]) else "description")

    def _comma_subject(self, lo: int, hi: int) -> str | None:
        """ "Smith was in Cairo, her friend said": after a comma the words before an inverted
        cue are its subject; a person named there, else their description."""
        comma = self.text.masked.rfind(",", lo, hi)
        if comma < 0 or not _WORD_RE.search(self.text.masked, comma, hi):
            return None
        if self._person_ends_at(comma):
            return None  # "Ann Roe, head of sales at Acme said": an unclosed apposition
        named = self.resolver.resolve(comma + 1, hi)
        if self.resolver.is_person(named):
            return named
        words = [_bare(w) for w in self.text.masked[comma + 1 : hi].split()]
        if named is not None or not (len(words) == 1 or words[0] in _QUANTIFIERS | _POSSESSIVES):
            return None  # "..., Local 12, Canadian Auto Workers union said": an apposition
        return self.description(comma + 1, hi, False)

    def _apposed(self, lo: int, hi: int) -> str | None:
        """ "Ann Roe, a consultant who ran two campaigns, said": the person opening the
        sentence with an apposition (closed by the comma before the cue) after the name."""
        r = self.resolver
        i = bisect_left(r.mention_starts, lo)
        if i == len(r.mentions):
            return None
        start, end, entity = r.mentions[i]
        if entity.label != "PERSON" or end >= hi or self.text.masked[end : end + 1] != ",":
            return None
        return entity.name if "," not in self.text.masked[lo:start] else None

    def _person_ends_at(self, pos: int) -> bool:
        """Whether a person's mention (or surname) ends right at pos."""
        r = self.resolver
        i = bisect_left(r.mention_starts, pos) - 1
        for _, end, entity in r.mentions[max(0, i - 2) : i + 1]:
            if end == pos and entity.label == "PERSON":
                return True
        words = self.text.masked[max(0, pos - 30) : pos].split()
        return bool(words) and words[-1] in r.surnames

    def _subject(self, lo: int, hi: int) -> str | None:
        """The subject of the sentence stretch lo..hi: a person, else an organisation."""
        return self.resolver.resolve(lo, hi, subject=True, org_subject=True)

    def _main_subject(self, pos: int) -> str | None:
        """The subject after a sentence-opening participial phrase ends at its comma."""
        end = self.sentence_end(pos)
        comma = self.text.body.find(",", pos, end)
        return None if comma < 0 else self._subject(comma + 1, min(end, comma + _SUBJECT_REACH))

    def _antecedent(self, pos: int, person: bool) -> str | None:
        """The person (who) or organisation (which) named right before pos, or before an
        apposition there: "Charles Reilly, a management expert at Stanford, who stated"."""
        r = self.resolver
        i = bisect_left(r.mention_starts, pos) - 1
        for start, end, entity in reversed(r.mentions[max(0, i - 4) : i + 1]):
            if end > pos or self.text.masked[start] != self.text.body[start]:
                continue  # running over pos, or quoted
            gap = self.text.masked[end:pos]
            words = _WORD_RE.findall(gap)
            apposition = (
                gap.startswith(", ")
                and gap.rstrip().endswith(",")
                and "," not in gap[1:].rstrip()[:-1]
                and 0 < len(words) < 12
                and words[0].lower() in ("a", "an", "the")
            )
            if gap.strip() != "," and not apposition:
                return None  # "Smith met the analysts who said": not Smith
            if entity.label in ("PERSON", "ORG") and (entity.label == "PERSON") == person:
                return entity.name
        return None

    def attribute(self, match: re.Match[str]) -> Attribution | None:
        """The speaker and cue the cue word at match gives a quotation, or None when the word
        is no cue here ("member states") or names without a source ("a group called")."""
        if match.start() not in self.attributions:
            self.attributions[match.start()] = self._attribution(match)
        return self.attributions[match.start()]

    def _attribution(self, match: re.Match[str]) -> Attribution | None:
        if not cue_ok(self.text.masked, match):
            return None
        speaker = self.cue_speaker(match)
        if is_negated(self.text.masked, match):  # "He didn't say where, but ... “very soon”"
            return None if speaker is None else Attribution(speaker, None)
        naming = match.group().lower() in NAMING_VERBS
        if speaker is None and naming and not self._after_what(match.start()):
            return None
        return Attribution(speaker, match.group(), tied=naming)

    def _after_what(self, pos: int) -> bool:
        """ "what the makers call "...": an unnamed namer is still the source."""
        return "what" in _WORD_RE.findall(self.text.masked, max(0, pos - 40), pos)[-4:]

    def reported(self, match: re.Match[str]) -> bool:
        """Whether the cue reports speech inside someone else's report ("X observed that the
        ministry had stated"), its subject not generic ("that an official said" is not)."""
        lo, opener = self.clause_start(match.start())
        first = _WORD_RE.search(self.text.masked, lo, match.start())
        return opener == "that" and first is not None and first.group().lower() not in _GENERIC


def _group_noun(word: str) -> bool:
    """A lone plural common noun that describes its sources: "Critics said", "analysts say"
    (not a name, which the mentions resolve, nor an "-s" word of another kind: "perhaps")."""
    bare = _bare(word)
    return (
        len(bare) > 4
        and bare.endswith("s")
        and not bare.endswith(("ss", "us", "is"))
        and bare.isalpha()
        and bare not in NOT_GROUPS
        and (word[0].islower() or word[1:].islower())
    )


def _bare(word: str) -> str:
    return word.strip(",;:.!?()[]\"'“”‘’").lower()


def _party_state(masked: str, at: int) -> bool:
    """Whether the bracket at `at` opens or closes a party-and-state style: "(D-Wis.)"."""
    opening = at if masked[at] == "(" else masked.rfind("(", max(0, at - 20), at)
    return opening >= 0 and PARTY_STATE_RE.match(masked, opening) is not None
