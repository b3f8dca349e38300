"""Benchmark input: invented but realistic agency copy, from a 50-word flash to a 2,000-word
feature, built from templates and vocabularies and deterministic by seed (story i is the same
whatever the corpus size). MEANTIME articles can stand in when ../shared has them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import orjson

DEFAULT_WORDS = 400
MIN_WORDS, MAX_WORDS = 50, 2000
# (share, low, high): flashes, standard stories, long reads, features
SIZE_MIX = ((0.15, 50, 90), (0.60, 300, 500), (0.20, 700, 1000), (0.05, 1500, 2000))
MEANTIME_ROOT = Path(__file__).resolve().parents[2] / "shared" / "data" / "meantime"

PLACES = (
    ("LISBON", "Portugal", "Portuguese"),
    ("NAIROBI", "Kenya", "Kenyan"),
    ("OSLO", "Norway", "Norwegian"),
    ("SANTIAGO", "Chile", "Chilean"),
    ("HANOI", "Vietnam", "Vietnamese"),
    ("ACCRA", "Ghana", "Ghanaian"),
    ("WARSAW", "Poland", "Polish"),
    ("MANILA", "the Philippines", "Philippine"),
    ("OTTAWA", "Canada", "Canadian"),
    ("CAIRO", "Egypt", "Egyptian"),
    ("BOGOTA", "Colombia", "Colombian"),
    ("HELSINKI", "Finland", "Finnish"),
)
GIVEN = (
    "Marta",
    "Tomasz",
    "Ines",
    "Kwame",
    "Linh",
    "Henrik",
    "Camila",
    "Amara",
    "Pieter",
    "Sofia",
    "Rafael",
    "Noor",
    "Daniel",
    "Yuki",
    "Farid",
    "Elena",
    "Joseph",
    "Aino",
)
FAMILY = (
    "Okafor",
    "Lindqvist",
    "Barros",
    "Mensah",
    "Tran",
    "Kowalczyk",
    "Herrera",
    "Achieng",
    "Virtanen",
    "Haddad",
    "Duarte",
    "Rasmussen",
    "Oyelaran",
    "Castellanos",
    "Novak",
)
COMPANIES = (
    "Nordhaven Shipping",
    "Meridian Telecom",
    "Alcora Mining",
    "Velde Energy",
    "Sunbright Foods",
    "Corvant Airlines",
    "Tessaro Bank",
    "Kestrel Motors",
)
BODIES = (
    "the central bank",
    "the International Monetary Fund",
    "the World Bank",
    "the European Commission",
    "the African Union",
    "the United Nations",
    "the statistics office",
    "the transport ministry",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WHEN = (
    "on {day}",
    "late on {day}",
    "last week",
    "earlier this month",
    "on {month} {date}",
    "in {month}",
    "by the end of {month}",
    "next year",
    "in {year}",
    "two days ago",
)

# topic -> (headline, roles of its people, lead, background); GENERAL sentences fit any story
TOPICS: dict[str, tuple[str, tuple[str, ...], str, tuple[str, ...]]] = {
    "economy": (
        "{country} cuts growth forecast as exports slide",
        ("finance minister", "central bank governor", "chief economist at Tessaro Bank"),
        "{country_s} {role} {person} said {when} the government would cut its growth forecast "
        "to {pct} percent after exports fell for a {nth} straight month.",
        (
            "Inflation stood at {pct} percent in {month}, according to {body}.",
            "The {adj} currency weakened to its lowest level against the dollar since {year}.",
            "The government now expects the economy to grow by {pct} percent next year, down "
            "from an earlier estimate.",
            "Analysts said the figures pointed to a slowdown in consumer spending, which accounts "
            "for more than half of economic output.",
            "{body} has warned that higher borrowing costs could slow investment in the region.",
            "Exports of copper and fruit, the country's main earners, fell {pct} percent in "
            "{month} from a year earlier.",
        ),
    ),
    "business": (
        "{company} to cut {n} jobs, close two plants",
        ("chief executive", "spokeswoman for the company", "union president"),
        "{company} said {when} it would cut {n} jobs and close two plants in {country}, "
        "blaming weak demand and higher energy costs.",
        (
            "{company} shares fell {pct} percent in early trading on {day} before recovering.",
            "{company}, which employs about {n} people in {country}, reported a quarterly loss "
            "{when}.",
            "The company said the closures would save about {pct} million euros a month.",
            "Unions said they had not been consulted and called a meeting for {day}.",
            "Rivals have also cut capacity after a surge in cheaper imports last year.",
            "The board is due to present a new strategy to investors in {month}.",
        ),
    ),
    "disaster": (
        "Floods force thousands from homes near {city_title}",
        ("mayor", "interior minister", "head of the civil protection agency"),
        "Flooding after days of heavy rain forced {n} people from their homes near "
        "{city_title} {when}, officials said, as rivers rose to their highest since {year}.",
        (
            "About {n} people were still without power {when}, the grid operator said.",
            "Rescue teams in boats reached villages cut off by the water, while the army "
            "delivered food and drinking water by helicopter.",
            "The weather service forecast more rain for {day} and warned of landslides in the "
            "hills north of the city.",
            "The ministry said it would publish a full assessment of the damage by the end of "
            "{month}.",
            "Schools in the worst-hit districts will stay closed until {day}, the mayor said.",
            "Insurers estimated the damage at about {n} million dollars.",
        ),
    ),
    "labour": (
        "Port strike halts container traffic in {city_title}",
        ("union president", "port authority director", "labour minister"),
        "Workers at the port of {city_title} began a {nhours}-hour strike {when}, halting "
        "container traffic in a dispute over pay and shift patterns.",
        (
            "Talks between the two sides broke down {when} after negotiators failed to agree "
            "on a timetable for the next round.",
            "More than {ships} ships were waiting to unload outside the harbour on {day}.",
            "The union wants a {pct} percent pay rise and an end to twelve-hour night shifts.",
            "Exporters said the stoppage was costing them about {n} thousand dollars a day.",
            "The port handles roughly a third of the country's foreign trade.",
            "The labour ministry offered to mediate and invited both sides to talks on {day}.",
        ),
    ),
    "politics": (
        "{country} parliament passes budget in narrow vote",
        ("finance minister", "opposition leader", "speaker of parliament"),
        "{country_s} parliament approved a budget {when} that raises spending on schools and "
        "hospitals, handing the governing coalition a narrow victory.",
        (
            "Opposition lawmakers walked out of the chamber before the vote, accusing the "
            "government of ignoring rising living costs.",
            "The bill passed by {seats} votes to {seats_against} after a debate that lasted "
            "into the night.",
            "The coalition has governed with a majority of two seats since the election in {year}.",
            "The budget also freezes fuel duty and raises the minimum pension by {pct} percent.",
            "Ratings agencies have said they will review the country's debt outlook in {month}.",
            "The president is expected to sign the law {when}.",
        ),
    ),
}
GENERAL = (
    "{person} is due to meet officials from {body} in {city_title} on {day}.",
    "The figures were published {when}, a day later than planned.",
    "Local media reported that the government had prepared an emergency plan in {month}.",
    "Similar measures were tried in {year} with mixed results, economists said.",
)
QUOTES = (
    "We are not going to raise taxes on working families to pay for this",
    "The numbers are disappointing, but they are not a crisis",
    "Our members have waited long enough and they want an answer now",
    "This decision was difficult, and we did not take it lightly",
    "The water came up so fast that we had no time to take anything with us",
    "We expect the second half of the year to be stronger than the first",
    "Nobody should be surprised by these figures, the warning signs were there for months",
    "We remain open to dialogue, but not under these conditions",
    "It is too early to say how long the repairs will take",
    "Every week of delay costs the economy money we do not have",
    "I have worked here for twenty years and I have never seen anything like it",
    "We will look at every option before we make a final decision",
)
QUOTE_FORMS = (
    "\u201c{quote},\u201d {person}, the {role}, told reporters {when}.",
    "\u201c{quote},\u201d {surname} said.",
    "{person}, the {role}, said: \u201c{quote}.\u201d",
    "\u201c{quote},\u201d said {person}, who has held the post since {year}.",
    "{surname} told a news conference in {city_title}: \u201c{quote}.\u201d",
)
SHORT = (
    "Talks resume on {day}.",
    "More details were not immediately available.",
    "The ministry declined to comment.",
    "{company} did not respond.",
    "Officials gave no figure.",
    "Both sides meet again on {day}.",
)


@dataclass(frozen=True, slots=True)
class WireStory:
    """One benchmark story: its id, its wire bytes, and its body's word count."""

    story_id: str
    data: bytes
    words: int


