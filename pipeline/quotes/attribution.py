"""Quote cues for the quotes stage: which cue attributes a quotation, read before it in its
sentence (`X said Y had "..."`), after its closing mark (`"...," said X` / `..." he said.` /
`...end." Mr X said.`), or where a stray opening mark's words end (`"We lost, said X.`).
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right

from pipeline.quotes.cue_subjects import REACH, Attribution, CueReader
from pipeline.quotes.cue_words import cue_ok
from pipeline.quotes.marks import DOUBLE_MARKS, MarkSpan

_PRONOUNS = frozenset("he she they we it i".split())
_WORD_RE = re.compile(r"\w+")
_CONJUNCTIONS = frozenset("and but or while as when because which who that so".split())
_TRAILING_WINDOW = 12  # words allowed between a closing mark and its cue verb
_NESTED_CUES = 3  # unnamed nested cues read past before a quote keeps the nearest
_TIGHT_WORDS = 3  # `” he said.` / `” Mr Smith said.`: a subject this short right after a quote


class QuoteCues:
    """Finds the attribution of each quotation of one story (cues read by a CueReader)."""

    def __init__(self, reader: CueReader) -> None:
        self.reader = reader
        self.text = reader.text
        self.resolver = reader.resolver

    def leading(self, span: MarkSpan) -> Attribution | None:
        """A cue earlier in the quote's sentence: `X said Y had "..."`, `X described as "..."`;
        a cue inside brackets is an aside, and an unnamed source reported in a that-clause
        (`X observed that the government had stated "..."`) gives way to the named reporter."""
        opening = opening_of(span)
        lo = self.reader.sentence_start(opening)
        unnamed: list[Attribution] = []
        close = self.text.masked.rfind(")", lo, opening)  # the last aside in brackets before it
        aside = (self.text.masked.rfind("(", lo, close), close) if close >= 0 else (-1, -1)
        for match in reversed(self.reader.cues_in(lo, opening)):
            if aside[0] < match.start() < aside[1]:
                continue
            found = self.reader.attribute(match)
            if found is None:
                continue
            if found.speaker is not None:
                return found
            unnamed.append(found)
            if len(unnamed) == _NESTED_CUES or not self.reader.reported(match):
                break
        return unnamed[0] if unnamed else None

    def trailing(self, span: MarkSpan) -> Attribution | None:
        """A cue just after the closing mark: `"...," Trump said` / `"...," said Putin` /
        `..." he said.` / `...end." Mr Smith said.` / `"..." as stated on the Ford website`."""
        if span.close_at < 0:
            return None
        after = span.close_at + 1
        inner = self.text.body[span.start : span.end].rstrip()
        following = self.text.masked[after : after + 8].lstrip()[:1]
        if inner.endswith(".") and following.isupper():
            return self._attribution_sentence(after)  # or `..." Boeing says they must`: none
        limit = self._next_sentence(after)
        opens = [i for ch in DOUBLE_MARKS if (i := self.text.masked.find(ch, after, limit)) >= 0]
        next_open = min(opens, default=limit)
        direct = inner[-1:] in (",", "?", "!", ".", "…") or following in (",", "—", "–")
        for match in self.reader.cues_in(after, next_open):
            between = _WORD_RE.findall(self.text.masked, after, match.start())
            if len(between) > _TRAILING_WINDOW:
                break
            if not between and self.text.masked[match.end() : match.end() + 1] == ":":
                break  # `the text "...", states: "...`: the cue introduces the next quote
            if not (
                direct
                or self._closing_clause(match, limit)
                or self._tight(after, match, limit)
                or between == ["as"]  # `"..." as stated on the Apple website`
            ):
                continue  # `chanted "more" as the band left, and Kim said it was`: not hers
            found = self.reader.attribute(match)
            if found is not None:
                if found.speaker is None and not self.at_sentence_start(span):
                    opening = opening_of(span)
                    speaker = self.resolver.resolve(self.reader.sentence_start(opening), opening)
                    found = dataclasses.replace(found, speaker=speaker)
                if following == "," and len(between) <= _TIGHT_WORDS:  # `'switch', he said,`
                    found = dataclasses.replace(found, tied=True)
                return found
        return self._verbless(after) if direct else None

    def _tight(self, after: int, match: re.Match[str], limit: int) -> bool:
        """`...producers” he said.`: a pronoun or name, then the cue, then the sentence ends."""
        gap = self.text.masked[after : match.start()]
        words = _WORD_RE.findall(gap)
        if not 0 < len(words) <= _TIGHT_WORDS or any(ch in gap for ch in ",;:()"):
            return False
        if not (words[0].lower() in _PRONOUNS or words[0][0].isupper()):
            return False
        return len(_WORD_RE.findall(self.text.masked, match.end(), limit)) <= 6

    def _attribution_sentence(self, after: int) -> Attribution | None:
        """`...concerned.” Mr MacFarlane said.`: a sentence that is only a subject and a cue
        attributes the quotation that ends just before it."""
        limit = self._next_sentence(after)
        cues = self.reader.cues_in(after, limit)
        if not cues:
            return None
        match = cues[0]
        if len(_WORD_RE.findall(self.text.masked, after, match.start())) > _TIGHT_WORDS + 1:
            return None
        if len(_WORD_RE.findall(self.text.masked, match.end(), limit)) > _TIGHT_WORDS:
            return None
        return self.reader.attribute(match)

    def _verbless(self, after: int) -> Attribution | None:
        """`,” Jesse Toprak, an analyst.` / `,” enthused Scott Fancher.` / `,” he continued.`:
        a name right after the quote, with at most an unlisted verb, attributes it."""
        end = self.reader.clause_end(after)
        words = _WORD_RE.findall(self.text.masked, after, end)
        lower = [w for w in words if w.islower()]
        if not words or len(words) > 5 or len(lower) > 2:
            return None
        speaker = self.resolver.resolve(after, end)
        if speaker is None:
            return None
        verbs = [w for w in lower if w.endswith(("ed", "s")) and w not in ("his", "was", "has")]
        return Attribution(speaker, verbs[0] if verbs else None)

    def _closing_clause(self, match: re.Match[str], limit: int) -> bool:
        """Whether the cue sits in a sentence-final `, Smith said (on Monday).` clause."""
        comma = self.text.masked.rfind(",", max(0, match.start() - 80), match.start())
        if comma < 0:
            return False
        between = _WORD_RE.findall(self.text.masked, comma + 1, match.start())
        if len(between) > 6 or (between and between[0] in _CONJUNCTIONS):
            return False
        return (
            len(_WORD_RE.findall(self.text.masked, match.end(), min(limit, match.end() + 80))) <= 6
        )

    def _next_sentence(self, pos: int) -> int:
        edge = min(len(self.text.masked), pos + 40)
        while pos < edge and self.text.masked[pos] == " ":
            pos += 1
        return self.reader.sentence_end(pos)

    def at_sentence_start(self, span: MarkSpan) -> bool:
        j = opening_of(span)
        start = self.reader.sentence_start(j)
        while j > start and self.text.masked[j - 1].isspace():
            j -= 1
        return j == self.resolver.sentence_start(j)

    def recover_unclosed(self, span: MarkSpan) -> tuple[int, Attribution] | None:
        """`"We cannot go on, said Smith.`: a stray opening mark ends at the comma before a cue."""
        for match in self.reader.cues_in(span.start, min(span.end, span.start + REACH)):
            comma = self.text.masked.rfind(",", max(span.start, match.start() - 60), match.start())
            if comma < 0 or len(_WORD_RE.findall(self.text.masked, comma, match.start())) > 5:
                continue
            if not cue_ok(self.text.masked, match):
                continue
            if _WORD_RE.search(self.text.masked, comma, match.start()):
                speaker = self.resolver.resolve(comma + 1, match.start())
            else:
                speaker = self.resolver.resolve(match.end(), self.reader.clause_end(match.end()))
            return comma + 1, Attribution(speaker, match.group())
        return self._recover_after_cue(span)

    def _recover_after_cue(self, span: MarkSpan) -> tuple[int, Attribution] | None:
        """`Lichte said "This will be ... lives. Boeing had`: a stray opening mark right after a
        cue starts a quotation that is taken to end with its sentence."""
        before = self.reader.cues_in(max(0, span.open_at - 40), span.open_at)
        if not before or _WORD_RE.findall(self.text.masked, before[-1].end(), span.open_at)[2:]:
            return None  # no cue within two words before the mark
        found = self.reader.attribute(before[-1])
        if found is None:
            return None
        i = bisect_right(self.text.starts, span.start)
        end = self.text.starts[i] if i < len(self.text.starts) else len(self.text.body)
        return min(end, span.end), found


def opening_of(span: MarkSpan) -> int:
    """Where a quotation's opening mark is (its text start when the mark is missing)."""
    return span.open_at if span.open_at >= 0 else span.start
