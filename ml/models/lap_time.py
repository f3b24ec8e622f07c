"""`lap_time`: clean race lap time from the race's pace up to lap L-2, tyre, fuel, weather and traffic.

Nothing reads the lap's own time or lap L-1's. The model predicts the lap relative to a reference lap: the field's
median clean lap over laps L-6..L-2 (fuel-corrected; it carries the circuit, the car generation and the track's
evolution) plus what lap L's fuel load costs. The driver's own pace so far (race, stint, laps L-4..L-2, latest
clean lap) enters relative to that reference, with the tyre wear and traffic since.

Choices made on the 12 races *before* the validation window (trained on everything earlier), never on the
validation window itself: the absolute-error objective (MAE there 0.466 s vs 0.506 s with squared error, 0.487 s
pseudo-Huber) since lap times have heavy tails (traffic, mistakes) and the metric is the MAE; the field reference
(0.464 s) over the driver's laps L-4..L-2 (0.477 s) or stint so far (0.494 s). Final model there: 0.443 s, per-stint
mean 0.485 s. Its weak spot: drying tracks (lap times fall by seconds within a few laps; the hindsight baseline
knows the stint's future, the model sees lap L-2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ml import explain
from ml.evaluation import TimeSplit, mae_s
from ml.models import with_threads
from ml.publish import TrainedModel

if TYPE_CHECKING:
    import xgboost as xgb

NAME = "lap_time"
COMPOUND_CODE = {"SOFT": 1, "MEDIUM": 2, "HARD": 3, "INTERMEDIATE": 4, "WET": 5}
REFERENCE = "field_recent_pace_s"  # fuel-corrected, laps L-6..L-2
PACE_VS_REFERENCE = [
    "driver_race_pace_s", "driver_stint_pace_s", "driver_last_clean_lap_s", "field_lap_before_last_s",
]
FEATURES = [
    "lap_number", "race_progress", "laps_remaining", "fuel_load_kg_est", "stint", "compound_code", "tyre_life_laps",
    "is_fresh_tyre", "air_temp_c", "track_temp_c", "humidity_pct", "is_raining", "qualifying_position",
    "quali_gap_to_pole_pct", "constructor_avg_pace_deficit_pct", "circuit_id", "circuit_deg_s_per_lap",
    "reference_vs_pole_pct", "field_trend_s", "tyre_laps_since_reference_lap",
    "laps_since_last_clean_lap", "driver_stint_clean_laps", "driver_race_clean_laps", "driver_stint_deg_s_per_lap",
    "position_before_last", "gap_to_car_ahead_before_last_s",
    *[f"{ref.removesuffix('_s')}_vs_reference_s" for ref in PACE_VS_REFERENCE],
]
XGB_PARAMS = {"objective": "reg:absoluteerror", "n_estimators": 300, "max_depth": 6, "learning_rate": 0.05,
              "subsample": 0.8, "colsample_bytree": 0.8, "tree_method": "hist", "n_jobs": 2, "random_state": 7}


def reference_lap_time_s(laps: pd.DataFrame) -> pd.Series:
    """The reference as a lap time on lap L: fuel-corrected reference + what lap L's fuel load costs."""
    return laps[REFERENCE] + laps["fuel_time_s_est"]


def model_inputs(laps: pd.DataFrame) -> pd.DataFrame:
    reference = laps[REFERENCE]
    frame = laps.assign(
        compound_code=laps["compound"].map(COMPOUND_CODE),
        reference_vs_pole_pct=100 * (reference / laps["pole_time_s"] - 1),
        field_trend_s=laps["field_lap_before_last_s"] - laps["field_recent_pace_s"],
        tyre_laps_since_reference_lap=laps["tyre_life_laps"] - laps["driver_last_clean_tyre_life_laps"],
        laps_since_last_clean_lap=laps["lap_number"] - laps["driver_last_clean_lap_number"],
    )
    for ref in PACE_VS_REFERENCE:
        frame[f"{ref.removesuffix('_s')}_vs_reference_s"] = laps[ref] - reference
    return frame[FEATURES].astype("float64")


def modelled(laps: pd.DataFrame) -> pd.DataFrame:
    """Laps the model predicts: those with a reference (from lap 3 on, after laps with clean laps in the field)."""
    return laps[laps[REFERENCE].notna()]


def stint_mean_baseline(laps: pd.DataFrame) -> pd.Series:
    """Hindsight baseline: every lap predicted by the mean clean lap of its stint."""
    return laps.groupby(["race_id", "driver_id", "stint"])["label_lap_time_s"].transform("mean")


def fit(train_laps: pd.DataFrame, n_jobs: int | None = None) -> xgb.XGBRegressor:
    """The model of lap time minus the reference lap, on modelled laps (training and the walk-forward share it;
    `n_jobs` changes the speed, not the model)."""
    import xgboost as xgb  # imported when used: XGBoost takes ~4 s to import

    return xgb.XGBRegressor(**with_threads(XGB_PARAMS, n_jobs)).fit(
        model_inputs(train_laps), train_laps["label_lap_time_s"] - reference_lap_time_s(train_laps))


def predicted_lap_time_s(model: xgb.XGBRegressor, laps: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict(model_inputs(laps))) + reference_lap_time_s(laps).to_numpy()


def train(laps: pd.DataFrame, split: TimeSplit) -> TrainedModel:
    laps = modelled(laps)
    train_laps, valid_laps = split.train(laps), split.valid(laps)
    model = fit(train_laps)
    valid_x = model_inputs(valid_laps)
    reference = reference_lap_time_s(valid_laps).to_numpy()
    truth = valid_laps["label_lap_time_s"]

    def score(predicted_vs_reference_s: np.ndarray) -> float:
        return mae_s(truth, np.asarray(predicted_vs_reference_s).ravel() + reference)

    predicted = model.predict(valid_x) + reference
    dry = ~valid_laps["compound"].isin(["INTERMEDIATE", "WET"]).to_numpy()
    return TrainedModel(
        name=NAME, estimator=model, flavor="xgboost", valid_x=valid_x, score=score, greater_is_better=False,
        params={**XGB_PARAMS, "target": "lap_time_s - reference_lap_time_s", "reference": REFERENCE,
                "hyper_parameters_selected_on": "the 12 races before the validation window",
                "train_laps": len(train_laps), "valid_laps": len(valid_laps)},
        metrics={"valid_mae_s": mae_s(truth, predicted),
                 "valid_median_ae_s": float(np.median(np.abs(truth - predicted))),
                 "valid_mae_dry_s": mae_s(truth[dry], predicted[dry]),
                 "baseline_stint_mean_mae_s": mae_s(truth, stint_mean_baseline(valid_laps)),
                 "baseline_reference_mae_s": mae_s(truth, reference)},
        figures={"contribution_summary": explain.summary_figure(model.get_booster(), valid_x,
                                                               "lap_time: feature contributions")},
    )
