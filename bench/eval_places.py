"""Benchmark of the places stage: the country codes `place_entities` gives, against the places
MEANTIME links to DBpedia and the places of the seed story's gold.

Usage: `python -m bench.eval_places [--shared DIR] [--errors]` (also part of `wirestream eval`).

What is scored (docs/places.md says why):
- Gold places: MEANTIME LOC entities with a DBpedia link and a proper-name mention (NAM or
  PRE.NAM) in the annotated sentences; the seed's GPE, LOC and FAC entities.
- The gold country of each: the DBpedia title (for the seed, the gold name) looked up in the
  offline data by `gold_country`: a country's name, then a qualified title ("San_Jose,_
  California", "Victoria_(Australia)", "Washington_(state)"), a US state or another
  country's region, a city (the most populous of the name: DBpedia gives the bare title to the
  primary meaning), then the place a facility's title opens with ("London_Heathrow_Airport").
  Titles that name no country (continents, oceans, the EU) or nothing the data holds are left
  out, and counted.
- Our entity for a gold place: the one with most mentions overlapping its name mentions. A
  gold place whose entity of ours is a nationality word ("American": NORP, which carries a
  country code and no place) is counted on a line of its own, not in the figures.
- Precision: placed entities whose country code is the gold one, over placed entities matched
  to a gold place with a country. Coverage: gold places we placed, over gold places.

Corpus: NewsReader MEANTIME, English section, (c) 2015 FBK, VU Amsterdam, UPV/EHU, CC BY 4.0;
read from ../shared at run time, never copied here.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from defusedxml import ElementTree

from bench.meantime import ANNOTATED_SENTENCES, _rebuild_text, _span
from pipeline.entities.gazetteer import find_place
from pipeline.entities.geonames import cities, regions
from pipeline.entities.places import area_named
from pipeline.story import Entity, Story

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
_NAME_TYPES = frozenset(("NAM", "PRE.NAM"))
_FACILITY_WORDS = frozenset(
    "Airport Center Centre Factory Plant Station Stadium Arena Hall Building Tower Port".split()
)


@dataclass(frozen=True)
class GoldPlace:
    doc_id: str
    title: str  # the DBpedia title, or the seed's gold name
    country: str | None  # None: the title names no country the data can tell
    spans: tuple[tuple[int, int], ...]


@dataclass
class Tally:
    gold: int = 0
    placed: int = 0
    right: int = 0
    no_country: int = 0  # gold titles naming no country
    no_country_placed: int = 0
    nationality: int = 0  # gold places named only by a nationality word (a NORP entity of ours)
    nationality_right: int = 0
    by_feature: dict[str, list[int]] = field(default_factory=dict)  # feature -> [placed, right]
    errors: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        return {
            "gold_places": self.gold,
            "placed": self.placed,
            "right": self.right,
            "precision": round(self.right / self.placed, 3) if self.placed else 0.0,
            "coverage": round(self.placed / self.gold, 3) if self.gold else 0.0,
            "unmapped_gold": self.no_country,
            "placed_where_gold_has_no_country": self.no_country_placed,
            "nationality_words": self.nationality,
            "nationality_words_right_country": self.nationality_right,
            "by_feature": {k: {"placed": v[0], "right": v[1]} for k, v in self.by_feature.items()},
        }


def gold_country(title: str) -> str | None:
    """The ISO country code of the place a DBpedia title (or a gold name) names, or None."""
    text = unquote(title.rsplit("/", 1)[-1]).replace("_", " ").strip()
    name, qualifier = text, ""
    if text.endswith(")") and " (" in text:
        name, qualifier = text[:-1].split(" (", 1)
    elif ", " in text:
        name, qualifier = text.split(", ", 1)
    place = find_place(name)
    if place is not None and place.kind in ("country", "continent"):
        return place.code or None
    if qualifier == "state":
        qualifier = "United States"
    area = area_named(qualifier) if qualifier else None
    if qualifier and area is None:
        return None
    found = [r.country for r in regions() if r.name == name]
    if area is not None:
        found = [c for c in found if c == area[0]]
    if len(set(found)) == 1:
        return found[0]
    town = _largest_city(name, area)
    if town is None and place is not None and place.kind == "city":  # "Frankfurt", "Kiev"
        town = _largest_city(place.name, area)
    if town is not None:
        return town
    words = name.split()
    if not words or words[-1] not in _FACILITY_WORDS:
        return None
    for size in range(len(words) - 1, 0, -1):  # a facility: the place its title opens with
        head = " ".join(words[:size])
        place = find_place(head)
        if place is not None and place.kind == "country":
            return place.code
        if (town := _largest_city(head, None)) is not None:
            return town
    return None


def _largest_city(name: str, area: tuple[str, str] | None) -> str | None:
    table = cities()
    rows = [
        row
        for row, known in enumerate(table.names)
        if known == name
        and (area is None or table.countries[row] == area[0])
        and (area is None or not area[1] or table.admin1[row] == area[1])
    ]
    if not rows:
        return None
    return table.countries[max(rows, key=lambda row: table.populations[row])]


def meantime_gold(path: Path) -> tuple[str, str, list[GoldPlace]]:
    """One MEANTIME article: its id, its text (as bench.meantime rebuilds it) and the linked
    LOC entities named in the annotated sentences."""
    root = ElementTree.parse(path).getroot()
    text, spans, sentence_of = _rebuild_text(root.iter("token"))
    doc_id = root.get("doc_id", path.stem)
    markables = root.find("Markables")
    if markables is None:
        return doc_id, text, []
    linked = {
        e.get("m_id", ""): e.get("external_ref", "").strip()
        for e in markables.findall("ENTITY")
        if e.get("ent_type") == "LOC" and "dbpedia.org" in e.get("external_ref", "")
    }
    mentions = {m.get("m_id", ""): m for m in markables.findall("ENTITY_MENTION")}
    named: dict[str, list[tuple[int, int]]] = {}
    for link in root.iter("REFERS_TO"):
        target = next((t.get("m_id", "") for t in link.findall("target")), "")
        if target not in linked:
            continue
        for source in link.findall("source"):
            mention = mentions.get(source.get("m_id", ""))
            if mention is None or mention.get("syntactic_type") not in _NAME_TYPES:
                continue
            anchors = [a.get("t_id", "") for a in mention.findall("token_anchor")]
            if not anchors or sentence_of.get(anchors[0], 99) >= ANNOTATED_SENTENCES:
                continue
            span = _span(mention, spans)
            if span is not None:
                named.setdefault(target, []).append(span)
    gold = [
        GoldPlace(doc_id, linked[m_id], gold_country(linked[m_id]), tuple(found))
        for m_id, found in named.items()
    ]
    return doc_id, text, gold


def score(tally: Tally, text: str, entities: Sequence[Entity], gold: Sequence[GoldPlace]) -> None:
    """Add one document's gold places and our entities to the tally."""
    for place in gold:
        ours = _matching(entities, place.spans)
        located = ours.place if ours is not None else None
        if place.country is None:
            tally.no_country += 1
            if located is not None and ours is not None:
                tally.no_country_placed += 1
                tally.errors.append(
                    f"{place.doc_id}: {place.title} (no country): {ours.name!r} placed "
                    f"{located.name} {located.country_code} ({located.feature})"
                )
            continue
        if ours is not None and ours.label == "NORP":  # "American": no place, a country code
            tally.nationality += 1
            tally.nationality_right += ours.country == place.country
            continue
        tally.gold += 1
        if located is None:
            what = "no entity" if ours is None else f"{ours.name!r} unplaced"
            tally.errors.append(f"{place.doc_id}: {place.title} ({place.country}): {what}")
            continue
        tally.placed += 1
        counts = tally.by_feature.setdefault(located.feature, [0, 0])
        counts[0] += 1
        if located.country_code == place.country:
            tally.right += 1
            counts[1] += 1
        else:
            tally.errors.append(
                f"{place.doc_id}: {place.title} ({place.country}): {located.name!r} placed "
                f"{located.name} {located.country_code} ({located.feature})"
            )