def generate_story(
    index: int, *, words: int = DEFAULT_WORDS, seed: int = 0, fmt: str = "text"
) -> WireStory:
    """Story `index` of the corpus `seed`: a body of `words` words (+-10%, at least +-6), in the
    plain-text wire format (`fmt="text"`) or wirestream's JSON form (`fmt="json"`)."""
    if not MIN_WORDS <= words <= MAX_WORDS:
        raise ValueError(f"words must be between {MIN_WORDS} and {MAX_WORDS}, got {words}")
    if fmt not in ("text", "json"):
        raise ValueError(f"fmt must be 'text' or 'json', got {fmt!r}")
    rng = random.Random(f"wirestream-bench:{seed}:{index}")
    topic = rng.choice(sorted(TOPICS))
    headline_template, roles, lead_template, background = TOPICS[topic]
    slots = _cast(rng, roles)
    story_id = f"urn:wirestream:bench:{seed}:{index}"
    lead = f"{slots['city']}, {slots['month']} {slots['date']} (Wirestream) - " + _fill(
        lead_template, rng, slots
    )
    signoff = f"(Reporting by {_name(rng)}; Editing by {_name(rng)})"
    budget = _Budget(words, len(lead.split()) + len(signoff.split()))
    decks = (_Deck(QUOTE_FORMS, rng), _Deck(background + GENERAL, rng), _Deck(SHORT, rng))
    paragraphs, introduced = [lead], {""} if "{person}" in lead_template else set()
    while not budget.done():
        paragraphs.append(_paragraph(rng, slots, budget, introduced, *decks))
    body = "\n\n".join([*paragraphs, signoff])
    headline = _fill(headline_template, rng, slots)
    date = f"2026-{MONTHS.index(slots['month']) + 1:02d}-{int(slots['date']):02d}"
    if fmt == "json":
        data = orjson.dumps(
            {
                "id": story_id,
                "headline": headline,
                "published": date,
                "language": "en",
                "subjects": [topic],
                "body": body,
            }
        )
    else:
        header = (
            f"date {date}\nid {story_id}\nversion 1\nheadline {headline}\n"
            f"language en\nsubject {topic}"
        )
        data = f"{header}\n\n{body}\n".encode()
    return WireStory(story_id, data, len(body.split()))


