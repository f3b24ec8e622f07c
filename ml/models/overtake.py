"""`overtake`: probability that a car within the battle gap passes the car ahead within the label horizon.

XGBoost ranks the battles; Platt (sigmoid) calibration on the latest training races (held out of the boosting fit)
turns its scores into probabilities without reordering them (isotonic steps would tie scores and cost AUROC).
The registered model's pyfunc predict returns P(overtake)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ml import explain
from ml.evaluation import TimeSplit, auroc, brier
from ml.models import with_threads
from ml.publish import TrainedModel

# XGBoost and scikit-learn are imported in the functions that use them: they take ~4 s and ~3 s to import.
if TYPE_CHECKING:
    import xgboost as xgb
    from sklearn.calibration import CalibratedClassifierCV

NAME = "overtake"
LABEL = "label_overtake_within_horizon"
FEATURES = [
    "lap_number", "position", "gap_s", "gap_change_s", "within_drs_gap", "tyre_life_laps", "ahead_tyre_life_laps",
    "tyre_age_advantage_laps", "compound_softness_advantage", "pace_advantage_last3_s", "laps_remaining",
    "circuit_overtaking_difficulty_index", "car_pace_deficit_vs_ahead_pct", "quali_positions_behind_ahead",
    "quali_gap_vs_ahead_pct", "ahead_gap_to_front_s", "gap_to_car_behind_s",
    # closing in: the pace trend, top speed (DRS, slipstream), the gap's trend and time spent in the DRS window
    "pace_advantage_trend_s", "speed_trap_advantage_kph", "gap_change_3_laps_s", "laps_within_drs_gap_last5",
    "laps_since_pit", "ahead_laps_since_pit", "is_teammate_ahead", "laps_in_battle_so_far",
    "race_pace_advantage_s",
    # the track itself and the rules era (2022's cars follow closely) matter beyond the circuit's history index
    "circuit_id", "season",
]
CALIBRATION_RACES = 12
XGB_PARAMS = {"n_estimators": 300, "max_depth": 4, "learning_rate": 0.05, "subsample": 0.8,
              "colsample_bytree": 0.8, "min_child_weight": 10, "n_jobs": 2, "random_state": 7}


def model_inputs(battles: pd.DataFrame) -> pd.DataFrame:
    return battles[FEATURES].astype("float64")


def calibration_race_ids(train_battles: pd.DataFrame) -> set[int]:
    """The latest CALIBRATION_RACES training races: held out of the boosting fit to fit the calibration."""
    race_ids = train_battles.sort_values("race_id")["race_id"].drop_duplicates().tail(CALIBRATION_RACES)
    return set(race_ids.astype(int))


def booster_of(model: CalibratedClassifierCV) -> xgb.Booster:
    """The boosted trees inside the calibrated wrapper (for pred_contribs; contributions are in log-odds)."""
    frozen = model.calibrated_classifiers_[0].estimator
    return frozen.estimator.get_booster()


def _reliability_figure(truth: pd.Series, probability: np.ndarray) -> Figure:
    from sklearn.calibration import calibration_curve

    observed, predicted = calibration_curve(truth, probability, n_bins=10, strategy="quantile")
    fig = Figure(figsize=(5, 5))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
    ax.plot(predicted, observed, marker="o")
    ax.set(xlabel="predicted P(overtake)", ylabel="observed rate", title="overtake: reliability (validation)")
    return fig


def fit(train_battles: pd.DataFrame, n_jobs: int | None = None) -> CalibratedClassifierCV:
    """Boosting on all but the latest training races, Platt calibration on those (training and the walk-forward;
    `n_jobs` changes the speed, not the model)."""
    import xgboost as xgb
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    calibration_ids = calibration_race_ids(train_battles)
    calibration = train_battles[train_battles["race_id"].isin(calibration_ids)]
    boosting = train_battles[~train_battles["race_id"].isin(calibration_ids)]
    booster = xgb.XGBClassifier(**with_threads(XGB_PARAMS, n_jobs))
    booster.fit(model_inputs(boosting), boosting[LABEL].astype(int))
    model = CalibratedClassifierCV(FrozenEstimator(booster), method="sigmoid")
    return model.fit(model_inputs(calibration), calibration[LABEL].astype(int))


def train(battles: pd.DataFrame, split: TimeSplit) -> TrainedModel:
    train_battles, valid_battles = split.train(battles), split.valid(battles)
    model = fit(train_battles)

    valid_x = model_inputs(valid_battles)
    truth = valid_battles[LABEL].astype(int)

    def score(probability: np.ndarray) -> float:
        return auroc(truth, probability[:, 1] if probability.ndim == 2 else probability)

    probability = model.predict_proba(valid_x)[:, 1]
    return TrainedModel(
        name=NAME, estimator=model, flavor="sklearn", valid_x=valid_x, score=score, greater_is_better=True,
        pyfunc_predict_fn="predict_proba",
        params={**XGB_PARAMS, "calibration": "sigmoid", "calibration_races": CALIBRATION_RACES,
                "fit_battles": int((~train_battles["race_id"].isin(calibration_race_ids(train_battles))).sum()),
                "positive_rate_train": float(train_battles[LABEL].mean())},
        metrics={"valid_auroc": score(probability), "valid_brier": brier(truth, probability),
                 "valid_positive_rate": float(truth.mean()),
                 "baseline_gap_auroc": auroc(truth, -valid_battles["gap_s"])},
        figures={"contribution_summary": explain.summary_figure(booster_of(model), valid_x,
                                                               "overtake: contributions (log-odds)"),
                 "reliability": _reliability_figure(truth, probability)},
    )
