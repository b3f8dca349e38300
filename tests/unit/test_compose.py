"""Checks docker-compose.yml, deploy/Dockerfile and .dockerignore without a Docker engine: pinned
images, a KRaft broker that matches deploy/kafka/pom.xml, a scalable worker whose settings exist,
mounts that exist, health checks, and the image's health probe run against a local server.
"""

from __future__ import annotations

import fnmatch
import http.server
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import tomllib
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "deploy" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
POM = REPO / "deploy" / "kafka" / "pom.xml"
PROMETHEUS_CONFIG = REPO / "deploy" / "prometheus" / "prometheus.yml"

# name[:tag] where the tag is an exact version (v1.2.3, 4.1.1, 3.11.14-slim-bookworm), or a digest
_PINNED_IMAGE = re.compile(
    r"^[a-z0-9][a-z0-9._/-]*(:v?\d+\.\d+\.\d+([-.][A-Za-z0-9.-]+)?)?(@sha256:[0-9a-f]{64})?$"
)


def is_pinned(image: str) -> bool:
    match = _PINNED_IMAGE.match(image)
    return match is not None and (match.group(1) is not None or match.group(3) is not None)


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def services() -> dict[str, Any]:
    found: dict[str, Any] = compose()["services"]
    return found


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def instruction(name: str) -> list[str]:
    return [rest for keyword, rest in dockerfile_instructions() if keyword == name]


def healthcheck_command() -> list[str]:
    (check,) = instruction("HEALTHCHECK")
    command: list[str] = json.loads(check[check.index("CMD") + 3 :].strip())
    return command


def settings_env_names() -> set[str]:
    """Environment variable names the pydantic-settings class agents.settings.Settings reads."""
    settings = importlib.import_module("agents.settings").Settings
    prefix = settings.model_config.get("env_prefix", "")
    names: set[str] = set()
    for field_name, field in settings.model_fields.items():
        alias = field.validation_alias or field.alias
        if isinstance(alias, str):
            names.add(alias.upper())
        elif alias is not None and hasattr(alias, "choices"):
            names |= {choice.upper() for choice in alias.choices if isinstance(choice, str)}
        else:
            names.add(f"{prefix}{field_name}".upper())
    return names


def _pattern_matches(pattern: str, path: str) -> bool:
    if pattern.startswith("**/"):
        parts = path.split("/")
        return any(_pattern_matches(pattern[3:], "/".join(parts[i:])) for i in range(len(parts)))
    return fnmatch.fnmatchcase(path, pattern)


