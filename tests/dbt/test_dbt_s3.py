"""dbt on an S3 lake: the profile's plugin loads httpfs from the wheel and the S3 secret from AWS_* env vars, so the
raw views over s3:// globs work inside dbt and the warehouse's data files go to S3 too (moto stands in for S3 on
127.0.0.1; nothing is downloaded)."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest
from dbt_testlib import run_dbt

from transforms.archive import ArchiveSource
from transforms.lake import Lake
from transforms.schemas import TABLES
from transforms.warehouse import Warehouse, build_raw_schema, reading


def test_dbt_reads_an_s3_lake(s3_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = Path(os.environ.get("UNDERCUT_TEST_ARCHIVE") or Path(__file__).resolve().parents[3] / "shared" / "data")
    if not (archive / "historical").is_dir():
        pytest.skip(f"archive not found at {archive}")
    for k, v in s3_env.items():
        monkeypatch.setenv(k, v)
    boto3.client("s3").create_bucket(Bucket="undercut-dbt")
    lake = Lake("s3://undercut-dbt/lake")
    lake.write(TABLES["seasons"], ArchiveSource(archive).historical_table("seasons"))
    warehouse = Warehouse.at(tmp_path, lake.uri)
    build_raw_schema(warehouse, lake)  # views over s3:// (empty relations for tables not written)

    run_dbt(tmp_path, "run", "--select", "stg_ergast__seasons", lake_uri=lake.uri)
    with reading(warehouse) as con:  # the staging view reads the lake on S3
        assert con.execute("select count(*), min(season), max(season) from staging.stg_ergast__seasons").fetchone() \
            == (76, 1950, 2025)
