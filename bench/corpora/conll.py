"""Reader of CoNLL-2003 English (IOB1 NER columns) for `bench.eval_conll`.

Each -DOCSTART- document becomes text as our normaliser leaves it: a sentence's tokens joined by
one space, sentences as paragraphs ("\\n\\n"), with exact character spans of every gold chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.corpora.mirror import locate

REPOSITORY = "allanj/StatNLP-Projects"
FILES = {"eng.testa": "data/conll2003/eng.testa", "eng.train": "data/conll2003/eng.train"}
DOCSTART = "-DOCSTART-"
OUTSIDE = "O"


@dataclass(frozen=True, slots=True)
class GoldChunk:
    """One gold name: offsets into `ConllDoc.text`, CoNLL class (PER, ORG, LOC, MISC)."""

    start: int
    end: int
    cls: str
    text: str


@dataclass(frozen=True, slots=True)
class ConllDoc:
    """One document: its text, every gold chunk (MISC too), the bounds of each sentence."""

    name: str
    text: str
    chunks: tuple[GoldChunk, ...]
    sentences: tuple[tuple[int, int], ...]
    tokens: int


def iob1_chunks(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first token, end token, class) of each chunk. IOB1: I-X continues a chunk of class X or
    starts one; B-X starts a chunk (it follows a chunk of the same class); O is outside."""
    chunks: list[tuple[int, int, str]] = []
    start, current = 0, OUTSIDE
    for index, tag in enumerate([*tags, OUTSIDE]):
        prefix, _, cls = tag.partition("-")
        continues = prefix == "I" and cls == current
        if current != OUTSIDE and not continues:
            chunks.append((start, index, current))
            current = OUTSIDE
        if tag != OUTSIDE and not continues:
            start, current = index, cls
    return chunks


def _blocks(lines: Iterable[str]) -> Iterator[list[list[list[str]]]]:
    """Documents as lists of sentences, each a list of token rows (columns split)."""
    document: list[list[list[str]]] = []
    sentence: list[list[str]] = []
    for line in lines:
        columns = line.split()
        if columns and columns[0] == DOCSTART:
            if sentence:
                document.append(sentence)
            if document:
                yield document
            document, sentence = [], []
        elif columns:
            sentence.append(columns)
        elif sentence:
            document.append(sentence)
            sentence = []
    if sentence:
        document.append(sentence)
    if document:
        yield document


def _document(name: str, sentences: list[list[list[str]]]) -> ConllDoc:
    pieces: list[str] = []
    chunks: list[GoldChunk] = []
    bounds: list[tuple[int, int]] = []
    offset = 0
    for rows in sentences:
        if pieces:
            pieces.append("\n\n")
            offset += 2
        starts, position = [], offset
        for row in rows:
            starts.append(position)
            position += len(row[0]) + 1
        sentence = " ".join(row[0] for row in rows)
        for first, end, cls in iob1_chunks([row[-1] for row in rows]):
            start, stop = starts[first], starts[end - 1] + len(rows[end - 1][0])
            chunks.append(GoldChunk(start, stop, cls, sentence[start - offset : stop - offset]))
        pieces.append(sentence)
        bounds.append((offset, offset + len(sentence)))
        offset += len(sentence)
    tokens = sum(len(rows) for rows in sentences)
    return ConllDoc(name, "".join(pieces), tuple(chunks), tuple(bounds), tokens)


def parse_conll(data: bytes | str, name: str = "") -> list[ConllDoc]:
    """The documents of one CoNLL-2003 file (columns: token, POS, chunk, NER; any line ending)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    blocks = _blocks(text.splitlines())
    return [_document(f"{name}#{number}", block) for number, block in enumerate(blocks, 1)]


def load_conll(
    corpora: Path | None = None, files: Sequence[str] = ("eng.testa",)
) -> dict[str, list[ConllDoc]] | None:
    """{file: documents} for the named files of `FILES`, or None when the mirror is absent.
    The data was deleted from the repository later: it is read from the last commit having it."""
    mirror = locate(REPOSITORY, corpora)
    if mirror is None:
        return None
    holding = mirror.holding(FILES[files[0]])
    paths = [FILES[name] for name in files]
    return {
        name: parse_conll(data, name)
        for name, (_, data) in zip(files, holding.read_many(paths), strict=True)
    }
