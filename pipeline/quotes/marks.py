"""Text structure for the quotes stage: quotation spans, paragraphs, sentences and words.

Pairs straight and curly double marks per paragraph (with multi-paragraph chains and recovery
from unbalanced marks), then single-quoted partial quotes outside them, telling apostrophes apart.
Doubled apostrophes and backticks ('' and ``, newspaper and tokenised copy) read as double marks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

DOUBLE_MARKS = '"“”'
SINGLE_MARKS = "'‘’"
_DOUBLE_RE = re.compile('["“”]')
_SINGLE_RE = re.compile("['‘’]")
_SINGLE_OPENER_RE = re.compile(
    "(?<![^\\s(\\[{—–/“\"])['‘’](?=\\w)"
)  # a mark after a space, before a word
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n")
_DOUBLED_RE = re.compile("``|''|‘‘|’’")
# Before an opening mark: start of text, space, bracket, dash, slash or another opening mark.
_OPEN_PRECEDERS = frozenset("([{—–-/“‘\"'")
# After a closing mark: end of text, space, punctuation or another closing mark.
_CLOSE_FOLLOWERS = frozenset(",.;:!?)]}—–-/”’\"'…")
# Words that follow an elision apostrophe at a word start: 'em, 'til, rock 'n' roll, 'tis.
_ELISIONS = frozenset({"em", "n", "til", "tis", "twas", "cause", "cos", "bout", "round", "nuff"})
_ELISION_RE = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True, slots=True)
class MarkSpan:
    """Text between quotation marks: `start`/`end` index the body, marks excluded.

    `chain` is shared by the per-paragraph segments of one multi-paragraph quotation;
    `recovered` spans have a stray mark: no opening mark (open_at -1, a closing mark ends them)
    or no closing mark (close_at -1, they run to the paragraph end).
    """

    start: int
    end: int
    open_at: int
    close_at: int
    paragraph: int
    chain: int
    single: bool = False
    recovered: bool = False


def paragraph_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph; paragraphs are separated by blank lines."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for match in _PARAGRAPH_BREAK_RE.finditer(body):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, len(body)))
    trimmed: list[tuple[int, int]] = []
    for start, end in spans:
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        if start < end:
            trimmed.append((start, end))
    return trimmed


def read_doubled_marks(body: str) -> str:
    """The body (same length) with each doubled mark ('' or ``) written as one curly double
    mark beside a space, the mark on the side of its words: `''We won,'' he` reads as
    ` “We won,” he`. A doubled mark between spaces closes, as in tokenised copy."""
    if "''" not in body and "``" not in body and "‘‘" not in body and "’’" not in body:
        return body
    out = list(body)
    for match in _DOUBLED_RE.finditer(body):
        i, j = match.span()
        prev = body[i - 1] if i > 0 else ""
        nxt = body[j] if j < len(body) else ""
        if match.group() in ("``", "‘‘") or (_is_open_side(prev) and nxt and not nxt.isspace()):
            out[i], out[i + 1] = " ", "“"
        else:
            out[i], out[i + 1] = "”", " "
    return "".join(out)


def _is_open_side(ch: str) -> bool:
    return ch == "" or ch.isspace() or ch in _OPEN_PRECEDERS


def _is_close_side(ch: str) -> bool:
    return ch == "" or ch.isspace() or ch in _CLOSE_FOLLOWERS


def _double_opens(body: str, i: int, lo: int, hi: int, is_open: bool) -> bool:
    """Whether the double mark at i opens a quotation (True) or closes one (False)."""
    prev = body[i - 1] if i > lo else ""
    nxt = body[i + 1] if i + 1 < hi else ""
    can_open = _is_open_side(prev) and nxt != "" and not nxt.isspace()
    can_close = prev != "" and not prev.isspace() and _is_close_side(nxt)
    ch = body[i]
    if ch == "“":
        return not (is_open and can_close and not can_open)
    if ch == "”":
        return not is_open and can_open and not can_close
    if is_open:
        return can_open and not can_close
    return can_open or not can_close


def _scan_doubles(body: str, lo: int, hi: int) -> tuple[list[tuple[int, int]], int, int]:
    """Closed (open, close) pairs in [lo, hi), the unclosed opening mark (or -1), and the
    first stray closing mark if it came before any other double mark (or -1)."""
    pairs: list[tuple[int, int]] = []
    open_at = -1
    stray = -1
    seen = False
    for match in _DOUBLE_RE.finditer(body, lo, hi):
        i = match.start()
        if _double_opens(body, i, lo, hi, open_at >= 0):
            open_at = i  # a second opening mark means the earlier one was stray
        elif open_at >= 0:
            pairs.append((open_at, i))
            open_at = -1
        elif not seen:
            stray = i
        seen = True
    return pairs, open_at, stray


def _is_elision(body: str, i: int, hi: int) -> bool:
    nxt = body[i + 1] if i + 1 < hi else ""
    if nxt.isdigit():  # '90s, class of '09
        return True
    word = _ELISION_RE.match(body, i + 1, hi)
    return word is not None and word.group().lower() in _ELISIONS


def _single_opens(body: str, i: int, lo: int, hi: int) -> bool:
    if body[i] == "’" and i + 1 < hi and body[i + 1] == "’":
        return False
    prev = body[i - 1] if i > lo else ""
    nxt = body[i + 1] if i + 1 < hi else ""
    return _is_open_side(prev) and nxt.isalnum() and not _is_elision(body, i, hi)


def _single_closes(body: str, i: int, lo: int, hi: int) -> bool:
    if body[i] == "‘":
        return False
    prev = body[i - 1] if i > lo else ""
    nxt = body[i + 1] if i + 1 < hi else ""
    return prev != "" and not prev.isspace() and not nxt.isalnum()


def _scan_singles(body: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Single-quoted pairs in a stretch outside double quotes; apostrophes are skipped."""
    if _SINGLE_OPENER_RE.search(body, lo, hi) is None:
        return []  # apostrophes only: nothing can open a quotation here
    marks = [m.start() for m in _SINGLE_RE.finditer(body, lo, hi)]
    pairs: list[tuple[int, int]] = []
    open_at = -1
    for n, i in enumerate(marks):
        if open_at < 0:
            if _single_opens(body, i, lo, hi):
                open_at = i
            continue
        if _single_closes(body, i, lo, hi):
            # "the players' union": a plural possessive closes only if no later mark can.
            plural = body[i - 1] in "sS" and i + 2 < hi and body[i + 1] == " "
            if plural and any(_single_closes(body, j, lo, hi) for j in marks[n + 1 : n + 4]):
                continue
            pairs.append((open_at, i))
            open_at = -1
        elif _single_opens(body, i, lo, hi):
            open_at = i
    return pairs


