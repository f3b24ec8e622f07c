"""`pit_strategy_clusters`: KMeans over a driver's race (stop count, mean stop lap, mean stop duration), with a
name per cluster read off its centroid ("2-stop late", "1-stop early, slow stops", ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ml.evaluation import TimeSplit
from ml.publish import TrainedModel

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

NAME = "pit_strategy_clusters"
FEATURES = ["stop_count", "mean_stop_lap", "mean_stop_duration_s"]
N_CLUSTERS = 5
# Centroid stop duration in SDs above the mean: "slow stops" (slow crews, long pit lanes), beyond it penalties/damage.
DURATION_NAMES = ((3.0, "penalty/damage stops"), (1.0, "slow stops"))


def _stop_count_name(stops: float) -> str:
    """'2-stop' near an integer, '1-2-stop' for a mix (KMeans centroids average 1- and 2-stoppers)."""
    low = max(1, int(np.floor(stops)))
    return f"{round(stops)}-stop" if abs(stops - round(stops)) < 0.25 or stops < 1 else f"{low}-{low + 1}-stop"


def model_inputs(stops: pd.DataFrame) -> pd.DataFrame:
    return stops[FEATURES].astype("float64")


def strategy_names(model: Pipeline) -> dict[int, str]:
    scaled = model.named_steps["kmeans"].cluster_centers_  # in standard deviations from the training mean
    centroids = model.named_steps["standardscaler"].inverse_transform(scaled)
    stops, lap, duration = (FEATURES.index(f) for f in ("stop_count", "mean_stop_lap", "mean_stop_duration_s"))
    names: dict[int, str] = {}
    for cluster in range(len(centroids)):
        name = f"{_stop_count_name(float(centroids[cluster, stops]))} "
        name += "early" if scaled[cluster, lap] < 0 else "late"
        name += next((f", {label}" for z, label in DURATION_NAMES if scaled[cluster, duration] > z), "")
        names[cluster] = name if name not in names.values() else f"{name} ({cluster})"
    return names


def train(stops: pd.DataFrame, split: TimeSplit) -> TrainedModel:
    # imported when used: scikit-learn takes ~3 s to import
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    train_rows, valid_rows = split.train(stops), split.valid(stops)
    params = {"n_clusters": N_CLUSTERS, "n_init": 10, "random_state": 7}
    model = make_pipeline(StandardScaler(), KMeans(**params)).fit(model_inputs(train_rows))
    valid_x = model_inputs(valid_rows)
    # Silhouette in a space fixed by the validation data itself, so every version is judged in the same geometry.
    valid_space = StandardScaler().fit_transform(valid_x)

    def score(labels: np.ndarray) -> float:
        return float(silhouette_score(valid_space, np.asarray(labels).ravel()))

    names = strategy_names(model)
    labels = model.predict(valid_x)
    shares = pd.Series(labels).map(names).value_counts(normalize=True)
    return TrainedModel(
        name=NAME, estimator=model, flavor="sklearn", valid_x=valid_x, score=score, greater_is_better=True,
        params={**params, "features": ",".join(FEATURES), "train_rows": len(train_rows)},
        metrics={"valid_silhouette": score(labels), "train_inertia": float(model.named_steps["kmeans"].inertia_),
                 # naive typing: one type per stop count (capped at 3+), judged in the same space
                 "baseline_stop_count_silhouette": score(valid_x["stop_count"].clip(upper=3).to_numpy())},
        documents={"strategy_names": {str(k): v for k, v in names.items()},
                   "validation_shares": {str(k): float(v) for k, v in shares.items()}},
    )
