"""Publish a derived table (precompute, insights) to the lake and to the warehouse's ``marts`` schema.

Race-partitioned tables carry a ``race_key`` column (``YYYY-RR``): publishing a race replaces that race's rows in one
transaction and rewrites that race's lake file, so re-running a partition never duplicates rows."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from transforms.lake import Lake
from transforms.settings import Settings

RACE_KEY = "race_key"


@dataclass(frozen=True)
class Published:
    table: str
    rows: int
    lake_path: str


def publish(settings: Settings, name: str, frame: pd.DataFrame | pa.Table, *, race: str | None = None,
            schema: pa.Schema | None = None) -> Published:
    """Write `frame` as marts.<name> (all rows, or the rows of `race`) and to the lake."""
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    if schema is not None:
        table = table.cast(schema)
    if race is not None:
        if RACE_KEY not in table.column_names:
            table = table.append_column(RACE_KEY, pa.array([race] * table.num_rows, pa.string()))
        elif set(table.column(RACE_KEY).to_pylist()) - {race}:
            raise ValueError(f"{name}: rows for another race than {race} in a race partition")
    written = Lake(settings.lake_uri).write_derived(name, table, race=race)
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        con.execute("create schema if not exists marts")
        con.register("incoming", table)
        con.execute("begin")
        if race is None:
            con.execute(f"create or replace table marts.{name} as select * from incoming")
        else:
            con.execute(f"create table if not exists marts.{name} as select * from incoming limit 0")
            con.execute(f"delete from marts.{name} where {RACE_KEY} = ?", [race])
            con.execute(f"insert into marts.{name} by name select * from incoming")
        con.execute("commit")
    finally:
        con.close()
    return Published(table=f"marts.{name}", rows=table.num_rows, lake_path=written.path)
