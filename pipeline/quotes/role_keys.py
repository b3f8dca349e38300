"""Role phrases reduced to what speaker matching compares: the words of a title (head noun,
field, rank, country) and `role_key`, which parses "the Russian foreign minister" into them.
Read by pipeline.quotes.roles (finding roles) and pipeline.quotes.speakers (matching them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.quotes.marks import WORD_RE, Token, norm_word

# Country -> the words that stand for it in a role ("Kremlin leader", "the U.S. President").
_COUNTRY_WORDS = """
united states: united states|u.s.|u.s|us|usa|america|american|white house|washington
united kingdom: united kingdom|u.k.|uk|britain|british|downing street|london
russia: russia|russian|kremlin|moscow; ukraine: ukraine|ukrainian|kyiv|kiev
china: china|chinese|beijing; france: france|french|paris|elysee; germany: germany|german|berlin
european union: european union|eu|european|brussels; japan: japan|japanese|tokyo
india: india|indian|new delhi; israel: israel|israeli|jerusalem; iran: iran|iranian|tehran
turkey: turkey|turkish|ankara; canada: canada|canadian|ottawa; mexico: mexico|mexican
brazil: brazil|brazilian; italy: italy|italian|rome; spain: spain|spanish|madrid
poland: poland|polish|warsaw; north korea: north korea|north korean|pyongyang
south korea: south korea|south korean|seoul; australia: australia|australian|canberra
saudi arabia: saudi arabia|saudi|riyadh; egypt: egypt|egyptian|cairo; syria: syria|syrian
iraq: iraq|iraqi|baghdad; pakistan: pakistan|pakistani|islamabad; hungary: hungary|hungarian
south africa: south africa|south african|pretoria; belarus: belarus|belarusian|minsk
palestine: palestine|palestinian
"""
COUNTRIES = {
    word: country.strip()
    for entry in _COUNTRY_WORDS.replace("\n", ";").split(";")
    if ":" in entry
    for country, words in [entry.split(":")]
    for word in words.strip().split("|")
}
# Role nouns that mean the same head: "spokeswoman" and "spokesman" are both "spokesperson".
_HEAD_CANON = dict(
    pair.split("=")
    for pair in (
        "spokesman=spokesperson spokeswoman=spokesperson ceo=executive chairwoman=chairman "
        "chairperson=chairman chair=chairman advisor=adviser premier=minister "
        "congressman=representative congresswoman=representative lawmaker=legislator "
        "sen.=senator sen=senator gov.=governor gen.=general rep.=representative"
    ).split()
)
ROLE_HEADS = frozenset(
    "president minister secretary chancellor leader spokesperson executive chairman director "
    "governor senator mayor ambassador envoy general commander king queen prince princess pope "
    "head chief adviser representative legislator judge prosecutor attorney coach manager "
    "captain founder negotiator diplomat commissioner official economist analyst candidate "
    "speaker emir treasurer officer deputy aide lawyer strategist pollster consultant organizer "
    "surrogate".split()
) | frozenset(_HEAD_CANON)
# Nouns that make a name before them a modifier: "Clinton spokesman Josh Reyes" (he speaks),
# "a Cruz constituent", "the senator's wife" aside (a possessive is read apart).
DEPENDANTS = ROLE_HEADS | frozenset(
    "staffer supporter donor ally friend constituent wife husband son daughter brother sister "
    "mother father".split()
)
# Words between a boss's name and such a noun: "Trump senior communications adviser".
STAFF_MODIFIERS = frozenset(
    "campaign communications press policy political digital legal transition administration "
    "staff media research data finance field longtime top senior chief national deputy".split()
)
# "the commission said": nouns that stand for the organisation named with them before.
ORG_NOUNS = frozenset(
    """
    commission committee agency department ministry council board court panel union party
    campaign newspaper paper magazine network channel station institute foundation center
    centre association coalition organization organisation administration office bureau
    university college school hospital church police army
    """.split()
)
# US congressional style after a name: "Rep. Gwen Moore (D-Wis.)", "Sen. Tom Hale (R)".
PARTIES = frozenset("D R I".split())
STATE_ABBREVIATIONS = frozenset(
    """
    Ala. Alaska Ariz. Ark. Calif. Colo. Conn. Del. Fla. Ga. Hawaii Idaho Ill. Ind. Iowa Kan.
    Ky. La. Maine Md. Mass. Mich. Minn. Miss. Mo. Mont. Neb. Nev. N.H. N.J. N.M. N.Y. N.C.
    N.D. Ohio Okla. Ore. Pa. R.I. S.C. S.D. Tenn. Texas Utah Vt. Va. Wash. W.Va. Wis. Wyo.
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ
    NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
    """.split()
)
PARTY_STATE_RE = re.compile(
    r"\((?:"
    + "|".join(sorted(PARTIES))
    + r")(?:[-–, ] ?(?:"
    + "|".join(re.escape(s) for s in sorted(STATE_ABBREVIATIONS, key=len, reverse=True))
    + r"|[A-Z][a-z]+(?: [A-Z][a-z]+)?))?\)"
)
_FIELDS = frozenset(
    "prime foreign defence defense finance interior home economy economic health trade justice "
    "energy education environment agriculture transport labour labor treasury state security "
    "military press national police army navy".split()
)
_RANKS = frozenset("deputy vice former acting interim assistant ex elect junior shadow".split())
ROLEISH = ROLE_HEADS | _FIELDS | _RANKS | frozenset({"senior", "top", "first", "of"})
PREPOSITIONS = frozenset(
    "of for with at in to from on after before against by about between among under over into "
    "than toward towards like via near behind".split()
)


@dataclass(frozen=True, slots=True)
class RoleKey:
    """A role reduced to what matching needs: head noun, field, rank and country qualifiers."""

    head: str
    fields: frozenset[str]
    ranks: frozenset[str]
    countries: frozenset[str]


def role_key(text: str) -> RoleKey | None:
    """Parse a role phrase ("the Russian foreign minister"); None when it has no role noun."""
    words = [norm_word(w) for w in WORD_RE.findall(text.replace("-", " "))]
    head = ""
    fields: set[str] = set()
    ranks: set[str] = set()
    countries: set[str] = set()
    in_pp = False
    i = 0
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        if pair in COUNTRIES:
            countries.add(COUNTRIES[pair])
            i += 2
            continue
        word = words[i]
        stem = word.rstrip(".")
        if word in COUNTRIES or stem in COUNTRIES:
            countries.add(COUNTRIES.get(word, COUNTRIES.get(stem, "")))
        elif word in PREPOSITIONS and head:
            in_pp = True
        elif not in_pp and (word in ROLE_HEADS or stem in ROLE_HEADS):
            canon = _HEAD_CANON.get(word, _HEAD_CANON.get(stem, stem))
            if not (canon == "officer" and head == "executive"):
                head = canon
            if word == "premier":
                fields.add("prime")
        if word in _FIELDS:
            fields.add("defence" if word == "defense" else word)
        if word in _RANKS:
            ranks.add(word)
        i += 1
    if not head:
        return None
    return RoleKey(head, frozenset(fields), frozenset(ranks), frozenset(countries))


def roleish(tok: Token, in_entity: bool) -> bool:
    """Whether a word can sit in a title: a role, field, rank or country word, or a capitalised
    word inside a non-person mention ("Kremlin", "Air Force")."""
    word = tok.norm
    return (
        word in ROLEISH
        or word.rstrip(".") in ROLEISH
        or word in COUNTRIES
        or (in_entity and tok.text[:1].isupper())
    )


def is_head(tok: Token) -> bool:
    """Whether a word is a role's head noun ("minister", "spokeswoman", "Sen.")."""
    return tok.norm.rstrip(".") in ROLE_HEADS
