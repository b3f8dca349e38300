"""Quotes stage: marks, cues and speakers on the seed story, our own wire fixtures and
adversarial input."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.quotes import extract_quotes
from pipeline.quotes.roles import roles_from_apposition
from pipeline.story import Entity, Mention, Quote, Story
from pipeline.testing import make_story
from tests.conftest import shared_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quotes"


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Shared characters over the longer span: 1.0 is identical, 0.3 is the match bar."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return max(0, shared) / max(a[1] - a[0], b[1] - b[0])


def _entities(body: str, spec: list[dict[str, Any]]) -> tuple[Entity, ...]:
    """Entities from fixture specs: every whole-word occurrence of each mention string."""
    out = []
    for item in spec:
        taken: set[int] = set()
        mentions = []
        for surface in sorted(item["mentions"], key=len, reverse=True):
            pattern = r"(?<!\w)" + re.escape(surface) + r"(?!\w)"
            for m in re.finditer(pattern, body):
                if not taken & set(range(m.start(), m.end())):
                    taken.update(range(m.start(), m.end()))
                    mentions.append(Mention(surface, m.start(), m.end()))
        mentions.sort(key=lambda m: m.start)
        roles = tuple(item.get("roles", ()))
        out.append(Entity(item["name"], item["label"], tuple(mentions), roles))
    return tuple(out)


def _fixture(path: Path) -> tuple[Story, list[tuple[str, str | None, str | None]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    body = "\n\n".join(data["paragraphs"])
    story = make_story(body, story_id=path.stem, entities=_entities(body, data["entities"]))
    expected = [(q["text"], q["speaker"], q["cue"]) for q in data["expected"]]
    return story, expected


def marked(quotes: Sequence[Quote]) -> list[Quote]:
    """The words in marks, as the fixtures and the seed gold give them: a direct quote as it
    is, a partial quote as its quoted fragments; indirect speech (no marks) left out. The types
    themselves are tested in test_quotes_types_*.py."""
    out: list[Quote] = []
    for q in quotes:
        if q.type == "direct":
            out.append(q)
        elif q.type == "partial":
            body_of = q.text
            out.extend(
                dataclasses.replace(
                    q,
                    text=body_of[f.start - q.start : f.end - q.start].strip(),
                    start=f.start,
                    end=f.end,
                    type="direct",
                    fragments=(),
                )
                for f in q.fragments
            )
    return out


def _quotes(body: str, people: tuple[str, ...] = ()) -> list[Quote]:
    spec = [{"name": p, "label": "PERSON", "mentions": [p, p.split()[-1]]} for p in people]
    return marked(extract_quotes(make_story(body, entities=_entities(body, spec))).quotes)


# -- the seed story and its gold annotations -------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    path = shared_path("data", "seed", "000_48e29dcad5c28a50.gold.json")  # skips when absent
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _seed_entities(seed: dict[str, Any]) -> tuple[Entity, ...]:
    """The gold entities (no roles: the stage must read titles from the text itself)."""
    return tuple(
        Entity(
            e["name"],
            e["label"],
            tuple(Mention(m["text"], m["start"], m["end"]) for m in e["mentions"]),
        )
        for e in seed["entities"]
    )


def test_seed_every_gold_quote_found_with_gold_speaker_and_cue(seed: dict[str, Any]) -> None:
    quotes = marked(extract_quotes(make_story(seed["text"], entities=_seed_entities(seed))).quotes)
    for gold in seed["quotes"]:
        span = (gold["start"], gold["end"])
        best = max(quotes, key=lambda q: _overlap((q.start, q.end), span))
        assert _overlap((best.start, best.end), span) >= 0.3, f"{gold['id']} not found"
        assert best.speaker == gold["speaker"], gold["id"]
        assert best.cue == gold["cue"], gold["id"]
    assert len(quotes) == len(seed["quotes"])  # nothing spurious either


def test_seed_roles_are_read_from_titles_and_appositions(seed: dict[str, Any]) -> None:
    entities = _seed_entities(seed)
    roles = {e.name: e.roles for e in roles_from_apposition(seed["text"], entities)}
    assert "United States President" in roles["Donald Trump"]
    assert "Kremlin leader" in roles["Vladimir Putin"]
    assert roles["Russia"] == ()


# -- our own wire fixtures: input story + entities -> expected quotes -------------------------


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_fixture_story(path: Path) -> None:
    story, expected = _fixture(path)
    quotes = marked(extract_quotes(story).quotes)
    assert [(q.text, q.speaker, q.cue) for q in quotes] == expected
    for q in quotes:
        assert story.body[q.start : q.end] == q.text


def test_there_are_enough_fixture_stories() -> None:
    assert len(list(FIXTURES.glob("*.json"))) >= 6


# -- behaviour a reader of the dashboard would notice ----------------------------------------


def test_stage_returns_a_new_story_and_keeps_everything_else() -> None:
    story = make_story("“We will not be moved,” said Rosa Diaz.", headline="Strike")
    out = extract_quotes(story)
    assert out is not story and out.headline == "Strike" and out.body == story.body
    assert [q.text for q in out.quotes] == ["We will not be moved,"]
    assert out.quotes[0].speaker is None  # no entities: never a surface string
    assert extract_quotes(make_story("")).quotes == ()


def test_apostrophes_are_not_quote_marks() -> None:
    body = (
        "Officials said it’s the dogs' owners’ duty and we’re in the ’90s again, rock ’n’ roll, "
        "Russia’s view and James' plan, and the players' union's view won't change."
    )
    assert _quotes(body) == []


def test_speaker_is_the_reporting_subject_not_the_embedded_subject() -> None:
    quotes = _quotes(
        "Ana Costa said Pedro Lima had “completely misread” the market.",
        ("Ana Costa", "Pedro Lima"),
    )
    assert [(q.text, q.speaker, q.cue) for q in quotes] == [
        ("completely misread", "Ana Costa", "said")
    ]


def test_stray_opening_mark_does_not_swallow_later_quotes() -> None:
    body = (
        "Ana Costa said the plan had “failed on every count.\n\n"
        "“We will publish our own figures,” Costa said.\n\n"
        "“They will show the truth,” said Pedro Lima."
    )
    quotes = _quotes(body, ("Ana Costa", "Pedro Lima"))
    assert [(q.text, q.speaker) for q in quotes] == [
        ("We will publish our own figures,", "Ana Costa"),
        ("They will show the truth,", "Pedro Lima"),
    ]


def test_straight_quotes_and_multi_paragraph_chain() -> None:
    body = (
        "Ana Costa spoke to reporters in Lisbon.\n\n"
        '"We have waited long enough. The ministry knows our demands.\n\n'
        '"We will march on Friday," she said.'
    )
    quotes = _quotes(body, ("Ana Costa",))
    assert [(q.text, q.speaker, q.cue) for q in quotes] == [
        ("We have waited long enough. The ministry knows our demands.", "Ana Costa", "said"),
        ("We will march on Friday,", "Ana Costa", "said"),
    ]


def test_role_from_entity_stage_is_used() -> None:
    body = "Ana Costa arrived late. “Nothing is agreed,” the mayor said."
    ents = (Entity("Ana Costa", "PERSON", (Mention("Ana Costa", 0, 9),), ("Mayor of Porto",)),)
    quotes = marked(extract_quotes(make_story(body, entities=ents)).quotes)
    assert [(q.speaker, q.cue) for q in quotes] == [("Ana Costa", "said")]


def test_so_called_and_titles_are_not_quotations() -> None:
    body = "The so-called “coalition of the willing” met as the film “Blue Harbour Nights” opened."
    assert _quotes(body) == []


# -- robustness: linear time and well-formed output on any input ------------------------------


@pytest.mark.parametrize(
    "chunk",
    ['"', "“", "”", "'", "’ ", "‘a ", '" said ', "1. ", "  ", "\n\n“", "U.S. ", ", who said ", "a"],
)
def test_pathological_input_finishes_quickly(chunk: str) -> None:
    body = (chunk * (100_000 // len(chunk) + 1))[:100_000]
    people = (Entity("Ana Costa", "PERSON", (Mention("Ana", 0, 1),)),)
    started = time.perf_counter()
    extract_quotes(make_story(body, entities=people))
    assert time.perf_counter() - started < 2.0


def test_many_named_and_titled_speakers_finish_quickly() -> None:
    unit = "Mayor Ana Costa{n} met the mayor. “We will win,” the mayor said. “Yes,” she said. "
    body, people = "", []
    for n in range(1300):
        at = len(body) + len("Mayor ")
        body += unit.format(n=n)
        name = f"Ana Costa{n}"
        people.append(Entity(name, "PERSON", (Mention(name, at, at + len(name)),)))
    started = time.perf_counter()
    quotes = marked(extract_quotes(make_story(body, entities=tuple(people))).quotes)
    assert time.perf_counter() - started < 2.0
    assert len(body) > 100_000 and quotes[-1].speaker == "Ana Costa1299"


_ALPHABET = st.sampled_from(
    ["\n\n", *"\" “ ” ' ‘ ’ , . ? Ana Costa said he the mayor we’re x".split(), " "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60))
def test_any_text_yields_well_formed_quotes(parts: list[str]) -> None:
    body = " ".join(parts)
    ents: tuple[Entity, ...] = ()
    if "Costa" in body:
        at = body.index("Costa")
        ents = (Entity("Ana Costa", "PERSON", (Mention("Costa", at, at + 5),)),)
    quotes = marked(extract_quotes(make_story(body, entities=ents)).quotes)
    previous_end = -1
    for q in quotes:
        assert body[q.start : q.end] == q.text and q.text.strip() == q.text and q.text
        assert q.start >= previous_end  # ordered, never overlapping
        previous_end = q.end
        # the one person named, or a description the copy gives instead of a name
        assert q.speaker in (None, "Ana Costa") or q.speaker_type == "description", q
