"""Lifecycle: what to do with a story version given what was already published for its id.

Exact resends are dropped before NLP; an older version never overwrites a newer one (compare
version, then version-created time, then content, as Superdesk's ingest does); kill notices
(pubstatus canceled or withheld) become kill events; embargoed copy waits for its time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pipeline.story import Story

KILL_STATUSES = frozenset({"canceled", "withheld"})


class Decision(StrEnum):
    ENRICH = "enrich"  # new story or newer version: enrich and publish
    RESEND = "resend"  # same id, version and content as published: drop, count
    STALE = "stale"  # older than what was published: drop, count
    KILL = "kill"  # canceled/withheld: publish a kill event for the story id
    HOLD = "hold"  # embargoed: keep until the embargo lifts


@dataclass(frozen=True, slots=True)
class Published:
    """What the lifecycle table remembers of the newest version published for a story id."""

    version: int
    version_created: str | None
    content_hash: str
    killed: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "version_created": self.version_created,
            "content_hash": self.content_hash,
            "killed": self.killed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Published:
        return cls(
            int(str(data["version"])),
            data.get("version_created") and str(data["version_created"]),  # type: ignore[arg-type]
            str(data["content_hash"]),
            bool(data.get("killed", False)),
        )


def content_hash(story: Story) -> str:
    """Fingerprint of what a reader sees: headline and body, whitespace-insensitive."""
    text = " ".join(f"{story.headline or ''}\n{story.body}".split())
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def published_record(story: Story, *, killed: bool = False) -> Published:
    return Published(story.version, story.dates.published, content_hash(story), killed)


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


def decide(story: Story, known: Published | None, now: datetime) -> Decision:
    """The lifecycle decision for `story`, given the newest version already handled."""
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
    return Decision.RESEND if content_hash(story) == known.content_hash else Decision.ENRICH


def _compare(story: Story, known: Published) -> int:
    """+1 if story is newer than known, -1 if older, 0 if the same version and time."""
    if story.version != known.version:
        return 1 if story.version > known.version else -1
    mine, theirs = _instant(story.dates.published), _instant(known.version_created)
    if mine is not None and theirs is not None and mine != theirs:
        return 1 if mine > theirs else -1
    return 0
