"""The drift detector judged as an instrument on real data, over many seeded splits rather than one: it does not call
random halves of a season drifted, sees a hotter and slower half, does not call a finished training weekend drifted,
and the retraining decision follows."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from ml import drift, drift_calibration
from ml.drift_calibration import HOT_SLOW_SHIFT, LAP_CATEGORICAL, LAP_NUMERICAL
from transforms.warehouse import Warehouse

SEEDS = range(50)
MAX_FALSE_ALARM_RATE = 0.05
MIN_DETECTION_RATE = 0.95


@pytest.fixture(scope="module")
def laps(built_home: Path) -> pd.DataFrame:
    return drift_calibration.season_laps(Warehouse.at(built_home), [2024])


def test_splits_are_reproducible(built_home: Path, laps: pd.DataFrame) -> None:
    again = drift_calibration.season_laps(Warehouse.at(built_home), [2024])
    pd.testing.assert_frame_equal(laps, again)
    first, second = drift_calibration.random_halves(laps, seed=7), drift_calibration.random_halves(again, seed=7)
    pd.testing.assert_frame_equal(first[0], second[0])
    assert len(first[0]) > 5000 and abs(len(first[0]) - len(first[1])) <= 1
    assert not first[0].index.intersection(first[1].index).size


def test_random_halves_of_a_season_rarely_drift(laps: pd.DataFrame) -> None:
    trials = drift_calibration.lap_trials(laps, "same season (no change)", 2024, SEEDS)
    assert trials.dataset_rates()["detector"] <= MAX_FALSE_ALARM_RATE
    per_column = trials.column_rates()["detector"]
    assert set(per_column.index) == {*LAP_NUMERICAL, *LAP_CATEGORICAL}
    assert (per_column <= MAX_FALSE_ALARM_RATE).all(), per_column
    # the significance tests alone are calibrated too: ~5 % of columns by design (Evidently's goodness-of-fit
    # chi-square, which takes the reference's proportions as exact, flagged a third of these halves' compounds)
    assert (trials.column_rates()["p_value_only"] <= 3 * drift.COLUMN_P_VALUE).all()


def test_slower_laps_on_a_hotter_track_drift(laps: pd.DataFrame) -> None:
    trials = drift_calibration.lap_trials(laps, "hotter and slower", 2024, SEEDS)
    per_column = trials.column_rates()["detector"]
    assert (per_column[list(HOT_SLOW_SHIFT)] >= MIN_DETECTION_RATE).all(), per_column
    assert (per_column.drop(list(HOT_SLOW_SHIFT)) <= MAX_FALSE_ALARM_RATE).all(), per_column
    assert trials.dataset_rates()["detector"] >= MIN_DETECTION_RATE

    reference, current = drift_calibration.hotter_and_slower(laps, seed=0)
    result = drift.detect(reference, current, LAP_NUMERICAL, LAP_CATEGORICAL)
    assert result.dataset_drift
    by_column = result.columns.set_index("column")
    assert set(by_column["method"]) == {drift.NUM_METHOD, drift.CAT_METHOD}
    assert set(by_column["effect_method"]) == {drift.NUM_EFFECT_METHOD, drift.CAT_EFFECT_METHOD}
    # 3 s on laps whose spread across circuits is ~10 s: about a third of a standard deviation
    assert 0.2 < by_column.loc["label_lap_time_s", "effect_size"] < 0.6
    decision = drift.decide("2024-99", result.drift_share, None, datetime(2024, 12, 9))
    assert decision.retrain and f"drift share {result.drift_share:.2f}" in decision.reason


def test_the_report_shows_the_numbers_the_decision_used(laps: pd.DataFrame, tmp_path: Path) -> None:
    reference, current = drift_calibration.hotter_and_slower(laps, seed=3)
    result = drift.detect(reference, current, LAP_NUMERICAL, LAP_CATEGORICAL)
    snapshot = drift.report(reference, current, LAP_NUMERICAL, LAP_CATEGORICAL)
    shown = {(m["config"]["column"], m["config"]["method"]): m["value"] for m in snapshot.dict()["metrics"]}
    for row in result.columns.itertuples():
        assert shown[row.column, row.method] == pytest.approx(row.p_value)
        assert shown[row.column, row.effect_method] == pytest.approx(row.effect_size)
    snapshot.save_html(str(tmp_path / "drift.html"))
    assert "label_lap_time_s" in (tmp_path / "drift.html").read_text()


def test_a_finished_training_weekend_does_not_ask_for_retraining(built_home: Path) -> None:
    reference = drift.reference_rows(Warehouse.at(built_home))
    trials = drift_calibration.run_trials(drift_calibration.weekend_splits(reference, len(SEEDS), seed=0),
                                          drift.MONITORED_COLUMNS)
    assert trials.columns["trial"].nunique() == len(SEEDS)
    assert trials.dataset_rates()["detector"] <= MAX_FALSE_ALARM_RATE


def test_live_error_alone_triggers_retraining() -> None:
    calm = drift.decide("2025-15", 0.1, drift.LIVE_ERROR_THRESHOLD_POSITIONS - 0.5, datetime(2025, 9, 1))
    wild = drift.decide("2025-15", 0.1, drift.LIVE_ERROR_THRESHOLD_POSITIONS + 0.5, datetime(2025, 9, 1))
    assert not calm.retrain and wild.retrain
    assert "live finish-position MAE" in wild.reason


def test_a_report_racing_the_background_import_of_evidently(laps: pd.DataFrame, tmp_path: Path) -> None:
    """A refresh starts importing Evidently (and the prediction libraries) while dbt runs; a drift report that starts
    before the import is done waits for it (a fresh interpreter, so the import really is under way)."""
    laps.head(400).to_parquet(tmp_path / "laps.parquet")
    script = f"""
import pandas as pd
from ml import drift, warm_imports
warm_imports.start(warm_imports.DRIFT + warm_imports.PREDICTIONS)
laps = pd.read_parquet({str(tmp_path / "laps.parquet")!r})
drift.report(laps.iloc[:200], laps.iloc[200:], {LAP_NUMERICAL!r}, {LAP_CATEGORICAL!r}).save_html({str(tmp_path / "r.html")!r})
"""
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).resolve().parents[2])
    assert "label_lap_time_s" in (tmp_path / "r.html").read_text()
