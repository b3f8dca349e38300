"""Mention-level text rules for the entity layer: the name inside a spaCy span, whether words
are shaped like a person's name, and other occurrences of a name spaCy left untagged.

Pure functions over the story body; `pipeline.entities.grouping` calls them while grouping.
"""

from __future__ import annotations

import re

from pipeline.entities.gazetteer import free_standing, sentence_initial
from pipeline.entities.org_names import NAME_WORD, ORG_WORDS, not_a_region
from pipeline.entities.titles import is_honorific, is_title_word, strip_title
from pipeline.nlp import NerSpan

# spaCy folds a leading "the" into these ("the Kremlin"); names of works keep theirs.
_TRIM_THE = frozenset(("ORG", "GPE", "LOC", "NORP", "FAC"))
_QUOTES = "`\"“”‘’' \n"
_SPACED_DASH = re.compile(r" [-\u2013\u2014]+ ")
_FLIGHT = re.compile(r" Flight(?: \d{1,5})?$")
_NEXT_WORD = re.compile(r" [^\W\d_]")


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
    if label == "ORG" and not name_shaped(NAME_WORD.findall(text[cut:])):
        return start, end, ""  # "General Motors" stays whole; "Spokeswoman Sandy Angers" not
    return start + cut, end, title


def name_shaped(words: list[str]) -> bool:
    """First name + surname: capitalised words, none of them a title, an honorific, an
    abbreviation, a country or a word that names a company ("Douglas Aircraft")."""
    return (
        len(words) >= 2
        and all(w[:1].isupper() for w in (words[0], words[-1]))
        and not is_honorific(words[0])
        and not_a_region(words[-1])
        and not any(w.isupper() and len(w) > 1 for w in words)
        and words[-1].lower() not in ORG_WORDS
    )


def find_other_mentions(
    body: str, forms: set[str], occupied: bytearray, lower_words: frozenset[str]
) -> list[tuple[int, int]]:
    """Other occurrences of an entity's names that spaCy left untagged ("Kyiv’s military").

    Only whole, capitalised words standing on their own: not inside a longer capitalised
    name, and not a sentence-opening word that the story also uses in lower case.
    """
    found: list[tuple[int, int]] = []
    for form in sorted(forms, key=len, reverse=True):
        if len(form) < 2 or not form[:1].isupper():
            continue
        start = body.find(form)
        while start >= 0:
            end = start + len(form)
            if not any(occupied[start:end]) and _standalone(body, start, end, lower_words):
                occupied[start:end] = b"\x01" * len(form)
                found.append((start, end))
            start = body.find(form, end)
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
