"""TLS + SASL/SCRAM-SHA-512 end to end: our own broker with a PLAINTEXT listener (inter-broker,
health checks) and a SASL_SSL listener signed by a throwaway CA; the worker, the CLI helpers and
the admin client talk only to the SASL_SSL port. Wrong credentials must fail fast and loudly, and
no password may reach a log."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from agents.cli.kafka_io import producer, read_events
from agents.security import KafkaSecurityError
from agents.settings import Settings
from agents.worker.topics import ensure_topics, topic_specs
from deploy.kafka.broker import KeyStore, LocalBroker, ScramUser
from schemas import ENRICHED_STORY, schema_errors
from tests.integration.conftest import ROOT, free_port, running_worker, settings_env

pytestmark = pytest.mark.integration

USER = "alice"
STORY = (
    "date 2026-11-26\n"
    "id urn:wirestream:test:secure-ferry-1\n"
    "headline Ferry operator suspends night crossings after engine fire\n"
    "dateline HELSINKI\n"
    "\n"
    "HELSINKI (Wirestream) - Baltic ferry operator Nordvik Lines suspended its night crossings "
    "to Tallinn on Wednesday after a small engine-room fire forced one of its vessels back to "
    "port, the company said.\n\n"
    '"Nobody was hurt and the crew followed every procedure, but we will not sail at night '
    'until the inspectors have finished," chief executive Marjatta Koskinen told reporters.\n\n'
    "The Finnish transport agency said its inspection would take until Friday.\n"
)


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed CA certificate and its key, valid for two days."""
    folder.mkdir(parents=True, exist_ok=True)
    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-noenc", "-days", "2",
        "-keyout", "ca.key", "-out", "ca.pem", "-subj", f"/CN={name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip
    return folder / "ca.pem", folder / "ca.key"


