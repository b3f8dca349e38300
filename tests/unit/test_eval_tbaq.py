"""TBAQ-cleaned evaluation: the TimeML reader on invented documents, TempEval-3 scoring on
hand-built spans, and one quick run on the real mirror when it has been fetched."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import eval_tbaq
from bench.corpora.mirror import locate
from bench.corpora.tbaq import FOLDER, REPOSITORY, clean_whitespace, load_tbaq, parse_timeml
from bench.eval_timex import score_timex
from pipeline.story import Timex

# Invented wire copy in TBAQ's layout: DCT outside TEXT, an EVENT around a TIMEX3, a SIGNAL
# inside one, a TIMEX3 broken over a line, runs of spaces and blank lines to clean.
TIMEML = """<?xml version="1.0" ?>
<TimeML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<DOCID>WIRE20240304.0001</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="2024-03-04" temporalFunction="false"
 functionInDocument="CREATION_TIME">March 4, 2024</TIMEX3></DCT>
<TITLE>Port strike ends</TITLE>
<TEXT>
VALMORA (Wire) _

Dock workers <EVENT eid="e1" class="OCCURRENCE">ended</EVENT> their strike   <TIMEX3 tid="t1"
 type="DATE" value="2024-03-01" functionInDocument="NONE">on
Friday</TIMEX3>, the union said.


Talks <EVENT eid="e2" class="OCCURRENCE">lasted <TIMEX3 tid="t2" type="DURATION" value="P3W"
>three weeks</TIMEX3></EVENT> and will resume <TIMEX3 tid="t3" type="DATE" value="2024-Q2"
><SIGNAL sid="s1">in</SIGNAL> the second quarter</TIMEX3>.
</TEXT>
</TimeML>
"""
TEXT = (
    "VALMORA (Wire) _\n\nDock workers ended their strike on Friday, the union said.\n\n"
    "Talks lasted three weeks and will resume in the second quarter."
)
# The DCT inside TEXT, as some TimeML corpora write it.
DCT_IN_TEXT = """<TimeML><TEXT>VALMORA, <TIMEX3 tid="t0" type="DATE" value="2024-03-04"
 functionInDocument="CREATION_TIME">March 4</TIMEX3> (Wire) - Ferries sailed again
<TIMEX3 tid="t1" type="DATE" value="2024-03-03">yesterday</TIMEX3>.</TEXT></TimeML>"""


def _spans(text: str, *wanted: tuple[str, str]) -> list[Timex]:
    """A Timex for each (phrase, value), at the phrase's first occurrence in `text`."""
    out = []
    for phrase, value in wanted:
        start = text.index(phrase)
        out.append(Timex(phrase, start, start + len(phrase), "DATE", value))
    return out


def test_reader_rebuilds_the_text_and_keeps_the_dct_apart() -> None:
    doc = parse_timeml(TIMEML, "wire.tml", "TimeBank")
    assert doc.text == TEXT
    assert doc.dct == "2024-03-04" and doc.dct_span is None
    assert [(t.text, t.type, t.value) for t in doc.timex] == [
        ("on Friday", "DATE", "2024-03-01"),
        ("three weeks", "DURATION", "P3W"),
        ("in the second quarter", "DATE", "2024-Q2"),
    ]
    assert all(doc.text[t.start : t.end] == t.text for t in doc.timex)


def test_whitespace_map_points_back_into_the_raw_text() -> None:
    raw = "  Talks  resumed\n on Friday.\n \n\tThey ended."
    clean, where = clean_whitespace(raw)
    assert clean == "Talks resumed on Friday.\n\nThey ended."
    assert len(where) == len(clean)
    assert all(raw[where[i]] == ch for i, ch in enumerate(clean) if not ch.isspace())


def test_a_dct_inside_text_is_neither_gold_nor_scored() -> None:
    doc = parse_timeml(DCT_IN_TEXT)
    assert doc.text[slice(*doc.dct_span or (0, 0))] == "March 4"
    assert [t.text for t in doc.timex] == ["yesterday"]

    def system(text: str, published: str | None) -> list[Timex]:
        assert published == "2024-03-04"
        return _spans(text, ("March 4", "2024-03-04"), ("yesterday", "2024-03-03"))

    kept = eval_tbaq.predict(system, doc)
    assert [doc.text[t.start : t.end] for t in kept] == ["yesterday"]


def test_pairing_is_one_to_one_and_value_first() -> None:
    gold = [_G(0, 10, "A"), _G(12, 20, "B"), _G(30, 40, "C"), _G(50, 60, "D")]
    # one long prediction over the first two gold timexes takes the one with its value
    predicted = [_G(0, 20, "B"), _G(30, 40, "X"), _G(70, 80, "E")]
    pairing = eval_tbaq.pair_timex(gold, predicted)
    assert [(g.value, p.value) for g, p in pairing.pairs] == [("B", "B"), ("C", "X")]
    assert [g.value for g in pairing.missed] == ["A", "D"]
    assert [p.value for p in pairing.spurious] == ["E"]
    counts = eval_tbaq.count_pairing(pairing)
    assert counts == eval_tbaq.Counts(gold=4, predicted=3, matched=2, strict=1, value=1)
    figures = eval_tbaq.figures(counts)
    assert figures["extent_precision"] == pytest.approx(2 / 3)
    assert figures["extent_recall"] == pytest.approx(1 / 2)
    assert figures["extent_f1"] == pytest.approx(4 / 7)
    assert figures["strict_f1"] == pytest.approx(2 / 7)
    assert figures["value_accuracy"] == pytest.approx(1 / 2)
    assert figures["value_f1"] == pytest.approx(2 / 7)
    # the same figures as the MEANTIME scorer's (value F1 = extent F1 x value accuracy)
    reference = score_timex(gold, predicted)
    assert reference["extent"]["f1"] == pytest.approx(figures["extent_f1"])
    assert reference["value"]["f1"] == pytest.approx(figures["value_f1"])


