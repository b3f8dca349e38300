"""Parse IPTC NITF (3.x, with or without namespace) into a Story.

Also reads the NITF that NewsML-G2 carries in `inlineXML` and ninjs carries in `bodies`:
`body_paragraphs`, `body_head` and `nitf_date` are shared with those parsers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from pipeline.errors import MissingBody, UnsupportedFormat
from pipeline.formats.seedtext import content_id, version_number
from pipeline.formats.xmlsafe import (
    children,
    descendants,
    element_paragraphs,
    element_text,
    first_child,
    load_xml,
    local_name,
)
from pipeline.story import Story, StoryDates

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NORM_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?(Z|[+-]\d{2}:?\d{2})?")
_STATUS = {
    "usable": "usable",
    "withheld": "withheld",
    "canceled": "canceled",
    "cancelled": "canceled",
}


@dataclass(frozen=True, slots=True)
class BodyHead:
    """What NITF's body.head says about the story."""

    headline: str | None
    byline: str | None
    dateline: str | None


def nitf_date(norm: str | None) -> str | None:
    """NITF's basic ISO form (20240314T101500+0100) -> extended ISO 8601; other text as given."""
    if not norm or not norm.strip():
        return None
    match = _NORM_DATE.fullmatch(norm.strip())
    if match is None:
        return norm.strip()
    year, month, day, hour, minute, second, zone = match.groups()
    date = f"{year}-{month}-{day}"
    if hour is None:
        return date
    if zone and zone != "Z" and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    return f"{date}T{hour}:{minute}:{second or '00'}{zone or ''}"


def body_paragraphs(nitf: Element) -> str:
    """Plain text of every body.content of a NITF element (empty when there is none)."""
    parts = [element_paragraphs(content) for content in descendants(nitf, "body.content")]
    return "\n\n".join(part for part in parts if part)


def body_head(nitf: Element) -> BodyHead:
    head = first_child(first_child(nitf, "body"), "body.head")
    hedline = first_child(head, "hedline")
    return BodyHead(
        headline=element_text(first_child(hedline, "hl1")),
        byline=element_text(first_child(head, "byline")),
        dateline=element_text(first_child(head, "dateline")),
    )


def _subjects(head: Element | None, docdata: Element | None) -> tuple[str, ...]:
    names: list[str] = []
    for tobject in children(head, "tobject"):
        for subject in children(tobject, "tobject.subject"):
            name = (
                subject.get("tobject.subject.detail")
                or subject.get("tobject.subject.matter")
                or subject.get("tobject.subject.type")
                or subject.get("tobject.subject.refnum")
            )
            if name:
                names.append(name)
    for keyword in children(first_child(docdata, "key-list"), "keyword"):
        if keyword.get("key"):
            names.append(keyword.get("key", ""))
    return tuple(dict.fromkeys(names))


def _version(docdata: Element | None) -> int:
    du_key = first_child(docdata, "du-key")
    text = (du_key.get("version") or "") if du_key is not None else ""
    return max(1, version_number(text) or 1)


def _language(nitf: Element) -> str | None:
    body = first_child(nitf, "body")
    for el in (nitf, body, first_child(nitf, "head")):
        if el is not None and el.get(_XML_LANG):
            return el.get(_XML_LANG)
    return None


def from_element(nitf: Element) -> Story:
    """A Story from a parsed `<nitf>` element."""
    head = first_child(nitf, "head")
    docdata = first_child(head, "docdata")
    body = body_paragraphs(nitf)
    if not body:
        raise MissingBody("NITF document has no text in <body.content>: nothing to enrich")
    status = (_attr(docdata, "management-status") or "usable").lower()
    release = nitf_date(_attr(first_child(docdata, "date.release"), "norm"))
    issued = nitf_date(_attr(first_child(docdata, "date.issue"), "norm"))
    embargoed_until = release if status == "embargoed" else None
    pubstatus = _STATUS.get(status, "usable")
    if status == "embargoed" and release is None:
        pubstatus = "withheld"
    doc_id = _attr(first_child(docdata, "doc-id"), "id-string")
    bh = body_head(nitf)
    return Story(
        story_id=doc_id or content_id("nitf", body),
        body=body,
        version=_version(docdata),
        headline=bh.headline or element_text(first_child(head, "title")),
        language=_language(nitf),
        byline=bh.byline,
        dateline=bh.dateline,
        source_format="nitf",
        pubstatus=pubstatus,
        embargoed_until=embargoed_until,
        subjects=_subjects(head, docdata),
        dates=StoryDates(published=issued or release),
    )


def _attr(el: Element | None, name: str) -> str | None:
    value = el.get(name) if el is not None else None
    if value is None:
        return None
    return value.strip() or None


def parse(text: str) -> Story:
    root = load_xml(text)
    if local_name(root.tag) != "nitf":
        raise UnsupportedFormat(
            f"expected a NITF document (root <nitf>), got root <{local_name(root.tag)}>"
        )
    return from_element(root)
