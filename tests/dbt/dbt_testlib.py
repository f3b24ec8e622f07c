"""Helpers of the dbt tests: locate the archive, build a lake + raw schema from it, run dbt, query a warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")


def archive_dir() -> Path:
    return Path(os.environ.get("UNDERCUT_TEST_ARCHIVE") or REPO.parent / "shared" / "data")


@dataclass(frozen=True)
class Warehouse:
    home: Path

    @property
    def path(self) -> Path:
        return self.home / "warehouse.duckdb"

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path), read_only=True)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with self.connect() as con:
            return con.execute(sql, params or []).fetchall()

    def df(self, sql: str):  # noqa: ANN201 - pandas DataFrame
        with self.connect() as con:
            return con.execute(sql).df()


def run_dbt(home: Path, *args: str, lake_uri: str = "") -> subprocess.CompletedProcess[str]:
    """dbt against the warehouse under `home`, with artifacts and logs kept there (never in the shared project)."""
    env = {**os.environ, "UNDERCUT_HOME": str(home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "UNDERCUT_LAKE_URI": lake_uri}
    cmd = [DBT, *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
           "--target-path", str(home / "dbt_target"), "--log-path", str(home / "dbt_logs")]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")
    return proc


def build_lake(home: Path, archive: Path) -> None:
    """The lake + raw schema from the archive, with the same transforms the Dagster assets call (much faster than
    `undercut run`, which adds Dagster's per-partition bookkeeping)."""
    from transforms.archive import ArchiveSource
    from transforms.lake import Lake
    from transforms.schemas import HISTORICAL, WEEKEND, Partitioning
    from transforms.warehouse import build_raw_schema, connect

    source, lake = ArchiveSource(archive), Lake(str(home / "lake"))
    for spec in HISTORICAL:
        if spec.partitioning is Partitioning.NONE:
            lake.write(spec, source.historical_table(spec.name))
        else:
            for season in source.seasons():
                lake.write(spec, source.historical_table(spec.name, season), season=season)
    for ref in source.sessions():
        for spec in WEEKEND:
            lake.write(spec, source.weekend_table(spec.name, ref), session=ref)
    with connect(home / "warehouse.duckdb", lake) as con:
        build_raw_schema(con, lake)


def view_sql(warehouse: Warehouse) -> dict[str, str]:
    """SELECT of every raw view (read_parquet over the lake)."""
    rows = warehouse.query("select view_name, sql from duckdb_views() where schema_name = 'raw'")
    return {name: sql.split(" AS ", 1)[1].rstrip().rstrip(";") for name, sql in rows}
