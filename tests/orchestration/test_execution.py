"""`undercut run` goes through Dagster's executors: a cold build's runs spread their steps over processes; pools hold
the live sources to one step at a time; the executor setting is validated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance, RunsFilter
from pydantic import ValidationError
from undercut_cli import undercut_env

from orchestration.deployment import DAGSTER_YAML, PARALLEL_FROM_PARTITIONS, DeploymentSettings, write_dagster_yaml

REPO = Path(__file__).resolve().parents[2]


def test_executor_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    auto = DeploymentSettings(executor="auto", max_concurrent=2)
    assert auto.parallel(145) and auto.parallel(PARALLEL_FROM_PARTITIONS) and not auto.parallel(2)
    assert not auto.parallel(0)  # an unpartitioned job
    assert DeploymentSettings(executor="multiprocess").parallel(0)
    assert not DeploymentSettings(executor="in_process").parallel(145)
    assert DeploymentSettings(executor="dask").parallel(0)  # a distributed deployment: every step on its workers
    monkeypatch.setenv("UNDERCUT_EXECUTOR", "threads")
    with pytest.raises(ValidationError, match="executor"):
        DeploymentSettings()
    monkeypatch.setenv("UNDERCUT_EXECUTOR", "auto")
    monkeypatch.setenv("UNDERCUT_MAX_CONCURRENT", "0")
    with pytest.raises(ValidationError, match="max_concurrent"):
        DeploymentSettings()


def test_dagster_yaml_follows_the_settings_unless_written_by_hand(tmp_path: Path) -> None:
    embedded, shared = DeploymentSettings(), DeploymentSettings(dagster_postgres_url="postgresql://u:p@127.0.0.1:5/d")
    write_dagster_yaml(str(tmp_path), embedded)
    assert "storage" not in (tmp_path / "dagster.yaml").read_text()
    write_dagster_yaml(str(tmp_path), shared)  # a switch to PostgreSQL reaches a home made before
    assert "postgres_url: postgresql://u:p@127.0.0.1:5/d" in (tmp_path / "dagster.yaml").read_text()
    (tmp_path / "dagster.yaml").write_text(DAGSTER_YAML + "run_monitoring:\n  enabled: true\n")  # an operator's own
    write_dagster_yaml(str(tmp_path), embedded)
    assert "run_monitoring" in (tmp_path / "dagster.yaml").read_text()


def _pools(source: str, tmp_path: Path) -> dict[str, str | None]:
    """The pool of each asset step, as the code location defines it for this source (a fresh process: pools are
    fixed when the definitions load)."""
    code = ("import json; from orchestration.definitions import defs\n"
            "graph = defs.resolve_asset_graph()\n"
            "print(json.dumps({n.key.to_user_string(): graph.assets_def_for_key(n.key).node_def.pool"
            " for n in graph.asset_nodes if n.is_executable}))")
    env = {**os.environ, "UNDERCUT_SOURCE": source, "UNDERCUT_HOME": str(tmp_path),
           "UNDERCUT_ARCHIVE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_live_sources_are_read_one_step_at_a_time(tmp_path: Path) -> None:
    live, archive = _pools("live", tmp_path), _pools("archive", tmp_path)
    assert live["raw/results"] == live["raw/pit_stops"] == "jolpica"
    assert live["raw/session_laps"] == live["raw/car_telemetry"] == "fastf1"
    assert archive["raw/results"] is None and archive["raw/session_laps"] is None
    for pools in (live, archive):
        assert pools["ml/lap_time"] == "mlflow"
        assert pools["marts/fct_results"] == "warehouse"  # the dbt build
        assert pools["marts/race_stories"] is None  # commits through the catalog, computes in parallel


def test_cold_build_ran_steps_in_parallel(built_home: Path) -> None:
    """The fixture's `undercut run` (auto executor): race_job over every race ran its assets in several processes at
    the same time."""
    if not (built_home / "run.log").exists():
        pytest.skip(f"{built_home} was built elsewhere (UNDERCUT_TEST_HOME): its executor is unknown")
    with DagsterInstance.from_config(str(built_home / "dagster")) as instance:
        runs = [r for r in instance.get_runs(RunsFilter(job_name="race_job"))
                if r.tags.get("dagster/asset_partition_range_start") == "2018-01"]
        assert runs, "no race_job run over every race"
        spans: dict[str, list[float]] = {}
        pids: dict[str, int] = {}
        for record in instance.get_records_for_run(runs[-1].run_id).records:
            entry = record.event_log_entry
            event = entry.dagster_event
            if event is None or entry.step_key is None:
                continue
            if event.event_type is DagsterEventType.STEP_START:
                spans[entry.step_key] = [entry.timestamp, entry.timestamp]
                pids[entry.step_key] = event.pid or 0
            elif event.event_type is DagsterEventType.STEP_SUCCESS:
                spans[entry.step_key][1] = entry.timestamp
    assert len(set(pids.values())) > 1, pids
    overlapping = [(a, b) for a in spans for b in spans
                   if a < b and spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]]
    assert overlapping, spans


STEP = "raw__lap_times"  # the longest step of historical_job: still running when killed
HISTORICAL_JOB = ("from orchestration.main_run import _execute, _observe, _prepare\n"
                  "from transforms.settings import Settings\n"
                  "settings = Settings()\n"
                  "source, instance = _prepare(settings)\n"
                  "_observe(source, instance)\n"
                  "_execute(settings, instance, 'historical_job', None, {})\n")


def _step_pid(home: Path) -> int | None:
    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        for run in instance.get_runs(RunsFilter(job_name="historical_job")):
            for record in instance.get_records_for_run(run.run_id).records:
                entry = record.event_log_entry
                if entry.step_key == STEP and entry.dagster_event_type is DagsterEventType.STEP_START:
                    return entry.dagster_event.pid if entry.dagster_event else None
    return None


@pytest.mark.slow
def test_a_killed_step_process_fails_the_run_and_the_rerun_completes(archive_dir: Path, tmp_path: Path) -> None:
    from transforms.lake import Lake
    from transforms.schemas import TABLES
    from transforms.settings import Settings
    from transforms.sources import open_source

    home = tmp_path / "home"
    env = {**undercut_env(home, archive_dir), "UNDERCUT_EXECUTOR": "multiprocess"}
    # the instance's storage is created here, before the run: two processes creating the same SQLite run storage at
    # once can both stamp its schema version, and neither can open it after
    (home / "dagster").mkdir(parents=True)
    (home / "dagster" / "dagster.yaml").write_text(DAGSTER_YAML)
    DagsterInstance.from_config(str(home / "dagster")).dispose()
    log = tmp_path / "killed.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-c", HISTORICAL_JOB], env=env, cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 300
    while (pid := _step_pid(home)) is None:
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "the step never started"
        time.sleep(0.5)
    os.kill(pid, signal.SIGKILL)  # the step's own process, not the run's
    assert proc.wait(timeout=600) != 0
    assert "historical_job failed" in log.read_text() and "SIGKILL" in log.read_text()

    rerun = subprocess.run([sys.executable, "-c", HISTORICAL_JOB], env=env, cwd=REPO, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    spec = TABLES["lap_times"]
    lake = Lake(str(home / "lake"))
    stored = lake.read_all(spec).to_pandas()
    assert not stored.duplicated(list(spec.primary_key)).any()
    source = open_source(Settings(home=home, source="archive", archive_dir=archive_dir))
    assert len(stored) == sum(source.historical_table("lap_times", season).num_rows for season in source.seasons())
