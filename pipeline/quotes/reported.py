"""Reported speech for the quotes stage (after the direct quotes of quotes.extract): partial
quotes (`called the plan "reckless"`) widened to the clause they report, and indirect quotes
(`X said (that) ...`, `..., X said.`, `according to X, ...`) read from cues over the masked text.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from pipeline.quotes.cue_subjects import Attribution, CueReader
from pipeline.quotes.cue_words import NAMING_VERBS, SUBJECT_PRONOUNS
from pipeline.quotes.text import QuoteText
from pipeline.story import Fragment, Quote

_MAX_SENTENCE = 2000  # characters: longer runs are read for direct quotes only
_MAX_REPORTING_CUES = 400  # cues read for indirect speech per story
_WORD_RE = re.compile(r"\w+")
# Cues that report a clause even without `that` ("said the plan is dead"); the rest of
# REPORTING also takes a plain object ("announced a plan", "declared a new beginning").
_BARE_CLAUSE = frozenset(
    "say says said tells told added adds argued argues insisted insists warned warns "
    "contended maintained".split()
)
_THAT_CLAUSE = frozenset(
    "claimed claims noted explained stated cautioned stressed acknowledged admitted announced "
    "conceded confirmed predicted testified wrote writes suggested emphasized emphasised "
    "declared".split()
)
REPORTING = _BARE_CLAUSE | _THAT_CLAUSE | {"according to"}
_OBJECT_CUES = frozenset("told tells warned warns".split())  # `told reporters (that) ...`
# First words after a cue that open no reported clause: `said in a statement`, `said as she`.
_NOT_CLAUSE = frozenset(
    (
        "in on at during for of to by with about after before from as when while if because "
        "though although until since whether so than"
    ).split()
)
# Words that may follow a trailing `, X said` to the sentence end: `, she said on Monday.`
_ADJUNCT = _NOT_CLAUSE | frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight last "
    "this earlier later recently".split()
)
_CLAUSE_BREAK_RE = re.compile(r"[;(—–]|,? (?:--|but|and (?:he|she|they|it|we|I)) |, and ")
_MIN_WORDS = 3  # a reported clause shorter than this is no statement
_TAIL_WORDS = 6  # words allowed after a trailing `, X said` before the sentence ends
_INVERTED_WORDS = 12  # `..., said Ann Roe, the agency's chief editor.`: the source after
_LEAD_WORDS = 8  # words searched after a cue for the `that` opening its clause
_EDGE = " \t\n.,;:"


class ReportedSpeech:
    """Partial and indirect quotes of one story, read with the story's CueReader."""

    def __init__(self, text: QuoteText, reader: CueReader) -> None:
        self.text = text
        self.reader = reader

    def _words(self, lo: int, hi: int) -> list[str]:
        return _WORD_RE.findall(self.text.masked, lo, hi)

    def _trim(self, lo: int, hi: int) -> tuple[int, int]:
        body = self.text.body
        while lo < hi and body[lo] in _EDGE:
            lo += 1
        while hi > lo and body[hi - 1] in _EDGE:
            hi -= 1
        return lo, hi

    def _sentence(self, pos: int) -> tuple[int, int]:
        return self.reader.sentence_start(pos), self.reader.sentence_end(pos)

    def clause_after(self, match: re.Match[str], hi: int) -> int:
        """Where the reported clause after a leading cue starts: after `that` when one comes
        within a few words (`said on Monday that`), after the object of `told reporters`."""
        masked = self.text.masked
        words = list(itertools.islice(_WORD_RE.finditer(masked, match.end(), hi), _LEAD_WORDS))
        for word in words:
            if word.group().lower() == "that":
                return word.end()
        if not words:
            return match.end()
        if match.group().lower() in _OBJECT_CUES and words[0].group().lower() not in _NOT_CLAUSE:
            return words[0].end()  # `told reporters the plan`: skip the one-word object
        return match.end()

    def _leading(self, lo: int, hi: int, found: Attribution) -> re.Match[str] | None:
        """The cue before hi in its sentence that gives this attribution."""
        for match in reversed(self.reader.cues_in(lo, hi)):
            if self.reader.attribute(match) == found:
                return match
        return None

    def widen(self, quote: Quote, open_at: int, found: Attribution | None) -> Quote:
        """A direct quote led into by words of its own sentence (`said the plan was "deeply
        flawed"`) is a partial quote: its extent becomes the reported clause, the marked words
        its fragment. A quote opening its sentence or following `said:` stays direct."""
        masked = self.text.masked
        j = open_at
        while j > 0 and masked[j - 1].isspace():
            j -= 1
        if j == 0 or not (masked[j - 1].isalnum() or masked[j - 1] == "'"):
            return quote  # at a sentence start or after `,` / `:` / a dash: a statement
        lo, hi = self._sentence(open_at)
        if j <= lo:
            return quote
        if found is None or found.cue is None:
            return _embedded(quote)
        close = min(len(masked), quote.end + 1)
        match = self._leading(lo, open_at, found)
        if match is not None:
            start = self.clause_after(match, open_at)
            if not self._reports_clause(match, start, open_at):
                return _embedded(quote)
            if match.group().lower() == "according to":  # `according to X, the plan "..."`
                start = masked.find(",", match.end(), open_at) + 1 or match.end()
            if self._comma_after(quote, close):
                end = close  # `that he has "grown the party," claiming ...`: the clause ends
            else:
                cut = _CLAUSE_BREAK_RE.search(masked, close, hi)
                end = cut.start() if cut else max(hi, close)
            start, end = self._trim(start, end)
        else:
            if not self._comma_after(quote, close) or len(self._words(close, hi)) > 2 * _TAIL_WORDS:
                return _embedded(quote)  # `the "Hannity" show, Smith said`: no closing clause
            start, end = self._trim(lo, close)
        if not (start <= quote.start and quote.end <= end):
            return quote
        return dataclasses.replace(
            quote,
            text=self.text.body[start:end],
            start=start,
            end=end,
            type="partial",
            fragments=(Fragment(quote.start, quote.end),),  # run-on fragments merge later
        )

    def _comma_after(self, quote: Quote, close: int) -> bool:
        """`"...,"` or `"...",`: a comma ends the quoted words."""
        body = self.text.body
        return body[quote.end - 1 : quote.end] == "," or body[close : close + 1] == ","

    def _reports_clause(self, match: re.Match[str], start: int, open_at: int) -> bool:
        """Whether the words from a leading cue to a quote are the clause it reports: after
        `that`, a naming verb (`called the plan`) or a bare speech verb (`said the plan`), and
        not an adjunct (`said after a brief "..."`, `said on "Meet the Press"`)."""
        verb = match.group().lower()
        words = self._words(match.end(), open_at)
        if self.text.masked[start - 4 : start].lower() == "that":
            return True
        if words and words[0].lower() in _NOT_CLAUSE:
            return verb in NAMING_VERBS and words[0].lower() == "as"  # `described it as "..."`
        return verb in NAMING_VERBS or verb in _BARE_CLAUSE

    def indirect(self, taken: Sequence[Quote]) -> list[Quote]:
        """Unmarked reported statements: `X said (that) ...`, `..., X said (on Monday).`,
        `according to X, ...` and `..., according to X.`; none overlaps a quote in taken, and
        none lies in a sentence with quotation marks (those hold direct or partial quotes)."""
        quoted = _Intervals((q.start, q.end) for q in taken)
        marked = _Intervals(
            (s.open_at if s.open_at >= 0 else s.start, s.end) for s in self.text.spans
        )
        found: list[Quote] = []
        last_end = -1
        read = 0
        for match in self.reader.cues:  # cheap checks first: `attribute` reads the subject
            if match.group().lower() not in REPORTING or self._relative(match):
                continue
            read += 1
            if read > _MAX_REPORTING_CUES:
                break  # bounded work on pathological copy (a story has tens of cues, not 10,000)
            lo, hi = self._sentence(match.start())
            if hi - lo > _MAX_SENTENCE:
                continue  # a "sentence" that long is a table or a run-on paste, not speech
            if marked.overlaps(lo, hi):
                continue  # a sentence with marks holds direct or partial quotes and their cues
            extent = self._extent(match)
            if extent is None:
                continue
            start, end = extent
            if start < last_end or len(self._words(start, end)) < _MIN_WORDS:
                continue
            if quoted.overlaps(start, end):
                continue
            attribution = self.reader.attribute(match)
            if attribution is None or attribution.cue is None:
                continue
            last_end = end
            found.append(
                Quote(
                    self.text.body[start:end],
                    start,
                    end,
                    attribution.speaker,
                    attribution.cue,
                    type="indirect",
                )
            )
        return found

    def _relative(self, match: re.Match[str]) -> bool:
        """`voters who say ...`, `what Obama says`: the cue sits in a noun phrase."""
        before = [w.lower() for w in self._words(max(0, match.start() - 40), match.start())]
        return bool({"who", "what", "whom", "which"} & set(before[-3:]))

    def _extent(self, match: re.Match[str]) -> tuple[int, int] | None:
        masked = self.text.masked
        lo, hi = self._sentence(match.start())
        before = self._words(lo, match.start())
        after = self._words(match.end(), hi)
        comma = masked.rfind(",", lo, match.start())
        subject = self._words(comma, match.start()) if comma >= 0 else []
        closing = not after or not subject or after[0].lower() in _ADJUNCT
        if (
            comma >= 0
            and len(subject) <= _TAIL_WORDS
            and len(after) <= (_TAIL_WORDS if subject else _INVERTED_WORDS)
            and closing
            and len(self._words(lo, comma)) >= _MIN_WORDS
        ):
            return self._trim(lo, comma)  # `The plan is dead, Smith said` (or `, said Smith`)
        if match.group().lower() == "according to":
            if before:
                return None
            opening = masked.find(",", match.end(), hi)
            return None if opening < 0 else self._trim(opening + 1, hi)
        if not before or len(after) < _MIN_WORDS:
            return None
        start = self.clause_after(match, hi)
        that = masked[start - 4 : start].lower() == "that"
        if not that and (after[0].lower() in _NOT_CLAUSE or match.group() not in _BARE_CLAUSE):
            return None  # `said in a statement`, `announced a plan`: no clause follows
        if not that and self.reader.attribute(match) == Attribution(None, match.group()):
            last = before[-1]
            if not (last.lower() in SUBJECT_PRONOUNS or last[0].isupper() or last.endswith("s")):
                return None  # `Rule 40 adds another number`: a bare verb needs a speaker
        if masked[match.end() : match.end() + 2].strip() in (",", ":"):
            return None  # `said, "...`: a quotation follows, not reported speech
        return self._trim(start, hi)


class _Intervals:
    """Fixed spans of the body, asked whether any overlaps lo..hi in logarithmic time."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.reach = list(itertools.accumulate((e for _, e in ordered), max))

    def overlaps(self, lo: int, hi: int) -> bool:
        i = bisect_left(self.starts, hi)
        return i > 0 and self.reach[i - 1] > lo


def _embedded(quote: Quote) -> Quote:
    """Marked words inside a sentence that no cue reports as a clause: a partial quote of its
    own words (`slammed the proposal as "reckless"`)."""
    return dataclasses.replace(quote, type="partial", fragments=(Fragment(quote.start, quote.end),))
