"""Fixtures of the dbt tests: one warehouse built from the archive per test session (shared by xdist workers), and
variants of it (truncated or altered raw data) for the leakage tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dbt_testlib import Warehouse, archive_dir, build_lake, run_dbt, view_sql

from transforms.warehouse import writing


@pytest.fixture(scope="session")
def shared_root(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    # with xdist every worker has its own basetemp; their parent is common to the session
    base = tmp_path_factory.getbasetemp()
    return base.parent if worker_id != "master" else base


@pytest.fixture(scope="session")
def warehouse(shared_root: Path) -> Warehouse:
    """The archive's lake, raw schema and a full `dbt build` (models + all dbt tests) plus `dbt docs generate`."""
    archive = archive_dir()
    if not (archive / "historical").is_dir():
        pytest.skip(f"archive not found at {archive}")
    from filelock import FileLock

    home = shared_root / "dbt_archive_home"
    with FileLock(str(home) + ".lock"):
        done = home / "BUILD_OK.json"
        if not done.exists():
            home.mkdir(parents=True, exist_ok=True)
            build_lake(home, archive)
            run_dbt(home, "build")
            # keep the build's results: `docs generate` overwrites run_results.json
            target = home / "dbt_target"
            (target / "build_results.json").write_text((target / "run_results.json").read_text())
            # docs before any test opens the file: dbt needs it read-write
            run_dbt(home, "docs", "generate")
            done.write_text(json.dumps({"home": str(home)}))
    return Warehouse(home)


@pytest.fixture(scope="session")
def make_variant(warehouse: Warehouse, shared_root: Path) -> Iterator[Callable[..., Warehouse]]:
    """Build a warehouse whose raw views are the archive's views rewritten by `rewrite(view, select_sql)`, then run
    every model the feature marts need (no tests) on it."""

    def build(name: str, rewrite: Callable[[str, str], str]) -> Warehouse:
        home = shared_root / f"dbt_variant_{name}"
        home.mkdir(parents=True, exist_ok=True)
        with writing(Warehouse(home).ducklake, "variant raw views") as con:
            con.execute("create schema if not exists raw")
            for view, select in view_sql(warehouse).items():
                con.execute(f"create or replace view raw.{view} as {rewrite(view, select)}")
        run_dbt(home, "build", "--select", "+path:models/features", "--exclude-resource-type", "test")
        return Warehouse(home)

    yield build
