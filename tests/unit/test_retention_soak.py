"""The soak's verdict (bench/soak.py): flat after warm-up, or not, from its minute samples."""

from __future__ import annotations

import os

from bench.soak import Sample, group_rss, verdict

MB = 2**20


def _run(rss_mb: list[float], rows: list[float]) -> list[Sample]:
    return [
        Sample(
            elapsed_s=60.0 * (i + 1),
            pushed=600 * (i + 1),
            enriched=600 * (i + 1),
            dead_lettered=0,
            rss_bytes=int(rss * MB),
            processes=3,
            rows={"story-published": row, "story-embargoed": 0, "story-fingerprints": row},
            near_index=row,
            lag=12,
        )
        for i, (rss, row) in enumerate(zip(rss_mb, rows, strict=True))
    ]


def test_memory_and_tables_that_level_off_are_flat() -> None:
    rss = [300, 340, 360, 370, 372, 372, 373, 372, 372, 373]
    rows = [600, 1200, 1800, 2400, 2500, 2450, 2520, 2480, 2510, 2490]
    result = verdict(_run(rss, rows), warm_up_s=240)
    assert result["flat"] is True
    assert result["from_s"] == 240 and result["growth"]["rss"] < 0.02


def test_memory_that_keeps_growing_is_not_flat() -> None:
    rss = [300 + 15 * i for i in range(10)]
    result = verdict(_run(rss, [2500] * 10), warm_up_s=240)
    assert result["flat"] is False and result["growth"]["rss"] > 0.10
    assert round(result["rss_mb_per_hour"]) == 15 * 60  # 15 MB a minute


def test_a_table_that_keeps_growing_is_not_flat_even_with_flat_memory() -> None:
    rows = [600.0 * (i + 1) for i in range(10)]
    result = verdict(_run([370] * 10, rows), warm_up_s=240)
    assert result["flat"] is False and result["growth"]["story-published"] > 0.2


def test_a_run_shorter_than_its_warm_up_has_no_verdict() -> None:
    assert verdict(_run([300, 310], [10, 20]), warm_up_s=600)["flat"] is None


def test_the_process_group_of_this_test_has_memory() -> None:
    rss, processes = group_rss(os.getpgid(0))
    assert rss > 10 * MB and processes >= 1


def test_memory_still_climbing_at_the_end_is_not_flat_even_under_ten_percent() -> None:
    """+40 MB an hour is under 10% of a 400 MB worker in a 45-minute run, and a leak."""
    rss = [400 + 40 * i / 60 for i in range(60)]
    result = verdict(_run(rss, [3600] * 60), warm_up_s=900)
    assert result["growth"]["rss"] < 0.10
    assert round(result["rss_mb_per_hour_at_end"]) == 40
    assert result["flat"] is False
