"""Championship odds."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from simulation.championship import ChampionshipInput, points_system, simulate_championship


def test_unassailable_leader_is_champion() -> None:
    inputs = ChampionshipInput(
        season=2024, drivers=("leader", "second", "third"), points=(400, 250, 240),
        expected_position=(3.0, 1.0, 2.0), remaining_events=("sprint", "race", "race"),
    )
    result = simulate_championship(inputs, n_simulations=2000)
    odds = {d["driver_id"]: d["title_probability"] for d in result["drivers"]}
    assert odds["leader"] == 1.0 and result["drivers"][0]["driver_id"] == "leader"


def test_equal_drivers_split_the_title() -> None:
    inputs = ChampionshipInput(season=2023, drivers=("a", "b"), points=(100, 100), expected_position=(1.5, 1.5),
                               remaining_events=("race",) * 10)
    odds = [d["title_probability"] for d in simulate_championship(inputs, n_simulations=4000, seed=1)["drivers"]]
    assert odds[0] + odds[1] == pytest.approx(1.0, abs=1e-3)
    assert abs(odds[0] - 0.5) < 0.05


def test_points_systems_and_validation() -> None:
    assert points_system(2024)[:3] == (25, 18, 15) and points_system(2022, "sprint")[0] == 8
    assert points_system(2021, "sprint") == (3, 2, 1)
    with pytest.raises(ValueError):
        points_system(2019, "sprint")
    with pytest.raises(ValidationError, match="expected_position"):
        ChampionshipInput(season=2024, drivers=("a", "b"), points=(1, 2), expected_position=(1.0,),
                          remaining_events=("race",))
