"""`undercut run` (every partition) and `undercut refresh` (only what a new race weekend changed), in process.

Both walk the same job sequence (orchestration.defs.jobs.MAIN_SEQUENCE); a partitioned job runs over the keys of its
partitions definition that are in scope: all of them for `run`, the refresh plan's for `refresh`."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Sequence

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from orchestration.defs.partition_sync import RefreshPlan, plan_refresh, register_partitions
from transforms.settings import Settings
from transforms.sources import Source, open_source

log = logging.getLogger("undercut.run")


# sqlite storage in the instance folder (the default); freshness policies are evaluated only when enabled; one step at a
# time per pool, per step ("op") rather than per run: the only pool is the warehouse's (defs.resources.WAREHOUSE_POOL)
DAGSTER_YAML = ("telemetry:\n  enabled: false\nfreshness:\n  enabled: true\n"
                "concurrency:\n  pools:\n    granularity: op\n    default_limit: 1\n")


def dagster_instance(settings: Settings) -> DagsterInstance:
    """A persistent instance under $UNDERCUT_HOME so `dagster dev` shows what `undercut run` materialised."""
    home = os.environ.setdefault("DAGSTER_HOME", str(settings.home / "dagster"))
    os.makedirs(home, exist_ok=True)
    config = os.path.join(home, "dagster.yaml")
    if not os.path.exists(config):
        with open(config, "w") as fh:
            fh.write(DAGSTER_YAML)
    return DagsterInstance.get()


def contiguous_ranges(ordered: Sequence[str], selected: Sequence[str]) -> list[tuple[str, str]]:
    """The selected keys as (first, last) runs of consecutive keys in partition order (one run per range tag)."""
    wanted = set(selected)
    ranges: list[tuple[str, str]] = []
    start: str | None = None
    for i, key in enumerate(ordered):
        if key in wanted and start is None:
            start = key
        if start is not None and (key not in wanted or i == len(ordered) - 1):
            ranges.append((start, key if key in wanted else ordered[i - 1]))
            start = None
    return ranges


def _execute(settings: Settings, instance: DagsterInstance, job_name: str,
             scope: Callable[[str, list[str]], list[str]] | None, timings: dict[str, float]) -> None:
    from orchestration.definitions import defs

    job_def = defs.resolve_job_def(job_name)
    runs: list[dict[str, str]] = [{}]
    if job_def.partitions_def is not None:
        keys = list(job_def.partitions_def.get_partition_keys(dynamic_partitions_store=instance))
        selected = scope(job_def.partitions_def.name, keys) if scope else keys  # type: ignore[attr-defined,unused-ignore]
        if not selected:
            log.info("%s: nothing to do", job_name)
            return
        runs = [{ASSET_PARTITION_RANGE_START_TAG: a, ASSET_PARTITION_RANGE_END_TAG: b}
                for a, b in contiguous_ranges(keys, selected)]
    start = time.perf_counter()
    for tags in runs:
        log.info("%s: running %s", job_name, f"partitions {tags}" if tags else "")
        result = job_def.execute_in_process(instance=instance, tags=tags | run_tags(), raise_on_error=False)
        if not result.success:
            raise RunFailedError(f"{job_name} failed: {_record_failure(settings, instance, result.run_id)}")
    timings[job_name] = timings.get(job_name, 0.0) + time.perf_counter() - start
    log.info("%s: done in %.1f s", job_name, timings[job_name])


class RunFailedError(RuntimeError):
    """A job of the sequence failed; its incident has been recorded."""


def _record_failure(settings: Settings, instance: DagsterInstance, run_id: str) -> str:
    from orchestration.defs.incidents.sensors import record_failed_run

    try:
        incident = record_failed_run(instance, run_id, settings)
    except Exception:  # recording must never hide the failure itself
        log.exception("could not record the incident of run %s", run_id)
        return f"run {run_id}"
    log.error("run %s failed: %s", run_id, incident.headline)
    return f"{incident.headline} (undercut incidents --show {incident.id})"


# Which process of which machine runs an in-process run: nothing else notices when that process is killed.
PID_TAG, HOST_TAG = "undercut/pid", "undercut/host"


def run_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def finish_abandoned_runs(instance: DagsterInstance) -> list[str]:
    """Runs of `undercut run`/`refresh` whose process on this machine is gone (killed) but that the instance still
    shows as started: report them failed and free their concurrency-pool slots, which the next run would otherwise
    wait for forever. Returns their run ids."""
    records = instance.get_run_records(RunsFilter(statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED],
                                                  tags={HOST_TAG: socket.gethostname()}))
    abandoned = [r.dagster_run for r in records if not _alive(int(r.dagster_run.tags[PID_TAG]))]
    for run in abandoned:
        instance.report_run_failed(run, f"process {run.tags[PID_TAG]} ended without finishing the run (killed?)")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        log.warning("run %s (%s) was abandoned by process %s: marked failed, its pool slots freed", run.run_id,
                    run.job_name, run.tags[PID_TAG])
    return [run.run_id for run in abandoned]


def _prepare(settings: Settings) -> tuple[Source, DagsterInstance]:
    source = open_source(settings)  # fails fast when the source is unusable, before anything is written
    check = getattr(source, "check_layout", None)
    if check:
        check()
    instance = dagster_instance(settings)
    finish_abandoned_runs(instance)
    return source, instance


def run_main(settings: Settings) -> dict[str, float]:
    source, instance = _prepare(settings)
    from orchestration.defs.jobs import MAIN_SEQUENCE  # loads every asset module: only once the source is usable

    sync = register_partitions(instance, source)
    log.info("registered %d new seasons, %d new sessions, %d new races", len(sync.new_seasons),
             len(sync.new_sessions), len(sync.new_races))
    timings: dict[str, float] = {}
    for job in MAIN_SEQUENCE:
        _execute(settings, instance, job.name, None, timings)
    return timings


def run_refresh(settings: Settings) -> tuple[RefreshPlan, dict[str, float]]:
    """Register what the source has new, then materialise only the partitions it touches and the unpartitioned
    assets downstream of them. Models are retrained only when the drift decision asks for it."""
    source, instance = _prepare(settings)
    from orchestration.defs.jobs import refresh_sequence

    plan = plan_refresh(instance, source)
    plan.sync.register(instance)
    timings: dict[str, float] = {}
    if plan.is_empty:
        log.info("refresh: the source has nothing new")
        return plan, timings
    log.info("refresh plan: %s", {k: v for k, v in plan.keys.items() if v})

    def scope(partitions_name: str, keys: list[str]) -> list[str]:
        planned = set(plan.keys.get(partitions_name, []))
        return [k for k in keys if k in planned]

    for job_name in refresh_sequence(settings):
        _execute(settings, instance, job_name, scope, timings)
    return plan, timings
