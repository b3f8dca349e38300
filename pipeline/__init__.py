"""Pure enrichment of wire stories: parse -> normalise -> date-stamp -> entities -> quotes -> timex.

Nothing in this package imports Kafka, Faust or asyncio; it runs the same in a worker, a test
and the CLI.
"""
