"""Drift detection on real laps: two random halves of the 2024 season do not drift; the same half with hotter
conditions and slower laps does, and the decision asks for retraining."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from ml import drift
from ml.warehouse import read_frame

NUMERICAL = ["label_lap_time_s", "track_temp_c", "air_temp_c", "tyre_life_laps"]
CATEGORICAL = ["compound"]


@pytest.fixture(scope="module")
def halves(built_home: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    laps = read_frame(built_home / "warehouse.duckdb", f"""
        select {", ".join(NUMERICAL + CATEGORICAL)} from features.lap_features
        where season = 2024 and label_is_clean_lap and track_temp_c is not null
    """)
    first = laps.sample(frac=0.5, random_state=7)
    return first, laps.drop(first.index)


def test_random_halves_of_a_season_do_not_drift(halves: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    reference, current = halves
    assert len(reference) > 5000
    result = drift.detect(reference, current, NUMERICAL, CATEGORICAL)
    assert not result.dataset_drift
    assert result.drift_share < drift.DRIFT_SHARE_THRESHOLD
    assert not result.columns.set_index("column").loc[["label_lap_time_s", "track_temp_c"], "drifted"].any()


def test_slower_laps_on_a_hotter_track_drift(halves: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    reference, current = halves
    shifted = current.assign(label_lap_time_s=current["label_lap_time_s"] + 3.0,
                             track_temp_c=current["track_temp_c"] + 15.0, air_temp_c=current["air_temp_c"] + 8.0)
    result = drift.detect(reference, shifted, NUMERICAL, CATEGORICAL)
    assert result.dataset_drift
    assert result.drift_share == pytest.approx(3 / 5)  # the three shifted columns of five
    by_column = result.columns.set_index("column")
    assert by_column.loc[["label_lap_time_s", "track_temp_c", "air_temp_c"], "drifted"].all()
    assert set(by_column["method"]) == {drift.NUM_METHOD, drift.CAT_METHOD}
    decision = drift.decide("2024-99", result.drift_share, None, datetime(2024, 12, 9))
    assert decision.retrain and "drift share 0.60" in decision.reason


def test_live_error_alone_triggers_retraining() -> None:
    calm = drift.decide("2025-15", 0.1, drift.LIVE_ERROR_THRESHOLD_POSITIONS - 0.5, datetime(2025, 9, 1))
    wild = drift.decide("2025-15", 0.1, drift.LIVE_ERROR_THRESHOLD_POSITIONS + 0.5, datetime(2025, 9, 1))
    assert not calm.retrain and wild.retrain
    assert "live finish-position MAE" in wild.reason
