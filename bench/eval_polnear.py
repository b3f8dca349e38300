"""Quotes and speakers on PolNeAR (bench, outside the pipeline): the quotes stage and textacy's
direct quotations scored against annotated attributions of 840 political news articles.

    .venv/bin/python -m bench.eval_polnear [--corpora DIR] [--limit N] [-v] [--errors N]

Input. Each article's corpus text is cleaned with `clean_text` (the pipeline's normalised
shape); an exact character alignment maps every predicted offset back onto the corpus text, so
gold offsets are used as annotated. The quotes stage runs on the whole text (headline first)
after spaCy NER and the entity stage; textacy's `direct_quotations` runs on a full parse of the
same cleaned text with the same model (speaker = its speaker tokens' text, content = its
content tokens' character extent).

Gold. Every attribution with a Content (Content, Content2, ... merged; discontinuous pieces
kept); characters are counted over the pieces. Its kind, by double marks only (straight,
curly, „ « », and the doubled apostrophe '' of NYT copy): `direct` when the content, ignoring
edge spaces and punctuation, opens or closes with one (mixed contents included); `inner` when
marks occur only inside (a partial quote within reported speech); `indirect` when it has none.
Single marks do not count: in this copy they are apostrophes, quotes within quotes or
headline scare quotes.

Scores (one figure = count / total, with gold, predicted and matched counts):
  * found: a predicted quote covers more than 30 % (and, separately, 80 %) of a gold quote's
    characters; matching is one to one and greedy (GenderGapTracker's rule): pairs are taken
    in order of coverage, each gold and each predicted quote used once. Recall of all, direct,
    indirect and inner gold; precision = predicted quotes matched at 30 %.
  * precision-inside: predicted quotes with at least 30 % of their characters inside any gold
    Content of the article.
  * indirect against predicted quotes typed `indirect`; a system that types none (today's
    stage, textacy) gets indirect recall from all its predictions and no indirect precision.
  * speaker, over pairs matched at 30 % whose gold has a Source (no predicted speaker is
    wrong): lenient = the predicted speaker shares a word with the Source outside spaCy's
    English stop words (case-insensitive, possessive 's dropped); strict = the predicted speaker
    contains the Source's last capitalised word (when it has none: its last non-stop word,
    else its last word). Also the share of found quotes with no speaker.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpora.polnear import Article, Piece, load

MATCH = (0.3, 0.8)
INSIDE = 0.3
SYSTEMS = ("wirestream", "baseline")
_DOUBLE = re.compile("''|‘‘|’’|[\"“”„‟«»]")
_EDGE = " \t\n,.;:!?…()[]—–-"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True, slots=True)
class GoldQuote:
    pieces: tuple[Piece, ...]
    source: str | None
    kind: str  # direct | inner | indirect


@dataclass(frozen=True, slots=True)
class PredictedQuote:
    pieces: tuple[Piece, ...]
    speaker: str | None
    type: str | None = None


@dataclass(frozen=True, slots=True)
class Pair:
    gold: int
    predicted: int
    lenient: bool | None  # None: the gold has no Source
    strict: bool | None


@dataclass(slots=True)
class ArticleScore:
    counts: Counter[str] = field(default_factory=Counter)
    pairs: list[Pair] = field(default_factory=list)  # matched at the first threshold


def quote_kind(content: str) -> str:
    """direct, inner or indirect, by double quotation marks (see the module docstring)."""
    core = content.strip(_EDGE)
    if _DOUBLE.match(core) or _DOUBLE.search(core[-2:]):
        return "direct"
    return "inner" if _DOUBLE.search(core) else "indirect"


def length(pieces: Sequence[Piece]) -> int:
    return sum(end - start for start, end in pieces)


def shared(a: Sequence[Piece], b: Sequence[Piece]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def coverage(gold: Sequence[Piece], predicted: Sequence[Piece]) -> float:
    """Share of the gold quote's characters that the predicted quote covers."""
    return shared(gold, predicted) / max(length(gold), 1)


