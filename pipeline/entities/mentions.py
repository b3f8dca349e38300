"""Mention-level text rules for the entity layer: the name inside a spaCy span, whether words
are shaped like a person's name, and other occurrences of a name spaCy left untagged.

Pure functions over the story body; `pipeline.entities.grouping` calls them while grouping.
"""

from __future__ import annotations

import re

from pipeline.entities.gazetteer import find_place, free_standing, sentence_initial
from pipeline.entities.layout import in_capitals, is_figure, line_of, table_row
from pipeline.entities.org_names import NAME_WORD, ORG_WORDS, not_a_region
from pipeline.entities.titles import is_honorific, is_title_word, strip_title
from pipeline.nlp import NerSpan

# spaCy folds a leading "the" into these ("the Kremlin"); names of works keep theirs.
_TRIM_THE = frozenset(("ORG", "GPE", "LOC", "NORP", "FAC"))
_QUOTES = "`\"“”‘’' \n"
_SPACED_DASH = re.compile(r" [-\u2013\u2014]+ ")
_FLIGHT = re.compile(r" Flight(?: \d{1,5})?$")
_NEXT_WORD = re.compile(r" [^\W\d_]")
# Labels whose names never hold a figure or run over a line: a figure inside one is a score,
# a phone number or a table column ("Leeds 2 Chelsea 1", "D. Holt 4-43").
_NAME_LABELS = frozenset(("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"))
_MARKED_FIGURE = re.compile(r"[+\-]?\d+[.,:/\-+]\d[\d.,:/\-]*|\+\d+")  # 2-1, 1:55.1, +358
_TOKEN = re.compile(r"\S+")
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_INITIALLED = re.compile(r"(?<![\w.’'])(?:[A-Z]\. ?){1,3}(?P<surname>[A-Z][a-z][\w’'\-]*)")


def split_span(body: str, span: NerSpan) -> list[NerSpan]:
    """The names inside one spaCy span: a name never runs over a line break or takes in a
    figure ("Rovers 2 Albion 1" -> "Rovers", "Albion"), an unclosed bracket or lower-case
    words after it ("Sur news agency" -> "Sur"). Labels of works, laws and products keep
    their span ("Windows 95")."""
    if span.label not in _NAME_LABELS:
        return [span]
    pieces: list[tuple[int, int]] = []
    piece_start = piece_end = -1
    scored = False  # a score was cut: the next figure is the other side's
    for token in _TOKEN.finditer(span.text):
        start, end = span.start + token.start(), span.start + token.end()
        breaks = piece_end >= 0 and "\n" in body[piece_end:start]
        figure = is_figure(token[0])
        if breaks or figure and (scored or _cuts(body, span, token[0], end)):
            scored = scored or figure
            if piece_start >= 0:
                pieces.append((piece_start, piece_end))
            piece_start = piece_end = -1
            if not breaks:
                continue
        if piece_start < 0:
            piece_start = start
        piece_end = end
    if piece_start >= 0:
        pieces.append((piece_start, piece_end))
    out: list[NerSpan] = []
    for start, end in pieces:
        end = _name_end(body, start, end)
        if end > start:
            out.append(NerSpan(body[start:end], start, end, span.label))
    return out


def _cuts(body: str, span: NerSpan, figure: str, end: int) -> bool:
    """True when a figure inside a span is no part of the name: a score, a time or a phone
    number; any figure in a person's or a place's name, or in a line of a table."""
    if _MARKED_FIGURE.fullmatch(figure) or span.label in ("PERSON", "GPE", "LOC"):
        return True
    if len(figure) <= 2 and end < span.end and body[end + 1 : end + 2].isupper():
        return True  # a score between two names: "Rovers 5 United 3", not "the 787 Dreamliner"
    return table_row(line_of(body, span.start, span.end))


def _name_end(body: str, start: int, end: int) -> int:
    """Where the name in body[start:end] ends: before an unclosed bracket and before lower-case
    words after its last capitalised word ("Interfax news agency", "Marcelo Rios of")."""
    text = body[start:end]
    bracket = text.rfind("(")
    if bracket >= 0 and ")" not in text[bracket:]:
        text = text[:bracket].rstrip()
    words = text.split(" ")
    while len(words) > 1 and (words[-1].islower() or not words[-1]):
        words.pop()  # but "Hassan al-Turabi" ends in a name
    return start + len(" ".join(words))


