"""Timex stage on real copy: every TBAQ-cleaned (TimeBank, AQUAINT) and MEANTIME document, and
every sentence of each alone, with its creation date and without one, goes through `find_timex`
without raising, and every value is well-formed TIMEX3. The corpora are read where the benches
read them (the corpus mirror, ../shared/data); each test is skipped, with the reason, when its
corpus is absent. No corpus text is kept here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bench.corpora.tbaq import load_tbaq
from bench.eval_timex import DEFAULT_MEANTIME
from bench.meantime import load_corpus
from pipeline.timex import find_timex
from tests.unit.test_timex_vocabulary import check

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _tbaq() -> list[tuple[str, str, str | None]]:
    docs = load_tbaq(None, None)
    return [] if docs is None else [(d.name, d.text, d.dct) for d in docs]


def _meantime() -> list[tuple[str, str, str | None]]:
    if not DEFAULT_MEANTIME.is_dir():
        return []
    return [(str(i), d.text, d.dct or None) for i, d in enumerate(load_corpus(DEFAULT_MEANTIME))]


def _pieces(docs: list[tuple[str, str, str | None]]) -> Iterator[tuple[str, str, str | None]]:
    for name, text, dct in docs:
        yield name, text, dct
        yield name, text, None
        for sentence in _SENTENCE.split(text):
            if sentence.strip():
                yield name, sentence, dct


def _run(docs: list[tuple[str, str, str | None]]) -> list[str]:
    problems = []
    for name, text, dct in _pieces(docs):
        try:
            found = find_timex(text, dct)
        except Exception as error:  # the property under test: report, do not stop
            problems.append(f"{name}: {type(error).__name__}: {error} on {text[:80]!r}")
            continue
        problems += [f"{name}: {problem}" for problem in check(text, found)]
    return problems


def test_every_tbaq_document_and_sentence_resolves() -> None:
    docs = _tbaq()
    if not docs:
        pytest.skip("TBAQ-cleaned is absent: no corpus mirror (see bench/corpora/mirror.py)")
    assert len(docs) > 200
    assert _run(docs)[:20] == []


def test_every_meantime_document_and_sentence_resolves() -> None:
    docs = _meantime()
    if not docs:
        pytest.skip(f"MEANTIME is absent: no corpus at {DEFAULT_MEANTIME}")
    assert len(docs) > 50
    assert _run(docs)[:20] == []
