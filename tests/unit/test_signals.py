"""Editorial signals (update, correction) travel from every format into the enriched event."""

from __future__ import annotations

from pipeline.formats import parse_story
from pipeline.testing import make_story
from schemas import ENRICHED_STORY, schema_errors
from schemas.events import enriched_event

NEWSML = b"""<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:test:ferry" version="2"
          standard="NewsML-G2" standardversion="2.29">
  <itemMeta>
    <itemClass qcode="ninat:text"/>
    <versionCreated>2026-11-24T07:10:00Z</versionCreated>
    <pubStatus qcode="stat:usable"/>
    <signal qcode="sig:update"/>
    <signal qcode="sig:correction"/>
  </itemMeta>
  <contentMeta><headline>Ferry fares to rise in January</headline></contentMeta>
  <contentSet>
    <inlineXML contenttype="application/xhtml+xml">
      <html xmlns="http://www.w3.org/1999/xhtml"><body>
        <p>Ferry fares on the northern routes will rise by six percent in January, the
        operator said on Monday, correcting an earlier figure of eight percent.</p>
      </body></html>
    </inlineXML>
  </contentSet>
</newsItem>
"""


def test_newsml_signals_lose_their_scheme() -> None:
    story = parse_story(NEWSML)
    assert story.signals == ("update", "correction")
    assert story.version == 2


def test_text_and_json_signals() -> None:
    text = parse_story(b"id urn:t:1\nsignal correction\n\nThe figure was corrected.\n")
    data = parse_story(b'{"body": "The figure was corrected.", "signals": ["correction"]}')
    assert text.signals == data.signals == ("correction",)


def test_signals_reach_the_event() -> None:
    event = enriched_event(make_story(signals=("correction",)))
    assert event["signals"] == ["correction"]
    assert schema_errors(ENRICHED_STORY, event) == []
