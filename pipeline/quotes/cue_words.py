"""Reporting cues for the quotes stage: the verbs and phrases that attribute a quotation
("said", "according to", "issued a statement saying"), found in one pass over the quote-masked
body, and the checks that tell a cue from the same word used otherwise ("member states").
"""

from __future__ import annotations

import re

SPEECH_VERBS = frozenset(
    (
        "say says said saying tells told telling added adds adding asked asks posted wrote writes "
        "declared stated noted insisted insists warned warns explained argued argues replied "
        "responded answered recalled acknowledged admitted announced claimed conceded confirmed "
        "contended cautioned emphasised emphasized stressed suggested tweeted vowed pledged "
        "predicted promised remarked commented countered complained observed quipped joked "
        "concluded maintained boasted shouted testified urged accused criticised criticized "
        "condemned dismissed denied hailed praised indicated claims notes explains reads asking "
        "states stating agreed agrees revealed reveals vows promises yelled chanted derided "
        "lamented touted blasted slammed mocked decried reported retorted interjected"
    ).split()
)
# Cues that also name things ("a group called"): they count only with a resolvable subject,
# or in "what analysts call", where the namer is the source even if unnamed.
NAMING_VERBS = frozenset(
    "described describes describing called calling call calls labelled labeled branded "
    "termed".split()
)
# A participle cue ("..., saying") takes the clause's subject; "quoted X as saying" its object;
# one opening its sentence ("Citing ..., Airbus said") the subject of the main clause after it.
PARTICIPLES = frozenset(
    "saying adding telling describing calling asking stating citing noting explaining "
    "concluding insisting arguing warning claiming declaring announcing".split()
)
# Verbs that report speech only with a speech noun as their object: "extended an invitation",
# "left this farewell", "issued a statement"; the verb itself is the cue.
SUPPORT_VERBS = frozenset("left extended issued gave sent offered delivered".split())
_SPEECH_NOUNS = frozenset(
    "farewell invitation statement message note warning remarks comment comments apology "
    "response reply tribute greeting greetings plea appeal speech address assurance "
    "assurances promise thanks".split()
)
_NOUN_LIKE = PARTICIPLES | {"call", "calls"}  # also nouns: "a warning", "the call"
_DETERMINERS = frozenset("a an the this that his her its their our".split())
_PASSIVE = frozenset("was were is are been be being".split())
SUBJECT_PRONOUNS = frozenset("he she they we i it who which".split())
_NEGATIONS = frozenset({"not", "never"})
_WITHHOLDING = frozenset("declined refused declines refuses decline refuse".split())
_WORD_RE = re.compile(r"\w+")


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


# Case-sensitive on purpose: "United States" must not read as the verb "states"; participles
# also match capitalised, since they open sentences ("Describing the plan as ...").
_CUE_WORDS = sorted(
    {
        *SPEECH_VERBS,
        *NAMING_VERBS,
        *SUPPORT_VERBS,
        *PARTICIPLES,
        *(p.capitalize() for p in PARTICIPLES),
        "according to",
        "According to",
    }
)
CUE_RE = re.compile(r"\b" + _trie(_CUE_WORDS) + r"\b")


def cue_ok(masked: str, match: re.Match[str]) -> bool:
    """Whether a cue word at match reports speech here (not "so-called", "the report was
    described", "when asked", "member states", "left the company")."""
    start, end = match.span()
    if start > 0 and masked[start - 1] == "-":
        return False  # "so-called"
    words = _WORD_RE.findall(masked, max(0, start - 20), start)
    prev = words[-1].lower() if words else ""
    verb = match.group().lower()
    if verb in SUPPORT_VERBS:  # "issued a statement", "a farewell was left by"
        after = _WORD_RE.findall(masked, end, end + 40)[:3]
        return any(w.lower() in _SPEECH_NOUNS for w in [*words[-4:], *after])
    if prev in _PASSIVE and verb != "according to":
        return _WORD_RE.findall(masked, end, end + 5)[:1] == ["by"]
    if verb == "states":  # "He states", "Apple states:"; not "member states"
        follows = masked[end : end + 2].lstrip()[:1]
        if follows in (":", ","):
            return True
        return bool(prev) and (words[-1][0].isupper() or prev in SUBJECT_PRONOUNS)
    adjacent = masked[max(0, start - len(prev) - 1) : start].lower() == prev + " "
    if verb in _NOUN_LIKE and prev in _DETERMINERS and adjacent:
        return False  # "a warning", "the call" (not `an "Antennagate," saying`)
    return not (verb == "asked" and prev in ("when", "if", "after", "before"))


def is_negated(masked: str, match: re.Match[str]) -> bool:
    """ "He didn't say where", "declined to say": the verb reports that nothing was said, so
    it names the source of a nearby fragment but is not its cue."""
    lead = masked[max(0, match.start() - 30) : match.start()]
    if not ("t " in lead or "never" in lead or "to " in lead):
        return False
    words = [w.lower() for w in _WORD_RE.findall(lead)]
    near = words[-2:]
    if any(w in _NEGATIONS or (w == "t" and len(near) == 2) for w in near):
        return True  # "not say", "never said", "didn't say" (read as "didn", "t")
    return len(words) >= 2 and words[-1] == "to" and words[-2] in _WITHHOLDING
