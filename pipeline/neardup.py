"""Near-duplicates: a 64-bit SimHash over word shingles, and the bands used to look it up.

Two stories whose fingerprints differ in at most `MAX_DISTANCE` bits are the same copy with
trivial edits (another desk's resend). With 8 bands of 8 bits, any pair within 7 bits shares at
least one band exactly (pigeonhole), so a lookup by band finds every candidate. Unrelated stories
sit near 32 bits apart.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

SHINGLE = 3
BANDS = 8
BAND_BITS = 8
MAX_DISTANCE = 7
_WORD = re.compile(r"\w+")


def simhash(text: str) -> int:
    """Each bit is the majority vote of that bit over the hashes of all word 3-shingles."""
    words = [w.lower() for w in _WORD.findall(text)]
    shingles = [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    digests = b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8), axis=1)
    votes = bits.sum(axis=0, dtype=np.int64) * 2 > len(shingles)
    return int.from_bytes(np.packbits(votes).tobytes(), "big")


def bands(fingerprint: int) -> list[str]:
    """Lookup keys: band index and the band's bits."""
    mask = (1 << BAND_BITS) - 1
    return [f"{i}:{fingerprint >> (i * BAND_BITS) & mask:02x}" for i in range(BANDS)]


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def is_near_duplicate(a: int, b: int) -> bool:
    return distance(a, b) <= MAX_DISTANCE
