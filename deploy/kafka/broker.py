"""Fetch, format, start and stop a local single-node Apache Kafka broker in KRaft mode.

Jars come from Maven Central through deploy/kafka/pom.xml into a cache outside the repository;
the broker runs `kafka.Kafka` on loopback with its state and log under one directory.
Used by `wirestream broker`, the demo and the integration-test fixtures.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
LOG4J_CONFIG = HERE / "log4j2.properties"
TEMPLATE = HERE / "server.properties.template"


class BrokerError(RuntimeError):
    """The local broker could not be fetched, started or reached; the message says why."""


def kafka_version() -> str:
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM.read_text())
    if match is None:  # pragma: no cover - the pom is ours
        raise BrokerError(f"{POM} has no <kafka.version> property")
    return match.group(1)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wirestream"


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "wirestream"


def require_tool(name: str, purpose: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BrokerError(
            f"`{name}` was not found on PATH; it is needed to {purpose}. "
            "Install Java 17+ and Maven (Debian: apt-get install openjdk-17-jre-headless maven)."
        )
    return path


def fetch_jars(cache_dir: Path | None = None) -> Path:
    """Resolve the broker's jars from Maven Central once; later calls reuse the cache."""
    version = kafka_version()
    libs = (cache_dir or default_cache_dir()) / f"kafka-{version}" / "libs"
    marker = libs / ".complete"
    if marker.exists():
        return libs
    mvn = require_tool("mvn", "fetch the Kafka broker's jars from Maven Central")
    libs.mkdir(parents=True, exist_ok=True)
    command = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(POM),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={libs}",
        "-DincludeScope=runtime",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BrokerError(
            f"Maven could not fetch Kafka {version} jars (exit {result.returncode}):\n"
            + (result.stdout + result.stderr)[-2000:]
        )
    marker.write_text(version)
    return libs


@dataclass(frozen=True)
class KeyStore:
    """The broker's TLS identity for SSL/SASL_SSL listeners: a PEM file holding its PKCS#8
    private key followed by its certificate chain (type PEM), or a JKS/PKCS12 keystore."""

    location: Path
    type: str = "PEM"
    password: str | None = field(default=None, repr=False)
    key_password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ScramUser:
    """A SASL/SCRAM user written into the cluster metadata when the storage is formatted."""

    name: str
    password: str = field(repr=False)
    mechanism: str = "SCRAM-SHA-512"

    def format_argument(self) -> str:
        """The `StorageTool format --add-scram` value; refuses characters its parser splits on."""
        for label, value in (("name", self.name), ("password", self.password)):
            if not value or not SCRAM_SAFE.fullmatch(value):
                raise BrokerError(
                    f"SCRAM {label} of user {self.name!r} must be non-empty and free of "
                    "spaces, quotes, commas, '=' and brackets"
                )
        return f"{self.mechanism}=[name={self.name},password={self.password}]"


SCRAM_SAFE = re.compile(r"[^\s,=\[\]\"']+")
JAAS_SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule required;"


def listener_security(
    listeners: tuple[tuple[str, int, str], ...],
    keystore: KeyStore | None,
    mechanisms: tuple[str, ...],
) -> dict[str, str]:
    """Per-listener TLS keystore and SASL settings for every SSL/SASL listener in `listeners`."""
    config: dict[str, str] = {}
    sasl = [name for name, _, proto in listeners if proto.startswith("SASL_")]
    if sasl:
        config["sasl.enabled.mechanisms"] = ",".join(mechanisms)
    for name, _, proto in listeners:
        prefix = f"listener.name.{name.lower()}"
        if proto in ("SSL", "SASL_SSL"):
            if keystore is None:
                raise BrokerError(f"listener {name} speaks {proto} but the broker has no keystore")
            config[f"{prefix}.ssl.keystore.type"] = keystore.type
            config[f"{prefix}.ssl.keystore.location"] = str(keystore.location)
            if keystore.password is not None:
                config[f"{prefix}.ssl.keystore.password"] = keystore.password
            if keystore.key_password is not None:
                config[f"{prefix}.ssl.key.password"] = keystore.key_password
            config[f"{prefix}.ssl.client.auth"] = "none"
        if name in sasl:
            config[f"{prefix}.sasl.enabled.mechanisms"] = ",".join(mechanisms)
            for mechanism in mechanisms:
                config[f"{prefix}.{mechanism.lower()}.sasl.jaas.config"] = JAAS_SCRAM
    return config


