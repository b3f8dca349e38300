"""Fixtures shared by the three tiers: a wire story we wrote (tests/fixtures/stories) for every
test that needs one, and paths to ../shared data (skipping cleanly when absent) for the tests
that score against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED_DIR = SHARED / "data" / "seed"
FIXTURES = ROOT / "tests" / "fixtures"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a clean skip when the checkout has no shared data."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: shared data is only on developer and CI machines")
    return path


@pytest.fixture(scope="session")
def seed_file() -> Path:
    files = sorted(shared_path("data", "seed").glob("*.txt"))
    if not files:
        pytest.skip("no seed story in ../shared/data/seed")
    return files[0]


@pytest.fixture(scope="session")
def seed_gold(seed_file: Path) -> dict[str, Any]:
    gold = seed_file.with_suffix(".gold.json")
    if not gold.exists():
        pytest.skip(f"{gold} is absent")
    data: dict[str, Any] = json.loads(gold.read_text(encoding="utf-8"))
    return data


WIRE_STORY = FIXTURES / "stories" / "rotterdam_strike.txt"


@pytest.fixture(scope="session")
def wire_story() -> Path:
    """A wire story in seed text format (padded header lines, datelined body), ours."""
    return WIRE_STORY


@pytest.fixture(scope="session")
def wire_story_expected() -> dict[str, Any]:
    """What the wire story holds, written by hand: body, date, people, places, timex."""
    data: dict[str, Any] = json.loads(
        WIRE_STORY.with_suffix(".expected.json").read_text(encoding="utf-8")
    )
    return data
