"""Dagster's SQLite event log with one open connection to its index database, for the instance under $DAGSTER_HOME.

Dagster's SqliteEventLogStorage opens a new engine and connection for every statement and closes it after; closing the
last connection to a WAL database checkpoints it (fsyncs). A refresh writes ~1,600 events (each asset event is
mirrored in the index, with its tags and the asset's entry) and the planner and Dagster's data-version lookups read
the index thousands of times: ~10,000 connections per refresh. Measured on the loaded 2-core machine: a latest-
materialisation read 23 ms -> 4 ms, a runless asset event 20-29 ms -> 7-13 ms. The per-run databases keep Dagster's
own connect-per-statement: the UI's live run log watches those files for changes, which a kept connection would
delay until its next checkpoint, except while one batch of events is written (store_event_batch)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import SqliteStorageConfig
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

# Dagster hands events to store_event_batch only when this is > 0, read from the environment of the process that
# reports them (run creation, step workers); the value caps a batch.
EVENT_BATCH_SIZE = "1000"


class KeptIndexSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._index_engine: Engine | None = None
        self._batch = threading.local()  # the run database connection held for one batch, per thread
        super().__init__(base_dir, inst_data)
        # re-entrant: a batch holds Dagster's run connection (taken under this lock) while its events reach the index
        self._db_lock = threading.RLock()  # type: ignore[assignment]

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None,  # type: ignore[override]
                          config_value: SqliteStorageConfig) -> KeptIndexSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        held: tuple[str, Connection] | None = getattr(self._batch, "held", None)
        if held is not None and held[0] == shard:
            yield held[1]
            return
        if shard != INDEX_SHARD_NAME:
            with super()._connect(shard) as conn:
                yield conn
            return
        with self._db_lock:  # one statement at a time on the kept connection, as on Dagster's own ones
            if self._index_engine is None:
                engine = create_engine(self.conn_string_for_shard(shard), poolclass=StaticPool,
                                       connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                                                     "check_same_thread": False})  # guarded by the lock
                self._initdb(engine)
                self._index_engine = engine
            with self._index_engine.connect() as conn, conn.begin():
                yield conn

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """A batch of one run's events on one connection to its database and one commit. Dagster's default opens,
        commits and closes (a checkpoint) the run's file per event: creating dbt_job's run reports ~360 planned asset
        and check events, 13-18 s before its first step; a partition-range run reports its materialisations together."""
        run_ids = {event.run_id for event in events}
        if len(run_ids) != 1:
            super().store_event_batch(events)
            return
        run_id = run_ids.pop()
        with super()._connect(run_id) as conn:
            self._batch.held = (run_id, conn)
            try:
                for event in events:
                    self.store_event(event)
            finally:
                self._batch.held = None

    def dispose(self) -> None:
        if self._index_engine is not None:
            self._index_engine.dispose()
            self._index_engine = None
        super().dispose()


def kept_index_overrides(dagster_home: str) -> dict[str, Any]:
    """Instance overrides selecting this event log, its files where Dagster's default SQLite storage keeps them."""
    return {"event_log_storage": {"module": __name__, "class": KeptIndexSqliteEventLogStorage.__name__,
                                  "config": {"base_dir": os.path.join(os.path.abspath(dagster_home), "history", "runs")}}}
