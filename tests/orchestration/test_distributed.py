"""A distributed deployment on one machine, as an operator runs it on several (deploy/README.md): the Dagster instance
and Feast's registry and online store on PostgreSQL, every step on one of two Dask workers, MLflow behind its tracking
server. The same jobs give the same
tables as in one process, and a worker killed in the middle of a step loses nothing."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import boto3
import pandas as pd
import pytest
from dagster import DagsterEventType, DagsterInstance, RunsFilter
from home_copies import checksums, copy_home, differing
from pg_server import PgServer
from undercut_cli import free_port, undercut_env, wait_for_port

from transforms.lake import Lake
from transforms.schemas import TABLES
from transforms.warehouse import Warehouse, read_frame

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# race_job over the 2025 races (strategy precompute, car scores, insights), then (unless only race_job is asked for) the
# predictions from the champions that the tracking server serves, Feast applied and materialised on PostgreSQL
JOBS = ("import logging, sys; logging.basicConfig(level=logging.INFO)\n"
        "from orchestration.main_run import _execute, _observe, _prepare\n"
        "from transforms.settings import Settings\n"
        "settings = Settings()\n"
        "source, instance = _prepare(settings)\n"
        "_observe(source, instance)  # a new instance learns the partitions\n"
        "races = [key for key in instance.get_dynamic_partitions('race') if key.startswith('2025-')]\n"
        "_execute(settings, instance, 'race_job', races, {})\n"
        "if sys.argv[1:] != ['race_job']:\n"
        "    _execute(settings, instance, 'ml_predict_job', None, {})\n")


def _run_jobs(env: dict[str, str], *only: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", JOBS, *only], env=env, cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def _finished(proc: subprocess.Popen[bytes], timeout_s: float = 900) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=timeout_s)
    return proc.returncode, out.decode()[-4000:]


@contextmanager
def _server(command: list[str], env: dict[str, str], port: int, what: str, cwd: Path) -> Iterator[int]:
    """A server process on 127.0.0.1:`port` for the block; its pid."""
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        wait_for_port(port, proc, what, timeout_s=120)
        yield proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # with its children (the MLflow server's uvicorn)
        proc.wait()


def _worker(scheduler: str, env: dict[str, str], name: str) -> contextlib.AbstractContextManager[int]:
    """A Dask worker process (no nanny: the worker is the process, so a test can kill it) with the code location
    loaded at start, one step at a time."""
    port = free_port()
    return _server([str(BIN / "dask"), "worker", scheduler, "--no-nanny", "--nthreads", "1", "--no-dashboard",
                    "--host", "127.0.0.1", "--worker-port", str(port), "--name", name,
                    "--preload", "orchestration.definitions"], env, port, f"dask worker {name}", REPO)


@contextmanager
def _dask_cluster(env: dict[str, str]) -> Iterator[tuple[dict[str, str], int, int]]:
    """A Dask scheduler and two workers started with `env`; the env that sends steps to them, and the workers' pids."""
    port = free_port()
    scheduler = f"tcp://127.0.0.1:{port}"
    env = {**env, "UNDERCUT_EXECUTOR": "dask", "UNDERCUT_DASK_SCHEDULER": scheduler}
    with ExitStack() as stack:
        stack.enter_context(_server([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                     "--no-dashboard"], env, port, "dask scheduler", REPO))
        first = stack.enter_context(_worker(scheduler, env, "first"))
        second = stack.enter_context(_worker(scheduler, env, "second"))
        yield env, first, second


def _step_pids(home: Path, job: str = "race_job") -> tuple[str, dict[str, int]]:
    """The newest run of `job` in the instance and the pid that started each of its steps."""
    with DagsterInstance.from_config(str(home / "dagster")) as instance:  # its dagster.yaml names the PostgreSQL
        runs = instance.get_runs(RunsFilter(job_name=job), limit=1)
        if not runs:
            return "", {}
        starts = instance.get_records_for_run(runs[0].run_id, of_type=DagsterEventType.STEP_START).records
        return runs[0].run_id, {r.event_log_entry.step_key or "": r.event_log_entry.dagster_event.pid or 0
                                for r in starts if r.event_log_entry.dagster_event}


