"""Car performance scores on the built warehouse: telemetry races (2025 AUS, CHN, NED) and a timing-only race."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from insights import car_performance
from transforms.warehouse import Warehouse, read_frame

TELEMETRY_RACES = {1145: "2025 Australian GP", 1146: "2025 Chinese GP", 1159: "2025 Dutch GP"}
MONZA_2023 = 1112  # Red Bull won all but one race of 2023; Verstappen and Pérez finished 1–2 here


@pytest.fixture(scope="module")
def warehouse(built_home: Path) -> Warehouse:
    return Warehouse.at(built_home)


@pytest.fixture(scope="module")
def scores(warehouse: Warehouse) -> pd.DataFrame:
    return car_performance.race_scores(warehouse, [*TELEMETRY_RACES, MONZA_2023])


def winning_team(warehouse: Warehouse, race_id: int) -> int:
    frame = read_frame(warehouse, "select constructor_id from marts.fct_results where race_id = ? and position = 1",
                       [race_id])
    return int(frame["constructor_id"].iloc[0])


@pytest.mark.parametrize("race_id", sorted(TELEMETRY_RACES))
def test_race_winning_car_ranks_top_three_from_telemetry(warehouse: Warehouse, scores: pd.DataFrame, race_id: int) -> None:
    race = scores[scores["race_id"] == race_id]
    assert set(race["score_source"]) == {car_performance.TELEMETRY}
    assert set(race["area"]) == {*car_performance.TELEMETRY_AREAS, car_performance.OVERALL}
    overall = race[race["area"] == car_performance.OVERALL]
    assert len(overall) == 10  # every team of the 2025 grid
    winner_rank = overall.loc[overall["constructor_id"] == winning_team(warehouse, race_id), "rank"]
    assert winner_rank.tolist() and winner_rank.tolist()[0] <= 3, TELEMETRY_RACES[race_id]


def test_scores_span_the_field_from_0_to_100(scores: pd.DataFrame) -> None:
    per_area = scores.groupby(["race_id", "area"])["score"].agg(["min", "max"])
    assert ((per_area["max"] - 100.0).abs() < 1e-9).all() and (per_area["min"].abs() < 1e-9).all()
    # The areas cover most of a lap: corners, straights and braking zones (the rest is part-throttle transitions).
    telemetry = scores[(scores["score_source"] == car_performance.TELEMETRY) & (scores["area"] != "overall")]
    covered = telemetry.groupby(["race_id", "constructor_id"])["lap_share"].sum()
    assert covered.between(0.6, 1.0).all()


def test_timing_scores_for_a_race_without_telemetry(scores: pd.DataFrame) -> None:
    race = scores[scores["race_id"] == MONZA_2023]
    assert set(race["score_source"]) == {car_performance.TIMING}
    assert set(race["area"]) == {*car_performance.TIMING_AREAS, car_performance.OVERALL}
    overall = race[race["area"] == car_performance.OVERALL].sort_values("rank")
    assert overall["team_name"].iloc[0] == "Red Bull"
    assert overall["score"].iloc[0] == pytest.approx(100.0)
    # Sector shares of the lap add up to the whole lap; the speed trap carries no lap time of its own.
    shares = race.groupby("area")["lap_share"].first()
    assert shares[["sector1", "sector2", "sector3"]].sum() == pytest.approx(1.0)
    assert shares["top_speed"] == 0.0
