"""Feast apply/materialise, one training asset per model (train → MLflow → gate) and the prediction tables.

Upstream keys are the dbt assets' ([<schema>, <model>], see orchestration/defs/dbt/assets.py)."""

from collections.abc import Callable

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    MaterializeResult,
    asset,
    define_asset_job,
)

from ml import datasets, feature_store, in_race_predictions, predictions
from ml.models import finish_position, lap_time, overtake, pit_strategy, qualifying
from ml.paths import MlPaths
from ml.training import train_and_publish
from orchestration.defs.ml.resources import MlResource
from orchestration.defs.resources import MLFLOW_POOL
from orchestration.lib.keys import features, marts

GROUP = "ml"
CALENDAR = AssetKey(["marts", "dim_races"])


@asset(group_name=GROUP, key=["ml", "feast_registry"], kinds={"feast"},
       deps=features(*feature_store.FEATURE_MARTS),
       description="Feature marts exported to Parquet under $UNDERCUT_HOME/feast/data, then `feast apply`")
def feast_registry(context: AssetExecutionContext, ml: MlResource) -> MaterializeResult:
    rows = feature_store.export_feature_marts(ml.paths)
    views = feature_store.apply(ml.paths)
    context.log.info(f"feast apply: {views}")
    return MaterializeResult(metadata={"feature_views": ", ".join(views), **{f"rows.{k}": v for k, v in rows.items()}})


@asset(group_name=GROUP, key=["ml", "feast_online_store"], kinds={"feast", "sqlite"},
       deps=[AssetKey(["ml", "feast_registry"]), CALENDAR],
       description="Online store loaded with every entity's latest pre-race row up to the next race's start")
def feast_online_store(context: AssetExecutionContext, ml: MlResource) -> MaterializeResult:
    upcoming = datasets.next_race(ml.paths)
    feature_store.materialise(ml.paths, upcoming["race_start_at"].to_pydatetime())
    return MaterializeResult(metadata={"next_race_id": int(upcoming["race_id"]), "next_race": upcoming["race_name"],
                                       "season": int(upcoming["season"])})


def training_asset(model_name: str, deps: list[AssetKey], description: str) -> AssetsDefinition:
    @asset(group_name=GROUP, pool=MLFLOW_POOL, key=["ml", model_name], kinds={"mlflow", "xgboost"},
           deps=[*deps, CALENDAR], description=description)
    def _train(context: AssetExecutionContext, ml: MlResource) -> MaterializeResult:
        trained, decision = train_and_publish(model_name, ml.paths)
        context.log.info(f"{model_name} v{decision.version} -> {decision.alias}: {decision.reason} "
                         f"({decision.metric} {decision.candidate_score:.4f}, champion {decision.champion_score})")
        return MaterializeResult(metadata={**{k: float(v) for k, v in trained.metrics.items()},
                                           "version": decision.version, "alias": decision.alias,
                                           "gate_reason": decision.reason, "gate_metric": decision.metric,
                                           "gate_score": decision.candidate_score,
                                           "champion_score_before": decision.champion_score})

    return _train


FEAST = AssetKey(["ml", "feast_registry"])
# What each model reads, for training and for predicting alike (with the calendar: the validation split)
MODEL_INPUTS = {
    lap_time.NAME: features("lap_features", "lap_pace_features"),
    finish_position.NAME: [FEAST, *marts("fct_results", "fct_qualifying")],
    qualifying.NAME: [FEAST, *marts("fct_results", "fct_qualifying")],
    overtake.NAME: features("battle_features"),
    pit_strategy.NAME: marts("fct_pit_stops"),
}
model_assets = [
    training_asset(lap_time.NAME, MODEL_INPUTS[lap_time.NAME],
                   "XGBoost clean-lap time relative to the driver's pace up to lap L-2; validation MAE vs the "
                   "per-stint mean"),
    training_asset(finish_position.NAME, MODEL_INPUTS[finish_position.NAME],
                   "XGBoost finishing position from Feast pre-race features; Spearman vs grid order"),
    training_asset(qualifying.NAME, MODEL_INPUTS[qualifying.NAME],
                   "XGBoost qualifying position from Feast pre-qualifying features"),
    training_asset(overtake.NAME, MODEL_INPUTS[overtake.NAME],
                   "Calibrated XGBoost P(overtake within the horizon) for a battle"),
    training_asset(pit_strategy.NAME, MODEL_INPUTS[pit_strategy.NAME], "KMeans strategy types over pit-stop patterns"),
]


def reads(*model_names: str) -> list[AssetKey]:
    """A prediction's inputs: its champions and the data they read (a refresh re-predicts when either changes)."""
    keys = [AssetKey(["ml", n]) for n in model_names] + [k for n in model_names for k in MODEL_INPUTS[n]]
    return list(dict.fromkeys([*keys, CALENDAR]))


def prediction_asset(table: str, deps: list[AssetKey], description: str,
                     write: Callable[[MlPaths], dict[str, int]]) -> AssetsDefinition:
    """A `marts.<table>` asset written by `write` from the champions (row counts per table as metadata)."""
    @asset(group_name=GROUP, key=["marts", table], kinds={"duckdb"}, deps=deps,
           description=description)
    def _predict(ml: MlResource) -> MaterializeResult:
        return MaterializeResult(metadata={f"rows.{k}": v for k, v in write(ml.paths).items()})

    return _predict


prediction_assets = [
    prediction_asset(predictions.ENTRY_TABLE, [*reads(qualifying.NAME, finish_position.NAME),
                                               AssetKey(["ml", "feast_online_store"])],
                     "Per driver and race (backtest + next race): predicted qualifying and finish position mean/std "
                     "from the champions; feature contributions in marts.predictions_contributions",
                     predictions.write_race_entry_predictions),
    prediction_asset(predictions.PIT_STRATEGY_TABLE, reads(pit_strategy.NAME),
                     "The champion clustering's strategy type for every driver-race with pit stops",
                     predictions.write_pit_strategy_predictions),
    prediction_asset(in_race_predictions.LAP_TIME_TABLE, reads(lap_time.NAME),
                     "Predicted vs actual time of every modelled clean lap of the validation races and the latest "
                     "season (champion); contributions in marts.predictions_lap_time_contributions",
                     in_race_predictions.write_lap_time_predictions),
    prediction_asset(in_race_predictions.OVERTAKE_TABLE, reads(overtake.NAME),
                     "Calibrated P(overtake within horizon_laps) for every battle row of every race (backtest) with "
                     "the label; contributions (log-odds) in marts.predictions_overtake_contributions",
                     in_race_predictions.write_overtake_predictions),
]


ml_assets = [feast_registry, feast_online_store, *model_assets, *prediction_assets]

ml_job = define_asset_job("ml_job", AssetSelection.groups(GROUP),
                          description="Feast apply + materialise, train/gate/register every model, write predictions")
