"""The lake on S3, against a real S3-protocol server (moto) on 127.0.0.1."""

from __future__ import annotations

import boto3
import pyarrow as pa
import pytest

from transforms.lake import Lake
from transforms.schemas import TABLES, conform
from transforms.warehouse import lake_connection, raw_view_sql


@pytest.fixture()
def s3_lake(s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Lake:
    for k, v in s3_env.items():
        monkeypatch.setenv(k, v)
    boto3.client("s3").create_bucket(Bucket="undercut-test")
    return Lake("s3://undercut-test/lake")


def test_partition_round_trip_on_s3(s3_lake: Lake) -> None:
    spec = TABLES["pit_stops"]
    stops = conform(pa.table({"raceId": [1140, 1140], "driverId": [1, 830], "stop": [1, 1], "lap": [20, 22],
                              "time": ["15:40:01", "15:43:12"], "duration": ["22.512", "21.908"],
                              "milliseconds": [22512, 21908]}), spec, origin="test")
    result = s3_lake.write(spec, stops, season=2024)
    assert result.path == "s3://undercut-test/lake/historical/pit_stops/season=2024/part-0.parquet"
    s3_lake.write(spec, stops, season=2024)  # re-run: replaced, not duplicated
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="undercut-test")["Contents"]]
    assert keys == ["lake/historical/pit_stops/season=2024/part-0.parquet"]
    assert s3_lake.read(spec, season=2024).equals(stops)

    con = lake_connection(s3_lake)  # DuckDB reads the same partition through httpfs
    row = con.execute(f"SELECT season, driverId, milliseconds FROM ({raw_view_sql(s3_lake, spec)}) "
                      "ORDER BY milliseconds").fetchall()
    assert row == [(2024, 830, 21908), (2024, 1, 22512)]
