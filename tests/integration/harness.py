"""Load and verification kit for the reliability tests. It lives in bench/wire_load.py, shared
with the fault driver (bench/faults.py) and `python -m bench.chaos`, which must not import the
tests; the integration tests import it from here."""

from __future__ import annotations

from bench.wire_load import (
    OutputCounter,
    Pushed,
    Verdict,
    WireStory,
    end_offsets,
    make_stories,
    push_stories,
    read_to_end,
    story_body,
    uncommitted,
    verify,
)

__all__ = [
    "OutputCounter",
    "Pushed",
    "Verdict",
    "WireStory",
    "end_offsets",
    "make_stories",
    "push_stories",
    "read_to_end",
    "story_body",
    "uncommitted",
    "verify",
]
