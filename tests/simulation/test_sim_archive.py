"""Fitting and replays on the real archive's race facts (the built warehouse's marts, tests/simulation/conftest.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from simulation.defaults import default_circuit
from simulation.fitting import (
    aggregate_tyres,
    fit_event_rates,
    fit_pit_loss,
    fit_race_models,
    track_states_by_lap,
)
from simulation.marts import FittingTables
from simulation.params import Compound, TrackState
from simulation.precompute import race_alternatives
from simulation.whatif import alternative_plans, alternatives_table, replay_from_tables, what_if

pytestmark = pytest.mark.slow  # the session's built home


def test_2024_soft_wears_faster_than_hard(tables: FittingTables) -> None:
    tyres = aggregate_tyres(fit_race_models(tables.laps[tables.laps["season"] == 2024]))
    assert tyres is not None
    assert tyres.deg_s_per_lap[Compound.SOFT] > tyres.deg_s_per_lap[Compound.HARD] > 0.0
    assert 0.2 < tyres.lap_noise_s < 1.0


def test_pit_loss_is_cheaper_under_safety_car(tables: FittingTables) -> None:
    losses = fit_pit_loss(tables.pit_stops)
    weighted = losses.assign(total_s=losses["pit_loss_s"] * losses["stops"]).groupby("state")[["total_s", "stops"]].sum()
    by_state = weighted["total_s"] / weighted["stops"]
    assert 18 < by_state["green"] < 28
    assert by_state["sc"] < by_state["vsc"] < by_state["green"]


def test_known_race_facts(tables: FittingTables, driver_ids: dict[str, int]) -> None:
    monaco_2024 = 1128
    history = tables.sc_history
    assert ((history["race_id"] == monaco_2024) & (history["kind"] == "RED")).any()
    laps = tables.laps[tables.laps["race_id"] == monaco_2024]
    assert TrackState.RED in track_states_by_lap(laps, 78)
    winner = tables.results[(tables.results["race_id"] == monaco_2024) & (tables.results["position_order"] == 1)]
    assert winner["driver_id"].item() == driver_ids["leclerc"]
    # Street circuits see more safety cars than a flowing permanent track.
    assert fit_event_rates(history, tables.results, "marina_bay").sc_per_race > fit_event_rates(
        history, tables.results, "red_bull_ring"
    ).sc_per_race


def test_what_if_on_a_real_race(tables: FittingTables, driver_ids: dict[str, int]) -> None:
    silverstone_2024 = 1132
    replay = replay_from_tables(silverstone_2024, tables.laps, tables.stints, tables.results,
                                default_circuit("silverstone")[0])
    driver = driver_ids["hamilton"]  # the winner
    assert replay.actual_position[driver] == 1
    same = what_if(replay, driver, replay.plans[driver], n_simulations=200, seed=1)
    assert same["position_delta"]["distribution"] == {"0": 1.0}
    assert same["replay_fidelity"]["spearman_simulated_vs_actual"] > 0.6
    later = alternative_plans(replay.plans[driver], replay.race.circuit)["stop 1 +3 laps"]
    moved = what_if(replay, driver, later, n_simulations=200, seed=1)
    assert moved["time_delta_s"]["std"] > 0.0


def test_alternatives_table_on_a_real_race(tables: FittingTables, driver_ids: dict[str, int]) -> None:
    silverstone_2024 = 1132
    replay = replay_from_tables(silverstone_2024, tables.laps, tables.stints, tables.results,
                                default_circuit("silverstone")[0])
    table = alternatives_table(replay, n_simulations=40, seed=1)
    # Every driver with a stop has alternatives (a car out on lap 1 on its only set of tyres has none).
    assert set(table["driver_id"]) <= set(replay.plans) and table["driver_id"].nunique() >= 18
    hamilton = table[table["driver_id"] == driver_ids["hamilton"]].set_index("alternative")
    assert {"stop 1 -3 laps", "stop 1 +3 laps"} <= set(hamilton.index)
    assert (hamilton["actual_position"] == 1).all()
    total = table[["probability_gain", "probability_same", "probability_loss"]].sum(axis=1)
    assert ((total - 1.0).abs() < 1e-9).all()
    assert all(abs(sum(p) - 1.0) < 1e-3 for p in table["position_delta_probabilities"])
    assert (table["counterfactual_position_expected"].between(1, len(replay.plans))).all()
    assert table["replay_spearman"].iloc[0] > 0.6


def test_race_alternatives_match_the_per_race_table(tables: FittingTables, driver_ids: dict[str, int]) -> None:
    silverstone_2024, monaco_2024, no_such_race = 1132, 1128, -1
    batch = dict(race_alternatives(tables, [silverstone_2024, monaco_2024, no_such_race], n_simulations=30))
    assert set(batch) == {silverstone_2024, monaco_2024}
    replay = replay_from_tables(silverstone_2024, tables.laps, tables.stints, tables.results,
                                default_circuit("silverstone")[0])
    alone = alternatives_table(replay, n_simulations=30, seed=silverstone_2024)
    pd.testing.assert_frame_equal(batch[silverstone_2024].drop(columns="race_id"), alone)
    monaco = batch[monaco_2024]
    assert (monaco["race_id"] == monaco_2024).all()
    assert monaco.loc[monaco["driver_id"] == driver_ids["leclerc"], "actual_position"].eq(1).all()
