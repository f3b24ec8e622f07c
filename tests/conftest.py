"""Shared fixtures: the real archive (read in place, never copied into the repo)."""

from __future__ import annotations

import os
import subprocess
import sys
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
    """`undercut run` on the archive, once per test session (shared by xdist workers through a file lock)."""
    from filelock import FileLock

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
