"""Roles for the quotes stage: before speakers are resolved, each person gets the roles the
text ties to them, from titles ("Kremlin leader Vladimir Putin") and appositions ("Smith, the
union's general secretary,"). Role words come from pipeline.role_keys.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from collections.abc import Sequence

from pipeline.quotes.marks import Token, norm_word, tokenise
from pipeline.quotes.role_keys import COUNTRIES, PREPOSITIONS, ROLEISH, is_head, roleish
from pipeline.story import Entity

_DETERMINERS = frozenset("the a an his her its their our".split())
_CLAUSE_CHARS = ',;:()\n“”"'
_SENTENCE_BREAK_RE = re.compile(r"[a-z0-9)][.?!][\"”’]?\s")


class _EntityWords:
    """`pos in words`: whether a word starting at pos lies inside a (non-person) mention."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]

    def __contains__(self, pos: object) -> bool:
        if not isinstance(pos, int):
            return False
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and self.spans[i][0] <= pos < self.spans[i][1]


def _valid_role(tokens: list[Token], entity_at: _EntityWords) -> tuple[int, int] | None:
    """(first, last) token indexes of a role NP: role-ish modifiers up to a head noun, then at
    most a short "of ..." phrase; None when the tokens are not such a phrase."""
    head = -1
    for n, tok in enumerate(tokens):
        if tok.norm in PREPOSITIONS and head >= 0:
            return (0, len(tokens) - 1) if len(tokens) - n <= 5 else None
        if not roleish(tok, tok.start in entity_at):
            return None
        if is_head(tok):
            head = n
    return (0, head) if head >= 0 else None


def _np_after_determiner(
    body: str, tokens: list[Token], entity_at: _EntityWords, anchored: bool
) -> str | None:
    starts = [n + 1 for n, t in enumerate(tokens) if t.norm in _DETERMINERS]
    if anchored:
        starts.append(0)
    for start in starts:
        span = _valid_role(tokens[start:], entity_at)
        if span is not None and span[1] - span[0] < 9:
            return body[tokens[start].start : tokens[start + span[1]].end]
    return None


def _roles_near(body: str, start: int, end: int, entity_at: _EntityWords) -> list[str]:
    roles: list[str] = []
    # "Kremlin leader Vladimir Putin": title words directly before the name.
    run: list[Token] = []
    edge = start
    gap = body.rfind(" ", max(0, start - 40), start - 1) + 1
    word = body[gap : start - 1] if body[start - 1 : start] == " " else ""
    near: list[Token] = []
    if word and (
        norm_word(word).rstrip(".") in ROLEISH or norm_word(word) in COUNTRIES or gap in entity_at
    ):
        near = tokenise(body, max(0, start - 80), start)
    for tok in reversed(near):
        if body[tok.end : edge].strip() or not roleish(tok, tok.start in entity_at):
            break
        if tok.text.endswith(".") and len(tok.text) > 4 and "." not in tok.text[:-1]:
            break  # "... met the minister. Smith said": a sentence end, not a title
        run.insert(0, tok)
        edge = tok.start
    while run and run[0].norm == "of":
        run.pop(0)
    if any(is_head(t) for t in run):
        roles.append(body[run[0].start : run[-1].end])
    # "The United States President, Donald Trump," and "Smith, the union's general secretary,".
    anchor = run[0].start if run else start
    if body[anchor - 2 : anchor] == ", ":
        window = max(0, anchor - 140)
        cut = max(body.rfind(ch, window, anchor - 2) for ch in _CLAUSE_CHARS)
        for brk in _SENTENCE_BREAK_RE.finditer(body, window, anchor):
            cut = max(cut, brk.start())
        segment = tokenise(body, max(window, cut + 1), anchor - 2)
        role = _np_after_determiner(body, segment, entity_at, anchored=True)
        if role:
            roles.append(role)
    if (
        body[end : end + 2] == ", "
        and norm_word(body[end + 2 : end + 8].split(" ")[0]) in _DETERMINERS
    ):
        limit = min(len(body), end + 120)
        hits = [i for ch in _CLAUSE_CHARS if (i := body.find(ch, end + 2, limit)) >= 0]
        after = tokenise(body, end + 2, min(hits, default=limit))
        if after and after[0].norm in _DETERMINERS:
            role = _np_after_determiner(body, after, entity_at, anchored=False)
            if role:
                roles.append(role)
    return roles


def roles_from_apposition(body: str, entities: Sequence[Entity]) -> tuple[Entity, ...]:
    """Entities with roles the text ties to each person added (kept: roles already known)."""
    entity_at = _EntityWords(
        [(m.start, m.end) for e in entities if e.label != "PERSON" for m in e.mentions]
    )
    out: list[Entity] = []
    for entity in entities:
        if entity.label != "PERSON":
            out.append(entity)
            continue
        roles = list(entity.roles)
        seen = {r.lower() for r in roles}
        for m in entity.mentions:
            if 2 <= m.start and m.end <= len(body):
                for role in _roles_near(body, m.start, m.end, entity_at):
                    if role.lower() not in seen:
                        seen.add(role.lower())
                        roles.append(role)
        out.append(dataclasses.replace(entity, roles=tuple(roles)))
    return tuple(out)
