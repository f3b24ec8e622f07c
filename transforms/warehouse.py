"""The warehouse: a DuckLake (a SQL catalog + Parquet data files), the one module that opens it, and schema ``raw``
(every lake table as a view over its Parquet partitions).

Why DuckLake: a DuckDB file admits one writing process or many read-only ones, never both, so an analyst's open
notebook failed the race-weekend refresh. In a DuckLake every transaction reads one snapshot and commits a new one:
readers never block writers, and every earlier snapshot stays queryable (``AT (VERSION => n)``).

- Catalog: SQLite under ``$UNDERCUT_HOME`` (embedded default) or PostgreSQL (``UNDERCUT_WAREHOUSE_CATALOG=postgres:
  dbname=… host=… user=…``, password from ``PGPASSWORD``) for several machines. Data files: ``<lake URI>/warehouse/``
  (local folder or S3).
- Reads go through :func:`reading`, writes through :func:`writing` (one transaction = one snapshot, tagged with what
  wrote it). Each process keeps one DuckDB instance with the lake attached (loading the extensions costs ~0.6 s)
  and hands out a cursor per block.
- A SQLite catalog takes one committing writer at a time (a second one fails with "database is locked"): writers
  serialise on a file lock beside the catalog, held from BEGIN to COMMIT. Readers never take it."""

from __future__ import annotations

import fcntl
import importlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pandas as pd

from transforms.exceptions import WarehouseUnavailableError
from transforms.lake import Lake
from transforms.schemas import TABLES, Partitioning, TableSpec, duckdb_type

ALIAS = "lake"  # the attached warehouse's name in every connection (`lake.marts.fct_results`; `USE lake` makes it default)
CATALOG_SETTING = "UNDERCUT_WAREHOUSE_CATALOG"
HIVE_TYPES = {Partitioning.SEASON: "{'season': INTEGER}",
              Partitioning.SESSION: "{'season': INTEGER, 'round': INTEGER, 'session': VARCHAR}"}


@dataclass(frozen=True)
class Warehouse:
    """Where the warehouse lives. ``catalog``: ``sqlite:<file>`` or ``postgres:<libpq conninfo>``."""

    catalog: str
    data_path: str  # ends with "/"
    lock_path: Path  # writers' file lock (SQLite catalogs)

    @classmethod
    def at(cls, home: Path, lake_uri: str | None = None, catalog: str = "") -> Warehouse:
        lake_uri = lake_uri or str(home / "lake")
        return cls(catalog=catalog or f"sqlite:{home / 'warehouse.sqlite'}",
                   data_path=lake_uri.rstrip("/") + "/warehouse/", lock_path=home / "warehouse.lock")

    @property
    def kind(self) -> str:
        kind = self.catalog.split(":", 1)[0]
        if kind not in ("sqlite", "postgres") or ":" not in self.catalog:
            raise WarehouseUnavailableError(f"{CATALOG_SETTING}={self.catalog!r}: expected 'sqlite:<file>' or "
                                            "'postgres:<dbname=… host=… user=…>'")
        return kind

    @property
    def lake_uri(self) -> str:
        """The lake the warehouse's data files live in (``data_path`` is its ``warehouse/`` folder)."""
        return self.data_path.removesuffix("/").removesuffix("warehouse").rstrip("/")

    @property
    def is_s3(self) -> bool:
        return self.data_path.startswith("s3://")

    def described(self) -> str:
        """The catalog without secrets (PostgreSQL conninfo may carry a password)."""
        if self.kind == "sqlite":
            return self.catalog
        return "postgres:" + " ".join(p for p in self.catalog[len("postgres:"):].split()
                                      if not p.startswith("password="))


def extension_path(name: str) -> Path:
    """A DuckDB extension shipped on PyPI as `duckdb-extension-<name>` (DuckDB would otherwise download it at run
    time, which fails offline)."""
    package = f"duckdb_extension_{name}"
    try:
        module = importlib.import_module(package)
    except ImportError:
        raise WarehouseUnavailableError(f"the DuckDB extension {name!r} is not installed (package "
                                        f"{package.replace('_', '-')}=={duckdb.__version__}; run `make setup`)") from None
    path = Path(str(module.__file__)).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.exists():
        raise WarehouseUnavailableError(f"the DuckDB extension {name!r} for DuckDB {duckdb.__version__} is missing at "
                                        f"{path} (reinstall {package.replace('_', '-')}; run `make setup`)")
    return path


