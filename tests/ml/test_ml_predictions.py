"""Next-race predictions from the champions, with contributions that add up to each prediction."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml import predictions
from ml.evaluation import TimeSplit
from ml.models import finish_position, qualifying
from ml.paths import MlPaths
from ml.publish import publish

ITALIAN_GP_2025 = 1160


def test_next_race_predictions_with_contributions(entries: pd.DataFrame, split: TimeSplit,
                                                   online_paths: MlPaths) -> None:
    for model in (qualifying, finish_position):  # the only test that writes the session home's MLflow store
        publish(model.train(entries, split), online_paths)
    frame, contributions = predictions.race_entry_predictions(online_paths)

    upcoming = frame[frame["split"] == "next"]
    assert set(upcoming["race_id"]) == {ITALIAN_GP_2025} and len(upcoming) == 20
    assert sorted(upcoming["predicted_qualifying_position"]) == list(range(1, 21))
    assert (upcoming["predicted_finish_position_std"] > 0).all()
    assert upcoming["predicted_finish_position_mean"].between(1, 20).all()
    assert set(frame["split"]) == {"train", "valid", "next"}

    finish = contributions[(contributions["model_name"] == finish_position.NAME)
                           & (contributions["race_id"] == ITALIAN_GP_2025)]
    summed = finish.groupby("driver_id")["contribution"].sum()
    mean = upcoming.set_index("driver_id")["predicted_finish_position_mean"]
    np.testing.assert_allclose(summed.loc[mean.index], mean, atol=1e-3)


def test_ml_definitions_wire_models_after_the_feature_marts() -> None:
    from dagster import AssetKey

    from ml.training import TRAINERS
    from orchestration.defs.ml.definitions import defs as ml_defs

    graph = ml_defs.resolve_asset_graph()
    assert {AssetKey(["ml", name]) for name in TRAINERS} <= set(graph.get_all_asset_keys())
    assert AssetKey(["features", "race_entry_features"]) in graph.get(AssetKey(["ml", "feast_registry"])).parent_keys
    assert ml_defs.resolve_job_def("ml_job") is not None
