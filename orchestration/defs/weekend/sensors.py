"""Calendar sensor: when the source publishes a session (the live source lists a session once its scheduled end plus
a delay has passed, see transforms.live.SESSION_DURATION), register it and materialise its partition and its season.

Everything downstream follows declaratively: the raw views and dbt models are eager, the race partitions are
recomputed by `race_refresh_sensor` once dbt has rebuilt the marts."""


from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, sensor

from orchestration.defs.jobs import historical_job, weekend_job
from orchestration.defs.partition_sync import plan_refresh
from orchestration.defs.resources import UndercutResource


@sensor(minimum_interval_seconds=15 * 60, default_status=DefaultSensorStatus.STOPPED,
        jobs=[historical_job, weekend_job])
def calendar_sensor(context: SensorEvaluationContext, undercut: UndercutResource) -> SensorResult:
    plan = plan_refresh(context.instance, undercut.source)
    latest = plan.keys["session"][-1] if plan.keys["session"] else "calendar"  # a season re-runs per new session
    runs = [RunRequest(run_key=f"season-{k}-after-{latest}", job_name=historical_job.name, partition_key=k)
            for k in plan.keys["season"]]
    runs += [RunRequest(run_key=f"session-{k}", job_name=weekend_job.name, partition_key=k)
             for k in plan.keys["session"]]
    return SensorResult(run_requests=runs, dynamic_partitions_requests=plan.sync.requests())
