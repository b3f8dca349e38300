"""Local table stores are scoped by app id and broker cluster; foreign ones are discarded."""

from __future__ import annotations

from pathlib import Path

from agents.settings import Settings
from agents.worker.state import discard_foreign_stores, scoped_settings, store_dir


def test_each_app_and_cluster_gets_its_own_store(tmp_path: Path) -> None:
    a = store_dir(tmp_path, "wirestream", "Zx1-Ab")
    assert a == tmp_path / "wirestream" / "cluster-Zx1-Ab"
    assert store_dir(tmp_path, "wirestream", "other") != a
    assert store_dir(tmp_path, "demo", "Zx1-Ab") != a
    assert store_dir(tmp_path, "../escape", "a/b").parent.parent == tmp_path


def test_other_clusters_and_the_old_layout_go_other_apps_stay(tmp_path: Path) -> None:
    keep = store_dir(tmp_path, "wirestream", "new")
    old_cluster = store_dir(tmp_path, "wirestream", "old")
    other_app = store_dir(tmp_path, "demo", "old")
    for path in (keep, old_cluster, other_app, tmp_path / "v1" / "tables"):
        path.mkdir(parents=True)
    removed = discard_foreign_stores(tmp_path, "wirestream", keep)
    assert set(removed) == {old_cluster, tmp_path / "v1"}
    assert keep.is_dir() and other_app.is_dir() and not old_cluster.exists()


def test_scoped_settings_point_faust_at_the_scoped_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, app_id="wirestream")
    scoped = scoped_settings(settings, "abc")
    assert scoped.data_dir == tmp_path / "wirestream" / "cluster-abc" and scoped.data_dir.is_dir()
    assert scoped.app_id == settings.app_id
