"""Quote benchmark over MEANTIME Wikinews articles (outside the pipeline: reads files, prints).

Rebuilds each article's text from the tokens of its CAT XML file, runs the quotes stage (with
entities from spaCy and the entity stage when they import), and scores it against the
annotations in bench/quote_gold/meantime_quotes.jsonl: precision, recall and F1 of quote spans
at >= 30% character overlap, then speaker and cue accuracy over the matched quotes, overall and
per MEANTIME sub-corpus (the `corpus` field of each gold line). The gold holds the words in
quotation marks only, so a direct quote is scored as itself, a partial quote as its quoted
fragments, and indirect quotes (no marks) are left out.

    .venv/bin/python bench/eval_quotes.py [--meantime DIR] [--gold FILE] [--no-entities] [-v]
                                          [--time]

Text reconstruction (offsets in the gold file index exactly this text, see the README):
  * tokens are read in `t_id` order (in MEANTIME `number` == t_id - 1) and grouped by `sentence`;
  * sentence 0 (the headline) and sentence 1 (the date line) are paragraphs of their own, then
    every other sentence joined by one space forms a single body paragraph (MEANTIME keeps no
    paragraph breaks); paragraphs are separated by a blank line ("\\n\\n");
  * within a sentence tokens are joined by one space, except: no space before , . ; : ! ? % )
    ] } ... and clitics ('s n't 're 've 'll 'd 'm), none after ( [ { $ #;
  * PTB quote tokens become curly marks: `` -> “ and '' -> ” (double), ` -> ‘ (single); a ' or ’
    token attaches to the word before it (closing single mark or plural possessive);
  * a straight " token alternates opening/closing through the document (starting with opening):
    an opening one takes no space after it, a closing one no space before it; it stays ".
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.quotes import extract_quotes  # noqa: E402
from pipeline.story import Entity, Quote, Story  # noqa: E402

DEFAULT_MEANTIME = REPO.parent / "shared" / "data" / "meantime"
DEFAULT_GOLD = REPO / "bench" / "quote_gold" / "meantime_quotes.jsonl"
MATCH_OVERLAP = 0.3

_NO_SPACE_BEFORE = frozenset(
    ", . ; : ! ? % ) ] } ... 's 'S n't N'T 're 've 'll 'd 'm ’s ' ’ ''".split()
)
_NO_SPACE_AFTER = frozenset("( [ { $ # `` `".split())
_MARKS = {"``": "“", "''": "”", "`": "‘"}


def _join(tokens: Iterable[str], state: dict[str, bool]) -> str:
    out = ""
    glue = True  # no space before the first token
    for token in tokens:
        text = _MARKS.get(token, token)
        opening = token in ("``", "`")
        closing = token in _NO_SPACE_BEFORE
        if token == '"':
            opening = not state["open"]
            closing = state["open"]
            state["open"] = not state["open"]
        if out and not glue and not closing:
            out += " "
        out += text
        glue = opening or token in _NO_SPACE_AFTER
    return out


def rebuild_text(path: Path) -> str:
    """The article text rebuilt from its tokens (headline, date line, one body paragraph)."""
    root = ElementTree.parse(path).getroot()
    tokens = sorted(root.iter("token"), key=lambda t: int(t.get("t_id", "0")))
    sentences: dict[int, list[str]] = {}
    for token in tokens:
        sentences.setdefault(int(token.get("sentence", "0")), []).append(token.text or "")
    state = {"open": False}
    lines = [_join(sentences[k], state) for k in sorted(sentences)]
    return "\n\n".join([*lines[:2], " ".join(lines[2:])]).strip()


def text_sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    speaker: str | None
    cue: str | None


def overlap(a: Span, b: Span) -> float:
    """Shared characters over the longer of the two spans."""
    shared = min(a.end, b.end) - max(a.start, b.start)
    return max(0, shared) / max(a.end - a.start, b.end - b.start, 1)


def marked_spans(quotes: Iterable[Quote]) -> list[Span]:
    """The words in marks the stage found: direct quotes whole, partial quotes' fragments."""
    spans: list[Span] = []
    for q in quotes:
        if q.type == "direct":
            spans.append(Span(q.start, q.end, q.speaker, q.cue))
        elif q.type == "partial":
            spans.extend(Span(f.start, f.end, q.speaker, q.cue) for f in q.fragments)
    return spans


def same_speaker(gold: str | None, predicted: str | None) -> bool:
    """Equal ignoring case, or both name the same surname ("Jobs" vs "Steve Jobs")."""
    if gold is None or predicted is None:
        return gold is predicted
    g, p = gold.casefold().split(), predicted.casefold().split()
    return g == p or (bool(g) and bool(p) and g[-1] == p[-1])


