"""After dbt rebuilt the marts, recompute the race partitions that are due (orchestration.defs.planner): never
computed, their race's facts changed since (a new result, a revision, a late session), or the next race, whose
inputs (marts, models) were just rebuilt. The planner reads this from the event log: "a dep was updated" alone
cannot say which race changed."""

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    EventLogEntry,
    RunRequest,
    SensorEvaluationContext,
    asset_sensor,
)

from orchestration.defs.jobs import race_job
from orchestration.defs.planner import Planner
from orchestration.defs.races.partitions import race_partitions

MARTS_REBUILT = AssetKey(["marts", "fct_laps"])


@asset_sensor(asset_key=MARTS_REBUILT, job=race_job, minimum_interval_seconds=5 * 60,
              default_status=DefaultSensorStatus.STOPPED)
def race_refresh_sensor(context: SensorEvaluationContext, asset_event: EventLogEntry) -> list[RunRequest]:
    graph = context.repository_def.asset_graph  # type: ignore[union-attr]
    keys = race_partitions.get_partition_keys(dynamic_partitions_store=context.instance)
    due = Planner(context.instance, graph).due_partitions(race_job.selection.resolve(graph), keys)
    context.log.info(f"race partitions to recompute: {due}")
    return [RunRequest(run_key=f"{race}@{asset_event.timestamp}", partition_key=race) for race in due]
