"""Durable incident store: a SQLite file next to the warehouse, ``$UNDERCUT_HOME/incidents.db``.

Not a warehouse table on purpose: DuckDB takes one writer process at a time, so while a run (or `dagster dev`)
holds the warehouse, or after it was corrupted by the very failure being recorded, the incident could not be
written. SQLite waits for a concurrent writer (busy timeout) and lives in its own file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from orchestration.incidents import Incident

FILE_NAME = "incidents.db"
SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    failed_at REAL NOT NULL,
    job TEXT NOT NULL,
    step TEXT NOT NULL,
    cause TEXT NOT NULL,
    message TEXT NOT NULL,
    text TEXT NOT NULL,   -- what similarity compares (Incident.text)
    record TEXT NOT NULL  -- the whole Incident as JSON
);
CREATE INDEX IF NOT EXISTS incidents_failed_at ON incidents (failed_at);
"""


class IncidentStore:
    def __init__(self, home: Path) -> None:
        self.path = home / FILE_NAME

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30)) as con, con:  # inner `con`: commit or roll back
            con.executescript(SCHEMA)
            yield con

    def save(self, incident: Incident) -> Incident:
        """Insert or, for a run already recorded, replace its record keeping its id (idempotent per run id)."""
        with self._connect() as con:
            row = con.execute(
                """INSERT INTO incidents (run_id, failed_at, job, step, cause, message, text, record)
                   VALUES (?, ?, ?, ?, ?, ?, ?, '{}')
                   ON CONFLICT (run_id) DO UPDATE SET failed_at = excluded.failed_at, job = excluded.job,
                       step = excluded.step, cause = excluded.cause, message = excluded.message, text = excluded.text
                   RETURNING id""",
                (incident.run_id, incident.failed_at, incident.job, incident.step, incident.cause.value,
                 incident.message, incident.text()),
            ).fetchone()
            saved = incident.model_copy(update={"id": int(row[0])})
            con.execute("UPDATE incidents SET record = ? WHERE id = ?", (saved.model_dump_json(), saved.id))
        return saved

    def history_before(self, failed_at: float, run_id: str) -> list[tuple[int, str]]:
        """(id, text) of the incidents recorded before ``failed_at``, other than this run's."""
        with self._connect() as con:
            rows = con.execute("SELECT id, text FROM incidents WHERE failed_at < ? AND run_id != ? ORDER BY id",
                               (failed_at, run_id)).fetchall()
        return [(int(i), str(t)) for i, t in rows]

    def get(self, key: str) -> Incident | None:
        """By incident id, else by run id (a unique prefix is enough: Dagster shows the first 8 characters)."""
        if not self.path.exists():  # reading never creates the store
            return None
        with self._connect() as con:
            rows = con.execute("SELECT record FROM incidents WHERE CAST(id AS TEXT) = ?", (key,)).fetchall()
            if not rows:
                rows = con.execute("SELECT record FROM incidents WHERE substr(run_id, 1, length(?)) = ?",
                                   (key, key)).fetchall()
        return Incident.model_validate_json(rows[0][0]) if len(rows) == 1 else None

    def latest(self, limit: int) -> list[Incident]:
        if not self.path.exists():
            return []
        with self._connect() as con:
            rows = con.execute("SELECT record FROM incidents ORDER BY failed_at DESC, id DESC LIMIT ?",
                               (limit,)).fetchall()
        return [Incident.model_validate_json(r[0]) for r in rows]
