"""Settings -> Kafka client security: what kafka-python, aiokafka and Faust are handed for each
protocol, that secrets stay out of reprs and errors, and the broker-side listener config."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
from pathlib import Path

import faust
import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from kafka.errors import KafkaTimeoutError, SaslAuthenticationFailedError
from pydantic import ValidationError

from agents.security import (
    KafkaSecurityError,
    aiokafka_kwargs,
    broker_credentials,
    check_access,
    describe,
    explain,
    kafka_python_kwargs,
    ssl_context,
)
from agents.settings import Settings
from deploy.kafka.broker import BrokerError, KeyStore, LocalBroker, ScramUser, listener_security

SECRET = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl CLI is needed to make a test CA certificate")
    folder = tmp_path_factory.mktemp("ca")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-noenc", "-days", "1",
         "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=unit test CA"],
        cwd=folder, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return folder / "ca.pem"


def sasl_ssl(ca_file: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "broker": "kafka-1.example:9094,kafka-2.example:9094",
        "security_protocol": "SASL_SSL",
        "sasl_username": "wire-desk",
        "sasl_password": SECRET,
        "ssl_cafile": ca_file,
        **changes,
    }
    return Settings(**values)  # type: ignore[arg-type]


def test_plaintext_default_adds_nothing_but_the_protocol() -> None:
    settings = Settings()
    assert settings.security_protocol == "PLAINTEXT"
    assert kafka_python_kwargs(settings) == {"security_protocol": "PLAINTEXT"}
    assert aiokafka_kwargs(settings) == {"security_protocol": "PLAINTEXT"}
    assert broker_credentials(settings) is None
    assert ssl_context(settings) is None


def test_sasl_ssl_gives_kafka_python_scram_and_a_verifying_context(ca_file: Path) -> None:
    kwargs = kafka_python_kwargs(sasl_ssl(ca_file))
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kwargs["sasl_plain_username"] == "wire-desk"
    assert kwargs["sasl_plain_password"] == SECRET
    assert kwargs["ssl_check_hostname"] is True
    context = kwargs["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.cert_store_stats()["x509_ca"] == 1  # exactly our CA, not the system store


def test_switching_off_the_host_name_check_still_verifies_the_chain(ca_file: Path) -> None:
    kwargs = kafka_python_kwargs(sasl_ssl(ca_file, ssl_check_hostname=False))
    assert kwargs["ssl_check_hostname"] is False
    assert kwargs["ssl_context"].check_hostname is False
    assert kwargs["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    assert "host name NOT checked" in describe(sasl_ssl(ca_file, ssl_check_hostname=False))


def test_faust_credentials_reach_aiokafka_as_our_own_aiokafka_kwargs(ca_file: Path) -> None:
    settings = sasl_ssl(ca_file, sasl_mechanism="SCRAM-SHA-256")
    credentials = broker_credentials(settings)
    assert isinstance(credentials, faust.SASLCredentials)
    handed = dict(credentials_to_aiokafka_auth(credentials))
    ours = aiokafka_kwargs(settings)
    assert isinstance(handed.pop("ssl_context"), ssl.SSLContext)
    assert isinstance(ours.pop("ssl_context"), ssl.SSLContext)
    assert (
        handed
        == ours
        == {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-256",
            "sasl_plain_username": "wire-desk",
            "sasl_plain_password": SECRET,
        }
    )
    assert SECRET not in repr(credentials)


def test_sasl_without_tls_has_no_context_anywhere() -> None:
    settings = Settings(
        security_protocol="SASL_PLAINTEXT", sasl_username="wire-desk", sasl_password=SECRET
    )
    assert "ssl_context" not in kafka_python_kwargs(settings)
    handed = dict(credentials_to_aiokafka_auth(broker_credentials(settings)))
    assert handed["security_protocol"] == "SASL_PLAINTEXT"
    assert handed["ssl_context"] is None


def test_tls_only_uses_ssl_credentials_and_no_sasl(ca_file: Path) -> None:
    settings = Settings(security_protocol="SSL", ssl_cafile=ca_file)
    kwargs = kafka_python_kwargs(settings)
    assert kwargs["security_protocol"] == "SSL"
    assert not any(key.startswith("sasl_") for key in kwargs)
    credentials = broker_credentials(settings)
    assert isinstance(credentials, faust.SSLCredentials)
    assert credentials_to_aiokafka_auth(credentials)["security_protocol"] == "SSL"


def test_settings_read_from_the_environment(monkeypatch: pytest.MonkeyPatch, ca_file: Path) -> None:
    monkeypatch.setenv("WIRESTREAM_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("WIRESTREAM_SASL_USERNAME", "wire-desk")
    monkeypatch.setenv("WIRESTREAM_SASL_PASSWORD", SECRET)
    monkeypatch.setenv("WIRESTREAM_SSL_CAFILE", str(ca_file))
    monkeypatch.setenv("WIRESTREAM_SSL_CHECK_HOSTNAME", "false")
    settings = Settings()
    assert settings.ssl_cafile == ca_file
    assert settings.ssl_check_hostname is False
    assert settings.sasl_password is not None
    assert settings.sasl_password.get_secret_value() == SECRET
    for text in (repr(settings), str(settings), describe(settings)):
        assert SECRET not in text


def test_sasl_without_a_password_is_refused_without_echoing_the_input() -> None:
    with pytest.raises(ValidationError, match="WIRESTREAM_SASL_PASSWORD"):
        Settings(security_protocol="SASL_SSL", sasl_username="wire-desk")
    with pytest.raises(ValidationError) as refused:  # short: pydantic elides long inputs
        Settings(security_protocol="SASL_SSL", sasl_username="", sasl_password="pw-9k")
    assert "pw-9k" not in str(refused.value)
    with pytest.raises(ValidationError):
        Settings(security_protocol="TLS")
    with pytest.raises(ValidationError, match="ssl_certfile"):
        Settings(security_protocol="SSL", ssl_keyfile=Path("client.key"))


def test_explain_names_the_user_and_scrubs_the_password(ca_file: Path) -> None:
    settings = sasl_ssl(ca_file)
    try:
        try:
            raise SaslAuthenticationFailedError(f"bad proof for {SECRET}")
        except SaslAuthenticationFailedError as inner:
            raise KafkaTimeoutError("Unable to bootstrap") from inner
    except KafkaTimeoutError as outer:
        error = explain(settings, outer)
    assert isinstance(error, KafkaSecurityError)
    assert "authentication failed for user 'wire-desk'" in str(error)
    assert SECRET not in str(error)
    assert explain(settings, KafkaTimeoutError("Unable to bootstrap")) is None
    assert explain(settings, ssl.SSLCertVerificationError("certificate verify failed")) is not None


def test_check_access_leaves_plaintext_and_unreachable_brokers_alone(ca_file: Path) -> None:
    started = time.monotonic()
    check_access(Settings(broker="127.0.0.1:1"))
    check_access(sasl_ssl(ca_file, broker="127.0.0.1:1"), timeout=2)
    assert time.monotonic() - started < 5


# broker side: deploy/kafka/broker.py


def test_a_broker_without_extra_listeners_writes_no_security_lines(tmp_path: Path) -> None:
    broker = LocalBroker(port=19092, controller_port=19093, state_dir=tmp_path)
    lines = [x for x in broker.write_config().read_text().splitlines() if not x.startswith("#")]
    assert "listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093" in lines
    assert not [line for line in lines if "sasl" in line or "ssl." in line]


def test_a_sasl_ssl_listener_gets_its_keystore_and_scram_login(tmp_path: Path) -> None:
    broker = LocalBroker(
        port=19092,
        controller_port=19093,
        state_dir=tmp_path,
        extra_listeners=(("SASL_SSL", 19094, "SASL_SSL"),),
        keystore=KeyStore(tmp_path / "broker.p12", type="PKCS12", password=SECRET),
        scram_users=(ScramUser("wire-desk", SECRET),),
    )
    lines = set(broker.write_config().read_text().splitlines())
    assert "inter.broker.listener.name=PLAINTEXT" in lines
    assert "sasl.enabled.mechanisms=SCRAM-SHA-512" in lines
    assert "listener.name.sasl_ssl.ssl.keystore.type=PKCS12" in lines
    assert f"listener.name.sasl_ssl.ssl.keystore.location={tmp_path / 'broker.p12'}" in lines
    assert (
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
        "org.apache.kafka.common.security.scram.ScramLoginModule required;"
    ) in lines
    assert (tmp_path / "server.properties").stat().st_mode & 0o077 == 0
    assert SECRET not in repr(broker)


def test_tls_listener_without_keystore_and_unsafe_scram_names_are_refused() -> None:
    with pytest.raises(BrokerError, match="no keystore"):
        listener_security((("SSL", 19094, "SSL"),), None, ("SCRAM-SHA-512",))
    assert ScramUser("wire-desk", "s3cret_-.x").format_argument() == (
        "SCRAM-SHA-512=[name=wire-desk,password=s3cret_-.x]"
    )
    for password in ("with space", "a,b", "x]y", 'q"q', ""):
        with pytest.raises(BrokerError) as refused:
            ScramUser("wire-desk", password).format_argument()
        assert password not in str(refused.value) or not password


def test_scram_name_check_is_linear_on_hostile_input() -> None:
    started = time.monotonic()
    for hostile in ("a" * 100_000 + ",", "[" * 100_000, "=" * 50_000 + "a" * 50_000):
        with pytest.raises(BrokerError):
            ScramUser("wire-desk", hostile).format_argument()
    ScramUser("wire-desk", "b" * 100_000).format_argument()
    assert time.monotonic() - started < 2
