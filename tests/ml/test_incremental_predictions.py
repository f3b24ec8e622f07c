"""Prediction tables keep the races whose inputs did not change, also after a new champion (ml.incremental), on a real
DuckLake."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ml.incremental import DIGEST, write_changed_races
from transforms.warehouse import Warehouse, read_frame

TABLE, CONTRIBUTIONS = "predictions_lap_times", "predictions_lap_time_contributions"  # as declared, written whole
# the lap-time rows' columns the stand-in model does not look at
LAP_KEYS = {"season": 2025, "round": 1, "driver_id": 1, "constructor_id": 1, "stint": 1, "compound": "MEDIUM",
            "tyre_life_laps": 5, "split": "valid", "reference_lap_time_s": 80.0, "lap_time_s": 81.0}


class Model:
    """A stand-in champion: predicts the sum of the inputs times its version, and records which races it saw."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.predicted: set[int] = set()

    def __call__(self, rows: pd.DataFrame, inputs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        self.predicted |= set(rows["race_id"])
        predicted = inputs.sum(axis=1) * self.version
        frame = rows.assign(predicted_lap_time_s=predicted, model_version=self.version,
                            error_s=predicted - rows["lap_time_s"])
        contributions = rows[["race_id", "driver_id", "lap_number"]].assign(
            feature="x", contribution=inputs["x"].astype("float32"), model_name="lap_time", model_version=self.version)
        return frame, contributions


def _write(warehouse: Warehouse, rows: pd.DataFrame, model: Model, inputs: list[str] | None = None) -> dict[str, int]:
    """`rows` with model inputs x and y; the model reads `inputs` of them (default both)."""
    return write_changed_races(warehouse, TABLE, CONTRIBUTIONS, rows.drop(columns=["x", "y"]).assign(**LAP_KEYS),
                               rows[inputs or ["x", "y"]], model)


def _table(warehouse: Warehouse) -> pd.DataFrame:
    return read_frame(warehouse, f"select race_id, lap_number, predicted_lap_time_s as prediction from marts.{TABLE} "
                                 "order by race_id, lap_number")


def test_only_new_and_changed_races_are_predicted(tmp_path: Path) -> None:
    warehouse = Warehouse.at(tmp_path / "home")
    laps = pd.DataFrame({"race_id": [1, 1, 2, 2, 3], "lap_number": [1, 2, 1, 2, 1],
                         "x": [1.0, 2.0, 3.0, 4.0, 5.0], "y": [0.5, 0.5, 0.5, 0.5, 0.5]})
    first = Model(1)
    assert _write(warehouse, laps, first) == {TABLE: 5, CONTRIBUTIONS: 5}
    assert first.predicted == {1, 2, 3}

    again = Model(1)
    before = _table(warehouse)
    noisy = laps.assign(x=laps["x"] * (1 + 1e-15)).iloc[::-1]  # another order, last-bit float noise: the same
    _write(warehouse, noisy, again)
    assert again.predicted == set()
    pd.testing.assert_frame_equal(_table(warehouse), before)

    # race 2 revised, race 3 gone from the data, race 4 new
    revised = pd.concat([laps[laps["race_id"] != 3], pd.DataFrame({"race_id": [4], "lap_number": [1], "x": [7.0],
                                                                    "y": [0.0]})], ignore_index=True)
    revised.loc[revised["race_id"] == 2, "x"] += 1
    third = Model(1)
    assert _write(warehouse, revised, third) == {TABLE: 5, CONTRIBUTIONS: 5}
    assert third.predicted == {2, 4}
    table = _table(warehouse)
    assert table["race_id"].tolist() == [1, 1, 2, 2, 4]
    assert table["prediction"].tolist() == [1.5, 2.5, 4.5, 5.5, 7.0]
    assert read_frame(warehouse, f"select count(distinct {DIGEST}) as n from marts.{TABLE}")["n"][0] == 3

    retrained = Model(2)  # a new champion predicts the new race; the others stay as their champion predicted them
    with_race_5 = pd.concat([revised, pd.DataFrame({"race_id": [5], "lap_number": [1], "x": [1.0], "y": [1.0]})],
                            ignore_index=True)
    _write(warehouse, with_race_5, retrained)
    assert retrained.predicted == {5}
    versions = read_frame(warehouse, f"select race_id, model_version from marts.{TABLE} order by race_id, lap_number")
    assert versions["model_version"].tolist() == [1, 1, 1, 1, 1, 2]
    assert _table(warehouse)["prediction"].tolist() == [1.5, 2.5, 4.5, 5.5, 7.0, 4.0]

    other_inputs = Model(3)  # a champion with another input list predicts every race
    _write(warehouse, with_race_5, other_inputs, inputs=["x"])
    assert other_inputs.predicted == {1, 2, 4, 5}
