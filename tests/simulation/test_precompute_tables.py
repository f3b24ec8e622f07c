"""The precompute: whole-field next-race strategies, title odds, and the published tables of a built home."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.championship import ChampionshipInput, simulate_championship
from simulation.defaults import default_circuit
from simulation.params import RaceParams
from simulation.precompute import Entrant, field_strategies
from transforms.warehouse import Warehouse, reading


def test_one_field_simulation_gives_every_driver_every_plan() -> None:
    entrants = [Entrant(driver_id=i, predicted_position_mean=i + 1.0, predicted_position_std=2.0, grid_slot=i + 1)
                for i in range(20)]
    rows, positions = field_strategies(RaceParams(circuit=default_circuit("monza")[0]), entrants, n_per_plan=400)
    plans = rows["strategy_id"].nunique()
    assert plans >= 4 and len(rows) == 20 * plans
    assert (rows["n_simulations"] == 400).all() and all(p.size == 400 for p in positions.values())
    assert sorted(rows.loc[rows["driver_id"] == 0, "rank"]) == list(range(1, plans + 1))
    best = rows[rows["rank"] == 1].set_index("driver_id")
    assert best.loc[0, "expected_position"] < best.loc[10, "expected_position"] < best.loc[19, "expected_position"]
    assert best.loc[0, "win_probability"] > 0.2 > best.loc[19, "win_probability"]
    assert abs(sum(best.loc[0, "position_distribution"]) - 1.0) < 1e-3


def test_constructors_title_adds_the_teams_drivers() -> None:
    inputs = ChampionshipInput(season=2024, drivers=("a1", "a2", "b1", "b2"), points=(100, 90, 95, 10),
                               expected_position=(1.5, 2.0, 3.0, 4.0), remaining_events=("race",) * 3)
    odds = simulate_championship(inputs, 4000, seed=3, team_of={"a1": "A", "a2": "A", "b1": "B", "b2": "B"},
                                 team_points={"A": 190.0, "B": 105.0})
    teams = {t["constructor_id"]: t for t in odds["constructors"]}  # type: ignore[attr-defined]
    assert teams["A"]["title_probability"] == 1.0 and teams["B"]["points"] == 105.0
    assert teams["A"]["expected_points"] > 190.0 + 3 * 25


@pytest.mark.slow
def test_next_race_strategy_covers_the_italian_gp_field(built_home: Path) -> None:
    with reading(Warehouse.at(built_home)) as con:
        table = con.execute("select * from marts.next_race_strategy where race_key = '2025-16'").df()
        entrants = con.execute("select count(*) from marts.predictions_race_entries where race_id = 1160").fetchone()
        sc = con.execute("select circuit_ref, sc_probability from marts.circuit_safety_car_probability").df()
        odds = con.execute("select * from marts.championship_odds where race_key = '2025-15'").df()
    assert table["driver_id"].nunique() == 20 == (entrants[0] if entrants else 0)
    assert (table["race_id"] == 1160).all() and (table["circuit_ref"] == "monza").all()
    assert (table["n_simulations"] == 10_000).all()
    assert (table.groupby("driver_id")["rank"].min() == 1).all()
    probability = sc.set_index("circuit_ref")["sc_probability"]
    assert probability["marina_bay"] > probability["catalunya"] and probability["baku"] > probability["catalunya"]
    drivers = odds[odds["championship"] == "drivers"]
    assert abs(drivers["title_probability"].sum() - 1.0) < 1e-6 and drivers["title_probability"].max() > 0.5
