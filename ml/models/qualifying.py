"""`qualifying`: expected qualifying position from pre-qualifying features (form, pace, circuit, championship)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.datasets import PRE_QUALIFYING_FEATURES, feature_name
from ml.evaluation import TimeSplit
from ml.models.positions import train_position_model
from ml.publish import TrainedModel

NAME = "qualifying"
FEATURES = [feature_name(f) for f in PRE_QUALIFYING_FEATURES]


def championship_order(frame: pd.DataFrame) -> pd.Series:
    """Naive baseline: qualify in drivers' championship order (round 1: unknown, sorted last)."""
    return frame["championship_position_before"].astype(float).fillna(99.0)


def predicted_order(race_ids: pd.Series, score: np.ndarray | pd.Series) -> pd.Series:
    """The model's predicted positions as a qualifying order per race (1 = pole): what stands in for a qualifying
    not yet run."""
    return pd.Series(np.asarray(score), index=race_ids.index).groupby(race_ids).rank(method="first")


def train(entries: pd.DataFrame, split: TimeSplit) -> TrainedModel:
    trained, _ = train_position_model(NAME, entries, split, FEATURES, "actual_qualifying_position",
                                      championship_order(entries))
    return trained
