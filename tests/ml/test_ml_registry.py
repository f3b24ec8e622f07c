"""The promotion gate on real data: a worse model is registered as challenger, a better one takes `champion`,
and downstream code loads whatever `models:/<name>@champion` points at."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ml import registry
from ml.evaluation import TimeSplit
from ml.models import qualifying
from ml.paths import MlPaths
from ml.publish import TrainedModel, publish


def _shuffled_training_labels(entries: pd.DataFrame, split: TimeSplit) -> pd.DataFrame:
    """Training qualifying positions permuted (validation untouched): the model has nothing to learn."""
    target = "actual_qualifying_position"
    training = entries["race_id"].isin(split.train_race_ids)
    shuffled = entries[target].copy()
    shuffled[training] = entries.loc[training, target].sample(frac=1.0, random_state=3).to_numpy()
    return entries.assign(**{target: shuffled})


def _champion_predictions(trained: TrainedModel) -> np.ndarray:
    return np.asarray(registry.load_champion(qualifying.NAME).predict(trained.valid_x))


def test_worse_model_is_not_promoted(entries: pd.DataFrame, split: TimeSplit, registry_home: MlPaths) -> None:
    good = qualifying.train(entries, split)
    first = publish(good, registry_home)
    assert first.promoted and first.version == 1

    worse = qualifying.train(_shuffled_training_labels(entries, split), split)
    second = publish(worse, registry_home)
    assert second.alias == registry.CHALLENGER and not second.promoted
    assert second.candidate_score < second.champion_score  # type: ignore[operator]
    assert second.champion_version == 1
    np.testing.assert_allclose(_champion_predictions(good), good.estimator.predict(good.valid_x), rtol=1e-6)

    tie = publish(good, registry_home)  # same model again: not strictly better, the champion stays
    assert tie.alias == registry.CHALLENGER


def test_better_model_takes_champion_and_loads_by_alias(entries: pd.DataFrame, split: TimeSplit,
                                                         registry_home: MlPaths) -> None:
    worse = qualifying.train(_shuffled_training_labels(entries, split), split)
    assert publish(worse, registry_home).promoted  # no champion yet: the first version always serves

    good = qualifying.train(entries, split)
    decision = publish(good, registry_home)
    assert decision.promoted and decision.version == 2
    assert decision.candidate_score > decision.champion_score  # type: ignore[operator]
    np.testing.assert_allclose(_champion_predictions(good), good.estimator.predict(good.valid_x), rtol=1e-6)


def test_tracking_one_home_leaves_the_next_process_its_own(registry_home: MlPaths, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """mlflow.set_tracking_uri() exports MLFLOW_TRACKING_URI for subprocesses: a refresh of another home started from
    this process afterwards (a test session, a scheduler) must still track to its own store."""
    import mlflow

    from ml.tracking import configure
    from transforms.settings import Settings

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    configure(registry_home)
    assert "MLFLOW_TRACKING_URI" not in os.environ and "MLFLOW_REGISTRY_URI" not in os.environ
    assert mlflow.get_tracking_uri() == registry_home.tracking_uri  # this process still tracks where configured
    other = Settings(home=tmp_path / "other")
    monkeypatch.setenv("UNDERCUT_HOME", str(other.home))
    assert MlPaths.from_settings().tracking_uri == f"sqlite:///{other.home / 'mlflow.db'}"

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow.example:5000")  # an operator's tracking server
    assert MlPaths.from_settings().tracking_uri == "http://mlflow.example:5000"
