"""kill -9 of an in-process run while its step holds the warehouse pool's only slot: the next `undercut run` or
`refresh` finishes it (failed, slot freed) instead of waiting for that slot forever."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus

from orchestration.defs.resources import WAREHOUSE_POOL
from orchestration.deployment import DAGSTER_YAML
from orchestration.main_run import finish_abandoned_runs

REPO = Path(__file__).resolve().parents[2]
# A pooled step as `undercut run` executes it: in process, tagged with the running process.
STEP = f"""
import sys, time
from dagster import DagsterInstance, asset, materialize
from orchestration.main_run import run_tags

@asset(pool={WAREHOUSE_POOL!r})
def publish_marts() -> None:
    print("step started", flush=True)
    time.sleep(float(sys.argv[1]))

result = materialize([publish_marts], instance=DagsterInstance.get(), tags=run_tags())
print("success" if result.success else "failure", flush=True)
"""


def test_a_killed_run_is_finished_by_the_next_one(tmp_path: Path) -> None:
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    script = tmp_path / "step.py"
    script.write_text(STEP)
    env = {**os.environ, "DAGSTER_HOME": str(home), "PYTHONPATH": str(REPO)}
    running = subprocess.Popen([sys.executable, str(script), "600"], env=env, cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        assert running.stdout is not None
        assert "step started" in running.stdout.readline()
        with DagsterInstance.from_config(str(home)) as instance:
            [run] = instance.get_runs()
            assert finish_abandoned_runs(instance) == []  # its process is alive: not abandoned
            running.kill()
            running.wait()
            assert instance.get_run_by_id(run.run_id).status is DagsterRunStatus.STARTED  # type: ignore[union-attr]
            assert instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).active_run_ids == {run.run_id}

            assert finish_abandoned_runs(instance) == [run.run_id]
            assert instance.get_run_by_id(run.run_id).status is DagsterRunStatus.FAILURE  # type: ignore[union-attr]
            assert not instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).active_run_ids
            assert finish_abandoned_runs(instance) == []
    finally:
        running.kill()
    again = subprocess.run([sys.executable, str(script), "0"], env=env, cwd=REPO, capture_output=True, text=True,
                           timeout=180)
    assert again.stdout.strip().endswith("success"), again.stderr[-2000:]
