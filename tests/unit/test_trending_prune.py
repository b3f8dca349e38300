"""The trending key index keeps only entities an open window counts (agents/worker/trending.py):
Faust expires old windows' counts but never their keys, so an index of every name ever
mentioned would grow for as long as the worker runs."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from faust.windows import TumblingWindow

from agents.settings import Settings
from agents.worker.trending import Trending
from pipeline.trending import entity_key, mention_partition

NOW = 1_800_000_123.0
STEP = 600


class Inner(dict[tuple[str, tuple[float, float]], int]):
    window = TumblingWindow(STEP)


def trending(index: dict[str, int], inner: Inner) -> Trending:
    settings = Settings(broker="127.0.0.1:1", partitions=2, dashboard_window_seconds=6 * STEP)
    topic = SimpleNamespace(get_topic_name=lambda: "desk-entity-mentions")
    table = SimpleNamespace(table=inner, key_index_table=index)
    return Trending(SimpleNamespace(), settings, topic, table)  # type: ignore[arg-type]


def counted(inner: Inner, key: str, minutes_ago: float, mentions: int = 1) -> None:
    inner[(key, inner.window.current(NOW - 60 * minutes_ago))] = mentions


def test_keys_no_open_window_counts_leave_the_index_and_the_rest_stay() -> None:
    inner, index = Inner(), {}
    recent, hour_old, gone = (
        entity_key("Anna Berg", "PERSON"),
        entity_key("Port of Gdynia", "FAC"),
        entity_key("Kaub", "GPE"),
    )
    counted(inner, recent, 3)
    counted(inner, hour_old, 62)  # the window before the six the list adds up: still open
    for key in (recent, hour_old, gone):
        index[key] = 1  # `gone` was counted days ago; its windows have expired
    dropped = asyncio.run(trending(index, inner).prune(NOW, owns=lambda partition: True))
    assert dropped == 1
    assert set(index) == {recent, hour_old}


def test_only_the_keys_of_partitions_this_worker_owns_are_pruned() -> None:
    inner, index = Inner(), {}
    names = [entity_key(f"Ship {n}", "PRODUCT") for n in range(12)]
    for key in names:
        index[key] = 1
    mine = {key for key in names if mention_partition(key, 2) == 0}
    assert mine and len(mine) < len(names)
    dropped = asyncio.run(trending(index, inner).prune(NOW, owns=lambda partition: partition == 0))
    assert dropped == len(mine)
    assert set(index) == set(names) - mine  # another worker's keys wait for that worker


def test_the_list_still_reads_every_key_counted_in_the_hour() -> None:
    inner, index = Inner(), {}
    key = entity_key("Anna Berg", "PERSON")
    counted(inner, key, 5, 3)
    counted(inner, key, 30, 2)
    index[key] = 1
    board = trending(index, inner)
    asyncio.run(board.prune(NOW, owns=lambda partition: True))
    assert dict(board.current(NOW)) == {key: 5}
