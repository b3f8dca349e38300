"""A real worker whose stages fail on marked stories, for the stage-isolation test.

`python -m tests.integration.fault_worker` runs the same app as `wirestream worker`, with an
Enricher whose quotes stage raises on bodies holding QUOTES_FAULT and whose model raises on
bodies holding MODEL_FAULT and hangs on bodies holding MODEL_HANG. Everything else is the
production wiring.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from agents.cli.commands import run_worker
from agents.settings import load_settings
from pipeline.enrich import Enricher
from pipeline.nlp import LanguageModel, NerSpan
from pipeline.quotes import extract_quotes
from pipeline.story import Story
from pipeline.timex import resolve_timex

QUOTES_FAULT = "QUOTES-FAULT"
MODEL_FAULT = "MODEL-FAULT"
MODEL_HANG = "MODEL-HANG"


def failing_quotes(story: Story) -> Story:
    if QUOTES_FAULT in story.body:
        raise KeyError("marked story")
    return extract_quotes(story)


class FailingModel(LanguageModel):
    def __call__(self, texts: Sequence[str]) -> list[list[NerSpan]]:
        if any(MODEL_FAULT in text for text in texts):
            raise RuntimeError("the model refused a marked story")
        if any(MODEL_HANG in text for text in texts):
            time.sleep(3600)  # a model that never returns on this story
        return super().__call__(texts)


def main() -> None:
    settings = load_settings()
    run_worker(
        Enricher(
            FailingModel(settings.model),
            max_story_bytes=settings.max_story_bytes,
            post_stages=(("quotes", failing_quotes), ("timex", resolve_timex)),
        )
    )


if __name__ == "__main__":
    main()
