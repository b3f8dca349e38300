"""The whole flow on a batch, with the fake language model: outcomes are data, in order."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from pipeline.enrich import Enriched, Enricher, RawInput
from pipeline.errors import Failure
from pipeline.neardup import is_near_duplicate, simhash
from pipeline.testing import FakeLanguageModel, seed_text, simple_entities
from pipeline.timex import resolve_timex
from schemas import ENRICHED_STORY, schema_errors
from schemas.events import enriched_event, event_id


def _enricher(model: FakeLanguageModel, **kwargs: object) -> Enricher:
    return Enricher(model, pre_stages=(), post_stages=(), group_entities=simple_entities, **kwargs)


def test_batch_keeps_order_and_turns_failures_into_data() -> None:
    model = FakeLanguageModel(places=["Lisbon"])
    received = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    batch = [
        RawInput(seed_text("urn:t:a", "Maria Santos said Lisbon was ready."), received),
        RawInput(b"\xff\xfe not text"),
        RawInput(seed_text("urn:t:b", "Joao Silva arrived in Lisbon on Monday.")),
    ]
    first, second, third = _enricher(model)(batch)
    assert isinstance(first, Enriched) and isinstance(third, Enriched)
    assert isinstance(second, Failure) and second.code == "invalid_encoding"
    assert second.stage == "parse"
    assert first.story.story_id == "urn:t:a"
    assert first.story.dates.received == "2026-11-23T10:00:00.000Z"
    assert {(e.name, e.label) for e in first.story.entities} >= {
        ("Maria Santos", "PERSON"),
        ("Lisbon", "GPE"),
    }
    assert model.texts_seen == 2  # the bad message never reached the model
    assert set(first.stage_seconds) >= {"parse", "normalise", "dates", "nlp", "entities"}


def test_enriched_stories_carry_their_near_duplicate_fingerprint() -> None:
    """Taken where the story is finished (the pool), so the worker's main process only looks
    it up; a desk's resend with a changed word lands within the near-duplicate distance."""
    body = (
        "Harbour pilots in Setubal walked off the job on Tuesday over rosters, halting car "
        "carriers at the port for a second day, the pilots' union said. The port authority "
        "said talks would resume on Wednesday and that container traffic was running as "
        "normal. Exporters of cork and wine said shipments due this week could slip to the "
        "next, and a carmaker said it had moved two sailings to Lisbon."
    )
    edited = body.replace("a second day", "a 2nd day")
    first, resend = _enricher(FakeLanguageModel())(
        [RawInput(seed_text("urn:t:p1", body)), RawInput(seed_text("urn:t:p2", edited))]
    )
    assert isinstance(first, Enriched) and isinstance(resend, Enriched)
    assert first.fingerprint == simhash(first.story.body)
    assert is_near_duplicate(first.fingerprint, resend.fingerprint or 0)


def test_a_stage_that_raises_costs_that_stages_output_only() -> None:
    def explode(story):
        if "boom" in story.body:
            raise ValueError("unexpected token")
        return dataclasses.replace(story, signals=("checked",))

    enricher = Enricher(
        FakeLanguageModel(),
        pre_stages=(),
        post_stages=(("quotes", explode), ("timex", resolve_timex)),
        group_entities=simple_entities,
    )
    good, bad = enricher(
        [
            RawInput(seed_text("urn:t:1", "All calm on Monday.")),
            RawInput(seed_text("urn:t:2", "A boom was heard in Lisbon on Monday.")),
        ]
    )
    assert isinstance(good, Enriched) and isinstance(bad, Enriched)
    assert good.story.warnings == () and good.story.signals == ("checked",)
    (warning,) = bad.story.warnings
    assert (warning.stage, warning.error_code) == ("quotes", "stage_failed")
    assert "unexpected token" in warning.message
    assert bad.story.signals == ()  # the failed stage's output is left out ...
    assert [t.text for t in bad.story.timex] == ["Monday"]  # ... the next stage still ran
    assert bad.story.entities  # and the entities found before it are kept


def test_a_model_that_raises_on_one_story_costs_that_story_its_entities_only() -> None:
    class Brittle(FakeLanguageModel):
        def __call__(self, texts):  # type: ignore[no-untyped-def]
            if any("poison" in text for text in texts):
                raise RuntimeError("model choked")
            return super().__call__(texts)

    enricher = Enricher(Brittle(), pre_stages=(), group_entities=simple_entities)
    good, bad = enricher(
        [
            RawInput(seed_text("urn:t:1", "Anna Berg spoke in Lisbon.")),
            RawInput(
                seed_text("urn:t:2", "The poison pill, \u201cwe reject it,\u201d Anna Berg said.")
            ),
        ]
    )
    assert isinstance(good, Enriched) and isinstance(bad, Enriched)
    assert good.story.entities and good.story.warnings == ()
    assert [w.stage for w in bad.story.warnings] == ["nlp"]
    assert bad.story.entities == () and bad.story.quotes  # quotes need no model


def test_non_english_copy_skips_english_nlp() -> None:
    model = FakeLanguageModel()
    (outcome,) = _enricher(model)([RawInput(b"language de\n\nDie Regierung in Berlin tagte.")])
    assert isinstance(outcome, Enriched)
    assert outcome.story.language == "de" and outcome.story.entities == ()
    assert model.texts_seen == 0


def test_enriched_event_is_schema_valid_with_a_deterministic_id() -> None:
    (outcome,) = _enricher(FakeLanguageModel())([RawInput(seed_text("urn:t:9", "Anna Berg won."))])
    assert isinstance(outcome, Enriched)
    event = enriched_event(outcome.story, {"topic": "raw", "partition": 0, "offset": 5})
    assert schema_errors(ENRICHED_STORY, event) == []
    assert event["event_id"] == event_id("urn:t:9", 1) != event_id("urn:t:9", 2)
    for entity in event["entities"]:
        for mention in entity["mentions"]:
            assert event["body"][mention["start"] : mention["end"]] == mention["text"]
