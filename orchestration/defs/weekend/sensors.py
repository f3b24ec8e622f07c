"""Calendar sensor: registers new seasons/sessions from the source's calendar and materialises new sessions."""


from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, sensor

from orchestration.defs.jobs import historical_job, weekend_job
from orchestration.defs.partition_sync import missing_partitions
from orchestration.defs.resources import UndercutResource


@sensor(minimum_interval_seconds=15 * 60, default_status=DefaultSensorStatus.STOPPED,
        jobs=[historical_job, weekend_job])
def calendar_sensor(context: SensorEvaluationContext, undercut: UndercutResource) -> SensorResult:
    sync = missing_partitions(context.instance, undercut.source)
    runs = [RunRequest(run_key=f"season-{k}", job_name=historical_job.name, partition_key=k)
            for k in sync.new_seasons]
    runs += [RunRequest(run_key=f"session-{k}", job_name=weekend_job.name, partition_key=k)
             for k in sync.new_sessions]
    return SensorResult(run_requests=runs, dynamic_partitions_requests=sync.requests())
