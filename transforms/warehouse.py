"""The DuckDB warehouse: the one module that opens it, and schema ``raw`` (every lake table as a view over its
Parquet partitions).

DuckDB admits one writing process, or many read-only ones, never both: every connection here is short-lived (open,
work, close), reads through :func:`reading`, writes through :func:`writing` (one transaction)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import duckdb_extension_httpfs
import pandas as pd

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


@contextmanager
def reading(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse file, closed on exit."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def writing(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection inside one transaction: committed when the block ends, rolled back on an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("begin")
        yield con
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()


def read_frame(path: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    with reading(path) as con:
        return con.execute(sql, params or []).df()


def table_exists(path: Path, schema: str, table: str) -> bool:
    sql = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    with reading(path) as con:
        row = con.execute(sql, [schema, table]).fetchone()
    return bool(row and row[0])


def replace_table(path: Path, schema: str, table: str, frame: pd.DataFrame) -> int:
    """Replace `schema.table` with `frame` in one transaction; returns the row count."""
    with writing(path) as con:
        con.execute(f"create schema if not exists {schema}")
        con.register("incoming", frame)
        con.execute(f"create or replace table {schema}.{table} as select * from incoming")
        con.unregister("incoming")
    return len(frame)


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
