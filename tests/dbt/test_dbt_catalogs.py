"""The same marts from the embedded warehouse (SQLite catalog, local files) and the several-machines one (a real
PostgreSQL catalog started on 127.0.0.1, data files on an S3 server: moto on 127.0.0.1), built from one season."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest
from dbt_testlib import archive_dir, build_lake, run_dbt
from home_copies import checksums, differing

from transforms.exceptions import WarehouseUnavailableError
from transforms.warehouse import Warehouse, read_frame

SEASONS = {2024}
@pytest.mark.slow
def test_postgres_catalog_and_s3_data_give_the_same_marts(postgres, s3_env: dict[str, str], tmp_path: Path,  # noqa: ANN001
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    archive = archive_dir()
    if not (archive / "historical").is_dir():
        pytest.skip(f"archive not found at {archive}")
    for k, v in {**s3_env, "PGPASSWORD": postgres.password}.items():
        monkeypatch.setenv(k, v)
    boto3.client("s3").create_bucket(Bucket="undercut-catalogs")

    local_home = tmp_path / "sqlite"
    build_lake(local_home, archive, seasons=SEASONS)
    run_dbt(local_home, "build", "--exclude-resource-type", "test")

    postgres.create_database("lake_catalog")
    catalog = f"postgres:{postgres.dsn_libpq(dbname='lake_catalog')}"
    lake_uri = "s3://undercut-catalogs/lake"
    remote_home = tmp_path / "postgres"
    build_lake(remote_home, archive, lake_uri=lake_uri, seasons=SEASONS, catalog=catalog)
    run_dbt(remote_home, "build", "--exclude-resource-type", "test", lake_uri=lake_uri, catalog=catalog)

    remote = Warehouse.at(remote_home, lake_uri, catalog)
    local_sums, remote_sums = checksums(Warehouse.at(local_home)), checksums(remote)
    assert len(local_sums) >= 20 and local_sums["marts.fct_results"].rows == 479  # 2024: 24 races, 20 cars (one DNS)
    assert not differing(remote_sums, local_sums)
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="undercut-catalogs",
                                                                  Prefix="lake/warehouse/")["Contents"]]
    # (dbt builds a table under a temporary name and renames it: the folder keeps the temporary name)
    assert any(k.startswith("lake/warehouse/marts/fct_results") and k.endswith(".parquet") for k in keys), keys[:5]
    assert not (remote_home / "lake").exists()  # nothing local: catalog in PostgreSQL, files on S3


def test_wrong_postgres_credentials_are_named(postgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PGPASSWORD", "not-the-password")
    catalog = f"postgres:{postgres.dsn_libpq()}"
    with pytest.raises(WarehouseUnavailableError) as failure:
        read_frame(Warehouse.at(tmp_path, catalog=catalog), "select 1")
    message = str(failure.value)
    assert message.startswith(f"UNDERCUT_WAREHOUSE_CATALOG={catalog}: cannot open the warehouse catalog")
    assert "password authentication failed" in message and "\n" not in message
    assert os.environ["PGPASSWORD"] not in message