def configure_s3(con: duckdb.DuckDBPyConnection) -> None:
    """Load httpfs and create an S3 secret from the standard AWS env vars (incl. AWS_ENDPOINT_URL)."""
    con.execute(f"LOAD '{extension_path('httpfs')}'")
    parts = ["TYPE s3", f"REGION '{os.environ.get('AWS_REGION') or os.environ.get('AWS_DEFAULT_REGION') or 'us-east-1'}'"]
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        parts += [f"KEY_ID '{os.environ['AWS_ACCESS_KEY_ID']}'", f"SECRET '{os.environ.get('AWS_SECRET_ACCESS_KEY', '')}'"]
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        parsed = urlparse(endpoint)
        parts += [f"ENDPOINT '{parsed.netloc}'", "URL_STYLE 'path'", f"USE_SSL {str(parsed.scheme == 'https').lower()}"]
    con.execute(f"CREATE OR REPLACE SECRET undercut_lake ({', '.join(parts)})")


def lake_connection(lake: Lake) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that reads the lake's Parquet files (local or S3), without the warehouse."""
    con = duckdb.connect(":memory:")
    if lake.is_s3:
        configure_s3(con)
    return con


def attach(con: duckdb.DuckDBPyConnection, warehouse: Warehouse, *, read_only: bool = False) -> None:
    """Load the extensions `warehouse` needs into `con` and attach it as ``lake`` (also dbt's plugin entry point)."""
    kind = warehouse.kind
    for name in (f"{kind}_scanner", "ducklake"):
        try:
            con.execute(f"LOAD '{extension_path(name)}'")
        except WarehouseUnavailableError as exc:
            raise WarehouseUnavailableError(f"{CATALOG_SETTING}={warehouse.described()}: {exc}") from None
    if warehouse.is_s3:
        configure_s3(con)
    if kind == "sqlite":
        catalog_file = Path(warehouse.catalog[len("sqlite:"):])
        if read_only and not catalog_file.exists():
            raise WarehouseUnavailableError(f"{CATALOG_SETTING}={warehouse.catalog}: no warehouse there yet; build it "
                                            "with `undercut run` or point UNDERCUT_HOME at the home that has it")
        catalog_file.parent.mkdir(parents=True, exist_ok=True)
        if not read_only:
            _write_ahead_log(catalog_file)
    options = f"DATA_PATH '{warehouse.data_path}'" + (", READ_ONLY" if read_only else "")
    try:
        con.execute(f"ATTACH 'ducklake:{warehouse.catalog}' AS {ALIAS} ({options})")
    except duckdb.Error as exc:
        raise WarehouseUnavailableError(f"{CATALOG_SETTING}={warehouse.described()}: cannot open the warehouse "
                                        f"catalog: {_redacted(_first_line(exc), warehouse)}") from None
    if not warehouse.is_s3 and not read_only:
        Path(warehouse.data_path).mkdir(parents=True, exist_ok=True)


def _write_ahead_log(catalog_file: Path) -> None:
    # In SQLite's default journal mode every reader's shared lock makes a committing writer wait and retry: a
    # notebook querying in a loop made 20 commits take 18.9 s instead of 3.7 s; in WAL mode 6.7 s. The mode is a
    # property of the file (set once; an empty file becomes the DuckLake catalog on ATTACH). Needs a local disk.
    con = sqlite3.connect(catalog_file)
    try:
        con.execute("pragma journal_mode=wal")
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    return next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)


def _redacted(text: str, warehouse: Warehouse) -> str:
    # DuckDB echoes the whole connection string in its errors, password included
    for part in warehouse.catalog.split():
        if part.startswith("password="):
            text = text.replace(part, "password=***")
    return text


