"""Reads PolNeAR (news attributions: Source, Cue, Content) for the quote evaluation in bench.

Only `data/train/text`, `data/train/attributions` (brat standoff .ann) and `data/metadata.tsv`
are read, from the mirror `bench.corpora.mirror.locate` finds; nothing is copied.

One annotation file per article: the first annotator of the article's `annotators` column in
metadata.tsv (that column lists ids sorted, so this is also the first in sorted order); when the
listed annotator has no file, the first file in sorted order. Offsets are brat's: characters of
the UTF-8 text file. A text-bound annotation may be discontinuous (`Content 0 5;10 20`): it is
kept as its pieces. An attribution is a brat event (`E1 Attribution:T4 Source:T1 Cue:T2
Content:T3 Content2:T5`); every `Content*` argument adds pieces to one content, whose extent runs
from the first piece's start to the last piece's end. `align` maps a cleaned copy of a text (the
pipeline's normalised shape) back onto these offsets, character by character.
"""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.corpora.mirror import Mirror, locate

REPOSITORY = "networkdynamics/PolNeAR"
TEXT_DIR = "data/train/text"
ANNOTATION_DIR = "data/train/attributions"
METADATA = "data/metadata.tsv"

Piece = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Segment:
    """A possibly discontinuous stretch of the article text: its pieces, in text order."""

    pieces: tuple[Piece, ...]

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]

    @property
    def length(self) -> int:
        return sum(end - start for start, end in self.pieces)

    def text(self, article_text: str) -> str:
        return " ".join(article_text[start:end] for start, end in self.pieces)


@dataclass(frozen=True, slots=True)
class Attribution:
    """One annotated attribution: who (Source, absent for Attribution-no-source), the cue, what."""

    content: Segment
    source: Segment | None
    cue: Segment | None


@dataclass(frozen=True, slots=True)
class Article:
    """One article: its text as in the corpus, its annotations by one annotator."""

    name: str
    annotator: str
    text: str
    published: str | None
    attributions: tuple[Attribution, ...]
    contents: tuple[Segment, ...]  # every Content annotation, linked to an attribution or not


@dataclass(frozen=True, slots=True)
class TextBound:
    label: str
    segment: Segment
    surface: str


def parse_pieces(field: str) -> tuple[Piece, ...]:
    """`0 5;10 20` -> ((0, 5), (10, 20)), sorted."""
    pieces = []
    for part in field.split(";"):
        start, end = part.split()
        pieces.append((int(start), int(end)))
    return tuple(sorted(pieces))


def parse_ann(data: str) -> tuple[dict[str, TextBound], list[dict[str, list[str]]]]:
    """Text-bound annotations by id, and events as {role: [argument ids]} (the trigger's type
    under "_type"); notes, relations and attributes are not used by the evaluation."""
    bounds: dict[str, TextBound] = {}
    events: list[dict[str, list[str]]] = []
    for line in data.splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2:
            label, _, positions = fields[1].partition(" ")
            surface = fields[2] if len(fields) > 2 else ""
            bounds[fields[0]] = TextBound(label, Segment(parse_pieces(positions)), surface)
        elif line.startswith("E") and len(fields) >= 2:
            event: dict[str, list[str]] = {}
            for number, argument in enumerate(fields[1].split()):
                role, _, target = argument.partition(":")
                event.setdefault("_type" if number == 0 else role, []).append(target)
            events.append(event)
    return bounds, events


def _merge(segments: Iterable[Segment]) -> Segment | None:
    pieces = tuple(sorted(piece for segment in segments for piece in segment.pieces))
    return Segment(pieces) if pieces else None


def attributions(
    bounds: dict[str, TextBound], events: list[dict[str, list[str]]]
) -> list[Attribution]:
    """The events that have a content, with Content, Content2, ... merged into one segment."""
    found = []
    for event in events:
        roles: dict[str, list[Segment]] = {"Content": [], "Source": [], "Cue": []}
        for role, targets in event.items():
            kind = role.rstrip("0123456789")
            if kind in roles:
                roles[kind].extend(bounds[t].segment for t in targets if t in bounds)
        content = _merge(roles["Content"])
        if content is not None:
            found.append(Attribution(content, _merge(roles["Source"]), _merge(roles["Cue"])))
    return sorted(found, key=lambda a: a.content.pieces)


def article_from(name: str, annotator: str, text: str, ann: str, published: str | None) -> Article:
    bounds, events = parse_ann(ann)
    contents = sorted(
        (b.segment for b in bounds.values() if b.label == "Content"), key=lambda s: s.pieces
    )
    return Article(
        name, annotator, text, published, tuple(attributions(bounds, events)), tuple(contents)
    )


