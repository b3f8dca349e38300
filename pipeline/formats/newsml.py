"""Parse IPTC NewsML-G2 text news items (alone or as the one story of a newsMessage) into a Story.

Text comes from `contentSet`: inlineXML holding NITF or XHTML, or inlineData. Pictures, video,
packages, concepts and planning items carry no story and are rejected with the reason.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from pipeline.errors import InvalidStory, MissingBody, UnsupportedFormat
from pipeline.formats import nitf
from pipeline.formats.seedtext import content_id, version_number
from pipeline.formats.xmlsafe import (
    children,
    element_paragraphs,
    element_text,
    first_child,
    html_paragraphs,
    load_xml,
    local_name,
    squash,
)
from pipeline.story import Story, StoryDates

G2_ROOTS = frozenset(
    {
        "newsItem",
        "newsMessage",
        "packageItem",
        "conceptItem",
        "knowledgeItem",
        "planningItem",
        "catalogItem",
    }
)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XHTML_ROOTS = frozenset({"html", "body", "div", "section", "article", "p", "h1", "h2", "ul"})
_PUBSTATUS = {"usable": "usable", "withheld": "withheld", "canceled": "canceled"}


def _code(el: Element | None) -> str | None:
    """The last segment of a qcode (`stat:usable`) or a concept URI (`.../ninature/text`)."""
    if el is None:
        return None
    ref = el.get("qcode") or el.get("uri") or ""
    tail = ref.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return tail or None


def _inline_xml(block: Element) -> tuple[str, Element | None, str]:
    """(text, NITF element if any, why there is no text) for one inlineXML."""
    kinds: list[str] = []
    for child in block:
        name = local_name(child.tag)
        if not name:
            continue
        if name == "nitf":
            return nitf.body_paragraphs(child), child, "NITF inlineXML has no <body.content> text"
        if name in _XHTML_ROOTS or child.tag.startswith("{http://www.w3.org/1999/xhtml}"):
            parts = [element_paragraphs(el) for el in block if local_name(el.tag)]
            return "\n\n".join(p for p in parts if p), None, "XHTML inlineXML has no text"
        kinds.append(f"<{name}>")
    if not kinds:
        return "", None, "inlineXML is empty"
    kind = block.get("contenttype") or "no contenttype"
    return "", None, f"inlineXML holds {', '.join(kinds)} ({kind}), not NITF or XHTML text"


def _inline_data(block: Element) -> tuple[str, str]:
    kind = (block.get("contenttype") or "text/plain").split(";")[0].strip().lower()
    raw = block.text or ""
    if kind in ("text/html", "application/xhtml+xml"):
        return html_paragraphs(raw), "inlineData HTML has no text"
    if kind != "text/plain":
        return "", f"inlineData is {kind}, not text"
    paragraphs = (squash(part) for part in raw.replace("\r\n", "\n").split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p), "inlineData is empty"


def _content(item: Element) -> tuple[str, Element | None]:
    """The plain body of the first text rendition in contentSet, and its NITF if inline."""
    content_set = first_child(item, "contentSet")
    if content_set is None:
        raise MissingBody("NewsML-G2 news item has no contentSet: there is no text to enrich")
    reasons: list[str] = []
    for block in content_set:
        name = local_name(block.tag)
        if name == "inlineXML":
            text, nitf_el, why = _inline_xml(block)
            if text:
                return text, nitf_el
            reasons.append(why)
        elif name == "inlineData":
            text, why = _inline_data(block)
            if text:
                return text, None
            reasons.append(why)
        elif name == "remoteContent":
            ref = block.get("href") or block.get("residref")
            reasons.append(f"text only referenced by remoteContent {ref}; inline text is needed")
    raise MissingBody("NewsML-G2 news item has no inline text: " + ("; ".join(reasons) or "empty"))


def _headline(meta: Element | None) -> str | None:
    headlines = children(meta, "headline")
    for headline in headlines:
        role = headline.get("role")
        if role is None or role.endswith("main"):
            return element_text(headline)
    return element_text(headlines[0]) if headlines else None


def _subjects(meta: Element | None) -> tuple[str, ...]:
    names: list[str] = []
    for subject in children(meta, "subject"):
        name = element_text(first_child(subject, "name"))
        ref = subject.get("qcode") or subject.get("uri")
        if name or ref:
            names.append(name or ref or "")
    return tuple(dict.fromkeys(names))


def _byline(meta: Element | None, head: nitf.BodyHead | None) -> str | None:
    by = element_text(first_child(meta, "by")) or (head.byline if head is not None else None)
    if by:
        return by
    creators = [element_text(first_child(c, "name")) for c in children(meta, "creator")]
    return ", ".join(c for c in creators if c) or None


def _pubstatus(item_meta: Element | None) -> str:
    code = _code(first_child(item_meta, "pubStatus"))
    if code is None:
        return "usable"
    if code not in _PUBSTATUS:
        raise InvalidStory(
            f"NewsML-G2 pubStatus {code!r} is not stat:usable, stat:withheld or stat:canceled"
        )
    return _PUBSTATUS[code]


def _signals(item_meta: Element | None) -> tuple[str, ...]:
    """`<signal qcode="sig:correction"/>` -> "correction" (the code without its scheme)."""
    codes = (_code(signal) for signal in children(item_meta, "signal"))
    return tuple(code.rsplit(":", 1)[-1] for code in codes if code)


def news_item(item: Element) -> Story:
    """A Story from a parsed `<newsItem>` element."""
    item_meta = first_child(item, "itemMeta")
    meta = first_child(item, "contentMeta")
    item_class = _code(first_child(item_meta, "itemClass"))
    if item_class not in (None, "text", "composite"):
        raise UnsupportedFormat(
            f"{item_class} item: not a text story (NewsML-G2 itemClass {item_class})"
        )
    body, nitf_el = _content(item)
    head = nitf.body_head(nitf_el) if nitf_el is not None else None
    language_el = first_child(meta, "language")
    version = item.get("version") or ""
    located = first_child(meta, "located")
    dateline = element_text(first_child(meta, "dateline")) or (head.dateline if head else None)
    return Story(
        story_id=item.get("guid") or content_id("newsml", body),
        body=body,
        version=max(1, version_number(version) or 1),
        headline=_headline(meta) or (head.headline if head else None),
        language=(language_el.get("tag") if language_el is not None else None)
        or item.get(_XML_LANG),
        byline=_byline(meta, head),
        dateline=dateline or element_text(first_child(located, "name")),
        source_format="newsml",
        pubstatus=_pubstatus(item_meta),
        embargoed_until=element_text(first_child(item_meta, "embargoed")),
        subjects=_subjects(meta),
        signals=_signals(item_meta),
        dates=StoryDates(
            published=element_text(first_child(item_meta, "versionCreated"))
            or element_text(first_child(item_meta, "firstCreated"))
        ),
    )


def _news_message(message: Element) -> Story:
    items = children(first_child(message, "itemSet"), "newsItem")
    if len(items) == 1:
        return news_item(items[0])
    stories: list[Story] = []
    reasons: list[str] = []
    for item in items:
        try:
            stories.append(news_item(item))
        except InvalidStory as exc:
            reasons.append(f"{item.get('guid') or 'newsItem'}: {exc.message}")
    if len(stories) == 1:
        return stories[0]
    if stories:
        raise UnsupportedFormat(
            f"news message carries {len(stories)} text stories; send one news item per message"
        )
    raise UnsupportedFormat(
        f"news message carries no text story ({len(items)} news items"
        + (": " + "; ".join(reasons[:3]) if reasons else "")
        + ")"
    )


def from_element(root: Element) -> Story:
    """A Story from a parsed NewsML-G2 document element, or the reason it carries none."""
    name = local_name(root.tag)
    if name == "newsItem":
        return news_item(root)
    if name == "newsMessage":
        return _news_message(root)
    if name == "packageItem":
        raise UnsupportedFormat(
            "package item without text: a NewsML-G2 packageItem only lists other items; "
            "send the text news items it references"
        )
    raise UnsupportedFormat(f"not a news item: NewsML-G2 <{name}> carries no story")


def parse(text: str) -> Story:
    root = load_xml(text)
    if local_name(root.tag) not in G2_ROOTS:
        raise UnsupportedFormat(
            f"expected a NewsML-G2 item (root <newsItem>), got root <{local_name(root.tag)}>"
        )
    return from_element(root)
