"""Lap time, walk-forward: the lap_time model refitted before every race on the clean laps of earlier races, its
MAE on the race's modelled laps, dry and wet (intermediate / wet compound), beside the per-stint mean baseline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ml import datasets
from ml.evaluation import mae_s
from ml.models import lap_time
from ml.walk_forward import Fold, WalkForwardScores
from ml.walk_forward.scoring import FIT_THREADS, per_race_table, race_score, refitted, season_pooled
from transforms.warehouse import Warehouse, read_frame

if TYPE_CHECKING:
    import xgboost as xgb

SUBJECT = "lap_time"
WET_COMPOUNDS = ("INTERMEDIATE", "WET")
BASELINE = "per-stint mean"


def _laps(warehouse: Warehouse) -> pd.DataFrame:
    starts = read_frame(warehouse, "select race_id, race_start_at from marts.dim_races")
    laps = lap_time.modelled(datasets.lap_frame(warehouse)).merge(starts, on="race_id")
    return laps.assign(conditions=np.where(laps["compound"].isin(WET_COMPOUNDS), "wet", "dry"))


def evaluate(warehouse: Warehouse, folds: Sequence[Fold],
             fitted_through: Mapping[pd.Timestamp, xgb.XGBRegressor] | None = None) -> WalkForwardScores:
    """`fitted_through`: deployed lap_time fits by the start of the latest race they saw (scoring.refitted)."""
    laps = _laps(warehouse)
    rows, scored = [], []
    for fold, fitted in refitted(folds, laps, partial(lap_time.fit, n_jobs=FIT_THREADS), fitted_through):
        race = laps[laps["race_id"] == fold.race_id]
        if race.empty:
            continue
        race = race.assign(predicted_s=lap_time.predicted_lap_time_s(fitted.model, race),
                           baseline_s=lap_time.stint_mean_baseline(race))
        for conditions, group in race.groupby("conditions"):
            rows.append(race_score(fold, fitted.trained_until, f"mae_{conditions}_s", _mae(group, "predicted_s"),
                                   BASELINE, _mae(group, "baseline_s"), len(group), False))
        scored.append(race)
    per_race = per_race_table(rows)
    predictions = pd.concat(scored)
    per_season = pd.concat([season_pooled(group, f"mae_{conditions}_s", BASELINE, False, _mae, "predicted_s",
                                          "baseline_s")
                            for conditions, group in predictions.groupby("conditions")], ignore_index=True)
    return WalkForwardScores(SUBJECT, per_race, per_season)


def _mae(laps: pd.DataFrame, column: str) -> float:
    return mae_s(laps["label_lap_time_s"], laps[column])
