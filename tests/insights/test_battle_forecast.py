from __future__ import annotations

import pandas as pd
import pytest

from insights.battle_forecast import backtest, battle_forecast
from insights.data import load_predictions_overtakes, load_races
from transforms.warehouse import Warehouse, table_exists

SEASON = tuple(f"2023-{r:02d}" for r in range(1, 11))


@pytest.fixture(scope="module")
def forecasts(warehouse: Warehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not table_exists(warehouse, "marts", "predictions_overtakes"):
        pytest.skip("marts.predictions_overtakes (the overtake model's battle predictions) is not built")
    races = load_races(warehouse, SEASON)
    predictions = load_predictions_overtakes(warehouse, [r.race_id for r in races.values()])
    frames = [battle_forecast(r, predictions[predictions["race_id"] == r.race_id]).assign(race_id=r.race_id)
              for r in races.values()]
    overtakes = pd.concat([r.overtakes.assign(race_id=r.race_id) for r in races.values()])
    return pd.concat(frames, ignore_index=True), overtakes


def test_forecast_rows_are_battles_with_sane_ranges(forecasts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    forecast, _ = forecasts
    assert len(forecast) > 1000
    assert forecast["gap_s"].between(0, 1.5).all() and forecast["intensity"].between(1, 10).all()
    assert forecast["p_overtake_5_laps"].between(0, 1).all() and forecast["confidence"].between(0, 1).all()
    assert (forecast["train_size"] >= 3).any()  # trains of three or more cars happen in every season
    likely = forecast["laps_until_overtake"].dropna()
    assert likely.between(1, 10).all() and (likely <= forecast.loc[likely.index, "laps_remaining"]).all()


def test_backtest_beats_the_naive_rules(forecasts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Hit rate of "pass within 3 laps" against fct_overtakes: the forecast vs "within DRS" and "faster car"."""
    forecast, overtakes = forecasts
    metrics = backtest(forecast, overtakes, within_laps=3)
    assert metrics["battle_laps"] > 1000 and 0.05 < metrics["base_rate"] < 0.4
    assert metrics["model_hit_rate"] > max(metrics["naive_drs_hit_rate"], metrics["naive_faster_hit_rate"])
    assert metrics["model_f1"] > max(metrics["naive_drs_f1"], metrics["naive_faster_f1"])
