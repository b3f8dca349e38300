"""The one view of a story's text that every module of the quotes stage reads.

Built once per story by `read_text`: the body, its quotation spans, the quote-masked body (same
length, quoted words blanked, doubled marks read as curly ones), paragraph bounds and sentence
starts read from the masked text.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.quotes.marks import (
    MarkSpan,
    find_quote_spans,
    mask_quotes,
    paragraph_spans,
    read_doubled_marks,
    sentence_starts,
)


@dataclass(frozen=True, slots=True)
class QuoteText:
    """Body, quotation spans, masked body, paragraphs and sentence starts of one story."""

    body: str
    spans: tuple[MarkSpan, ...]
    masked: str
    paragraphs: tuple[tuple[int, int], ...]
    starts: tuple[int, ...]


def read_text(body: str) -> QuoteText:
    """Read the body once: marks per paragraph, then the masked text and its sentences."""
    paragraphs = paragraph_spans(body)
    marked = read_doubled_marks(body)  # same length: offsets still index the body
    spans = find_quote_spans(marked, paragraphs)
    masked = mask_quotes(marked, spans)
    starts = sentence_starts(masked, paragraphs)
    return QuoteText(body, tuple(spans), masked, tuple(paragraphs), tuple(starts))
