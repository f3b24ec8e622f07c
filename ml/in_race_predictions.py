"""In-race predictions from the champions, written to the warehouse as `marts.predictions_*`:

- `predictions_lap_times`: every modelled clean lap of the validation races and of the latest season, predicted
  vs actual lap time (contributions in `predictions_lap_time_contributions`, relative to the reference lap);
- `predictions_overtakes`: every battle row of features.battle_features in every race (backtest), the calibrated
  P(pass within horizon_laps) and the label (contributions in log-odds in `predictions_overtake_contributions`).

`split` says where a race sat for the champion: `train`, `calibration` (overtake: held out to calibrate), `valid`."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from ml import datasets, tracking
from ml.evaluation import TimeSplit
from ml.models import lap_time, overtake
from ml.paths import MlPaths
from ml.predictions import Champion, long_contributions
from ml.training import validation_split
from transforms.warehouse import replace_table

LAP_TIME_TABLE = "predictions_lap_times"
LAP_TIME_CONTRIBUTION_TABLE = "predictions_lap_time_contributions"
OVERTAKE_TABLE = "predictions_overtakes"
OVERTAKE_CONTRIBUTION_TABLE = "predictions_overtake_contributions"


def _split_labels(race_ids: pd.Series, split: TimeSplit, calibration_race_ids: Collection[int] = ()) -> np.ndarray:
    return np.select([race_ids.isin(split.valid_race_ids), race_ids.isin(list(calibration_race_ids))],
                     ["valid", "calibration"], "train")


def lap_time_predictions(paths: MlPaths) -> tuple[pd.DataFrame, pd.DataFrame]:
    champion = Champion(tracking.configure(paths), lap_time.NAME)
    split = validation_split(paths)
    laps = lap_time.modelled(datasets.lap_frame(paths))
    laps = laps[laps["race_id"].isin(split.valid_race_ids) | (laps["season"] == laps["season"].max())]
    inputs = lap_time.model_inputs(laps)[champion.features]
    reference = lap_time.reference_lap_time_s(laps)
    frame = laps[["race_id", "season", "round", "driver_id", "constructor_id", "lap_number", "stint", "compound",
                  "tyre_life_laps"]].assign(
        split=_split_labels(laps["race_id"], split),
        reference_lap_time_s=reference,
        predicted_lap_time_s=champion.model.predict(inputs) + reference,
        lap_time_s=laps["label_lap_time_s"],
        model_version=champion.version,
    )
    frame["error_s"] = frame["predicted_lap_time_s"] - frame["lap_time_s"]
    contributions = long_contributions(champion, frame[["race_id", "driver_id", "lap_number"]], inputs)
    return frame.reset_index(drop=True), contributions


def overtake_predictions(paths: MlPaths) -> tuple[pd.DataFrame, pd.DataFrame]:
    champion = Champion(tracking.configure(paths), overtake.NAME)
    split = validation_split(paths)
    battles = datasets.battle_frame(paths, complete_horizon_only=False)
    inputs = overtake.model_inputs(battles)[champion.features]
    calibration = overtake.calibration_race_ids(split.train(battles[battles["label_horizon_complete"]]))
    frame = battles[["race_id", "season", "round", "lap_number", "driver_id", "ahead_driver_id", "position",
                     "gap_s", "horizon_laps"]].assign(
        p_overtake=champion.model.predict_proba(inputs)[:, 1],
        overtook=battles[overtake.LABEL],
        horizon_complete=battles["label_horizon_complete"],  # else a False label may be cut off by the flag
        split=_split_labels(battles["race_id"], split, calibration),
        model_version=champion.version,
    )
    contributions = long_contributions(champion, frame[["race_id", "lap_number", "driver_id"]], inputs,
                                       overtake.booster_of(champion.model))
    return frame.reset_index(drop=True), contributions


def write_lap_time_predictions(paths: MlPaths) -> dict[str, int]:
    frame, contributions = lap_time_predictions(paths)
    return {LAP_TIME_TABLE: replace_table(paths.warehouse, "marts", LAP_TIME_TABLE, frame),
            LAP_TIME_CONTRIBUTION_TABLE: replace_table(paths.warehouse, "marts", LAP_TIME_CONTRIBUTION_TABLE,
                                                       contributions)}


def write_overtake_predictions(paths: MlPaths) -> dict[str, int]:
    frame, contributions = overtake_predictions(paths)
    return {OVERTAKE_TABLE: replace_table(paths.warehouse, "marts", OVERTAKE_TABLE, frame),
            OVERTAKE_CONTRIBUTION_TABLE: replace_table(paths.warehouse, "marts", OVERTAKE_CONTRIBUTION_TABLE,
                                                       contributions)}
