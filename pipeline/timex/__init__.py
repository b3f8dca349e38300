"""Timex stage (last enrichment step): time expressions resolved against the story's date.

`resolve_timex(story) -> Story`; `find_timex(text, published)` is the same search on bare text.
The rule table is `rules`, calendar arithmetic is `calendar`.
"""

from __future__ import annotations

from pipeline.timex.resolve import find_timex, resolve_timex

__all__ = ["find_timex", "resolve_timex"]
