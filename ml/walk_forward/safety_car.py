"""Walk-forward judge of P(at least one safety car) per race (:mod:`simulation.race_safety_car`).

Per fold: the regression fitted on the races before it, its Brier score and log-loss beside two baselines, each
also fitted on the races before: the recency-weighted share of SC races over all circuits (``global_rate``) and
the circuit's shrunk rate alone (``circuit_model``, the published table before the per-race model).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ml.walk_forward import Fold, WalkForwardScores
from ml.walk_forward.scoring import per_race_table, season_means
from simulation.race_safety_car import COVARIATES, L2_C, fit_predict, read_covariates
from simulation.safety_car import recency_weight
from transforms.warehouse import Warehouse

SUBJECT = "safety_car"
EPSILON = 1e-6  # log-loss of a probability clipped away from 0 and 1


def _scores(p: float, outcome: float) -> dict[str, float]:
    q = min(max(p, EPSILON), 1 - EPSILON)
    return {"brier": (p - outcome) ** 2, "log_loss": -(outcome * np.log(q) + (1 - outcome) * np.log(1 - q))}


def fold_predictions(covariates: pd.DataFrame, folds: Sequence[Fold], columns: list[str] = COVARIATES,
                     c: float = L2_C) -> pd.DataFrame:
    """Per fold: race_id, season, round, has_sc, model / global_rate / circuit_model probabilities and
    trained_until (the start of the latest race the fit saw)."""
    rows = []
    for fold in folds:
        past = covariates[(covariates["race_start_at"] < fold.race_start_at) & covariates["has_sc"].notna()]
        this = covariates[covariates["race_id"] == fold.race_id]
        if this.empty or this["has_sc"].isna().all():
            continue
        model = fit_predict(covariates, this, fold.race_start_at, columns, c)
        rows.append({
            "race_id": fold.race_id, "season": fold.season, "round": fold.round,
            "has_sc": float(this["has_sc"].iloc[0]), "model": float(model[0]),
            "global_rate": float(np.average(past["has_sc"], weights=recency_weight(past["season"], fold.season))),
            "circuit_model": float(this["circuit_sc_probability"].iloc[0]),
            "trained_until": past["race_start_at"].max(),
        })
    return pd.DataFrame(rows)


def scores_from_predictions(predictions: pd.DataFrame) -> WalkForwardScores:
    """Long per-race and per-season tables: each metric twice, once beside each baseline."""
    rows: list[dict[str, object]] = []
    for p in predictions.to_dict("records"):
        model = _scores(p["model"], p["has_sc"])
        for baseline_name in ("global_rate", "circuit_model"):
            baseline = _scores(p[baseline_name], p["has_sc"])
            rows += [{"race_id": p["race_id"], "season": p["season"], "round": p["round"], "metric": metric,
                      "value": model[metric], "baseline_name": baseline_name, "baseline": baseline[metric], "n": 1,
                      "higher_is_better": False, "trained_until": p["trained_until"]} for metric in model]
    per_race = per_race_table(rows)
    return WalkForwardScores(SUBJECT, per_race, season_means(per_race))


def evaluate(warehouse: Warehouse, folds: Sequence[Fold]) -> WalkForwardScores:
    """The evaluator (:data:`ml.walk_forward.Evaluator`)."""
    return scores_from_predictions(fold_predictions(read_covariates(warehouse), folds))
