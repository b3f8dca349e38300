"""Quotes stage (after entities, before timex): who said what, with the cue that says so.

`extract_quotes(story) -> Story`. The stage reads the body once into a `QuoteText` (body, the
quote-masked text, paragraphs, sentence starts) and hands that one view to every module here:
marks -> attribution (cue words, cue subjects) -> speakers (names, roles, documents) -> extract.
"""

from __future__ import annotations

from pipeline.quotes.extract import extract_quotes

__all__ = ["extract_quotes"]
