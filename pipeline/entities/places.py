"""Places stage (after entities, before quotes): each GPE, LOC or FAC entity the gazetteer can
resolve gets its GeoNames record (`Location`: id, name, ISO country code, country / region /
city, coordinates); a name still ambiguous after reading the story is left unplaced.

`place_entities(story)` reads only the entities, the body (for "Paris, Texas" written out) and
the dateline. The rules, in the order they are tried (docs/places.md gives the reasons):

1. written out: a mention followed by its region or country ("Mobile, Ala.", "London,
   Ontario"), or the dateline's own place and region ("PARIS, Texas"), picks a candidate there;
2. a country's name is that country; a same-named region wins only where the dateline places
   the story ("Georgia" datelined ATLANTA);
3. a name with one candidate is that candidate, if it is a region or a town of SMALL_TOWN
   people or more.
   The context of the rest: these places, the dateline's, and the dominant candidate of every
   other name (rule 6);
4. the dateline's written region ("AUSTIN, Texas") picks a candidate inside it;
5. the region, then the country, of the context picks a candidate there, unless one elsewhere
   outweighs them (DOMINANCE times more populous, or a region): then only a candidate that
   dominates the name is taken ("Moscow" in a story from Houston);
6. with no candidate in the context, a candidate DOMINANCE times more populous than every
   other ("Paris" is the French capital). Anything else, and a lone small town outside the
   context, stays unplaced.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pipeline.entities.gazetteer import CITY_ALIASES, find_place
from pipeline.entities.geonames import Region, cities, countries, regions
from pipeline.story import Entity, Story
from schemas.records import Location

PLACED_LABELS = frozenset(("GPE", "LOC", "FAC"))
# A candidate this many times more populous than each other is the one a name means.
DOMINANCE = 10
# A town known by one record but smaller than this needs the story's context in its country.
SMALL_TOWN = 100_000
Feature = Literal["country", "region", "city"]
Area = tuple[str, str]  # (ISO country code, GeoNames first-level code or "" for all of it)

# How AP and Canadian Press datelines write a state or province ("ST. LOUIS, Mo.").
_ABBREVIATIONS = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California",
    "Colo.": "Colorado", "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida",
    "Ga.": "Georgia", "Ill.": "Illinois", "Ind.": "Indiana", "Kan.": "Kansas",
    "Ky.": "Kentucky", "La.": "Louisiana", "Md.": "Maryland", "Mass.": "Massachusetts",
    "Mich.": "Michigan", "Minn.": "Minnesota", "Miss.": "Mississippi", "Mo.": "Missouri",
    "Mont.": "Montana", "Neb.": "Nebraska", "Nev.": "Nevada", "N.H.": "New Hampshire",
    "N.J.": "New Jersey", "N.M.": "New Mexico", "N.Y.": "New York", "N.C.": "North Carolina",
    "N.D.": "North Dakota", "Okla.": "Oklahoma", "Ore.": "Oregon", "Pa.": "Pennsylvania",
    "R.I.": "Rhode Island", "S.C.": "South Carolina", "S.D.": "South Dakota",
    "Tenn.": "Tennessee", "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington",
    "W.Va.": "West Virginia", "Wis.": "Wisconsin", "Wyo.": "Wyoming",
    "D.C.": "District of Columbia", "Ont.": "Ontario", "Que.": "Quebec",
    "B.C.": "British Columbia", "Alta.": "Alberta", "Man.": "Manitoba",
    "Sask.": "Saskatchewan", "N.S.": "Nova Scotia",
}  # fmt: skip
# "London, Ontario": a comma, then up to three capitalised words naming a region or country.
_WRITTEN_OUT = re.compile(r",[ \t]+([A-Z][\w.]*(?:[ \t][A-Z][\w.]*){0,2})")
_WORDS = re.compile(r"[^\s\-]+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One GeoNames record a name may stand for."""

    geonames_id: int | None
    name: str
    country_code: str
    feature: Feature
    admin1: str = ""
    population: int | None = None  # None: not known (a region outside the US)
    lat: float | None = None
    lon: float | None = None

    def inside(self, area: Area) -> bool:
        return self.country_code == area[0] and (not area[1] or self.admin1 == area[1])

    def location(self) -> Location:
        return Location(
            self.geonames_id, self.name, self.country_code, self.feature, self.lat, self.lon
        )


