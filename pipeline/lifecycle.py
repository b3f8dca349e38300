"""Lifecycle: what to do with a story version given what was already published for its id.

Exact resends are dropped before NLP; an older version never overwrites a newer one (compare
version, then version-created time, then content, as Superdesk's ingest does); kill notices
(pubstatus canceled or withheld) become kill events; embargoed copy waits for its time.
Stories arrive as triage left them (parsed, not normalised): see `same_content`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial

from pipeline.errors import WireError
from pipeline.normalise import normalise
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
    content_hash: str  # of the normalised text; not compared once killed
    killed: bool = False
    source_hash: str | None = None  # of the text as parsed; rows written before it lack it

    def to_dict(self) -> dict[str, object]:
        record: dict[str, object] = {
            "version": self.version,
            "version_created": self.version_created,
            "content_hash": self.content_hash,
            "killed": self.killed,
        }
        if self.source_hash is not None:
            record["source_hash"] = self.source_hash
        return record

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Published:
        source = data.get("source_hash")
        return cls(
            int(str(data["version"])),
            data.get("version_created") and str(data["version_created"]),  # type: ignore[arg-type]
            str(data["content_hash"]),
            bool(data.get("killed", False)),
            None if source is None else str(source),
        )


def content_hash(story: Story) -> str:
    """Fingerprint of what a reader sees: headline and body, whitespace-insensitive. Taken of
    the normalised story (see `normalised_content_hash` for a story as triage leaves it)."""
    text = " ".join(f"{story.headline or ''}\n{story.body}".split())
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def source_hash(story: Story) -> str:
    """Exact fingerprint of headline and body as given. Normalising is a function of those two,
    so stories with equal source hashes have equal content hashes; a few microseconds where
    normalising takes most of a millisecond."""
    headline = story.headline
    head = "-" if headline is None else f"{len(headline)}:{headline}"
    data = f"{head}\x00{story.body}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def normalised_content_hash(story: Story) -> str | None:
    """`content_hash` of the story once normalised; None when normalising fails (no body)."""
    try:
        return content_hash(normalise(story))
    except WireError:
        return None


def published_record(
    story: Story, *, killed: bool = False, content: str | None = None
) -> Published:
    """What to remember of `story` (as triage leaves it). `content` is its normalised content
    hash when the caller has it (the enriched story's); otherwise it is computed here."""
    if content is None:
        content = normalised_content_hash(story) or content_hash(story)
    return Published(story.version, story.dates.published, content, killed, source_hash(story))


def same_content(story: Story, known: Published, behind: Story | None = None) -> bool:
    """Whether `story` reads the same as the version `known` records: their normalised content
    hashes are equal. Equal source hashes settle it without normalising (an exact resend);
    otherwise `story` is normalised, and so is `behind`, the story of this batch `known` was
    made from, whose content hash is not computed before it is needed."""
    if known.source_hash is not None and source_hash(story) == known.source_hash:
        return True
    mine = normalised_content_hash(story)
    theirs = known.content_hash if behind is None else normalised_content_hash(behind)
    return mine is not None and mine == theirs


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
    story: Story,
    known: Published | None,
    now: datetime,
    same: Callable[[Story, Published], bool] = same_content,
) -> Decision:
    """The lifecycle decision for `story`, given the newest version already handled; `same`
    tells whether two versions of one number and time read the same."""
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
    return Decision.RESEND if same(story, known) else Decision.ENRICH


def decide_batch(
    stories: Sequence[Story], lookup: Callable[[str], Published | None], now: datetime
) -> list[Decision]:
    """Decide every story in order; later versions in the batch see earlier decisions.
    `lookup` gives what was handled before the batch for a story id."""
    records: dict[str, Published | None] = {}
    behind: dict[str, Story] = {}  # the story of this batch an ENRICH record in `records` is
    decisions = []
    for story in stories:
        key = story.story_id
        known = records[key] if key in records else lookup(key)
        prior = behind.get(key)
        decision = decide(story, known, now, partial(same_content, behind=prior))
        decisions.append(decision)
        if decision is Decision.ENRICH:
            # content hash left unset: `same_content` normalises `behind` if it needs it
            records[key] = Published(
                story.version, story.dates.published, "", source_hash=source_hash(story)
            )
            behind[key] = story
        elif decision is Decision.KILL:
            records[key] = Published(story.version, story.dates.published, "", killed=True)
            behind.pop(key, None)
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
