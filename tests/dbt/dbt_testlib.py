"""Helpers of the dbt tests: locate the archive, build a lake + raw schema from it, run dbt, query a warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from transforms import warehouse

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")


def archive_dir() -> Path:
    return Path(os.environ.get("UNDERCUT_TEST_ARCHIVE") or REPO.parent / "shared" / "data")


@dataclass(frozen=True)
class Warehouse:
    home: Path

    @property
    def ducklake(self) -> warehouse.Warehouse:
        return warehouse.Warehouse.at(self.home)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with warehouse.reading(self.ducklake) as con:
            return con.execute(sql, params or []).fetchall()

    def df(self, sql: str):  # noqa: ANN201 - pandas DataFrame
        return warehouse.read_frame(self.ducklake, sql)


def run_dbt(home: Path, *args: str, lake_uri: str = "", catalog: str = "") -> subprocess.CompletedProcess[str]:
    """dbt against the warehouse under `home`, with artifacts and logs kept there (never in the shared project)."""
    env = {**os.environ, "UNDERCUT_HOME": str(home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "UNDERCUT_LAKE_URI": lake_uri, "UNDERCUT_WAREHOUSE_CATALOG": catalog}
    cmd = [DBT, *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
           "--target-path", str(home / "dbt_target"), "--log-path", str(home / "dbt_logs")]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")
    return proc


def build_lake(home: Path, archive: Path, lake_uri: str = "", seasons: set[int] | None = None,
               catalog: str = "") -> None:
    """The lake + raw schema from the archive (`seasons` only, when given), with the same transforms the Dagster
    assets call (much faster than `undercut run`, which adds Dagster's per-partition bookkeeping)."""
    from transforms.archive import ArchiveSource
    from transforms.lake import Lake
    from transforms.schemas import HISTORICAL, WEEKEND, Partitioning
    from transforms.warehouse import build_raw_schema

    source, lake = ArchiveSource(archive), Lake(lake_uri or str(home / "lake"))
    for spec in HISTORICAL:
        if spec.partitioning is Partitioning.NONE:
            lake.write(spec, source.historical_table(spec.name))
        else:
            for season in source.seasons():
                if seasons is None or season in seasons:
                    lake.write(spec, source.historical_table(spec.name, season), season=season)
    for ref in source.sessions():
        if seasons is None or ref.season in seasons:
            for spec in WEEKEND:
                lake.write(spec, source.weekend_table(spec.name, ref), session=ref)
    build_raw_schema(warehouse.Warehouse.at(home, lake.uri, catalog), lake)


def view_sql(warehouse: Warehouse) -> dict[str, str]:
    """SELECT of every raw view (read_parquet over the lake)."""
    rows = warehouse.query("select view_name, sql from duckdb_views() where database_name = 'lake' "
                           "and schema_name = 'raw'")
    return {name: sql.split(" AS ", 1)[1].rstrip().rstrip(";") for name, sql in rows}
