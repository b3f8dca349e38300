"""Lifecycle: what to do with a story version given what was already published for its id.

Exact resends are dropped before NLP; an older version never overwrites a newer one (compare
version, then version-created time, then content, as Superdesk's ingest does); kill notices
(pubstatus canceled or withheld) become kill events; embargoed copy waits for its time.
Stories arrive as triage left them (parsed, normalised, date-stamped) with their content hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum

from pipeline.story import Story
from schemas.tables import Published

KILL_STATUSES = frozenset({"canceled", "withheld"})


class Decision(StrEnum):
    ENRICH = "enrich"  # new story or newer version: enrich and publish
    RESEND = "resend"  # same id, version and content as published: drop, count
    STALE = "stale"  # older than what was published: drop, count
    KILL = "kill"  # canceled/withheld: publish a kill event for the story id
    HOLD = "hold"  # embargoed: keep until the embargo lifts


def content_hash(story: Story) -> str:
    """Fingerprint of what a reader sees: headline and body of the normalised story (triage
    normalises before it hashes), whitespace-insensitive."""
    text = " ".join(f"{story.headline or ''}\n{story.body}".split())
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def published_record(
    story: Story, content: str | None = None, *, killed: bool = False
) -> Published:
    """What to remember of `story`; `content` is its content hash when the caller has it."""
    content = content_hash(story) if content is None else content
    return Published(story.version, story.dates.published, content, killed)


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def embargo_lifts_at(story: Story) -> datetime | None:
    return _instant(story.embargoed_until)


def decide(
    story: Story, known: Published | None, now: datetime, content: str | None = None
) -> Decision:
    """The lifecycle decision for `story` (whose content hash is `content`, computed when not
    given), given the newest version already handled for its id."""
    if story.pubstatus in KILL_STATUSES:
        return Decision.RESEND if known is not None and known.killed else Decision.KILL
    if known is not None and known.killed:
        return Decision.STALE  # a killed story stays dead unless re-sent under a new id
    lifts = embargo_lifts_at(story)
    if lifts is not None and lifts > now:
        return Decision.HOLD
    if known is None:
        return Decision.ENRICH
    order = _compare(story, known)
    if order > 0:
        return Decision.ENRICH
    if order < 0:
        return Decision.STALE
    same = (content_hash(story) if content is None else content) == known.content_hash
    return Decision.RESEND if same else Decision.ENRICH


def decide_batch(
    items: Sequence[tuple[Story, str]], lookup: Callable[[str], Published | None], now: datetime
) -> list[Decision]:
    """Decide every (story, content hash) in order; later versions in the batch see earlier
    decisions. `lookup` gives what was handled before the batch for a story id."""
    records: dict[str, Published | None] = {}
    decisions = []
    for story, content in items:
        key = story.story_id
        known = records[key] if key in records else lookup(key)
        decision = decide(story, known, now, content)
        decisions.append(decision)
        if decision in (Decision.ENRICH, Decision.KILL):
            records[key] = published_record(story, content, killed=decision is Decision.KILL)
        else:
            records[key] = known
    return decisions


def _compare(story: Story, known: Published) -> int:
    """+1 if story is newer than known, -1 if older, 0 if the same version and time."""
    if story.version != known.version:
        return 1 if story.version > known.version else -1
    mine, theirs = _instant(story.dates.published), _instant(known.version_created)
    if mine is not None and theirs is not None and mine != theirs:
        return 1 if mine > theirs else -1
    return 0
