"""Names and terms in quotation marks, for the quotes stage: `the so-called "coalition"`, the
film "Blue Harbour Nights", an "Antennagate": marked words that nobody is quoted as saying.
Pure checks over the quote-masked body; pipeline.quotes.extract drops what they flag.
"""

from __future__ import annotations

import re

from pipeline.quotes.cue_words import SUBJECT_PRONOUNS

# Words right before a mark that make it a name or a term, not a quotation.
_NAMING_WORDS = frozenset(
    "so-called dubbed nicknamed titled entitled named codenamed code-named slogan hashtag "
    "headlined marked".split()
)
_NAMING_PAIRS = frozenset(
    (
        "known as",
        "the word",
        "the words",
        "the term",
        "the terms",
        "the phrase",
        "the slogan",
        "the text",
        "the caption",
        "the headline",
        "the inscription",
        "the sign",
    )
)
# Words before a one- or two-word quote that make it a term, not a quotation: the "Lion" release.
_TERM_BEFORE = frozenset("a an the its his her their our this these those and or".split())
_NAMING_BEFORE = frozenset("called dubbed named termed nicknamed branded".split())
_WORD_RE = re.compile(r"\w+")


def is_naming(masked: str, open_at: int) -> bool:
    """Whether the mark at open_at follows "so-called", "dubbed", "the word" and the like."""
    if open_at < 0:
        return False
    words = masked[max(0, open_at - 30) : open_at].lower().split()[-2:]
    return bool(words) and (words[-1] in _NAMING_WORDS or " ".join(words) in _NAMING_PAIRS)


def is_term(masked: str, open_at: int, text: str) -> bool:
    """A one- or two-word quote used as a name: `an "Antennagate,"`, `commonly called
    "apps,"` (but `what she called "senseless vandalism"` stays a quotation). The caller rules
    out quotes that open a sentence."""
    if open_at < 0 or len(text.split()) > 2:
        return False
    before = _WORD_RE.findall(masked, max(0, open_at - 40), open_at)
    words = [w.lower() for w in before[-2:]]
    if words[-1:] and words[-1] in _TERM_BEFORE:
        return True
    if words[-1:] and words[-1] in _NAMING_BEFORE:
        return len(words) < 2 or words[0] not in SUBJECT_PRONOUNS and not before[0].istitle()
    return False


def is_name_like(text: str) -> bool:
    """Short words all capitalised ("New GM", "Dreamliner"): a name even when a sentence ties
    it to a speaker ("what he called a "New GM"")."""
    words = text.strip(" .,;:!?…").split()
    return 0 < len(words) <= 3 and all(
        not w[:1].isalpha() or any(c.isupper() for c in w) for w in words
    )  # "iPhone 4" too


def looks_like_title(text: str) -> bool:
    """`the film "Blue Harbour Nights"`: short, unpunctuated, every long word capitalised."""
    words = text.split()
    if len(words) < 2 or len(words) > 8 or text[-1] in ".?!,;:":
        return False
    long = [w for w in words if len(w) > 3]
    return bool(long) and all(w[0].isupper() for w in long)


def is_possessed_title(masked: str, open_at: int, text: str) -> bool:
    """`Springsteen's "American Skin"`, `Fox News's "Hannity,"`: capitalised words right after
    a possessive name a work or a show, not words anyone is quoted as saying."""
    if (
        open_at < 2
        or masked[open_at - 1] != " "
        or masked[open_at - 3 : open_at - 1]
        not in (
            "'s",
            "’s",
            "s'",
            "s’",
        )
    ):
        return False
    core = text.strip(" .,;:")
    words = core.split()
    if not 0 < len(words) <= 6 or any(ch in core for ch in ".?!,;:"):
        return False
    return all(w[0].isupper() or len(w) <= 3 for w in words) and words[0][0].isupper()


def is_name_or_term(
    masked: str, open_at: int, text: str, *, opens_sentence: bool, tied: bool
) -> bool:
    """Whether quoted words are a title, a name or a term rather than a quotation. A sentence
    that ties short words to a source (tied: `he called it "likely"`, `'switch', he said`)
    keeps them a quotation unless they read as a name; a quote opening a sentence is no term."""
    if is_possessed_title(masked, open_at, text):
        return True
    if looks_like_title(text) or opens_sentence:
        return looks_like_title(text)
    return is_term(masked, open_at, text) and not (tied and not is_name_like(text))
