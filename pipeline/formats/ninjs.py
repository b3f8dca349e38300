"""Parse IPTC ninjs (1.x, 2.x, 3.x) into a Story, after validating it against ninjs_input.v1.

Reached from `parse_story` through the JSON parser (which recognises ninjs by its keys) or a
"ninjs" format hint. Field names differ by ninjs generation; every spelling is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from itertools import chain, islice
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for
from referencing import Registry

from pipeline.errors import InvalidNinjs, MissingBody, UnsupportedFormat
from pipeline.formats import nitf
from pipeline.formats.jsonstory import describe, load_object
from pipeline.formats.seedtext import version_number
from pipeline.formats.xmlsafe import html_paragraphs, load_xml, local_name, squash
from pipeline.story import Story, StoryDates
from schemas import load_schema, validator

NINJS_INPUT = "ninjs_input.v1"
NON_TEXT_TYPES = frozenset({"picture", "graphic", "video", "audio", "event", "planning"})


def generation_of(version: str | None) -> int | None:
    """The ninjs generation a version names ("1.4" -> 1, "2.x_dev" -> 2), else None."""
    head = (version or "").strip()[:1]
    return int(head) if head in ("1", "2", "3") else None


def declared_version(obj: Mapping[str, Any]) -> str | None:
    """The ninjs version a document declares in `standard` (2.x, 3.x) or `$standard` (1.x)."""
    for key in ("standard", "$standard"):
        standard = obj.get(key)
        if isinstance(standard, dict) and str(standard.get("name", "")).lower() == "ninjs":
            version = standard.get("version")
            return version if isinstance(version, str) else None
    return None


@cache
def _generation_validator(generation: int) -> Draft202012Validator:
    return Draft202012Validator(load_schema(NINJS_INPUT)["$defs"][f"generation{generation}"])


def validate_ninjs(
    obj: object,
    version_hint: str | None = None,
    official_schema: Mapping[str, Any] | None = None,
    *,
    registry: Registry[Any] | None = None,
    limit: int | None = None,
) -> list[str]:
    """Why `obj` is not ninjs wirestream can read; empty when it is.

    Always checks our schema ninjs_input.v1. With a version (`version_hint`, else the version
    the document declares) it also refuses field names of another ninjs generation. With
    `official_schema` (an IPTC ninjs schema, e.g. read by a test) it checks that too;
    `registry` resolves the official schema's external refs (GeoJSON). With `limit`, only
    that many problems are looked for.
    """
    problems: list[Iterable[str]] = [
        (describe(error) for error in validator(NINJS_INPUT).iter_errors(obj))
    ]
    if isinstance(obj, Mapping):
        version = version_hint or declared_version(obj)
        generation = generation_of(version)
        if generation is not None:
            problems.append(
                f"{error.instance!r:.200}: not a ninjs {generation}.x field (mixed ninjs "
                "generations)"
                for error in _generation_validator(generation).iter_errors(obj)
            )
    if official_schema is not None:
        cls = validator_for(official_schema)
        official = cls(official_schema, registry=registry or Registry())
        problems.append(
            describe(error) + " (official schema)" for error in official.iter_errors(obj)
        )
    return list(islice(chain.from_iterable(problems), limit))


def _either(obj: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if obj.get(key) is not None:
            return obj[key]
    return None


def _kind(entry: Mapping[str, Any]) -> str:
    """How to read one headlines[]/bodies[] entry: "plain", "html", "nitf" or "other"."""
    content_type = str(_either(entry, "contentType", "contenttype") or "").lower()
    content_type = content_type.split(";")[0].strip()
    if not content_type:
        return "html" if str(entry["value"]).lstrip().startswith("<") else "plain"
    if content_type == "text/plain":
        return "plain"
    if "nitf" in content_type:
        return "nitf"
    return "html" if "html" in content_type else "other"


def _as_text(kind: str, value: str) -> str:
    if kind == "plain":
        return value.replace("\r\n", "\n").strip()
    if kind == "html":
        return html_paragraphs(value)
    if kind == "nitf":
        root = load_xml(value)
        return nitf.body_paragraphs(root) if local_name(root.tag) == "nitf" else ""
    return ""


def _body(obj: Mapping[str, Any]) -> str:
    """Plain text preferred, then HTML, then NITF; 1.x body_* fields or 2.x/3.x bodies[]."""
    candidates: list[tuple[str, str]] = []
    if isinstance(obj.get("body_text"), str):
        candidates.append(("plain", obj["body_text"]))
    for key, value in obj.items():
        if key.startswith("body_") and key != "body_text" and isinstance(value, str):
            candidates.append(("html", value))
    for entry in obj.get("bodies") or ():
        candidates.append((_kind(entry), entry["value"]))
    for wanted in ("plain", "html", "nitf"):
        for kind, value in candidates:
            text = _as_text(kind, value) if kind == wanted else ""
            if text:
                return text
    return ""


def _headline(obj: Mapping[str, Any]) -> str | None:
    if isinstance(obj.get("headline"), str):
        return squash(obj["headline"]) or None
    entries = [h for h in obj.get("headlines") or () if h.get("value")]
    main = [h for h in entries if h.get("role") in (None, "main")]
    for entry in main or entries:
        kind = _kind(entry)
        text = squash(html_paragraphs(entry["value"]) if kind == "html" else entry["value"])
        if text:
            return text
    return None


def _subjects(obj: Mapping[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    for concept in [*(obj.get("subject") or ()), *(obj.get("subjects") or ())]:
        name = _either(concept, "name", "literal", "code", "uri")
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return tuple(dict.fromkeys(names))


def _version(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(max(1, value))
    return max(1, version_number(value) or 1) if isinstance(value, str) else 1


def from_object(obj: dict[str, Any]) -> Story:
    """A Story from a decoded ninjs object (validated first)."""
    problems = validate_ninjs(obj, limit=5)
    if problems:
        raise InvalidNinjs("ninjs story does not match ninjs_input.v1: " + "; ".join(problems))
    kind = obj.get("type")
    if kind in NON_TEXT_TYPES:
        raise UnsupportedFormat(f"{kind} item: not a text story (ninjs type {kind!r})")
    if "eventDetails" in obj or "plannedCoverage" in obj:
        raise UnsupportedFormat("event item: not a text story (ninjs eventDetails/plannedCoverage)")
    body = _body(obj)
    if not body:
        raise MissingBody(
            f"ninjs {kind or 'untyped'} item has no text body (no body_text, body_html or "
            "readable bodies[]): nothing to enrich"
        )
    return Story(
        story_id=obj["uri"],
        body=body,
        version=_version(obj.get("version")),
        headline=_headline(obj),
        language=obj.get("language"),
        byline=_either(obj, "by", "byline"),
        dateline=obj.get("located"),
        source_format="ninjs",
        pubstatus=_either(obj, "pubStatus", "pubstatus") or "usable",
        embargoed_until=_either(obj, "embargoedUntil", "embargoed"),
        subjects=_subjects(obj),
        dates=StoryDates(
            published=_either(
                obj, "versionCreated", "versioncreated", "firstCreated", "firstcreated"
            )
        ),
    )


def parse(text: str) -> Story:
    return from_object(load_object(text))
