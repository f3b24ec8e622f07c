"""Running the `undercut` command the way a user does (its own process, on a home and an archive)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on (for a server the test starts, or to be refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout_s: float = 60) -> None:
    """Until the server `proc` started listens on 127.0.0.1:`port` (fails early if it exits)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert proc.poll() is None, f"{what} exited with {proc.returncode}"
            assert time.monotonic() < deadline, f"{what} did not listen on port {port} within {timeout_s} s"
            time.sleep(0.1)


def undercut_env(home: Path, archive: Path) -> dict[str, str]:
    env = {**os.environ, "UNDERCUT_HOME": str(home), "UNDERCUT_SOURCE": "archive", "UNDERCUT_ARCHIVE_DIR": str(archive),
           "DAGSTER_HOME": str(home / "dagster")}
    for name in ("UNDERCUT_LAKE_URI", "UNDERCUT_WAREHOUSE_CATALOG"):
        env.pop(name, None)
    return env


def undercut(command: str, home: Path, archive: Path, *options: str) -> str:
    """Run `undercut <command> [options]` to completion; its standard output."""
    return subprocess.run([sys.executable, "-m", "orchestration.cli", command, *options], env=undercut_env(home, archive),
                          check=True, cwd=REPO, stdout=subprocess.PIPE, text=True).stdout


def undercut_logged(command: str, home: Path, archive: Path, log: Path) -> None:
    """Run `undercut <command>` to completion with everything it prints (stdout and stderr) in `log`."""
    with open(log, "w") as out:
        subprocess.run([sys.executable, "-m", "orchestration.cli", command], env=undercut_env(home, archive),
                       check=True, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, text=True)


def forget_settled(home: Path) -> None:
    """Make the next `undercut refresh` plan, as if no complete refresh had been recorded (orchestration.settled)."""
    from dagster import DagsterInstance

    from orchestration.settled import SETTLED_KEY

    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        instance.run_storage.set_cursor_values({SETTLED_KEY: "{}"})