def _matching(entities: Sequence[Entity], spans: Sequence[tuple[int, int]]) -> Entity | None:
    best, most = None, 0
    for entity in entities:
        hits = sum(1 for m in entity.mentions for s, e in spans if m.start < e and s < m.end)
        if hits > most:
            best, most = entity, hits
    return best


def run_meantime(meantime: Path) -> dict[str, Any]:
    from pipeline.dateline import extract_dateline
    from pipeline.entities import group_entities
    from pipeline.entities.places import place_entities
    from pipeline.nlp import LanguageModel

    files = sorted(meantime.glob("corpus_*/*.xml"), key=lambda p: (p.parent.name, p.name))
    docs = [meantime_gold(path) for path in files]
    spans = LanguageModel()([text for _, text, _ in docs])
    started = time.perf_counter()
    tallies: dict[str, Tally] = {"all": Tally()}
    for path, (doc_id, text, gold), found in zip(files, docs, spans, strict=True):
        story = extract_dateline(Story(doc_id, text))
        story = Story(doc_id, text, dateline=story.dateline, entities=group_entities(text, found))
        placed = place_entities(story)
        corpus = path.parent.name.removeprefix("corpus_")
        for key in ("all", corpus):
            score(tallies.setdefault(key, Tally()), text, placed.entities, gold)
    seconds = time.perf_counter() - started
    return {
        "documents": len(docs),
        "seconds_entities_and_places": round(seconds, 2),
        **{key: tally.figures() for key, tally in tallies.items()},
        "errors": tallies["all"].errors,
    }


