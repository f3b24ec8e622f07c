"""A real PostgreSQL for tests, started on 127.0.0.1 from Debian's `postgresql` binaries (`make setup` installs them)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from undercut_cli import free_port


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    password: str
    bin_dir: Path
    dbname: str = "undercut"

    def dsn_libpq(self, dbname: str | None = None) -> str:
        """libpq conninfo without the password (it goes in PGPASSWORD: DuckDB echoes conninfo in errors)."""
        return f"dbname={dbname or self.dbname} host={self.host} port={self.port} user={self.user}"

    def create_database(self, name: str) -> None:
        subprocess.run([str(self.bin_dir / "createdb"), "-h", self.host, "-p", str(self.port), "-U", self.user, name],
                       check=True, env={**os.environ, "PGPASSWORD": self.password}, capture_output=True)


@contextmanager
def postgres_server() -> Iterator[PgServer]:
    bin_dir = pg_bin()
    if bin_dir is None:
        raise RuntimeError("Debian's postgresql is missing (no /usr/lib/postgresql/*/bin/initdb): run `make setup`")
    # PostgreSQL refuses to run as root: as root, run it as the `postgres` user in a folder that user owns
    as_user = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="undercut_pg_"))
    if as_user:
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
    password, user = "undercut-test-secret", "undercut"
    pwfile = root / "pw"
    pwfile.write_text(password)
    if as_user:
        os.chown(pwfile, account.pw_uid, account.pw_gid)
    port = free_port()
    data = root / "data"
    server = PgServer("127.0.0.1", port, user, password, bin_dir)
    try:
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", user, f"--pwfile={pwfile}",
                        "--auth=scram-sha-256", "-E", "UTF8"], check=True, capture_output=True)
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off")
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60",
                        "-o", options, "start"], check=True, capture_output=True)
        server.create_database(server.dbname)
        yield server
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
