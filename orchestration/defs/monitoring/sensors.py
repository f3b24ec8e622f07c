"""Retraining trigger: when the drift report records a decision to retrain, launch the ML job once."""

from datetime import datetime

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from ml import drift
from orchestration.defs.ml.assets import ml_job
from orchestration.defs.resources import UndercutResource


@sensor(job=ml_job, minimum_interval_seconds=300, default_status=DefaultSensorStatus.RUNNING,
        description="Launches ml_job (retrain, gate, predictions) when a drift decision newer than the cursor "
                    "says retrain; one run per batch of decisions (run_key = the newest decision)")
def drift_retrain_sensor(context: SensorEvaluationContext, undercut: UndercutResource) -> RunRequest | SkipReason:
    after = datetime.fromisoformat(context.cursor) if context.cursor else None
    decisions = drift.decisions_after(undercut.settings.warehouse, after)
    if decisions.empty:
        return SkipReason("no new drift decision")
    newest = decisions.iloc[-1]
    context.update_cursor(newest["decided_at"].isoformat())
    if after is None:
        # A new sensor starts from the decisions already on record, it does not replay history.
        return SkipReason(f"started at the decision for {newest['race_key']}")
    retrain = decisions[decisions["retrain"]]
    if retrain.empty:
        return SkipReason(f"no retraining needed: {'; '.join(decisions['reason'])}")
    races = ",".join(retrain["race_key"])
    return RunRequest(run_key=f"drift-retrain:{races}@{newest['decided_at'].isoformat()}",
                      tags={"undercut/trigger": "drift", "undercut/races": races})


monitoring_sensors = [drift_retrain_sensor]
