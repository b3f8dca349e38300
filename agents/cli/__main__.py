"""`python -m agents.cli`: the same command as `wirestream`."""

from __future__ import annotations

from agents.cli.commands import main

main()
