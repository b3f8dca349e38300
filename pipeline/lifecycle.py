"""Lifecycle: what to do with a story version given what was already published for its id.

Exact resends are dropped before NLP; an older version never overwrites a newer one (compare
version, then version-created time, then content, as Superdesk's ingest does); kill notices
(pubstatus canceled or withheld) become kill events; embargoed copy waits for its time.
Stories arrive as triage left them (parsed, normalised, date-stamped) with their content hash.
What is remembered expires after the retention (`expire`): an id seen again after that is new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Generic, TypeVar

from pipeline.story import Story
from schemas.tables import Published

KILL_STATUSES = frozenset({"canceled", "withheld"})
K = TypeVar("K")


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
    story: Story,
    content: str | None = None,
    *,
    killed: bool = False,
    recorded_at: float | None = None,
) -> Published:
    """What to remember of `story`; `content` is its content hash when the caller has it,
    `recorded_at` the time (Unix seconds) the row is written."""
    content = content_hash(story) if content is None else content
    return Published(story.version, story.dates.published, content, killed, recorded_at)


def is_expired(recorded_at: float | None, now: float, retention: float) -> bool:
    """A row written at `recorded_at` is older than `retention` seconds at `now` (an undated
    row is not: its age is unknown until it is stamped)."""
    return recorded_at is not None and now - recorded_at > retention


@dataclass(frozen=True, slots=True)
class Expiry(Generic[K]):
    """What one pass over a table decides: keys to delete (tombstones on the changelog), and
    undated keys (rows older workers wrote) to stamp with `now`, so they expire one retention
    later instead of never."""

    expired: list[K] = field(default_factory=list)
    undated: list[K] = field(default_factory=list)


def expire(rows: Iterable[tuple[K, float | None]], now: float, retention: float) -> Expiry[K]:
    """Rows as (key, time it counts from or None when unknown), `now` and `retention` in
    seconds: the keys older than the retention, and the undated ones."""
    result: Expiry[K] = Expiry()
    for key, since in rows:
        if since is None:
            result.undated.append(key)
        elif is_expired(since, now, retention):
            result.expired.append(key)
    return result


def released_embargoes(held: Iterable[K], released: Mapping[K, float]) -> Iterator[tuple[K, float]]:
    """The held rows `expire` may look at, each aged from when it was released: copy still
    waiting for its embargo is never expired, however long the embargo."""
    for key in held:
        since = released.get(key)
        if since is not None:
            yield key, since


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