@dataclass
class LocalBroker:
    """One broker: its ports, its state directory (data, config, pid, broker.log). The first
    listener is always PLAINTEXT (inter-broker, admin, health checks); extra listeners may speak
    SSL or SASL_SSL/SASL_PLAINTEXT with `keystore` and the SCRAM `scram_users` created at format
    time (only when the storage is new)."""

    port: int = 9092
    controller_port: int = 9093
    state_dir: Path = field(default_factory=lambda: default_state_dir() / "broker-9092")
    cache_dir: Path | None = None
    heap: str = "768m"
    # extra listeners (TLS/SASL) as (name, port, protocol); extra settings as key=value lines,
    # each replacing the template's line of the same key (message.max.bytes=1048576 gives a
    # stock broker's record limit, auto.create.topics.enable=false a production broker's rule)
    extra_listeners: tuple[tuple[str, int, str], ...] = ()
    extra_config: dict[str, str] = field(default_factory=dict)
    jvm_options: tuple[str, ...] = ()
    keystore: KeyStore | None = None
    scram_users: tuple[ScramUser, ...] = ()

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "broker.log"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "broker.pid"

    @property
    def data_dir(self) -> Path:
        return self.state_dir / "data"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:  # pragma: no cover - someone else's process
            return None
        return pid

    def is_running(self) -> bool:
        return self.pid() is not None and port_open(self.port)

    def write_config(self) -> Path:
        listeners = [("PLAINTEXT", self.port, "PLAINTEXT"), *self.extra_listeners]
        protocol_map = {name: proto for name, _, proto in listeners}
        protocol_map["CONTROLLER"] = "PLAINTEXT"
        security = listener_security(self.extra_listeners, self.keystore, self.sasl_mechanisms)
        text = TEMPLATE.read_text().format(
            controller_port=self.controller_port,
            listeners=",".join(
                [f"{n}://127.0.0.1:{p}" for n, p, _ in listeners]
                + [f"CONTROLLER://127.0.0.1:{self.controller_port}"]
            ),
            advertised_listeners=",".join(f"{n}://127.0.0.1:{p}" for n, p, _ in listeners),
            protocol_map=",".join(f"{k}:{v}" for k, v in protocol_map.items()),
            inter_broker_listener="PLAINTEXT",
            data_dir=self.data_dir,
            partitions=3,
            security="\n".join(f"{k}={v}" for k, v in security.items()),
            extra="",
        )
        lines = [x for x in text.splitlines() if _setting_key(x) not in self.extra_config]
        lines += [f"{k}={v}" for k, v in self.extra_config.items()]
        text = "\n".join(lines) + "\n"
        config = self.state_dir / "server.properties"
        config.touch(mode=0o600)  # it may hold keystore passwords
        config.write_text(text)
        return config

    @property
    def sasl_mechanisms(self) -> tuple[str, ...]:
        found = dict.fromkeys(user.mechanism for user in self.scram_users)
        return tuple(found) or ("SCRAM-SHA-512",)

    def _format_command(self, libs: Path, config: Path, cluster_id: str) -> list[str]:
        scram = [arg for u in self.scram_users for arg in ("--add-scram", u.format_argument())]
        return self._java(
            libs, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config), *scram
        )

    def _redact(self, text: str) -> str:
        for user in self.scram_users:
            text = text.replace(user.password, "**********")
        return text

    def _java(self, libs: Path, *args: str) -> list[str]:
        java = require_tool("java", "run the Kafka broker")
        return [
            java,
            f"-Xmx{self.heap}",
            f"-Xms{self.heap}",
            f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
            *self.jvm_options,
            "-cp",
            f"{libs}/*",
            *args,
        ]

    def start(self, timeout: float = 90.0) -> None:
        """Start the broker unless it already runs; return once it answers on its port."""
        if self.is_running():
            return
        if port_open(self.port):
            raise BrokerError(
                f"port {self.port} is already taken by another process; stop it or pick "
                "another port (WIRESTREAM_BROKER_PORT)"
            )
        libs = fetch_jars(self.cache_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        config = self.write_config()
        if not (self.data_dir / "meta.properties").exists():
            fmt = subprocess.run(
                self._format_command(libs, config, new_cluster_id()),
                capture_output=True,
                text=True,
                check=False,
            )
            if fmt.returncode != 0:
                raise BrokerError(
                    "formatting the KRaft storage failed:\n" + self._redact(fmt.stdout + fmt.stderr)
                )
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                self._java(libs, "kafka.Kafka", str(config)),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise BrokerError(
                    f"the broker exited with code {process.returncode}; last lines of "
                    f"{self.log_file}:\n{tail(self.log_file)}"
                )
            if broker_answers(self.bootstrap):
                return
            time.sleep(0.5)
        self.stop()
        raise BrokerError(f"the broker did not answer within {timeout:.0f}s; see {self.log_file}")

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the broker gracefully (SIGTERM), killing it if it lingers. Idempotent."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.pid() is not None:
            time.sleep(0.2)
            _reap(pid)
        if self.pid() is not None:
            os.killpg(pid, signal.SIGKILL)
            _reap(pid)
        self.pid_file.unlink(missing_ok=True)

    def kill(self) -> None:
        """Hard-stop the broker (SIGKILL), as a crash would. For fault-injection tests."""
        pid = self.pid()
        if pid is not None:
            os.killpg(pid, signal.SIGKILL)
            _reap(pid)

    def status(self) -> str:
        pid = self.pid()
        if pid is None:
            return f"stopped (state in {self.state_dir})"
        answering = "answering" if broker_answers(self.bootstrap, timeout=5) else "not answering"
        return f"running, pid {pid}, {answering} on {self.bootstrap}; log {self.log_file}"


def _setting_key(line: str) -> str | None:
    """The key of a `key=value` line of server.properties; None for comments and blanks."""
    if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
        return None
    return line.split("=", 1)[0].strip()


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def broker_answers(bootstrap: str, timeout: float = 3.0) -> bool:
    """True once the broker serves metadata (a controller is elected and it is unfenced)."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            request_timeout_ms=int(timeout * 1000),
            bootstrap_timeout_ms=int(timeout * 1000),
        )
    except (KafkaError, OSError, ValueError):
        return False
    try:
        admin.list_topics()
        return bool(admin.describe_cluster().get("brokers"))
    except (KafkaError, OSError, ValueError):
        return False
    finally:
        admin.close()


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log written)"


def new_cluster_id() -> str:
    """A random KRaft cluster id: 16 bytes in URL-safe base64. One that starts with "-" would
    be read as an option by the storage tool (it happens to 1 id in 64), so none does."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id
