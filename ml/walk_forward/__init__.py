"""Walk-forward (rolling-origin) evaluation: every model and precompute is judged race by race, each race predicted
from what was known before it started.

A *fold* is one race with results: whatever predicts it is fitted on data dated strictly before its start
(``Fold.race_start_at``). An *evaluator* (one per thing judged: finishing order, safety car, lap time, overtakes,
strategy) takes the warehouse and the folds and returns :class:`WalkForwardScores`: metrics per race and per season,
each beside its naive baseline, and, per race, ``trained_until`` (the start of the latest race its fit saw) so a
leakage test can check every fold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from transforms.warehouse import Warehouse, read_frame

# The seasons judged by default: the last three with results.
DEFAULT_SEASONS = 3

# Long tables, one row per (race or season) x metric.
PER_RACE_COLUMNS = ["race_id", "season", "round", "metric", "value", "baseline_name", "baseline", "n",
                    "higher_is_better", "trained_until"]
PER_SEASON_COLUMNS = ["season", "metric", "value", "baseline_name", "baseline", "n", "higher_is_better"]
# Forecast probabilities beside what happened (calibration): one row per race x entity x event.
PROBABILITY_COLUMNS = ["race_id", "season", "round", "event", "probability", "happened"]


@dataclass(frozen=True)
class Fold:
    """One race to predict; its model may only see data dated before ``race_start_at``."""

    race_id: int
    season: int
    round: int
    circuit_id: int
    race_start_at: pd.Timestamp


@dataclass(frozen=True)
class WalkForwardScores:
    """What an evaluator found: ``per_race`` (PER_RACE_COLUMNS) and ``per_season`` (PER_SEASON_COLUMNS).

    ``per_season`` is the evaluator's own aggregate (pooled over the season's predictions where a metric such as
    AUROC or MAE is pooled, the mean of the per-race values where it is a per-race statistic such as Spearman)."""

    subject: str
    per_race: pd.DataFrame
    per_season: pd.DataFrame
    # PROBABILITY_COLUMNS, for the evaluators that forecast probabilities of events (a win, a podium): what the
    # calibration plot is drawn from; None where there is none
    probabilities: pd.DataFrame | None = None


Evaluator = Callable[[Warehouse, Sequence[Fold]], WalkForwardScores]


def folds(warehouse: Warehouse, seasons: Sequence[int] | None = None) -> list[Fold]:
    """Every race with results of ``seasons`` (default: the last DEFAULT_SEASONS with results), in start order."""
    races = read_frame(warehouse, """
        select race_id, season, round, circuit_id, race_start_at from marts.dim_races
        where has_results order by race_start_at, race_id""")
    if seasons is None:
        seasons = sorted(races["season"].unique())[-DEFAULT_SEASONS:]
    chosen = races[races["season"].isin(list(seasons))]
    columns = ["race_id", "season", "round", "circuit_id", "race_start_at"]
    return [Fold(int(race_id), int(season), int(round_), int(circuit_id), pd.Timestamp(start))
            for race_id, season, round_, circuit_id, start in chosen[columns].to_numpy()]
