"""The `wirestream` command: broker, worker, enrich (offline), push, tail, demo."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agents.cli.kafka_io import local_broker
from agents.settings import load_settings, settings_help

if TYPE_CHECKING:
    from pipeline.enrich import Enricher

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
broker_cli = typer.Typer(no_args_is_help=True, help="The local single-node Kafka broker (KRaft).")
cli.add_typer(broker_cli, name="broker")


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(1)


@broker_cli.command("start")
def broker_start() -> None:
    """Fetch the broker's jars if needed, then start it (idempotent) and wait until it answers."""
    from deploy.kafka.broker import BrokerError

    broker = local_broker(load_settings())
    try:
        broker.start()
    except BrokerError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(broker.status())


@broker_cli.command("stop")
def broker_stop() -> None:
    broker = local_broker(load_settings())
    broker.stop()
    typer.echo(broker.status())


@broker_cli.command("status")
def broker_status() -> None:
    typer.echo(local_broker(load_settings()).status())


@cli.command(epilog="Settings, read from the environment:\n\n" + settings_help())
def worker() -> None:
    """Run the enrichment worker (a Faust worker) against WIRESTREAM_BROKER. It takes no
    options: every setting comes from a WIRESTREAM_* variable (listed below with defaults)."""
    run_worker()


def run_worker(enricher: Enricher | None = None) -> None:
    """Topics ensured, local state scoped to this app and cluster, then the Faust worker;
    `enricher` replaces the default one (the fault tests' worker passes a failing one)."""
    import faust

    from agents.logs import logging_config
    from agents.security import KafkaSecurityError
    from agents.web.ingest import IngestExposed
    from agents.worker.app import create_app
    from agents.worker.state import cluster_id, scoped_settings
    from agents.worker.topics import ensure_topics

    settings = load_settings()
    try:
        ensure_topics(settings)
        settings = scoped_settings(settings, cluster_id(settings))
        app = create_app(settings, enricher)
    except (KafkaSecurityError, IngestExposed) as exc:
        raise _fail(str(exc)) from exc
    faust.Worker(
        app,
        loglevel=settings.log_level,
        override_logging=True,
        logging_config=logging_config(settings.log_json, settings.log_level),
    ).execute_from_commandline()


@cli.command()
def enrich(
    paths: Annotated[list[Path] | None, typer.Argument(help="story files; stdin when none")] = None,
    pretty: Annotated[bool, typer.Option(help="indent the JSON")] = False,
) -> None:
    """Enrich stories offline, with no Kafka: one event JSON per line on stdout."""
    import orjson

    from pipeline.enrich import Enriched, Enricher, RawInput
    from pipeline.nlp import LanguageModel
    from schemas.events import enriched_event

    settings = load_settings()
    inputs = (
        [RawInput(p.read_bytes()) for p in paths] if paths else [RawInput(sys.stdin.buffer.read())]
    )
    enricher = Enricher(LanguageModel(settings.model), max_story_bytes=settings.max_story_bytes)
    failed = 0
    names = [str(p) for p in paths] if paths else ["<stdin>"]
    for name, outcome in zip(names, enricher(inputs), strict=True):
        if isinstance(outcome, Enriched):
            option = orjson.OPT_INDENT_2 if pretty else 0
            sys.stdout.buffer.write(
                orjson.dumps(enriched_event(outcome.story), option=option) + b"\n"
            )
        else:
            failed += 1
            typer.secho(
                f"{name}: {outcome.code} at {outcome.stage}: {outcome.message}",
                fg=typer.colors.RED,
                err=True,
            )
    if failed:
        raise typer.Exit(2)


@cli.command()
def push(
    paths: Annotated[list[str], typer.Argument(help="files, folders or globs of stories")],
) -> None:
    """Send story files to the raw topic, one message per file."""
    from agents.cli.push import push_paths

    sent, failed = push_paths(load_settings(), paths)
    typer.echo(f"sent {sent}, failed {failed}")
    if failed:
        raise typer.Exit(1)


@cli.command()
def tail(
    count: Annotated[int, typer.Option(help="stop after this many events")] = 10,
    dead_letters: Annotated[bool, typer.Option("--dead-letters", help="read dead letters")] = False,
    timeout: Annotated[float, typer.Option(help="seconds of silence before giving up")] = 30.0,
) -> None:
    """Print events from the enriched (or dead-letter) topic."""
    from agents.cli.demo import show_event
    from agents.cli.kafka_io import read_events
    from agents.worker.topics import topic_specs

    settings = load_settings()
    topic = topic_specs(settings)["dead_letter" if dead_letters else "enriched"].name
    for event in read_events(settings, topic, until_count=count, timeout=timeout):
        show_event(event)


@cli.command()
def demo(
    stop: Annotated[bool, typer.Option(help="stop worker and broker at the end")] = False,
) -> None:
    """Start the local broker and a worker, push the sample stories, show what came back."""
    from agents.cli.demo import run_demo

    raise typer.Exit(run_demo(load_settings(), stop_after=stop))


@cli.command()
def stop() -> None:
    """Stop the worker the demo started, then the local broker."""
    from agents.cli.demo import stop_all

    stop_all(load_settings())


_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


@cli.command(context_settings=_PASS_THROUGH, add_help_option=False)
def bench(ctx: typer.Context) -> None:
    """Throughput and latency benchmark: bare NLP limit vs offline pipeline vs end to end."""
    from bench.throughput import main as bench_main

    raise typer.Exit(bench_main(list(ctx.args)))


@cli.command(name="eval", context_settings=_PASS_THROUGH, add_help_option=False)
def evaluate(ctx: typer.Context) -> None:
    """Quality figures against gold annotations, beside off-the-shelf baselines."""
    from bench.eval import main as eval_main

    raise typer.Exit(eval_main(list(ctx.args)))


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
