"""The walk-forward evaluation as an asset: its own job and weekly schedule, out of the refresh's path (ml_job and
ml_predict_job select the `ml` group; this is `ml_evaluation`)."""

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    define_asset_job,
)

from ml.walk_forward import folds
from ml.walk_forward.report import leaked, log_to_mlflow, render, run, summary
from ml.walk_forward.subjects import SUBJECTS
from orchestration.defs.ml.resources import MlResource
from orchestration.defs.resources import MLFLOW_POOL
from orchestration.lib.keys import features, marts

KEY = AssetKey(["ml", "walk_forward_evaluation"])
LEAKAGE_CHECK = "every_fold_trained_before_its_race"


@asset(group_name="ml_evaluation", pool=MLFLOW_POOL, key=KEY, kinds={"mlflow", "xgboost"},
       deps=[*features("race_entry_features", "lap_features", "lap_pace_features", "battle_features"),
             *marts("dim_races", "dim_circuits", "fct_results", "fct_qualifying", "fct_laps", "fct_stints",
                    "fct_pit_stops", "fct_safety_car_periods", "fct_session_weather")],
       check_specs=[AssetCheckSpec(LEAKAGE_CHECK, asset=KEY)],
       description="Walk-forward evaluation of the last three seasons: every race predicted by models refitted on "
                   "earlier races only, scored beside its naive baseline; one MLflow run per subject and model "
                   "version (experiment undercut/walk_forward, per-race table and plot as artefacts)")
def walk_forward_evaluation(context: AssetExecutionContext, ml: MlResource) -> MaterializeResult:
    chosen = folds(ml.paths.warehouse)
    seasons = sorted({fold.season for fold in chosen})
    evaluated = run(ml.paths.warehouse, chosen, list(SUBJECTS.values()))
    runs = {e.scores.subject: log_to_mlflow(ml.paths, e, seasons) for e in evaluated}
    leaks = [leaked(e.scores, chosen) for e in evaluated]
    context.log.info(f"walk-forward over {len(chosen)} races: MLflow runs {runs}")
    return MaterializeResult(
        metadata={"races": len(chosen), "seasons": ", ".join(map(str, seasons)),
                  "summary": MetadataValue.md(f"```\n{render(summary(evaluated))}\n```"),
                  **{f"runtime_s.{e.scores.subject}": round(e.runtime_s, 1) for e in evaluated},
                  **{f"mlflow_run.{subject}": run_id for subject, run_id in runs.items()}},
        check_results=[AssetCheckResult(check_name=LEAKAGE_CHECK, passed=all(leak.empty for leak in leaks),
                                        metadata={"leaked_race_rows": sum(len(leak) for leak in leaks)})])


walk_forward_job = define_asset_job("walk_forward_job", AssetSelection.assets(KEY),
                                    description="Walk-forward evaluation of every model, logged to MLflow")
# Tuesday 03:00: after a race weekend's refresh and Monday's warehouse upkeep, well before the next weekend; a full
# pass refits ~60 races' models (tens of minutes on two cores).
walk_forward_schedule = ScheduleDefinition(job=walk_forward_job, cron_schedule="0 3 * * 2",
                                           default_status=DefaultScheduleStatus.RUNNING)
