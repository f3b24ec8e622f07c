"""In-race predictions from the champions, written to the warehouse as `marts.predictions_*`:

- `predictions_lap_times`: every modelled clean lap of the validation races and of the latest season, predicted
  vs actual lap time (contributions in `predictions_lap_time_contributions`, relative to the reference lap);
- `predictions_overtakes`: every battle row of features.battle_features in every race (backtest), the calibrated
  P(pass within horizon_laps) and the label (contributions in log-odds in `predictions_overtake_contributions`).

`split` says where a race sat for the champion: `train`, `calibration` (overtake: held out to calibrate), `valid`.
Only new races and races whose inputs changed are predicted, by the champion of the time (`model_version`); a new
champion does not predict every race again (ml.incremental)."""

from __future__ import annotations

from collections.abc import Collection
from functools import partial

import numpy as np
import pandas as pd

from ml import datasets, tracking
from ml.evaluation import TimeSplit
from ml.incremental import write_changed_races
from ml.models import lap_time, overtake
from ml.paths import MlPaths
from ml.predictions import Champion, long_contributions
from ml.training import validation_split

LAP_TIME_TABLE = "predictions_lap_times"
LAP_TIME_CONTRIBUTION_TABLE = "predictions_lap_time_contributions"
OVERTAKE_TABLE = "predictions_overtakes"
OVERTAKE_CONTRIBUTION_TABLE = "predictions_overtake_contributions"


def _split_labels(race_ids: pd.Series, split: TimeSplit, calibration_race_ids: Collection[int] = ()) -> np.ndarray:
    return np.select([race_ids.isin(split.valid_race_ids), race_ids.isin(list(calibration_race_ids))],
                     ["valid", "calibration"], "train")


def _lap_time_rows(paths: MlPaths) -> tuple[Champion, pd.DataFrame, pd.DataFrame]:
    """The champion, the laps it predicts (keys, split, reference, actual time) and their model inputs."""
    champion = Champion(tracking.configure(paths), lap_time.NAME)
    split = validation_split(paths)
    laps = lap_time.modelled(datasets.lap_frame(paths.warehouse))
    laps = laps[laps["race_id"].isin(split.valid_race_ids) | (laps["season"] == laps["season"].max())]
    inputs = lap_time.model_inputs(laps)[champion.features]
    rows = laps[["race_id", "season", "round", "driver_id", "constructor_id", "lap_number", "stint", "compound",
                 "tyre_life_laps"]].assign(
        split=_split_labels(laps["race_id"], split),
        reference_lap_time_s=lap_time.reference_lap_time_s(laps),
        lap_time_s=laps["label_lap_time_s"],
    )
    return champion, rows.reset_index(drop=True), inputs.reset_index(drop=True)


def _predict_laps(champion: Champion, rows: pd.DataFrame, inputs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = rows.assign(predicted_lap_time_s=champion.model.predict(inputs) + rows["reference_lap_time_s"],
                        model_version=champion.version)
    frame["error_s"] = frame["predicted_lap_time_s"] - frame["lap_time_s"]
    return frame, long_contributions(champion, frame[["race_id", "driver_id", "lap_number"]], inputs)


def lap_time_predictions(paths: MlPaths) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _predict_laps(*_lap_time_rows(paths))


def _overtake_rows(paths: MlPaths) -> tuple[Champion, pd.DataFrame, pd.DataFrame]:
    """The champion, every battle (keys, gap, label, split) and its model inputs."""
    champion = Champion(tracking.configure(paths), overtake.NAME)
    split = validation_split(paths)
    battles = datasets.battle_frame(paths.warehouse, complete_horizon_only=False)
    inputs = overtake.model_inputs(battles)[champion.features]
    calibration = overtake.calibration_race_ids(split.train(battles[battles["label_horizon_complete"]]))
    rows = battles[["race_id", "season", "round", "lap_number", "driver_id", "ahead_driver_id", "position",
                    "gap_s", "horizon_laps"]].assign(
        overtook=battles[overtake.LABEL],
        horizon_complete=battles["label_horizon_complete"],  # else a False label may be cut off by the flag
        split=_split_labels(battles["race_id"], split, calibration),
    )
    return champion, rows.reset_index(drop=True), inputs.reset_index(drop=True)


def _predict_overtakes(champion: Champion, rows: pd.DataFrame,
                       inputs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = rows.assign(p_overtake=champion.model.predict_proba(inputs)[:, 1], model_version=champion.version)
    contributions = long_contributions(champion, frame[["race_id", "lap_number", "driver_id"]], inputs,
                                       overtake.booster_of(champion.model))
    return frame, contributions


def overtake_predictions(paths: MlPaths) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _predict_overtakes(*_overtake_rows(paths))


def write_lap_time_predictions(paths: MlPaths) -> dict[str, int]:
    champion, rows, inputs = _lap_time_rows(paths)
    return write_changed_races(paths.warehouse, LAP_TIME_TABLE, LAP_TIME_CONTRIBUTION_TABLE, rows, inputs,
                               partial(_predict_laps, champion))


def write_overtake_predictions(paths: MlPaths) -> dict[str, int]:
    champion, rows, inputs = _overtake_rows(paths)
    return write_changed_races(paths.warehouse, OVERTAKE_TABLE, OVERTAKE_CONTRIBUTION_TABLE, rows, inputs,
                               partial(_predict_overtakes, champion))
