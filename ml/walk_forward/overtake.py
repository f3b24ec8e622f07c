"""Overtakes, walk-forward: the overtake model (boosting + Platt calibration on the latest training races) refitted
before every race on earlier races' battles; AUROC and Brier of P(pass within the horizon) on the race's battles
(label horizon inside the race, as in training), beside the gap-only baseline: a logistic regression on the gap to
the car ahead, fitted on the same earlier battles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ml import datasets
from ml.evaluation import auroc, brier
from ml.models import overtake
from ml.walk_forward import Fold, WalkForwardScores
from ml.walk_forward.scoring import FIT_THREADS, per_race_table, race_score, refitted, season_pooled
from transforms.warehouse import Warehouse, read_frame

if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

SUBJECT = "overtake"
BASELINE = "gap only"


@dataclass(frozen=True)
class Models:
    overtake: CalibratedClassifierCV
    gap_only: LogisticRegression


def _gap_only(train: pd.DataFrame) -> LogisticRegression:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression().fit(train[["gap_s"]], train[overtake.LABEL].astype(int))


def _fit(train: pd.DataFrame) -> Models:
    return Models(overtake.fit(train, FIT_THREADS), _gap_only(train))


def evaluate(warehouse: Warehouse, folds: Sequence[Fold],
             fitted_through: Mapping[pd.Timestamp, CalibratedClassifierCV] | None = None) -> WalkForwardScores:
    """`fitted_through`: deployed overtake fits by the start of the latest race they saw (scoring.refitted); the
    baseline beside them is fitted on the same battles."""
    starts = read_frame(warehouse, "select race_id, race_start_at from marts.dim_races")
    battles = datasets.battle_frame(warehouse).merge(starts, on="race_id")
    deployed = {until: Models(model, _gap_only(battles[battles["race_start_at"] <= until]))
                for until, model in (fitted_through or {}).items()}
    rows, scored = [], []
    for fold, fitted in refitted(folds, battles, _fit, deployed):
        race = battles[battles["race_id"] == fold.race_id]
        if race.empty:
            continue
        race = race.assign(
            passed=race[overtake.LABEL].astype(int),
            p_overtake=fitted.model.overtake.predict_proba(overtake.model_inputs(race))[:, 1],
            p_gap_only=fitted.model.gap_only.predict_proba(race[["gap_s"]])[:, 1])
        if race["passed"].nunique() == 2:  # AUROC needs a pass and a non-pass
            rows.append(race_score(fold, fitted.trained_until, "auroc", _auroc(race, "p_overtake"),
                                   BASELINE, _auroc(race, "p_gap_only"), len(race), True))
        rows.append(race_score(fold, fitted.trained_until, "brier", _brier(race, "p_overtake"),
                               BASELINE, _brier(race, "p_gap_only"), len(race), False))
        scored.append(race)
    predictions = pd.concat(scored)
    per_season = pd.concat([season_pooled(predictions, "auroc", BASELINE, True, _auroc, "p_overtake", "p_gap_only"),
                            season_pooled(predictions, "brier", BASELINE, False, _brier, "p_overtake", "p_gap_only")],
                           ignore_index=True)
    return WalkForwardScores(SUBJECT, per_race_table(rows), per_season)


def _auroc(battles: pd.DataFrame, column: str) -> float:
    return auroc(battles["passed"], battles[column])


def _brier(battles: pd.DataFrame, column: str) -> float:
    return brier(battles["passed"], battles[column])
