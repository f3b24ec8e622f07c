"""Race-day weather inputs (:mod:`simulation.climate`) on the archive's weather samples and laps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.climate import climate_table, race_weather, read_editions
from simulation.marts import MartTables
from transforms.warehouse import Warehouse

pytestmark = pytest.mark.slow  # the session's built home


@pytest.fixture(scope="module")
def editions(warehouse: Warehouse) -> pd.DataFrame:
    return read_editions(warehouse)


def _race(marts: MartTables, circuit_ref: str, season: int) -> pd.Series:
    races = marts.races
    return races[(races["circuit_id"] == circuit_ref) & (races["season"] == season)].iloc[0]


def _forecast(editions: pd.DataFrame, race: pd.Series) -> float:
    """The race's rain probability as it stood before its start: its own race-session weather and laps unknown."""
    before = editions.copy()
    own = before["race_id"] == race["race_id"]
    before.loc[own, ["air_temp_c", "track_temp_c", "humidity_pct", "wet_share"]] = np.nan
    return race_weather(before, int(race["race_id"]), int(race["circuit_key"]),
                        pd.Timestamp(race["race_start_at"])).rain_probability


def test_qatar_is_not_certain_rain(editions: pd.DataFrame, marts: MartTables) -> None:
    # 3 of 152 race samples of Qatar 2021 were flagged wet: that once made the 2025 precompute use 1.0.
    qatar = _race(marts, "losail", 2025)
    weather = race_weather(editions, int(qatar["race_id"]), int(qatar["circuit_key"]),
                           pd.Timestamp(qatar["race_start_at"]))
    assert weather.rain_probability < 0.12
    assert 30.0 < weather.track_temp_c < 40.0


def test_wet_circuits_and_wet_editions_stand_out(editions: pd.DataFrame, marts: MartTables) -> None:
    climate = climate_table(editions).rename(index=marts.circuits.set_index("circuit_key")["circuit_ref"])
    overall = climate.attrs["overall"]["rain_probability"]
    for wet in ("imola", "spa", "silverstone"):
        assert climate.loc[wet, "rain_probability"] > max(overall, climate.loc["losail", "rain_probability"]) + 0.03
    # An edition raced in the rain, once its race weather is in: Suzuka 2022 (every lap on intermediates/wets).
    suzuka = _race(marts, "suzuka", 2022)
    assert race_weather(editions, int(suzuka["race_id"]), int(suzuka["circuit_key"]),
                        pd.Timestamp(suzuka["race_start_at"])).rain_probability == 1.0


def test_wet_qualifying_raises_the_rain_probability(editions: pd.DataFrame, marts: MartTables) -> None:
    # Montreal 2023: a third of the qualifying samples wet; Miami 2022: a dry qualifying changes nothing.
    wet_qualifying = _race(marts, "villeneuve", 2023)
    without_weekend = editions.assign(weekend_wet_share=np.nan)
    assert _forecast(editions, wet_qualifying) > _forecast(without_weekend, wet_qualifying) + 0.3
    dry = _race(marts, "miami", 2022)
    assert _forecast(editions, dry) == _forecast(without_weekend, dry)