def read_metadata(data: str) -> dict[str, tuple[list[str], str | None]]:
    """Article name -> (annotator ids as listed, publication date) for the train compartment."""
    rows = csv.DictReader(io.StringIO(data), delimiter="\t")
    return {
        row["filename"]: (
            [a for a in (row.get("annotators") or "").split("|") if a],
            row.get("publication_date") or None,
        )
        for row in rows
        if row.get("compartment") == "train"
    }


def choose_files(names: list[str], listed: dict[str, list[str]]) -> dict[str, tuple[str, str]]:
    """Article name -> (annotator, .ann path): the first listed annotator that has a file, else
    the first file in sorted order."""
    by_article: dict[str, dict[str, str]] = {}
    for path in sorted(names):
        stem = path.rsplit("/", 1)[-1].removesuffix(".ann")
        article, _, annotator = stem.rpartition("_")
        by_article.setdefault(article, {})[annotator] = path
    chosen = {}
    for article, files in by_article.items():
        order = [a for a in listed.get(article, []) if a in files] or sorted(files)
        chosen[article] = (order[0], files[order[0]])
    return chosen


def read_corpus(mirror: Mirror, limit: int | None = None) -> list[Article]:
    """Every train article that has text and an annotation file, by name (the first `limit`)."""
    metadata = read_metadata(mirror.read(METADATA).decode("utf-8"))
    chosen = choose_files(
        [p for p in mirror.list(ANNOTATION_DIR) if p.endswith(".ann")],
        {name: annotators for name, (annotators, _) in metadata.items()},
    )
    texts = {p.rsplit("/", 1)[-1].removesuffix(".txt") for p in mirror.list(TEXT_DIR)}
    names = sorted(n for n in chosen if n in texts)[:limit]
    text_paths = [f"{TEXT_DIR}/{n}.txt" for n in names]
    ann_paths = [chosen[n][1] for n in names]
    raw = dict(mirror.read_many(text_paths + ann_paths))
    return [
        article_from(
            name,
            chosen[name][0],
            raw[text_path].decode("utf-8"),
            raw[ann_path].decode("utf-8"),
            metadata.get(name, ([], None))[1],
        )
        for name, text_path, ann_path in zip(names, text_paths, ann_paths, strict=True)
    ]


def load(root: Path | None = None, limit: int | None = None) -> list[Article] | None:
    """The corpus from the mirror under `root` (see mirror.corpora_root), None when absent."""
    mirror = locate(REPOSITORY, root)
    return None if mirror is None else read_corpus(mirror, limit)


def align(raw: str, cleaned: str) -> list[int]:
    """offsets[j] = index in `raw` of cleaned[j] (a separator the cleaning wrote maps to the next
    raw character); offsets[len(cleaned)] = len(raw). Raw whitespace and control characters the
    cleaning dropped are skipped; any other change is re-synchronised over a few characters."""
    offsets: list[int] = []
    i = j = 0
    while j < len(cleaned):
        if i < len(raw) and (raw[i] == cleaned[j] or (cleaned[j] in " \n" and raw[i].isspace())):
            offsets.append(i)
            i, j = i + 1, j + 1
        elif i < len(raw) and (raw[i].isspace() or unicodedata.category(raw[i])[0] == "C"):
            i += 1
        elif cleaned[j] in " \n":
            offsets.append(i)
            j += 1
        else:
            skip_raw, skip_cleaned = _resync(raw, cleaned, i, j)
            offsets.extend([i] * skip_cleaned)
            i, j = i + skip_raw, j + skip_cleaned
    return [*offsets, len(raw)]


def _resync(raw: str, cleaned: str, i: int, j: int, window: int = 80) -> tuple[int, int]:
    """(raw, cleaned) characters to step over where the cleaning rewrote text (mojibake
    repaired by ftfy): up to the first run of 3 characters the two agree on again."""
    matcher = difflib.SequenceMatcher(None, raw[i : i + window], cleaned[j : j + window], False)
    for a, b, size in matcher.get_matching_blocks():
        if size >= 3 and (a or b):
            return a, b
    raise ValueError(f"cannot align cleaned text at {j} with the corpus text at {i}")


def to_raw(offsets: Sequence[int], start: int, end: int) -> Piece:
    """A span of the cleaned text as a span of the corpus text."""
    if end <= start:
        return offsets[start], offsets[start]
    return offsets[start], offsets[end - 1] + 1
