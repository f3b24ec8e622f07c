"""Copies of a built home for tests that write (the session's built home stays untouched), and how to compare two."""

from __future__ import annotations

import math
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from transforms.warehouse import ALIAS, Warehouse, read_frame, reading

SCHEMAS = ("marts", "features")


def _repoint(home: Path) -> Warehouse:
    # A DuckLake catalog records its data folder's absolute path: point the copy's catalog at the copy's files.
    warehouse = Warehouse.at(home)
    with closing(sqlite3.connect(home / "warehouse.sqlite")) as con, con:
        con.execute("update ducklake_metadata set value = ? where key = 'data_path'", [warehouse.data_path])
    return warehouse


def _repoint_mlflow(source: Path, target: Path) -> None:
    # MLflow records absolute artifact locations: without this the copy's new runs and models would be written into
    # the source home's mlartifacts.
    database = target / "mlflow.db"
    if not database.exists():
        return
    old, new = (source.resolve() / "mlartifacts").as_uri(), (target.resolve() / "mlartifacts").as_uri()
    with closing(sqlite3.connect(database)) as con, con:
        for table, column in (("experiments", "artifact_location"), ("runs", "artifact_uri"),
                              ("logged_models", "artifact_location"), ("model_versions", "storage_location")):
            con.execute(f"update {table} set {column} = replace({column}, ?, ?)", [old, new])


def copy_home(source: Path, target: Path) -> Path:
    """The whole home (lake, warehouse, Dagster instance, MLflow...), every absolute path pointed at the copy."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("DONE", "warehouse.lock"))
    _repoint(target)
    _repoint_mlflow(source, target)
    return target


def copy_warehouse(source: Path, target: Path) -> Warehouse:
    """Only the warehouse (its `raw` views keep reading the source's lake files)."""
    (target / "lake").mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source / "warehouse.sqlite")) as con:  # WAL mode: fold recent commits into the file
        con.execute("pragma wal_checkpoint(truncate)")
    shutil.copy(source / "warehouse.sqlite", target / "warehouse.sqlite")
    shutil.copytree(source / "lake" / "warehouse", target / "lake" / "warehouse")
    return _repoint(target)


@dataclass(frozen=True)
class TableSum:
    """A table's row count, an order-independent hash of its exact columns, and the sum of each float column
    (compared with a relative tolerance: a parallel sum or mean differs in the last bits from run to run)."""

    rows: int
    exact: int
    floats: tuple[float, ...]

    def matches(self, other: TableSum) -> bool:
        return (self.rows, self.exact, len(self.floats)) == (other.rows, other.exact, len(other.floats)) and all(
            math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
            for a, b in zip(self.floats, other.floats, strict=True))


def checksums(warehouse: Warehouse) -> dict[str, TableSum]:
    """A TableSum per marts and features table."""
    tables = read_frame(warehouse, "select table_schema, table_name from information_schema.tables where "
                                   "table_catalog = ? and table_type = 'BASE TABLE' and table_schema in (?, ?)",
                        [ALIAS, *SCHEMAS])
    sums = {}
    with reading(warehouse) as con:
        for schema, table in tables.itertuples(index=False):
            columns = con.execute(f"select column_name, data_type from information_schema.columns where "
                                  f"table_catalog = '{ALIAS}' and table_schema = ? and table_name = ?",
                                  [schema, table]).fetchall()
            floats = [f'sum("{c}")' for c, t in columns if t in ("DOUBLE", "FLOAT")]
            exact = ", ".join(f'"{c}"' for c, t in columns if t not in ("DOUBLE", "FLOAT")) or "1"
            row = con.execute(f"select count(*), coalesce(sum(hash({exact})::hugeint), 0) {''.join(', ' + f for f in floats)} "
                              f"from {schema}.{table}").fetchone()
            assert row is not None
            sums[f"{schema}.{table}"] = TableSum(int(row[0]), int(row[1]), tuple(float(v or 0) for v in row[2:]))
    return sums


def differing(got: dict[str, TableSum], want: dict[str, TableSum]) -> dict[str, tuple[TableSum | None, TableSum]]:
    """The tables of `want` that `got` lacks or that do not match."""
    return {t: (got.get(t), s) for t, s in sorted(want.items()) if t not in got or not got[t].matches(s)}
