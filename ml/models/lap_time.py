"""`lap_time`: clean race lap time from tyre, fuel, weather, pre-race pace and race pace up to lap L-2.

Nothing reads the lap's own time or lap L-1's (that would make the next lap a copy of the last one). The model
predicts the lap relative to the field's recent pace (laps L-6..L-2), which carries the circuit, the season's car
speed and the track's evolution; the other pace references are expressed relative to it as well."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xgboost as xgb

from ml import explain
from ml.evaluation import TimeSplit, mae_s
from ml.publish import TrainedModel

NAME = "lap_time"
COMPOUND_CODE = {"SOFT": 1, "MEDIUM": 2, "HARD": 3, "INTERMEDIATE": 4, "WET": 5}
PACE_REFERENCES = [
    "pole_time_s", "driver_race_pace_s", "driver_stint_pace_s", "driver_lap_before_last_s", "field_lap_before_last_s",
]
FEATURES = [
    "lap_number", "race_progress", "laps_remaining", "fuel_load_kg_est", "stint", "compound_code", "tyre_life_laps",
    "is_fresh_tyre", "air_temp_c", "track_temp_c", "humidity_pct", "is_raining", "qualifying_position",
    "quali_gap_to_pole_pct", "form_avg_finish_position", "constructor_avg_pace_deficit_pct", "circuit_id",
    *[f"{ref.removesuffix('_s')}_vs_field_s" for ref in PACE_REFERENCES],
]
XGB_PARAMS = {"n_estimators": 250, "max_depth": 6, "learning_rate": 0.1, "subsample": 0.8, "colsample_bytree": 0.8,
              "tree_method": "hist", "n_jobs": 2, "random_state": 7}


def model_inputs(laps: pd.DataFrame) -> pd.DataFrame:
    """Feature matrix; laps without a field reference (the first laps of a race) are not modelled."""
    frame = laps.assign(compound_code=laps["compound"].map(COMPOUND_CODE))
    for ref in PACE_REFERENCES:
        frame[f"{ref.removesuffix('_s')}_vs_field_s"] = frame[ref] - frame["field_recent_pace_s"]
    return frame[FEATURES].astype("float64")


def stint_mean_baseline(laps: pd.DataFrame) -> pd.Series:
    """Hindsight baseline: every lap predicted by the mean clean lap of its stint."""
    return laps.groupby(["race_id", "driver_id", "stint"])["label_lap_time_s"].transform("mean")


def train(laps: pd.DataFrame, split: TimeSplit) -> TrainedModel:
    laps = laps[laps["field_recent_pace_s"].notna()]
    train_laps, valid_laps = split.train(laps), split.valid(laps)
    model = xgb.XGBRegressor(**XGB_PARAMS)
    model.fit(model_inputs(train_laps), train_laps["label_lap_time_s"] - train_laps["field_recent_pace_s"])
    valid_x = model_inputs(valid_laps)
    reference = valid_laps["field_recent_pace_s"].to_numpy()
    truth = valid_laps["label_lap_time_s"]

    def score(predicted_vs_field_s: np.ndarray) -> float:
        return mae_s(truth, predicted_vs_field_s + reference)

    predicted = model.predict(valid_x)
    dry = ~valid_laps["compound"].isin(["INTERMEDIATE", "WET"]).to_numpy()
    return TrainedModel(
        name=NAME, estimator=model, flavor="xgboost", valid_x=valid_x, score=score, greater_is_better=False,
        params={**XGB_PARAMS, "target": "lap_time_s - field_recent_pace_s", "train_laps": len(train_laps)},
        metrics={"valid_mae_s": score(predicted),
                 "valid_mae_dry_s": mae_s(truth[dry], predicted[dry] + reference[dry]),
                 "baseline_stint_mean_mae_s": mae_s(truth, stint_mean_baseline(valid_laps))},
        figures={"contribution_summary": explain.summary_figure(model.get_booster(), valid_x,
                                                               "lap_time: feature contributions")},
    )
