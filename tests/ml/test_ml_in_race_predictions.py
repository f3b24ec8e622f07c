"""In-race prediction tables from champions trained on a short history (2024 only, to keep the test fast), with
their own MLflow store next to the session's warehouse (read only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ml import datasets, in_race_predictions
from ml.evaluation import TimeSplit, auroc, mae_s
from ml.models import lap_time, overtake
from ml.paths import MlPaths
from ml.publish import publish
from transforms.warehouse import read_frame

REQUIRED_OVERTAKE_COLUMNS = ["race_id", "season", "round", "lap_number", "driver_id", "ahead_driver_id", "gap_s",
                             "p_overtake", "horizon_laps", "overtook"]


@pytest.fixture()
def scratch_home(ml_paths: MlPaths, tmp_path: Path) -> MlPaths:
    return MlPaths(tmp_path, ml_paths.warehouse)


def _short_history(paths: MlPaths, split: TimeSplit) -> TimeSplit:
    races = datasets.races(paths)
    return TimeSplit(frozenset(races.loc[races["season"] == 2024, "race_id"].astype(int)), split.valid_race_ids)


def test_overtake_predictions_cover_every_battle(scratch_home: MlPaths, split: TimeSplit) -> None:
    battles = datasets.battle_frame(scratch_home.warehouse)
    publish(overtake.train(battles, _short_history(scratch_home, split)), scratch_home)
    frame, contributions = in_race_predictions.overtake_predictions(scratch_home)

    every_battle = int(read_frame(scratch_home.warehouse, "select count(*) from features.battle_features").to_numpy()[0, 0])
    assert len(frame) == every_battle > 40_000 and frame["season"].min() == 2018
    assert set(REQUIRED_OVERTAKE_COLUMNS) <= set(frame.columns) and (frame["horizon_laps"] == 3).all()
    assert frame["p_overtake"].between(0, 1).all()
    assert not frame.duplicated(["race_id", "lap_number", "driver_id"]).any()

    valid = frame[(frame["split"] == "valid") & frame["horizon_complete"]]
    assert auroc(valid["overtook"], valid["p_overtake"]) > auroc(valid["overtook"], -valid["gap_s"]) + 0.1
    assert abs(valid["p_overtake"].mean() - valid["overtook"].mean()) < 0.05  # calibrated on average
    assert len(contributions) == len(frame) * (len(overtake.FEATURES) + 1)


def test_lap_time_predictions_beat_the_reference_lap(scratch_home: MlPaths, split: TimeSplit) -> None:
    laps = datasets.lap_frame(scratch_home.warehouse)
    publish(lap_time.train(laps, _short_history(scratch_home, split)), scratch_home)
    frame, contributions = in_race_predictions.lap_time_predictions(scratch_home)

    assert set(frame["split"]) == {"train", "valid"} and (frame["season"] == 2025).all()
    valid = frame[frame["split"] == "valid"]
    assert valid["race_id"].nunique() == 12
    assert mae_s(valid["lap_time_s"], valid["predicted_lap_time_s"]) < mae_s(valid["lap_time_s"],
                                                                           valid["reference_lap_time_s"]) - 0.05
    # contributions add up to the prediction relative to the reference lap
    summed = contributions.groupby(["race_id", "driver_id", "lap_number"])["contribution"].sum()
    keyed = frame.set_index(["race_id", "driver_id", "lap_number"])
    offset = keyed["predicted_lap_time_s"] - keyed["reference_lap_time_s"]
    np.testing.assert_allclose(summed.loc[offset.index], offset, atol=1e-3)
    assert isinstance(frame["error_s"], pd.Series) and frame["error_s"].abs().median() < 0.5
