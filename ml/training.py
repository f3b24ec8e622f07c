"""Train → log → register → gate, per model.

A model with a walk-forward evaluator (ml.procedures) is deployed as a fit on every race with a result and gated on
its procedure's walk-forward record; pit_strategy_clusters (no evaluator) trains before and is gated on the fixed
validation window."""

from __future__ import annotations

from collections.abc import Callable

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


def procedure_record(model_name: str, paths: MlPaths, trained_through_race_id: int) -> WalkForward:
    """The procedure's per-race walk-forward table, reusing an earlier version's folds of the same procedure."""
    procedure = procedures.PROCEDURES[model_name]
    digest = procedure.digest
    cached = registry.cached_per_race(tracking.configure(paths), model_name, digest)
    return WalkForward(digest, procedures.per_race_scores(procedure, paths.warehouse, cached), procedure.metric,
                       procedure.higher_is_better, trained_through_race_id, procedure.tie_break)


def train_and_publish(model_name: str, paths: MlPaths) -> tuple[TrainedModel, GateDecision]:
    races = datasets.races(paths)
    latest_raced = int(races.loc[races["has_results"], "race_id"].iloc[-1])
    if model_name in procedures.PROCEDURES:
        trained = TRAINERS[model_name](paths, TimeSplit.deployed(races))
        trained.params["fitted_on"] = "every race with a result (valid_* metrics are in-sample)"
        decision = publish(trained, paths, procedure_record(model_name, paths, latest_raced))
    else:
        trained = TRAINERS[model_name](paths, TimeSplit.latest_races(races))
        decision = publish(trained, paths)
    gate_decisions.record(paths.warehouse, decision, latest_raced)
    return trained, decision
