"""NITF and NewsML-G2 -> Story, XML routing by root element, and refusal of unsafe XML."""

from __future__ import annotations

import json
import time

import pytest

from pipeline.errors import MissingBody, UnsafeMarkup, UnsupportedFormat
from pipeline.formats import StoryTooLarge, parse_story
from pipeline.formats.xmlsafe import InvalidXml, element_paragraphs, html_paragraphs, load_xml
from tests.conftest import FIXTURES
from tests.unit.test_formats_ninjs import story_fields

FORMATS = FIXTURES / "formats"
G2 = 'xmlns="http://iptc.org/std/nar/2006-10-01/"'

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n<nitf><body><body.content><p>&lol9;</p></body.content></body></nitf>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE nitf [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    "<nitf><body><body.content><p>&xxe;</p></body.content></body></nitf>"
)
PARAMETER_ENTITY = (
    '<!DOCTYPE newsItem [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>'
    f"<newsItem {G2}/>"
)


def news_item(content: str, item_class: str = "ninat:text", extra_meta: str = "") -> bytes:
    return (
        f'<newsItem {G2} guid="urn:test:g2:1" version="2"><itemMeta>'
        f'<itemClass qcode="{item_class}"/><versionCreated>2024-01-05T10:00:00Z</versionCreated>'
        f"{extra_meta}</itemMeta><contentMeta><headline>Test item</headline></contentMeta>"
        f"<contentSet>{content}</contentSet></newsItem>"
    ).encode()


@pytest.mark.parametrize(("name", "suffix"), [("nitf_story", "xml"), ("newsml_xhtml", "xml")])
def test_fixture_maps_onto_the_expected_story(name: str, suffix: str) -> None:
    expected = json.loads((FORMATS / f"{name}.expected.json").read_text(encoding="utf-8"))
    assert story_fields(parse_story((FORMATS / f"{name}.{suffix}").read_bytes())) == expected


def test_nitf_media_captions_stay_out_of_the_body() -> None:
    story = parse_story((FORMATS / "nitf_story.xml").read_bytes())
    assert "Bahnsteige" not in story.body
    assert story.body.count("\n\n") == 2


def test_newsml_xhtml_head_title_stays_out_of_the_body() -> None:
    story = parse_story((FORMATS / "newsml_xhtml.xml").read_bytes())
    assert story.body.startswith("NAIROBI, Feb 2 (Wirestream) - Floodwater")
    assert "Floods cut main highway\n" not in story.body


@pytest.mark.parametrize(
    ("hint", "name", "source_format"),
    [
        (None, "nitf_story", "nitf"),
        ("nitf", "nitf_story", "nitf"),
        ("xml", "newsml_xhtml", "newsml"),
        ("newsml", "newsml_xhtml", "newsml"),
    ],
)
def test_xml_is_routed_by_root_element(hint: str | None, name: str, source_format: str) -> None:
    story = parse_story((FORMATS / f"{name}.xml").read_bytes(), format_hint=hint)
    assert story.source_format == source_format


def test_a_hint_that_contradicts_the_root_is_refused() -> None:
    with pytest.raises(UnsupportedFormat, match="root <nitf>"):
        parse_story((FORMATS / "nitf_story.xml").read_bytes(), format_hint="newsml")


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b'<NewsML Version="1.2"><NewsItem/></NewsML>', "NewsML 1.x"),
        (b"<rss><channel/></rss>", "root <rss>"),
        (f"<packageItem {G2}/>".encode(), "package item without text"),
        (f"<conceptItem {G2}/>".encode(), "not a news item"),
        (news_item('<remoteContent href="photo.jpg"/>', "ninat:picture"), "picture item"),
    ],
)
def test_xml_that_is_no_text_story_is_refused_with_the_reason(document: bytes, reason: str) -> None:
    with pytest.raises(UnsupportedFormat, match=reason):
        parse_story(document)


def test_newsml_text_only_referenced_remotely_is_missing_body() -> None:
    with pytest.raises(MissingBody, match="remoteContent story.txt"):
        parse_story(news_item('<remoteContent href="story.txt"/>'))


def test_newsml_inline_data_plain_text() -> None:
    story = parse_story(
        news_item(
            '<inlineData contenttype="text/plain">First line\nof para.\n\nSecond para.</inlineData>'
        )
    )
    assert story.body == "First line of para.\n\nSecond para."
    assert story.story_id == "urn:test:g2:1" and story.version == 2


