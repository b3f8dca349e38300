"""Where a worker keeps its local table stores: one folder per app id and broker cluster.

Faust keeps RocksDB tables under `datadir/v1/tables` whatever the app id or cluster, so a store
written against another app, or against a broker since reset, is ahead of (or foreign to) the
changelog the worker recovers from, and Faust crash-loops with ConsistencyError. Scoping the
folder by app id and cluster id means such a store is never opened: it is discarded with one
warning line, and the tables rebuild from their changelogs.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from agents.security import kafka_python_kwargs
from agents.settings import Settings

log = logging.getLogger(__name__)

# RocksDB holds each partition DB's writes in memory until its write buffer fills; Faust's
# default is 64 MiB (up to 3 of them) and a 2 GiB block cache per DB, so a worker's 20 DBs could
# hold over a GiB before the first flush (the soak's growing RSS). Every table's rows are small
# (a week of a busy desk's rows is a few MiB a partition): a 1 MiB buffer fills in under an hour
# at 6 stories a second and flushes cheaply, so at most 2 x 1 + 2 MiB a DB stays in memory and
# a soak reaches that level within its run (docs/performance.md).
STORE_OPTIONS = {
    "write_buffer_size": 1 * 2**20,
    "max_write_buffer_number": 2,
    "block_cache_size": 2 * 2**20,
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def store_dir(base: Path, app_id: str, cluster_id: str) -> Path:
    """The folder of one app's stores against one cluster, under `base`."""
    return base / _UNSAFE.sub("_", app_id) / f"cluster-{_UNSAFE.sub('_', cluster_id)}"


def discard_foreign_stores(base: Path, app_id: str, keep: Path) -> list[Path]:
    """Remove this app's stores of other clusters and the unscoped layout of older workers
    (`base/v1`); returns what was removed. Other apps' folders are left alone."""
    removed = []
    app_dir = keep.parent
    candidates = [base / "v1"]
    if app_dir.is_dir():
        candidates += [p for p in app_dir.iterdir() if p.is_dir() and p != keep]
    for path in candidates:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def cluster_id(settings: Settings, timeout: float = 30.0) -> str:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(
        bootstrap_servers=settings.broker.split(","),
        request_timeout_ms=int(timeout * 1000),
        **kafka_python_kwargs(settings),
    )
    try:
        found = admin.describe_cluster().get("cluster_id")
    finally:
        admin.close()
    return str(found or "unknown")


def scoped_settings(settings: Settings, cluster: str) -> Settings:
    """The settings with `data_dir` scoped to the app id and cluster, after discarding any
    store this worker must not open (one warning line per store discarded)."""
    scoped = store_dir(settings.data_dir, settings.app_id, cluster)
    for path in discard_foreign_stores(settings.data_dir, settings.app_id, scoped):
        log.warning(
            "discarded local table store %s (another broker cluster or an older layout); "
            "the tables rebuild from their changelogs",
            path,
        )
    scoped.mkdir(parents=True, exist_ok=True)
    return settings.model_copy(update={"data_dir": scoped})
