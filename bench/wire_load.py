"""Load and accounting kit for the fault runs (bench/faults.py, `python -m bench.chaos`, and
tests/integration/test_reliability.py through tests/integration/harness.py): a generator of varied
wire stories (a share deliberately malformed), a producer that records where each landed, and a
verifier that reads the enriched and dead-letter topics to the end and accounts for every pushed
record."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from schemas.events import event_id

PEOPLE = (
    "Amara Okafor",
    "Henrik Lindqvist",
    "Paola Ferrante",
    "Tomasz Wilczek",
    "Leila Haddad",
    "Declan Moriarty",
    "Ines Carvalho",
    "Yusuf Demirel",
    "Mireille Aubert",
    "Kenji Watanabe",
    "Sofia Marangoni",
    "Rafael Quintero",
    "Greta Holmberg",
    "Nikos Stavrou",
    "Adaeze Nwosu",
)
TITLES = (
    "finance minister",
    "chief executive",
    "spokeswoman",
    "spokesman",
    "mayor",
    "union leader",
    "senior analyst",
    "police commissioner",
    "health minister",
    "coach",
)
ORGS = (
    "Meridian Freight",
    "the Northern Grain Cooperative",
    "Baltic Rail Holdings",
    "the national statistics office",
    "Harbour Energy Partners",
    "the transport ministry",
    "the central bank",
    "Coastline Airways",
    "the regional health authority",
    "the dockworkers' union",
    "Alder Valley Water",
    "the football federation",
)
PLACES = (
    ("LISBON", "Portugal"),
    ("GDANSK", "Poland"),
    ("NAIROBI", "Kenya"),
    ("OSLO", "Norway"),
    ("VALPARAISO", "Chile"),
    ("TAMPERE", "Finland"),
    ("SEVILLE", "Spain"),
    ("BRISBANE", "Australia"),
    ("OSAKA", "Japan"),
    ("ACCRA", "Ghana"),
    ("THESSALONIKI", "Greece"),
    ("CORK", "Ireland"),
    ("IZMIR", "Turkey"),
)
DAYS = (
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "on Saturday",
    "on Sunday",
    "late on Tuesday",
    "early on Friday",
    "last week",
    "this month",
)
WHENS = (
    "by the end of March",
    "next year",
    "within six weeks",
    "before the summer",
    "by 2028",
    "in the coming days",
    "next month",
    "before the election",
)
THINGS = (
    "port expansion",
    "fuel subsidy",
    "rail tender",
    "wage agreement",
    "water tariff",
    "budget revision",
    "stadium contract",
    "vaccination drive",
    "bridge repair",
    "grain export quota",
    "airport runway plan",
    "housing programme",
)
VERBS = ("approved", "delayed", "rejected", "revised", "suspended", "announced", "defended")
MOODS = ("cautious", "upbeat", "frustrated", "confident", "wary")

LEADS = (
    "{place} ({agency}) - {org} {verb} the {thing} {day}, a decision that {person} said would "
    "shape the {region} economy for years.",
    "{place} ({agency}) - Officials {verb} a long-awaited {thing} {day} after weeks of talks "
    "between {org} and local authorities in {country}.",
    "{place} ({agency}) - {person}, the {title} of {org}, {verb} the {thing} {day}, saying the "
    "costs had risen by {pct} percent since the plan was first drawn up.",
)
SENTENCES = (
    '"We have listened to every objection and we are {mood} about what comes next," '
    "{person} told reporters.",
    "The {thing} is expected to cost about {money} million euros and to be completed {when}.",
    "Critics say the plan ignores smaller towns, and {org} faces {n} legal challenges.",
    "{person}, the {title}, said the timetable {when} was realistic but depended on funding.",
    '"This is not the end of the discussion," said {person}. "It is the start of a harder one."',
    "A court in {place_title} adjourned the case against {org} {day} until {when_date}.",
    "{person} scored twice as the home side won {goals}-1, lifting them to third in the table.",
    "Prosecutors allege that {org} misstated its accounts for {n} consecutive quarters.",
    "Doctors at the main hospital in {place_title} treated {n} people for smoke inhalation.",
    "Figures published {day} showed output in {country} rose {pct} percent from a year earlier.",
    "Shares in {org} fell {pct} percent in early trading before recovering some ground.",
    "About {n},000 people joined a protest in the city centre {day}, police said.",
    "According to {person}, the {title}, talks would resume {when}.",
    "Analysts at {org} described the mood as {mood} and warned of further delays {when}.",
    "The {title} declined to comment on reports that the {thing} had been {verb} twice before.",
    '{person} added: "Nobody should expect miracles {when}, but we will deliver."',
    "Heavy rain {day} flooded parts of the {region} coast and closed {n} roads.",
    "The {thing} was first proposed in 2019 and has been {verb} several times since.",
)
AGENCY = "Wirestream"
MALFORMED_KINDS = (
    "latin1",
    "binary",
    "empty",
    "no_body",
    "bad_version",
    "bad_json",
    "json_no_body",
    "bad_pubstatus",
)


@dataclass(frozen=True)
class WireStory:
    """One message for the raw topic: valid stories carry their id and version, malformed ones
    say how they were damaged and are expected on the dead-letter topic."""

    index: int
    data: bytes = field(repr=False)
    story_id: str | None = None
    version: int = 1
    malformed: str | None = None

    @property
    def key(self) -> bytes | None:
        return self.story_id.encode() if self.story_id else None

    @property
    def event_id(self) -> str | None:
        return event_id(self.story_id, self.version) if self.story_id else None


@dataclass(frozen=True)
class Pushed:
    story: WireStory
    partition: int
    offset: int


def _fill(template: str, rng: random.Random, place: tuple[str, str]) -> str:
    return template.format(
        place=place[0],
        country=place[1],
        agency=AGENCY,
        org=rng.choice(ORGS),
        verb=rng.choice(VERBS),
        thing=rng.choice(THINGS),
        day=rng.choice(DAYS),
        person=rng.choice(PEOPLE),
        title=rng.choice(TITLES),
        region=rng.choice(("northern", "southern", "eastern", "western")),
        pct=f"{rng.randint(1, 19)}.{rng.randint(0, 9)}",
        mood=rng.choice(MOODS),
        money=rng.randint(12, 900),
        when=rng.choice(WHENS),
        n=rng.randint(2, 40),
        place_title=place[0].title(),
        goals=rng.randint(2, 5),
        when_date=f"{rng.choice(('May', 'June', 'October'))} {rng.randint(1, 28)}",
    ).replace("the the ", "the ")


def story_body(rng: random.Random, words: int) -> str:
    """Paragraphs of wire copy of `words` words or a little more, never past 400."""
    place = rng.choice(PLACES)
    lead = _fill(rng.choice(LEADS), rng, place)
    paragraphs, count = [lead], len(lead.split())
    order: list[str] = []
    while count < words:
        order = order or rng.sample(SENTENCES, len(SENTENCES))
        sentence = _fill(order.pop(), rng, place)
        if count + len(sentence.split()) > 400:
            break
        paragraphs.append(sentence)
        count += len(sentence.split())
    return "\n\n".join(paragraphs)


def _headline(rng: random.Random) -> str:
    org = rng.choice(ORGS).removeprefix("the ")
    return f"{org[0].upper()}{org[1:]} {rng.choice(VERBS)} {rng.choice(THINGS)}"


def _valid(index: int, rng: random.Random, story_id: str, version: int) -> WireStory:
    body = story_body(rng, rng.randint(40, 400))
    date = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if rng.random() < 0.25:
        data = orjson.dumps(
            {
                "id": story_id,
                "version": version,
                "headline": _headline(rng),
                "body": body,
                "published": date,
                "language": "en",
            }
        )
    else:
        head = f"date {date}\nid {story_id}\nversion {version}\nheadline {_headline(rng)}\n"
        data = f"{head}\n{body}\n".encode()
    return WireStory(index, data, story_id, version)


def _malformed(index: int, rng: random.Random) -> WireStory:
    kind = MALFORMED_KINDS[index % len(MALFORMED_KINDS)]
    body = story_body(rng, 60)
    data = {
        "latin1": f"id x-{index}\n\nCaf\u00e9 owners in {rng.choice(PLACES)[0]} protest.\n".encode(
            "latin-1"
        ),
        "binary": bytes(rng.randrange(256) for _ in range(64)) + b"\x00\xff",
        "empty": b" \n\t\n",
        "no_body": f"date 2026-05-04\nid x-{index}\nversion 1\n\n   \n".encode(),
        "bad_version": f"id x-{index}\nversion zero\n\n{body}\n".encode(),
        "bad_json": b'{"id": "x-' + str(index).encode() + b'", "body": "' + body[:80].encode(),
        "json_no_body": orjson.dumps({"id": f"x-{index}", "headline": "No copy filed"}),
        "bad_pubstatus": f"id x-{index}\npubstatus maybe\n\n{body}\n".encode(),
    }[kind]
    return WireStory(index, data, malformed=kind)


def make_stories(
    count: int, *, seed: str = "load", malformed_share: float = 0.03, update_share: float = 0.05
) -> list[WireStory]:
    """`count` messages, the same for the same seed: wire copy of 40-400 words in the text and
    JSON forms, some later versions of earlier stories, and about `malformed_share` damaged."""
    stories: list[WireStory] = []
    versions: Counter[str] = Counter()
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")
        if rng.random() < malformed_share:
            stories.append(_malformed(index, rng))
        elif index >= 10 and rng.random() < update_share:
            story_id = f"urn:wirestream:{seed}:{index - rng.randint(1, 10):05d}"
            versions[story_id] += 1
            stories.append(_valid(index, rng, story_id, versions[story_id] + 1))
        else:
            stories.append(_valid(index, rng, f"urn:wirestream:{seed}:{index:05d}", 1))
    return stories


def push_stories(bootstrap: str, topic: str, stories: Sequence[WireStory]) -> list[Pushed]:
    """Send every story (acks=all) and return where each landed, from its RecordMetadata."""
    from kafka import KafkaProducer

    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=10, max_request_size=16 * 1024 * 1024
    )
    try:
        futures = [(s, producer.send(topic, key=s.key, value=s.data)) for s in stories]
        producer.flush()
        pushed = []
        for story, future in futures:
            meta = future.get(timeout=60)
            pushed.append(Pushed(story, meta.partition, meta.offset))
        return pushed
    finally:
        producer.close()


def end_offsets(bootstrap: str, topics: Iterable[str]) -> int:
    """Sum of the end offsets of every partition of `topics`: how many records they hold."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    try:
        tps = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()]
        return sum(consumer.end_offsets(tps).values()) if tps else 0
    finally:
        consumer.close()