def test_counts_add_and_empty_figures_are_zero() -> None:
    total = eval_tbaq.Counts(2, 1, 1, 1, 0) + eval_tbaq.Counts(1, 3, 1, 0, 1)
    assert total == eval_tbaq.Counts(3, 4, 2, 1, 1)
    assert set(eval_tbaq.figures(eval_tbaq.Counts()).values()) == {0.0}


@pytest.mark.parametrize(
    ("text", "kind", "value", "expected"),
    [
        ("Friday", "DATE", "2024-03-01", "weekday"),
        ("three weeks", "DURATION", "P3W", "duration"),
        ("the second quarter", "DATE", "2024-Q2", "quarter / half"),
        ("fiscal 2023", "DATE", "FY2023", "fiscal year"),
        ("now", "DATE", "PRESENT_REF", "now / recently / future (_REF)"),
        ("daily", "SET", "P1D", "set"),
        ("the past week", "DATE", "2024-W09", "relative (last week, this year)"),
        ("two years ago", "DATE", "2022", "anchored (ago, earlier, later)"),
        ("1998", "DATE", "1998", "year"),
        ("March 1", "DATE", "2024-03-01", "calendar date / month"),
    ],
)
def test_timex_kinds(text: str, kind: str, value: str, expected: str) -> None:
    assert eval_tbaq.timex_kind(text, kind, value) == expected


def test_analyse_names_each_error() -> None:
    doc = parse_timeml(TIMEML, "wire.tml", "TimeBank")
    predicted = _spans(
        doc.text,
        ("Friday", "2024-03-08"),  # a week out
        ("the second quarter", "2024-Q2"),  # without "in"
        ("the union", "XXXX"),  # nothing there
    )
    cases = eval_tbaq.analyse(doc, eval_tbaq.pair_timex(doc.timex, predicted))
    assert sorted((c.kind, c.category) for c in cases) == [
        ("extent", "ours shorter"),
        ("missed", "duration"),
        ("spurious", "other date"),
        ("value", "weekday"),
    ]


def test_failing_phrase_narrows_to_the_sentence() -> None:
    def system(text: str, published: str | None) -> list[Timex]:
        if "quarter" in text:
            raise ValueError("no quarter")
        return []

    assert eval_tbaq.failing_phrase(system, TEXT, None) == (
        "Talks lasted three weeks and will resume in the second quarter."
    )


def _plain_mirror(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "StructTempRel-EMNLP17" / FOLDER / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_run_scores_a_small_corpus_and_records_a_failing_system(tmp_path: Path) -> None:
    corpora = _plain_mirror(tmp_path, {"TimeBank/a.tml": TIMEML, "AQUAINT/b.tml": DCT_IN_TEXT})

    def raising(text: str, published: str | None) -> list[Timex]:
        if "strike" in text:
            raise OverflowError("date out of range")
        return _spans(text, ("yesterday", "2024-03-03")) if "yesterday" in text else []

    result = eval_tbaq.run(corpora, systems={"wirestream": raising, "baseline": None})
    assert result is not None
    assert result["documents"] == {"TimeBank": 1, "AQUAINT": 1}
    ours = result["systems"]["wirestream"]
    assert ours["counts"]["pooled"] == eval_tbaq.Counts(4, 1, 1, 1, 1)
    assert ours["figures"]["AQUAINT"]["value_f1"] == 1.0
    [failure] = ours["failures"]
    assert failure.doc == "a.tml" and "OverflowError" in failure.error
    assert "strike" in failure.phrase
    report = eval_tbaq.format_report(result)
    assert "pooled value F1" in report and "not available" in report
    assert "wirestream raised on 1 documents" in report
    assert "[three weeks]" in eval_tbaq.format_errors(result, 1)


def test_absent_mirror_gives_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert eval_tbaq.run(tmp_path) is None
    assert eval_tbaq.main(["--corpora", str(tmp_path)]) == 2
    assert "not found" in capsys.readouterr().out


def test_real_mirror_quick_run() -> None:
    if locate(REPOSITORY) is None:
        pytest.skip(f"no mirror of {REPOSITORY} (fetch it, or set WIRESTREAM_CORPORA)")
    docs = load_tbaq(limit=3)
    assert docs is not None and {d.subcorpus for d in docs} == {"TimeBank", "AQUAINT"}
    assert all(d.dct and d.text[t.start : t.end] == t.text for d in docs for t in d.timex)
    result = eval_tbaq.run(limit=2, systems={"wirestream": eval_tbaq.ours})
    assert result is not None
    figures = result["systems"]["wirestream"]["figures"]["pooled"]
    assert 0.5 < figures["extent_f1"] <= 1.0 and not result["systems"]["wirestream"]["failures"]


class _G:
    """A bare span with a value, as a system might return."""

    def __init__(self, start: int, end: int, value: str) -> None:
        self.start, self.end, self.value = start, end, value
