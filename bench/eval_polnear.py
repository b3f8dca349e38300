"""Quotes and speakers on PolNeAR (bench, outside the pipeline): the quotes stage and textacy's
direct quotations scored against annotated attributions of 840 political news articles.

    .venv/bin/python -m bench.eval_polnear [--corpora DIR] [--limit N] [-v] [--errors N]

Input. Each article's corpus text is cleaned with `clean_text` (the pipeline's normalised
shape); an exact character alignment maps every predicted offset back onto the corpus text, so
gold offsets are used as annotated. The quotes stage runs on the whole text (headline first)
after spaCy NER and the entity stage; textacy's `direct_quotations` runs on a full parse of the
same cleaned text with the same model (NER off; speaker = its speaker tokens' text, content
= its content tokens' character extent); textacy refuses a doc with an odd number of quote
tokens (apostrophes count), so such a doc is tried again paragraph by paragraph.

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
  * a predicted quote is its start..end (a partial or indirect quote's fragments, the quoted
    words inside it, are not scored apart). Indirect gold is matched against the predicted
    quotes typed `indirect`; a system that types none (textacy) gets indirect recall from all
    its predictions and no indirect precision.
  * speaker, over pairs matched at 30 % whose gold has a Source (no predicted speaker is
    wrong): lenient = the predicted speaker shares a word with the Source outside spaCy's
    English stop words (case-insensitive, possessive 's dropped); strict = the predicted speaker
    contains the Source's last capitalised word (when it has none: its last non-stop word,
    else its last word). Both again over direct gold, and over Sources that are not a bare
    pronoun (a "He" Source fails a speaker resolved to a name under both rules). Also the share
    of found quotes with no speaker.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import multiprocessing
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpora.polnear import Article, Piece, align, load, to_raw

MATCH = (0.3, 0.8)
INSIDE = 0.3
SYSTEMS = ("wirestream", "baseline")
_MARK = "(?:''|‘‘|’’|[\"“”„‟«»])"
_DOUBLE, _OPENS, _CLOSES = re.compile(_MARK), re.compile(f"^{_MARK}"), re.compile(f"{_MARK}$")
_EDGE = " \t\n,.;:!?…()[]—–-"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s?$")
_PRONOUNS = frozenset("i me we us you he him she her it they them who".split())


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
    if _OPENS.search(core) or _CLOSES.search(core):
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


def is_pronoun(source: str) -> bool:
    """A bare pronoun Source ("He", "they"): no rule can credit a speaker resolved to a name."""
    words = _words(source)
    return bool(words) and all(w.casefold() in _PRONOUNS for w in words)


def _judge(gi: int, pi: int, source: str | None, speaker: str | None) -> Pair:
    if source is None:
        return Pair(gi, pi, None, None)
    return Pair(gi, pi, speaker_lenient(source, speaker), speaker_strict(source, speaker))


def score_article(
    gold: Sequence[GoldQuote], predicted: Sequence[PredictedQuote], contents: Sequence[Piece]
) -> ArticleScore:
    """Every count of one article (see the module docstring); pairs are those at 30 %."""
    score = ArticleScore()
    counts = score.counts
    counts["gold"] += len(gold)
    counts["predicted"] += len(predicted)
    counts["typed"] += sum(p.type is not None for p in predicted)
    counts.update(f"typed_{p.type}" for p in predicted if p.type is not None)
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
            score.pairs = [
                _judge(gi, pi, gold[gi].source, predicted[pi].speaker) for gi, pi in pairs
            ]
    for pair in score.pairs:
        counts["no_speaker"] += not predicted[pair.predicted].speaker
        if pair.lenient is not None:
            g = gold[pair.gold]
            subsets = ["", "_direct" if g.kind == "direct" else ""]
            subsets += ["_named"] if g.source and not is_pronoun(g.source) else []
            for suffix in set(subsets):
                counts[f"judged{suffix}"] += 1
                counts[f"lenient{suffix}"] += pair.lenient
                counts[f"strict{suffix}"] += bool(pair.strict)
    return score


def gold_quotes(article: Article) -> list[GoldQuote]:
    return [
        GoldQuote(
            a.content.pieces,
            a.source.text(article.text) if a.source is not None else None,
            quote_kind(a.content.text(article.text)),
        )
        for a in article.attributions
    ]


def wirestream_quotes(
    cleaned: Sequence[str],
    names: Sequence[str],
    published: Sequence[str | None],
    timings: dict[str, float],
) -> list[list[Any] | None]:
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


@dataclass(frozen=True, slots=True)
class Found:
    """A baseline quotation on the cleaned text (plain data, so it crosses processes)."""

    start: int
    end: int
    speaker: str | None


def _textacy(doc: Any, shift: int = 0) -> list[Found]:
    from textacy.extract.triples import direct_quotations

    return [
        Found(
            q.content.start_char + shift,
            q.content.end_char + shift,
            " ".join(t.text for t in q.speaker) or None,
        )
        for q in direct_quotations(doc)
    ]


def _by_paragraph(doc: Any) -> tuple[list[Found], int]:
    """textacy on each paragraph as its own doc; (quotes, paragraphs it still bailed on)."""
    found: list[Found] = []
    bailed = start = 0
    for token in [*doc, None]:
        if token is not None and "\n" not in token.text:
            continue
        end = len(doc) if token is None else token.i
        if end > start:
            span = doc[start:end]
            try:
                found.extend(_textacy(span.as_doc(), span.start_char))
            except ValueError:
                bailed += 1
        start = end + 1
    return found, bailed


def baseline_quotes(cleaned: Sequence[str]) -> tuple[list[list[Found]], Counter[str], float]:
    """textacy's direct quotations on a full parse by the pipeline's spaCy model. textacy bails
    out on a doc with an odd number of quote tokens (apostrophes count); such a doc is tried
    again paragraph by paragraph. Returns the quotes, bail-out counts and seconds taken."""
    from pipeline.nlp import LanguageModel

    started = time.perf_counter()
    # NER off: textacy's rules read tags, lemmas and the parse only (same parse, less time)
    nlp = importlib.import_module(LanguageModel().model).load(disable=["ner"])
    found: list[list[Found]] = []
    bails: Counter[str] = Counter()
    for doc in nlp.pipe(cleaned, batch_size=16):
        try:
            found.append(_textacy(doc))
        except ValueError:
            quotes, bailed = _by_paragraph(doc)
            bails["bailed_articles"] += 1
            bails["bailed_paragraphs"] += bailed
            found.append(quotes)
    return found, bails, time.perf_counter() - started


def predicted_quote(quote: Any, offsets: Sequence[int]) -> PredictedQuote:
    """A system's quote on corpus offsets: its whole span (for a partial or indirect quote the
    content as reported; its `fragments`, the quoted words inside, are not scored apart) and
    its `type` when the system gives one."""
    piece = to_raw(offsets, quote.start, quote.end)
    return PredictedQuote((piece,), getattr(quote, "speaker", None), getattr(quote, "type", None))


def _figure(count: int, total: int, gold: int, predicted: int, matched: int) -> dict[str, Any]:
    ratio = round(count / total, 3) if total else None
    return dict(
        ratio=ratio, count=count, total=total, gold=gold, predicted=predicted, matched=matched
    )


def figures(c: Counter[str]) -> dict[str, dict[str, Any]]:
    """Every reported figure: ratio = count / total, with its gold, predicted, matched counts."""
    typed = c["typed"] > 0
    gold, predicted, found = c["gold"], c["predicted"], c["found_30"]
    out = {
        "recall_30": _figure(found, gold, gold, predicted, found),
        "recall_80": _figure(c["found_80"], gold, gold, predicted, c["found_80"]),
        "precision_30": _figure(found, predicted, gold, predicted, found),
        "precision_inside": _figure(c["inside"], predicted, gold, predicted, c["inside"]),
    }
    for kind in ("direct", "indirect", "inner"):
        key, against = f"found_{kind}", predicted
        if kind == "indirect" and typed:
            key, against = "found_typed_indirect", c["predicted_indirect"]
        for pct in (30, 80):
            hits, of = c[f"{key}_{pct}"], c[f"gold_{kind}"]
            out[f"{kind}_recall_{pct}"] = _figure(hits, of, of, against, hits)
    if typed:
        hits, against = c["found_typed_indirect_30"], c["predicted_indirect"]
        out["indirect_precision_30"] = _figure(hits, against, c["gold_indirect"], against, hits)
    for suffix in ("", "_direct", "_named"):
        judged = c[f"judged{suffix}"]
        for rule in ("lenient", "strict"):
            out[f"speaker_{rule}{suffix}"] = _figure(
                c[f"{rule}{suffix}"], judged, judged, judged, judged
            )
    out["no_speaker"] = _figure(c["no_speaker"], found, gold, predicted, found)
    return out


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
    # The baseline parses in a second process while ours runs here: one core each.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        baseline = pool.submit(baseline_quotes, cleaned)
        ours = wirestream_quotes(cleaned, names, [a.published for a in articles], timings)
        base_found, bails, timings["baseline parse + textacy"] = baseline.result()
    found: dict[str, Sequence[list[Any] | None]] = {"wirestream": ours, "baseline": base_found}
    started = time.perf_counter()
    systems: dict[str, Any] = {}
    examples: list[dict[str, str]] = []
    for system in SYSTEMS:
        counts, wrong = score_system(articles, golds, offsets, found[system])
        if system == "baseline":
            counts.update(bails)
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
    ("speaker_lenient_named", "speaker lenient (Source not a pronoun)"),
    ("speaker_strict_named", "speaker strict (Source not a pronoun)"),
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
        else:
            types = ", ".join(
                f"{k[6:]} {v}" for k, v in sorted(counts.items()) if k[:6] == "typed_"
            )
            lines.append(f"  {system}: predicted quote types: {types}")
        if counts.get("failed"):
            lines.append(f"  {system}: failed on {counts['failed']} articles (scored as empty)")
        if counts.get("bailed_articles"):
            lines.append(
                f"  {system}: textacy bailed out (odd quote tokens) on "
                f"{counts['bailed_articles']} articles, retried by paragraph; still bailed on "
                f"{counts.get('bailed_paragraphs', 0)} paragraphs"
            )
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
