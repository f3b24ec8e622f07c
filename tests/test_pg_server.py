"""The `postgres` fixture: a real PostgreSQL on 127.0.0.1 that accepts the password-less conninfo plus PGPASSWORD."""

from __future__ import annotations

import os
import subprocess

from pg_server import PgServer


def psql(server: PgServer, sql: str) -> str:
    """One unaligned, tuples-only query through Debian's psql; the password only in PGPASSWORD."""
    out = subprocess.run([str(server.bin_dir / "psql"), server.dsn_libpq(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                          "-c", sql], check=True, capture_output=True, text=True, timeout=30,
                         env={**os.environ, "PGPASSWORD": server.password})
    return out.stdout.strip()


def test_postgres_answers_on_localhost(postgres: PgServer) -> None:
    assert postgres.host == "127.0.0.1"
    assert postgres.password not in postgres.dsn_libpq()
    assert psql(postgres, "select 1") == "1"
    assert psql(postgres, "select current_user") == postgres.user == "undercut"
    assert psql(postgres, "select current_database()") == postgres.dbname == "undercut"