def make_broker_keystore(folder: Path) -> Path:
    """The broker's PKCS#8 key and a certificate for 127.0.0.1/localhost signed by the CA in
    `folder`, concatenated into the PEM keystore the broker reads."""
    (folder / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    openssl(
        "req", "-newkey", "rsa:2048", "-noenc", "-keyout", "broker.key", "-out", "broker.csr",
        "-subj", "/CN=localhost", cwd=folder,
    )  # fmt: skip
    openssl(
        "x509", "-req", "-in", "broker.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "broker.pem", cwd=folder,
    )  # fmt: skip
    keystore = folder / "broker.keystore.pem"
    keystore.write_text((folder / "broker.key").read_text() + (folder / "broker.pem").read_text())
    keystore.chmod(0o600)
    return keystore


@dataclass(frozen=True)
class SecureBroker:
    broker: LocalBroker
    sasl_port: int
    ca: Path
    other_ca: Path
    password: str

    @property
    def sasl_bootstrap(self) -> str:
        return f"127.0.0.1:{self.sasl_port}"


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    if shutil.which("openssl") is None:
        if os.environ.get("CI"):
            pytest.fail("openssl is missing in CI (Debian: apt-get install openssl)")
        pytest.skip("the openssl CLI is needed to make the test certificates")
    tls = tmp_path_factory.mktemp("tls")
    ca, _ = make_ca(tls, "wirestream test CA")
    other_ca, _ = make_ca(tls / "other", "somebody else's CA")
    password = secrets.token_urlsafe(18)
    sasl_port = free_port()
    broker = LocalBroker(
        port=free_port(),
        controller_port=free_port(),
        state_dir=tmp_path_factory.mktemp("kafka-secure"),
        extra_listeners=(("SASL_SSL", sasl_port, "SASL_SSL"),),
        keystore=KeyStore(make_broker_keystore(tls)),
        scram_users=(ScramUser(USER, password),),
    )
    broker.start()
    try:
        yield SecureBroker(broker, sasl_port, ca, other_ca, password)
    finally:
        broker.stop()


def secure_settings(secure: SecureBroker, tmp_path: Path, **changes: object) -> Settings:
    tag = secrets.token_hex(4)
    values: dict[str, object] = {
        "broker": secure.sasl_bootstrap,
        "app_id": f"wirestream-secure-{tag}",
        "topic_prefix": f"secure-{tag}",
        "partitions": 2,
        "web_port": free_port(),
        "data_dir": tmp_path / "worker",
        "batch_seconds": 0.1,
        "nlp_processes": 1,
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_username": USER,
        "sasl_password": secure.password,
        "ssl_cafile": secure.ca,
        **changes,
    }
    return Settings(**values)  # type: ignore[arg-type]


def test_a_story_goes_through_the_sasl_ssl_listener_and_no_password_is_logged(
    secure_broker: SecureBroker, tmp_path: Path
) -> None:
    settings = secure_settings(secure_broker, tmp_path, log_level="debug")
    assert secure_broker.password not in repr(settings)
    assert secure_broker.password not in str(settings)
    created = ensure_topics(settings)
    assert len(created) == len(topic_specs(settings))
    log = tmp_path / "worker.log"
    with running_worker(settings, log):
        sender = producer(settings)
        try:
            raw = topic_specs(settings)["raw"].name
            sender.send(raw, key=b"urn:wirestream:test:secure-ferry-1", value=STORY.encode())
            sender.flush(timeout=30)
        finally:
            sender.close()
        enriched = topic_specs(settings)["enriched"].name
        events = list(read_events(settings, enriched, until_count=1, timeout=90))
    assert len(events) == 1
    event = events[0]
    assert schema_errors(ENRICHED_STORY, event) == []
    assert event["story_id"] == "urn:wirestream:test:secure-ferry-1"
    names = {entity["name"] for entity in event["entities"]}
    assert any("Koskinen" in name for name in names), names
    assert any(q["speaker"] and "Koskinen" in q["speaker"] for q in event["quotes"])

    text = log.read_text(errors="replace")
    assert f"Authenticated as {USER} via SCRAM-SHA-512" in text, text[-3000:]
    assert secure_broker.password not in text
    broker_files = [
        secure_broker.broker.log_file,
        secure_broker.broker.state_dir / "server.properties",
    ]
    for path in broker_files:
        assert secure_broker.password not in path.read_text(errors="replace"), path


def test_a_wrong_password_stops_the_worker_at_once_naming_the_user(
    secure_broker: SecureBroker, tmp_path: Path
) -> None:
    wrong = "not-" + secrets.token_urlsafe(12)
    settings = secure_settings(secure_broker, tmp_path, sasl_password=wrong)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "agents.cli", "worker"],
        cwd=ROOT,
        env=settings_env(settings),  # passes the real password, not the mask
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert elapsed < 30, elapsed
    # the terminal may wrap the message: compare with whitespace folded, and removed for secrets
    assert f"authentication failed for user '{USER}'" in " ".join(output.split()), output[-3000:]
    squeezed = "".join(output.split())
    assert wrong not in squeezed
    assert secure_broker.password not in squeezed


def test_ensure_topics_refuses_an_unknown_user_and_an_untrusted_certificate(
    secure_broker: SecureBroker, tmp_path: Path
) -> None:
    stranger = secure_settings(secure_broker, tmp_path, sasl_username="mallory")
    started = time.monotonic()
    with pytest.raises(KafkaSecurityError, match="authentication failed for user 'mallory'"):
        ensure_topics(stranger)
    assert time.monotonic() - started < 10

    untrusted = secure_settings(secure_broker, tmp_path, ssl_cafile=secure_broker.other_ca)
    with pytest.raises(KafkaSecurityError, match="TLS handshake") as refused:
        ensure_topics(untrusted)
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
    assert secure_broker.password not in str(refused.value)


def test_the_plaintext_listener_of_the_same_broker_still_serves_plain_clients(
    secure_broker: SecureBroker, tmp_path: Path
) -> None:
    plain = Settings(
        broker=secure_broker.broker.bootstrap, topic_prefix="plain-" + secrets.token_hex(4)
    )
    assert ensure_topics(plain)
    sender = producer(plain)
    try:
        sender.send(topic_specs(plain)["raw"].name, b"plain copy").get(timeout=30)
    finally:
        sender.close()
