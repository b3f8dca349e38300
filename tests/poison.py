"""Hostile raw-topic messages for the fuzz and poison tests, and valid stories to mix in.

Every way a message can be broken that we know of (bad encodings, truncated or nested JSON,
wrong types, XML bombs and external entities, huge headers, control characters, quote marks
everywhere...), deterministic per seed. `expect` says offline what the worker must do with one.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from pipeline.enrich import Enricher, RawInput
from pipeline.errors import Failure
from pipeline.lifecycle import Decision, decide
from pipeline.testing import FakeLanguageModel

FORMATS = ("text", "json", "ninjs1", "ninjs2", "ninjs3", "nitf", "newsml")
QUOTE_MARKS = "\"'“”‘’„‚«»‹›`´″"
HINT_HEADER = "wirestream-format"


@dataclass(frozen=True)
class Message:
    """One message for the raw topic: what was done to it, its bytes and a format hint."""

    kind: str
    data: bytes
    hint: str | None = None
    intended: str | None = None  # the error code the kind is built to raise, when it is certain

    @property
    def headers(self) -> list[tuple[str, bytes]]:
        return [(HINT_HEADER, self.hint.encode())] if self.hint else []


@dataclass(frozen=True)
class Expected:
    """What the worker must do with a message: dead-letter it with `code`, or enrich it."""

    code: str | None
    story_id: str | None = None
    decision: Decision | None = None

    @property
    def good(self) -> bool:
        return self.code is None


# ---------------------------------------------------------------- valid stories, every format

_PLACES = (
    ("GDANSK", "Gdansk", "Poland"),
    ("PORTO", "Porto", "Portugal"),
    ("MOMBASA", "Mombasa", "Kenya"),
    ("TROMSO", "Tromso", "Norway"),
    ("ADELAIDE", "Adelaide", "Australia"),
    ("VALENCIA", "Valencia", "Spain"),
    ("HALIFAX", "Halifax", "Canada"),
    ("CEBU", "Cebu", "Philippines"),
)
_PEOPLE = (
    "Marta Zielinska",
    "Rui Bettencourt",
    "Wanjiru Kamau",
    "Eirik Solberg",
    "Callum Fraser",
    "Lucia Ortega",
    "Nadia Haddad",
    "Tobias Brandt",
)
_ORGS = (
    "Northgate Shipping",
    "Helder Cement",
    "Coral Rail",
    "Fjord Salmon Group",
    "Southern Cross Grain",
    "Azahar Energy",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_LEADS = (
    "{CITY} (Wirestream) - Dock workers at the port of {city} walked out on {day} over a pay "
    "offer they called an insult, halting container traffic for the second time this month, "
    "union officials said.",
    "{CITY} (Wirestream) - {org} cut its full-year profit forecast on {day}, blaming higher "
    "energy costs and weaker orders from customers in {country}.",
    "{CITY} (Wirestream) - Firefighters brought a blaze at a warehouse on the edge of {city} "
    "under control early on {day} after more than {n} hours, the regional fire service said.",
    "{CITY} (Wirestream) - Lawmakers in {country} approved a bill on {day} that would raise "
    "the retirement age by two years from 2028, ending months of street protests.",
)
_FOLLOWS = (
    "\u201cWe will not accept a deal that leaves our members worse off than last year,\u201d "
    "said {person}, who leads the workers' committee.",
    "{person}, the chief executive of {org}, told reporters that conditions should improve in "
    "the second half of the year.",
    "Repairs had been due to finish in March but were delayed by {n} weeks, {person} said.",
    "\u201cIt was like a wall of smoke coming down the street,\u201d one resident told Wirestream.",
    "Shares in {org} fell {n}.{m} percent by midday, their lowest since last October.",
    "Talks are scheduled to resume next Tuesday, according to a ministry statement.",
    "Police said {n} people had been detained and that one road into the centre would stay "
    "closed until {day} evening.",
)


@dataclass(frozen=True)
class Copy:
    """The editorial content of one valid story, before it is put in a wire format."""

    story_id: str
    headline: str
    body: str
    byline: str
    dateline: str
    published: str

    @property
    def paragraphs(self) -> list[str]:
        return self.body.split("\n\n")


def copy(index: int, tag: str = "good") -> Copy:
    """Invented agency copy: three or four paragraphs, unique per index."""
    rnd = random.Random(index)
    caps, city, country = _PLACES[index % len(_PLACES)]
    slots = {
        "CITY": caps,
        "city": city,
        "country": country,
        "day": rnd.choice(_WEEKDAYS),
        "person": rnd.choice(_PEOPLE),
        "org": rnd.choice(_ORGS),
        "n": 3 + index % 40,
        "m": index % 10,
    }
    lead = _LEADS[index % len(_LEADS)].format(**slots)
    follows = rnd.sample(_FOLLOWS, 2 + index % 2)
    body = "\n\n".join([lead, *(f.format(**slots) for f in follows)])
    return Copy(
        story_id=f"urn:wirestream:{tag}:{index}",
        headline=f"{city}: {lead.split(' - ', 1)[1][:70].rsplit(' ', 1)[0]}",
        body=body,
        byline=f"By {slots['person']}",
        dateline=f"{caps}, March {1 + index % 28}",
        published=f"2026-03-{1 + index % 28:02d}T{8 + index % 10:02d}:15:00Z",
    )


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def render(c: Copy, fmt: str) -> bytes:
    """`c` in one wire format: text, json, ninjs1/2/3, nitf or newsml."""
    if fmt == "text":
        return (
            f"date {c.published}\nid {c.story_id}\nversion 1\nheadline {c.headline}\n"
            f"byline {c.byline}\n\n{c.body}\n"
        ).encode()
    if fmt == "json":
        return json.dumps(
            {
                "id": c.story_id,
                "version": 1,
                "headline": c.headline,
                "body": c.body,
                "published": c.published,
                "language": "en",
                "subjects": ["labour", "economy"],
            }
        ).encode()
    if fmt == "ninjs1":
        return json.dumps(
            {
                "uri": c.story_id,
                "type": "text",
                "version": "1",
                "versioncreated": c.published,
                "pubstatus": "usable",
                "language": "en",
                "headline": c.headline,
                "byline": c.byline,
                "located": c.dateline,
                "subject": [{"name": "labour"}],
                "body_text": c.body,
            }
        ).encode()
    if fmt == "ninjs2":
        html = "".join(f"<p>{_esc(p)}</p>" for p in c.paragraphs)
        return json.dumps(
            {
                "uri": c.story_id,
                "type": "text",
                "version": "1",
                "versioncreated": c.published,
                "pubstatus": "usable",
                "language": "en",
                "standard": {"name": "ninjs", "version": "2.1"},
                "headlines": [{"role": "main", "value": c.headline}],
                "by": c.byline,
                "subjects": [{"name": "labour"}],
                "bodies": [{"role": "main", "contenttype": "text/html", "value": html}],
            }
        ).encode()
    if fmt == "ninjs3":
        return json.dumps(
            {
                "uri": c.story_id,
                "type": "text",
                "version": "1",
                "versionCreated": c.published,
                "pubStatus": "usable",
                "language": "en-GB",
                "standard": {"name": "ninjs", "version": "3.0"},
                "headlines": [{"role": "main", "value": c.headline}],
                "by": c.byline,
                "bodies": [{"role": "text", "contentType": "text/plain", "value": c.body}],
            }
        ).encode()
    paragraphs = "".join(f"<p>{_esc(p)}</p>" for p in c.paragraphs)
    if fmt == "nitf":
        norm = c.published.replace("-", "").replace(":", "")
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<nitf><head><title>'
            f'{_esc(c.headline)}</title><docdata><doc-id id-string="{_esc(c.story_id)}"/>'
            f'<du-key version="1"/><date.issue norm="{norm}"/></docdata></head><body>'
            f"<body.head><hedline><hl1>{_esc(c.headline)}</hl1></hedline><byline>"
            f"{_esc(c.byline)}</byline></body.head><body.content>{paragraphs}</body.content>"
            "</body></nitf>"
        ).encode()
    if fmt == "newsml":
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" '
            f'guid="{_esc(c.story_id)}" version="1" standard="NewsML-G2" '
            'standardversion="2.33"><itemMeta><itemClass qcode="ninat:text"/>'
            f'<versionCreated>{c.published}</versionCreated><pubStatus qcode="stat:usable"/>'
            f'</itemMeta><contentMeta><language tag="en"/><headline>{_esc(c.headline)}'
            "</headline></contentMeta><contentSet><inlineXML "
            'contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml">'
            f"<body>{paragraphs}</body></html></inlineXML></contentSet></newsItem>"
        ).encode()
    raise ValueError(f"unknown format {fmt!r}")


def valid_stories(count: int, tag: str = "good") -> list[Message]:
    """`count` valid stories, the formats in turn, each with its own id."""
    return [
        Message(f"valid_{FORMATS[i % len(FORMATS)]}", render(copy(i, tag), FORMATS[i % 7]))
        for i in range(count)
    ]


# ---------------------------------------------------------------- hostile messages

Maker = Callable[[random.Random, int], Message]
_INVALID_UTF8 = (
    b"\xff",
    b"\xfe",
    b"\xc0\xaf",
    b"\xe0\x80\xaf",
    b"\xed\xa0\x80",
    b"\xe2\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\x80",
    b"\xc3",
    b"\xf4\x90\x80\x80",
)
# What normalisation strips: C0 and C1 controls (not newline or tab), zero-width space, BOM,
# line and paragraph separators. Bidi and other format characters are text to it.
_CONTROLS = "".join(map(chr, [*range(0, 9), *range(11, 32), 0x7F, *range(0x80, 0xA0)]))
_CONTROLS += "\u200b\u2028\u2029\ufeff"
# C1 controls are left out where nothing may survive: mojibake repair reads them as cp1252.
_C0 = "".join(ch for ch in _CONTROLS if not "\x80" <= ch <= "\x9f")
_INVISIBLE = _CONTROLS + "\u200e\u202e\u2066\u2069\ufffe\u00ad"
_WRONG_VALUES: tuple[object, ...] = (
    None,
    True,
    0,
    -1,
    2**63 - 1,
    1.5,
    "",
    " ",
    "\u0000",
    [],
    {},
    [None],
    [1, 2],
    {"a": 1},
    "x" * 5000,
    [{"value": 7}],
    {"value": None},
    "\u201c\u201d",
    "<p>",
    "9" * 40,
)


def _story(rnd: random.Random, index: int, fmt: str | None = None) -> tuple[str, bytes]:
    fmt = fmt or rnd.choice(FORMATS)
    return fmt, render(copy(index, "bad"), fmt)


def _unique(index: int) -> str:
    return f"urn:wirestream:bad:{index}"


def invalid_utf8(rnd: random.Random, i: int) -> Message:
    _, data = _story(rnd, i)
    at = rnd.randrange(len(data))
    return Message(
        "invalid_utf8",
        data[:at] + rnd.choice(_INVALID_UTF8) + data[at:],
        intended="invalid_encoding",
    )


def legacy_encoding(rnd: random.Random, i: int) -> Message:
    text = copy(i, "bad").body + " Ärger über Öl in São Paulo."
    codec = rnd.choice(("latin-1", "cp1252", "utf-16", "utf-32"))
    return Message(f"encoding_{codec}", text.encode(codec, "replace"), intended="invalid_encoding")


def nul_bytes(rnd: random.Random, i: int) -> Message:
    _, data = _story(rnd, i)
    at = rnd.randrange(len(data))
    return Message("nul_byte", data[:at] + b"\x00" + data[at:], intended="invalid_encoding")


def binary_garbage(rnd: random.Random, i: int) -> Message:
    head = rnd.choice((b"", b"\x1f\x8b\x08\x00", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"\xff\xd8"))
    data = head + rnd.randbytes(rnd.randint(16, 4096)) + b"\x00"
    return Message("binary", data, intended="invalid_encoding")


def empty(rnd: random.Random, i: int) -> Message:
    data = rnd.choice((b"", b" ", b"\n\n\r\n\t", b"\xef\xbb\xbf", b"\xef\xbb\xbf \r\n", b"\t" * 99))
    return Message("empty", data, intended="invalid_story")


def headers_only(rnd: random.Random, i: int) -> Message:
    tail = rnd.choice(("", " ", "\n\n\n", "\t\n"))
    return Message(
        "headers_no_body",
        f"date 2026-03-02\nid {_unique(i)}\nversion 2\n\n{tail}".encode(),
        intended="missing_body",
    )


def control_only(rnd: random.Random, i: int) -> Message:
    junk = "".join(rnd.choice(_C0) for _ in range(rnd.randint(1, 400)))
    body = rnd.choice(("", " ")) + junk
    data = json.dumps({"id": _unique(i), "body": body}).encode()
    return Message("control_only_body", data, intended="missing_body")


def control_sprinkled(rnd: random.Random, i: int) -> Message:
    """Valid copy with control characters inside words: a readable story once normalised."""
    text = render(copy(i, "bad"), "text").decode()
    out = [ch + (rnd.choice(_INVISIBLE[1:]) if rnd.random() < 0.05 else "") for ch in text]
    return Message("control_sprinkled", "".join(out).encode())


def bad_header(rnd: random.Random, i: int) -> Message:
    key, value = rnd.choice(
        (
            ("version", "\u00b2"),
            ("version", "-1"),
            ("version", "0"),
            ("version", "1e3"),
            ("version", "9" * 30),
            ("version", "two"),
            ("version", "\u201c2\u201d"),
            ("pubstatus", "published"),
            ("pubstatus", "USABLE\u201d"),
            ("date", "2026-13-45"),
            ("date", "2026-03-02T10:00:00+99:00"),
            ("date", "0001-01-01T00:00:00+05:00"),
            ("date", "9999-12-31T23:00:00-05:00"),
            ("date", "3" * 70),
            ("date", "yesterday-ish"),
        )
    )
    code = "invalid_date" if key == "date" else "invalid_story"
    data = f"id {_unique(i)}\n{key} {value}\n\n{copy(i, 'bad').body}\n"
    return Message(f"bad_{key}", data.encode(), intended=code)


def huge_header(rnd: random.Random, i: int) -> Message:
    """A header line of 30-200 KB: an over-long version is refused, a long headline is not
    (the accepted ones stay small enough for the worker's 1 MB internal messages)."""
    size = rnd.randint(30_000, 60_000)
    key, value = rnd.choice(
        (
            ("version", "7" * size * 3),
            ("headline", "Strike " * (size // 7)),
            ("headline", "a" + " \t" * (size // 2) + "b"),
            ("subject", "\u201c" * (size // 3)),
        )
    )
    data = f"id {_unique(i)}\n{key} {value}\n\n{copy(i, 'bad').body}\n"
    return Message(
        f"huge_header_{key}", data.encode(), intended="invalid_story" if key == "version" else None
    )


def many_headers(rnd: random.Random, i: int) -> Message:
    lines = "".join(f"subject topic {n}\n" for n in range(rnd.randint(1000, 3000)))
    return Message("many_headers", f"id {_unique(i)}\n{lines}\n{copy(i, 'bad').body}".encode())


def truncated(rnd: random.Random, i: int) -> Message:
    fmt = rnd.choice(("json", "ninjs1", "ninjs2", "ninjs3", "nitf", "newsml"))
    data = render(copy(i, "bad"), fmt)
    cut = rnd.randint(1, len(data) - 2)
    code = "invalid_xml" if fmt in ("nitf", "newsml") else "invalid_json"
    return Message(f"truncated_{fmt}", data[:cut], intended=code)


def deep_json(rnd: random.Random, i: int) -> Message:
    depth = rnd.choice((65, 500, 1025, 10_000, 200_000))
    opener, closer = rnd.choice((("[", "]"), ('{"a":', "}")))
    nested = opener * depth + "1" + closer * depth
    where = rnd.choice(("top", "body", "subjects"))
    text = nested if where == "top" else f'{{"id": "{_unique(i)}", "{where}": {nested}}}'
    if where == "top" and opener == "[":
        text = f'{{"body": "x", "extra": {nested}}}'
    return Message(f"deep_json_{depth}", text.encode(), intended="invalid_json")


def wide_json(rnd: random.Random, i: int) -> Message:
    n = rnd.choice((30_000, 100_000, 300_000))
    items = ",".join(rnd.choice(('"a"', "1", "{}", "null")) for _ in range(n))
    key = rnd.choice(("subjects", "signals", "extra"))
    return Message(
        "wide_json", f'{{"body": "A story.", "{key}": [{items}]}}'.encode(), intended="invalid_json"
    )


def huge_refusal(rnd: random.Random, i: int) -> Message:
    """A value the refusal would quote back: at 700 KB its dead letter would not fit in Kafka's
    1 MB messages unless the message is cut short."""
    value = rnd.choice(("x", "\u201c", "7a")) * (rnd.choice((20_000, 700_000)) // 2)
    tag = value.replace("\u201c", "q")
    data, code = rnd.choice(
        (
            (f'{{"body": "A story.", "version": "{value}"}}', "invalid_json"),
            (f'{{"uri": "u", "type": "{value}"}}', "invalid_ninjs"),
            (f"pubstatus {value}\n\nA story.", "invalid_story"),
            (f"<{tag}/>", "unsupported_format"),
            (
                f'<newsItem><itemMeta><itemClass qcode="{value}"/></itemMeta></newsItem>',
                "unsupported_format",
            ),
        )
    )
    return Message("huge_refusal", data.encode(), intended=code)


def _json_paths(value: object, path: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _json_paths(child, (*path, key))
    elif isinstance(value, list):
        for n, child in enumerate(value):
            yield from _json_paths(child, (*path, n))


def set_path(doc: object, path: tuple[object, ...], value: object) -> object:
    """A copy of `doc` with the value at `path` replaced (the root itself when path is ())."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {**doc, head: set_path(doc[head], rest, value)}
    assert isinstance(doc, list) and isinstance(head, int)
    return [set_path(child, rest, value) if n == head else child for n, child in enumerate(doc)]


def wrong_type(rnd: random.Random, i: int) -> Message:
    fmt = rnd.choice(("json", "ninjs1", "ninjs2", "ninjs3"))
    doc = json.loads(render(copy(i, "bad"), fmt))
    doc["id" if fmt == "json" else "uri"] = _unique(i)
    path = rnd.choice([p for p in _json_paths(doc) if p])
    bad = set_path(doc, path, rnd.choice(_WRONG_VALUES))
    return Message(f"wrong_type_{fmt}", json.dumps(bad).encode())


def not_an_object(rnd: random.Random, i: int) -> Message:
    data = rnd.choice(
        (
            b"[]",
            b'["body"]',
            b'[{"body": "A story."}]',
            b"{}",
            b'{"body": null}',
            b'{"body": 5}',
        )
    )
    return Message("json_not_a_story", data, intended="invalid_json")


def json_oddities(rnd: random.Random, i: int) -> Message:
    data = rnd.choice(
        (
            b'{"body": "x", "version": 1e400}',
            b'{"body": "\\ud800 lone surrogate"}',
            b'{"body": "x",}',
            b"{'body': 'single quotes'}",
            b'{"body": "x"} trailing',
            b'{"body": "x", "version": NaN}',
            b'{"body": "tab\there"}',
            b"\xef\xbb\xbf{",
            b'{"body": "' + b"\\" * 9 + b'"}',
        )
    )
    return Message("json_oddity", data)


def ninjs_non_text(rnd: random.Random, i: int) -> Message:
    doc = {
        "uri": _unique(i),
        "type": rnd.choice(("picture", "video", "audio", "graphic")),
        "headline": "Harbour at dawn",
    }
    if rnd.random() < 0.3:
        doc = {"uri": _unique(i), "eventDetails": {"dates": {}}, "body_text": "Agenda."}
    return Message("ninjs_non_text", json.dumps(doc).encode(), intended="unsupported_format")


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">{defs}]>'
    "<nitf><body><body.content><p>&lol{top};</p></body.content></body></nitf>"
)


def xml_bomb(rnd: random.Random, i: int) -> Message:
    levels = rnd.randint(2, 12)
    defs = "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, levels + 1)
    )
    if rnd.random() < 0.4:  # quadratic blowup: one big entity, referenced many times
        big = "A" * rnd.randint(10_000, 60_000)
        refs = "&big;" * rnd.randint(1000, 20_000)
        text = (
            f'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY big "{big}">]>'
            f"<nitf><body><body.content><p>{refs}</p></body.content></body></nitf>"
        )
        return Message("xml_quadratic_blowup", text.encode(), intended="unsafe_markup")
    return Message(
        "xml_billion_laughs",
        BILLION_LAUGHS.format(defs=defs, top=levels).encode(),
        intended="unsafe_markup",
    )


def external_entity(rnd: random.Random, i: int) -> Message:
    target = rnd.choice(
        (
            "file:///etc/passwd",
            "file:///proc/self/environ",
            "http://127.0.0.1:9/secret",
            "https://example.invalid/x.dtd",
        )
    )
    text = rnd.choice(
        (
            f'<!DOCTYPE nitf [<!ENTITY x SYSTEM "{target}">]><nitf><body><body.content><p>&x;</p>'
            "</body.content></body></nitf>",
            f'<!DOCTYPE nitf [<!ENTITY % p SYSTEM "{target}"> %p;]><nitf/>',
            f'<!DOCTYPE nitf PUBLIC "-//X//Y" "{target}" [<!ELEMENT nitf ANY>]><nitf/>',
            f'<!DOCTYPE newsItem [<!ENTITY x PUBLIC "-//X" "{target}">]><newsItem>&x;</newsItem>',
        )
    )
    return Message("xml_external_entity", text.encode(), intended="unsafe_markup")


def external_dtd(rnd: random.Random, i: int) -> Message:
    """A DOCTYPE naming an outside DTD without an internal subset: tolerated, never fetched."""
    data = (
        render(copy(i, "bad"), "nitf")
        .decode()
        .replace("<nitf>", '<!DOCTYPE nitf SYSTEM "http://127.0.0.1:9/nitf.dtd"><nitf>', 1)
    )
    return Message("xml_external_dtd", data.encode())


def xinclude(rnd: random.Random, i: int) -> Message:
    """XInclude is never processed: the include element is skipped, the copy stays."""
    data = (
        render(copy(i, "bad"), "nitf")
        .decode()
        .replace(
            "<body.content>",
            '<body.content><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
            'href="file:///etc/passwd" parse="text"/>',
            1,
        )
    )
    return Message("xml_xinclude", data.encode())


def malformed_xml(rnd: random.Random, i: int) -> Message:
    text = rnd.choice(
        (
            "<nitf><body><body.content><p>open</body.content></body></nitf>",
            "<nitf><body><body.content><p>nbsp&nbsp;here</p></body.content></body></nitf>",
            "<nitf><body><body.content><p>bad &#0; char</p></body.content></body></nitf>",
            "<nitf><body><body.content><p>bad \x01 char</p></body.content></body></nitf>",
            '<nitf a="1" a="2"><body/></nitf>',
            "<nitf><x:p>unbound prefix</x:p></nitf>",
            "<nitf></nitf><nitf></nitf>",
            "<?xml version='1.0' encoding='bogus'?><nitf/>",
            "<" + "a" * 50_000,
            "<nitf><!-- never closed",
            "<![CDATA[ outside ]]>",
        )
    )
    return Message("xml_malformed", text.encode("utf-8", "surrogatepass"))


def deep_xml(rnd: random.Random, i: int) -> Message:
    depth = rnd.choice((1000, 10_000, 30_000))
    tag = rnd.choice(("div", "p", "b", "x"))
    text = (
        f'<nitf><head><docdata><doc-id id-string="{_unique(i)}"/></docdata></head><body>'
        f"<body.content>{f'<{tag}>' * depth}Deep {i}{f'</{tag}>' * depth}</body.content>"
        "</body></nitf>"
    )
    return Message(f"xml_deep_{depth}", text.encode())


def wrong_root(rnd: random.Random, i: int) -> Message:
    text = rnd.choice(
        (
            "<html><body><p>Not a wire format.</p></body></html>",
            "<rss><channel><item><description>Feed item</description></item></channel></rss>",
            "<NewsML><NewsItem/></NewsML>",
            '<packageItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="p"/>',
            '<conceptItem xmlns="http://iptc.org/std/nar/2006-10-01/"/>',
            "<newsMessage><itemSet/></newsMessage>",
            '<newsItem><itemMeta><itemClass qcode="ninat:picture"/></itemMeta></newsItem>',
            "<newsItem><contentSet><remoteContent href='http://x.invalid/a'/></contentSet></newsItem>",
            "<newsItem><contentSet><inlineData contenttype='image/jpeg'>AAA</inlineData>"
            "</contentSet></newsItem>",
            "<nitf><body><body.content>   </body.content></body></nitf>",
        )
    )
    return Message("xml_no_story", text.encode())


def wrong_hint(rnd: random.Random, i: int) -> Message:
    fmt, data = _story(rnd, i)
    hint = rnd.choice(("nitf", "newsml", "json", "ninjs", "xml", "bogus", "TEXT", "\u00e9"))
    return Message(f"hint_{hint}_on_{fmt}", data, hint=hint)


def quote_storm(rnd: random.Random, i: int) -> Message:
    """Quote marks everywhere: between words, inside words, in headers, as the whole body."""
    fmt, _ = _story(rnd, i, rnd.choice(("text", "json", "nitf")))
    body = copy(i, "bad").body
    how = rnd.choice(("between", "inside", "only", "unbalanced"))
    if how == "between":
        body = " ".join(
            f"{rnd.choice(QUOTE_MARKS)}{w}{rnd.choice(QUOTE_MARKS)}" for w in body.split(" ")
        )
    elif how == "inside":
        body = "".join(c + (rnd.choice(QUOTE_MARKS) if rnd.random() < 0.2 else "") for c in body)
    elif how == "only":
        body = "".join(rnd.choice(QUOTE_MARKS) for _ in range(rnd.randint(1, 3000))) + f" {i}"
    else:
        body = "\u201c" * 50 + body + "\u201d" * 3 + '"' * 11
    c = replace(
        copy(i, "bad"),
        body=body,
        headline=f"{rnd.choice(QUOTE_MARKS)}Quoted{rnd.choice(QUOTE_MARKS)} {i}",
    )
    return Message(f"quote_storm_{how}", render(c, fmt))


def odd_dates(rnd: random.Random, i: int) -> Message:
    """Valid copy dated at the calendar's edges: time expressions must still resolve."""
    date = rnd.choice(("0001-01-01", "9999-12-31", "2024-02-29", "1900-03-01"))
    body = (
        "Officials said on Monday the port closed yesterday and would reopen tomorrow, "
        f"some 5000 years after the first harbour was built, and again next year. {i}"
    )
    data = f"date {date}\nid {_unique(i)}\n\n{body}\n"
    return Message("odd_dates", data.encode())


MAKERS: tuple[Maker, ...] = (
    invalid_utf8,
    legacy_encoding,
    nul_bytes,
    binary_garbage,
    empty,
    headers_only,
    control_only,
    control_sprinkled,
    bad_header,
    huge_header,
    many_headers,
    truncated,
    deep_json,
    wide_json,
    wrong_type,
    wrong_type,
    huge_refusal,
    not_an_object,
    json_oddities,
    ninjs_non_text,
    xml_bomb,
    external_entity,
    external_dtd,
    xinclude,
    malformed_xml,
    deep_xml,
    wrong_root,
    wrong_hint,
    quote_storm,
    quote_storm,
    odd_dates,
)


def hostile_messages(count: int, seed: int = 0) -> list[Message]:
    """`count` hostile messages, every kind in turn, no two alike."""
    rnd = random.Random(seed)
    out: list[Message] = []
    seen: set[bytes] = set()
    index = 0
    while len(out) < count:
        message = MAKERS[index % len(MAKERS)](rnd, 10_000 * (seed + 1) + index)
        index += 1
        if message.data not in seen:
            seen.add(message.data)
            out.append(message)
    return out


def huge_story(size: int) -> Message:
    """A text story of `size` bytes (over the worker's 5 MB limit when size is 10 MB)."""
    para = copy(0, "huge").body.encode() + b"\n\n"
    body = (para * (size // len(para) + 1))[: size - 40]
    return Message("huge_story", b"id urn:wirestream:huge\n\n" + body, intended="story_too_large")


# ---------------------------------------------------------------- what the worker must do

_ENRICHER = Enricher(FakeLanguageModel())


def expect(message: Message) -> Expected:
    """Offline verdict from the worker's own triage stages (parse, normalise, dates, dateline,
    language, with the default 5 MB limit) and the lifecycle decision for a new story."""
    now = datetime.now(UTC)
    result = _ENRICHER.prepare(RawInput(message.data, now, message.hint))
    if isinstance(result, Failure):
        return Expected(result.code)
    story, _ = result
    return Expected(None, story.story_id, decide(story, None, now))