def load_gold(path: Path) -> dict[str, tuple[str, list[Span]]]:
    """doc file name -> (sha1 of its rebuilt text, gold quotes)."""
    gold: dict[str, tuple[str, list[Span]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            spans = [Span(q["start"], q["end"], q["speaker"], q["cue"]) for q in row["quotes"]]
            gold[row["doc"]] = (row["sha1"], spans)
    return gold


def load_corpora(path: Path) -> dict[str, str]:
    """doc file name -> the MEANTIME sub-corpus its gold line names (`corpus`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return {row["doc"]: row.get("corpus", "?") for row in rows}


def summary(counts: Counter[str], documents: int) -> list[str]:
    """The report lines for one set of counts (tp, fp, fn, speaker_ok, cue_ok)."""
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    lines = [
        f"documents {documents}  gold quotes {tp + fn}  predicted {tp + fp}",
        f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  (overlap >= 0.3)",
    ]
    if tp:
        lines.append(
            f"speaker accuracy {counts['speaker_ok'] / tp:.3f}  "
            f"cue accuracy {counts['cue_ok'] / tp:.3f}  (matched)"
        )
    return lines


def entity_tagger() -> Callable[[Story], Story] | None:
    """spaCy NER + the entity stage's grouping, when both import; None means no entities (every
    speaker then comes out None)."""
    try:
        from pipeline import entities
        from pipeline.nlp import LanguageModel
    except ImportError:
        return None
    group: Callable[..., tuple[Entity, ...]] | None = getattr(entities, "group_entities", None)
    if group is None:
        return None
    model = LanguageModel()

    def tag(story: Story) -> Story:
        return dataclasses.replace(story, entities=group(story.body, model([story.body])[0]))

    return tag


def time_stage(files: list[Path], tag: Callable[[Story], Story] | None, words: int = 2000) -> None:
    """CPU time of extract_quotes on stories of about `words` words made by joining article
    bodies (entities found once, before timing): best of 5 rounds of 50 runs each."""
    bodies = [rebuild_text(p).split("\n\n", 2)[-1] for p in files]
    bodies = [b for b in bodies if any(mark in b for mark in '“"')]
    for offset in range(0, len(bodies), max(1, len(bodies) // 3)):
        parts: list[str] = []
        for body in bodies[offset:]:
            parts.append(body)
            if len(" ".join(parts).split()) >= words:
                break
        story = Story(story_id="timing", body="\n\n".join(parts))
        if len(story.body.split()) < 0.9 * words:
            continue  # the tail of the corpus: too short to be a fair sample
        story = tag(story) if tag is not None else story
        best = float("inf")
        for _ in range(5):
            started = time.process_time()
            for _ in range(50):
                quotes = extract_quotes(story).quotes
            best = min(best, (time.process_time() - started) / 50)
        print(
            f"timing: {len(story.body.split())} words, {len(story.entities)} entities, "
            f"{len(quotes)} quotes: {best * 1000:.2f} ms CPU per story"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meantime", type=Path, default=DEFAULT_MEANTIME)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--no-entities", action="store_true", help="skip spaCy (no speakers)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    parser.add_argument("--time", action="store_true", help="also time 2,000-word stories")
    args = parser.parse_args(argv)
    if not args.gold.exists() or not args.meantime.exists():
        print(f"need {args.gold} and {args.meantime}", file=sys.stderr)
        return 2
    gold = load_gold(args.gold)
    corpora = load_corpora(args.gold)
    files = {p.name: p for p in args.meantime.rglob("*.xml")}
    tag = None if args.no_entities else entity_tagger()
    per_corpus: dict[str, Counter[str]] = {}
    for doc, (sha1, gold_spans) in sorted(gold.items()):
        counts = per_corpus.setdefault(corpora[doc], Counter())
        counts["documents"] += 1
        if doc not in files:
            print(f"missing article {doc}", file=sys.stderr)
            return 2
        text = rebuild_text(files[doc])
        if text_sha1(text) != sha1:
            print(f"{doc}: rebuilt text differs from the annotated one", file=sys.stderr)
            return 2
        story = Story(story_id=doc, body=text)
        story = tag(story) if tag is not None else story
        predicted = marked_spans(extract_quotes(story).quotes)
        unmatched = list(predicted)
        for g in gold_spans:
            best = max(unmatched, key=lambda p: overlap(g, p), default=None)
            if best is None or overlap(g, best) < MATCH_OVERLAP:
                counts["fn"] += 1
                if args.verbose:
                    print(f"MISS {doc} {g.start}-{g.end} {text[g.start : g.end][:60]!r}")
                continue
            unmatched.remove(best)
            counts["tp"] += 1
            counts["speaker_ok"] += same_speaker(g.speaker, best.speaker)
            counts["cue_ok"] += (g.cue or "").casefold() == (best.cue or "").casefold()
            if args.verbose and not same_speaker(g.speaker, best.speaker):
                print(f"SPEAKER {doc} {g.start} gold={g.speaker!r} got={best.speaker!r}")
        counts["fp"] += len(unmatched)
        if args.verbose:
            for p in unmatched:
                print(f"EXTRA {doc} {p.start}-{p.end} {text[p.start : p.end][:60]!r}")
    print("\n".join(summary(sum(per_corpus.values(), Counter()), len(gold))))
    if len(per_corpus) > 1:
        for corpus, counts in sorted(per_corpus.items()):
            print(f"  {corpus}: " + "; ".join(summary(counts, counts["documents"])))
    print("entities: " + ("spaCy + entity stage" if tag is not None else "none (speakers None)"))
    if args.time:
        time_stage([files[name] for name in sorted(files)], tag)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
