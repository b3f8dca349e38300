"""The records the stages pass along, under the pipeline's name: Story and what enrichment
attaches to it. They are defined in schemas.records, the contract they are encoded by.
"""

from __future__ import annotations

from schemas.records import (
    Entity,
    Fragment,
    Mention,
    Quote,
    QuoteType,
    SpeakerType,
    StageWarning,
    Story,
    StoryDates,
    Timex,
)

__all__ = [
    "Entity",
    "Fragment",
    "Mention",
    "Quote",
    "QuoteType",
    "SpeakerType",
    "StageWarning",
    "Story",
    "StoryDates",
    "Timex",
]
