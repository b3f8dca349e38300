"""Parse helpers shared by the XML and HTML formats: safe XML loading and markup -> paragraphs.

XML is read by defusedxml with entity declarations and external references refused; markup
(XML elements or an HTML string) becomes plain paragraphs separated by a blank line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from pipeline.errors import InvalidXml, UnsafeMarkup

BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "body.content",
        "body.end",
        "bq",
        "br",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hl1",
        "hl2",
        "hr",
        "li",
        "main",
        "nitf",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
        "block",
        "note",
        "credit",
    }
)
SKIP_TAGS = frozenset(
    {
        "head",
        "title",
        "script",
        "style",
        "media",
        "object",
        "iframe",
        "noscript",
        "template",
        "svg",
        "math",
        "nitf-table-metadata",
    }
)
CELL_TAGS = frozenset({"td", "th"})

# Possessive: a long tag name with no ">" after it fails in one pass instead of backtracking
# the name against `[^<>]*` (quadratic on "<a" followed by 100k letters).
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:._-]*+)[^<>]*+>")


def local_name(tag: object) -> str:
    """`{namespace}name` -> `name`; comments and processing instructions -> ""."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _refuse_internal_subset(
    name: str, sysid: str | None, pubid: str | None, has_internal_subset: int
) -> None:
    if has_internal_subset:
        raise UnsafeMarkup(
            f"XML declares an internal DTD subset in <!DOCTYPE {name} [...]>: DTDs and entity "
            "declarations are refused; send the document without them"
        )


def load_xml(text: str) -> Element:
    """The document element of `text`, or UnsafeMarkup / InvalidXml saying what is wrong.

    A bare `<!DOCTYPE nitf SYSTEM "nitf.dtd">` (no internal subset) is tolerated because wire
    NITF often carries one; the DTD is never fetched. Entity declarations, internal subsets and
    external references raise UnsafeMarkup before any expansion happens.
    """
    parser = DefusedXMLParser(
        target=TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    parser.parser.StartDoctypeDeclHandler = _refuse_internal_subset
    try:
        parser.feed(text)
        root = parser.close()
    except DefusedXmlException as exc:
        raise UnsafeMarkup(
            f"XML refused as unsafe ({type(exc).__name__}: {exc}): entity declarations and "
            "external references are not allowed; send plain XML without a DTD"
        ) from exc
    except ParseError as exc:
        raise InvalidXml(f"story is not well-formed XML: {exc}") from exc
    if not isinstance(root, Element):
        raise InvalidXml("XML document has no root element")
    return root


def first_child(parent: Element | None, name: str) -> Element | None:
    """The first direct child called `name` (any namespace)."""
    if parent is None:
        return None
    for child in parent:
        if local_name(child.tag) == name:
            return child
    return None


def children(parent: Element | None, name: str) -> list[Element]:
    if parent is None:
        return []
    return [child for child in parent if local_name(child.tag) == name]


def descendants(root: Element, name: str) -> Iterable[Element]:
    return (el for el in root.iter() if local_name(el.tag) == name)


def squash(text: str | None) -> str:
    """Whitespace runs -> one space, trimmed."""
    return " ".join(text.split()) if text else ""


def element_text(el: Element | None) -> str | None:
    """All text inside `el`, whitespace squashed; None when there is none."""
    if el is None:
        return None
    return squash("".join(el.itertext())) or None


class _Paragraphs:
    """Collects inline text; a block boundary closes the current paragraph."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.done: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)

    def flush(self) -> None:
        paragraph = squash("".join(self.parts))
        self.parts.clear()
        if paragraph:
            self.done.append(paragraph)

    def text(self) -> str:
        self.flush()
        return "\n\n".join(self.done)


def element_paragraphs(root: Element) -> str:
    """Plain text of an XHTML or NITF element: one paragraph per block, blank-line separated."""
    out = _Paragraphs()
    stack: list[tuple[Element, bool]] = [(root, True)]
    while stack:  # iterative: deeply nested hostile markup cannot exhaust the stack
        el, entering = stack.pop()
        name = local_name(el.tag).lower()
        if entering:
            if not name or name in SKIP_TAGS:
                if el is not root:
                    out.add(el.tail)
                continue
            if name in BLOCK_TAGS:
                out.flush()
            elif name in CELL_TAGS:
                out.add(" ")
            out.add(el.text)
            stack.append((el, False))
            stack.extend((child, True) for child in reversed(el))
        else:
            if name in BLOCK_TAGS:
                out.flush()
            elif name in CELL_TAGS:
                out.add(" ")
            if el is not root:
                out.add(el.tail)
    return out.text()


def html_paragraphs(markup: str) -> str:
    """Plain text of an HTML fragment or document, in linear time on any input.

    A small tokenizer rather than `html.parser`, which is quadratic on some hostile input.
    """
    out = _Paragraphs()
    lowered = markup.lower()
    pos, size = 0, len(markup)
    while pos < size:
        lt = markup.find("<", pos)
        if lt < 0:
            out.add(html.unescape(markup[pos:]))
            break
        out.add(html.unescape(markup[pos:lt]))
        if markup.startswith("<!--", lt):
            end = markup.find("-->", lt + 4)
            pos = size if end < 0 else end + 3
            continue
        match = _HTML_TAG.match(markup, lt)
        if match is None:
            if markup.startswith("<!", lt) or markup.startswith("<?", lt):
                end = markup.find(">", lt)
                pos = size if end < 0 else end + 1
            else:
                out.add("<")
                pos = lt + 1
            continue
        pos = match.end()
        name = match.group(2).lower()
        closing = match.group(1) == "/"
        if name in SKIP_TAGS and not closing and not match.group(0).endswith("/>"):
            end = lowered.find(f"</{name}", pos)
            pos = size if end < 0 else end
            continue
        if name in BLOCK_TAGS:
            out.flush()
        elif name in CELL_TAGS:
            out.add(" ")
    return out.text()