@pytest.mark.slow
def test_steps_on_two_dask_workers_with_the_instance_on_postgres(
        built_home: Path, archive_dir: Path, postgres: PgServer, tmp_path: Path) -> None:
    reference, home = copy_home(built_home, tmp_path / "one_process"), copy_home(built_home, tmp_path / "distributed")
    in_process = _run_jobs({**undercut_env(reference, archive_dir), "UNDERCUT_EXECUTOR": "in_process"})

    server = f"postgresql://{postgres.user}:{postgres.password}@{postgres.host}:{postgres.port}"
    for database in ("dagster", "feast_dist"):
        postgres.create_database(database)
    mlflow_port = free_port()
    env = {**undercut_env(home, archive_dir), "UNDERCUT_DAGSTER_POSTGRES_URL": f"{server}/dagster",
           "UNDERCUT_FEAST_POSTGRES_URL": f"{server}/feast_dist?sslmode=disable",
           "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{mlflow_port}",
           "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    with ExitStack() as services:
        services.enter_context(_server(
            [str(BIN / "mlflow"), "server", "--backend-store-uri", f"sqlite:///{home / 'mlflow.db'}",
             "--host", "127.0.0.1", "--port", str(mlflow_port), "--workers", "1"], env, mlflow_port, "mlflow server",
            tmp_path))
        env, first, second = services.enter_context(_dask_cluster(env))

        code, out = _finished(_run_jobs(env))
        assert code == 0, out
        assert re.search(r"race_job: running 1\d partitions 2025-01\.\.2025-1\d on the Dask cluster", out), out
        code, out = _finished(in_process)
        assert code == 0, out
        want = checksums(Warehouse.at(reference))
        assert not differing(checksums(Warehouse.at(home)), want)
        done, pids = _step_pids(home)
        assert len(pids) > 2 and set(pids.values()) == {first, second}, pids  # every step on a worker, both used

        # a worker killed while it runs a step: Dask gives the step to the other worker
        again = _run_jobs(env, "race_job")
        deadline = time.monotonic() + 300
        while not ((run := _step_pids(home))[0] != done and first in run[1].values()):
            assert again.poll() is None and time.monotonic() < deadline, "no step started on the first worker"
            time.sleep(0.2)
        os.kill(first, signal.SIGKILL)
        code, out = _finished(again)
        if code != 0:  # the run failed cleanly: the next one finishes it
            code, out = _finished(_run_jobs(env, "race_job"))
        assert code == 0, out
        assert not differing(checksums(Warehouse.at(home)), want)


INGEST = ("import logging, sys; logging.basicConfig(level=logging.INFO)\n"
          "from orchestration.main_run import _execute, _observe, _prepare\n"
          "from transforms.settings import Settings\n"
          "settings = Settings()\n"
          "source, instance = _prepare(settings)\n"
          "_observe(source, instance)\n"
          "_execute(settings, instance, 'reference_job', None, {})\n"
          "_execute(settings, instance, 'historical_job', ['2024', '2025'], {})\n"
          "sessions = [key for key in instance.get_dynamic_partitions('session') if key.startswith('2025')]\n"
          "_execute(settings, instance, 'weekend_job', sessions, {})\n"
          "_execute(settings, instance, 'warehouse_job', None, {})\n")


@pytest.mark.slow
def test_ingest_on_dask_workers_into_s3_and_a_postgres_catalog(
        archive_dir: Path, postgres: PgServer, s3_env: dict[str, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The lake and the DuckLake files on S3 (moto), the catalog and the instance on PostgreSQL: what two workers
    ingest for 2024-2025 equals what one process writes to local disk."""
    local = tmp_path / "local"
    reference = subprocess.Popen([sys.executable, "-c", INGEST], cwd=REPO, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT,
                                 env={**undercut_env(local, archive_dir), "UNDERCUT_EXECUTOR": "in_process"})
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PGPASSWORD", postgres.password)
    boto3.client("s3").create_bucket(Bucket="undercut-dist")
    for database in ("dagster_ingest", "ducklake_ingest"):
        postgres.create_database(database)
    home = tmp_path / "distributed"
    catalog = f"postgres:{postgres.dsn_libpq('ducklake_ingest')}"
    env = {**undercut_env(home, archive_dir), **s3_env, "PGPASSWORD": postgres.password,
           "UNDERCUT_LAKE_URI": "s3://undercut-dist/lake", "UNDERCUT_WAREHOUSE_CATALOG": catalog,
           "UNDERCUT_DAGSTER_POSTGRES_URL":
               f"postgresql://{postgres.user}:{postgres.password}@{postgres.host}:{postgres.port}/dagster_ingest"}
    with _dask_cluster(env) as (env, first, second):
        code, out = _finished(subprocess.Popen([sys.executable, "-c", INGEST], env=env, cwd=REPO,
                                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        assert code == 0, out
        _, pids = _step_pids(home, "weekend_job")
        assert set(pids.values()) == {first, second}, pids
    code, out = _finished(reference)
    assert code == 0, out

    s3, disk = Lake("s3://undercut-dist/lake"), Lake(str(local / "lake"))
    filled = [spec for spec in TABLES.values() if disk.data_files(spec)]
    assert len(filled) > 10
    for spec in TABLES.values():
        want, got = (lake.read_all(spec).to_pandas() for lake in (disk, s3))
        key = list(spec.primary_key) or list(want.columns)
        pd.testing.assert_frame_equal(got.sort_values(key, ignore_index=True), want.sort_values(key, ignore_index=True),
                                      obj=spec.name)
    on_s3 = Warehouse.at(home, "s3://undercut-dist/lake", catalog)
    count = "select count(*) as n from raw.lap_times"
    assert read_frame(on_s3, count).equals(read_frame(Warehouse.at(local), count))