@dataclass(frozen=True, slots=True)
class _Index:
    city_rows: dict[str, tuple[int, ...]]
    regions: dict[str, tuple[Region, ...]]
    by_casefold: dict[str, str]  # for names written in capitals, as datelines write them


@dataclass(slots=True)
class _Ask:
    """One entity on its way to a place."""

    entity: int
    candidates: tuple[Candidate, ...]
    written: Area | None = None  # the region or country written after a mention
    chosen: Candidate | None = None


def place_entities(story: Story) -> Story:
    """The story with a `place` on each GPE, LOC and FAC entity that can be placed."""
    asks = [
        _Ask(i, found, _written_area(story.body, entity))
        for i, entity in enumerate(story.entities)
        if entity.label in PLACED_LABELS and (found := _entity_candidates(entity))
    ]
    dateline = read_dateline(story.dateline)
    here = _dateline_ask(story, asks, dateline)
    if not asks:
        return story
    written = dateline[1] if dateline is not None else None
    for ask in asks:
        ask.chosen = _settle(ask, None) if ask is not here else None
    local = written
    if here is not None:
        here.chosen = _choose(here, None, _context(asks, here))
        if here.chosen is not None:
            local = (here.chosen.country_code, here.chosen.admin1)
    for ask in asks:  # again: the dateline may claim a region of a country's name
        if ask is not here:
            ask.chosen = _settle(ask, local)
    context = [(a, _likely(a)) for a in asks]
    for ask in asks:
        if ask.chosen is None and ask is not here:
            others = [c for a, c in context if a is not ask and c is not None]
            ask.chosen = _choose(ask, written, others)
    entities = list(story.entities)
    for ask in asks:
        if ask.chosen is not None and ask.entity >= 0:
            entity = entities[ask.entity]
            entities[ask.entity] = dataclasses.replace(entity, place=ask.chosen.location())
    return dataclasses.replace(story, entities=tuple(entities))


def _likely(ask: _Ask) -> Candidate | None:
    """What an entity adds to the context of the others: its settled place, else the
    candidate that dominates its name."""
    if ask.chosen is not None:
        return ask.chosen
    return _dominant(ask.candidates) if len(ask.candidates) > 1 else None


def _context(asks: Sequence[_Ask], ask: _Ask) -> list[Candidate]:
    return [c for a in asks if a is not ask and (c := _likely(a)) is not None]


def read_dateline(dateline: str | None) -> tuple[str, Area | None] | None:
    """The place a dateline names and the region or country it writes after it, if any:
    "ST. LOUIS, Mo. (AP)" -> ("ST. LOUIS", ("US", "MO")); "MOSCOW, March 14" -> ("MOSCOW", None)."""
    if not dateline:
        return None
    parts = [p.strip() for p in dateline.split("(", 1)[0].split(",")]
    place = parts[0].split("/", 1)[0].strip()
    if not any(ch.isalpha() for ch in place):
        return None
    return place, area_named(parts[1]) if len(parts) > 1 else None


def area_named(text: str) -> Area | None:
    """The region or country `text` names ("Texas", "Calif.", "France", "Ontario"), or None."""
    text = text.strip()
    text = _ABBREVIATIONS.get(text) or text.rstrip(".")  # "Mo.", or "California." ending a line
    if not text:
        return None
    place = find_place(text)
    if place is not None and place.kind == "country":
        return (place.code, "")
    found = {(r.country, r.admin1) for r in _index().regions.get(text, ())}
    return found.pop() if len(found) == 1 else None


