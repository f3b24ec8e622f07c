"""Calendar sensor: observe the source (the live source lists a session once its scheduled end plus a delay has
passed, see transforms.live.SESSION_DURATION), register new partitions, record changed source versions, and
materialise the season and session partitions that are due: new, revised, or left unfinished by a failed run.

Everything downstream follows declaratively: the raw views and dbt models are eager, the race partitions are
recomputed by `race_refresh_sensor` once dbt has rebuilt the marts."""


from dagster import (
    DagsterInstance,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition
from dagster._core.storage.tags import PARTITION_NAME_TAG

from orchestration.defs.historical.partitions import season_partitions
from orchestration.defs.jobs import historical_job, weekend_job
from orchestration.defs.planner import Planner
from orchestration.defs.resources import UndercutResource
from orchestration.defs.sources.assets import ERGAST_SEASON, FASTF1_SESSION
from orchestration.defs.sources.observe import observe_source
from orchestration.defs.weekend.partitions import session_partitions

IN_FLIGHT = [DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING,
             DagsterRunStatus.STARTED]
ENDED_BADLY = [DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED]


def _partitions_of_runs(instance: DagsterInstance, job: UnresolvedAssetJobDefinition,
                        statuses: list[DagsterRunStatus]) -> list[str]:
    runs = instance.get_runs(RunsFilter(job_name=job.name, statuses=statuses))
    return [r.tags[PARTITION_NAME_TAG] for r in runs if PARTITION_NAME_TAG in r.tags]


@sensor(minimum_interval_seconds=15 * 60, default_status=DefaultSensorStatus.STOPPED,
        jobs=[historical_job, weekend_job])
def calendar_sensor(context: SensorEvaluationContext, undercut: UndercutResource) -> SensorResult:
    instance = context.instance
    observation = observe_source(instance, undercut.source)
    if observation.unplaced:
        context.log.warning(f"sessions without a calendar entry, left out until it exists: {observation.unplaced}")
    graph = context.repository_def.asset_graph  # type: ignore[union-attr]
    planner = Planner(instance, graph)
    runs = []
    for job, partitions, source_key in ((historical_job, season_partitions, ERGAST_SEASON),
                                        (weekend_job, session_partitions, FASTF1_SESSION)):
        registered = partitions.get_partition_keys(dynamic_partitions_store=instance)
        # Due: what the instance says (never run, or unfinished) plus what this tick observed new or changed.
        due = set(planner.due_partitions(job.selection.resolve(graph), registered))
        due |= set(observation.changed(source_key))
        due -= set(_partitions_of_runs(instance, job, IN_FLIGHT))
        failures = _partitions_of_runs(instance, job, ENDED_BADLY)
        # The run key names the version and the failures so far: a retry after a failed run is a new request.
        runs += [RunRequest(run_key=f"{job.name}:{k}:{observation.version(source_key, k)}:{failures.count(k)}",
                            job_name=job.name, partition_key=k) for k in sorted(due)]
    return SensorResult(run_requests=runs, dynamic_partitions_requests=observation.requests(),
                        asset_events=observation.events)