def trim_span(body: str, span: NerSpan) -> tuple[int, int, str]:
    """Offsets of the name inside a span: without quote marks, a possessive, a leading "the"
    (places and organisations), a flight number or a spaced dash and what follows it; and the
    title cut from a PERSON span ("President Putin" -> "Putin", "President")."""
    start, end, label, text = span.start, span.end, span.label, span.text
    dash = _SPACED_DASH.search(text)  # "San Jose - Cisco", but "Wal - Mart" is one name
    if dash is not None and (" " in text[: dash.start()] or " " in text[dash.end() :]):
        text, end = text[: dash.start()], start + dash.start()
    lead = len(text) - len(text.lstrip(_QUOTES))  # quote marks spaCy took in: "``AirTran"
    text, start = text[lead:], start + lead
    for suffix in ("’s", "'s", "’", "'"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text, end = text[: -len(suffix)], end - len(suffix)
            break
    text, end = text.rstrip(_QUOTES), end - (len(text) - len(text.rstrip(_QUOTES)))
    if label in _TRIM_THE and text[:4] in ("the ", "The "):
        text, start = text[4:], start + 4
    if label == "ORG" and (flight := _FLIGHT.search(text, 1)):
        text, end = text[: flight.start()], start + flight.start()  # "Adam Air Flight 574"
    if label not in ("PERSON", "ORG"):
        return start, end, ""
    title, cut = strip_title(text)
    if not cut or not text[cut:][:1].isupper():
        return start, end, ""
    rest = NAME_WORD.findall(text[cut:])
    if label == "ORG" and (not name_shaped(rest) or is_title_word(rest[0].removesuffix("s"))):
        return start, end, ""  # "General Motors", "Chief Executives Forum" stay whole;
        # "Spokeswoman Sandy Angers" does not
    return start + cut, end, title


def name_shaped(words: list[str]) -> bool:
    """First name (or initials) + surname: capitalised words, none of them a title, an
    honorific, an abbreviation, a country or a word that names a company ("Douglas
    Aircraft"). "R. Penn" and "J.K. Amos" are names."""
    return (
        len(words) >= 2
        and all(w[:1].isupper() for w in (words[0], words[-1]))
        and not is_honorific(words[0])
        and not_a_region(words[-1])
        and not any(w.isupper() and len(w) > 1 and not _INITIALS.fullmatch(w) for w in words)
        and not _INITIALS.fullmatch(words[-1])
        and words[-1].lower() not in ORG_WORDS
    )


def initialled_names(body: str, lower_words: frozenset[str]) -> list[tuple[int, int]]:
    """Names written with initials, as scorecards and bylines write people ("R. Penn 74",
    "J.K. Amos"): no place, no word the story writes in lower case, not the tail of a
    longer name ("George W. Bush")."""
    found: list[tuple[int, int]] = []
    for match in _INITIALLED.finditer(body):
        surname = match["surname"]
        if surname.lower() in lower_words or not not_a_region(surname):
            continue  # "S. Africa"
        before = body[max(0, match.start() - 2) : match.start()]
        if before[:1].isalnum() or before[:1].isupper():
            continue
        found.append(match.span())
    return found


def not_a_place(word: str) -> bool:
    """True unless the word is a place the gazetteer knows: "Sittard" in "Fortuna Sittard"
    is no one's surname."""
    return find_place(word) is None


def find_other_mentions(
    body: str, forms: set[str], occupied: bytearray, lower_words: frozenset[str]
) -> list[tuple[int, int]]:
    """Other occurrences of an entity's names that spaCy left untagged ("Kyiv’s military").

    Only whole, capitalised words standing on their own: not inside a longer capitalised
    name, and not a sentence-opening word that the story also uses in lower case. A headline
    in capitals names them in capitals ("HALLORAN NAMED CAPTAIN" after "Mia Halloran").
    """
    found: list[tuple[int, int]] = []
    for form in sorted(forms, key=len, reverse=True):
        if len(form) < 2 or not form[:1].isupper():
            continue
        for written in {form, form.upper()}:
            start = body.find(written)
            while start >= 0:
                end = start + len(form)
                if not any(occupied[start:end]) and (
                    _standalone(body, start, end, lower_words)
                    if written == form
                    else free_standing(body, start, end) and in_capitals(body, start, end)
                ):
                    occupied[start:end] = b"\x01" * len(form)
                    found.append((start, end))
                start = body.find(written, end)
    return found


def _standalone(body: str, start: int, end: int, lower_words: frozenset[str]) -> bool:
    if not free_standing(body, start, end):
        return False
    if _NEXT_WORD.match(body, end) and body[end + 1].isupper():
        return False  # "Apple" in "Apple Corps"
    if sentence_initial(body, start):
        return body[start:end].lower() not in lower_words
    previous = body[max(0, start - 30) : start]
    words = previous.split()
    if not words or not previous.endswith(" ") or previous.endswith("  "):
        return True
    word = words[-1]
    if not word[:1].isupper() or is_title_word(word):
        return True
    return sentence_initial(body, start - 1 - len(word))  # "Yesterday Putin said"
