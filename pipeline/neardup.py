"""Near-duplicates: a 64-bit SimHash over word shingles, and a banded index to look it up.

Two stories whose fingerprints differ in at most `MAX_DISTANCE` bits are the same copy with
trivial edits (another desk's resend). With 8 bands of 8 bits, any pair within 7 bits shares at
least one band exactly (pigeonhole), so a lookup by band finds every candidate. Unrelated stories
sit near 32 bits apart. The enrich agent keeps a `NearIndex` of the stories enriched within the
retention, bounded by age (`evict_before`) and by a hard cap on its size (`limit`).
"""

from __future__ import annotations

import hashlib
import re
import time

import numpy as np
import numpy.typing as npt

SHINGLE = 3
BANDS = 8
BAND_BITS = 8
MAX_DISTANCE = 7
_WORD = re.compile(r"\w+")
_BAND_MASK = (1 << BAND_BITS) - 1
_BUCKETS = BANDS << BAND_BITS  # one bucket per (band, value)
DEFAULT_LIMIT = 1_000_000  # about 120 MiB of index; a safety net under the retention


def simhash(text: str) -> int:
    """Each bit is the majority vote of that bit over the hashes of all word 3-shingles."""
    words = [w.lower() for w in _WORD.findall(text)]
    shingles = [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    digests = b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8), axis=1)
    votes = bits.sum(axis=0, dtype=np.int64) * 2 > len(shingles)
    return int.from_bytes(np.packbits(votes).tobytes(), "big")


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def is_near_duplicate(a: int, b: int) -> bool:
    return distance(a, b) <= MAX_DISTANCE


def buckets(fingerprint: int) -> list[int]:
    """The lookup bucket of each band: band index * 256 + the band's bits."""
    return [(i << BAND_BITS) | (fingerprint >> (i * BAND_BITS) & _BAND_MASK) for i in range(BANDS)]


class NearIndex:
    """Fingerprints by story id, one per id (a later `add` replaces it), found by band.

    `nearest` reads only the 8 buckets its fingerprint falls in (about 8/256 of the stories),
    compares those in one numpy pass and returns the closest id within `MAX_DISTANCE`, ties to
    the smallest id. Rows are append-only; a replaced row is dropped at the next compaction.
    Each entry keeps the time it was written; `evict_before` drops the older ones, and past
    `limit` entries an `add` drops the oldest tenth, so the index stays bounded even when no
    one evicts.
    """

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        self.limit = limit
        self._reset()

    def _reset(self) -> None:
        self._row: dict[str, int] = {}  # story id -> its live row
        self._ids: list[str | None] = []  # row -> story id, None once replaced
        self._prints: npt.NDArray[np.uint64] = np.zeros(1024, dtype=np.uint64)
        self._times: npt.NDArray[np.float64] = np.zeros(1024, dtype=np.float64)
        self._members: list[npt.NDArray[np.int32]] = [
            np.zeros(4, dtype=np.int32) for _ in range(_BUCKETS)
        ]
        self._sizes = [0] * _BUCKETS

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._row

    def get(self, story_id: str) -> int | None:
        row = self._row.get(story_id)
        return None if row is None else int(self._prints[row])

    def add(self, story_id: str, fingerprint: int, at: float | None = None) -> None:
        """Index `fingerprint` for `story_id`, written at `at` (Unix seconds, now when not
        given), replacing the one it had (the same fingerprint only takes the newer time)."""
        at = time.time() if at is None else at
        old = self._row.get(story_id)
        if old is not None:
            if int(self._prints[old]) == fingerprint:
                self._times[old] = max(float(self._times[old]), at)
                return
            self._ids[old] = None
        row = len(self._ids)
        if row == len(self._prints):
            self._prints = np.concatenate([self._prints, np.zeros_like(self._prints)])
            self._times = np.concatenate([self._times, np.zeros_like(self._times)])
        self._prints[row] = fingerprint
        self._times[row] = at
        self._ids.append(story_id)
        self._row[story_id] = row
        for bucket in buckets(fingerprint):
            self._append(bucket, row)
        if len(self._row) > self.limit:
            self._drop_oldest(len(self._row) - self.limit + self.limit // 10)
        if len(self._ids) > 1024 and len(self._ids) > 2 * len(self._row):
            self._compact()

    def evict_before(self, cutoff: float) -> list[str]:
        """Drop every entry written before `cutoff` (Unix seconds); the ids dropped."""
        ids, rows = self._live()
        gone = [ids[i] for i in np.flatnonzero(self._times[rows] < cutoff).tolist()]
        self._drop(gone)
        return gone

    def _drop_oldest(self, count: int) -> None:
        ids, rows = self._live()
        count = min(count, len(ids))
        oldest = np.argpartition(self._times[rows], count - 1)[:count]
        self._drop([ids[i] for i in oldest.tolist()])

    def _live(self) -> tuple[list[str], npt.NDArray[np.int64]]:
        ids = list(self._row)
        return ids, np.fromiter(self._row.values(), dtype=np.int64, count=len(ids))

    def _drop(self, ids: list[str]) -> None:
        for story_id in ids:
            self.discard(story_id)
        if len(self._ids) > 1024 and len(self._ids) > 2 * len(self._row):
            self._compact()

    def discard(self, story_id: str) -> None:
        row = self._row.pop(story_id, None)
        if row is not None:
            self._ids[row] = None

    def nearest(self, fingerprint: int, exclude: str | None = None) -> str | None:
        """The id whose fingerprint is closest to `fingerprint` within MAX_DISTANCE bits (the
        smallest id among equals), other than `exclude`; None when there is none."""
        parts = [self._members[b][: self._sizes[b]] for b in buckets(fingerprint)]
        rows = np.concatenate(parts)
        if not len(rows):
            return None
        bits = np.bitwise_count(self._prints[rows] ^ np.uint64(fingerprint))
        near = bits <= MAX_DISTANCE
        best: tuple[int, str] | None = None
        for row, apart in zip(rows[near].tolist(), bits[near].tolist(), strict=True):
            story_id = self._ids[row]
            if story_id is None or story_id == exclude:
                continue
            found = (apart, story_id)
            if best is None or found < best:
                best = found
        return None if best is None else best[1]

    def _append(self, bucket: int, row: int) -> None:
        members, size = self._members[bucket], self._sizes[bucket]
        if size == len(members):
            members = self._members[bucket] = np.concatenate([members, np.zeros_like(members)])
        members[size] = row
        self._sizes[bucket] = size + 1

    def _compact(self) -> None:
        """Rebuild without replaced rows (amortised: only when they outnumber the live ones)."""
        live = [
            (story_id, int(self._prints[row]), float(self._times[row]))
            for story_id, row in self._row.items()
        ]
        self._reset()
        for story_id, fingerprint, at in live:
            self.add(story_id, fingerprint, at)