@pytest.mark.parametrize(
    ("qcode", "status"),
    [("stat:usable", "usable"), ("stat:withheld", "withheld"), ("stat:canceled", "canceled")],
)
def test_newsml_pubstatus(qcode: str, status: str) -> None:
    meta = f'<pubStatus qcode="{qcode}"/><embargoed>2024-01-06T00:00:00Z</embargoed>'
    story = parse_story(news_item("<inlineXML><p>Text.</p></inlineXML>", extra_meta=meta))
    assert story.pubstatus == status
    assert story.embargoed_until == "2024-01-06T00:00:00Z"


def test_news_message_with_one_text_item_gives_that_story() -> None:
    item = news_item("<inlineXML><p>Only story.</p></inlineXML>").decode()
    message = f"<newsMessage {G2}><header/><itemSet>{item}</itemSet></newsMessage>"
    assert parse_story(message.encode()).body == "Only story."


def test_news_message_with_two_stories_is_refused() -> None:
    item = news_item("<inlineXML><p>A story.</p></inlineXML>").decode()
    message = f"<newsMessage {G2}><itemSet>{item}{item}</itemSet></newsMessage>"
    with pytest.raises(UnsupportedFormat, match="2 text stories"):
        parse_story(message.encode())


def test_nitf_without_body_content_is_missing_body() -> None:
    with pytest.raises(MissingBody, match="body.content"):
        parse_story(b"<nitf><head><title>Slug only</title></head><body/></nitf>")


def test_malformed_xml_is_invalid_xml_with_position() -> None:
    with pytest.raises(InvalidXml, match="line 1"):
        parse_story(b"<nitf><body></nitf>")


# --- security ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY],
    ids=["billion-laughs", "external-entity", "parameter-entity"],
)
def test_entity_attacks_are_refused_fast(document: str) -> None:
    started = time.perf_counter()
    with pytest.raises(UnsafeMarkup) as caught:
        parse_story(document.encode())
    assert time.perf_counter() - started < 0.5
    assert "root:" not in caught.value.message  # nothing of /etc/passwd leaks into the error
    assert caught.value.code == "unsafe_markup"


def test_internal_dtd_subset_is_refused_even_without_entities() -> None:
    with pytest.raises(UnsafeMarkup, match="internal DTD subset"):
        load_xml("<!DOCTYPE nitf [<!ELEMENT nitf ANY>]><nitf/>")


def test_bare_doctype_is_tolerated_and_never_fetched() -> None:
    started = time.perf_counter()
    root = load_xml('<!DOCTYPE nitf SYSTEM "http://127.0.0.1:9/nitf-3-6.dtd"><nitf/>')
    assert root.tag == "nitf" and time.perf_counter() - started < 0.5


def test_ten_megabyte_xml_is_refused_by_size_before_parsing() -> None:
    # The payload is also a billion-laughs document: only a size check can answer first.
    document = BILLION_LAUGHS.encode() + b"<!-- " + b"x" * (10 * 1024 * 1024) + b" -->"
    started = time.perf_counter()
    with pytest.raises(StoryTooLarge, match="byte limit"):
        parse_story(document)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "markup",
    [
        "<" * 100_000,
        "<!--" * 50_000,
        "<a" * 100_000,
        "</" * 100_000,
        "<?" * 100_000,
        "<!" * 100_000,
        '<a x="' * 30_000,
        "&" * 100_000,
        "\"'" * 50_000,
        " " * 100_000,
        "<p>" * 50_000,
        "<script>" * 20_000,
    ],
    ids=[
        "lt",
        "comment",
        "open-tag",
        "end-tag",
        "pi",
        "bang",
        "attr",
        "amp",
        "quotes",
        "spaces",
        "paragraphs",
        "script",
    ],
)
def test_html_stripping_is_linear_on_hostile_markup(markup: str) -> None:
    started = time.perf_counter()
    html_paragraphs(markup)
    assert time.perf_counter() - started < 2.0


def test_deeply_nested_xml_does_not_exhaust_the_stack() -> None:
    depth = 100_000
    root = load_xml("<div>" * depth + "deep" + "</div>" * depth)
    assert element_paragraphs(root) == "deep"


def test_html_paragraphs_reads_blocks_entities_and_skips_scripts() -> None:
    markup = (
        "<html><head><title>T</title><style>p{}</style></head><body><p>One &amp; two</p>"
        "<!-- note --><div>Three<br>Four</div><script>x<y</script><p>Caf&eacute;</p></body>"
    )
    assert html_paragraphs(markup) == "One & two\n\nThree\n\nFour\n\nCafé"
