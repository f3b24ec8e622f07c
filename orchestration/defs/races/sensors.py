"""After dbt rebuilt the marts, recompute the race partitions the new data touched (and the next race's).

Race-partitioned assets read unpartitioned marts, so "a dep was updated" cannot say which race changed; this sensor
does: a race partition is stale when its race session landed in the lake after the partition was last computed."""

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    DefaultSensorStatus,
    EventLogEntry,
    RunRequest,
    SensorEvaluationContext,
    asset_sensor,
)

from orchestration.defs.jobs import RACE_MARKER, race_job
from orchestration.defs.races.partitions import race_partitions

MARTS_REBUILT = AssetKey(["marts", "fct_laps"])
RACE_SESSION_LAPS = AssetKey(["raw", "session_laps"])


def _last_materialised(instance: DagsterInstance, key: AssetKey, partition: str) -> float | None:
    records = instance.fetch_materializations(AssetRecordsFilter(key, asset_partitions=[partition]), limit=1).records
    return records[0].timestamp if records else None


def stale_races(instance: DagsterInstance, rebuilt_at: float) -> list[str]:
    """Race keys to recompute: never computed, raced since last computed, or the next race (its inputs — models,
    marts — were rebuilt at `rebuilt_at`)."""
    keys = race_partitions.get_partition_keys(dynamic_partitions_store=instance)
    stale = []
    for i, race in enumerate(keys):
        computed = _last_materialised(instance, RACE_MARKER, race)
        if computed is None:
            stale.append(race)
            continue
        raced = _last_materialised(instance, RACE_SESSION_LAPS, f"{race}-R")
        if (raced is not None and raced > computed) or (i == len(keys) - 1 and rebuilt_at > computed):
            stale.append(race)
    return stale


@asset_sensor(asset_key=MARTS_REBUILT, job=race_job, minimum_interval_seconds=5 * 60,
              default_status=DefaultSensorStatus.STOPPED)
def race_refresh_sensor(context: SensorEvaluationContext, asset_event: EventLogEntry) -> list[RunRequest]:
    stale = stale_races(context.instance, asset_event.timestamp)
    context.log.info(f"race partitions to recompute: {stale}")
    return [RunRequest(run_key=f"{race}@{asset_event.timestamp}", partition_key=race) for race in stale]
