"""The language stage: ISO 639-1 codes for agency copy, None when there is too little text."""

from __future__ import annotations

import time

import pytest

from pipeline.language import detect_language, tag_language
from pipeline.story import Story

PARAGRAPHS = {
    "en": (
        "The central bank left its main interest rate unchanged on Wednesday, saying inflation "
        "was easing more slowly than expected and that officials would wait for more data "
        "before cutting borrowing costs."
    ),
    "de": (
        "Die Bundesregierung will die Förderung für Elektroautos im kommenden Jahr deutlich "
        "kürzen, wie ein Sprecher des Wirtschaftsministeriums am Dienstag in Berlin mitteilte."
    ),
    "fr": (
        "Le gouvernement a annoncé mardi une série de mesures pour soutenir les agriculteurs "
        "touchés par la sécheresse, dont un report des cotisations sociales jusqu'à la fin de "
        "l'année."
    ),
    "es": (
        "El Gobierno aprobó este martes un paquete de ayudas para los agricultores afectados "
        "por la sequía, que incluye préstamos a bajo interés y la suspensión temporal de "
        "algunos impuestos."
    ),
    "nb": (
        "Regjeringen vil bruke flere penger på jernbanen neste år, opplyste "
        "samferdselsministeren på en pressekonferanse i Oslo torsdag. Utbyggingen av "
        "dobbeltspor skal prioriteres."
    ),
    "sv": (
        "Regeringen vill satsa mer pengar på järnvägen nästa år, meddelade "
        "infrastrukturministern på en presskonferens i Stockholm på torsdagen. Utbyggnaden av "
        "dubbelspår ska prioriteras."
    ),
    "da": (
        "Regeringen vil bruge flere penge på jernbanen næste år, oplyste transportministeren "
        "på et pressemøde i København torsdag. Udbygningen af dobbeltspor skal prioriteres."
    ),
}

HEADLINES = {
    "en": "Shares fell sharply in early trading.",
    "de": "Die Aktien fielen im frühen Handel deutlich.",
    "sv": "Aktierna föll kraftigt i tidig handel.",
    "nb": "Aksjene falt kraftig i tidlig handel.",
}


@pytest.mark.parametrize("code", sorted(PARAGRAPHS))
def test_paragraphs_of_agency_copy(code: str) -> None:
    assert detect_language(PARAGRAPHS[code]) == code


@pytest.mark.parametrize("code", sorted(HEADLINES))
def test_single_sentence_headlines(code: str) -> None:
    assert detect_language(HEADLINES[code]) == code


@pytest.mark.parametrize("text", ["", "   \n", "OK", "OSLO (NTB)", "12:45 +++ 3-1"])
def test_too_little_text_gives_none(text: str) -> None:
    assert detect_language(text) is None


def test_a_long_story_is_quick() -> None:
    story = " ".join([PARAGRAPHS["en"]] * 15)  # about 450 words
    detect_language(story)  # the detector loads once
    started = time.perf_counter()
    for _ in range(20):
        assert detect_language(story) == "en"
    assert (time.perf_counter() - started) / 20 < 0.05


def test_stage_keeps_a_declared_language_and_fills_a_missing_one() -> None:
    declared = Story(story_id="a", body=PARAGRAPHS["de"], language="de-CH")
    assert tag_language(declared).language == "de-CH"
    missing = Story(story_id="b", body=PARAGRAPHS["sv"], headline="Satsning på järnväg")
    assert tag_language(missing).language == "sv"
    empty = Story(story_id="c", body="+++")
    assert tag_language(empty).language is None