def _starts_with_opener(body: str, lo: int, hi: int) -> bool:
    return lo < hi and body[lo] in DOUBLE_MARKS and _double_opens(body, lo, lo, hi, False)


def _opens_statement(body: str, i: int, lo: int) -> bool:
    """An opening mark that can start a multi-paragraph quotation: at the paragraph start or
    after `:`, `,` or a sentence end; `had “failed` is more likely a stray mark."""
    j = i
    while j > lo and body[j - 1].isspace():
        j -= 1
    return j == lo or body[j - 1] in ":,.?!"


def find_quote_spans(
    body: str, paragraphs: Sequence[tuple[int, int]] | None = None
) -> list[MarkSpan]:
    """Every quoted span in body order. A quotation left open at a paragraph end continues
    only if the next paragraph opens with a quotation mark; otherwise its mark is stray."""
    if paragraphs is None:
        paragraphs = paragraph_spans(body)
    spans: list[MarkSpan] = []
    chain = 0
    carried = -1  # chain id continuing into the current paragraph, or -1
    for index, (lo, hi) in enumerate(paragraphs):
        pairs, open_at, stray = _scan_doubles(body, lo, hi)
        doubles: list[MarkSpan] = []
        if stray >= 0:
            chain += 1
            doubles.append(MarkSpan(lo, stray, -1, stray, index, chain, recovered=True))
        for opening, closing in pairs:
            if carried >= 0 and opening == lo:
                doubles.append(MarkSpan(opening + 1, closing, opening, closing, index, carried))
            else:
                chain += 1
                doubles.append(MarkSpan(opening + 1, closing, opening, closing, index, chain))
        next_carried = -1
        if open_at >= 0:
            nxt = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
            continues = nxt is not None and _starts_with_opener(body, nxt[0], nxt[1])
            part_of_chain = carried >= 0 and open_at == lo
            continues = continues and (part_of_chain or _opens_statement(body, open_at, lo))
            if continues or part_of_chain:
                if part_of_chain:
                    chain_id = carried
                else:
                    chain += 1
                    chain_id = chain
                doubles.append(MarkSpan(open_at + 1, hi, open_at, -1, index, chain_id))
                next_carried = chain_id if continues else -1
            else:  # a stray opening mark: the quotes stage may still find where it ends
                chain += 1
                doubles.append(MarkSpan(open_at + 1, hi, open_at, -1, index, chain, False, True))
        carried = next_carried
        doubles.sort(key=lambda s: s.start)
        spans.extend(doubles)
        cursor = lo
        for span in [*(d for d in doubles if not is_stray_open(d)), None]:
            gap_end = hi if span is None else (span.open_at if span.open_at >= 0 else span.start)
            for opening, closing in _scan_singles(body, cursor, gap_end):
                chain += 1
                spans.append(MarkSpan(opening + 1, closing, opening, closing, index, chain, True))
            if span is not None:
                cursor = span.close_at + 1 if span.close_at >= 0 else hi
    spans.sort(key=lambda s: s.start)
    return spans


