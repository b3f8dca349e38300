"""PolNeAR quote evaluation: the brat reader on a small sample we wrote, the matching and
speaker rules on hand-built spans, and a short run on the real mirror when it is fetched."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.corpora.mirror import locate
from bench.corpora.polnear import REPOSITORY, align, load, parse_pieces, to_raw
from bench.eval_polnear import (
    GoldQuote,
    PredictedQuote,
    coverage,
    figures,
    head_word,
    inside_share,
    is_pronoun,
    match,
    predicted_quote,
    quote_kind,
    run,
    score_article,
    speaker_lenient,
    speaker_strict,
)
from pipeline.normalise import clean_text

# An invented wire story; offsets below are found in it, never typed by hand.
STORY = (
    "Harbour board approves ferry terminal\n\n"
    "VALMORA (Wire) — The harbour board approved a new ferry terminal on Tuesday.\n\n"
    "“We have waited long enough,” said Chair Ada Lind. “The work starts in May.”\n\n"
    "Rep. Tom Brask (D-Val.) said the vote was rushed and the plan, he added, too costly.\n"
)


def _at(text: str, *, after: str = "") -> str:
    start = STORY.index(text, STORY.index(after) if after else 0)
    return f"{start} {start + len(text)}"


def _ann() -> str:
    first, second = "the vote was rushed", "too costly"
    lines = [
        f"T1\tContent {_at('“We have waited long enough,”')}\t-",
        f"T2\tCue {_at('said', after='enough')}\tsaid",
        f"T3\tSource {_at('Chair Ada Lind')}\tChair Ada Lind",
        f"T4\tAttribution {_at('said', after='enough')}\tsaid",
        f"T5\tContent {_at('“The work starts in May.”')}\t-",
        f"T6\tSource {_at('Rep. Tom Brask (D-Val.)')}\t-",
        f"T7\tCue {_at('said', after='Brask')}\tsaid",
        f"T8\tContent {_at(first)};{_at(second)}\t{first} {second}",
        f"T9\tAttribution {_at('said', after='Brask')}\tsaid",
        f"T10\tContent {_at('and the plan')}\t-",
        f"T11\tAttribution-no-source {_at('approved')}\tapproved",
        "E1\tAttribution:T4 Content:T1 Cue:T2 Source:T3 Content2:T5",
        "E2\tAttribution:T9 Source:T6 Cue:T7 Content:T8",
        "E3\tAttribution-no-source:T11",
        "#1\tAnnotatorNotes T1\ta note",
    ]
    return "\n".join(lines) + "\n"


def _write_corpus(root: Path) -> None:
    base = root / REPOSITORY.replace("/", "+")
    (base / "data" / "train" / "text").mkdir(parents=True)
    (base / "data" / "train" / "attributions").mkdir(parents=True)
    for name in ("wire_2016-05-03_harbour", "wire_2016-05-04_quiet-day"):
        text = STORY if name.endswith("harbour") else "Nothing happened.\n"
        (base / "data" / "train" / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
    attributions = base / "data" / "train" / "attributions"
    (attributions / "wire_2016-05-03_harbour_c333.ann").write_text(_ann(), encoding="utf-8")
    (attributions / "wire_2016-05-03_harbour_a111.ann").write_text("", encoding="utf-8")
    (attributions / "wire_2016-05-04_quiet-day_b222.ann").write_text("", encoding="utf-8")
    (attributions / "wire_2016-05-04_quiet-day_a111.ann").write_text("", encoding="utf-8")
    metadata = [
        "compartment\tfilename\tlevel\tannotators\tpublisher\tpublication_date",
        "train\twire_2016-05-03_harbour\t1\tc333|a111\twire\t2016-05-03",
        "train\twire_2016-05-04_quiet-day\t1\tf999\twire\t2016-05-04",
        "test\twire_2016-05-05_elsewhere\t1\ta111\twire\t2016-05-05",
    ]
    (base / "data" / "metadata.tsv").write_text("\n".join(metadata) + "\n", encoding="utf-8")


def test_reader_on_a_brat_sample(tmp_path: Path) -> None:
    _write_corpus(tmp_path)
    articles = load(tmp_path)
    assert articles is not None
    harbour, quiet = articles
    assert (harbour.annotator, harbour.published) == ("c333", "2016-05-03")  # as listed
    assert quiet.annotator == "a111"  # f999 has no file: first in sorted order
    assert [len(a.attributions) for a in articles] == [2, 0]
    lind, brask = harbour.attributions
    assert lind.source is not None and lind.source.text(STORY) == "Chair Ada Lind"
    assert len(lind.content.pieces) == 2  # Content and Content2 merged
    assert STORY[lind.content.start : lind.content.end].endswith("in May.”")
    assert brask.content.text(STORY) == "the vote was rushed too costly"
    assert brask.content.length == len("the vote was rushed") + len("too costly")
    assert len(harbour.contents) == 4  # the unlinked Content counts for precision-inside
    assert load(tmp_path, limit=1) is not None and len(load(tmp_path, limit=1) or []) == 1
    assert load(tmp_path / "nowhere") is None


def test_discontinuous_pieces_are_sorted() -> None:
    assert parse_pieces("10 20;0 5") == ((0, 5), (10, 20))


def test_matching_is_greedy_and_one_to_one() -> None:
    gold = [((0, 100),), ((100, 200),)]
    predicted = [((0, 200),), ((100, 160),)]
    assert match(gold, predicted, 0.3) == [(0, 0), (1, 1)]
    assert match(gold, predicted[:1], 0.3) == [(0, 0)]  # one prediction, one gold
    assert coverage(((0, 10), (20, 30)), ((5, 25),)) == 0.5  # pieces, not the extent


def test_thresholds_are_strictly_more_than() -> None:
    gold = [GoldQuote(((0, 100),), None, "direct")] * 3
    predicted = [
        PredictedQuote(((0, 30),), None),
        PredictedQuote(((0, 31),), None),
        PredictedQuote(((0, 81),), None),
    ]
    counts = score_article(gold, predicted, [(0, 100)]).counts
    assert (counts["found_30"], counts["found_80"]) == (2, 1)


def test_precision_inside_counts_at_least_30_percent() -> None:
    contents = [(0, 10), (5, 20)]
    assert inside_share(((10, 50),), contents) == 0.25
    assert inside_share(((14, 34),), contents) == 0.3
    predicted = [PredictedQuote(((10, 50),), None), PredictedQuote(((14, 34),), None)]
    assert score_article([], predicted, contents).counts["inside"] == 1


def test_speaker_rules() -> None:
    assert speaker_lenient("Chair Ada Lind", "Ada Lind")
    assert speaker_lenient("the board’s spokeswoman", "Spokeswoman Mia Hale")
    assert not speaker_lenient("He", "Tom Brask")  # pronouns are stop words
    assert not speaker_lenient("Ada Lind", None)
    assert speaker_strict("Chair Ada Lind", "Lind")
    assert speaker_strict("O’Malley’s campaign", "Martin O'Malley")
    assert not speaker_strict("Ada Lind", "Ada Lindqvist")
    assert not speaker_strict("Rep. Tom Brask (D-Val.)", "Tom Brask")  # last capital: "Val"
    assert head_word("the spokeswoman") == "spokeswoman"
    assert head_word("they") == "they"


def test_unspoken_unsourced_and_pronoun_sources() -> None:
    gold = [
        GoldQuote(((0, 10),), "Ada Lind", "direct"),
        GoldQuote(((20, 30),), None, "indirect"),
        GoldQuote(((40, 50),), "He", "indirect"),
    ]
    predicted = [
        PredictedQuote(((0, 10),), None),
        PredictedQuote(((20, 30),), "Lind"),
        PredictedQuote(((40, 50),), "Tom Brask"),
    ]
    counts = score_article(gold, predicted, []).counts
    assert (counts["judged"], counts["lenient"], counts["strict"]) == (2, 0, 0)
    assert counts["no_speaker"] == 1 and counts["judged_direct"] == 1
    assert counts["judged_named"] == 1  # "He" is left out of the named subset
    assert is_pronoun("He") and is_pronoun("they") and not is_pronoun("the judge")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("“We have waited long enough,”", "direct"),
        ("the board has “always listened.”", "direct"),
        ('"The work starts in May."', "direct"),
        ("''We will build it,''", "direct"),
        ("the terminal would be “a lifeline” for islanders", "inner"),
        ("the vote was rushed", "indirect"),
        ("‘Not yet’", "indirect"),
    ],
)
def test_direct_inner_and_indirect(content: str, kind: str) -> None:
    assert quote_kind(content) == kind


def test_typed_indirect_quotes() -> None:
    reported = SimpleNamespace(
        start=0,
        end=30,
        speaker="Lind",
        type="indirect",
        fragments=[SimpleNamespace(start=20, end=30)],
    )
    quote = predicted_quote(reported, list(range(41)))
    assert quote.pieces == ((0, 30),) and quote.type == "indirect"  # fragments lie inside
    gold = [GoldQuote(((0, 10), (20, 30)), "Ada Lind", "indirect")]
    counts = score_article(gold, [quote], []).counts
    assert counts["typed_indirect"] == 1
    assert figures(counts)["indirect_precision_30"]["ratio"] == 1.0
    direct = PredictedQuote(((0, 30),), None, "direct")
    assert figures(score_article(gold, [direct], []).counts)["indirect_recall_30"]["count"] == 0
    untyped = figures(score_article(gold, [PredictedQuote(((0, 30),), None)], []).counts)
    assert "indirect_precision_30" not in untyped
    assert untyped["indirect_recall_30"]["count"] == 1


def test_alignment_maps_cleaned_spans_back_exactly() -> None:
    raw = "Head line \n\n\nVALMORA\u00a0(Wire) —  a wrapped\nline “said” it.  \n"
    cleaned = clean_text(raw)
    offsets = align(raw, cleaned)
    start = cleaned.index("“said”")
    piece = to_raw(offsets, start, start + len("“said”"))
    assert raw[piece[0] : piece[1]] == "“said”"
    start = cleaned.index("a wrapped line")
    piece = to_raw(offsets, start, start + len("a wrapped line"))
    assert raw[piece[0] : piece[1]] == "a wrapped\nline"
    mojibake = "Her rÃ©sumÃ© was long."
    offsets = align(mojibake, clean_text(mojibake))
    assert offsets[-1] == len(mojibake) and offsets == sorted(offsets)


def test_real_mirror_limited_run() -> None:
    if locate(REPOSITORY) is None:
        pytest.skip("PolNeAR mirror not fetched (networkdynamics/PolNeAR under the corpora)")
    result = run(limit=5)  # limited: five articles keep the test quick
    assert result is not None and result["articles"] == 5
    for system in result["systems"].values():
        assert system["counts"]["gold"] > 0
        for figure in system["figures"].values():
            assert figure["ratio"] is None or 0.0 <= figure["ratio"] <= 1.0