def _connect(warehouse: Warehouse, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB instance with `warehouse` attached as the default database."""
    con = duckdb.connect(":memory:")
    try:
        attach(con, warehouse, read_only=read_only)
        con.execute(f"USE {ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


def analyst_connection(warehouse: Warehouse) -> duckdb.DuckDBPyConnection:
    """A connection of its own with the warehouse attached read-only as the default database (notebooks,
    `undercut sql`): it may stay open through refreshes, each query seeing the latest committed snapshot."""
    return _connect(warehouse, read_only=True)


PLATFORM_THREADS = 1
_instances: dict[tuple[int, Warehouse], duckdb.DuckDBPyConnection] = {}
_instances_lock = threading.Lock()


def _instance(warehouse: Warehouse) -> duckdb.DuckDBPyConnection:
    """This process's DuckDB instance with `warehouse` attached (keyed by PID: a forked child opens its own)."""
    key = (os.getpid(), warehouse)
    with _instances_lock:
        if key not in _instances:
            _instances[key] = _connect(warehouse)
            # The platform's reads and writes are mostly small statements dominated by DuckLake catalog round trips,
            # which a second DuckDB thread only hands over: 20 small queries 0.4-0.6 s with one thread vs 2.1-2.5 s
            # with two, load_marts 0.3 vs 0.8-2.8 s (alternating, 2-core machine). Analysts keep the default.
            _instances[key].execute(f"SET threads = {PLATFORM_THREADS}")
        return _instances[key]


@contextmanager
def reading(warehouse: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor whose queries see the latest committed snapshot; never blocks or waits for writers."""
    cursor = _instance(warehouse).cursor()
    try:
        cursor.execute(f"USE {ALIAS}")
        yield cursor
    finally:
        cursor.close()


_locks_held: set[Path] = set()  # lock files this process holds


@contextmanager
def write_lock(warehouse: Warehouse) -> Iterator[None]:
    """Serialise committing writers on a SQLite catalog, across processes (PostgreSQL arbitrates by itself).

    Re-entrant within a process (flock would deadlock against its own second handle); readers never take it."""
    path = warehouse.lock_path
    if warehouse.kind != "sqlite" or path in _locks_held:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _locks_held.add(path)
        try:
            yield
        finally:
            _locks_held.discard(path)
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def writing(warehouse: Warehouse, message: str = "", **tags: object) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction, committed as one snapshot when the block ends (rolled back on an error).

    The snapshot carries `message` and `tags` plus the process-wide :func:`commit_tags` (e.g. the Dagster run id):
    ``select * from lake.snapshots()`` shows who wrote what."""
    with write_lock(warehouse), reading(warehouse) as cursor:
        cursor.execute("begin")
        try:
            yield cursor
            extra = json.dumps({**_commit_tags, **tags}, default=str, sort_keys=True)
            cursor.execute(f"call {ALIAS}.set_commit_message('undercut', ?, extra_info => ?)", [message, extra])
            cursor.execute("commit")
        except BaseException:
            cursor.execute("rollback")
            raise


_commit_tags: dict[str, object] = {}


def set_commit_tags(**tags: object) -> None:
    """Tags every later commit of this process carries (the orchestration sets the run id and job)."""
    _commit_tags.clear()
    _commit_tags.update(tags)


def read_frame(warehouse: Warehouse, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    with reading(warehouse) as con:
        return con.execute(sql, params or []).df()


def table_exists(warehouse: Warehouse, schema: str, table: str) -> bool:
    sql = ("select count(*) from information_schema.tables where table_catalog = ? and table_schema = ? "
           "and table_name = ?")
    with reading(warehouse) as con:
        row = con.execute(sql, [ALIAS, schema, table]).fetchone()
    return bool(row and row[0])


def current_snapshot(warehouse: Warehouse) -> int:
    with reading(warehouse) as con:
        row = con.execute(f"select id from {ALIAS}.current_snapshot()").fetchone()
    return int(row[0]) if row else 0


LANDINGS_SCHEMA, LANDINGS_NAME = "ops", "race_landings"
LANDINGS_TABLE = f"{LANDINGS_SCHEMA}.{LANDINGS_NAME}"
_RESULT_RACES = ("select r.race_key, r.race_id, r.season, r.round from marts.dim_races as r "
                 "where r.race_id in (select race_id from marts.fct_results)")


@contextmanager
def recording_race_landings(warehouse: Warehouse) -> Iterator[None]:
    """Around a build of ``marts.fct_results``: each race whose results appear in it for the first time gets a row in
    ``ops.race_landings`` with ``snapshot_before``, the last snapshot before the build, i.e. the warehouse as it stood
    before that race's data landed (pre-race predictions and strategy: ``AT (VERSION => snapshot_before)``)."""
    before = current_snapshot(warehouse)
    try:
        yield
    finally:
        _record_landings(warehouse, before)


def _record_landings(warehouse: Warehouse, before: int) -> None:
    if not table_exists(warehouse, "marts", "fct_results"):
        return
    with writing(warehouse, "race landings") as con:
        create_landings_table(con)
        con.execute(f"""insert into {LANDINGS_TABLE}
            select race_key, race_id, season, round, ?, now()
            from ({_RESULT_RACES}) where race_id not in (select race_id from {LANDINGS_TABLE})""", [before])


def create_landings_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {LANDINGS_SCHEMA}")
    con.execute(f"create table if not exists {LANDINGS_TABLE} (race_key varchar, race_id integer, season integer, "
                "round integer, snapshot_before bigint, landed_at timestamp with time zone)")


def snapshot_before_race(warehouse: Warehouse, race_key: str) -> int:
    """The snapshot just before race `race_key` (``YYYY-RR``) landed, for ``AT (VERSION => …)`` queries."""
    frame = read_frame(warehouse, f"select snapshot_before from {LANDINGS_TABLE} where race_key = ?", [race_key])
    if frame.empty:
        raise KeyError(f"race {race_key} has not landed in the warehouse")
    return int(frame["snapshot_before"].iloc[0])


def maintain(warehouse: Warehouse, keep: timedelta = timedelta(days=30),
             grace: timedelta = timedelta(days=1)) -> dict[str, int]:
    """DuckLake's upkeep: merge small data files, expire snapshots older than `keep` (except the ones
    ``ops.race_landings`` points at: "as it stood before race R" stays queryable), then delete the files no snapshot
    needs any more once they have been unreferenced for `grace` (a reader may still be scanning them)."""
    with write_lock(warehouse), reading(warehouse) as con:
        merged = con.execute(f"call ducklake_merge_adjacent_files('{ALIAS}')").fetchall()
        kept = {int(v) for (v,) in con.execute(f"select snapshot_before from {LANDINGS_TABLE}").fetchall()
                } if table_exists(warehouse, LANDINGS_SCHEMA, LANDINGS_NAME) else set()
        expired = [int(v) for (v,) in con.execute(
            f"select snapshot_id from {ALIAS}.snapshots() where snapshot_time < now() - ?::interval "
            f"and snapshot_id < (select id from {ALIAS}.current_snapshot())", [f"{keep.total_seconds()} seconds"]
        ).fetchall() if int(v) not in kept]
        if expired:
            con.execute(f"call ducklake_expire_snapshots('{ALIAS}', versions => ?)", [expired])
        deleted = con.execute(f"call ducklake_cleanup_old_files('{ALIAS}', older_than => now() - ?::interval)",
                              [f"{grace.total_seconds()} seconds"]).fetchall()
    return {"files_merged": len(merged), "snapshots_expired": len(expired), "snapshots_kept_for_history": len(kept),
            "files_deleted": len(deleted)}


def raw_view_sql(lake: Lake, spec: TableSpec) -> str:
    if not lake.data_files(spec):
        # Nothing materialised yet: an empty relation with the declared columns keeps downstream SQL valid.
        cols = ", ".join(f"NULL::{duckdb_type(f.type)} AS \"{f.name}\"" for f in spec.schema)
        extra = {Partitioning.NONE: "", Partitioning.SEASON: ", NULL::INTEGER AS season",
                 Partitioning.SESSION: ", NULL::INTEGER AS season, NULL::INTEGER AS round, NULL::VARCHAR AS session"}
        return f"SELECT {cols}{extra[spec.partitioning]} WHERE false"
    hive = "" if spec.partitioning is Partitioning.NONE else f", hive_partitioning = true, hive_types = {HIVE_TYPES[spec.partitioning]}"
    return f"SELECT * FROM read_parquet('{lake.glob(spec)}'{hive})"


def build_raw_schema(warehouse: Warehouse, lake: Lake) -> dict[str, int]:
    """(Re)create ``raw.<table>`` for every declared table, in one snapshot; returns row counts."""
    with writing(warehouse, "raw views") as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for spec in TABLES.values():
            con.execute(f"CREATE OR REPLACE VIEW raw.{spec.name} AS {raw_view_sql(lake, spec)}")
    with reading(warehouse) as con:
        return {spec.name: int(con.execute(f"SELECT count(*) FROM raw.{spec.name}").fetchone()[0])  # type: ignore[index]
                for spec in TABLES.values()}
