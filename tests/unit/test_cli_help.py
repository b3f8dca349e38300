"""Commands that explain themselves: `--help` on every subcommand lists its options."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agents.cli import cli

RUNNER = CliRunner()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["worker"], ["WIRESTREAM_BROKER=127.0.0.1:9092", "WIRESTREAM_BATCH_SIZE=32"]),
        (["enrich"], ["--pretty"]),
        (["push"], ["paths", "files, folders or globs"]),
        (["tail"], ["--count", "--dead-letters", "default: 10"]),
        (["demo"], ["--stop"]),
        (["bench"], ["--stories", "--steady-rate", "--json", "(default:"]),
        (["eval"], ["--corpora", "--limit", "--skip-cost"]),
        (["broker", "start"], ["Usage"]),
    ],
)
def test_every_subcommand_lists_its_options(args: list[str], expected: list[str]) -> None:
    result = RUNNER.invoke(cli, [*args, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.output, (text, result.output)


def test_bench_json_prints_the_result_document(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench import throughput

    document: dict[str, Any] = {"limit": {"stories_per_second": 25.0}, "offline": {"profile": []}}
    monkeypatch.setattr(throughput, "run", lambda opts: dict(document))
    monkeypatch.setattr(throughput, "verdicts", lambda report: {"end_to_end": "met"})
    monkeypatch.setattr(throughput, "render", lambda report: "TABLE")
    assert throughput.main(["--json", "--output", str(tmp_path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["limit"] == {"stories_per_second": 25.0}
    assert printed["targets"] == {"end_to_end": "met"}
    (written,) = tmp_path.glob("*.json")
    assert json.loads(written.read_text()) == printed