def read_to_end(bootstrap: str, topic: str, timeout: float = 60.0) -> list[dict[str, Any]]:
    """Every event on `topic`, from the beginning up to the end offsets seen at the start."""
    import time

    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 * 1024 * 1024,
    )
    try:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        events: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end within {timeout}s")
            for records in consumer.poll(timeout_ms=500).values():
                events.extend(orjson.loads(r.value) for r in records)
        return events
    finally:
        consumer.close()


@dataclass(frozen=True)
class Verdict:
    """Where every pushed record ended up. `lost` and `conflicting` must be empty / zero."""

    pushed: int
    enriched: int
    dead_lettered: int
    lost: tuple[Pushed, ...]
    duplicates: int
    conflicting: tuple[str, ...]
    misrouted: tuple[Pushed, ...]
    unexpected: int
    error_codes: tuple[tuple[str, int], ...] = ()

    def summary(self) -> str:
        codes = ",".join(f"{code}:{n}" for code, n in self.error_codes)
        return (
            f"pushed={self.pushed} enriched={self.enriched} "
            f"dead_lettered={self.dead_lettered} lost={len(self.lost)} "
            f"duplicates={self.duplicates} conflicting={len(self.conflicting)} "
            f"misrouted={len(self.misrouted)} unexpected={self.unexpected} "
            f"dead_letter_codes={codes or '-'}"
        )


