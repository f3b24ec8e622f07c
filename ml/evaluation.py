"""Time-based validation and the metrics every model reports (next to its naive baseline)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

# SciPy and scikit-learn are imported in the functions that use them: they take ~3 s to import.

# The validation window: the latest races with results before the cut-off (12: fewer make the per-race rank
# correlations too noisy to compare versions). Everything earlier is training data.
VALIDATION_RACES = 12


@dataclass(frozen=True)
class TimeSplit:
    train_race_ids: frozenset[int]
    valid_race_ids: frozenset[int]

    @classmethod
    def latest_races(cls, races: pd.DataFrame, n_valid: int = VALIDATION_RACES) -> TimeSplit:
        """`races`: race_id, race_start_at, has_results. Validation = the last `n_valid` races run; train = earlier."""
        raced = races[races["has_results"]].sort_values("race_start_at")
        valid = raced.tail(n_valid)
        train = raced[raced["race_start_at"] < valid["race_start_at"].min()]
        return cls(frozenset(train["race_id"].astype(int)), frozenset(valid["race_id"].astype(int)))

    @classmethod
    def deployed(cls, races: pd.DataFrame, n_valid: int = VALIDATION_RACES) -> TimeSplit:
        """What a deployed version is fitted on: every race run. Its "validation" races are the latest `n_valid` of
        those (in-sample: they only give the logged model its signature, input example and in-sample metrics; the
        version is judged walk-forward, ml.procedures)."""
        raced = races[races["has_results"]]
        return cls(frozenset(raced["race_id"].astype(int)), cls.latest_races(races, n_valid).valid_race_ids)

    def train(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["race_id"].isin(self.train_race_ids)]

    def valid(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["race_id"].isin(self.valid_race_ids)]


def mae_s(truth: pd.Series, predicted: np.ndarray | pd.Series) -> float:
    from sklearn.metrics import mean_absolute_error

    return float(mean_absolute_error(truth, predicted))


def mean_race_spearman(race_ids: pd.Series, truth: pd.Series, predicted: np.ndarray | pd.Series) -> float:
    """Mean over races of the rank correlation between predicted and actual order (ties/constants count as 0)."""
    from scipy.stats import ConstantInputWarning, spearmanr

    frame = pd.DataFrame({"race_id": race_ids.to_numpy(), "truth": truth.to_numpy(), "pred": np.asarray(predicted)})
    with warnings.catch_warnings():  # a constant order (round 1's championship: nobody has points) is meant to be 0
        warnings.simplefilter("ignore", ConstantInputWarning)
        rhos = [spearmanr(g["truth"], g["pred"]).statistic for _, g in frame.groupby("race_id") if len(g) > 2]
    return float(np.mean(np.nan_to_num(rhos)))


def auroc(truth: pd.Series, probability: np.ndarray | pd.Series) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(truth, probability))


def brier(truth: pd.Series, probability: np.ndarray | pd.Series) -> float:
    from sklearn.metrics import brier_score_loss

    return float(brier_score_loss(truth, probability))
