"""Train → log → register → gate, per model, on one time split of the current warehouse."""

from __future__ import annotations

from collections.abc import Callable

from ml import datasets
from ml.evaluation import TimeSplit
from ml.models import finish_position, lap_time, overtake, pit_strategy, qualifying
from ml.paths import MlPaths
from ml.publish import TrainedModel, publish
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


def train_and_publish(model_name: str, paths: MlPaths) -> tuple[TrainedModel, GateDecision]:
    trained = TRAINERS[model_name](paths, validation_split(paths))
    return trained, publish(trained, paths)
