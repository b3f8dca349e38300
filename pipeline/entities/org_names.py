"""Organisation, product and event cues for the entity layer: what a name's own words and the
words around it say it is ("Douglas Aircraft", "retailer Best Buy", "an iPod", "Air China").

Pure text rules over a few words either side of a mention; `pipeline.entities.grouping` calls them.
"""

from __future__ import annotations

import re

from pipeline.entities.gazetteer import find_place
from pipeline.entities.titles import HEADS

UNKNOWN = ""  # what a mention votes for when its context rules out spaCy's label and no other

# Last words that make a name an organisation's.
ORG_WORDS = frozenset(
    """
    inc inc. corp corp. co co. ltd ltd. llc plc group company corporation airlines airways
    aircraft motors system systems bank store music records studios holdings partners capital
    network media news times post journal magazine university college council committee
    party agency institute foundation association union management industries
    """.split()
)
# Legal-form words written after a company's name; spaCy often leaves them out of the span.
LEGAL_FORMS = (
    "Inc.",
    "Inc",
    "Corp.",
    "Corp",
    "Co.",
    "Ltd.",
    "Ltd",
    "LLC",
    "L.L.C.",
    "plc",
    "PLC",
    "AG",
    "SA",
    "S.A.",
    "NV",
    "N.V.",
    "GmbH",
    "Limited",
    "Incorporated",
)
_LEGAL_FORM = re.compile(
    " (?:" + "|".join(re.escape(form) for form in LEGAL_FORMS) + r")(?![\w\-])"
)
# Nouns that name what an organisation is, written right before its name: "retailer Best Buy".
ORG_DESCRIPTORS = frozenset(
    """
    company firm group maker manufacturer automaker carmaker airframer planemaker retailer
    chain airline carrier bank lender insurer broker brokerage newspaper magazine daily
    broadcaster network agency giant conglomerate startup start-up supplier subsidiary unit
    division brand label band club team party union charity organisation organization fund
    utility exchange regulator watchdog ministry university operator publisher
    """.split()
)
# Last words of the names of events: "Paris Air Show", "Worldwide Developers Conference".
EVENT_WORDS = frozenset(
    """
    conference summit show expo exhibition festival games olympics championship championships
    cup convention fair marathon awards
    """.split()
)
# Last words of the names of buildings and streets, capitalised as in a name.
FACILITY_WORDS = frozenset("House Street Square Bridge Road Avenue".split())
# A model designation after a maker's name: A380, 787, 737-800, F-35 (not a year).
_MODEL = r"(?!(?:19|20)\d\d\b)(?:[A-Z]{1,3}-?\d{1,4}|\d{3,4})(?:-\d{1,4})?[A-Za-z]{0,2}\b"
MODEL_AFTER = re.compile(" " + _MODEL)
MODEL_LAST = re.compile(r"\w \b" + _MODEL + "$")
_MODEL_ONLY = re.compile(_MODEL + "$")  # "A330s", "787s" on their own
_DIMENSIONS = re.compile(r"\d+x\d+$")  # "320x240": a screen size, no name
# The "i" product-naming style: iPod, iTunes, iPhone (companies write "iRobot Corp").
_I_PRODUCT = re.compile(r"i[A-Z][a-z]")
PRODUCT_NOUNS = frozenset(
    """
    player players phone phones handset handsets smartphone line range computer computers
    laptop laptops tablet tablets device devices model models jet jets airliner airliners
    aircraft car cars vehicle vehicles truck trucks owners users
    """.split()
)
_FUNCTION_WORDS = frozenset(
    "and or but with that which who for in on at to from of by is was has had will".split()
)
_AFTER_FIGURE = re.compile(r"\d[)(]?\s?\(?$")
_WORD_AFTER = re.compile(r"(?:’s|'s)? ([\w\-]+)")
_WORD_BEFORE = re.compile(r"([A-Za-z][a-z\-]*) $")
NAME_WORD = re.compile(r"[^\W\d_][\w\-’'.]*")
_AIRLINE_PREFIX = "Air "
_ACRONYM = re.compile(r" \( ?([A-Z][A-Z0-9&]{1,5}) ?\)")
_ACRONYM_REACH = 120


