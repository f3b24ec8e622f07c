"""`undercut run` prints what a user reads (one line per job and partition range, warnings), not Dagster's event log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


def test_undercut_run_prints_under_200_lines(built_home: Path) -> None:
    log = built_home / "run.log"  # everything the fixture's `undercut run` on the archive printed
    if not log.exists():
        pytest.skip(f"{built_home} was built elsewhere (UNDERCUT_TEST_HOME): no log of its run")
    lines = log.read_text().split("\n")  # terminal lines (a progress bar's carriage returns stay on one)
    assert 20 < len(lines) < 200, "\n".join(lines[:50])
    assert any("dbt_job: done in" in line for line in lines)
    # a multiprocess step announces itself at DEBUG before the run's logger config reaches it (one line per step)
    noise = [line for line in lines if (" - DEBUG - " in line and "STEP_WORKER_STARTED" not in line)
             or "DeprecationWarning" in line
             or re.search(r"\d+ of \d+ (START|OK|PASS)", line) or "undercut.archive: reading" in line]
    assert not noise, "\n".join(noise[:20])
