"""Where the Dagster side of a deployment runs, one switch each (`UNDERCUT_*`), the embedded defaults unchanged:

- the instance (runs, event log, schedules): SQLite under $DAGSTER_HOME, or PostgreSQL (`UNDERCUT_DAGSTER_POSTGRES_URL`)
  that every machine's webserver, daemon, run and worker share;
- the executor: steps in local processes, or on the workers of a Dask cluster (`UNDERCUT_EXECUTOR=dask`,
  `UNDERCUT_DASK_SCHEDULER`), which may be other machines with the same code and settings (deploy/README.md)."""

from __future__ import annotations

import os
from typing import Literal

from dagster import ExecutorDefinition, multiprocess_executor
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PARALLEL_FROM_PARTITIONS = 10
CODE_LOCATION = "orchestration.definitions"
# written into dagster.yaml files this module generates: a file without it was written by hand and is left alone
GENERATED = "# written by undercut from its UNDERCUT_* settings (orchestration/deployment.py)\n"
# freshness policies are evaluated only when enabled; one step at a time per pool, per step ("op") rather than per run
# (the pools: orchestration.defs.resources)
DAGSTER_YAML = ("telemetry:\n  enabled: false\nfreshness:\n  enabled: true\n"
                "concurrency:\n  pools:\n    granularity: op\n    default_limit: 1\n")


class DeploymentSettings(BaseSettings):
    """Which executor `undercut run`/`refresh` and runs launched from the UI use (`UNDERCUT_EXECUTOR`):

    - "multiprocess": independent steps in parallel processes, at most `UNDERCUT_MAX_CONCURRENT` (default: cores);
    - "in_process": every step of `undercut run`/`refresh` in its own process, one after the other;
    - "auto" (default): multiprocess for a run over PARALLEL_FROM_PARTITIONS partitions or more (a cold build or
      a backfill), in process otherwise. A step process pays ~1-4 s to start and to attach the warehouse, which a
      race's refresh does not win back: measured on 2 cores, race_job over 2 races 22 s in process vs 35 s
      multiprocess; over 145 races 313 s vs 225 s;
    - "dask": every step on a Dask worker of the scheduler at `UNDERCUT_DASK_SCHEDULER` (a local cluster of
      `UNDERCUT_MAX_CONCURRENT` workers when empty). Dask reschedules the step of a worker that died on another one.

    And where the instance lives: `UNDERCUT_DAGSTER_POSTGRES_URL` (postgresql://user:password@host:port/db), else
    SQLite files under $DAGSTER_HOME."""

    model_config = SettingsConfigDict(env_prefix="UNDERCUT_", extra="ignore")
    executor: Literal["auto", "multiprocess", "in_process", "dask"] = "auto"
    max_concurrent: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    dask_scheduler: str = ""
    dagster_postgres_url: str = ""

    def parallel(self, partitions: int) -> bool:
        """Whether a run over `partitions` goes through the executor (else: in this process)."""
        if self.executor == "auto":
            return partitions >= PARALLEL_FROM_PARTITIONS
        return self.executor != "in_process"

    def executor_def(self) -> ExecutorDefinition:
        """The code location's executor: what the UI, the daemon and `undercut`'s parallel runs execute with."""
        if self.executor == "dask":
            from orchestration.dask_steps import dask_executor_def

            return dask_executor_def(self.dask_scheduler, self.max_concurrent)
        # Steps run in processes forked from a server that imported the code location once: a spawned step process
        # would import it again (~7-50 s: dbt manifest, MLflow, Feast, Evidently) before a step of a few seconds.
        # Named explicitly: loaded from pyproject.toml, the location is not preloaded by default.
        return multiprocess_executor.configured(
            {"max_concurrent": self.max_concurrent,
             "start_method": {"forkserver": {"preload_modules": [CODE_LOCATION]}}}, name="multiprocess")

    def dagster_yaml(self) -> str:
        storage = ""
        if self.dagster_postgres_url:
            storage = f"storage:\n  postgres:\n    postgres_url: {self.dagster_postgres_url}\n"
        return GENERATED + DAGSTER_YAML + storage


def write_dagster_yaml(dagster_home: str, deployment: DeploymentSettings) -> None:
    """$DAGSTER_HOME/dagster.yaml from the settings, unless the operator wrote that file by hand."""
    os.makedirs(dagster_home, exist_ok=True)
    path = os.path.join(dagster_home, "dagster.yaml")
    wanted = deployment.dagster_yaml()
    if os.path.exists(path):
        with open(path) as fh:
            current = fh.read()
        generated = current.startswith(GENERATED) or current == DAGSTER_YAML  # the latter: before the marker
        if current == wanted or not generated:
            return
    with open(path + ".tmp", "w") as fh:
        fh.write(wanted)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":  # `python -m orchestration.deployment`: the instance config for a webserver or daemon
    write_dagster_yaml(os.environ["DAGSTER_HOME"], DeploymentSettings())
