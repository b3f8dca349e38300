"""MEANTIME reader: text rebuilt from tokens, gold spans that index it, the DCT kept apart; on a
small CAT document we wrote and on the real corpus when ../shared has it."""

from __future__ import annotations

import re
import time
from pathlib import Path

from bench.meantime import LABELS, load_corpus, load_document
from tests.conftest import shared_path

# An invented article in the corpus' CAT layout: headline, dateline, one body sentence.
CAT_XML = """<?xml version="1.0" ?>
<Document doc_id="42" doc_name="42_Harbour_reopens" lang="en" url="http://example.org/42">
<token number="0" sentence="0" t_id="1">Harbour</token>
<token number="1" sentence="0" t_id="2">reopens</token>
<token number="2" sentence="1" t_id="3">04-05-2011</token>
<token number="3" sentence="2" t_id="4">The</token>
<token number="4" sentence="2" t_id="5">port</token>
<token number="5" sentence="2" t_id="6">(</token>
<token number="6" sentence="2" t_id="7">Valmora</token>
<token number="7" sentence="2" t_id="8">)</token>
<token number="8" sentence="2" t_id="9">said</token>
<token number="9" sentence="2" t_id="10">&quot;</token>
<token number="10" sentence="2" t_id="11">we</token>
<token number="11" sentence="2" t_id="12">'re</token>
<token number="12" sentence="2" t_id="13">open</token>
<token number="13" sentence="2" t_id="14">&quot;</token>
<token number="14" sentence="2" t_id="15">on</token>
<token number="15" sentence="2" t_id="16">Monday</token>
<token number="16" sentence="2" t_id="17">,</token>
<token number="17" sentence="2" t_id="18">costing</token>
<token number="18" sentence="2" t_id="19">$</token>
<token number="19" sentence="2" t_id="20">5</token>
<token number="20" sentence="2" t_id="21">.</token>
<Markables>
<ENTITY_MENTION m_id="1" syntactic_type="NAM"><token_anchor t_id="7"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="2" syntactic_type="NOM"><token_anchor t_id="4"/><token_anchor t_id="5"/>
</ENTITY_MENTION>
<ENTITY_MENTION m_id="3" syntactic_type="NAM"><token_anchor t_id="1"/></ENTITY_MENTION>
<TIMEX3 m_id="4" functionInDocument="NONE" type="DATE" value="2011-05-04">
<token_anchor t_id="3"/></TIMEX3>
<TIMEX3 m_id="5" functionInDocument="NONE" type="DATE" value="2011-05-02">
<token_anchor t_id="16"/></TIMEX3>
<TIMEX3 m_id="6" functionInDocument="NONE" type="DATE" value="2011-05-01"/>
<ENTITY m_id="10" ent_type="LOC"/>
<ENTITY m_id="11" ent_type="ORG"/>
</Markables>
<Relations>
<REFERS_TO r_id="1"><source m_id="1"/><source m_id="2"/><target m_id="10"/></REFERS_TO>
</Relations>
</Document>
"""


def test_text_is_rebuilt_with_natural_spacing_and_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "corpus_test" / "42_Harbour_reopens.xml"
    path.parent.mkdir()
    path.write_text(CAT_XML, encoding="utf-8")
    doc = load_document(path)
    assert doc.text == (
        "Harbour reopens\n\n04-05-2011\n\n"
        'The port (Valmora) said "we\'re open" on Monday, costing $5.'
    )
    assert (doc.doc_id, doc.corpus) == ("42", "test")
    # no CREATION_TIME marked: the timex of the dateline is the DCT, normalised to ISO
    assert doc.dct == "2011-05-04" and doc.dct_span == (17, 27)
    assert [(t.text, t.value) for t in doc.timex] == [("Monday", "2011-05-02")]
    assert [(m.text, m.label, m.syntactic_type) for m in doc.entities] == [
        ("The port", "GPE", "NOM"),
        ("Valmora", "GPE", "NAM"),
    ]  # "Harbour" refers to no entity: skipped
    assert doc.annotated_end == len(doc.text)


def test_real_corpus_spans_index_the_rebuilt_text() -> None:
    root = shared_path("data", "meantime")
    started = time.perf_counter()
    docs = load_corpus(root)
    assert time.perf_counter() - started < 2.0
    assert len(docs) == 90 and len({d.doc_id for d in docs}) == 90
    assert [d.doc_id for d in load_corpus(root)] == [d.doc_id for d in docs]
    for doc in docs:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.dct), doc.doc_id
        assert doc.dct_span is not None and doc.annotated_end is not None
        assert doc.text.count("\n\n") == 2  # after the headline and after the dateline
        assert " ," not in doc.text and " ." not in doc.text.replace(" ...", "")
        for mention in doc.entities + doc.timex:
            assert doc.text[mention.start : mention.end] == mention.text, doc.doc_id
            assert mention.end <= doc.annotated_end
        for timex in doc.timex:
            assert (timex.start, timex.end) != doc.dct_span
        assert {m.label for m in doc.entities} <= set(LABELS.values())
    assert sum(len(d.timex) for d in docs) > 200
    assert sum(len(d.entities) for d in docs) > 2000