def candidates(name: str) -> tuple[Candidate, ...]:
    """Every record `name` may stand for: a country, regions, cities. Within one country a
    region and towns of its name are one candidate: the town when it lies in the region or is
    the capital ("New York", "Washington"), or when the region's towns are not known ("Berlin");
    else the region ("California", not California, Maryland)."""
    index = _index()
    found: list[Candidate] = []
    place = find_place(name)
    if place is not None and place.kind == "country" and place.code in countries():
        found.append(Candidate(countries()[place.code][0], place.name, place.code, "country"))
    table = cities()
    towns = [
        Candidate(
            table.ids[row],
            table.names[row],
            table.countries[row],
            "city",
            table.admin1[row],
            table.populations[row],
            table.lats[row],
            table.lons[row],
        )
        for row in index.city_rows.get(name, ())
    ]
    for region in index.regions.get(name, ()):
        same = [t for t in towns if t.country_code == region.country]
        if any(_stands_for(t, region) for t in same):
            continue  # "Berlin", "New York", "Washington": the city
        towns = [t for t in towns if t not in same]  # "California", not California, Maryland
        found.append(
            Candidate(
                region.geonames_id,
                region.name,
                region.country,
                "region",
                region.admin1,
                region.population,
            )
        )
    return tuple(found + towns)


def _stands_for(town: Candidate, region: Region) -> bool:
    """A town the name means rather than the region: inside it, or the country's capital;
    outside the US every same-named town (their regions' GeoNames codes are not known)."""
    if not region.admin1:
        return True
    capital = countries().get(town.country_code, (0, "", ""))[2]
    return town.admin1 == region.admin1 or town.name == capital


def _entity_candidates(entity: Entity) -> tuple[Candidate, ...]:
    """Candidates of the entity's name and written forms; a facility is placed by the place
    its name opens with ("Toulouse-Blagnac Airport"), never by its whole name."""
    forms = [entity.name] + [m.text for m in entity.mentions]
    if entity.label == "FAC":
        return next((c for f in dict.fromkeys(forms) if (c := _leading_place(f))), ())
    found: dict[tuple[str, int | None, str], Candidate] = {}
    for form in dict.fromkeys(forms):
        written = _as_written(form)
        # the entity layer drops a leading "the": GeoNames keeps it ("The Hague")
        for cand in candidates(written) or candidates("The " + written):
            found.setdefault((cand.feature, cand.geonames_id, cand.name), cand)
    return tuple(found.values())


def _leading_place(name: str) -> tuple[Candidate, ...]:
    """Candidates of the longest run of words a facility's name opens with, short of the whole."""
    ends = [word.end() for word in _WORDS.finditer(name)][:-1]
    for end in reversed(ends):
        if name[:1].isupper() and (found := candidates(_as_written(name[:end]))):
            return found
    return ()


def _as_written(form: str) -> str:
    """A name in capitals ("MOSCOW", "NEW YORK") or abbreviated ("Ky.") as the gazetteer
    spells it."""
    if form in _ABBREVIATIONS:
        return _ABBREVIATIONS[form]
    if not form.isupper() or len(form) < 4:
        return form
    return _index().by_casefold.get(form.casefold(), form.title())


def _written_area(body: str, entity: Entity) -> Area | None:
    """The region or country written right after one of the entity's mentions."""
    for mention in entity.mentions:
        match = _WRITTEN_OUT.match(body, mention.end)
        if match is None:
            continue
        words = match[1].split()
        for size in range(len(words), 0, -1):
            area = area_named(" ".join(words[:size]))
            if area is not None:
                return area
    return None


def _dateline_ask(
    story: Story, asks: list[_Ask], dateline: tuple[str, Area | None] | None
) -> _Ask | None:
    """The dateline's place, with the region written after it: the entity it is (added to
    `asks`, unplaced, when no entity is). A dateline names a town: town candidates are kept
    when there are any."""
    if dateline is None:
        return None
    wanted = dateline[0].casefold()
    ask = next(
        (
            a
            for a in asks
            if wanted
            in {
                story.entities[a.entity].name.casefold(),
                *(m.text.casefold() for m in story.entities[a.entity].mentions),
            }
        ),
        None,
    )
    if ask is None:
        found = candidates(_as_written(dateline[0]))
        if not found:
            return None
        ask = _Ask(-1, found)
        asks.append(ask)
    towns = tuple(c for c in ask.candidates if c.feature == "city")
    ask.candidates = towns or ask.candidates
    ask.written = dateline[1] or ask.written
    return ask