def is_stray_open(span: MarkSpan) -> bool:
    """An opening mark never closed in its paragraph (and not continued in the next one)."""
    return span.recovered and span.close_at < 0


def mask_quotes(body: str, spans: Sequence[MarkSpan]) -> str:
    """The body with quoted words blanked out (same length), so cue and sentence rules do not
    read inside quotations; a final . ? or ! inside a quotation is kept as a sentence end."""
    parts: list[str] = []
    cursor = 0
    for span in spans:
        if span.start < cursor or is_stray_open(span):
            continue
        parts.append(body[cursor : span.start])
        inner = body[span.start : span.end]
        stripped = inner.rstrip()
        if stripped and stripped[-1] in ".?!":
            keep = len(stripped) - 1
            parts.append(" " * keep + stripped[-1] + " " * (len(inner) - keep - 1))
        else:
            parts.append(" " * len(inner))
        cursor = span.end
    parts.append(body[cursor:])
    return "".join(parts)


_TERMINATOR_RE = re.compile(r"[.?!]+")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col maj capt sgt adm sen rep gov st jr sr inc corp co ltd no vs "
    "jan feb mar apr jun jul aug sep sept oct nov dec rev hon mt ft dept est approx".split()
)


def _is_abbreviation(text: str, dot: int, lo: int) -> bool:
    start = dot
    while start > lo and dot - start < 12 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot]
    return (len(word) == 1 and word.isupper()) or "." in word or word.lower() in _ABBREVIATIONS


def sentence_starts(masked: str, paragraphs: Sequence[tuple[int, int]]) -> list[int]:
    """Sorted start offsets of sentences, read from the quote-masked body: a sentence ends at
    . ? or ! (plus closing marks) followed by a capital, digit or opening mark."""
    starts: list[int] = []
    for lo, hi in paragraphs:
        starts.append(lo)
        for match in _TERMINATOR_RE.finditer(masked, lo, hi):
            j = match.end()
            while j < hi and masked[j] in "”’\"')]":
                j += 1
            if j >= hi or not masked[j].isspace():
                continue
            k = j
            while k < hi and masked[k].isspace():
                k += 1
            if k >= hi or not (masked[k].isupper() or masked[k].isdigit() or masked[k] in '“"‘('):
                continue
            if match.group() == "." and _is_abbreviation(masked, match.start(), lo):
                continue
            starts.append(k)
    return starts


WORD_RE = re.compile(r"\w+(?:[.’'&-]\w+)*\.?")  # U.S., Russia’s, co-founder, Ltd.


@functools.lru_cache(maxsize=8192)
def norm_word(token: str) -> str:
    """Lower case, curly apostrophe straightened, possessive 's dropped: "Russia’s" -> "russia"."""
    word = token.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return word.rstrip("'")


class Token(NamedTuple):
    start: int
    end: int
    text: str
    norm: str


def tokenise(text: str, lo: int, hi: int) -> list[Token]:
    """The words of text[lo:hi] (a word straddling hi is cut there)."""
    make = Token._make
    return [make((*m.span(), w := m.group(), norm_word(w))) for m in WORD_RE.finditer(text, lo, hi)]
