"""Thin Faust wiring: topics, agents, tables, web views, metrics and the CLI. No NLP, no parsing."""
