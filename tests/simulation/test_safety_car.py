"""Circuit safety-car probabilities on the real archive's SC/VSC/red-flag history (the built warehouse's marts)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.marts import FittingTables
from simulation.safety_car import HALF_LIFE_SEASONS, circuit_safety_car_table, event_params, records_start

pytestmark = pytest.mark.slow  # the session's built home


@pytest.fixture(scope="module")
def history(tables: FittingTables) -> tuple[pd.DataFrame, pd.DataFrame]:
    return tables.sc_history, tables.results


@pytest.fixture(scope="module")
def table(history: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    return circuit_safety_car_table(*history, reference_season=2025).set_index("circuit_id")


def test_street_circuits_see_more_safety_cars_than_flowing_ones(table: pd.DataFrame) -> None:
    for street in ("baku", "marina_bay"):
        assert table.loc[street, "sc_probability"] > table.loc["catalunya", "sc_probability"] + 0.05
        for flowing in ("catalunya", "suzuka"):
            assert table.loc[street, "expected_sc_count"] > table.loc[flowing, "expected_sc_count"]


def test_shrinkage_pulls_small_samples_toward_the_global_rate(table: pd.DataFrame) -> None:
    # Jeddah had a safety car in all of its 5 races; with so few races it is not given certainty.
    assert table.loc["jeddah", "raw_sc_race_share"] == 1.0
    assert 0.55 < table.loc["jeddah", "sc_probability"] < 0.8
    # Barcelona's long, SC-poor record keeps it well below the field but above its raw share.
    assert table.loc["catalunya", "raw_sc_race_share"] < table.loc["catalunya", "sc_probability"] < 0.5
    assert table.attrs["prior_strength"]["sc_probability"] > 1.0


def test_history_windows_and_recency(history: tuple[pd.DataFrame, pd.DataFrame], table: pd.DataFrame) -> None:
    periods, _ = history
    assert records_start(periods, "SC") == 1993 and records_start(periods, "VSC") == 2015
    assert HALF_LIFE_SEASONS == 4.0
    # A circuit raced every season since 1993 counts as ~11 effective races, not 30.
    assert 8 < table.loc["monza", "effective_races"] < 14 and table.loc["monza", "races"] >= 30


def test_start_laps_and_simulator_events(table: pd.DataFrame) -> None:
    row = table.loc["monza"]
    assert np.isclose(sum(row["sc_start_fraction_hist"]), 1.0, atol=1e-3)
    assert list(row["sc_start_fraction_deciles"]) == sorted(row["sc_start_fraction_deciles"])
    events = event_params(row)
    assert events.sc_per_race == pytest.approx(row["expected_sc_count"])
    lap1 = np.mean(np.array(events.sc_start_lap_fractions) == 0.0)
    assert lap1 == pytest.approx(row["sc_lap1_share"], abs=0.01)
