"""Shared fixtures: the real archive (read in place, never copied into the repo)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ARCHIVE = Path(os.environ.get("UNDERCUT_TEST_ARCHIVE", REPO.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def archive_dir() -> Path:
    if not (ARCHIVE / "MANIFEST.md").exists():
        pytest.skip(f"the shared F1 archive is not at {ARCHIVE}")
    return ARCHIVE


@pytest.fixture(scope="session")
def built_home(archive_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`undercut run` on the archive, once per test session (shared by xdist workers through a file lock).

    UNDERCUT_TEST_HOME points at an already built home instead (development shortcut; CI never sets it)."""
    from filelock import FileLock

    if os.environ.get("UNDERCUT_TEST_HOME"):
        return Path(os.environ["UNDERCUT_TEST_HOME"])

    shared = tmp_path_factory.getbasetemp().parent
    home = shared / "built_home"
    with FileLock(str(shared / "built_home.lock")):
        if not (home / "DONE").exists():
            env = {**os.environ, "UNDERCUT_HOME": str(home), "UNDERCUT_SOURCE": "archive",
                   "UNDERCUT_ARCHIVE_DIR": str(archive_dir), "DAGSTER_HOME": str(home / "dagster")}
            env.pop("UNDERCUT_LAKE_URI", None)
            subprocess.run([sys.executable, "-m", "orchestration.cli", "run"], env=env, check=True, cwd=REPO,
                           stdout=subprocess.DEVNULL)
            (home / "DONE").write_text("ok")
    return home


@pytest.fixture(scope="session")
def s3_env() -> Iterator[dict[str, str]]:
    """A real S3-protocol server (moto) on 127.0.0.1 and the AWS env vars that point at it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "moto server did not start"
            time.sleep(0.1)
    yield {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    proc.terminate()
    proc.wait()
