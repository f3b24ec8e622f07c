"""Shared fixtures: the real archive (read in place, never copied into the repo)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from home_copies import copy_home
from pg_server import PgServer, pg_bin, postgres_server
from undercut_cli import free_port, undercut, undercut_logged, wait_for_port

REPO = Path(__file__).resolve().parents[1]
ARCHIVE = Path(os.environ.get("UNDERCUT_TEST_ARCHIVE", REPO.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def archive_dir() -> Path:
    if not (ARCHIVE / "MANIFEST.md").exists():
        pytest.skip(f"the shared F1 archive is not at {ARCHIVE}")
    return ARCHIVE


LANDED_RACE = (2025, 15)  # the 2025 Dutch GP: the built home gets it through `undercut refresh`


@pytest.fixture(scope="session")
def built_home(archive_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive as a race weekend sees it, once per test session (shared by xdist workers through a file lock):
    `undercut run` on the archive without the 2025 Dutch GP, then `undercut refresh` on the whole archive while a
    second process keeps querying the warehouse (its log: `reader.jsonl`, see tests/warehouse_reader.py).

    UNDERCUT_TEST_HOME points at an already built home instead (development shortcut; CI never sets it)."""
    from filelock import FileLock

    from transforms.archive_tools import copy_without_race

    if os.environ.get("UNDERCUT_TEST_HOME"):
        return Path(os.environ["UNDERCUT_TEST_HOME"])

    # xdist workers share their session's folder (the parent of each worker's); a run without xdist has its own
    shared = tmp_path_factory.getbasetemp()
    shared = shared.parent if os.environ.get("PYTEST_XDIST_WORKER") else shared
    home = shared / "built_home"
    with FileLock(str(shared / "built_home.lock")):
        if not (home / "DONE").exists():
            before = shared / "archive_before_race"
            copy_without_race(archive_dir, before, *LANDED_RACE)
            home.mkdir(parents=True, exist_ok=True)
            undercut_logged("run", home, before, home / "run.log")  # what a user reads: tests/foundation
            copy_home(home, _before_race(home))
            stop = home / "reader.stop"
            reader = subprocess.Popen([sys.executable, str(REPO / "tests" / "warehouse_reader.py"),
                                       str(home / "reader.jsonl"), str(stop)],
                                      env={**os.environ, "UNDERCUT_HOME": str(home)}, cwd=REPO)
            try:
                time.sleep(2)  # the reader's connection is open before the refresh starts
                undercut("refresh", home, archive_dir)
                time.sleep(1)
            finally:
                stop.touch()
                reader.wait(timeout=60)
            (home / "DONE").write_text("ok")
    return home


def _before_race(home: Path) -> Path:
    return home.with_name(f"{home.name}_before_race")


@pytest.fixture(scope="session")
def home_before_race(built_home: Path) -> Path:
    """`built_home` as it stood before `undercut refresh` brought the Dutch GP: copy it (tests/home_copies.py) to
    refresh it again. With UNDERCUT_TEST_HOME, the folder `<that home>_before_race` (skipped if absent)."""
    before = _before_race(built_home)
    if not before.exists():
        pytest.skip(f"no home before the race at {before}")
    return before


@pytest.fixture(scope="session")
def s3_env() -> Iterator[dict[str, str]]:
    """A real S3-protocol server (moto) on 127.0.0.1 and the AWS env vars that point at it."""
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, proc, "moto server", timeout_s=20)
    yield {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    proc.terminate()
    proc.wait()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgServer]:
    """A real PostgreSQL on 127.0.0.1 for this test session (the warehouse's several-machines catalog)."""
    if pg_bin() is None and not os.environ.get("CI"):
        pytest.skip("Debian's postgresql is not installed (`make setup` installs it)")
    with postgres_server() as server:
        yield server
