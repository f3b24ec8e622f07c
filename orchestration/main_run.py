"""`undercut run` (every partition) and `undercut refresh` (only what is due), through Dagster's executor.

Both first observe the source (new partitions, changed versions: orchestration.defs.sources.observe). `run` then
walks orchestration.defs.jobs.MAIN_JOBS (in the asset graph's order) over every partition; `refresh` walks the refresh sequence and runs
each job over what orchestration.defs.planner finds due just before it, so a refresh after a failed or killed one
finishes its work."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from dagster import AssetKey, DagsterInstance, DagsterRunStatus, Definitions, RunsFilter, execute_job
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from orchestration.defs.resources import QUIET_TAG, shared_source
from orchestration.defs.sources.observe import SourceObservation, observe_source
from orchestration.deployment import CODE_LOCATION, DeploymentSettings, write_dagster_yaml
from orchestration.instance_storage import EVENT_BATCH_SIZE, kept_index_overrides
from orchestration.progress import JobTally, planned, track
from orchestration.settled import is_settled, record_settled, settled_state
from transforms.exceptions import RunFailedError
from transforms.settings import Settings
from transforms.sources import Source

log = logging.getLogger("undercut.run")


def dagster_instance(settings: Settings) -> DagsterInstance:
    """A persistent instance under $UNDERCUT_HOME so `dagster dev` shows what `undercut run` materialised (its storage:
    orchestration.deployment). On the default SQLite storage this process keeps its index connection open
    (orchestration.instance_storage) and writes each batch of events on one connection; the files are the same."""
    home = os.environ.setdefault("DAGSTER_HOME", str(settings.home / "dagster"))
    write_dagster_yaml(home, DeploymentSettings())
    ref = InstanceRef.from_dir(home)
    if ref.storage_data is not None and ref.storage_data.class_name == "DagsterSqliteStorage":  # the default only
        ref = InstanceRef.from_dir(home, overrides=kept_index_overrides(home))
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", EVENT_BATCH_SIZE)
    return DagsterInstance.from_ref(ref)


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


def _execute(settings: Settings, instance: DagsterInstance, job_name: str, selected: list[str] | None,
             timings: dict[str, float], assets: Sequence[AssetKey] | None = None,
             tallies: dict[str, JobTally] | None = None) -> None:
    """Run a job: over the `selected` partition keys (None: all) when it is partitioned, one run per contiguous range;
    only `assets` of it when given. What its runs did is added to `tallies` (orchestration.progress)."""
    from ml import warm_imports
    from orchestration.definitions import defs
    from orchestration.defs.dbt.assets import dbt_job

    job_def = defs.resolve_job_def(job_name)
    ranges: list[list[str]] = [[]]
    if job_def.partitions_def is not None:
        keys = list(job_def.partitions_def.get_partition_keys(dynamic_partitions_store=instance))
        ranges = [keys[keys.index(first):keys.index(last) + 1]
                  for first, last in contiguous_ranges(keys, keys if selected is None else selected)]
    deployment = DeploymentSettings()
    verbose = log.isEnabledFor(logging.DEBUG)  # Dagster's event lines would tear a progress bar
    start = time.perf_counter()
    # The drift report and the models follow dbt, which works in its own process, leaving a core to import them on
    warming = warm_imports.start(warm_imports.DRIFT + warm_imports.PREDICTIONS) if job_name == dbt_job.name else None
    with track(instance, job_name, planned(job_def, assets, ranges), {} if tallies is None else tallies,
               show=not verbose) as progress_tags:
        for partitions in ranges:
            tags = run_tags() | _quiet_tag() | progress_tags
            if partitions:
                tags |= {ASSET_PARTITION_RANGE_START_TAG: partitions[0],
                         ASSET_PARTITION_RANGE_END_TAG: partitions[-1]}
            parallel = deployment.parallel(len(partitions))
            log.info("%s: running %s%s", job_name,
                     f"{len(partitions)} partitions {partitions[0]}..{partitions[-1]}" if partitions else "",
                     _executor_text(deployment) if parallel else "")
            if parallel:
                job = ReconstructableRepository.for_module(CODE_LOCATION, "defs").get_reconstructable_job(job_name)
                with execute_job(job, instance, run_config=_console_logging(), tags=tags,
                                 asset_selection=assets) as done:
                    success, run_id = done.success, done.run_id
            else:
                result = job_def.execute_in_process(instance=instance, tags=tags, raise_on_error=False,
                                                    asset_selection=assets, run_config=_console_logging())
                success, run_id = result.success, result.run_id
            if not success:
                raise RunFailedError(f"{job_name} failed: {_record_failure(settings, instance, run_id)}")
    if warming is not None:  # the next jobs import on this thread, not beside it
        warming.join()
    timings[job_name] = timings.get(job_name, 0.0) + time.perf_counter() - start
    if verbose:  # otherwise the progress line says it
        log.info("%s: done in %.1f s", job_name, timings[job_name])


def _executor_text(deployment: DeploymentSettings) -> str:
    if deployment.executor == "dask":
        return f" on the Dask cluster {deployment.dask_scheduler or '(local)'}"
    return f" on up to {deployment.max_concurrent} processes"


def _console_logging() -> dict[str, object]:
    """Dagster's event log on the console at WARNING (thousands of DEBUG events per run) unless `-v` asked for all;
    the instance keeps every event for the UI either way."""
    level = "DEBUG" if log.isEnabledFor(logging.DEBUG) else "WARNING"
    return {"loggers": {"console": {"config": {"log_level": level}}}}


def _quiet_tag() -> dict[str, str]:
    return {} if log.isEnabledFor(logging.DEBUG) else {QUIET_TAG: "true"}


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


IN_PROGRESS = [DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING,
               DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]


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
    source = shared_source(settings, reopen=True)  # fails fast when the source is unusable, before anything is written
    check = getattr(source, "check_layout", None)
    if check:
        check()
    instance = dagster_instance(settings)
    finish_abandoned_runs(instance)
    return source, instance


def _observe(source: Source, instance: DagsterInstance) -> SourceObservation:
    observation = observe_source(instance, source)
    observation.record(instance)
    log.info("source: %s new partitions, %d changed versions",
             ", ".join(f"{len(v)} {k}" for k, v in observation.new_partitions.items()),
             len(observation.observations))
    _warn_unplaced(observation.unplaced)
    return observation


def _warn_unplaced(unplaced: list[str]) -> None:
    if unplaced:
        log.warning("source lists sessions without a calendar entry, left out until it exists: %s", ", ".join(unplaced))


def run_main(settings: Settings, tallies: dict[str, JobTally] | None = None) -> dict[str, float]:
    """Every job of the main sequence over every partition; each job's seconds (what it did: in `tallies`)."""
    source, instance = _prepare(settings)
    from orchestration.definitions import defs  # loads every asset module: only once the source is usable
    from orchestration.defs.jobs import MAIN_JOBS, in_graph_order

    _observe(source, instance)
    timings: dict[str, float] = {}
    for job_name in in_graph_order(defs, [job.name for job in MAIN_JOBS]):
        _execute(settings, instance, job_name, None, timings, tallies=tallies)
    return timings