def generate_corpus(
    count: int,
    *,
    words: int | None = DEFAULT_WORDS,
    seed: int = 0,
    fmt: str = "text",
    start: int = 0,
) -> list[WireStory]:
    """`count` stories; `words=None` draws each size from SIZE_MIX (flash to feature)."""
    stories = []
    for index in range(start, start + count):
        size = words if words is not None else _mixed_size(index, seed)
        stories.append(generate_story(index, words=size, seed=seed, fmt=fmt))
    return stories


def meantime_corpus(count: int, *, start: int = 0, root: Path = MEANTIME_ROOT) -> list[WireStory]:
    """`count` MEANTIME articles as plain-text wire stories (cycled, each copy with its own
    id). Raises FileNotFoundError when the corpus or the bench.meantime reader is absent."""
    try:
        from bench.meantime import load_corpus
    except ImportError as exc:
        raise FileNotFoundError("bench.meantime (the MEANTIME reader) is not installed") from exc
    docs = load_corpus(root)
    if not docs:
        raise FileNotFoundError(f"no MEANTIME article under {root}")
    stories = []
    for index in range(start, start + count):
        doc = docs[index % len(docs)]
        story_id = f"urn:wirestream:bench:meantime:{doc.doc_id}:{index // len(docs)}"
        header = f"date {doc.dct[:10]}\nid {story_id}\n" if doc.dct else f"id {story_id}\n"
        stories.append(
            WireStory(story_id, f"{header}\n{doc.text}\n".encode(), len(doc.text.split()))
        )
    return stories