def org_in_context(body: str, start: int, end: int) -> str:
    """ORG, or PRODUCT where the words around say a thing, not a company, is meant: "an iPod",
    "iPod players", "the iPhone line"; a currency or time-zone code after a figure is none."""
    text = body[start:end]
    if _AFTER_FIGURE.search(body, max(0, start - 8), start) and text.isupper():
        return UNKNOWN  # "16:30 UTC", "$99 (USD)"
    if _DIMENSIONS.match(text):
        return UNKNOWN
    if _MODEL_ONLY.match(text):
        return "PRODUCT"
    if body[end : end + 1] == "-":
        return "ORG"  # "Intel-based", "EADS-led": the name qualifies what follows
    after = _WORD_AFTER.match(body, end)
    if after is not None and not after[0].startswith(("’", "'")):
        if after[1].lower() in PRODUCT_NOUNS:
            return "PRODUCT"
    if _I_PRODUCT.match(text) and (after is None or after[1].lower() not in HEADS):
        return "PRODUCT"  # "iPod", but "iRobot CEO"
    before = body[max(0, start - 5) : start].lower()
    if before.endswith(("the ", " new ")) and body[start:end][:1].islower():
        return "PRODUCT"  # "the iPhone": a company with a lower-case name takes no article
    article = before.endswith((" a ", " an ", " new "))
    if article and (after is None or after[1].lower() in _FUNCTION_WORDS):
        return "PRODUCT"  # "an iPod and", not "a Boeing spokesman"
    return "ORG"


def person_in_context(body: str, start: int, end: int, titled: bool) -> str:
    """PERSON, or what the name and the words around it say it is: "Ryanair CEO", "Douglas
    Aircraft" and "retailer Best Buy" are organisations; after "the" ("the Dreamliner") it is
    no person, but nothing says what it is."""
    if titled:
        return "PERSON"
    words = NAME_WORD.findall(body[start:end])
    if len(words) >= 2 and (words[-1].lower() in ORG_WORDS or not not_a_region(words[-1])):
        return "ORG"  # "Douglas Aircraft", "Garuda Indonesia"
    after = _WORD_AFTER.match(body, end)
    if after is not None and after[1].lower() in HEADS:
        return "ORG"
    if descriptor_before(body, start):
        return "ORG"
    if body[max(0, start - 4) : start].lower() == "the ":
        return UNKNOWN
    return "PERSON"


def descriptor_before(body: str, start: int) -> bool:
    """True when a noun saying what an organisation is stands right before the name: "German
    magazine Der Spiegel", "electronics retailer Best Buy"."""
    before = _WORD_BEFORE.search(body, max(0, start - 24), start)
    return before is not None and before[1].lower() in ORG_DESCRIPTORS


def is_facility_name(text: str) -> bool:
    """A name whose last word makes it a building or a street: "White House", "Wall Street",
    "Downing Street" (where the news says a government or a market sits)."""
    words = text.split()
    return len(words) >= 2 and words[-1] in FACILITY_WORDS


def is_event_name(text: str) -> bool:
    """A name whose last word makes it an event: "Paris Air Show", "Macworld Conference"."""
    words = text.split()
    return len(words) >= 2 and words[-1][:1].isupper() and words[-1].lower() in EVENT_WORDS


def legal_form_after(body: str, end: int) -> int:
    """Where a company's legal form written after its name ends ("Chrysler| LLC"), or `end`."""
    match = _LEGAL_FORM.match(body, end)
    return match.end() if match is not None else end


def airline_before(body: str, start: int) -> int:
    """Where "Air" opens an airline named after a place ("Air China", "Air India"), or -1."""
    at = start - len(_AIRLINE_PREFIX)
    if at < 0 or body[at:start] != _AIRLINE_PREFIX:
        return -1
    return at if at == 0 or not body[at - 1].isalnum() else -1


def acronym_after(body: str, end: int) -> tuple[int, int] | None:
    """Offsets of an acronym given in brackets right after the name that ends at `end`
    ("General Motors (GM)", "Singapore Airlines (SIA)"): its letters come in the name's
    order, the first opening it. None otherwise."""
    match = _ACRONYM.match(body, end)
    if match is None:
        return None
    letters = [ch for ch in match[1] if ch.isalpha()]
    words = body[max(0, end - _ACRONYM_REACH) : end].split()[-(len(letters) + 4) :]
    for index, word in enumerate(words):
        if letters and word[:1] == letters[0]:
            rest = " ".join(words[index:])[1:].upper()
            position = 0
            for letter in letters[1:]:
                position = rest.find(letter, position) + 1
                if position == 0:
                    break
            else:
                return match.span(1)
    return None


def short_form_of(word: str, names: list[str]) -> str | None:
    """The one organisation name in `names` that `word` opens ("AirTran" of "AirTran Airways"),
    or None when none or several do."""
    found = {name for name in names if name.startswith(word + " ")}
    return found.pop() if len(found) == 1 else None


def not_a_region(word: str) -> bool:
    """False for a country, state or continent name: "Garuda Indonesia" is no one's name."""
    place = find_place(word)
    return place is None or place.kind == "city"
