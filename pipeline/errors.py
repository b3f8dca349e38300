"""The one exception tree of wirestream; every failure that reaches a dead letter starts here.

WireError                      base: carries a stable `code` and a message that says what to fix
 +-- InvalidStory              permanent: the bytes are not a story we can read -> dead letter
 |    +-- UnsupportedFormat    bytes of no format we parse (or a format with no text story)
 |    +-- UnsafeMarkup         XML with entity declarations or external references
 |    +-- MissingBody          parsed, but there is no text to enrich
 +-- StageError                a stage failed on a readable story (carries stage and story id)
 +-- TransientError            worth retrying: the broker or a resource was briefly unavailable
"""

from __future__ import annotations


class WireError(Exception):
    """Base of every wirestream error. `code` is stable: dashboards and alerts key on it."""

    code = "wire_error"
    stage = "unknown"

    def __init__(self, message: str, *, stage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if stage is not None:
            self.stage = stage


class InvalidStory(WireError):
    """The input can never become a story; retrying will not help."""

    code = "invalid_story"
    stage = "parse"


class UnsupportedFormat(InvalidStory):
    code = "unsupported_format"


class UnsafeMarkup(InvalidStory):
    code = "unsafe_markup"


class MissingBody(InvalidStory):
    code = "missing_body"


class StageError(WireError):
    """A stage raised on a story it was given; the story id says which one."""

    code = "stage_failed"

    def __init__(self, message: str, *, stage: str, story_id: str | None = None) -> None:
        super().__init__(message, stage=stage)
        self.story_id = story_id


class TransientError(WireError):
    code = "transient"
