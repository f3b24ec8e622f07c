"""features.lap_pace_features reads lap times up to lap L-2 only: recomputed from marts.fct_laps with every lap after
L-2 removed, a driver's references come out the same."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml import datasets
from ml.paths import MlPaths
from transforms.warehouse import read_frame

DUTCH_GP_2025 = 1159
VERSTAPPEN = 830


def _recomputed_before_last(laps: pd.DataFrame, lap: int) -> dict[str, float]:
    """The references of lap `lap` from the clean laps up to lap-2 (nothing later exists for this computation)."""
    known = laps[(laps["lap_number"] <= lap - 2) & laps["is_clean_lap"]]
    stint = laps.loc[laps["lap_number"] == lap, "stint"].iloc[0]
    in_stint = known[known["stint"] == stint]
    recent = in_stint[in_stint["lap_number"] >= lap - 4]
    return {"driver_race_pace_s": known["fuel_corrected_lap_time_s"].mean(),
            "driver_stint_pace_s": in_stint["fuel_corrected_lap_time_s"].mean(),
            "driver_recent_pace_s": recent["fuel_corrected_lap_time_s"].mean(),
            "driver_last_clean_lap_number": in_stint["lap_number"].max()}


def test_driver_references_only_read_laps_up_to_two_laps_ago(ml_paths: MlPaths) -> None:
    laps = read_frame(ml_paths.warehouse, "select lap_number, stint, is_clean_lap, fuel_corrected_lap_time_s "
                                          "from marts.fct_laps where race_id = ? and driver_id = ? order by lap_number",
                      [DUTCH_GP_2025, VERSTAPPEN])
    mart = read_frame(ml_paths.warehouse, "select * from features.lap_pace_features where race_id = ? and driver_id = ?",
                      [DUTCH_GP_2025, VERSTAPPEN]).set_index("lap_number").sort_index()
    assert len(mart) == len(laps) == 72  # Zandvoort: 72 laps, Verstappen finished on the lead lap
    expected = pd.DataFrame([_recomputed_before_last(laps, lap) for lap in mart.index], index=mart.index)
    for column in expected.columns:
        np.testing.assert_allclose(mart[column].astype(float), expected[column].astype(float), rtol=1e-9,
                                   err_msg=column)
    assert mart["driver_recent_pace_s"].notna().sum() > 50


def test_lap_frame_has_the_pace_references_of_every_clean_lap(ml_paths: MlPaths) -> None:
    laps = datasets.lap_frame(ml_paths.warehouse)
    clean = read_frame(ml_paths.warehouse, "select count(*) from features.lap_features where label_is_clean_lap")
    assert len(laps) == int(clean.to_numpy()[0, 0]) > 100_000
    assert (laps["driver_last_clean_lap_number"].dropna() <= laps.loc[
        laps["driver_last_clean_lap_number"].notna(), "lap_number"] - 2).all()
    # from lap 8 on every clean lap has a field reference (laps L-6..L-2 of the race had clean laps)
    assert laps.loc[laps["lap_number"] >= 8, "field_recent_pace_s"].notna().mean() > 0.99