def match(
    gold: Sequence[Sequence[Piece]], predicted: Sequence[Sequence[Piece]], threshold: float
) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs (gold index, predicted index) with coverage above threshold,
    best coverage first (ties: earlier gold, then earlier prediction)."""
    scored = sorted(
        (-cover, gi, pi)
        for gi, g in enumerate(gold)
        for pi, p in enumerate(predicted)
        if (cover := coverage(g, p)) > threshold
    )
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs = []
    for _, gi, pi in scored:
        if gi not in used_gold and pi not in used_predicted:
            used_gold.add(gi)
            used_predicted.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


def inside_share(predicted: Sequence[Piece], contents: Sequence[Piece]) -> float:
    """Share of the predicted quote's characters inside the union of the gold contents."""
    merged: list[list[int]] = []
    for start, end in sorted(contents):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return shared(predicted, [(s, e) for s, e in merged]) / max(length(predicted), 1)


def _words(text: str) -> list[str]:
    return [_POSSESSIVE.sub("", w) or w for w in _WORD.findall(text.replace("’", "'"))]


def speaker_lenient(source: str, predicted: str | None) -> bool:
    from spacy.lang.en.stop_words import STOP_WORDS

    if not predicted:
        return False
    gold = {w.casefold() for w in _words(source)} - STOP_WORDS
    return bool(gold & ({w.casefold() for w in _words(predicted)} - STOP_WORDS))


