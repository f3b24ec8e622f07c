"""What every evaluator shares: the rows of a fold's training data, the refit per race, and the long score tables."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

import pandas as pd

from ml.walk_forward import PER_RACE_COLUMNS, PER_SEASON_COLUMNS, Fold

Model = TypeVar("Model")
# One thread per XGBoost fit: on the shared two cores a small fit took 0.4 s with one thread and 6-8 s with two
# (the OpenMP threads wait on each other when other processes hold the cores); the model is the same.
FIT_THREADS = 1
# Folds fitted at once, in threads (XGBoost and scikit-learn's solvers release the GIL while they fit): one-thread
# fits side by side use every core without OpenMP threads waiting on each other, and each fit is the serial one.
FOLDS_AT_ONCE = len(os.sched_getaffinity(0))


@dataclass(frozen=True)
class Fitted(Generic[Model]):
    model: Model
    trained_until: pd.Timestamp  # the start of the latest race in its training rows


def before(frame: pd.DataFrame, fold: Fold, started_at: str = "race_start_at") -> pd.DataFrame:
    """The rows of races that started before the fold's race: all a fit for that race may see."""
    return frame[frame[started_at] < fold.race_start_at]


def refitted(folds: Sequence[Fold], frame: pd.DataFrame, fit: Callable[[pd.DataFrame], Model],
             fitted_through: Mapping[pd.Timestamp, Model] | None = None) -> Iterator[tuple[Fold, Fitted[Model]]]:
    """Each fold with a model fitted on `frame`'s rows of the races before it (refitted for every race).
    `fitted_through`: models already fitted the same way on every race started up to a time (a deployed version of
    the same procedure), used instead of a refit where a fold's training races end there. Up to FOLDS_AT_ONCE
    folds are fitted at once; they come in fold order."""
    def fitted(fold: Fold) -> Fitted[Model]:
        train = before(frame, fold)
        until = pd.Timestamp(train["race_start_at"].max())
        known = (fitted_through or {}).get(until)
        return Fitted(fit(train) if known is None else known, until)

    with ThreadPoolExecutor(max_workers=min(FOLDS_AT_ONCE, max(len(folds), 1))) as pool:
        yield from zip(folds, pool.map(fitted, folds), strict=True)


def race_score(fold: Fold, trained_until: pd.Timestamp, metric: str, value: float, baseline_name: str,
               baseline: float, n: int, higher_is_better: bool) -> dict[str, object]:
    return {"race_id": fold.race_id, "season": fold.season, "round": fold.round, "metric": metric, "value": value,
            "baseline_name": baseline_name, "baseline": baseline, "n": n, "higher_is_better": higher_is_better,
            "trained_until": trained_until}


def per_race_table(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=PER_RACE_COLUMNS)


def season_means(per_race: pd.DataFrame) -> pd.DataFrame:
    """Per-race statistics (Spearman, a race's winner log-loss) averaged over the season's races; n summed."""
    grouped = per_race.dropna(subset=["value"]).groupby(["season", "metric", "baseline_name", "higher_is_better"])
    table = grouped.agg(value=("value", "mean"), baseline=("baseline", "mean"), n=("n", "sum")).reset_index()
    return table[PER_SEASON_COLUMNS]


def season_pooled(predictions: pd.DataFrame, metric: str, baseline_name: str, higher_is_better: bool,
                  score: Callable[[pd.DataFrame, str], float], predicted: str, baseline: str) -> pd.DataFrame:
    """A metric pooled over every prediction of the season (MAE, AUROC, Brier): `score(rows, column)`."""
    rows = [{"season": season, "metric": metric, "value": score(group, predicted), "baseline_name": baseline_name,
             "baseline": score(group, baseline), "n": len(group), "higher_is_better": higher_is_better}
            for season, group in predictions.groupby("season")]
    return pd.DataFrame(rows, columns=PER_SEASON_COLUMNS)