def dockerignore_excludes(path: str) -> bool:
    """Whether .dockerignore keeps `path` (or a folder above it) out of the build context."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if any(_pattern_matches(pattern, prefix) for prefix in prefixes):
            excluded = not negate
    return excluded


def test_stack_has_broker_worker_prometheus_and_grafana() -> None:
    assert set(services()) == {"kafka", "worker", "prometheus", "grafana"}


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("apache/kafka:4.1.1", True),
        ("prom/prometheus:v3.5.0", True),
        ("python:3.11.14-slim-bookworm", True),
        ("apache/kafka:latest", False),
        ("apache/kafka", False),
        ("grafana/grafana:12", False),
        ("python:3.11-slim", False),
    ],
)
def test_pin_rule(image: str, pinned: bool) -> None:
    assert is_pinned(image) is pinned


def test_every_image_is_pinned_to_an_exact_version() -> None:
    for name, service in services().items():
        if "image" in service:
            assert is_pinned(service["image"]), f"{name}: {service['image']} is not pinned"
        else:
            assert "build" in service, f"{name} has neither image nor build"
    for base in instruction("FROM"):
        image = base.split()[0]
        assert is_pinned(image), f"Dockerfile base {image} is not pinned"
        assert image.startswith("python:3.11.") and "-slim" in image


def test_kafka_image_is_the_version_the_local_broker_resolves() -> None:
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    pom_version = (
        ElementTree.parse(POM).getroot().findtext("m:properties/m:kafka.version", None, namespace)
    )
    assert pom_version
    assert services()["kafka"]["image"] == f"apache/kafka:{pom_version}"


def test_kafka_is_a_single_kraft_node_the_worker_can_reach() -> None:
    kafka = services()["kafka"]
    env = {key: str(value) for key, value in kafka["environment"].items()}
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    protocol_map = dict(
        pair.split(":") for pair in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")
    )
    listeners = {item.split("://")[0] for item in env["KAFKA_LISTENERS"].split(",")}
    assert listeners <= protocol_map.keys()
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] in listeners
    advertised = env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert not any(item.startswith("CONTROLLER://") for item in advertised)
    broker = services()["worker"]["environment"]["WIRESTREAM_BROKER"]
    assert f"{env['KAFKA_INTER_BROKER_LISTENER_NAME']}://{broker}" in advertised
    for key in (
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
    ):
        assert env[key] == "1", key
    data_mounts = [volume for volume in kafka["volumes"] if volume.startswith("kafka-data:")]
    assert data_mounts == [f"kafka-data:{env['KAFKA_LOG_DIRS']}"]
    assert "kafka-data" in compose()["volumes"]


def test_worker_environment_uses_wirestream_settings_only() -> None:
    env = services()["worker"]["environment"]
    assert {"WIRESTREAM_BROKER", "WIRESTREAM_WEB_PORT"} <= env.keys()
    assert all(name.startswith("WIRESTREAM_") for name in env)


def test_worker_environment_names_exist_in_settings() -> None:
    try:
        spec = importlib.util.find_spec("agents.settings")
    except ModuleNotFoundError:
        spec = None
    if spec is None:
        pytest.skip("agents/settings.py does not exist yet: cannot check the worker's env names")
    known = settings_env_names()
    image_env = " ".join(instruction("ENV"))
    used = set(services()["worker"]["environment"]) | set(re.findall(r"WIRESTREAM_\w+", image_env))
    unknown = used - known
    assert not unknown, f"not settings of agents.settings.Settings: {sorted(unknown)}"


def test_settings_env_names_follow_prefix_and_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import AliasChoices, Field
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class Settings(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="WIRESTREAM_")
        broker: str = "localhost:9092"
        web_port: int = 6066
        raw_topic: str = Field("wire.raw", validation_alias=AliasChoices("WIRESTREAM_RAW", "RAW"))

    stand_in = ModuleType("agents.settings")
    stand_in.Settings = Settings  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "agents.settings", stand_in)
    assert settings_env_names() == {
        "WIRESTREAM_BROKER",
        "WIRESTREAM_WEB_PORT",
        "WIRESTREAM_RAW",
        "RAW",
    }


def test_worker_can_be_scaled_and_waits_for_a_healthy_broker() -> None:
    worker = services()["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    assert (REPO / worker["build"]["context"] / worker["build"]["dockerfile"]).is_file()
    assert worker["depends_on"]["kafka"]["condition"] == "service_healthy"


def test_prometheus_scrapes_the_worker_service_on_its_web_port() -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    (job,) = [job for job in config["scrape_configs"] if job["job_name"] == "wirestream"]
    (discovery,) = job["dns_sd_configs"]
    assert discovery["names"] == ["worker"] and "worker" in services()
    port = int(services()["worker"]["environment"]["WIRESTREAM_WEB_PORT"])
    assert discovery["port"] == port
    assert instruction("EXPOSE") == [str(port)]


def test_bind_mounts_point_at_files_in_the_repository() -> None:
    mounts = [
        volume.split(":")
        for service in services().values()
        for volume in service.get("volumes", [])
        if volume.startswith("./")
    ]
    assert mounts
    for source, *_ in mounts:
        assert (REPO / source).exists(), f"{source} is mounted but missing"
    prometheus = services()["prometheus"]
    (config_flag,) = [arg for arg in prometheus["command"] if arg.startswith("--config.file=")]
    config_in_container = Path(config_flag.split("=", 1)[1])
    (source,) = [src for src, dst, *_ in mounts if Path(dst) == config_in_container.parent]
    assert (REPO / source / config_in_container.name).is_file()


def test_every_long_running_service_has_a_healthcheck() -> None:
    for name in ("kafka", "prometheus", "grafana"):
        test = services()[name]["healthcheck"]["test"]
        assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
    assert "/health" in " ".join(healthcheck_command())


def test_image_runs_the_worker_as_an_unprivileged_user_without_java() -> None:
    (user,) = instruction("USER")
    assert user.split(":")[0] not in ("root", "0")
    assert json.loads(instruction("CMD")[-1]) == ["wirestream", "worker"]
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert "wirestream" in scripts
    text = " ".join(instruction("FROM") + instruction("RUN")).lower()
    assert not re.search(r"\b(openjdk|default-jre|temurin|maven|mvn)\b", text)


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        code = self.status if self.path == "/health" else 404
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def health_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _probe(port: int) -> int:
    command = healthcheck_command()
    assert command[0] == "python"
    env = {**os.environ, "WIRESTREAM_WEB_PORT": str(port)}
    return subprocess.run(
        [sys.executable, *command[1:]], env=env, capture_output=True, timeout=30, check=False
    ).returncode


def test_image_healthcheck_passes_on_200_and_fails_otherwise(
    health_server: http.server.HTTPServer,
) -> None:
    port = health_server.server_address[1]
    assert _probe(port) == 0
    _Health.status = 503
    try:
        assert _probe(port) != 0
    finally:
        _Health.status = 200
    health_server.shutdown()
    health_server.server_close()
    assert _probe(port) != 0  # nothing listening any more


def test_dockerignore_keeps_sources_and_drops_local_state() -> None:
    for kept in (
        "pyproject.toml",
        "README.md",
        "pipeline/story.py",
        "agents/cli/commands.py",
        "schemas/raw_story.v1.json",
        "deploy/kafka/pom.xml",
    ):
        assert not dockerignore_excludes(kept), kept
    for dropped in (
        ".venv/bin/python",
        ".git/HEAD",
        "tests/unit/test_compose.py",
        "pipeline/__pycache__/story.cpython-311.pyc",
    ):
        assert dockerignore_excludes(dropped), dropped
