"""A real Prometheus (Debian's package) scrapes a running worker and answers PromQL with the
count of stories we pushed."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from kafka import KafkaProducer

from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from pipeline.testing import seed_text
from tests.integration.conftest import free_port, require_tool, running_worker, wait_for

pytestmark = pytest.mark.integration


def prometheus() -> str:
    return require_tool("prometheus")


def query(port: int, promql: str) -> float | None:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=5) as response:
        result = json.load(response)["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def test_prometheus_scrapes_the_worker_and_counts_the_stories(
    settings: Settings, tmp_path: Path
) -> None:
    binary = prometheus()
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: wirestream\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{settings.web_port}']}}]\n"
    )
    ensure_topics(settings)
    stories = [
        seed_text(f"urn:prom:{n}", f"Harbour {n} in Tromso reopened on Monday.") for n in range(7)
    ]
    with running_worker(settings, tmp_path / "worker.log"):
        server = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "prometheus.log").open("wb"),
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/-/ready", timeout=60)
            producer = KafkaProducer(bootstrap_servers=settings.broker)
            for story in stories:
                producer.send(topic_specs(settings)["raw"].name, story).get(timeout=30)
            producer.close()
            promql = "sum(wirestream_stories_received_total{job='wirestream'})"
            deadline = time.monotonic() + 60
            value = None
            while value != len(stories):
                assert time.monotonic() < deadline, f"Prometheus saw {value}, not {len(stories)}"
                time.sleep(1)
                value = query(port, promql)
            assert query(port, "up{job='wirestream'}") == 1
        finally:
            server.terminate()
            server.wait(timeout=30)
