"""The DuckDB warehouse: schema ``raw`` exposes every lake table as a view over its Parquet partitions."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import duckdb_extension_httpfs

from transforms.lake import Lake
from transforms.schemas import TABLES, Partitioning, TableSpec

HIVE_TYPES = {Partitioning.SEASON: "{'season': INTEGER}",
              Partitioning.SESSION: "{'season': INTEGER, 'round': INTEGER, 'session': VARCHAR}"}


def httpfs_extension_path() -> Path:
    """The httpfs build shipped on PyPI (DuckDB would otherwise download it at run time, which fails offline)."""
    root = Path(duckdb_extension_httpfs.__file__).parent / "extensions"
    return root / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"


def configure_s3(con: duckdb.DuckDBPyConnection) -> None:
    """Load httpfs and create an S3 secret from the standard AWS env vars (incl. AWS_ENDPOINT_URL)."""
    con.execute(f"LOAD '{httpfs_extension_path()}'")
    parts = ["TYPE s3", f"REGION '{os.environ.get('AWS_REGION') or os.environ.get('AWS_DEFAULT_REGION') or 'us-east-1'}'"]
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        parts += [f"KEY_ID '{os.environ['AWS_ACCESS_KEY_ID']}'", f"SECRET '{os.environ.get('AWS_SECRET_ACCESS_KEY', '')}'"]
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        parsed = urlparse(endpoint)
        parts += [f"ENDPOINT '{parsed.netloc}'", "URL_STYLE 'path'", f"USE_SSL {str(parsed.scheme == 'https').lower()}"]
    con.execute(f"CREATE OR REPLACE SECRET undercut_lake ({', '.join(parts)})")


def connect(path: Path | str, lake: Lake, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if lake.is_s3:
        configure_s3(con)
    return con


def raw_view_sql(lake: Lake, spec: TableSpec) -> str:
    if not lake.data_files(spec):
        # Nothing materialised yet: an empty relation with the declared columns keeps downstream SQL valid.
        cols = ", ".join(f"NULL::{_duck_type(f.type)} AS \"{f.name}\"" for f in spec.schema)
        extra = {Partitioning.NONE: "", Partitioning.SEASON: ", NULL::INTEGER AS season",
                 Partitioning.SESSION: ", NULL::INTEGER AS season, NULL::INTEGER AS round, NULL::VARCHAR AS session"}
        return f"SELECT {cols}{extra[spec.partitioning]} WHERE false"
    hive = "" if spec.partitioning is Partitioning.NONE else f", hive_partitioning = true, hive_types = {HIVE_TYPES[spec.partitioning]}"
    return f"SELECT * FROM read_parquet('{lake.glob(spec)}'{hive})"


def _duck_type(t: object) -> str:
    import pyarrow as pa

    mapping = {pa.int32(): "INTEGER", pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.float32(): "FLOAT",
               pa.string(): "VARCHAR", pa.bool_(): "BOOLEAN", pa.date32(): "DATE", pa.timestamp("ms"): "TIMESTAMP"}
    return mapping[t]


def build_raw_schema(con: duckdb.DuckDBPyConnection, lake: Lake) -> dict[str, int]:
    """(Re)create ``raw.<table>`` for every declared table; returns row counts."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    counts = {}
    for spec in TABLES.values():
        con.execute(f"CREATE OR REPLACE VIEW raw.{spec.name} AS {raw_view_sql(lake, spec)}")
        counts[spec.name] = con.execute(f"SELECT count(*) FROM raw.{spec.name}").fetchone()[0]  # type: ignore[index]
    return counts
