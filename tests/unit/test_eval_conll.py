"""CoNLL-2003 evaluation: the IOB1 reader on an invented sample, span scoring and error classes
on hand-built spans, a run with the fake language model, and one quick run on the real mirror."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import eval_conll
from bench.corpora.conll import FILES, REPOSITORY, iob1_chunks, load_conll, parse_conll
from bench.corpora.mirror import locate
from pipeline.testing import FakeLanguageModel

# Invented wire copy in CoNLL-2003 columns (token POS chunk NER), IOB1, CRLF line endings:
# a headline in capitals, a dateline, a B- tag between two places, a MISC name.
ROWS = """-DOCSTART- -X- -X- O

SOCCER NN I-NP O
- : O O
VALMORA NNP I-NP I-ORG
ROVERS NNP I-NP I-ORG
WIN VB I-VP O
. . O O

VALMORA NNP I-NP I-LOC
2024-03-04 CD I-NP O

Ana NNP I-NP I-PER
Lind NNP I-NP I-PER
scored VBD I-VP O
as IN I-SBAR O
Valmora NNP I-NP I-ORG
Rovers NNP I-NP I-ORG
beat VBD I-VP O
Kessel NNP I-NP I-ORG
United NNP I-NP I-ORG
in IN I-PP O
the DT I-NP O
Nordic NNP I-NP I-MISC
Cup NNP I-NP I-MISC
. . O O

-DOCSTART- -X- -X- O

