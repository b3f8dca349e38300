"""The Kubernetes manifests parse and configure the worker only with settings it has."""

from __future__ import annotations

from pathlib import Path

import yaml

from agents.settings import Settings

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "worker.yaml"


def test_worker_manifest_uses_only_known_settings_and_probes_health() -> None:
    documents = {doc["kind"]: doc for doc in yaml.safe_load_all(MANIFEST.read_text())}
    assert set(documents) == {"ConfigMap", "Deployment", "Service"}
    fields = {f"WIRESTREAM_{name.upper()}" for name in Settings.model_fields}
    assert set(documents["ConfigMap"]["data"]) <= fields
    settings = Settings(
        **{
            k.removeprefix("WIRESTREAM_").lower(): v
            for k, v in documents["ConfigMap"]["data"].items()
        }
    )
    assert settings.web_port == 6066
    container = documents["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health"
    assert container["resources"]["limits"]["memory"] == "1536Mi"
