"""Fixtures of the ML tests: one warehouse with the dbt feature marts and an applied Feast repo per test session
(shared by xdist workers through a file lock), built on top of the session's `undercut run` home."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from home_copies import copy_warehouse

from ml import datasets, feature_store
from ml.evaluation import TimeSplit
from ml.paths import MlPaths
from transforms.warehouse import Warehouse, table_exists

REPO = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).parent / "dbt")
# What the ML code reads: the feature marts with everything upstream, and the calendar.
DBT_SELECTION = ["+path:models/features", "+dim_races"]


def _build_features(home: Path) -> None:
    env = {"PATH": str(Path(sys.executable).parent), "UNDERCUT_HOME": str(home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    subprocess.run([DBT, "build", "--quiet", "--profiles-dir", ".", "--target-path", str(home / "dbt_target"),
                    "--log-path", str(home / "dbt_logs"), "--select", *DBT_SELECTION,
                    "--exclude-resource-type", "test"],
                   cwd=REPO / "dbt_project", env=env, check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def ml_paths(built_home: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> MlPaths:
    """A copy of the built warehouse (its raw views read the built lake) + feature marts + `feast apply`, once per
    test session (xdist workers share their basetemp's parent)."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    home = (base.parent if worker_id != "master" else base) / "ml_home"
    with FileLock(str(home) + ".lock"):
        if not (home / "DONE").exists():
            home.mkdir(exist_ok=True)
            paths = MlPaths(home, copy_warehouse(built_home, home))
            if not table_exists(paths.warehouse, "features", "race_entry_features"):
                _build_features(home)
            feature_store.export_feature_marts(paths)
            feature_store.apply(paths)
            (home / "DONE").write_text("ok")
    return MlPaths(home, Warehouse.at(home))


@pytest.fixture(scope="session")
def online_paths(ml_paths: MlPaths) -> MlPaths:
    """The same home with the online store loaded up to the next race."""
    from filelock import FileLock

    with FileLock(str(ml_paths.home) + ".online.lock"):
        marker = ml_paths.home / "ONLINE_DONE"
        if not marker.exists():
            start = datasets.next_race(ml_paths)["race_start_at"]
            feature_store.materialise(ml_paths, datetime.fromisoformat(str(start)))
            marker.write_text("ok")
    return ml_paths


@pytest.fixture(scope="session")
def entries(ml_paths: MlPaths) -> pd.DataFrame:
    return datasets.entry_frame(ml_paths)


@pytest.fixture(scope="session")
def split(ml_paths: MlPaths) -> TimeSplit:
    return TimeSplit.latest_races(datasets.races(ml_paths))


@pytest.fixture()
def registry_home(tmp_path: Path) -> MlPaths:
    """A fresh MLflow store per test (its warehouse path is unused: the data comes from `ml_paths`)."""
    return MlPaths(tmp_path, Warehouse.at(tmp_path))
