"""Tense cues for the timex stage: which side of the story date a sentence's verb points to.

`pipeline.timex.resolve` builds `TenseCues` once per body (one pass over its words) and the
resolvers of `rules` ask it about a span: "future" after a modal or "expected to", "past" after
"was" or an -ed verb, "reported" when only a reporting verb ("said") speaks for it.
"""

from __future__ import annotations

import re
from bisect import bisect_left

WINDOW = 160  # characters either side of an expression that its sentence may reach
ATTACHED = 4  # characters between a reporting verb and an expression it governs: " on "

_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])|\n")
_WORD = r"[A-Za-z]+(?:'[a-z]+)?"

MODALS = frozenset("will shall would could won't".split())
# a modal with a passive is one future cue, so the participle does not count as past
PASSIVE_MODALS = frozenset("will shall should may might must would could can to".split())
FUTURE_WORDS = frozenset("scheduled planned upcoming".split())
BE_PRESENT = frozenset("is are am".split())
BE = BE_PRESENT | {"was", "were"}
INTENT_VERBS = frozenset(
    "plan plans want wants hope hopes aim aims seek seeks intend intends expect expects".split()
)
PROGRESSIVE_INTENT = frozenset("planning preparing hoping expecting aiming".split())
PAST_WORDS = frozenset("was were had did held met began".split())
# "had been due to expire": a plan that lay in the past
PAST_PLANS = frozenset("due scheduled set expected planned supposed".split())
REPORTING = frozenset("said says told".split())
# the words a cue can start with, found in one pass; _cue_at decides on each with what follows
_CANDIDATE = re.compile(
    r"\b(?:[Ww]ill|[Ss]hall|[Ss]hould|[Mm]ay|[Mm]ight|[Mm]ust|[Ww]ould|[Cc]ould|[Cc]an|won't|to"
    r"|going|is|are|am|was|were|set|due|expected|plans?|wants?|hopes?|aims?|seeks?|intends?"
    r"|expects?|scheduled|planned|upcoming|[Nn]ext|had|did|held|met|began|said|says|told"
    r"|[a-z]+ed|[A-Za-z]+'ll)\b"
)
_FOLLOWING = re.compile(rf"(?:\s+({_WORD}))?" * 4)  # the four words after a candidate
NOT_PAST = frozenset(
    "need speed indeed hundred proceed succeed exceed feed seed breed bleed red bed".split()
)


class TenseCues:
    """The tense cues of one body, in order, and the tense they give a span."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.cues = _cues(text)
        self.starts = [cue[0] for cue in self.cues]

    def __call__(self, start: int, end: int) -> str | None:
        """ "future" or "past" by the cue nearest to text[start:end] in its sentence,
        "reported" when only a reporting verb speaks for it, None when the sentence has none."""
        text = self.text
        lo = max(0, start - WINDOW)
        hi = min(len(text), end + WINDOW)
        for boundary in _SENTENCE_END.finditer(text, lo, start):
            lo = boundary.end()
        after = _SENTENCE_END.search(text, end, hi)
        if after is not None:
            hi = after.start()
        best: tuple[int, str] | None = None
        reporting = False
        index = bisect_left(self.starts, lo)
        while index < len(self.cues) and self.cues[index][0] < hi:
            cue_start, cue_end, kind = self.cues[index]
            index += 1
            if start <= cue_start < end or cue_end > hi:
                continue
            distance = start - cue_end if cue_end <= start else cue_start - end
            if kind == "report" and distance > ATTACHED:
                # "said" dates the reporting, not the event: it decides only when nothing else
                # does, or when the expression hangs on it ("said Friday", "said on Monday")
                reporting = True
                continue
            if best is None or distance < best[0]:
                best = (distance, "past" if kind == "report" else kind)
        if best is None:
            return "reported" if reporting else None
        return best[1]


def _cues(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every cue; kind is future, past or report."""
    cues: list[tuple[int, int, str]] = []
    resume = 0
    for word in _CANDIDATE.finditer(text):
        if word.start() < resume:  # inside the last multi-word cue
            continue
        following = _FOLLOWING.match(text, word.end())
        assert following is not None  # every group is optional: it matches, if empty
        after = [(following[k] or "").lower() for k in (1, 2, 3, 4)] + [""]
        width, kind = _cue_at(word[0], after)
        if kind is None:
            continue
        end = word.end() if width == 1 else following.end(width - 1)
        cues.append((word.start(), end, kind))
        resume = end
    return cues


def _cue_at(original: str, after: list[str]) -> tuple[int, str | None]:
    """How many words make one cue starting with `original` (followed by the words `after`),
    and its kind (None: no cue there)."""
    word = original.lower()
    if word in PASSIVE_MODALS:
        skip = 1 if after[0] == "not" else 0
        if after[skip] == "be" and after[skip + 1]:
            return 3 + skip, "future"
    if word in MODALS or word.endswith("'ll"):
        return 1, "future"
    if word == "going" and after[0] == "to":
        return 2, "future"
    if word in BE_PRESENT and (after[0] == "to" or after[0] in ("due", "set") and after[1] == "to"):
        return (2 if after[0] == "to" else 3), "future"
    if word in ("set", "due", "expected") and after[0] == "to":
        return 2, "future"
    if word in INTENT_VERBS and after[0] == "to" and after[1]:
        return 3, "future"
    if word in BE and after[0] in PROGRESSIVE_INTENT and after[1] == "to" and after[2]:
        return 4, "future"
    if word in FUTURE_WORDS or (word == "next" and after[0] != "to"):
        return 1, "future"
    if word == "had":
        skip = 1 if after[0] == "been" else 0
        if after[skip] in PAST_PLANS and after[skip + 1] == "to" and after[skip + 2]:
            return 4 + skip, "past"
        return 1, "past"
    if word in PAST_WORDS:
        return 1, "past"
    if word in REPORTING:
        return 1, "report"
    if word.endswith("ed") and len(word) > 3 and original[0].islower() and word not in NOT_PAST:
        return 1, "past"
    return 1, None
