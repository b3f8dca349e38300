"""Checks deploy/prometheus: promtool accepts the config and the alert rules, the alert unit tests
pass, and every metric an alert reads is one the worker exports (the agents/metrics.py contract).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PROM_DIR = REPO / "deploy" / "prometheus"
CONFIG = PROM_DIR / "prometheus.yml"
ALERTS = PROM_DIR / "alerts.yml"
ALERTS_TEST = PROM_DIR / "alerts_test.yml"
OPERATIONS_DOC = REPO / "docs" / "operations.md"

# The metrics the worker exports, as agreed with agents/metrics.py (name -> Prometheus type).
# Used when agents.metrics is not there yet or does not expose METRIC_NAMES.
CONTRACT: dict[str, str] = {
    "wirestream_stories_received_total": "counter",
    "wirestream_stories_enriched_total": "counter",
    "wirestream_events_published_total": "counter",
    "wirestream_dead_letters_total": "counter",
    "wirestream_duplicates_dropped_total": "counter",
    "wirestream_stories_killed_total": "counter",
    "wirestream_stage_seconds": "histogram",
    "wirestream_end_to_end_latency_seconds": "histogram",
    "wirestream_consumer_lag_messages": "gauge",
    "wirestream_batch_size_stories": "histogram",
    "wirestream_story_entities": "histogram",
    "wirestream_story_quotes": "histogram",
    "wirestream_story_size_bytes": "histogram",
    "wirestream_rebalances_total": "counter",
    "wirestream_event_loop_lag_seconds": "gauge",
    "wirestream_build_info": "gauge",
    "wirestream_ingest_requests_total": "counter",
    "wirestream_fetch_stalls_recovered_total": "counter",
    "wirestream_permanent_errors": "gauge",
}

REQUIRED_ALERTS = {
    "WirestreamWorkerDown",
    "WirestreamLagGrowing",
    "WirestreamNoProgress",
    "WirestreamDeadLetterRate",
    "WirestreamLatencyP99High",
    "WirestreamRebalanceStorm",
    "WirestreamOutputBlocked",
    "WirestreamEventTooLarge",
}

_METRIC_TOKEN = re.compile(r"\bwirestream_[a-z0-9_]+")
_HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def promtool() -> str:
    """Path of promtool; skips locally when absent, fails under CI (CI must install it)."""
    found = shutil.which("promtool")
    if found:
        return found
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail("promtool is missing under CI: .ci/run must call deploy/install-tools.sh")
    pytest.skip("promtool not installed (run `bash deploy/install-tools.sh` to get it)")


def run_promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def _expansions(name: str, kind: str | None) -> set[str]:
    """The series names a metric shows up as in the text exposition format."""
    if kind == "histogram":
        return {name + suffix for suffix in _HISTOGRAM_SUFFIXES}
    if kind in ("counter", "gauge"):
        return {name}
    base = name.removesuffix("_total")
    return {name, base + "_total", *(base + suffix for suffix in _HISTOGRAM_SUFFIXES)}


def agents_metrics() -> ModuleType | None:
    """agents.metrics when that module exists, else None."""
    try:
        spec = importlib.util.find_spec("agents.metrics")
    except ModuleNotFoundError:
        return None
    return None if spec is None else importlib.import_module("agents.metrics")


def exported_series_names() -> set[str]:
    """Series names the worker exports: agents.metrics.METRIC_NAMES when it exists (types read
    from its REGISTRY when it has one), otherwise CONTRACT."""
    module = agents_metrics()
    declared: Iterable[str] = getattr(module, "METRIC_NAMES", CONTRACT)
    kinds = dict(CONTRACT)
    registry = getattr(module, "REGISTRY", None)
    if registry is not None:
        for family in registry.collect():
            kind = str(family.type)
            kinds[family.name + "_total" if kind == "counter" else family.name] = kind
    names: set[str] = set()
    for name in declared:
        if name in kinds:
            names |= _expansions(name, kinds[name])
        elif name + "_total" in kinds:  # a counter declared without its suffix
            names |= _expansions(name + "_total", "counter")
        else:
            names |= _expansions(name, None)
    return names


def metric_names_in(expr: str) -> set[str]:
    return set(_METRIC_TOKEN.findall(expr))


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def alert_rules() -> list[dict[str, Any]]:
    groups = load_yaml(ALERTS)["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def markdown_anchors(text: str) -> set[str]:
    """GitHub-style anchors of the headings of a Markdown document."""
    anchors = set()
    for line in text.splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^a-z0-9 _-]", "", title).replace(" ", "-"))
    return anchors


def test_promtool_accepts_the_config_and_its_rule_files() -> None:
    result = run_promtool("check", "config", CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_promtool_accepts_the_alert_rules() -> None:
    result = run_promtool("check", "rules", ALERTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(alert_rules())} rules found" in result.stdout + result.stderr


def test_alert_unit_tests_pass() -> None:
    result = run_promtool("test", "rules", ALERTS_TEST)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rejects_a_broken_alert(tmp_path: Path) -> None:
    """The checks above can fail: the same rules with one unbalanced parenthesis are refused."""
    broken = ALERTS.read_text(encoding="utf-8").replace(
        "max(increase(wirestream_rebalances_total[10m]))",
        "max(increase(wirestream_rebalances_total[10m])",
    )
    assert broken != ALERTS.read_text(encoding="utf-8")
    target = tmp_path / "alerts.yml"
    target.write_text(broken, encoding="utf-8")
    assert run_promtool("check", "rules", target).returncode != 0


def test_every_required_alert_is_defined_once() -> None:
    names = [rule["alert"] for rule in alert_rules()]
    assert sorted(names) == sorted(REQUIRED_ALERTS)


def test_every_alert_has_a_firing_and_a_quiet_unit_test() -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for case in load_yaml(ALERTS_TEST)["tests"]:
        for check in case.get("alert_rule_test", []):
            (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    assert REQUIRED_ALERTS <= firing, REQUIRED_ALERTS - firing
    assert REQUIRED_ALERTS <= quiet, REQUIRED_ALERTS - quiet


def test_alerts_carry_severity_and_a_runbook_that_exists() -> None:
    anchors = markdown_anchors(OPERATIONS_DOC.read_text(encoding="utf-8"))
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        annotations = rule["annotations"]
        assert {"summary", "description", "runbook"} <= annotations.keys(), rule["alert"]
        link = re.match(r"docs/operations\.md#([a-z0-9_-]+)", annotations["runbook"])
        assert link, f"{rule['alert']}: runbook must start with docs/operations.md#anchor"
        assert link.group(1) in anchors, f"{rule['alert']}: no heading for #{link.group(1)}"


def test_alerts_only_read_metrics_the_worker_exports() -> None:
    used = {name for rule in alert_rules() for name in metric_names_in(rule["expr"])}
    assert "wirestream_consumer_lag_messages" in used  # the extraction found the alerts' metrics
    unknown = used - exported_series_names()
    assert not unknown, f"alerts read metrics the worker does not export: {sorted(unknown)}"


def test_metric_extraction_spots_a_misspelt_metric() -> None:
    expr = 'sum(rate(wirestream_stories_recieved_total[5m])) and up{job="wirestream"}'
    assert metric_names_in(expr) - exported_series_names() == {"wirestream_stories_recieved_total"}


def test_workers_are_scraped_through_dns_discovery_of_the_worker_service() -> None:
    config = load_yaml(CONFIG)
    assert "alerts.yml" in config["rule_files"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    job = jobs["wirestream"]
    assert job.get("metrics_path", "/metrics") == "/metrics"
    assert job["dns_sd_configs"] == [
        {"names": ["worker"], "type": "A", "port": 6066, "refresh_interval": "15s"}
    ]


def test_promtool_is_required_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="install-tools"):
        promtool()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        promtool()


def test_fallback_contract_matches_agents_metrics() -> None:
    module = agents_metrics()
    if module is None or not hasattr(module, "METRIC_NAMES"):
        pytest.skip("agents/metrics.py with METRIC_NAMES does not exist yet")
    declared = {name if name in CONTRACT else name + "_total" for name in module.METRIC_NAMES}
    assert declared == set(CONTRACT)