class _Budget:
    """Word accounting: reach the target, never overshoot the tolerance."""

    def __init__(self, target: int, used: int) -> None:
        self.target, self.high, self.used = target, target + max(6, target // 10), used

    def fits(self, sentence: str) -> bool:
        return self.used + len(sentence.split()) <= self.high

    def take(self, sentence: str) -> str:
        self.used += len(sentence.split())
        return sentence

    def done(self) -> bool:
        return self.used >= self.target - 3


class _Deck:
    """Templates dealt without repetition until the deck runs out, then reshuffled."""

    def __init__(self, cards: tuple[str, ...], rng: random.Random) -> None:
        self.cards, self.rng, self.left = cards, rng, list[str]()

    def deal(self) -> str:
        if not self.left:
            self.left = list(self.cards)
            self.rng.shuffle(self.left)
        return self.left.pop()


def _paragraph(
    rng: random.Random,
    slots: dict[str, str],
    budget: _Budget,
    introduced: set[str],
    quotes: _Deck,
    background: _Deck,
    short: _Deck,
) -> str:
    """A quote paragraph (one sentence) or background (one to three), cut to the budget."""
    is_quote = rng.random() < 0.35
    sentences: list[str] = []
    for _ in range(1 if is_quote else rng.randint(1, 3)):
        if budget.done():
            break
        speaker = rng.choice(("", "2"))  # two people speak in each story
        extra = {key: slots[key + speaker] for key in ("person", "surname", "role")}
        template = (quotes if is_quote else background).deal()
        while "{surname}" in template and speaker not in introduced:  # full name comes first
            template = quotes.deal()
        if "{person}" in template:
            introduced.add(speaker)
        sentence = _fill(template, rng, {**slots, **extra})
        if not budget.fits(sentence):
            sentence = _fill(short.deal(), rng, slots)
        if budget.fits(sentence):
            sentences.append(budget.take(sentence))
    if not sentences:  # near the end nothing else fits; this always does
        sentences.append(budget.take("No change."))
    return " ".join(sentences)


def _cast(rng: random.Random, roles: tuple[str, ...]) -> dict[str, str]:
    """Where the story happens and who is in it, fixed for the whole story."""
    city, country, adj = rng.choice(PLACES)
    (given, given2), (family, family2) = rng.sample(GIVEN, 2), rng.sample(FAMILY, 2)
    return {
        "city": city,
        "city_title": city.title(),
        "country": country,
        "adj": adj,
        "country_s": country + ("'" if country.endswith("s") else "'s"),
        "person": f"{given} {family}",
        "surname": family,
        "role": roles[0],
        "person2": f"{given2} {family2}",
        "surname2": family2,
        "role2": rng.choice(roles[1:]),
        "company": rng.choice(COMPANIES),
        "month": rng.choice(MONTHS),
        "date": str(rng.randint(1, 28)),
    }


def _fill(template: str, rng: random.Random, slots: dict[str, str]) -> str:
    when = rng.choice(WHEN).format(
        day=rng.choice(DAYS),
        month=rng.choice(MONTHS),
        date=rng.randint(1, 28),
        year=rng.randint(2015, 2026),
    )
    seats = rng.randint(120, 200)
    text = template.format(
        **slots,
        when=when,
        day=rng.choice(DAYS),
        body=rng.choice(BODIES),
        quote=rng.choice(QUOTES),
        n=f"{rng.randint(2, 95) * 100:,}",
        pct=f"{rng.randint(1, 9)}.{rng.randint(0, 9)}",
        year=rng.randint(2008, 2025),
        nth=rng.choice(("third", "fourth", "fifth", "sixth")),
        nhours=rng.choice((24, 48, 72)),
        ships=rng.randint(12, 60),
        seats=seats,
        seats_against=seats - rng.randint(1, 9),
    )
    return text[0].upper() + text[1:]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"


def _mixed_size(index: int, seed: int) -> int:
    rng = random.Random(f"wirestream-bench-size:{seed}:{index}")
    pick, total = rng.random(), 0.0
    for share, low, high in SIZE_MIX:
        total += share
        if pick < total:
            return rng.randint(low, high)
    return DEFAULT_WORDS
