"""Near-duplicate lookup per enriched story, at N stored fingerprints: the full scan of the
fingerprint table the enrich agent used to run on the event loop, against the banded
`NearIndex` that replaced it. No broker, no model.

    .venv/bin/python -m bench.neardup                     # 100,000 fingerprints
    .venv/bin/python -m bench.neardup --stored 1000000 --fingerprints corpus
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from collections.abc import Callable

from pipeline.neardup import MAX_DISTANCE, NearIndex, is_near_duplicate, simhash


def scan(table: dict[bytes, bytes], story_id: str, fingerprint: int) -> str | None:
    """What `Lifecycle._near` did: every row of the table, decoded and compared (here over a
    dict, as the memory store holds it; iterating RocksDB is slower)."""
    for key, value in table.items():
        other = key.decode()
        if other != story_id and is_near_duplicate(fingerprint, int(value)):
            return other
    return None


def fingerprints(kind: str, count: int, rnd: random.Random) -> list[int]:
    """`random`: 64 independent bits, as SimHash gives unrelated stories. `corpus`: SimHashes
    of the benchmark's template stories (more alike than real copy), cycled with a few bits
    flipped past MAX_DISTANCE so that they stay distinct."""
    if kind == "random":
        return [rnd.getrandbits(64) for _ in range(count)]
    from bench.corpus import generate_corpus

    base = [simhash(s.data.decode()) for s in generate_corpus(min(count, 2000), seed=0)]
    out = []
    for i in range(count):
        fingerprint = base[i % len(base)]
        for bit in rnd.sample(range(64), 2 * MAX_DISTANCE if i >= len(base) else 0):
            fingerprint ^= 1 << bit
        out.append(fingerprint)
    return out


def queries(stored: list[int], count: int, rnd: random.Random) -> list[int]:
    """Half new stories, half edited copies (1 to 7 bits from a stored one)."""
    out = []
    for i in range(count):
        if i % 2:
            fingerprint = rnd.choice(stored)
            for bit in rnd.sample(range(64), rnd.randint(1, MAX_DISTANCE)):
                fingerprint ^= 1 << bit
            out.append(fingerprint)
        else:
            out.append(rnd.getrandbits(64))
    return out


def per_call_us(calls: list[Callable[[], object]]) -> float:
    started = time.perf_counter()
    for call in calls:
        call()
    return 1e6 * (time.perf_counter() - started) / len(calls)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.neardup", description=__doc__)
    p.add_argument("--stored", type=int, default=100_000, help="fingerprints already stored")
    p.add_argument("--lookups", type=int, default=2000, help="lookups with the index")
    p.add_argument("--scans", type=int, default=40, help="lookups with the full scan")
    p.add_argument("--fingerprints", choices=("random", "corpus"), default="random")
    p.add_argument("--seed", type=int, default=0)
    opts = p.parse_args(argv)
    rnd = random.Random(opts.seed)
    stored = fingerprints(opts.fingerprints, opts.stored, rnd)
    ids = [f"urn:bench:{i}" for i in range(len(stored))]
    table = {k.encode(): str(v).encode() for k, v in zip(ids, stored, strict=True)}

    def build() -> NearIndex:
        index = NearIndex()
        for story_id, fingerprint in zip(ids, stored, strict=True):
            index.add(story_id, fingerprint)
        return index

    tracemalloc.start()  # slows allocation down: a second build is timed
    traced = build()
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del traced
    started = time.perf_counter()
    index = build()
    seconds = time.perf_counter() - started

    asked = queries(stored, max(opts.lookups, opts.scans), rnd)
    found = [index.nearest(q, exclude="urn:new") for q in asked[: opts.scans]]
    old = [scan(table, "urn:new", q) for q in asked[: opts.scans]]
    agree = all(
        (a is None) == (b is None) and (b is None or is_near_duplicate(q, int(table[b.encode()])))
        for a, b, q in zip(found, old, asked, strict=False)
    )
    lines = []
    for kind, part in (("new story", slice(0, None, 2)), ("edited copy", slice(1, None, 2))):
        scanned, indexed = asked[: opts.scans][part], asked[: opts.lookups][part]
        scan_us = per_call_us([lambda q=q: scan(table, "urn:new", q) for q in scanned])
        index_us = per_call_us([lambda q=q: index.nearest(q, "urn:new") for q in indexed])
        lines.append(
            f"  {kind:12s} full scan (before) {scan_us:9.1f} us/story ({len(scanned)} lookups), "
            f"banded index (after) {index_us:6.1f} us/story ({len(indexed)} lookups)"
        )
    fresh = [rnd.getrandbits(64) for _ in range(opts.lookups)]
    add_us = per_call_us(
        [lambda i=i, f=f: index.add(f"urn:added:{i}", f) for i, f in enumerate(fresh)]
    )
    print(
        f"near-duplicate lookup at {len(stored):,} stored fingerprints ({opts.fingerprints}); "
        "a new story matches nothing, an edited copy is 1-7 bits from a stored one "
        "(the scan stops at the first match):\n"
        + "\n".join(lines)
        + f"\n  index: add {add_us:.1f} us/story, built in {seconds:.2f} s, "
        f"{memory / 2**20:.0f} MiB; same answers as the scan: {'yes' if agree else 'NO'}"
    )


if __name__ == "__main__":
    main()
