"""The quotes stage (after entities, before timex): direct quotations with speaker and cue verb.

Marks come from pipeline.quote_marks, speakers from pipeline.speakers; this module ties each
quote to a reporting cue before or after it, or carries the speaker over to a floating quote.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from pipeline.quote_marks import (
    DOUBLE_MARKS,
    MarkSpan,
    find_quote_spans,
    is_stray_open,
    mask_quotes,
    paragraph_spans,
    sentence_starts,
)
from pipeline.speakers import SpeakerResolver, roles_from_apposition
from pipeline.story import Quote, Story

__all__ = ["extract_quotes", "roles_from_apposition"]

_SPEECH_VERBS = (
    "say says said saying tells told telling added adds adding asked asks posted wrote writes "
    "declared stated noted insisted insists warned warns explained argued argues replied "
    "responded answered recalled acknowledged admitted announced claimed conceded confirmed "
    "contended cautioned emphasised emphasized stressed suggested tweeted vowed pledged predicted "
    "promised remarked commented countered complained observed quipped joked concluded "
    "maintained boasted shouted testified urged accused criticised criticized condemned dismissed "
    "denied hailed praised indicated claims notes explains reads asking states"
).split()
# Cues that also name things ("a group called"): they count only with a resolvable subject.
_NAMING_VERBS = frozenset(
    "described describes describing called calling labelled labeled branded termed".split()
)


def _trie(words: list[str]) -> str:
    """A regex alternation of words as a prefix tree, so a scan tests one letter per position
    instead of every word (literal branches only: linear time)."""
    rest = [w for w in words if w]
    if not rest:
        return ""
    if len(rest) < len(words):  # a word ends here and longer ones go on
        return f"(?:{_trie(rest)})?"
    branches = []
    for first in sorted({w[0] for w in words}):
        tails = [w[1:] for w in words if w[0] == first]
        branches.append(re.escape(first) + _trie(tails))
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


# Case-sensitive on purpose: "United States" must not read as the verb "states".
_CUE_WORDS = sorted({*_SPEECH_VERBS, *_NAMING_VERBS, "according to", "According to"})
_CUE_RE = re.compile(r"\b" + _trie(_CUE_WORDS) + r"\b")
_PASSIVE = frozenset("was were is are been be being".split())
# A participle cue ("..., saying") takes the clause's subject; "quoted X as saying" its object.
_PARTICIPLES = frozenset("saying adding telling describing calling asking".split())
# After these the subject of a cue is elided: "Jobs agreed, but dismissed ...".
_COORDINATORS = frozenset("but and while whereas although though because".split())
# Words before a one- or two-word quote that make it a term, not a quotation: the "Lion" release.
_TERM_BEFORE = frozenset("a an the its his her their our this these those and or".split())
_NAMING_BEFORE = frozenset("called dubbed named termed nicknamed branded".split())
_SUBJECT_PRONOUNS = frozenset("he she they we i it who which".split())
_CLAUSE_RE = re.compile(
    r"[;:()“”\"]|\b(?:that|which|who|whom|but|and|while|whereas|although|though|because)\b"
)
# Words right before a mark that make it a name or a term, not a quotation.
_NAMING_WORDS = frozenset(
    "so-called dubbed nicknamed titled entitled named codenamed code-named slogan hashtag "
    "headlined marked".split()
)
_NAMING_PAIRS = frozenset(
    ("known as", "the word", "the words", "the term", "the terms", "the phrase", "the slogan")
)
_WORD_RE = re.compile(r"\w+")
_CONJUNCTIONS = frozenset("and but or while as when because which who that so".split())
_TRAILING_WINDOW = 12  # words allowed between a closing mark and its cue verb
# Every look-around is bounded so a story of any shape is read in linear time.
_REACH = 600  # characters searched before a quote for its cue, or after a cue for its speaker
_CARRY_REACH = 800  # characters of a paragraph searched for the speaker a floating quote inherits


@dataclass(frozen=True, slots=True)
class _Attribution:
    speaker: str | None
    cue: str | None


class _Extractor:
    """One story read once: its marks, quote-masked text, sentences and speaker resolver; then
    `run` attributes every quotation in body order (so a floating quote sees earlier ones)."""

    def __init__(self, story: Story) -> None:
        self.body = body = story.body
        self.paragraphs = paragraph_spans(body)
        self.spans = find_quote_spans(body)
        self.masked = mask_quotes(body, self.spans)
        self.starts = sentence_starts(self.masked, self.paragraphs)
        self.resolver = SpeakerResolver(body, self.masked, story.entities, self.starts)
        self.cues = list(_CUE_RE.finditer(self.masked))  # one pass; windows are bisected
        self.cue_starts = [m.start() for m in self.cues]
        self.cue_cache: dict[int, str | None] = {}
        # Speakers given so far, per paragraph, as (quote start, speaker) in body order.
        self.given: dict[int, list[tuple[int, str | None]]] = {}
        self.paragraph_speaker: dict[int, str | None] = {}

    def _cues_in(self, lo: int, hi: int) -> list[re.Match[str]]:
        """Cue verbs lying wholly inside masked[lo:hi], in body order."""
        i, j = bisect_left(self.cue_starts, lo), bisect_left(self.cue_starts, hi)
        return [m for m in self.cues[i:j] if m.end() <= hi]

    def _sentence_start(self, pos: int) -> int:
        return max(self.resolver.sentence_start(pos), pos - _REACH)

    def _cue_ok(self, match: re.Match[str]) -> bool:
        start = match.start()
        if start > 0 and self.masked[start - 1] == "-":
            return False  # "so-called"
        words = _WORD_RE.findall(self.masked, max(0, start - 20), start)
        prev = words[-1].lower() if words else ""
        verb = match.group().lower()
        if prev in _PASSIVE and verb != "according to":
            return _WORD_RE.findall(self.masked, match.end(), match.end() + 5)[:1] == ["by"]
        if verb == "states":  # "He states", "Apple states"; not "member states"
            return words[-1:] != [] and (words[-1][0].isupper() or prev in _SUBJECT_PRONOUNS)
        return not (verb == "asked" and prev in ("when", "if", "after", "before"))

    def _clause_start(self, pos: int) -> tuple[int, str]:
        """Where the clause holding pos starts, and the word or mark that opens it."""
        start = self._sentence_start(pos)
        for hit in reversed(list(_CLAUSE_RE.finditer(self.masked, start, pos))):
            relative = hit.group() in ("who", "which") and (
                self.masked[hit.start() - 2 : hit.start()] == ", "
            )
            if relative and "," in self.masked[hit.end() : pos]:
                continue  # "Smith, who chairs the panel, said": skip the relative clause
            if hit.group() == "and" and _WORD_RE.search(self.masked, hit.end(), pos):
                continue  # "Smith and Jones said": a coordinated subject, not a new clause
            return hit.end(), hit.group()
        return start, ""

    def _clause_end(self, pos: int) -> int:
        i = bisect_right(self.starts, pos)
        end = min(self.starts[i] if i < len(self.starts) else len(self.body), pos + _REACH)
        for ch in ',;:()“”"\n':
            found = self.masked.find(ch, pos, end)
            if found >= 0:
                end = found
        return end

    def _after_verb(self, pos: int) -> str | None:
        """`said Putin` / `said the firm's chief executive, Alan Mulally`: the NP after a verb,
        read on past one comma when the first stretch names nobody."""
        end = self._clause_end(pos)
        speaker = self.resolver.resolve(pos, end)
        if speaker is None and self.masked[end : end + 1] == ",":
            further = self._clause_end(end + 1)
            named = self.resolver.resolve(end + 1, further)
            if (
                self.resolver.is_person(named)
                and len(_WORD_RE.findall(self.masked, end, further)) < 5
            ):
                speaker = named
        return speaker

    def cue_speaker(self, match: re.Match[str]) -> str | None:
        """Who the cue verb at match attributes speech to (its subject, or its agent)."""
        if match.start() in self.cue_cache:
            return self.cue_cache[match.start()]
        verb, verb_end, masked = match.group().lower(), match.end(), self.masked
        words = _WORD_RE.findall(masked, verb_end, verb_end + 8)
        lo, opener = self._clause_start(match.start())
        before = _WORD_RE.findall(masked, lo, match.start())
        sentence = self._sentence_start(match.start())
        if words and words[0] == "by":  # "described by witnesses as": the agent speaks
            speaker = self._after_verb(masked.index("by", verb_end) + 2)
        elif verb == "according to":
            speaker = self._after_verb(verb_end)
        elif verb in _PARTICIPLES and before[-1:] == ["as"]:  # "quoted Djamal as saying"
            as_at = masked.rfind("as", lo, match.start())
            speaker = self.resolver.resolve(lo, as_at, last=True)
        elif verb in _PARTICIPLES or (not before and opener in _COORDINATORS):
            speaker = self.resolver.resolve(sentence, match.start(), subject=True)
        elif not before:
            speaker = self._after_verb(verb_end)  # "said Putin"
        else:
            speaker = self.resolver.resolve(lo, match.start())
        self.cue_cache[match.start()] = speaker
        return speaker

    def _attribute(self, match: re.Match[str]) -> _Attribution | None:
        if not self._cue_ok(match):
            return None
        speaker = self.cue_speaker(match)
        if speaker is None and match.group().lower() in _NAMING_VERBS:
            return None
        return _Attribution(speaker, match.group())

    def leading(self, span: MarkSpan) -> _Attribution | None:
        """A cue earlier in the quote's sentence: `X said Y had "..."`, `X described as "..."`."""
        opening = _opening(span)
        for match in reversed(self._cues_in(self._sentence_start(opening), opening)):
            found = self._attribute(match)
            if found is not None:
                return found
        return None

    def trailing(self, span: MarkSpan) -> _Attribution | None:
        """A cue just after the closing mark: `"...," Trump said` / `"...," said Putin`."""
        if span.close_at < 0:
            return None
        after = span.close_at + 1
        inner = self.body[span.start : span.end].rstrip()
        following = self.masked[after : after + 8].lstrip()[:1]
        if inner.endswith(".") and following.isupper():
            return None  # `..." Boeing says they must`: the quotation ended the sentence
        limit = self._next_sentence(after)
        opens = [i for ch in DOUBLE_MARKS if (i := self.masked.find(ch, after, limit)) >= 0]
        next_open = min(opens, default=limit)
        direct = inner[-1:] in (",", "?", "!", ".", "…") or following in (",", "—", "–")
        for match in self._cues_in(after, next_open):
            if len(_WORD_RE.findall(self.masked, after, match.start())) > _TRAILING_WINDOW:
                break
            if not direct and not self._closing_clause(match, limit):
                continue  # `chanted "more" as the band left, and Kim said it was`: not hers
            found = self._attribute(match)
            if found is not None:
                if found.speaker is None and not self._at_sentence_start(span):
                    opening = _opening(span)
                    speaker = self.resolver.resolve(self._sentence_start(opening), opening)
                    found = dataclasses.replace(found, speaker=speaker)
                return found
        return self._verbless(after) if direct else None

    def _verbless(self, after: int) -> _Attribution | None:
        """`,” Jesse Toprak, an analyst.` / `,” enthused Scott Fancher.` / `,” he continued.`:
        a name right after the quote, with at most an unlisted verb, attributes it."""
        end = self._clause_end(after)
        words = _WORD_RE.findall(self.masked, after, end)
        lower = [w for w in words if w.islower()]
        if not words or len(words) > 5 or len(lower) > 2:
            return None
        speaker = self.resolver.resolve(after, end)
        if speaker is None:
            return None
        verbs = [w for w in lower if w.endswith(("ed", "s")) and w not in ("his", "was", "has")]
        return _Attribution(speaker, verbs[0] if verbs else None)

    def _closing_clause(self, match: re.Match[str], limit: int) -> bool:
        """Whether the cue sits in a sentence-final `, Smith said (on Monday).` clause."""
        comma = self.masked.rfind(",", max(0, match.start() - 80), match.start())
        between = _WORD_RE.findall(self.masked, comma + 1, match.start())
        if comma < 0 or len(between) > 6 or (between and between[0] in _CONJUNCTIONS):
            return False
        return len(_WORD_RE.findall(self.masked, match.end(), min(limit, match.end() + 80))) <= 6

    def _next_sentence(self, pos: int) -> int:
        edge = min(len(self.masked), pos + 40)
        while pos < edge and self.masked[pos] == " ":
            pos += 1
        i = bisect_right(self.starts, pos)
        return min(self.starts[i] if i < len(self.starts) else len(self.body), pos + _REACH)

    def _at_sentence_start(self, span: MarkSpan) -> bool:
        j = _opening(span)
        start = self._sentence_start(j)
        while j > start and self.masked[j - 1].isspace():
            j -= 1
        return j == self.resolver.sentence_start(j)

    def _latest_speaker(self, index: int, hi: int) -> tuple[bool, str | None]:
        """(found, speaker) of the last quote or cue verb in paragraph `index` before hi."""
        lo = max(self.paragraphs[index][0], hi - _CARRY_REACH)
        given = self.given.get(index, [])
        i = bisect_right(given, hi - 1, key=lambda g: g[0])
        latest = given[i - 1] if i else None
        if latest is not None:
            lo = max(lo, latest[0])
        for match in reversed(self._cues_in(lo, hi)):
            found = self._attribute(match)
            if found is not None:
                return True, found.speaker
        return (True, latest[1]) if latest is not None else (False, None)

    def carried(self, span: MarkSpan) -> str | None:
        """A floating quote's speaker: the latest speaker earlier in its paragraph, else the
        last one of the previous paragraph (a quote's speaker or a cue verb's subject)."""
        found, speaker = self._latest_speaker(span.paragraph, _opening(span))
        if found or span.paragraph == 0:
            return speaker
        previous = span.paragraph - 1
        if previous not in self.paragraph_speaker:
            self.paragraph_speaker[previous] = self._latest_speaker(
                previous, self.paragraphs[previous][1]
            )[1]
        return self.paragraph_speaker[previous]

    def _give(self, span: MarkSpan, speaker: str | None) -> None:
        self.given.setdefault(span.paragraph, []).append((span.start, speaker))

    def _is_naming(self, span: MarkSpan) -> bool:
        if span.open_at < 0:
            return False
        words = self.masked[max(0, span.open_at - 30) : span.open_at].lower().split()[-2:]
        return bool(words) and (words[-1] in _NAMING_WORDS or " ".join(words) in _NAMING_PAIRS)

    def _is_term(self, span: MarkSpan, text: str) -> bool:
        """A one- or two-word quote used as a name: `an "Antennagate,"`, `commonly called
        "apps,"` (but `what she called "senseless vandalism"` stays a quotation)."""
        if span.open_at < 0 or len(text.split()) > 2 or self._at_sentence_start(span):
            return False
        before = _WORD_RE.findall(self.masked, max(0, span.open_at - 40), span.open_at)
        words = [w.lower() for w in before[-2:]]
        if words[-1:] and words[-1] in _TERM_BEFORE:
            return True
        if words[-1:] and words[-1] in _NAMING_BEFORE:
            return len(words) < 2 or words[0] not in _SUBJECT_PRONOUNS and not before[0].istitle()
        return False

    def _embedded_speaker(self, span: MarkSpan) -> str | None:
        """An unattributed quote inside a sentence speaks for the sentence's subject only when
        a colon, comma or dash introduces it (`Jobs extended an invitation, "we have ..."`)."""
        opening = _opening(span)
        j = opening
        while j > 0 and self.masked[j - 1] == " ":
            j -= 1
        if self.masked[j - 1 : j] not in (":", ",", "-", "—", "–"):
            return None
        lo, _ = self._clause_start(j - 1)  # `... : Secretary James Roche: "..."` reads Roche
        return self.resolver.resolve(lo, j - 1)

    def recover_unclosed(self, span: MarkSpan) -> tuple[int, _Attribution] | None:
        """`"We cannot go on, said Smith.`: a stray opening mark ends at the comma before a cue."""
        for match in self._cues_in(span.start, min(span.end, span.start + _REACH)):
            comma = self.masked.rfind(",", max(span.start, match.start() - 60), match.start())
            if comma < 0 or len(_WORD_RE.findall(self.masked, comma, match.start())) > 5:
                continue
            if not self._cue_ok(match):
                continue
            if _WORD_RE.search(self.masked, comma, match.start()):
                speaker = self.resolver.resolve(comma + 1, match.start())
            else:
                speaker = self.resolver.resolve(match.end(), self._clause_end(match.end()))
            return comma + 1, _Attribution(speaker, match.group())
        return self._recover_after_cue(span)

    def _recover_after_cue(self, span: MarkSpan) -> tuple[int, _Attribution] | None:
        """`Lichte said "This will be ... lives. Boeing had`: a stray opening mark right after a
        cue starts a quotation that is taken to end with its sentence."""
        before = self._cues_in(max(0, span.open_at - 40), span.open_at)
        if not before or _WORD_RE.findall(self.masked, before[-1].end(), span.open_at)[2:]:
            return None  # no cue within two words before the mark
        found = self._attribute(before[-1])
        if found is None:
            return None
        i = bisect_right(self.starts, span.start)
        end = self.starts[i] if i < len(self.starts) else len(self.body)
        return min(end, span.end), found

    def run(self) -> tuple[Quote, ...]:
        chains: dict[int, list[MarkSpan]] = {}
        for span in self.spans:
            chains.setdefault(span.chain, []).append(span)
        quotes: list[Quote] = []
        for segments in chains.values():
            first, last = segments[0], segments[-1]
            if all(self.body[s.start : s.end].isspace() or s.start == s.end for s in segments):
                continue  # empty marks ("" or “ ”) quote nothing
            if self._is_naming(first):
                continue
            if is_stray_open(first):
                recovered = self.recover_unclosed(first)
                if recovered is not None:
                    end, cued = recovered
                    quote = _quote(self.body, first.start, end, cued.speaker, cued.cue)
                    if quote is not None:
                        quotes.append(quote)
                        self._give(first, cued.speaker)
                continue
            found = None if self._at_sentence_start(first) else self.leading(first)
            if found is None:
                found = self.trailing(last)
            if found is None and any(s.recovered for s in segments):
                continue  # a stray closing mark with no cue after it: not a quotation
            if found is not None:
                speaker, cue = found.speaker, found.cue
            elif self._at_sentence_start(first):
                speaker, cue = self.carried(first), None
            else:
                speaker, cue = self._embedded_speaker(first), None
            for span in segments:
                quote = _quote(self.body, span.start, span.end, speaker, cue)
                if (
                    quote is None
                    or _looks_like_title(quote.text)
                    or self._is_term(span, quote.text)
                ):
                    continue
                short = len(quote.text.split()) < 4
                if found is None and short and not self._at_sentence_start(span):
                    continue  # an unattributed scare quote ("the 'reform'")
                quotes.append(quote)
                self._give(span, speaker)
        quotes.sort(key=lambda q: q.start)
        return tuple(quotes)


def _opening(span: MarkSpan) -> int:
    return span.open_at if span.open_at >= 0 else span.start


def _quote(body: str, start: int, end: int, speaker: str | None, cue: str | None) -> Quote | None:
    """The quote for body[start:end] with surrounding whitespace trimmed; None if empty."""
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return Quote(body[start:end], start, end, speaker, cue) if start < end else None


def _looks_like_title(text: str) -> bool:
    """`the film "Blue Harbour Nights"`: short, unpunctuated, every long word capitalised."""
    words = text.split()
    if len(words) < 2 or len(words) > 8 or text[-1] in ".?!,;:":
        return False
    long = [w for w in words if len(w) > 3]
    return bool(long) and all(w[0].isupper() for w in long)


def extract_quotes(story: Story) -> Story:
    """Attach the story's direct quotations (text between the marks, speaker, cue verb)."""
    if not story.body:
        return dataclasses.replace(story, quotes=())
    return dataclasses.replace(story, quotes=_Extractor(story).run())