def _settle(ask: _Ask, local: Area | None) -> Candidate | None:
    """Rules 1 to 3, which need no context beyond the dateline's place (`local`)."""
    if ask.written is not None:
        chosen = _pick([c for c in ask.candidates if c.inside(ask.written)])
        if chosen is not None:
            return chosen
    country = next((c for c in ask.candidates if c.feature == "country"), None)
    if country is not None:
        same = [
            c
            for c in ask.candidates
            if c.feature == "region" and local is not None and c.inside(local)
        ]
        return same[0] if len(same) == 1 else country
    if len(ask.candidates) == 1 and _large(ask.candidates[0]):
        return ask.candidates[0]
    return None


def _large(candidate: Candidate) -> bool:
    """Countries, regions and towns of SMALL_TOWN people or more: a name the data knows once
    as a smaller town may be a place it does not hold at all ("Heathrow")."""
    return candidate.feature != "city" or (candidate.population or 0) >= SMALL_TOWN


def _choose(ask: _Ask, written: Area | None, others: Sequence[Candidate]) -> Candidate | None:
    """Rules 1 to 6 for one entity, given the places of the rest of the story."""
    chosen = _settle(ask, None)
    if chosen is not None:
        return chosen
    if written is not None:
        chosen = _pick([c for c in ask.candidates if c.inside(written)])
        if chosen is not None:
            return chosen
    top = _dominant(ask.candidates)
    for areas in (
        {(c.country_code, c.admin1) for c in others if c.feature != "country"},
        {(c.country_code, "") for c in others},
    ):
        inside = [c for c in ask.candidates if any(c.inside(area) for area in areas)]
        if not inside:
            continue
        if not _outweighed(inside, [c for c in ask.candidates if c not in inside]):
            return _pick(inside)
        if top is not None:
            return top  # "Moscow" in a story from Houston is still the Russian capital
    return top if len(ask.candidates) > 1 else None


def _pick(found: Sequence[Candidate]) -> Candidate | None:
    return found[0] if len(found) == 1 else _dominant(found)


def _dominant(found: Sequence[Candidate]) -> Candidate | None:
    """The candidate DOMINANCE times more populous than every other, if one is."""
    if not found or any(c.population is None for c in found):
        return None
    ranked = sorted(found, key=lambda c: c.population or 0, reverse=True)
    if len(ranked) == 1:
        return ranked[0]
    first, second = ranked[0].population or 0, ranked[1].population or 0
    return ranked[0] if first >= DOMINANCE * second else None


def _outweighed(inside: Sequence[Candidate], outside: Sequence[Candidate]) -> bool:
    """True when a candidate outside the context is DOMINANCE times more populous than every
    one inside it (a region of unknown population outweighs any town)."""
    if any(c.population is None for c in inside):
        return False
    largest = max(c.population or 0 for c in inside)
    return any(c.population is None or c.population >= DOMINANCE * largest for c in outside)


def _folded(name: str) -> str:
    """The name without its accents, as English copy writes it ("Montréal" -> "Montreal")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _index() -> _Index:
    """Names to city rows and regions, built once per process."""
    table = cities()
    rows: dict[str, list[int]] = {}
    for row, name in enumerate(table.names):
        for key in dict.fromkeys((name, _folded(name))):
            rows.setdefault(key, []).append(row)
    for alias, name in CITY_ALIASES.items():
        if name in rows:
            rows.setdefault(alias, []).extend(rows[name])
    named: dict[str, list[Region]] = {}
    for region in regions():
        for key in dict.fromkeys((region.name, _folded(region.name))):
            named.setdefault(key, []).append(region)
    by_casefold: dict[str, str] = {}
    for key in _keys(rows, named):
        by_casefold.setdefault(key.casefold(), key)
    return _Index(
        {k: tuple(v) for k, v in rows.items()},
        {k: tuple(v) for k, v in named.items()},
        by_casefold,
    )


def _keys(*tables: Iterable[str]) -> Iterable[str]:
    for table in tables:
        yield from table