Fans came from Norland Ostria and Valmora .
"""


def _sample() -> str:
    lines = []
    for line in ROWS.splitlines():
        if line.startswith("Fans"):  # one token a line; Norland and Ostria are two places
            tags = ["O", "O", "O", "I-LOC", "B-LOC", "O", "I-LOC", "O"]
            words = zip(line.split(), tags, strict=True)
            lines += [f"{word} NNP I-NP {tag}" for word, tag in words]
        else:
            lines.append(line)
    return "\r\n".join(lines) + "\r\n"


def test_iob1_chunks() -> None:
    tags = ["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG", "B-ORG", "I-ORG", "I-MISC"]
    assert iob1_chunks(tags) == [
        (0, 2, "PER"),
        (2, 3, "PER"),
        (4, 5, "LOC"),
        (5, 6, "ORG"),
        (6, 8, "ORG"),
        (8, 9, "MISC"),
    ]


def test_reader_rebuilds_documents_with_exact_spans() -> None:
    first, second = parse_conll(_sample().encode(), "eng.testa")
    assert first.text == (
        "SOCCER - VALMORA ROVERS WIN .\n\nVALMORA 2024-03-04\n\n"
        "Ana Lind scored as Valmora Rovers beat Kessel United in the Nordic Cup ."
    )
    assert [(c.text, c.cls) for c in first.chunks] == [
        ("VALMORA ROVERS", "ORG"),
        ("VALMORA", "LOC"),
        ("Ana Lind", "PER"),
        ("Valmora Rovers", "ORG"),
        ("Kessel United", "ORG"),
        ("Nordic Cup", "MISC"),
    ]
    assert all(first.text[c.start : c.end] == c.text for c in first.chunks)
    assert [first.text[s:e] for s, e in first.sentences][1] == "VALMORA 2024-03-04"
    assert first.tokens == 22 and first.name == "eng.testa#1"
    assert second.text == "Fans came from Norland Ostria and Valmora ."
    assert [c.text for c in second.chunks] == ["Norland", "Ostria", "Valmora"]


def test_exact_and_overlap_scores() -> None:
    gold = [[(0, 5, "PER"), (10, 15, "ORG"), (20, 25, "LOC"), (30, 35, "MISC")]]
    predicted = [
        [
            (0, 5, "PER"),
            (0, 5, "PER"),  # a duplicate counts once
            (10, 14, "ORG"),  # truncated
            (20, 25, "ORG"),  # wrong class
            (40, 45, "LOC"),  # nothing there
            (30, 35, "MISC"),  # not scored
        ]
    ]
    exact = eval_conll.score_names(gold, predicted, exact=True)
    assert exact["PER"]["f1"] == 1.0
    assert (exact["ORG"]["correct"], exact["ORG"]["gold"], exact["ORG"]["predicted"]) == (0, 1, 2)
    micro = exact["micro"]
    assert (micro["correct"], micro["gold"], micro["predicted"]) == (1, 3, 4)
    assert micro["f1"] == pytest.approx(2 / 7)
    overlap = eval_conll.score_names(gold, predicted, exact=False)
    assert overlap["ORG"]["correct"] == 1 and overlap["micro"]["f1"] == pytest.approx(4 / 7)


def test_overlap_matching_is_one_to_one() -> None:
    gold = [[(0, 5, "PER"), (6, 10, "PER")]]
    predicted = [[(0, 10, "PER")]]
    overlap = eval_conll.score_names(gold, predicted, exact=False)["PER"]
    assert (overlap["correct"], overlap["precision"], overlap["recall"]) == (1, 1.0, 0.5)


def _at(text: str, phrase: str, cls: str) -> tuple[int, int, str]:
    start = text.index(phrase)
    return (start, start + len(phrase), cls)


def test_analyse_classes_each_error() -> None:
    doc = parse_conll(_sample(), "eng.testa")[0]
    text = doc.text
    predicted = [
        _at(text, "Lind", "PER"),  # truncated
        _at(text, "Valmora Rovers", "LOC"),  # club as a place
        _at(text, "Nordic", "LOC"),  # inside a MISC name
        _at(text, "SOCCER", "ORG"),  # nothing there
        _at(text, "Kessel United", "ORG"),  # right
    ]
    cases = {(c.kind, c.category, c.line) for c in eval_conll.analyse(doc, predicted)}
    assert cases == {
        ("missed", "ORG", "capitals"),
        ("missed", "LOC", "dateline"),
        ("extent", "PER truncated", ""),
        ("class", "ORG as LOC", ""),
        ("spurious", "LOC on MISC", ""),
        ("spurious", "ORG on O", "capitals"),
    }


def test_difference_names_added_and_dropped_words() -> None:
    text = "said Mr Ana Lind Jr today"
    gold, ours = _at(text, "Ana Lind Jr", "PER"), _at(text, "Mr Ana Lind", "PER")
    assert eval_conll.difference(text, gold, ours) == "+Mr -Jr"


def _plain_mirror(root: Path) -> Path:
    path = root / "StatNLP-Projects" / FILES["eng.testa"]
    path.parent.mkdir(parents=True)
    path.write_bytes(_sample().encode())
    return root


def test_run_with_the_fake_model(tmp_path: Path) -> None:
    model = FakeLanguageModel(places=("Norland", "Ostria", "Valmora"))
    result = eval_conll.run(_plain_mirror(tmp_path), model=model)
    assert result is not None
    part = result["files"]["eng.testa"]
    assert part["documents"] == 2 and part["gold"] == {"PER": 1, "ORG": 3, "LOC": 4}
    baseline = part["systems"]["baseline"]["exact"]
    # the fake calls each run of capitalised words a person ("Norland Ostria" is one run)
    # and the lone "Valmora" a place
    assert (baseline["LOC"]["correct"], baseline["LOC"]["predicted"]) == (1, 1)
    report = eval_conll.format_report(result)
    assert "exact micro P/R/F1" in report and "overlap micro P/R/F1" in report
    assert "[{Norland] Ostria}" in eval_conll.format_errors(result, 3, "baseline")


def test_absent_mirror_gives_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert eval_conll.run(tmp_path) is None
    assert eval_conll.main(["--corpora", str(tmp_path)]) == 2
    assert "not found" in capsys.readouterr().out


def test_real_mirror_quick_run() -> None:
    if locate(REPOSITORY) is None:
        pytest.skip(f"no mirror of {REPOSITORY} (fetch it, or set WIRESTREAM_CORPORA)")
    files = load_conll()
    assert files is not None and len(files["eng.testa"]) > 100
    docs = files["eng.testa"]
    assert all(d.text[c.start : c.end] == c.text for d in docs for c in d.chunks)
    result = eval_conll.run(limit=3)
    assert result is not None
    micro = result["files"]["eng.testa"]["systems"]["wirestream"]["exact"]["micro"]
    assert micro["gold"] > 0 and 0.2 < micro["f1"] <= 1.0
