"""Entities stage (after the model, before quotes): one Entity per person, place or organisation.

`group_entities(body, spans)` turns the model's raw spans into grouped, labelled entities with
every mention. Mention rules, organisation cues, titles, nationality words and the gazetteer
are the modules of this package.
"""

from __future__ import annotations

from pipeline.entities.grouping import PUBLISHED, group_entities

__all__ = ["PUBLISHED", "group_entities"]