def head_word(source: str) -> str | None:
    """The Source's last capitalised word, else its last non-stop word, else its last word."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = _words(source)
    for candidates in (
        [w for w in words if w[0].isupper()],
        [w for w in words if w.casefold() not in STOP_WORDS],
        words,
    ):
        if candidates:
            return candidates[-1]
    return None


def speaker_strict(source: str, predicted: str | None) -> bool:
    head = head_word(source)
    if not predicted or head is None:
        return False
    return head.casefold() in {w.casefold() for w in _words(predicted)}


def score_article(
    gold: Sequence[GoldQuote], predicted: Sequence[PredictedQuote], contents: Sequence[Piece]
) -> ArticleScore:
    """Every count of one article (see the module docstring); pairs are those at 30 %."""
    score = ArticleScore()
    counts = score.counts
    counts["gold"] += len(gold)
    counts["predicted"] += len(predicted)
    counts["typed"] += sum(p.type is not None for p in predicted)
    counts["inside"] += sum(inside_share(p.pieces, contents) >= INSIDE for p in predicted)
    for kind in ("direct", "inner", "indirect"):
        counts[f"gold_{kind}"] += sum(g.kind == kind for g in gold)
    indirect = [g for g in gold if g.kind == "indirect"]
    typed_indirect = [p for p in predicted if p.type == "indirect"]
    counts["predicted_indirect"] += len(typed_indirect)
    for threshold in MATCH:
        pct = round(threshold * 100)
        pairs = match([g.pieces for g in gold], [p.pieces for p in predicted], threshold)
        counts[f"found_{pct}"] += len(pairs)
        for kind in ("direct", "inner", "indirect"):
            counts[f"found_{kind}_{pct}"] += sum(gold[gi].kind == kind for gi, _ in pairs)
        typed = match([g.pieces for g in indirect], [p.pieces for p in typed_indirect], threshold)
        counts[f"found_typed_indirect_{pct}"] += len(typed)
        if threshold == MATCH[0]:
            score.pairs = [_judge(gi, pi, gold[gi], predicted[pi]) for gi, pi in pairs]
    for pair in score.pairs:
        counts["no_speaker"] += not predicted[pair.predicted].speaker
        if pair.lenient is not None:
            direct = "_direct" if gold[pair.gold].kind == "direct" else ""
            for suffix in {"", direct}:
                counts[f"judged{suffix}"] += 1
                counts[f"lenient{suffix}"] += pair.lenient
                counts[f"strict{suffix}"] += bool(pair.strict)
    return score


def _judge(gi: int, pi: int, gold: GoldQuote, predicted: PredictedQuote) -> Pair:
    if gold.source is None:
        return Pair(gi, pi, None, None)
    return Pair(
        gi,
        pi,
        speaker_lenient(gold.source, predicted.speaker),
        speaker_strict(gold.source, predicted.speaker),
    )


def gold_quotes(article: Article) -> list[GoldQuote]:
    return [
        GoldQuote(
            a.content.pieces,
            a.source.text(article.text) if a.source is not None else None,
            quote_kind(a.content.text(article.text)),
        )
        for a in article.attributions
    ]


def align(raw: str, cleaned: str) -> list[int]:
    """offsets[j] = index in `raw` of cleaned[j] (a separator the cleaning wrote maps to the next
    raw character); offsets[len(cleaned)] = len(raw). Raw whitespace and control characters the
    cleaning dropped are skipped; any other change is re-synchronised over a few characters."""
    offsets: list[int] = []
    i = j = 0
    while j < len(cleaned):
        if i < len(raw) and raw[i] == cleaned[j]:
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


def _resync(raw: str, cleaned: str, i: int, j: int, reach: int = 6) -> tuple[int, int]:
    steps = sorted(((k, n) for k in range(reach + 1) for n in range(reach + 1)), key=sum)
    for k, n in steps[1:]:
        if raw[i + k : i + k + 4] == cleaned[j + n : j + n + 4]:
            return k, n
    raise ValueError(f"cannot align cleaned text at {j} with the corpus text at {i}")


def to_raw(offsets: Sequence[int], start: int, end: int) -> Piece:
    """A span of the cleaned text as a span of the corpus text."""
    if end <= start:
        return offsets[start], offsets[start]
    return offsets[start], offsets[end - 1] + 1


def _pieces(quote: Any, offsets: Sequence[int]) -> tuple[Piece, ...]:
    fragments = getattr(quote, "fragments", None) or [(quote.start, quote.end)]
    spans = [(getattr(f, "start", None), getattr(f, "end", None)) for f in fragments]
    spans = [(f[0], f[1]) if s is None else (s, e) for f, (s, e) in zip(fragments, spans)]
    return tuple(sorted(to_raw(offsets, s, e) for s, e in spans))


def wirestream_quotes(cleaned: Sequence[str], names: Sequence[str], published: Sequence[str | None],
                      timings: dict[str, float]) -> list[list[Any] | None]:
    """The stage's quotes per article (None when a stage raised: reported, not fatal)."""
    from pipeline.entities import group_entities
    from pipeline.nlp import LanguageModel
    from pipeline.quotes import extract_quotes
    from pipeline.story import Story

    started = time.perf_counter()
    spans = LanguageModel()(list(cleaned))
    timings["wirestream NER"] = time.perf_counter() - started
    started = time.perf_counter()
    found: list[list[Any] | None] = []
    for text, name, date, ner in zip(cleaned, names, published, spans, strict=True):
        story = Story(story_id=name, body=text)
        story = dataclasses.replace(
            story,
            dates=dataclasses.replace(story.dates, published=date),
            entities=group_entities(text, ner),
        )
        try:
            found.append(list(extract_quotes(story).quotes))
        except Exception as exc:  # noqa: BLE001 - one failing story is a figure, not a crash
            print(f"quotes stage failed on {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            found.append(None)
    timings["wirestream stages"] = time.perf_counter() - started
    return found


def baseline_quotes(cleaned: Sequence[str], timings: dict[str, float]) -> list[list[Any] | None]:
    """textacy's direct quotations on a full parse by the pipeline's spaCy model."""
    from pipeline.nlp import LanguageModel
    from textacy.extract.triples import direct_quotations

    started = time.perf_counter()
    nlp = importlib.import_module(LanguageModel().model).load()
    found: list[list[Any] | None] = []
    for doc in nlp.pipe(cleaned, batch_size=16):
        try:
            found.append(
                [
                    _Found(q.content.start_char, q.content.end_char,
                           " ".join(t.text for t in q.speaker) or None)
                    for q in direct_quotations(doc)
                ]
            )
        except Exception:  # noqa: BLE001 - textacy raises on some parses; counted as failed
            found.append(None)
    timings["baseline parse + textacy"] = time.perf_counter() - started
    return found


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    speaker: str | None


def predicted_quote(quote: Any, offsets: Sequence[int]) -> PredictedQuote:
    """A system's quote on corpus offsets; future fields are read when present."""
    return PredictedQuote(
        _pieces(quote, offsets), getattr(quote, "speaker", None), getattr(quote, "type", None)
    )


def figures(counts: Counter[str]) -> dict[str, dict[str, Any]]:
    """Every reported figure: count / total, with the gold, predicted and matched counts."""
    c = counts
    typed = c["typed"] > 0
    indirect = "found_typed_indirect" if typed else "found_indirect"
    rows: dict[str, tuple[int, int, int, int, int]] = {
        # key: (count, total, gold, predicted, matched)
        "recall_30": (c["found_30"], c["gold"], c["gold"], c["predicted"], c["found_30"]),
        "recall_80": (c["found_80"], c["gold"], c["gold"], c["predicted"], c["found_80"]),
        "precision_30": (c["found_30"], c["predicted"], c["gold"], c["predicted"], c["found_30"]),
        "precision_inside": (c["inside"], c["predicted"], c["gold"], c["predicted"], c["inside"]),
    }
    for kind in ("direct", "indirect", "inner"):
        prefix = indirect if kind == "indirect" else f"found_{kind}"
        predicted = c["predicted_indirect"] if kind == "indirect" and typed else c["predicted"]
        for pct in (30, 80):
            found = c[f"{prefix}_{pct}"]
            gold = c[f"gold_{kind}"]
            rows[f"{kind}_recall_{pct}"] = (found, gold, gold, predicted, found)
    if typed:
        found = c["found_typed_indirect_30"]
        rows["indirect_precision_30"] = (
            found, c["predicted_indirect"], c["gold_indirect"], c["predicted_indirect"], found
        )
    for suffix in ("", "_direct"):
        judged = c[f"judged{suffix}"]
        for rule in ("lenient", "strict"):
            right = c[f"{rule}{suffix}"]
            rows[f"speaker_{rule}{suffix}"] = (right, judged, c["gold"], c["predicted"], judged)
    rows["no_speaker"] = (c["no_speaker"], c["found_30"], c["gold"], c["predicted"], c["found_30"])
    return {
        key: {
            "count": count,
            "total": total,
            "ratio": round(count / total, 3) if total else None,
            "gold": gold,
            "predicted": predicted,
            "matched": matched,
        }
        for key, (count, total, gold, predicted, matched) in rows.items()
    }


def _example(article: Article, gold: GoldQuote, source: Any, speaker: str | None) -> dict[str, str]:
    """One wrong or missing speaker with its context (terminal output only)."""
    lo = min(gold.pieces[0][0], source.start if source is not None else gold.pieces[0][0])
    hi = max(gold.pieces[-1][1], source.end if source is not None else 0)
    context = article.text[max(0, lo - 60) : min(hi, lo + 400) + 60]
    return {
        "article": article.name,
        "gold": gold.source or "",
        "predicted": speaker or "(none)",
        "kind": gold.kind,
        "context": " ".join(context.split()),
    }


def score_system(
    articles: Sequence[Article],
    golds: Sequence[list[GoldQuote]],
    offsets: Sequence[list[int]],
    found: Sequence[list[Any] | None],
) -> tuple[Counter[str], list[dict[str, str]]]:
    """Summed counts of one system over the corpus, and its wrong or missing speakers."""
    totals: Counter[str] = Counter()
    wrong: list[dict[str, str]] = []
    for article, gold, offs, quotes in zip(articles, golds, offsets, found, strict=True):
        totals["failed"] += quotes is None
        predicted = [predicted_quote(q, offs) for q in quotes or []]
        contents = [piece for content in article.contents for piece in content.pieces]
        score = score_article(gold, predicted, contents)
        totals.update(score.counts)
        sources = {a.content.pieces: a.source for a in article.attributions}
        for pair in score.pairs:
            if pair.lenient is False or pair.strict is False:
                g = gold[pair.gold]
                wrong.append(
                    _example(article, g, sources.get(g.pieces), predicted[pair.predicted].speaker)
                )
    return totals, wrong


def run(
    corpora: Path | None = None, limit: int | None = None, *, errors: int = 0
) -> dict[str, Any] | None:
    """Every figure for both systems (None when the PolNeAR mirror is absent); `errors` asks
    for that many wrong or missing speakers of ours, spread over the corpus."""
    from pipeline.normalise import clean_text

    timings: dict[str, float] = {}
    started = time.perf_counter()
    articles = load(corpora, limit)
    if articles is None:
        return None
    timings["read corpus"] = time.perf_counter() - started
    started = time.perf_counter()
    cleaned = [clean_text(a.text) for a in articles]
    offsets = [align(a.text, text) for a, text in zip(articles, cleaned, strict=True)]
    golds = [gold_quotes(a) for a in articles]
    timings["clean + align"] = time.perf_counter() - started
    names = [a.name for a in articles]
    found = {
        "wirestream": wirestream_quotes(cleaned, names, [a.published for a in articles], timings),
        "baseline": baseline_quotes(cleaned, timings),
    }
    started = time.perf_counter()
    systems: dict[str, Any] = {}
    examples: list[dict[str, str]] = []
    for system in SYSTEMS:
        counts, wrong = score_system(articles, golds, offsets, found[system])
        systems[system] = {"counts": dict(counts), "figures": figures(counts)}
        if system == "wirestream" and errors > 0 and wrong:
            step = max(1, len(wrong) // errors)
            examples = wrong[::step][:errors]
    timings["scoring"] = time.perf_counter() - started
    return {
        "corpus": "PolNeAR train (first annotator per article)",
        "articles": len(articles),
        "annotations": dict(Counter(a.annotator for a in articles)),
        "systems": systems,
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "speaker_errors": examples,
    }


_ROWS = (
    ("recall_30", "recall, all gold (>30 %)"),
    ("recall_80", "recall, all gold (>80 %)"),
    ("precision_30", "precision (>30 %)"),
    ("precision_inside", "precision-inside (>=30 % in Content)"),
    ("direct_recall_30", "recall, direct (>30 %)"),
    ("direct_recall_80", "recall, direct (>80 %)"),
    ("indirect_recall_30", "recall, indirect (>30 %)"),
    ("indirect_recall_80", "recall, indirect (>80 %)"),
    ("indirect_precision_30", "precision, typed indirect (>30 %)"),
    ("inner_recall_30", "recall, marks inside only (>30 %)"),
    ("inner_recall_80", "recall, marks inside only (>80 %)"),
    ("speaker_lenient", "speaker lenient (matched)"),
    ("speaker_strict", "speaker strict (matched)"),
    ("speaker_lenient_direct", "speaker lenient (matched direct)"),
    ("speaker_strict_direct", "speaker strict (matched direct)"),
    ("no_speaker", "found with no speaker"),
)


def _cell(figure: dict[str, Any] | None) -> str:
    if figure is None or figure["ratio"] is None:
        return "n/a"
    return f"{figure['ratio']:.3f} ({figure['count']}/{figure['total']})"


def format_report(result: dict[str, Any]) -> str:
    """The aligned table: figure, wirestream, baseline; then notes and timings."""
    ours, base = (result["systems"][s] for s in SYSTEMS)
    c = ours["counts"]
    lines = [
        f"{result['corpus']}: {result['articles']} articles, {c.get('gold', 0)} gold quotes "
        f"({c.get('gold_direct', 0)} direct, {c.get('gold_inner', 0)} marks inside only, "
        f"{c.get('gold_indirect', 0)} indirect); predicted: wirestream "
        f"{c.get('predicted', 0)}, baseline {base['counts'].get('predicted', 0)}",
        f"  {'figure':38}{'wirestream':>24}{'baseline (textacy)':>24}",
    ]
    for key, title in _ROWS:
        cells = [_cell(system["figures"].get(key)) for system in (ours, base)]
        lines.append(f"  {title:38}{cells[0]:>24}{cells[1]:>24}")
    for system in SYSTEMS:
        counts = result["systems"][system]["counts"]
        if not counts.get("typed"):
            lines.append(f"  {system}: no quote types, so indirect recall is from all predictions")
        if counts.get("failed"):
            lines.append(f"  {system}: failed on {counts['failed']} articles (scored as empty)")
    spent = ", ".join(f"{k} {v:.1f} s" for k, v in result["timings"].items())
    lines.append(f"  timings: {spent}")
    return "\n".join(lines)


def format_errors(examples: Sequence[dict[str, str]]) -> str:
    return "\n".join(
        f"[{e['kind']}] {e['article']}\n  gold {e['gold']!r}  ours {e['predicted']!r}\n"
        f"  {e['context']}"
        for e in examples
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, help="folder holding the corpus mirrors")
    parser.add_argument("--limit", type=int, help="only the first N articles (by name)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print every count")
    parser.add_argument(
        "--errors", type=int, default=0, help="print N wrong or missing speakers of ours"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(args.corpora, args.limit, errors=args.errors)
    if result is None:
        print("PolNeAR mirror (networkdynamics/PolNeAR) not found: skipped", file=sys.stderr)
        return 2
    print(format_report(result))
    print(f"  total {time.perf_counter() - started:.1f} s")
    if args.verbose:
        for system in SYSTEMS:
            print(f"{system} counts: {result['systems'][system]['counts']}")
    if result["speaker_errors"]:
        print("\nwrong or missing speakers (ours):\n" + format_errors(result["speaker_errors"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
