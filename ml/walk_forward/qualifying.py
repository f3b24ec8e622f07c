"""Qualifying order, walk-forward: the qualifying model refitted before every race on earlier entries, the mean
rank correlation of its predicted order with the race's real qualifying, beside the championship order (what the
drivers' standings before the race say)."""

from __future__ import annotations

from collections.abc import Sequence

from ml import datasets
from ml.evaluation import mean_race_spearman
from ml.models import qualifying
from ml.models.positions import features_of, fit_position_model
from ml.walk_forward import Fold, WalkForwardScores
from ml.walk_forward.scoring import FIT_THREADS, per_race_table, race_score, refitted, season_means
from transforms.warehouse import Warehouse

SUBJECT = "qualifying_order"
TARGET = "actual_qualifying_position"
BASELINE = "championship order"


def evaluate(warehouse: Warehouse, folds: Sequence[Fold]) -> WalkForwardScores:
    entries = datasets.entry_frame_from_marts(warehouse).rename(columns={"event_timestamp": "race_start_at"})
    entries = entries[entries[TARGET].notna()]
    rows = []
    for fold, fitted in refitted(folds, entries,
                                 lambda train: fit_position_model(train, qualifying.FEATURES, TARGET, FIT_THREADS)):
        race = entries[entries["race_id"] == fold.race_id]
        if race.empty:
            continue
        truth = race[TARGET].astype(float)
        predicted = fitted.model.predict(features_of(race, qualifying.FEATURES))
        rows.append(race_score(fold, fitted.trained_until, "spearman", mean_race_spearman(race["race_id"], truth,
                                                                                          predicted),
                               BASELINE, mean_race_spearman(race["race_id"], truth,
                                                            qualifying.championship_order(race)), len(race), True))
    per_race = per_race_table(rows)
    return WalkForwardScores(SUBJECT, per_race, season_means(per_race))
