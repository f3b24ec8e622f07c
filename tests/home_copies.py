"""Copies of a built home for tests that write (the session's built home stays untouched)."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from transforms.warehouse import Warehouse


def _repoint(home: Path) -> Warehouse:
    # A DuckLake catalog records its data folder's absolute path: point the copy's catalog at the copy's files.
    warehouse = Warehouse.at(home)
    with closing(sqlite3.connect(home / "warehouse.sqlite")) as con, con:
        con.execute("update ducklake_metadata set value = ? where key = 'data_path'", [warehouse.data_path])
    return warehouse


def copy_home(source: Path, target: Path) -> Path:
    """The whole home (lake, warehouse, Dagster instance, MLflow...)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("DONE", "warehouse.lock"))
    _repoint(target)
    return target


def copy_warehouse(source: Path, target: Path) -> Warehouse:
    """Only the warehouse (its `raw` views keep reading the source's lake files)."""
    (target / "lake").mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source / "warehouse.sqlite")) as con:  # WAL mode: fold recent commits into the file
        con.execute("pragma wal_checkpoint(truncate)")
    shutil.copy(source / "warehouse.sqlite", target / "warehouse.sqlite")
    shutil.copytree(source / "lake" / "warehouse", target / "lake" / "warehouse")
    return _repoint(target)
