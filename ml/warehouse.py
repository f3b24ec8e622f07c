"""Short-lived DuckDB access to the warehouse: DuckDB allows one writer per file, so open, work, close."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd


@contextmanager
def _connect(path: Path, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def read_frame(path: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    with _connect(path, read_only=True) as con:
        return con.execute(sql, params or []).df()


def table_exists(path: Path, schema: str, table: str) -> bool:
    sql = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    with _connect(path, read_only=True) as con:
        row = con.execute(sql, [schema, table]).fetchone()
    return bool(row and row[0])


def replace_table(path: Path, schema: str, table: str, frame: pd.DataFrame) -> int:
    """Replace `schema.table` with `frame` in one transaction; returns the row count."""
    with _connect(path, read_only=False) as con:
        con.execute(f"create schema if not exists {schema}")
        con.register("incoming", frame)
        con.execute(f"create or replace table {schema}.{table} as select * from incoming")
        con.unregister("incoming")
    return len(frame)
