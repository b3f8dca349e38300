"""How many Kafka records a story costs, by topic: end offsets of every topic on the broker
before and after a phase. Every record is written once by a producer, stored and replicated by
the broker, and read by each consumer group (and each group-less tail) that follows its topic,
so this count is what the broker's CPU per story scales with."""

from __future__ import annotations

from typing import Any


class RecordCounter:
    """End offsets of every topic whose name contains one of `marks` (the session's tag)."""

    def __init__(self, bootstrap: str, marks: tuple[str, ...]) -> None:
        from kafka import KafkaConsumer

        self.marks = marks
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), group_id=None)

    def snapshot(self) -> dict[str, int]:
        """Topic -> sum of its partitions' end offsets."""
        from kafka import TopicPartition

        topics = [t for t in self.consumer.topics() if any(m in t for m in self.marks)]
        tps = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in sorted(self.consumer.partitions_for_topic(topic) or ())
        ]
        totals: dict[str, int] = dict.fromkeys(topics, 0)
        for tp, end in self.consumer.end_offsets(tps).items():
            totals[tp.topic] += end
        return totals

    def close(self) -> None:
        self.consumer.close()


def per_story(
    before: dict[str, int], after: dict[str, int], stories: int, marks: tuple[str, ...]
) -> dict[str, Any]:
    """Records written per story on each topic that grew, named without the session's tag
    (`marks`), most first, and their total."""
    grown = {
        _untagged(topic, marks): (end - before.get(topic, 0)) / stories
        for topic, end in after.items()
        if end > before.get(topic, 0)
    }
    ranked = dict(sorted(grown.items(), key=lambda pair: -pair[1]))
    return {"total": sum(ranked.values()), "by_topic": ranked}


def _untagged(topic: str, marks: tuple[str, ...]) -> str:
    for mark in marks:
        topic = topic.replace(mark, "*")
    return topic
