"""One error catalogue: every code the system emits is defined once in pipeline/errors.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pipeline import errors
from pipeline.errors import CATALOGUE, MAX_MESSAGE_CHARS, WireError

ROOT = Path(__file__).resolve().parents[2]
EMITTED = {code for code, entry in CATALOGUE.items() if "none" not in entry.outcomes}


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_exception_code_is_in_the_catalogue() -> None:
    import pipeline.formats  # noqa: F401 - loads every parser and its refusals

    for cls in [WireError, *_subclasses(WireError)]:
        assert cls.code in CATALOGUE, cls.__name__


def test_no_code_is_written_outside_the_catalogue() -> None:
    offenders = []
    for folder in ("pipeline", "agents"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "pipeline" / "errors.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in CATALOGUE:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert offenders == []


def test_the_hostile_input_table_lists_exactly_the_emitted_codes() -> None:
    text = (ROOT / "docs" / "hostile-input.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z_]+)` +\|", text, re.M)
    assert len(listed) == len(set(listed)), "a code is listed twice"
    assert set(listed) == EMITTED


def test_a_code_cannot_be_defined_twice() -> None:
    with pytest.raises(ValueError, match="defined twice"):
        errors._define("stage_failed", "x", "again")


def test_failures_carry_the_code_stage_and_filled_message() -> None:
    failure = errors.STORY_TOO_LONG.failure("story-1", chars=2_000_000, limit=1_000_000)
    assert (failure.code, failure.stage, failure.story_id) == ("story_too_long", "nlp", "story-1")
    assert "2000000 characters" in failure.message and "split the story" in failure.message
    failed = errors.STAGE_FAILED.failure(stage="timex", error="KeyError: 'weekend'")
    assert failed.stage == "timex" and "'timex'" in failed.message


def test_a_long_message_is_capped_saying_how_much_was_cut() -> None:
    failed = errors.STAGE_FAILED.failure(stage="quotes", error="x" * 5000)
    assert len(failed.message) <= MAX_MESSAGE_CHARS + 40
    assert failed.message.endswith("more characters)")