def verify(
    bootstrap: str,
    raw_topic: str,
    enriched_topic: str,
    dead_letter_topic: str,
    pushed: Sequence[Pushed],
) -> Verdict:
    """Account for every pushed record by its raw partition/offset (both event kinds carry it as
    `source`); an enriched event must also carry the story id and the deterministic event id."""
    enriched = read_to_end(bootstrap, enriched_topic)
    dead = read_to_end(bootstrap, dead_letter_topic)
    outcomes: dict[tuple[int, int], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    unexpected = 0
    for kind, events in (("enriched", enriched), ("dead_letter", dead)):
        for event in events:
            source = event.get("source") or {}
            if source.get("topic") != raw_topic:
                unexpected += 1
                continue
            outcomes[(source["partition"], source["offset"])].append((kind, event))
    lost, misrouted, conflicting = [], [], []
    duplicates = enriched_count = dead_count = 0
    known = {(p.partition, p.offset) for p in pushed}
    unexpected += sum(1 for where in outcomes if where not in known)
    for record in pushed:
        seen = outcomes.get((record.partition, record.offset), [])
        if not seen:
            lost.append(record)
            continue
        duplicates += len(seen) - 1
        kinds = Counter(kind for kind, _ in seen)
        enriched_count += kinds["enriched"] > 0
        dead_count += kinds["enriched"] == 0
        expected = "dead_letter" if record.story.malformed else "enriched"
        if set(kinds) != {expected}:
            misrouted.append(record)
        for kind, event in seen:
            if kind == "enriched" and (
                event["story_id"] != record.story.story_id
                or event["event_id"] != record.story.event_id
            ):
                conflicting.append(f"{record.partition}/{record.offset}: {event['event_id']}")
    codes = Counter(str(event.get("error_code")) for event in dead)
    return Verdict(
        len(pushed),
        enriched_count,
        dead_count,
        tuple(lost),
        duplicates,
        tuple(conflicting),
        tuple(misrouted),
        unexpected,
        tuple(sorted(codes.items())),
    )


def uncommitted(bootstrap: str, group_id: str, topics: Iterable[str]) -> dict[str, int]:
    """Per "topic:partition", the records the consumer group has not committed yet (all of a
    partition it never committed). All zero: every record was processed and acknowledged."""
    from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    try:
        committed = admin.list_group_offsets(group_id)[group_id]
        tps = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()]
        ends = consumer.end_offsets(tps) if tps else {}
        return {
            f"{tp.topic}:{tp.partition}": max(
                end - (committed[tp].offset if tp in committed else 0), 0
            )
            for tp, end in ends.items()
        }
    finally:
        consumer.close()
        admin.close()


class OutputCounter:
    """Counts the records on the output topics with one long-lived client; None while the
    broker cannot answer."""

    def __init__(self, bootstrap: str, topics: Sequence[str]) -> None:
        from kafka import KafkaConsumer

        self.topics = tuple(topics)
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            request_timeout_ms=3000,
            reconnect_backoff_max_ms=1000,
        )

    def count(self) -> int | None:
        from kafka import TopicPartition
        from kafka.errors import KafkaError

        try:
            tps = [
                TopicPartition(t, p)
                for t in self.topics
                for p in self.consumer.partitions_for_topic(t) or ()
            ]
            return sum(self.consumer.end_offsets(tps).values()) if tps else 0
        except (KafkaError, OSError):
            return None

    def close(self) -> None:
        self.consumer.close()
