"""The one exception tree and the one catalogue of error codes of wirestream.

WireError                      base: carries a stable `code` and a message that says what to fix
 +-- InvalidStory              permanent: the bytes are not a story we can read -> dead letter
 |    +-- InvalidEncoding      not UTF-8, or NUL bytes
 |    +-- StoryTooLarge        over the configured size, checked before decoding
 |    +-- InvalidJson          not JSON, too deep, too many values, or off raw_story.v1
 |    +-- InvalidNinjs         ninjs off ninjs_input.v1, or two generations' fields mixed
 |    +-- InvalidXml           not well-formed XML
 |    +-- UnsafeMarkup         XML with entity declarations or external references
 |    +-- UnsupportedFormat    bytes of no format we parse (or a format with no text story)
 |    +-- MissingBody          parsed, but there is no text to enrich
 |    +-- InvalidDate          a published date that cannot be read or put in UTC
 +-- StageError                a stage raised on a readable story (carries stage and story id)
 +-- TransientError            worth retrying: the broker or a resource was briefly unavailable

Every `error_code` the system can emit (a dead letter's, an HTTP answer's) is defined once in
CATALOGUE below, with its stage and default message, in the manner of spaCy's `errors.py`;
docs/hostile-input.md's table is checked against it by a test. A `Failure` is an error as data:
what the pipeline returns instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_CHARS = 1000  # a dead letter quotes the error, never megabytes of it


def cap_message(message: str) -> str:
    """The message, cut to MAX_MESSAGE_CHARS with a note of how much was left out."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    cut = len(message) - MAX_MESSAGE_CHARS
    return f"{message[:MAX_MESSAGE_CHARS]}… ({cut} more characters)"


