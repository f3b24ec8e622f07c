"""Shared shape of the two pre-race position models (qualifying, finish): XGBoost regression on the position,
judged by the mean per-race rank correlation against a naive order on the same validation races."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ml import explain
from ml.evaluation import TimeSplit, mean_race_spearman
from ml.models import with_threads
from ml.publish import TrainedModel

if TYPE_CHECKING:
    import xgboost as xgb

# Shallow, heavily regularised trees: ~20 rows per race and most signal in a few features (deeper trees overfit).
XGB_PARAMS = {"n_estimators": 200, "max_depth": 2, "learning_rate": 0.05, "subsample": 0.8,
              "colsample_bytree": 0.8, "min_child_weight": 20, "n_jobs": 2, "random_state": 7}


def features_of(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Model inputs as float64: nullable ints become NaN (XGBoost's missing value) and the signature stays stable."""
    return frame[columns].astype("float64")


def fit_position_model(train: pd.DataFrame, columns: list[str], target: str,
                       n_jobs: int | None = None) -> xgb.XGBRegressor:
    """The regression itself (training and the walk-forward evaluation fit it the same way; `n_jobs` changes the
    speed, not the model)."""
    import xgboost as xgb  # imported when used: XGBoost takes ~4 s to import

    return xgb.XGBRegressor(**with_threads(XGB_PARAMS, n_jobs)).fit(features_of(train, columns),
                                                                    train[target].astype(float))


def train_position_model(name: str, frame: pd.DataFrame, split: TimeSplit, columns: list[str], target: str,
                         baseline: pd.Series) -> tuple[TrainedModel, pd.DataFrame]:
    """`baseline`: a naive expected position per row of `frame` (lower = better). Returns the model and its
    validation rows with predictions."""
    labelled = frame[frame[target].notna()]
    train, valid = split.train(labelled), split.valid(labelled)
    model = fit_position_model(train, columns, target)
    valid_x = features_of(valid, columns)
    predicted = model.predict(valid_x)
    truth = valid[target].astype(float)

    def score(predictions: np.ndarray) -> float:
        return mean_race_spearman(valid["race_id"], truth, predictions)

    trained = TrainedModel(
        name=name, estimator=model, flavor="xgboost", valid_x=valid_x, score=score, greater_is_better=True,
        params={**XGB_PARAMS, "features": ",".join(columns), "target": target, "train_rows": len(train),
                "valid_races": valid["race_id"].nunique()},
        metrics={"valid_spearman": score(predicted),
                 "baseline_spearman": mean_race_spearman(valid["race_id"], truth, baseline.loc[valid.index]),
                 "valid_mae_positions": float(np.mean(np.abs(predicted - truth)))},
        figures={"contribution_summary": explain.summary_figure(model.get_booster(), valid_x,
                                                               f"{name}: feature contributions")},
    )
    return trained, valid.assign(predicted=predicted)
