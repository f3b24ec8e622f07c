"""`undercut run` prints what a user reads (a line per job and partition range, a progress line per job, warnings and a
closing table), not Dagster's event log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orchestration.defs.jobs import MAIN_JOBS


def test_undercut_run_prints_under_200_lines(built_home: Path) -> None:
    log = built_home / "run.log"  # everything the fixture's `undercut run` on the archive printed
    if not log.exists():
        pytest.skip(f"{built_home} was built elsewhere (UNDERCUT_TEST_HOME): no log of its run")
    lines = log.read_text().split("\n")  # terminal lines (a progress bar's carriage returns stay on one)
    assert 20 < len(lines) < 200, "\n".join(lines[:50])
    # no terminal: each job's progress bar prints only its final state, "<job> <bar> <done>/<total> <elapsed> <eta>"
    progress = [m.group(1) for line in lines if (m := re.match(r"(\w+_job) .* (\d+)/\2 ", line))]
    assert progress == [job.name for job in MAIN_JOBS], "\n".join(lines)
    table = lines[next(i for i, line in enumerate(lines) if "what ran" in line):]
    rows = [row.split("│")[1].strip() for row in table if row.startswith("│")]
    assert rows == [job.name for job in MAIN_JOBS] + ["total"], "\n".join(table)
    # a multiprocess step announces itself at DEBUG before the run's logger config reaches it (one line per step)
    noise = [line for line in lines if (" - DEBUG - " in line and "STEP_WORKER_STARTED" not in line)
             or "DeprecationWarning" in line
             or re.search(r"\d+ of \d+ (START|OK|PASS)", line) or "undercut.archive: reading" in line]
    assert not noise, "\n".join(noise[:20])