def _whole_nodes(defs: Definitions, keys: set[AssetKey]) -> list[AssetKey]:
    """`keys` plus the other outputs of any multi-asset that cannot run a part of itself."""
    out = set(keys)
    for key in keys:
        node = defs.resolve_assets_def(key)
        if not node.can_subset:
            out |= node.keys
    return sorted(out)


@dataclass
class RefreshOutcome:
    """What a refresh did: the source's changes, and the partition keys (or [] if unpartitioned) each job ran."""

    observation: SourceObservation
    ran: dict[str, list[str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    settled: bool = False  # nothing changed since the last complete refresh: not even planned (orchestration.settled)


def run_refresh(settings: Settings, retrain: str = "weekend", tallies: dict[str, JobTally] | None = None
                ) -> RefreshOutcome:
    """Observe the source, then run each job of the refresh sequence over what is due just before it. Models are
    retrained when a race landed or the drift decision asks (`retrain="weekend"`), only when it asks ("drift"), or
    "always", or "never". What each job did is added to `tallies`."""
    source, instance = _prepare(settings)
    state = settled_state(settings, source, retrain)
    unplaced = is_settled(instance, state)
    if unplaced is not None:
        log.info("source, code and Dagster's records unchanged since the last complete refresh: up to date")
        _warn_unplaced(unplaced)
        return RefreshOutcome(SourceObservation({}, [], unplaced), settled=True)
    from orchestration.definitions import defs
    from orchestration.defs.jobs import refresh_sequence
    from orchestration.defs.planner import Planner

    outcome = RefreshOutcome(_observe(source, instance))
    planner = Planner(instance, defs.resolve_asset_graph())
    for job_name in refresh_sequence(settings, retrain):
        job_def = defs.resolve_job_def(job_name)
        assets = set(job_def.asset_layer.executable_asset_keys)
        subset: list[AssetKey] | None = None
        if job_def.partitions_def is None:
            due_assets = planner.due_assets(assets)
            due: list[str] | None = [] if due_assets else None
            if due_assets and due_assets != assets:
                subset = _whole_nodes(defs, due_assets)
        else:
            keys = job_def.partitions_def.get_partition_keys(dynamic_partitions_store=instance)
            due = planner.due_partitions(assets, keys) or None
        if due is None:
            log.info("%s: up to date", job_name)
            continue
        log.info("%s: due %s%s", job_name, due or "(unpartitioned)",
                 f", {len(subset)} of {len(assets)} assets" if subset else "")
        _execute(settings, instance, job_name, due or None, outcome.timings, subset, tallies)
        outcome.ran[job_name] = list(dict.fromkeys(outcome.ran.get(job_name, []) + due))
    if not instance.get_runs_count(RunsFilter(statuses=IN_PROGRESS)):  # another run may still change what is due
        record_settled(instance, state, outcome.observation.unplaced)
    return outcome
