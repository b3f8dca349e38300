"""The quotes stage (after entities, before timex): quotations with speaker and cue verb, direct
(the words in the marks), partial (a reported clause holding quoted words) and indirect.

It reads the story's `QuoteText` (quotes.text); cues come from quotes.attribution, which reads
who each cue names through quotes.cue_subjects and quotes.speakers. This module groups run-on
quotes, drops names and terms, carries the speaker over to a floating quote, and hands reported
speech to quotes.reported.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right

from pipeline.quotes.attribution import QuoteCues, opening_of
from pipeline.quotes.cue_subjects import Attribution, CueReader
from pipeline.quotes.marks import (
    MarkSpan,
    is_stray_open,
)
from pipeline.quotes.reported import ReportedSpeech
from pipeline.quotes.speakers import SpeakerResolver
from pipeline.quotes.terms import is_name_or_term, is_naming
from pipeline.quotes.text import QuoteText, read_text
from pipeline.story import Fragment, Quote, Story

__all__ = ["extract_quotes"]

_ADJACENT_RE = re.compile(r" *(?:\.\.\.?|…)? *")  # `,” “` or `”... “`: one quotation run on
_CARRY_REACH = 800  # characters of a paragraph searched for the speaker a floating quote inherits


class _Extractor:
    """One story read once: its marks, quote-masked text, sentences and speaker resolver; then
    `run` attributes every quotation in body order (so a floating quote sees earlier ones)."""

    def __init__(self, story: Story, text: QuoteText) -> None:
        self.text = text
        self.resolver = SpeakerResolver(text, story.entities)
        self.reader = CueReader(text, self.resolver)
        self.cues = QuoteCues(self.reader)
        self.reported = ReportedSpeech(text, self.reader)
        # Speakers given so far, per paragraph, as (quote start, speaker) in body order.
        self.given: dict[int, list[tuple[int, str | None]]] = {}
        self.paragraph_speaker: dict[int, str | None] = {}

    def _latest_speaker(self, index: int, hi: int) -> tuple[bool, str | None]:
        """(found, speaker) of the last quote or cue verb in paragraph `index` before hi."""
        lo = max(self.text.paragraphs[index][0], hi - _CARRY_REACH)
        given = self.given.get(index, [])
        i = bisect_right(given, hi - 1, key=lambda g: g[0])
        latest = given[i - 1] if i else None
        if latest is not None:
            lo = max(lo, latest[0])
        for match in reversed(self.reader.cues_in(lo, hi)):
            found = self.reader.attribute(match)
            if found is not None:
                return True, found.speaker
        return (True, latest[1]) if latest is not None else (False, None)

    def carried(self, span: MarkSpan) -> str | None:
        """A floating quote's speaker: the latest speaker earlier in its paragraph, else the
        last one of the previous paragraph (a quote's speaker or a cue verb's subject)."""
        found, speaker = self._latest_speaker(span.paragraph, opening_of(span))
        if found or span.paragraph == 0:
            return speaker
        previous = span.paragraph - 1
        if previous not in self.paragraph_speaker:
            self.paragraph_speaker[previous] = self._latest_speaker(
                previous, self.text.paragraphs[previous][1]
            )[1]
        return self.paragraph_speaker[previous]

    def _give(self, span: MarkSpan, speaker: str | None) -> None:
        self.given.setdefault(span.paragraph, []).append((span.start, speaker))

    def _embedded_speaker(self, span: MarkSpan) -> str | None:
        """An unattributed quote inside a sentence speaks for the sentence's subject only when
        a colon, comma or dash introduces it (`Jobs extended an invitation, "we have ..."`)."""
        j = opening_of(span)
        while j > 0 and self.text.masked[j - 1] == " ":
            j -= 1
        if self.text.masked[j - 1 : j] not in (":", ",", "-", "—", "–"):
            return None
        lo, _ = self.reader.clause_start(j - 1)  # `... : Secretary James Roche: "..."` reads Roche
        return self.resolver.resolve(lo, j - 1)

    def _groups(self) -> list[list[list[MarkSpan]]]:
        """Quotations in body order (each as its segments), grouped when one runs on into the
        next with nothing but spaces or an ellipsis between (`...,” “...` / `...”... “...`)."""
        chains: dict[int, list[MarkSpan]] = {}
        for span in self.text.spans:
            chains.setdefault(span.chain, []).append(span)
        groups: list[list[list[MarkSpan]]] = []
        for segments in chains.values():
            prev = groups[-1][-1][-1] if groups else None
            nxt = segments[0]
            if (
                prev is not None
                and prev.paragraph == nxt.paragraph
                and prev.single == nxt.single
                and not (prev.recovered or nxt.recovered)
                and 0 <= prev.close_at < nxt.open_at
                and self.text.body[prev.start : prev.end].rstrip()[-1:] not in (".", "?", "!")
                and _ADJACENT_RE.fullmatch(self.text.masked, prev.close_at + 1, nxt.open_at)
            ):
                groups[-1].append(segments)
            else:
                groups.append([segments])
        return groups

    def _own(self, segments: list[MarkSpan]) -> Attribution | None:
        """The cue that attributes one quotation: before it in its sentence, else after it."""
        first = segments[0]
        if (
            is_stray_open(first)
            or self._empty(segments)
            or is_naming(self.text.masked, first.open_at)
        ):
            return None
        found = None if self.cues.at_sentence_start(first) else self.cues.leading(first)
        return found if found is not None else self.cues.trailing(segments[-1])

    def run(self) -> tuple[Quote, ...]:
        quotes: list[Quote] = []
        for group in self._groups():
            own = [self._own(segments) for segments in group]
            for k, segments in enumerate(group):
                # A run-on quotation without a cue of its own shares its neighbour's.
                near = (own[k], own[k - 1] if k else None, own[k + 1] if k + 1 < len(own) else None)
                self._emit(segments, next((f for f in near if f is not None), None), quotes)
        quotes = _merge_partials(quotes)
        quotes.extend(self.reported.indirect(quotes))
        quotes.sort(key=lambda q: q.start)
        return tuple(
            dataclasses.replace(q, speaker_type=self.resolver.kind_of(q.speaker)) for q in quotes
        )

    def _empty(self, segments: list[MarkSpan]) -> bool:
        return all(self.text.body[s.start : s.end].isspace() or s.start == s.end for s in segments)

    def _emit(
        self, segments: list[MarkSpan], found: Attribution | None, quotes: list[Quote]
    ) -> None:
        """Append the quotes of one quotation (unless it is a name, a term or empty)."""
        first = segments[0]
        if self._empty(segments):
            return  # empty marks ("" or “ ”) quote nothing
        if is_naming(self.text.masked, first.open_at):
            return
        if is_stray_open(first):
            recovered = self.cues.recover_unclosed(first)
            if recovered is not None:
                end, cued = recovered
                quote = _quote(self.text.body, first.start, end, cued.speaker, cued.cue)
                if quote is not None:
                    quotes.append(quote)
                    self._give(first, cued.speaker)
            return
        if found is None and any(s.recovered for s in segments):
            return  # a stray closing mark with no cue after it: not a quotation
        if found is not None:
            speaker, cue = found.speaker, found.cue
        elif self.cues.at_sentence_start(first):
            speaker, cue = self.carried(first), None
        else:
            speaker, cue = self._embedded_speaker(first), None
        for span in segments:
            quote = _quote(self.text.body, span.start, span.end, speaker, cue)
            if quote is None or is_name_or_term(
                self.text.masked,
                span.open_at,
                quote.text,
                opens_sentence=self.cues.at_sentence_start(span),
                tied=found is not None and found.tied,
            ):
                continue
            short = len(quote.text.split()) < 4
            if found is None and short and not self.cues.at_sentence_start(span):
                continue  # an unattributed scare quote ("the 'reform'")
            quotes.append(self.reported.widen(quote, opening_of(span), found))
            self._give(span, speaker)


def _merge_partials(quotes: list[Quote]) -> list[Quote]:
    """Partial quotes widened to the same clause (`called it "reckless" and "dangerous"`)
    become one quote holding every fragment."""
    merged: list[Quote] = []
    seen: dict[tuple[int, int], int] = {}
    for quote in quotes:
        key = (quote.start, quote.end)
        if quote.type == "partial" and key in seen:
            k = seen[key]
            fragments = tuple(sorted({*merged[k].fragments, *quote.fragments}, key=_at))
            merged[k] = dataclasses.replace(merged[k], fragments=fragments)
            continue
        if quote.type == "partial":
            seen[key] = len(merged)
        merged.append(quote)
    return merged


def _at(fragment: Fragment) -> int:
    return fragment.start


def _quote(body: str, start: int, end: int, speaker: str | None, cue: str | None) -> Quote | None:
    """The quote for body[start:end] with surrounding whitespace trimmed; None if empty."""
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return Quote(body[start:end], start, end, speaker, cue) if start < end else None


def extract_quotes(story: Story) -> Story:
    """Attach the story's quotes: direct (the words in the marks), partial and indirect (the
    reported content, quoted words as fragments), each with speaker and cue verb."""
    text = read_text(story.body) if story.body else None
    if text is None:
        return dataclasses.replace(story, quotes=())
    return dataclasses.replace(story, quotes=_Extractor(story, text).run())
