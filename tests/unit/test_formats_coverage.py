"""Every IPTC example in ../shared either becomes a Story with a body or is refused with a reason.

The examples are read in place (never copied). The outcome table is printed at the end of the
module, whatever pytest's verbosity.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import InvalidStory
from pipeline.formats import parse_story
from tests.conftest import SHARED

DATA = SHARED / "data"
OUTCOMES: list[tuple[str, str, str]] = []
NON_TEXT = {"picture", "graphic", "video", "audio"}
# Codes a rejection may carry: each names a specific reason, none is the generic base code.
REASON_CODES = {"unsupported_format", "missing_body", "invalid_ninjs", "invalid_json"}


def example_files() -> list[Any]:
    ninjs = DATA / "ninjs" / "examples"
    g2 = DATA / "newsml-g2" / "examples"
    files = [
        *sorted(ninjs.rglob("*.json")),
        *sorted((ninjs / "NewsML").glob("*.xml")),
        *sorted(g2.glob("*.xml")),
    ]
    if not files:
        reason = f"{DATA} has no ninjs / NewsML-G2 examples (shared data absent)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason))]
    return [pytest.param(path, id=str(path.relative_to(DATA))) for path in files]


def declared_media_type(path: Path) -> str | None:
    """picture/video/... as the file itself declares it, read independently of the parser."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        obj = json.loads(text)
        return obj.get("type") if isinstance(obj, dict) else None
    match = re.search(r'<itemClass\s+qcode="ninat:(\w+)"', text)
    root = re.search(r"<(\w+)[\s>]", re.sub(r"<[?!][^>]*>", "", text))
    return match.group(1) if match and root and root.group(1) == "newsItem" else None


@pytest.fixture(scope="module", autouse=True)
def outcome_table(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is None or capture is None or not OUTCOMES:
        return
    parsed = sum(1 for _, outcome, _ in OUTCOMES if outcome == "story")
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(f"{'example':<64} {'outcome':<18} detail")
        for name, outcome, detail in OUTCOMES:
            reporter.write_line(f"{name[:64]:<64} {outcome:<18} {detail[:100]}")
        reporter.write_line(f"{parsed} stories, {len(OUTCOMES) - parsed} refused")


@pytest.mark.parametrize("path", example_files())
def test_example_is_a_story_or_refused_with_a_clear_reason(path: Path) -> None:
    name = str(path.relative_to(DATA))
    media_type = declared_media_type(path)
    try:
        story = parse_story(path.read_bytes())
    except InvalidStory as exc:
        OUTCOMES.append((name, exc.code, exc.message))
        assert exc.code in REASON_CODES, exc.message
        assert len(exc.message) > 20
        if media_type in NON_TEXT:
            assert f"{media_type} item: not a text story" in exc.message
        return
    OUTCOMES.append((name, "story", f"{story.source_format}: {story.body[:60]!r}"))
    assert media_type not in NON_TEXT
    assert story.body.strip()
    assert story.story_id
