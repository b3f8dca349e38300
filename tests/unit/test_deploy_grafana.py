"""Checks deploy/grafana: the provisioned datasource and dashboard load where docker-compose.yml
mounts them, every panel query is PromQL that promtool parses, and reads exported metrics only.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml


def _sibling(name: str) -> ModuleType:
    """The shared promtool/contract helpers of test_deploy_prometheus.py, loaded by path."""
    path = Path(__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_wirestream_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


prom = _sibling("test_deploy_prometheus")

REPO = Path(__file__).resolve().parents[2]
GRAFANA = REPO / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "wirestream.json"
DATASOURCES = GRAFANA / "provisioning" / "datasources" / "prometheus.yml"
PROVIDERS = GRAFANA / "provisioning" / "dashboards" / "wirestream.yml"
COMPOSE = REPO / "docker-compose.yml"

# Grafana fills these in before sending a query; promtool needs a real duration.
_GRAFANA_MACROS = re.compile(r"\$__(rate_interval|interval|range)\b")

# Panel title -> metrics its queries must read (and query fragments they must contain).
REQUIRED_PANELS: dict[str, tuple[set[str], tuple[str, ...]]] = {
    "Throughput": (
        {
            "wirestream_stories_received_total",
            "wirestream_stories_enriched_total",
            "wirestream_dead_letters_total",
        },
        (),
    ),
    "End-to-end latency": (
        {"wirestream_end_to_end_latency_seconds_bucket"},
        ("histogram_quantile(0.5,", "histogram_quantile(0.95,", "histogram_quantile(0.99,"),
    ),
    "Consumer lag by partition": ({"wirestream_consumer_lag_messages"}, ("partition)",)),
    "Dead letters by reason": ({"wirestream_dead_letters_total"}, ("by (reason)",)),
    "Stage time p95": (
        {"wirestream_stage_seconds_bucket"},
        ("histogram_quantile(0.95,", "by (stage, le)"),
    ),
    "Batch size": ({"wirestream_batch_size_stories_bucket"}, ()),
    "Entities and quotes per story": (
        {"wirestream_story_entities_sum", "wirestream_story_quotes_sum"},
        (),
    ),
    "Worker up": (set(), ('up{job="wirestream"}',)),
}


def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return data


def query_panels() -> list[dict[str, Any]]:
    return [panel for panel in dashboard()["panels"] if panel["type"] != "row"]


def panel_exprs(panel: dict[str, Any]) -> list[str]:
    return [target["expr"] for target in panel.get("targets", [])]


def as_promql(expr: str) -> str:
    return _GRAFANA_MACROS.sub("5m", expr)


def test_dashboard_is_json_with_the_wirestream_uid_and_unique_panel_ids() -> None:
    board = dashboard()
    assert board["uid"] == "wirestream"
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    assert all(panel_exprs(panel) for panel in query_panels())


def test_every_panel_query_is_promql_that_promtool_parses(tmp_path: Path) -> None:
    rules = []
    for panel in query_panels():
        for target in panel["targets"]:
            expr = as_promql(target["expr"])
            assert "$" not in expr, f"unknown Grafana variable in {panel['title']!r}: {expr}"
            rules.append({"record": f"panel_{panel['id']}_{target['refId']}", "expr": expr})
    rules_file = tmp_path / "panels.yml"
    rules_file.write_text(
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}), encoding="utf-8"
    )
    result = prom.run_promtool("check", "rules", rules_file)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(rules)} rules found" in result.stdout + result.stderr


def test_promtool_check_catches_a_bad_panel_query(tmp_path: Path) -> None:
    rules_file = tmp_path / "panels.yml"
    bad = {"record": "panel_bad", "expr": as_promql("sum(rate(x[$__rate_interval])")}
    rules_file.write_text(
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": [bad]}]}), encoding="utf-8"
    )
    assert prom.run_promtool("check", "rules", rules_file).returncode != 0


def test_dashboard_only_reads_metrics_the_worker_exports() -> None:
    used = {
        name
        for panel in query_panels()
        for expr in panel_exprs(panel)
        for name in prom.metric_names_in(expr)
    }
    assert "wirestream_stage_seconds_bucket" in used
    unknown = used - prom.exported_series_names()
    assert not unknown, f"dashboard reads metrics the worker does not export: {sorted(unknown)}"


def test_dashboard_has_the_panels_operators_need() -> None:
    panels = {panel["title"]: panel for panel in query_panels()}
    for title, (metrics, fragments) in REQUIRED_PANELS.items():
        assert title in panels, f"missing panel {title!r}"
        exprs = " ".join(panel_exprs(panels[title]))
        assert metrics <= prom.metric_names_in(exprs), (title, metrics)
        for fragment in fragments:
            assert fragment in exprs, (title, fragment)


def test_panels_query_the_provisioned_prometheus_datasource() -> None:
    datasources = yaml.safe_load(DATASOURCES.read_text(encoding="utf-8"))["datasources"]
    (source,) = [ds for ds in datasources if ds["type"] == "prometheus"]
    assert source["url"] == "http://prometheus:9090"
    for panel in query_panels():
        assert panel["datasource"]["uid"] == source["uid"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == source["uid"], panel["title"]


def test_panels_fit_the_grid_without_overlapping() -> None:
    cells: dict[tuple[int, int], str] = {}
    for panel in dashboard()["panels"]:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"{panel['title']!r} overlaps {cells[(x, y)]!r}"
                cells[(x, y)] = panel["title"]


def test_grafana_loads_the_dashboard_from_where_compose_mounts_it() -> None:
    grafana = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["grafana"]
    mounts = dict(volume.split(":")[:2] for volume in grafana["volumes"] if volume.startswith("./"))
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    (provider,) = yaml.safe_load(PROVIDERS.read_text(encoding="utf-8"))["providers"]
    dashboards_in_container = mounts["./deploy/grafana/dashboards"]
    assert provider["options"]["path"] == dashboards_in_container
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{dashboards_in_container}/{DASHBOARD.name}"
    assert grafana["environment"]["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"
