"""The one way Python writes a table into the warehouse's ``marts`` schema, always with its lake copy under
``<lake>/derived/<table>/`` and cast to the table's declaration (``dbt_project/models/marts/_python_marts.yml``).

Race-partitioned tables (precompute, insights, drift) carry a ``race_key`` column (``YYYY-RR``): publishing a race
replaces that race's rows and rewrites that race's lake file, so re-running a partition never duplicates rows. ML
prediction tables are replaced whole (:func:`replace_table`) or per ``race_id`` (:func:`replace_races`), and their
lake copy is the whole table."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from types import TracebackType

import duckdb
import pandas as pd
import pyarrow as pa

from transforms.lake import Lake
from transforms.schemas import conform_mart, python_mart_columns
from transforms.settings import Settings
from transforms.warehouse import Warehouse, reading, writing

RACE_KEY = "race_key"


@dataclass(frozen=True)
class Published:
    table: str
    rows: int
    lake_path: str


class Publisher:
    """Publishes many tables/races as one warehouse snapshot.

    Lake files are written at once; warehouse changes are applied when the block exits (also after an error, for
    what was published before it), in one transaction tagged with the tables and races it replaced."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lake = Lake(settings.lake_uri)
        self._pending: list[tuple[str, pa.Table, str | None]] = []

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.flush()

    def publish(self, name: str, frame: pd.DataFrame | pa.Table, *, race: str | None = None) -> Published:
        """Queue `frame` as marts.<name> (all rows, or the rows of `race`) and write its lake file; the table is
        cast to its declared schema (transforms.schemas.python_marts)."""
        table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
        if race is not None:
            if RACE_KEY not in table.column_names:
                table = table.append_column(RACE_KEY, pa.array([race] * table.num_rows, pa.string()))
            elif set(table.column(RACE_KEY).to_pylist()) - {race}:
                raise ValueError(f"{name}: rows for another race than {race} in a race partition")
        table = conform_mart(name, table)
        written = self.lake.write_derived(name, table, race=race)
        self._pending.append((name, table, race))
        return Published(table=f"marts.{name}", rows=table.num_rows, lake_path=written.path)

    def flush(self) -> None:
        if not self._pending:
            return
        tables = sorted({f"marts.{name}" for name, _, _ in self._pending})
        races = sorted({race for _, _, race in self._pending if race is not None})
        with writing(self.settings.warehouse, "publish " + ", ".join(tables), tables=tables, races=races) as con:
            con.execute("create schema if not exists marts")
            for name, table, replaced in _batches(self._pending):
                con.register("incoming", table)
                if replaced is None:
                    con.execute(f"create or replace table marts.{name} as select * from incoming")
                else:
                    con.execute(f"create table if not exists marts.{name} as select * from incoming limit 0")
                    add_declared_columns(con, name)
                    con.execute(f"delete from marts.{name} where {RACE_KEY} in (select unnest(?))", [replaced])
                    con.execute(f"insert into marts.{name} by name select * from incoming")
                con.unregister("incoming")
        self._pending.clear()


def _batches(pending: list[tuple[str, pa.Table, str | None]]) -> list[tuple[str, pa.Table, list[str] | None]]:
    """The pending publishes as few statements as give the same tables: per table, a run of race publishes becomes
    one delete of those races and one insert (each DuckLake statement is a catalog round trip and a file: one per
    race cost a 145-race backfill many seconds), a race published twice keeping its last rows as publishing race
    by race would; a whole-table publish stays a step of its own, in order. Tables are independent of each other."""
    batches: list[tuple[str, pa.Table, list[str] | None]] = []
    for name in dict.fromkeys(name for name, _, _ in pending):
        steps = [(table, race) for table_name, table, race in pending if table_name == name]
        for whole, run in groupby(steps, key=lambda step: step[1] is None):
            if whole:
                batches += [(name, table, None) for table, _ in run]
            else:
                latest = {race: table for table, race in run if race is not None}
                batches.append((name, pa.concat_tables(latest.values()), list(latest)))
    return batches


def add_declared_columns(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Columns declared since ``marts.<name>`` was created are added to it (null in its older rows), so a table
    that gains a column keeps its history instead of failing the next insert."""
    present = {d[0] for d in con.execute(f"select * from marts.{name} limit 0").description}
    for column, duckdb_type in python_mart_columns()[name].items():
        if column not in present:
            con.execute(f"alter table marts.{name} add column {column} {duckdb_type}")


def publish(settings: Settings, name: str, frame: pd.DataFrame | pa.Table, *, race: str | None = None) -> Published:
    """Publish one table or one race's rows (see :class:`Publisher` for many)."""
    with Publisher(settings) as publisher:
        return publisher.publish(name, frame, race=race)


def replace_table(warehouse: Warehouse, table: str, frame: pd.DataFrame) -> int:
    """Replace `marts.table` with `frame` (cast to its declared schema) in one transaction, then its lake copy;
    returns the row count."""
    return replace_races(warehouse, {table: frame}, keep=set())[table]


def replace_races(warehouse: Warehouse, tables: dict[str, pd.DataFrame], keep: set[int]) -> dict[str, int]:
    """In one transaction, per `marts` table: every race not in `keep` deleted, the frame's rows (other races, cast
    to the declared schema) added; a table that does not exist yet is created from its frame. Then each table's lake
    copy. Returns each table's row count afterwards."""
    counts: dict[str, int] = {}
    with writing(warehouse, f"replace races of {', '.join(tables)}", tables=sorted(tables)) as con:
        con.execute("create schema if not exists marts")
        for table, frame in tables.items():
            if keep:
                add_declared_columns(con, table)
                con.execute(f"delete from marts.{table} where race_id not in (select unnest(?))", [sorted(keep)])
            if len(frame) or not keep:
                con.register("incoming", conform_mart(table, pa.Table.from_pandas(frame, preserve_index=False)))
                con.execute(f"insert into marts.{table} by name select * from incoming" if keep
                            else f"create or replace table marts.{table} as select * from incoming")
                con.unregister("incoming")
            row = con.execute(f"select count(*) from marts.{table}").fetchone()
            counts[table] = int(row[0]) if row else 0
    lake = Lake(warehouse.lake_uri)
    with reading(warehouse) as con:
        for table in tables:
            lake.write_derived(table, con.execute(f"select * from marts.{table}").to_arrow_table())
    return counts
