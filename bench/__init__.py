"""Benchmarks of the enrichment stages against public gold corpora (`wirestream eval`)."""

from __future__ import annotations
