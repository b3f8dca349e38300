"""The `wirestream` command line: broker, worker, enrich, push, tail, demo, stop, bench, eval.

`commands` declares the commands; `demo`, `push` and `kafka_io` do the work of the ones that
talk to Kafka. Nothing here is imported by the worker or the web views.
"""

from __future__ import annotations

from agents.cli.commands import cli, main

__all__ = ["cli", "main"]