@dataclass(frozen=True, slots=True)
class Failure:
    """Why one input could not be enriched: a stable code, what to fix, and where it failed."""

    code: str
    message: str
    stage: str
    story_id: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One entry of the catalogue: the stable code, where it arises, and what it tells the
    sender by default (`{name}` fields are filled by `say`). `outcomes` is where it shows:
    "dead_letter" (an event on the dead-letter topic), "http" (an ingest answer) and/or
    "health" (a reason on the worker's degraded /health)."""

    code: str
    stage: str
    message: str
    outcomes: tuple[str, ...] = ("dead_letter",)

    def say(self, **fields: Any) -> str:
        return cap_message(self.message.format(**fields))

    def failure(
        self, story_id: str | None = None, *, stage: str | None = None, **fields: Any
    ) -> Failure:
        """This code as a Failure; `stage` names where it arose when the entry cannot."""
        where = stage or self.stage
        return Failure(self.code, self.say(stage=where, **fields), where, story_id)


CATALOGUE: dict[str, ErrorCode] = {}


def _define(code: str, stage: str, message: str, *outcomes: str) -> ErrorCode:
    if code in CATALOGUE:
        raise ValueError(f"error code {code!r} is defined twice")
    entry = ErrorCode(code, stage, message, outcomes or ("dead_letter",))
    CATALOGUE[code] = entry
    return entry


# Refusals of the parser and validator: the story itself is wrong.
INVALID_STORY = _define("invalid_story", "parse", "the message is not a story we can read")
INVALID_ENCODING = _define("invalid_encoding", "parse", "the story is not UTF-8 text")
STORY_TOO_LARGE = _define(
    "story_too_large",
    "parse",
    "story is over the {limit}-byte limit; split it",
    "dead_letter",
    "http",
)
INVALID_JSON = _define("invalid_json", "parse", "the JSON story is not valid")
INVALID_NINJS = _define("invalid_ninjs", "parse", "the ninjs document is not valid")
INVALID_XML = _define("invalid_xml", "parse", "the XML is not well-formed")
UNSAFE_MARKUP = _define(
    "unsafe_markup", "parse", "the XML declares entities or references outside itself"
)
UNSUPPORTED_FORMAT = _define(
    "unsupported_format", "parse", "the bytes are in no format wirestream reads"
)
MISSING_BODY = _define("missing_body", "parse", "there is no text to enrich")
INVALID_DATE = _define("invalid_date", "dates", "the published date cannot be read")
# A readable story the enrichment could not finish.
STORY_TOO_LONG = _define(
    "story_too_long",
    "nlp",
    "the body has {chars} characters; the language model takes at most {limit}: "
    "split the story into parts",
)
STAGE_FAILED = _define("stage_failed", "unknown", "stage {stage!r} failed: {error}")
STAGE_CRASHED = _define(
    "stage_crashed",
    "nlp",
    "the NLP process died {attempts} times while enriching this story alone (out of memory "
    "or a crash in the model); it was isolated so the rest of its batch went on",
)
STAGE_TIMEOUT = _define(
    "stage_timeout",
    "nlp",
    "the story took longer than {seconds} seconds in {step}; its process was replaced and the "
    "story published without what that step would have added",
)
# Raised by the worker around the pipeline.
EVENT_TOO_LARGE = _define(
    "event_too_large",
    "publish",
    "the event for {topic} is {size} bytes and Kafka refused it ({cause}); raise the "
    "producer's max_request_size and the broker's message.max.bytes, or send shorter stories",
)
# Permanent Kafka errors the worker waits out (it holds the stories and retries): /health.
TOPIC_MISSING = _define(
    "topic_missing",
    "publish",
    "topic {topic} does not exist on the broker ({detail}); stories for it wait, uncommitted: "
    "create it again (a restarted worker creates missing topics with their partitions)",
    "health",
)
NOT_AUTHORIZED = _define(
    "not_authorized",
    "publish",
    "the broker does not let this worker write to {topic} ({detail}); stories for it wait, "
    "uncommitted: grant the worker's Kafka user WRITE and DESCRIBE on the topic",
    "health",
)
INTERNAL_ERROR = _define(
    "internal_error", "unknown", "{stage} failed {attempts} times on this batch: {error}"
)
# HTTP answers of the worker's web server.
UNAUTHORIZED = _define(
    "unauthorized", "ingest", "a valid 'Authorization: Bearer <token>' is required", "http"
)
BROKER_UNAVAILABLE = _define(
    "broker_unavailable",
    "ingest",
    "the story is valid but could not be written to Kafka; retry",
    "http",
)
CROSS_SITE_REFUSED = _define(
    "cross_site_refused",
    "ingest",
    "a story may only be posted from this worker's own pages or from a client that sends no "
    "Origin header",
    "http",
)
UNTRUSTED_HOST = _define(
    "untrusted_host",
    "ingest",
    "the Host header {host!r} does not name this worker's loopback address; use 127.0.0.1 or "
    "localhost",
    "http",
)
REQUEST_TIMEOUT = _define(
    "request_timeout",
    "ingest",
    "the request body did not arrive within {seconds} seconds; send it in one go",
    "http",
)
TOO_MANY_CLIENTS = _define("too_many_clients", "live", "live stream is full; retry later", "http")
# Base codes of the tree, never emitted on their own.
WIRE_ERROR = _define("wire_error", "unknown", "wirestream could not handle this message", "none")
TRANSIENT = _define(
    "transient", "unknown", "the broker or a resource was briefly unavailable", "none"
)


class WireError(Exception):
    """Base of every wirestream error. `code` is stable: dashboards and alerts key on it."""

    code = WIRE_ERROR.code
    stage = "unknown"

    def __init__(self, message: str, *, stage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if stage is not None:
            self.stage = stage


class InvalidStory(WireError):
    """The input can never become a story; retrying will not help."""

    code = INVALID_STORY.code
    stage = "parse"


class InvalidEncoding(InvalidStory):
    code = INVALID_ENCODING.code


class StoryTooLarge(InvalidStory):
    code = STORY_TOO_LARGE.code


class InvalidJson(InvalidStory):
    code = INVALID_JSON.code


class InvalidNinjs(InvalidStory):
    code = INVALID_NINJS.code


class InvalidXml(InvalidStory):
    code = INVALID_XML.code


class UnsafeMarkup(InvalidStory):
    code = UNSAFE_MARKUP.code


class UnsupportedFormat(InvalidStory):
    code = UNSUPPORTED_FORMAT.code


class MissingBody(InvalidStory):
    code = MISSING_BODY.code


class InvalidDate(InvalidStory):
    code = INVALID_DATE.code
    stage = INVALID_DATE.stage


class StageError(WireError):
    """A stage raised on a story it was given; the story id says which one."""

    code = STAGE_FAILED.code

    def __init__(self, message: str, *, stage: str, story_id: str | None = None) -> None:
        super().__init__(message, stage=stage)
        self.story_id = story_id


class TransientError(WireError):
    code = TRANSIENT.code
