"""Train → log → register → gate, per model.

A model with a walk-forward evaluator (ml.procedures) is deployed as a fit on every race with a result and gated on
its procedure's walk-forward record; pit_strategy_clusters (no evaluator) trains before and is gated on the fixed
validation window."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ml import datasets, gate_decisions, procedures, registry, tracking
from ml.evaluation import TimeSplit
from ml.models import finish_position, lap_time, overtake, pit_strategy, qualifying
from ml.paths import MlPaths
from ml.publish import TrainedModel, WalkForward, publish
from ml.registry import GateDecision

Trainer = Callable[[MlPaths, TimeSplit], TrainedModel]

TRAINERS: dict[str, Trainer] = {
    lap_time.NAME: lambda paths, split: lap_time.train(datasets.lap_frame(paths.warehouse), split),
    finish_position.NAME: lambda paths, split: finish_position.train(datasets.entry_frame(paths), split),
    overtake.NAME: lambda paths, split: overtake.train(datasets.battle_frame(paths.warehouse), split),
    qualifying.NAME: lambda paths, split: qualifying.train(datasets.entry_frame(paths), split),
    pit_strategy.NAME: lambda paths, split: pit_strategy.train(datasets.pit_strategy_frame(paths), split),
}


def validation_split(paths: MlPaths) -> TimeSplit:
    return TimeSplit.latest_races(datasets.races(paths))


def procedure_record(model_name: str, paths: MlPaths, races: pd.DataFrame, trained_through_race_id: int
                     ) -> WalkForward:
    """The procedure's per-race walk-forward table, reusing an earlier version's folds of the same procedure and,
    where the evaluator takes it, its deployed fit as the fold of the race after the last one it saw."""
    procedure = procedures.PROCEDURES[model_name]
    digest = procedure.digest
    client = tracking.configure(paths)
    previous = registry.latest_of_procedure(client, model_name, digest)
    cached = registry.walk_forward_record(client, model_name, previous)[1] if previous is not None else None
    fits = {}
    if previous is not None and procedure.evaluate_with_fits is not None:
        through = registry.trained_through(client, model_name, previous)
        start = races.loc[races["race_id"] == through, "race_start_at"]
        if not start.empty and through != trained_through_race_id:  # a new race: its fold is that fit
            fits = {pd.Timestamp(start.iloc[0]): registry.load_native(model_name, previous)}
    return WalkForward(digest, procedures.per_race_scores(procedure, paths.warehouse, cached, fits),
                       procedure.metric, procedure.higher_is_better, trained_through_race_id, procedure.tie_break)


def train_and_publish(model_name: str, paths: MlPaths) -> tuple[TrainedModel, GateDecision]:
    races = datasets.races(paths)
    latest_raced = int(races.loc[races["has_results"], "race_id"].iloc[-1])
    if model_name in procedures.PROCEDURES:
        trained = TRAINERS[model_name](paths, TimeSplit.deployed(races))
        trained.params["fitted_on"] = "every race with a result (valid_* metrics are in-sample)"
        decision = publish(trained, paths, procedure_record(model_name, paths, races, latest_raced))
    else:
        trained = TRAINERS[model_name](paths, TimeSplit.latest_races(races))
        decision = publish(trained, paths)
    gate_decisions.record(paths.warehouse, decision, latest_raced)
    return trained, decision
