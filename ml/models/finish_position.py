"""`finish_position`: expected finishing position from pre-race features incl. qualifying, with a spread.

The spread is the root mean square of validation residuals, clipped at RESIDUAL_CLIP_POSITIONS, in bands of the
predicted position (front-runners are more predictable than the midfield); it travels with the model version as
`spread_by_band.json`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.datasets import PRE_RACE_FEATURES, feature_name
from ml.evaluation import TimeSplit
from ml.models.positions import features_of, fit_position_model, train_position_model
from ml.publish import TrainedModel

NAME = "finish_position"
FEATURES = [feature_name(f) for f in PRE_RACE_FEATURES]
SPREAD_BAND_EDGES = [0.0, 5.5, 10.5, 15.5, 99.0]  # predicted-position bands: P1-5, P6-10, P11-15, P16+
# A retirement puts a front-runner 15 places from his prediction: unclipped, those residuals widened every
# favourite's draws and under-stated his win chance (0.5-0.7 forecasts won 12 of 13, 2023-2025). Chosen walk-forward
# on 2023-24 over the plain standard deviation and the median absolute deviation (ml/README.md).
RESIDUAL_CLIP_POSITIONS = 8.0


def grid_order(frame: pd.DataFrame) -> pd.Series:
    """The classic baseline: finish where you start (pit-lane starts at the back)."""
    return frame["grid"].astype(float).replace(0.0, 30.0)


def spread_by_band(predicted: np.ndarray, truth: pd.Series) -> dict[str, list[float]]:
    band = np.digitize(predicted, SPREAD_BAND_EDGES[1:-1])
    residual = truth.to_numpy(dtype=float) - predicted
    clipped = np.clip(residual, -RESIDUAL_CLIP_POSITIONS, RESIDUAL_CLIP_POSITIONS)
    # a band no prediction fell in (few rows, e.g. the walk-forward's first races) takes the overall spread
    return {"edges": SPREAD_BAND_EDGES,
            "std": [float(np.sqrt(np.mean(np.square(clipped[band == b] if (band == b).any() else clipped))))
                    for b in range(4)]}


def spread_for(predicted: np.ndarray, spread: dict[str, list[float]]) -> np.ndarray:
    return np.asarray(spread["std"])[np.digitize(predicted, spread["edges"][1:-1])]


def out_of_sample_spread(entries: pd.DataFrame, split: TimeSplit) -> dict[str, list[float]]:
    """The spread from residuals of the validation races predicted by a fit on the races before them (a deployed
    version also trains on the validation races: its own residuals there would understate the spread)."""
    labelled = entries[entries["finish_position"].notna()]
    valid = split.valid(labelled)
    earlier = labelled[labelled["race_id"].isin(split.train_race_ids - split.valid_race_ids)]
    model = fit_position_model(earlier, FEATURES, "finish_position")
    return spread_by_band(model.predict(features_of(valid, FEATURES)), valid["finish_position"])


def train(entries: pd.DataFrame, split: TimeSplit) -> TrainedModel:
    trained, _ = train_position_model(NAME, entries, split, FEATURES, "finish_position", grid_order(entries))
    trained.documents["spread_by_band"] = out_of_sample_spread(entries, split)
    return trained