def run_seed(seed_dir: Path) -> dict[str, Any]:
    import json

    from bench.seed_eval import enrich_seed

    tally = Tally()
    for text_path in sorted(seed_dir.glob("*.txt")):
        gold_path = text_path.with_name(text_path.stem + ".gold.json")
        if not gold_path.is_file():
            continue
        data = json.loads(gold_path.read_text(encoding="utf-8"))
        gold = [
            GoldPlace(
                data["story_id"],
                e["name"],
                gold_country(e["name"]),
                tuple((m["start"], m["end"]) for m in e["mentions"]),
            )
            for e in data["entities"]
            if e["label"] in ("GPE", "LOC", "FAC")
        ]
        story = enrich_seed(text_path)
        score(tally, story.body, story.entities, gold)
    return {**tally.figures(), "errors": tally.errors}


def run(meantime: Path | None, seed_dir: Path | None) -> dict[str, Any]:
    report: dict[str, Any] = {}
    if meantime is not None and meantime.is_dir():
        report["meantime"] = run_meantime(meantime)
    if seed_dir is not None and seed_dir.is_dir():
        report["seed"] = run_seed(seed_dir)
    return report


def format_report(report: dict[str, Any], errors: bool = False) -> str:
    lines = [
        f"  {'corpus':14}{'gold':>6}{'placed':>8}{'right':>7}{'precision':>11}{'coverage':>10}"
    ]
    rows: list[tuple[str, dict[str, Any]]] = []
    if "meantime" in report:
        found = report["meantime"]
        rows += [("MEANTIME", found["all"])]
        rows += [(f"  {k}", v) for k, v in found.items() if k in ("airbus", "apple", "gm")]
    if "seed" in report:
        rows.append(("seed", report["seed"]))
    for title, f in rows:
        lines.append(
            f"  {title:14}{f['gold_places']:>6}{f['placed']:>8}{f['right']:>7}"
            f"{f['precision']:>11.3f}{f['coverage']:>10.3f}"
        )
    if "meantime" in report:
        f = report["meantime"]["all"]
        lines.append(
            f"  MEANTIME links naming no country or nothing the data holds: {f['unmapped_gold']}"
            f" (of which we placed {f['placed_where_gold_has_no_country']})"
        )
        lines.append(
            "  MEANTIME placed as (right/placed): "
            + ", ".join(
                f"{feature} {n['right']}/{n['placed']}"
                for feature, n in sorted(f["by_feature"].items())
            )
        )
        lines.append(
            f"  MEANTIME places named only by a nationality word (our NORP, not scored above): "
            f"{f['nationality_words']}, its country code right for "
            f"{f['nationality_words_right_country']}"
        )
    if errors:
        for key in ("meantime", "seed"):
            for line in report.get(key, {}).get("errors", []):
                lines.append(f"  {key}: {line}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.eval_places",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--errors", action="store_true", help="list every miss and wrong place")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = run(args.shared / "meantime", args.shared / "seed")
    if not report:
        print(f"no MEANTIME nor seed under {args.shared}")
        return 2
    print("places: country codes against MEANTIME's DBpedia links and the seed's gold")
    print(format_report(report, errors=args.errors))
    print(f"total seconds: {time.perf_counter() - started:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
